// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "common/i18n.h"

size_t snt_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

void snt_hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long snt_hex_decode(const char *in, uint8_t *out)
{
	size_t n = strlen(in);

	if (n % 2 || n / 2 > LONG_MAX)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(in[2 * i]), lo = hex_digit(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

static int hex_digit_lower(char c)
{
	return c >= 'A' && c <= 'F' ? -1 : hex_digit(c);
}

int snt_hex_decode_lower(const char *in, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit_lower(in[2 * i]), lo = hex_digit_lower(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int snt_name_index(const char *const *names, size_t n, const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

void snt_msg(char *buf, size_t size, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!buf || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *snt_table_text(const char *const *table, size_t n, unsigned int i, const char *fallback)
{
	return i < n ? table[i] : fallback;
}

const char *snt_table_msg(const char *const *table, size_t n, unsigned int i, const char *fallback)
{
	const char *s = snt_table_text(table, n, i, fallback);

	/* "" would give the catalogue's header */
	return s && *s ? _(s) : s;
}

/*
 * The file open as @fd (with O_NONBLOCK, so that opening a FIFO did not
 * block) checked to be a regular file, then made blocking again.
 * Return: 0; EISDIR for a directory, SNT_ENOTREG for any other kind; the
 * errno value of fstat or fcntl.
 */
static int regular_blocking(int fd)
{
	struct stat sb;
	int flags;

	if (fstat(fd, &sb))
		return errno;
	if (!S_ISREG(sb.st_mode))
		return S_ISDIR(sb.st_mode) ? EISDIR : SNT_ENOTREG;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return errno;
	return 0;
}

int snt_fopen_regular(const char *path, FILE **out)
{
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	err = regular_blocking(fd);
	if (err)
		goto err_close;
	*out = fdopen(fd, "r");
	if (!*out) {
		err = errno;
		goto err_close;
	}
	return 0;

err_close:
	close(fd);
	return err;
}

void snt_file_stamp(const char *dir, const char *name, struct snt_file_stamp *out)
{
	char path[PATH_MAX];
	struct stat sb;

	memset(out, 0, sizeof(*out));
	if (!dir || (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) || stat(path, &sb))
		return;
	out->present = true;
	out->dev = (uint64_t)sb.st_dev;
	out->ino = (uint64_t)sb.st_ino;
	out->size = (uint64_t)sb.st_size;
	out->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
}

bool snt_file_stamp_equal(const struct snt_file_stamp *a, const struct snt_file_stamp *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns;
}

int snt_read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	uint8_t *buf;
	size_t n;
	FILE *f;
	int rc = snt_fopen_regular(path, &f);

	if (rc)
		return rc;
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return ENOMEM;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f))
		rc = SNT_EREAD;
	else if (n > max)
		rc = SNT_ETOOBIG;
	if (rc) {
		int e = errno;

		explicit_bzero(buf, n);
		free(buf);
		fclose(f);
		errno = e;
		return rc;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

const char *snt_open_strerror(int err)
{
	if (err == SNT_ENOTREG)
		return _("not a regular file");
	if (err == SNT_ESYMLINK)
		return _("a symbolic link (not followed)");
	if (err == SNT_ETOOBIG)
		return _("too large");
	if (err == SNT_EREAD)
		return _("read error");
	return strerror(err);
}

int snt_db_companions_check(const char *db, char *which, size_t n)
{
	static const char *const suffix[] = { "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < SNT_ARRAY_SIZE(suffix); i++) {
		char path[4096];
		struct stat sb;

		if ((size_t)snprintf(path, sizeof(path), "%s%s", db, suffix[i]) >= sizeof(path))
			return ENAMETOOLONG;
		if (which && n)
			snt_strlcpy(which, path, n);
		if (lstat(path, &sb) != 0) {
			if (errno == ENOENT)
				continue;
			return errno;
		}
		if (S_ISLNK(sb.st_mode))
			return SNT_ESYMLINK;
		if (!S_ISREG(sb.st_mode))
			return SNT_ENOTREG;
	}
	if (which && n)
		which[0] = '\0';
	return 0;
}

int snt_create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : errno;
	if (fchmod(fd, 0600) != 0) {
		int err = errno;

		close(fd);
		return err;
	}
	return close(fd) == 0 ? 0 : errno;
}

int snt_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int snt_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) != 0)
		err = errno;
	close(fd);
	return err;
}

int snt_dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return snt_strlcpy(dir, ".", size) >= size ? ENAMETOOLONG : 0;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= size) {
		if (size)
			dir[0] = '\0';
		return ENAMETOOLONG;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

int snt_fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	int err = snt_dir_of(path, dir, sizeof(dir));

	return err ? err : snt_fsync_dir(dir);
}

int snt_write_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char tmp[PATH_MAX];
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return ENAMETOOLONG;
	if (unlink(tmp) != 0 && errno != ENOENT)
		return errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return errno;
	if (fchmod(fd, (mode_t)mode) != 0 || snt_write_all(fd, data, len) != 0)
		err = errno;
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) != 0)
		err = errno;
	if (err) {
		(void)unlink(tmp);
		return err;
	}
	return snt_fsync_dir_of(path);
}

int snt_open_companion(const char *path, int flags, unsigned mode, int *fd)
{
	struct stat sb;
	int f, err;

	*fd = -1;
	f = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, (mode_t)mode);
	if (f < 0) {
		err = errno;
		/* ELOOP from O_NOFOLLOW: the last component is a link. */
		if (err == ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
			return SNT_ESYMLINK;
		return err;
	}
	err = regular_blocking(f);
	if (err) {
		close(f);
		return err;
	}
	*fd = f;
	return 0;
}

int snt_utf8_decode(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint32_t c, min;
	size_t n;

	if (!s || len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return (int)n;
}

bool snt_utf8_valid(const uint8_t *s, size_t len)
{
	uint32_t cp;
	int n;

	for (size_t i = 0; i < len; i += (size_t)n) {
		n = snt_utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return false;
	}
	return true;
}

bool snt_char_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Append @n bytes at *@o when the whole piece fits before the NUL; always counts. */
static void esc_put(char *out, size_t size, size_t *o, bool *cut, const char *p, size_t n)
{
	if (!*cut && out && *o + n < size)
		memcpy(out + *o, p, n);
	else
		*cut = true;
	*o += n;
}

size_t snt_escape(const void *in, size_t len, unsigned flags, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = in;
	size_t o = 0, kept = 0, i = 0;
	bool cut = false;

	if (!out)
		size = 0;
	while (s && i < len) {
		char e[8];
		uint32_t cp = 0;
		int n = snt_utf8_decode(s + i, len - i, &cp);

		if ((flags & SNT_ESCAPE_C) && n == 1 && strchr("\\\n\t\r", (char)cp) && cp) {
			e[0] = '\\';
			e[1] = cp == '\\' ? '\\' : cp == '\n' ? 'n' : cp == '\t' ? 't' : 'r';
			esc_put(out, size, &o, &cut, e, 2);
		} else if (n == 0 || (n == 1 && snt_char_unsafe(cp))) {
			uint8_t b = s[i];

			n = 1;
			e[0] = '\\', e[1] = 'x', e[2] = hex[b >> 4], e[3] = hex[b & 15];
			esc_put(out, size, &o, &cut, e, 4);
		} else if (snt_char_unsafe(cp)) {
			e[0] = '\\', e[1] = 'u';
			for (int k = 0; k < 4; k++)
				e[2 + k] = hex[(cp >> (12 - 4 * k)) & 15];
			esc_put(out, size, &o, &cut, e, 6);
		} else {
			esc_put(out, size, &o, &cut, (const char *)s + i, (size_t)n);
		}
		if (!cut)
			kept = o;
		i += (size_t)n;
	}
	if (size)
		out[kept] = '\0';
	return o;
}

char *snt_escape_dup(const char *s, unsigned flags)
{
	size_t len = s ? strlen(s) : 0, n = snt_escape(s, len, flags, NULL, 0) + 1;
	char *out = malloc(n);

	if (out)
		(void)snt_escape(s, len, flags, out, n);
	return out;
}

bool snt_text_clean(const char *s)
{
	size_t len;

	if (!s)
		return false;
	len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = snt_utf8_decode((const uint8_t *)s + i, len - i, &cp);

		if (n == 0 || snt_char_unsafe(cp))
			return false;
		i += (size_t)n;
	}
	return true;
}

bool snt_device_id_valid(const char *id)
{
	size_t n;

	if (!id || !id[0] || id[0] == '.')
		return false;
	for (n = 0; id[n]; n++) {
		char c = id[n];

		if (n >= 63)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}
