// SPDX-License-Identifier: MIT
/*
 * usb: the station's directory on a USB stick (see usb.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "common/i18n.h"
#include "sync/usb.h"

#define TMP_PREFIX ".tmp-"

struct snt_usb_stick {
	char mountpoint[PATH_MAX];	/* absolute, resolved */
	char mountinfo[PATH_MAX];
	char sysfs_root[PATH_MAX];
	bool injected;			/* mountinfo given by a test */
	unsigned int major, minor;	/* of the mountinfo line */
	int mnt_fd;
	int dev_fd;			/* sentinel/<device_id> */
	int out_fd;
	int in_fd;
	char device_id[64];
};

static const char *const err_text[] = {
	[SNT_USB_OK] = N_("ok"),
	[SNT_USB_ERR_INVAL] = N_("invalid argument"),
	[SNT_USB_ERR_NOT_MOUNT] = N_("not a mount point"),
	[SNT_USB_ERR_STALE] = N_("stale mount point (the stick is not there)"),
	[SNT_USB_ERR_NOT_REMOVABLE] = N_("not a removable device"),
	[SNT_USB_ERR_GONE] = N_("the stick or its directory disappeared"),
	[SNT_USB_ERR_UNSAFE] = N_("unsafe file on the stick (symlink, special file or bad name)"),
	[SNT_USB_ERR_TOO_BIG] = N_("file over the size limit"),
	[SNT_USB_ERR_FULL] = N_("the stick is full"),
	[SNT_USB_ERR_VERIFY] = N_("the file read back differs from what was written"),
	[SNT_USB_ERR_IO] = N_("I/O error"),
	[SNT_USB_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_usb_strerror(enum snt_usb_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

/* errno of a failed write/create in a stick directory -> error. */
static enum snt_usb_err errno_kind(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return SNT_USB_ERR_FULL;
	case ENOENT:
	case ENODEV:
	case ENXIO:
	case EIO:
	case ESTALE:
		return SNT_USB_ERR_GONE;
	case ELOOP:
	case ENOTDIR:
	case EISDIR:
		return SNT_USB_ERR_UNSAFE;
	case ENOMEM:
		return SNT_USB_ERR_NOMEM;
	default:
		return SNT_USB_ERR_IO;
	}
}

int snt_usb_name_safe(const char *name)
{
	size_t n;

	if (!name)
		return 0;
	n = strlen(name);
	if (n == 0 || n > 255 || name[0] == '.' || strstr(name, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '/' || (unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			return 0;
	return 1;
}

static bool device_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 63 || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return !strstr(id, "..");
}

/* Decode mountinfo's octal escapes (\040 space, \011, \012, \134) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/*
 * Look @path up in the mountinfo file.  @exact: the last line whose mount
 * point is @path; else the last line whose mount point is the longest
 * prefix of @path.  Return 1 found (*maj, *min), 0 not found, -1 unreadable.
 */
static int mountinfo_find(const char *file, const char *path, bool exact, unsigned *maj,
			  unsigned *min)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0, best = 0;
	int found = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char mnt[PATH_MAX];
		unsigned a, b;
		size_t n;

		/* id parent maj:min root mountpoint ... */
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &a, &b, mnt) != 3)
			continue;
		unescape(mnt);
		n = strlen(mnt);
		if (exact) {
			if (strcmp(mnt, path) != 0)
				continue;
		} else {
			bool prefix = !strcmp(mnt, "/") ||
				      (!strncmp(path, mnt, n) && (path[n] == '/' || path[n] == '\0'));

			if (!prefix || (n < best && found))
				continue;
			best = n;
		}
		*maj = a;
		*min = b;
		found = 1;
	}
	free(line);
	fclose(f);
	return found;
}

/*
 * The sysfs checks: /sys/dev/block/MAJ:MIN present, and the first
 * `removable` from the partition up to the disk reads 1.
 */
static enum snt_usb_err sysfs_check(const struct snt_usb_stick *s, bool want_removable, char *why,
				    size_t whylen)
{
	char link[PATH_MAX + 64], dir[PATH_MAX], root[PATH_MAX];
	size_t rootlen;

	snprintf(link, sizeof(link), "%s/dev/block/%u:%u", s->sysfs_root, s->major, s->minor);
	if (!realpath(s->sysfs_root, root))
		return SNT_FAIL(SNT_USB_ERR_GONE, why, whylen, "%s: %s", s->sysfs_root, strerror(errno));
	if (!realpath(link, dir)) {
		if (want_removable)	/* the first look: a filesystem without a block device */
			return SNT_FAIL(SNT_USB_ERR_NOT_REMOVABLE, why, whylen,
					_("%s: device %u:%u is not a block device (no %s)"), s->mountpoint,
					s->major, s->minor, link);
		return SNT_FAIL(SNT_USB_ERR_GONE, why, whylen,
				_("%s: block device %u:%u is gone (%s): the stick was removed"), s->mountpoint,
				s->major, s->minor, strerror(errno));
	}
	if (!want_removable)
		return SNT_USB_OK;
	rootlen = strlen(root);
	if (strncmp(dir, root, rootlen) != 0 || dir[rootlen] != '/')
		return SNT_FAIL(SNT_USB_ERR_NOT_REMOVABLE, why, whylen,
				/* i18n-exempt: marked; %u:%u is a device number, not a count */
				_("%s: block device %u:%u resolves outside %s"), s->mountpoint, s->major,
				s->minor, s->sysfs_root);
	for (;;) {
		char path[PATH_MAX + 16], buf[8] = "";
		char *slash;
		FILE *f;

		snprintf(path, sizeof(path), "%s/removable", dir);
		f = fopen(path, "re");
		if (f) {
			bool one = fgets(buf, sizeof(buf), f) && buf[0] == '1' &&
				   (buf[1] == '\n' || buf[1] == '\0');

			fclose(f);
			if (one)
				return SNT_USB_OK;
			return SNT_FAIL(SNT_USB_ERR_NOT_REMOVABLE, why, whylen,
					_("%s: block device %u:%u is not removable (%s reads %.1s)"),
					s->mountpoint, s->major, s->minor, path, buf[0] ? buf : _("nothing"));
		}
		slash = strrchr(dir, '/');
		if (!slash || (size_t)(slash - dir) <= rootlen)
			break;
		*slash = '\0';
	}
	return SNT_FAIL(SNT_USB_ERR_NOT_REMOVABLE, why, whylen,
			_("%s: block device %u:%u has no 'removable' attribute in sysfs"), s->mountpoint,
			s->major, s->minor);
}

/* Mount checks 1 and 2 (usb.h), on an open s->mnt_fd when @initial is false. */
static enum snt_usb_err mount_check(struct snt_usb_stick *s, bool initial, char *why, size_t whylen)
{
	unsigned maj = 0, min = 0, pmaj = 0, pmin = 0;
	struct stat st, pst;
	struct statfs sfs;
	int r;

	r = mountinfo_find(s->mountinfo, s->mountpoint, true, &maj, &min);
	if (r < 0)
		return SNT_FAIL(SNT_USB_ERR_IO, why, whylen, "%s: %s", s->mountinfo, strerror(errno));
	if (r == 0)
		return SNT_FAIL(initial ? SNT_USB_ERR_NOT_MOUNT : SNT_USB_ERR_GONE, why, whylen,
				_("%s: not a mount point (not in %s)%s"), s->mountpoint, s->mountinfo,
				initial ? "" : _(": the stick was unmounted"));
	if (!initial && (maj != s->major || min != s->minor))
		return SNT_FAIL(SNT_USB_ERR_GONE, why, whylen,
				_("%s: now a mount of device %u:%u, not %u:%u: the stick was replaced"),
				s->mountpoint, maj, min, s->major, s->minor);
	s->major = maj;
	s->minor = min;
	if (fstat(s->mnt_fd, &st) != 0 || fstatfs(s->mnt_fd, &sfs) != 0)
		return SNT_FAIL(SNT_USB_ERR_GONE, why, whylen, "%s: %s", s->mountpoint, strerror(errno));
	if (st.st_dev != makedev(maj, min))
		return SNT_FAIL(SNT_USB_ERR_STALE, why, whylen,
				_("%s: the directory is on device %u:%u, not the mounted %u:%u: a stale "
				"directory (the stick is not there)"),
				s->mountpoint, major(st.st_dev), minor(st.st_dev), maj, min);
	if (s->injected) {
		char parent[PATH_MAX];
		char *slash;

		snt_strlcpy(parent, s->mountpoint, sizeof(parent));
		slash = strrchr(parent, '/');
		if (slash == parent)
			slash[1] = '\0';
		else if (slash)
			*slash = '\0';
		if (mountinfo_find(s->mountinfo, parent, false, &pmaj, &pmin) != 1)
			pmaj = pmin = UINT_MAX;
		if (pmaj == maj && pmin == min)
			return SNT_FAIL(SNT_USB_ERR_NOT_MOUNT, why, whylen,
					_("%s: on the same device as its parent: not a mount point"),
					s->mountpoint);
	} else {
		if (fstatat(s->mnt_fd, "..", &pst, 0) != 0)
			return SNT_FAIL(SNT_USB_ERR_IO, why, whylen, "%s/..: %s", s->mountpoint,
					strerror(errno));
		if (pst.st_dev == st.st_dev)
			return SNT_FAIL(SNT_USB_ERR_NOT_MOUNT, why, whylen,
					_("%s: on the same device as its parent: not a mount point"),
					s->mountpoint);
	}
	return SNT_USB_OK;
}

/* mkdirat + open a real directory (never a symlink) @name under @dirfd. */
static enum snt_usb_err open_subdir(int dirfd, const char *label, const char *name, int *out,
				    char *why, size_t whylen)
{
	struct stat st;
	int fd;

	if (mkdirat(dirfd, name, 0755) != 0 && errno != EEXIST)
		return SNT_FAIL(errno_kind(errno), why, whylen, _("%s/%s: cannot create: %s"), label, name,
				strerror(errno));
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, "%s/%s: %s", label, name, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return SNT_FAIL(SNT_USB_ERR_UNSAFE, why, whylen, _("%s/%s: %s, not a directory: refused"),
				label, name, S_ISLNK(st.st_mode) ? _("a symlink") : _("a file"));
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return SNT_FAIL(errno == ELOOP ? SNT_USB_ERR_UNSAFE : errno_kind(errno), why, whylen,
				"%s/%s: %s", label, name, strerror(errno));
	*out = fd;
	return SNT_USB_OK;
}

/* Remove what an interrupted run left under temporary names in out/. */
static void remove_tmp(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)))
			(void)unlinkat(dirfd, de->d_name, 0);
	closedir(d);
}

enum snt_usb_err snt_usb_open(const char *mountpoint, const char *device_id,
			      const struct snt_usb_opts *opts, struct snt_usb_stick **out,
			      char *why, size_t whylen)
{
	struct snt_usb_stick *s;
	enum snt_usb_err e;
	char label[PATH_MAX + 80];

	if (why && whylen)
		why[0] = '\0';
	if (!mountpoint || !*mountpoint || !device_id || !out)
		return SNT_FAIL(SNT_USB_ERR_INVAL, why, whylen, _("no mount point or device id"));
	if (!device_id_ok(device_id))
		return SNT_FAIL(SNT_USB_ERR_INVAL, why, whylen, _("device id '%s' is not 1-63 of [A-Za-z0-9._-]"),
				device_id);
	s = calloc(1, sizeof(*s));
	if (!s)
		return SNT_FAIL(SNT_USB_ERR_NOMEM, why, whylen, _("out of memory"));
	s->mnt_fd = s->dev_fd = s->out_fd = s->in_fd = -1;
	snt_strlcpy(s->device_id, device_id, sizeof(s->device_id));
	s->injected = opts && opts->mountinfo;
	snt_strlcpy(s->mountinfo, s->injected ? opts->mountinfo : "/proc/self/mountinfo",
		    sizeof(s->mountinfo));
	snt_strlcpy(s->sysfs_root, opts && opts->sysfs_root ? opts->sysfs_root : "/sys",
		    sizeof(s->sysfs_root));
	if (!realpath(mountpoint, s->mountpoint)) {
		e = SNT_FAIL(errno == ENOENT ? SNT_USB_ERR_NOT_MOUNT : SNT_USB_ERR_IO, why, whylen,
			     "%s: %s", mountpoint, strerror(errno));
		goto err;
	}
	s->mnt_fd = open(s->mountpoint, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->mnt_fd < 0) {
		e = SNT_FAIL(SNT_USB_ERR_NOT_MOUNT, why, whylen, "%s: %s", mountpoint, strerror(errno));
		goto err;
	}
	e = mount_check(s, true, why, whylen);
	if (e)
		goto err;
	e = sysfs_check(s, true, why, whylen);
	if (e)
		goto err;
	snprintf(label, sizeof(label), "%s", s->mountpoint);
	e = open_subdir(s->mnt_fd, label, "sentinel", &s->dev_fd, why, whylen);
	if (e)
		goto err;
	{
		int sfd = s->dev_fd;

		snprintf(label, sizeof(label), "%s/sentinel", s->mountpoint);
		e = open_subdir(sfd, label, device_id, &s->dev_fd, why, whylen);
		close(sfd);
		if (e) {
			s->dev_fd = -1;
			goto err;
		}
	}
	snprintf(label, sizeof(label), "%s/sentinel/%s", s->mountpoint, device_id);
	e = open_subdir(s->dev_fd, label, "out", &s->out_fd, why, whylen);
	if (e)
		goto err;
	e = open_subdir(s->dev_fd, label, "in", &s->in_fd, why, whylen);
	if (e)
		goto err;
	remove_tmp(s->out_fd);
	*out = s;
	return SNT_USB_OK;
err:
	snt_usb_close(s);
	return e;
}

void snt_usb_close(struct snt_usb_stick *s)
{
	if (!s)
		return;
	if (s->in_fd >= 0)
		close(s->in_fd);
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->dev_fd >= 0)
		close(s->dev_fd);
	if (s->mnt_fd >= 0)
		close(s->mnt_fd);
	free(s);
}

/* The directory @fd is still linked (not removed) at @name under @parent. */
static bool still_linked(int parent, const char *name, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) != 0 || a.st_nlink == 0)
		return false;
	if (fstatat(parent, name, &b, AT_SYMLINK_NOFOLLOW) != 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

enum snt_usb_err snt_usb_recheck(struct snt_usb_stick *s, char *why, size_t whylen)
{
	enum snt_usb_err e;
	char path[PATH_MAX + 16];
	struct stat st;
	int fd;

	if (!s)
		return SNT_USB_ERR_INVAL;
	e = mount_check(s, false, why, whylen);
	if (e)
		return e == SNT_USB_ERR_STALE ? SNT_USB_ERR_GONE : e;
	e = sysfs_check(s, false, why, whylen);
	if (e)
		return e;
	snprintf(path, sizeof(path), "sentinel/%s", s->device_id);
	fd = openat(s->mnt_fd, "sentinel", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(s->dev_fd, &st) != 0 || !still_linked(fd, s->device_id, s->dev_fd) ||
	    !still_linked(s->dev_fd, "out", s->out_fd) || !still_linked(s->dev_fd, "in", s->in_fd)) {
		if (fd >= 0)
			close(fd);
		return SNT_FAIL(SNT_USB_ERR_GONE, why, whylen,
				_("%s/%s: the station directory was removed"), s->mountpoint, path);
	}
	close(fd);
	return SNT_USB_OK;
}

static int sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32 ? 0 : -1;
}

/*
 * Before writing or removing file @name in the stick's out directory: @s
 * and @name (a plain file name) valid, with @args_ok; @label (@size bytes)
 * its path for messages; the stick still mounted (snt_usb_recheck()).
 */
static enum snt_usb_err out_file_begin(struct snt_usb_stick *s, const char *name, bool args_ok,
				       char *label, size_t size, char *why, size_t whylen)
{
	if (!s || !args_ok || !snt_usb_name_safe(name))
		return SNT_FAIL(SNT_USB_ERR_INVAL, why, whylen, _("'%s': not a plain file name"),
				name ? name : _("(null)"));
	snprintf(label, size, "%s/sentinel/%s/out/%s", s->mountpoint, s->device_id, name);
	return snt_usb_recheck(s, why, whylen);
}

enum snt_usb_err snt_usb_write_out(struct snt_usb_stick *s, const char *name, const uint8_t *data,
				   size_t len, char *why, size_t whylen)
{
	char tmp[300], label[PATH_MAX + 400];
	uint8_t want[32], got[32];
	enum snt_usb_err e;
	uint8_t *back = NULL;
	size_t backlen = 0;
	int fd, saved;

	e = out_file_begin(s, name, data || !len, label, sizeof(label), why, whylen);
	if (e)
		return e;
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s", name);
	fd = openat(s->out_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		(void)unlinkat(s->out_fd, tmp, 0);
		fd = openat(s->out_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0644);
	}
	if (fd < 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, _("%s: cannot create: %s"), label,
				strerror(errno));
	if (snt_write_all(fd, data, len)) {
		saved = errno;
		goto err_tmp;
	}
	if (fsync(fd) != 0) {
		saved = errno;
		goto err_tmp;
	}
	if (close(fd) != 0) {
		fd = -1;
		saved = errno;
		goto err_tmp;
	}
	fd = -1;
	/* The stick may have gone while we wrote: do not rename into a stale tree. */
	e = snt_usb_recheck(s, why, whylen);
	if (e) {
		(void)unlinkat(s->out_fd, tmp, 0);
		return e;
	}
	if (renameat(s->out_fd, tmp, s->out_fd, name) != 0) {
		saved = errno;
		goto err_tmp;
	}
	if (fsync(s->out_fd) != 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, _("%s: fsync of the directory: %s"), label,
				strerror(errno));
	/* Read back through a fresh open and compare. */
	e = SNT_USB_OK;
	{
		int rfd = openat(s->out_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;

		if (rfd < 0)
			return SNT_FAIL(errno_kind(errno), why, whylen, _("%s: cannot read back: %s"), label,
					strerror(errno));
		if (fstat(rfd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len) {
			close(rfd);
			(void)unlinkat(s->out_fd, name, 0);
			return SNT_FAIL(SNT_USB_ERR_VERIFY, why, whylen,
					P_("%s: read back %lld bytes, wrote %zu: removed",
					   "%s: read back %lld bytes, wrote %zu: removed", st.st_size),
					label, (long long)st.st_size, len);
		}
		back = malloc(len ? len : 1);
		if (!back) {
			close(rfd);
			return SNT_FAIL(SNT_USB_ERR_NOMEM, why, whylen, _("out of memory"));
		}
		while (backlen < len) {
			ssize_t r = read(rfd, back + backlen, len - backlen);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				saved = r < 0 ? errno : EIO;
				close(rfd);
				free(back);
				return SNT_FAIL(errno_kind(saved), why, whylen, _("%s: read back: %s"), label,
						r < 0 ? strerror(saved) : _("short file"));
			}
			backlen += (size_t)r;
		}
		close(rfd);
	}
	if (sha256(data, len, want) || sha256(back, len, got)) {
		free(back);
		return SNT_FAIL(SNT_USB_ERR_NOMEM, why, whylen, _("%s: SHA-256 failed"), label);
	}
	free(back);
	if (memcmp(want, got, 32) != 0) {
		(void)unlinkat(s->out_fd, name, 0);
		return SNT_FAIL(SNT_USB_ERR_VERIFY, why, whylen,
				_("%s: SHA-256 of the file read back differs from what was written: removed"),
				label);
	}
	return e;

err_tmp:
	if (fd >= 0)
		close(fd);
	(void)unlinkat(s->out_fd, tmp, 0);
	e = errno_kind(saved);
	if (e == SNT_USB_ERR_FULL)
		return SNT_FAIL(e, why, whylen, _("%s: the stick is full (%s): nothing written under that name"),
				label, strerror(saved));
	return SNT_FAIL(e, why, whylen, "%s: %s", label, strerror(saved));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void snt_usb_names_free(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

enum snt_usb_err snt_usb_list(struct snt_usb_stick *s, enum snt_usb_dir dir, char ***names, size_t *n,
			      char *why, size_t whylen)
{
	const char *dname = dir == SNT_USB_OUT ? "out" : "in";
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	if (!s || !names || !n || (dir != SNT_USB_IN && dir != SNT_USB_OUT))
		return SNT_USB_ERR_INVAL;
	fd = openat(dir == SNT_USB_OUT ? s->out_fd : s->in_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, /* i18n-exempt: a path and strerror() */
				"%s/sentinel/%s/%s: %s", s->mountpoint,
				s->device_id, dname, strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return SNT_FAIL(SNT_USB_ERR_IO, why, whylen, "%s/: %s", dname, strerror(errno));
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nv = realloc(v, nc * sizeof(*nv));

			if (!nv)
				goto nomem;
			v = nv;
			cap = nc;
		}
		v[cnt] = strdup(de->d_name);
		if (!v[cnt])
			goto nomem;
		cnt++;
		errno = 0;
	}
	if (errno) {
		int e = errno;

		closedir(d);
		snt_usb_names_free(v, cnt);
		return SNT_FAIL(errno_kind(e), why, whylen, /* i18n-exempt: a path and strerror() */
				"%s/sentinel/%s/%s: %s", s->mountpoint,
				s->device_id, dname, strerror(e));
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return SNT_USB_OK;
nomem:
	closedir(d);
	snt_usb_names_free(v, cnt);
	return SNT_FAIL(SNT_USB_ERR_NOMEM, why, whylen, _("out of memory"));
}

enum snt_usb_err snt_usb_read_in(struct snt_usb_stick *s, const char *name, size_t max,
				 uint8_t **data, size_t *len, char *why, size_t whylen)
{
	char label[PATH_MAX + 400];
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	if (!s || !data || !len || max > SNT_USB_MAX_IN_FILE)
		return SNT_USB_ERR_INVAL;
	if (!snt_usb_name_safe(name))
		return SNT_FAIL(SNT_USB_ERR_INVAL, why, whylen,
				_("%s/sentinel/%s/in/'%s': not a plain file name: refused"), s->mountpoint,
				s->device_id, name ? name : _("(null)"));
	snprintf(label, sizeof(label), "%s/sentinel/%s/in/%s", s->mountpoint, s->device_id, name);
	if (fstatat(s->in_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, "%s: %s", label, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return SNT_FAIL(SNT_USB_ERR_UNSAFE, why, whylen, _("%s: a symlink: refused"), label);
	if (!S_ISREG(st.st_mode))
		return SNT_FAIL(SNT_USB_ERR_UNSAFE, why, whylen, _("%s: not a regular file: refused"), label);
	fd = openat(s->in_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return SNT_FAIL(errno == ELOOP ? SNT_USB_ERR_UNSAFE : errno_kind(errno), why, whylen,
				"%s: %s", label, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return SNT_FAIL(SNT_USB_ERR_UNSAFE, why, whylen, _("%s: not a regular file: refused"), label);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return SNT_FAIL(SNT_USB_ERR_TOO_BIG, why, whylen, P_("%s: %lld bytes, over the limit of %zu: refused",
				   "%s: %lld bytes, over the limit of %zu: refused", st.st_size),
				label, (long long)st.st_size, max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return SNT_FAIL(SNT_USB_ERR_NOMEM, why, whylen, _("out of memory"));
	}
	/* Read one byte more than fstat said, to notice a file that grew. */
	while (got <= (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			free(buf);
			return SNT_FAIL(errno_kind(e), why, whylen, "%s: %s", label, strerror(e));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return SNT_FAIL(SNT_USB_ERR_IO, why, whylen, _("%s: changed size while read: refused"), label);
	}
	*data = buf;
	*len = got;
	return SNT_USB_OK;
}

enum snt_usb_err snt_usb_remove_out(struct snt_usb_stick *s, const char *name, char *why, size_t whylen)
{
	char label[PATH_MAX + 400];
	enum snt_usb_err e;
	struct stat st;

	e = out_file_begin(s, name, true, label, sizeof(label), why, whylen);
	if (e)
		return e;
	if (fstatat(s->out_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, "%s: %s", label, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return SNT_FAIL(SNT_USB_ERR_UNSAFE, why, whylen, _("%s: not a regular file: not removed"), label);
	if (unlinkat(s->out_fd, name, 0) != 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, _("%s: cannot remove: %s"), label, strerror(errno));
	if (fsync(s->out_fd) != 0)
		return SNT_FAIL(errno_kind(errno), why, whylen, _("%s: fsync of the directory: %s"), label,
				strerror(errno));
	return SNT_USB_OK;
}
