/* SPDX-License-Identifier: MIT */
/*
 * usb: the station's directory on a USB stick, handled as hostile storage.
 *
 * snt_usb_open() proves that MOUNTPOINT is a mounted filesystem of a
 * removable block device that is still there, before anything is written:
 *   1. MOUNTPOINT (made absolute with realpath(3)) is the mount point of a
 *      line of /proc/self/mountinfo (proc(5): field 5, octal escapes
 *      decoded), whose field 3 is the device MAJ:MIN;
 *   2. a directory fd opened on it (O_DIRECTORY|O_NOFOLLOW) has st_dev equal
 *      to that MAJ:MIN and different from its parent's st_dev (a directory
 *      left behind after the stick was pulled is on the parent's
 *      filesystem, so it is refused as stale), and fstatfs(2) answers;
 *   3. /sys/dev/block/MAJ:MIN exists and, walking up from the partition to
 *      the disk (sysfs-block(5) layout), the first `removable` file found
 *      reads 1.
 * The same checks (mountinfo line, st_dev, sysfs device present) run again
 * before every write (snt_usb_recheck()), so a stick pulled mid-sync stops
 * the writes at once with SNT_USB_ERR_GONE.
 *
 * Everything happens under MOUNTPOINT/sentinel/<device_id>/ through
 * directory fds: out/ receives the gate's files, in/ holds what the bureau
 * left.  Every open uses openat(2) relative to those fds with O_NOFOLLOW
 * (symlinks are refused, never followed), names are checked against the
 * expected patterns (no '/', no "..", no leading '.'), only regular files
 * up to a size limit are read, and nothing is ever written outside out/.
 *
 * Tests inject the mountinfo file and the sysfs root (struct snt_usb_opts);
 * with an injected mountinfo file, the parent's device for check 2 is the
 * MAJ:MIN of the mountinfo line whose mount point is the longest prefix of
 * the parent directory (a fake mount in a temporary directory has its
 * parent's st_dev).
 */
#ifndef SNT_USB_H
#define SNT_USB_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

enum snt_usb_err {
	SNT_USB_OK = 0,
	SNT_USB_ERR_INVAL,	/* NULL argument, empty path, bad device id */
	SNT_USB_ERR_NOT_MOUNT,	/* MOUNTPOINT is not a mount point (no mountinfo line, same st_dev as its parent) */
	SNT_USB_ERR_STALE,	/* a mountinfo line exists but the directory is not that filesystem */
	SNT_USB_ERR_NOT_REMOVABLE, /* the block device's sysfs `removable` is not 1 (or missing) */
	SNT_USB_ERR_GONE,	/* the device or directory disappeared (unplugged, removed mid-write) */
	SNT_USB_ERR_UNSAFE,	/* a symlink, non-regular file or unexpected name where a station file or directory belongs */
	SNT_USB_ERR_TOO_BIG,	/* a file over the size limit */
	SNT_USB_ERR_FULL,	/* ENOSPC/EDQUOT: the stick is full; nothing was left under the final name */
	SNT_USB_ERR_VERIFY,	/* the file read back differs from what was written (SHA-256) */
	SNT_USB_ERR_IO,		/* another system call failed (errno in the message) */
	SNT_USB_ERR_NOMEM,
};

/* Where the checks look; NULL members take the defaults. */
struct snt_usb_opts {
	const char *sysfs_root;	/* default "/sys" */
	const char *mountinfo;	/* default "/proc/self/mountinfo" */
};

/* The largest file snt_usb_read_in() accepts, bytes. */
#define SNT_USB_MAX_IN_FILE (16u * 1024u * 1024u)

#define SNT_USB_WHY_LEN 512

struct snt_usb_stick;

/*
 * snt_usb_open() - prove @mountpoint (see the top of this file) and open or
 * create sentinel/<@device_id>/{out,in} on it (mkdirat 0755; an existing
 * entry must be a real directory, not a symlink).  Leftover temporary
 * files of an interrupted earlier run (".tmp-*" in out/) are removed.
 * @mountpoint: the mount point, as given by the operator.
 * @device_id: this gate's id; 1-63 of [A-Za-z0-9._-], not starting with '.'.
 * @opts: injected paths, or NULL for the system's.
 * @out: receives the handle; close with snt_usb_close().
 * @why: receives one line naming the path and what was wrong (may be NULL).
 * Return: SNT_USB_OK; SNT_USB_ERR_INVAL; _NOT_MOUNT; _STALE;
 * _NOT_REMOVABLE (also a filesystem on no block device: tmpfs, NFS);
 * _GONE (the directory vanished);
 * _UNSAFE (sentinel/, the device directory, out/ or in/ is a symlink or
 * not a directory); _FULL (no space for the directories); _IO; _NOMEM.
 */
enum snt_usb_err snt_usb_open(const char *mountpoint, const char *device_id,
			      const struct snt_usb_opts *opts, struct snt_usb_stick **out,
			      char *why, size_t whylen) SNT_WUR;

/* snt_usb_close() - close the directory fds and free; NULL does nothing. */
void snt_usb_close(struct snt_usb_stick *s);

/*
 * snt_usb_recheck() - run the mount checks again (mountinfo line present
 * with the same MAJ:MIN, the open directory still on that device, sysfs
 * device present, out/ still linked in the station directory).
 * Return: SNT_USB_OK; SNT_USB_ERR_GONE naming what disappeared; _STALE.
 */
enum snt_usb_err snt_usb_recheck(struct snt_usb_stick *s, char *why, size_t whylen) SNT_WUR;

/*
 * snt_usb_write_out() - write @len bytes as out/@name durably: recheck,
 * write to ".tmp-@name" (O_CREAT|O_EXCL|O_NOFOLLOW), fsync, rename over
 * @name (renameat(2): atomic, an existing file of that name is replaced),
 * fsync out/, then read @name back (O_NOFOLLOW) and compare its SHA-256
 * with the data's.
 * @name: a plain file name: 1-255 bytes, no '/', not starting with '.'.
 * Return: SNT_USB_OK; SNT_USB_ERR_INVAL (bad name); _GONE (recheck failed,
 * or the directory was removed: ENOENT/ENODEV/EIO on the way); _FULL
 * (ENOSPC/EDQUOT; the temporary file is removed, @name untouched); _VERIFY
 * (read back differs); _UNSAFE (@name exists as a directory or the read
 * back hit a symlink); _IO.  On every error no file named @name was
 * created or changed, except _VERIFY (the file is removed again when
 * possible).
 */
enum snt_usb_err snt_usb_write_out(struct snt_usb_stick *s, const char *name, const uint8_t *data,
				   size_t len, char *why, size_t whylen) SNT_WUR;

/* The station's two directories on the stick. */
enum snt_usb_dir {
	SNT_USB_IN = 0,		/* what the bureau left for the gate */
	SNT_USB_OUT,		/* what the gate wrote for the bureau */
};

/*
 * snt_usb_list() - the names in in/ or out/, sorted (strcmp), without "."
 * and "..": *names receives a malloc'd array of *n malloc'd strings; free
 * with snt_usb_names_free().  Names are not judged here: the caller
 * matches them against its patterns and refuses the rest, naming them.
 * Return: SNT_USB_OK; SNT_USB_ERR_INVAL; _GONE; _IO; _NOMEM.
 */
enum snt_usb_err snt_usb_list(struct snt_usb_stick *s, enum snt_usb_dir dir, char ***names, size_t *n,
			      char *why, size_t whylen) SNT_WUR;

/*
 * snt_usb_remove_out() - unlink out/@name (a regular file, never a
 * directory; a symlink itself is removed, never followed), after a
 * recheck, then fsync out/.
 * Return: SNT_USB_OK; SNT_USB_ERR_INVAL (bad name); _GONE; _UNSAFE (not a
 * regular file or symlink); _IO.
 */
enum snt_usb_err snt_usb_remove_out(struct snt_usb_stick *s, const char *name, char *why,
				    size_t whylen) SNT_WUR;

/* snt_usb_names_free() - free what snt_usb_list_in() returned. */
void snt_usb_names_free(char **names, size_t n);

/*
 * snt_usb_read_in() - read in/@name whole into a malloc'd buffer *@data of
 * *@len bytes (the caller frees it).  Opened with O_NOFOLLOW|O_NONBLOCK.
 * @max: the largest size accepted, at most SNT_USB_MAX_IN_FILE.
 * Return: SNT_USB_OK; SNT_USB_ERR_INVAL (a name with '/', "..", or a
 * leading '.'); _UNSAFE (a symlink, directory, FIFO, device...);
 * _TOO_BIG (over @max; nothing is read); _GONE; _IO; _NOMEM.
 */
enum snt_usb_err snt_usb_read_in(struct snt_usb_stick *s, const char *name, size_t max,
				 uint8_t **data, size_t *len, char *why, size_t whylen) SNT_WUR;

/*
 * snt_usb_name_safe() - whether @name is a plain file name this module
 * will touch: 1-255 bytes, no '/', no "..", not starting with '.', only
 * printable ASCII.
 */
int snt_usb_name_safe(const char *name);

/* snt_usb_strerror() - static English text for @err; never NULL. */
const char *snt_usb_strerror(enum snt_usb_err err);

#endif /* SNT_USB_H */
