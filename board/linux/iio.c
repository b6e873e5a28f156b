// SPDX-License-Identifier: MIT
/*
 * IR thermometers through IIO sysfs (see iio.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "linux/iio.h"

struct snt_iio_therm {
	char dir[PATH_MAX];
	bool processed;		/* mlx90632: *_input in milli-°C */
};

static const char *const err_text[] = {
	[SNT_IIO_OK] = N_("success"),
	[SNT_IIO_ERR_INVAL] = N_("invalid argument"),
	[SNT_IIO_ERR_NODEV] = N_("no such IIO device"),
	[SNT_IIO_ERR_MISSING] = N_("attribute file missing"),
	[SNT_IIO_ERR_PARSE] = N_("attribute is empty or not a number"),
	[SNT_IIO_ERR_IO] = N_("read error"),
	[SNT_IIO_ERR_RANGE] = N_("value out of range"),
	[SNT_IIO_ERR_NOMEM] = N_("out of memory"),
};

static const char *const raw_attrs[] = { "in_temp_object_raw", "in_temp_ambient_raw",
					 "in_temp_offset", "in_temp_scale" };
static const char *const input_attrs[] = { "in_temp_object_input", "in_temp_ambient_input" };

const char *snt_iio_strerror(enum snt_iio_err err)
{
	/* The text in the user's language: every caller shows it to a person. */
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

/* Read a small sysfs attribute into @buf (NUL-terminated, trailing blanks cut). */
static enum snt_iio_err read_attr(const char *dir, const char *attr, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, attr) >= sizeof(path))
		return SNT_IIO_ERR_INVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? SNT_IIO_ERR_MISSING : SNT_IIO_ERR_IO;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return SNT_IIO_ERR_IO;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	return n == 0 ? SNT_IIO_ERR_PARSE : SNT_IIO_OK;
}

static enum snt_iio_err read_num(const char *dir, const char *attr, bool integer, double *out)
{
	enum snt_iio_err err;
	char buf[64], *end;

	err = read_attr(dir, attr, buf, sizeof(buf));
	if (err)
		return err;
	errno = 0;
	if (integer) {
		long v = strtol(buf, &end, 10);

		*out = (double)v;
	} else {
		*out = strtod(buf, &end);
	}
	if (errno || end == buf || *end || !isfinite(*out))
		return SNT_IIO_ERR_PARSE;
	return SNT_IIO_OK;
}

static enum snt_iio_err to_mdc(double v, int32_t *out)
{
	if (!(v > INT32_MIN && v < INT32_MAX))
		return SNT_IIO_ERR_RANGE;
	*out = (int32_t)lround(v);
	return SNT_IIO_OK;
}

const char *const snt_iio_devices[SNT_IIO_DEVICE_COUNT] = { "mlx90614", "mlx90615", "mlx90632" };

enum snt_iio_err snt_iio_open(const char *root, const char *name, struct snt_iio_therm **out,
			      char *errbuf, size_t errlen)
{
	const char *const *attrs;
	struct snt_iio_therm *t;
	struct dirent *de;
	size_t n_attrs;
	bool found = false;
	DIR *d;

	if (!root || !name || !out || !errbuf || errlen == 0)
		return SNT_IIO_ERR_INVAL;
	*out = NULL;
	errbuf[0] = '\0';
	if (snt_name_index(snt_iio_devices, SNT_IIO_DEVICE_COUNT, name) < 0) {
		snprintf(errbuf, errlen, _("IIO device '%s' is not supported"), name);
		return SNT_IIO_ERR_INVAL;
	}
	if (!strcmp(name, "mlx90614") || !strcmp(name, "mlx90615")) {
		attrs = raw_attrs;
		n_attrs = SNT_ARRAY_SIZE(raw_attrs);
	} else {
		attrs = input_attrs;
		n_attrs = SNT_ARRAY_SIZE(input_attrs);
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(errbuf, errlen, "%s", _("out of memory"));
		return SNT_IIO_ERR_NOMEM;
	}
	t->processed = attrs == input_attrs;
	d = opendir(root);
	if (!d) {
		snprintf(errbuf, errlen, "%s: %s", root, strerror(errno));
		free(t);
		return SNT_IIO_ERR_NODEV;
	}
	while (!found && (de = readdir(d))) {
		char buf[64];

		if (strncmp(de->d_name, "iio:device", 10))
			continue;
		if ((size_t)snprintf(t->dir, sizeof(t->dir), "%s/%s", root, de->d_name) >=
		    sizeof(t->dir))
			continue;
		found = read_attr(t->dir, "name", buf, sizeof(buf)) == SNT_IIO_OK &&
			!strcmp(buf, name);
	}
	closedir(d);
	if (!found) {
		snprintf(errbuf, errlen, _("%s: no IIO device named '%s'"), root, name);
		free(t);
		return SNT_IIO_ERR_NODEV;
	}
	for (size_t i = 0; i < n_attrs; i++) {
		char path[PATH_MAX];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", t->dir, attrs[i]) >= sizeof(path)) {
			snprintf(errbuf, errlen, _("%s: path too long"), t->dir);
			free(t);
			return SNT_IIO_ERR_INVAL;
		}
		if (access(path, F_OK)) {
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
			free(t);
			return SNT_IIO_ERR_MISSING;
		}
	}
	*out = t;
	return SNT_IIO_OK;
}

enum snt_iio_err snt_iio_read(struct snt_iio_therm *t, int32_t *object_mdc, int32_t *ambient_mdc)
{
	double obj, amb, offset, scale;
	enum snt_iio_err err;

	if (!t || !object_mdc || !ambient_mdc)
		return SNT_IIO_ERR_INVAL;
	if (t->processed) {
		if ((err = read_num(t->dir, "in_temp_object_input", true, &obj)) ||
		    (err = read_num(t->dir, "in_temp_ambient_input", true, &amb)))
			return err;
	} else {
		if ((err = read_num(t->dir, "in_temp_object_raw", true, &obj)) ||
		    (err = read_num(t->dir, "in_temp_ambient_raw", true, &amb)) ||
		    (err = read_num(t->dir, "in_temp_offset", false, &offset)) ||
		    (err = read_num(t->dir, "in_temp_scale", false, &scale)))
			return err;
		obj = (obj + offset) * scale;
		amb = (amb + offset) * scale;
	}
	if ((err = to_mdc(obj, object_mdc)) || (err = to_mdc(amb, ambient_mdc)))
		return err;
	return SNT_IIO_OK;
}

const char *snt_iio_dir(const struct snt_iio_therm *t)
{
	return t ? t->dir : "";
}

void snt_iio_close(struct snt_iio_therm *t)
{
	free(t);
}

static enum snt_hal_err ops_read(void *ctx, int32_t *object_mdc, int32_t *ambient_mdc)
{
	return snt_iio_read(ctx, object_mdc, ambient_mdc) == SNT_IIO_OK ? SNT_HAL_OK :
									  SNT_HAL_ERR_IO;
}

const struct snt_thermometer_ops snt_iio_ops = {
	.read = ops_read,
};
