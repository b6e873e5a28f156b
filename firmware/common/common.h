/* SPDX-License-Identifier: MIT */
/*
 * common: attributes and tiny helpers shared by every module.  No state.
 */
#ifndef SNT_COMMON_H
#define SNT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Mark fallible functions: their return code must be checked. */
#define SNT_WUR __attribute__((warn_unused_result))
#define SNT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SNT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * snt_strlcpy() - copy a NUL-terminated string into a buffer of @size bytes,
 * always terminating it (OpenBSD strlcpy(3) semantics).
 * Return: strlen(@src); a value >= @size means the copy was truncated.
 */
size_t snt_strlcpy(char *dst, const char *src, size_t size);

/*
 * snt_hex_encode() - lower-case hex of @len bytes into @out, which must hold
 * 2 * @len + 1 bytes; always NUL-terminated.
 */
void snt_hex_encode(const uint8_t *in, size_t len, char *out);

/*
 * snt_hex_decode() - the bytes of the hex text @in (upper or lower case,
 * even length, nothing else) into @out, which must hold strlen(@in) / 2
 * bytes.  Return: the number of bytes; -1 when @in is not such text.
 */
long snt_hex_decode(const char *in, uint8_t *out) SNT_WUR;

/*
 * snt_hex_decode_lower() - @n bytes from the 2 * @n lower-case hex digits at
 * @in (no terminator needed: the file formats that write snt_hex_encode()'s
 * text) into @out, which must hold @n bytes.  Return: 0; -1 when a
 * character is no lower-case hex digit (@out then partly written).
 */
int snt_hex_decode_lower(const char *in, size_t n, uint8_t *out) SNT_WUR;

/*
 * snt_name_index() - position of @name in the table @names of @n strings,
 * for the enum <-> name tables of every module (NULL entries never match).
 * Return: the index, or -1 when @name is NULL or not in the table.
 */
int snt_name_index(const char *const *names, size_t n, const char *name);

/*
 * snt_msg() - a reason for the caller, formatted (vsnprintf(3): cut to fit,
 * always terminated) into its buffer @buf of @size bytes; nothing when @buf
 * is NULL or @size 0.  errno is left as it was, so that an argument or an
 * expression beside the call may still read it.
 */
void snt_msg(char *buf, size_t size, const char *fmt, ...) SNT_PRINTF(3, 4);

/*
 * SNT_FAIL() - an error code and its reason at once, for the functions that
 * return an error and write why into the caller's buffer: the reason is
 * formatted into @why (@whylen bytes) by snt_msg(), and the expression's
 * value is @e, e.g. `return SNT_FAIL(SNT_X_ERR_IO, err, errlen, "%s: %s",
 * path, strerror(rc));`.
 */
#define SNT_FAIL(e, why, whylen, ...) (snt_msg((why), (whylen), __VA_ARGS__), (e))

/*
 * snt_table_text() - the other way: the string for the value @i of an enum
 * in the table @table of @n strings indexed by that enum (designated
 * initialisers), for every module's strerror() and *_name() functions.
 * Return: @table[@i] (NULL where the table leaves a value out on purpose);
 * @fallback (any string, or NULL) when @i is not below @n.
 */
const char *snt_table_text(const char *const *table, size_t n, unsigned int i, const char *fallback);

/*
 * snt_table_msg() - snt_table_text() for a table of human messages (each
 * marked N_(), @fallback too), in the user's language: the text found,
 * translated through the catalogue of SNT_TEXTDOMAIN (common/i18n.h;
 * English in the C locale, and where there is no catalogue or no
 * translation).  Every module's strerror() uses it; tables of words that
 * are read by machines (stage, state and role names) stay with
 * snt_table_text().
 * Return: as snt_table_text(), translated; NULL and "" as they are.
 */
const char *snt_table_msg(const char *const *table, size_t n, unsigned int i, const char *fallback);

/* snt_fopen_regular()'s error for a path that is not a regular file. */
#define SNT_ENOTREG (-1)

/*
 * snt_fopen_regular() - open an input file for reading, refusing anything
 * that is not a regular file (a FIFO would block forever, /dev/zero never
 * ends, a directory has no lines).  The open itself does not block: it uses
 * O_NONBLOCK, cleared again once the file is known to be regular.
 * @path: the file.
 * @out: receives the stream ("r", close-on-exec); the caller fcloses it.
 * Return: 0; an errno value when open/fstat failed; SNT_ENOTREG when the
 * path is not a regular file (a directory gives EISDIR).
 */
int snt_fopen_regular(const char *path, FILE **out) SNT_WUR;

/* snt_open_companion()'s error for a path that is a symbolic link. */
#define SNT_ESYMLINK (-2)

/* snt_read_file()'s errors: a file over its limit; a read that failed (errno says why). */
#define SNT_ETOOBIG (-3)
#define SNT_EREAD (-4)

/*
 * snt_read_file() - the whole of an input file in memory: opened as
 * snt_fopen_regular() does and read to its end, at most @max bytes.
 * @path: the file.
 * @max: the largest size accepted, in bytes (below SIZE_MAX).
 * @out: receives a new buffer (malloc'd, @max + 1 bytes; the caller frees
 *     it) holding the file's bytes and a NUL after them, so that text can
 *     be parsed as a string.
 * @len: receives the number of bytes read (0 for an empty file).
 * Return: 0; what snt_fopen_regular() returns when the open failed (an
 * errno value, SNT_ENOTREG); ENOMEM when no buffer could be had;
 * SNT_ETOOBIG when the file holds more than @max bytes; SNT_EREAD when
 * reading failed, with errno set.  On failure nothing stays allocated, and
 * what was read is wiped first (a key file's bytes do not linger).
 */
int snt_read_file(const char *path, size_t max, uint8_t **out, size_t *len) SNT_WUR;

/*
 * A file's identity and last change (device, inode, size, mtime), which a
 * running program compares to notice that a file was replaced or rewritten
 * (an installed list: issuers.h, trustlist.h).
 */
struct snt_file_stamp {
	bool present;		/* false: the file was missing (the rest is 0) */
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

/*
 * snt_file_stamp() - the stamp of <@dir>/<@name> now (stat(2), following a
 * symbolic link).  @out's present is false when @dir is NULL, the path does
 * not fit PATH_MAX, or stat fails (a missing file).
 */
void snt_file_stamp(const char *dir, const char *name, struct snt_file_stamp *out);

/* snt_file_stamp_equal() - whether two stamps are the same. */
bool snt_file_stamp_equal(const struct snt_file_stamp *a, const struct snt_file_stamp *b);

/*
 * snt_open_companion() - open a file that belongs to a database (its lock,
 * journal, sync lock: "<db>.journal", "<db>.lock", ...), where a symbolic
 * link planted by someone else would make the program write or truncate
 * another file: never through a symbolic link (O_NOFOLLOW), and only a
 * regular file (a FIFO or device is refused before any read or write; the
 * open itself uses O_NONBLOCK, cleared again afterwards).
 * @path: the file.
 * @flags: open(2) access flags and O_CREAT/O_APPEND/O_TRUNC as wanted
 *     (O_NOFOLLOW and O_CLOEXEC are added).
 * @mode: the mode of a file created (O_CREAT).
 * @fd: receives the descriptor; -1 on error.
 * Return: 0; SNT_ESYMLINK when @path is a symbolic link; SNT_ENOTREG when
 * it is not a regular file (a directory: EISDIR); else the errno value of
 * open/fstat/fcntl.
 */
int snt_open_companion(const char *path, int flags, unsigned mode, int *fd) SNT_WUR;

/*
 * snt_db_companions_check() - refuse a database whose SQLite companion
 * files ("<@db>-wal", "<@db>-shm", "<@db>-journal"), which SQLite opens
 * and writes by itself, are symbolic links or not regular files (a link
 * planted there would have SQLite overwrite its target).  Missing ones are
 * fine (SQLite creates them).  Checked with lstat(2) just before the open.
 * @which, @n: on error, the companion's path.
 * Return: 0; SNT_ESYMLINK; SNT_ENOTREG; ENAMETOOLONG; another lstat errno.
 */
int snt_db_companions_check(const char *db, char *which, size_t n) SNT_WUR;

/*
 * snt_create_private() - make sure a database about to be created at @path
 * is private: when nothing is at @path, create it empty with mode 0600
 * (O_CREAT | O_EXCL | O_NOFOLLOW, then fchmod(2), so the umask cannot widen
 * it); SQLite then gives its -wal and -shm files the same mode.  Anything
 * already at @path is left as it is (the caller's open judges it).
 * Return: 0 (created, or something was there already); an errno value.
 */
int snt_create_private(const char *path) SNT_WUR;

/*
 * snt_write_all() - write(2) all @len bytes of @buf to @fd, again after an
 * interruption (EINTR) or a short write.
 * Return: 0; -1 with errno set (EIO when write(2) wrote nothing).
 */
int snt_write_all(int fd, const void *buf, size_t len) SNT_WUR;

/*
 * snt_fsync_dir() - fsync(2) the directory @dir, so that a rename, a new
 * file or an unlink in it is durable.
 * Return: 0; the errno value of the open or the fsync that failed.
 */
int snt_fsync_dir(const char *dir);

/*
 * snt_dir_of() - the directory holding the file @path, into @dir (@size
 * bytes): what stands before its last '/' ("/" for a file in the root, "."
 * for a name without '/').
 * Return: 0; ENAMETOOLONG when it does not fit in @size bytes (@dir is then
 * "").
 */
int snt_dir_of(const char *path, char *dir, size_t size);

/*
 * snt_fsync_dir_of() - snt_fsync_dir() of snt_dir_of(@path).
 * Return: 0; ENAMETOOLONG when that directory's name is PATH_MAX bytes or
 * longer; else as snt_fsync_dir().
 */
int snt_fsync_dir_of(const char *path);

/*
 * snt_write_atomic() - replace the file at @path with @len bytes of @data so
 * that a crash leaves either the old content or the new, whole: write
 * "<@path>.tmp" (created O_EXCL | O_NOFOLLOW with @mode, a stale one from a
 * crash removed first), fsync it, rename(2) it over @path, fsync the
 * directory (POSIX rename; the ext4 "replace via rename" idiom).
 * @path: the file; a symbolic link at @path is replaced, never followed.
 * @mode: the new file's mode (fchmod'd, so the umask cannot widen it).
 * Return: 0; ENAMETOOLONG when "<@path>.tmp" does not fit PATH_MAX; else the
 * errno value of the failing call (the temporary file is then removed and
 * @path left as it was).
 */
int snt_write_atomic(const char *path, const void *data, size_t len, unsigned mode) SNT_WUR;

/*
 * snt_open_strerror() - text for snt_fopen_regular()'s,
 * snt_open_companion()'s and snt_read_file()'s errors (in the user's
 * language, as strerror(3) is): strerror(3), "not a
 * regular file", "a symbolic link (not followed)", "too large" or "read
 * error"; never NULL.
 */
const char *snt_open_strerror(int err);

/* ---- Text from outside, for human eyes ---- */

/*
 * snt_utf8_decode() - one character of strict UTF-8 (RFC 3629: no overlong
 * form, no surrogate, at most U+10FFFF) at @s, of which @len bytes may be
 * read.
 * Return: its length in bytes (1-4) with *@cp set, or 0 when the bytes at
 * @s are no valid character (or @len is 0).
 */
int snt_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/*
 * snt_utf8_valid() - whether the @len bytes at @s are strict UTF-8 from end
 * to end: each character as snt_utf8_decode() takes it (NUL bytes count as
 * characters).  True for @len 0.
 */
bool snt_utf8_valid(const uint8_t *s, size_t len);

/*
 * snt_char_unsafe() - whether @cp must never reach a terminal, a log line,
 * a CSV cell or a page raw: C0 controls (U+0000-U+001F), DEL, C1 controls
 * (U+0080-U+009F, ECMA-48 §5), the line and paragraph separators U+2028 and
 * U+2029, and the bidirectional embedding, override and isolate controls
 * U+202A-U+202E and U+2066-U+2069 (Unicode UAX #9 §2; CVE-2021-42574,
 * "Trojan Source"), which reorder what follows them on screen.
 */
bool snt_char_unsafe(uint32_t cp);

/*
 * snt_text_clean() - whether the NUL-terminated @s is valid UTF-8 holding
 * no character snt_char_unsafe() names (a name, a label: text that is
 * shown and sent as it is).  NULL is not clean; "" is.
 */
bool snt_text_clean(const char *s);

/*
 * snt_device_id_valid() - whether @id is a device id, everywhere one is
 * read (configuration, bundles, the bureau, file names): 1-63 characters
 * of [A-Za-z0-9._-], not starting with '.' (so never "." or "..", never a
 * path, safe in a file name).  NULL is not valid.
 */
bool snt_device_id_valid(const char *id);

/* snt_escape() flags. */
#define SNT_ESCAPE_C 1u	/* also '\\' -> "\\\\", and '\n' '\t' '\r' as "\\n" "\\t" "\\r" */

/*
 * snt_escape() - @len bytes of outside text (hostile: any bytes, NUL
 * included) as printable UTF-8 for every human-readable output (terminal
 * lines, logs, CSV, HTML before its own escaping): the one function all of
 * them use.  A byte below 0x20, DEL, and every byte that is not part of a
 * valid UTF-8 character becomes "\xNN" (lower-case hex); any other
 * character for which snt_char_unsafe() holds becomes "\uNNNN" (C1
 * controls, U+2028/U+2029, bidi controls); with SNT_ESCAPE_C, '\\' is
 * doubled and newline, tab and CR are written "\n", "\t", "\r", so the
 * result can be read back unambiguously.  Everything else is copied.
 * @out, @size: receives the text, NUL-terminated, cut (when too small) at a
 *     character or escape boundary; may be NULL/0 to measure.
 * Return: the length of the whole result without the NUL (as snprintf(3):
 * a value >= @size means @out was cut).
 */
size_t snt_escape(const void *in, size_t len, unsigned flags, char *out, size_t size);

/*
 * snt_escape_dup() - snt_escape() of the NUL-terminated @s (NULL: "") into
 * a new string (free()).  Return: the string, or NULL without memory.
 */
char *snt_escape_dup(const char *s, unsigned flags);

#endif /* SNT_COMMON_H */
