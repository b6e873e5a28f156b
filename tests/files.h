/* SPDX-License-Identifier: MIT */
/*
 * Files for the unit tests: a fixture file read whole, and a fixture's
 * temporary directory, made under /tmp and removed with the files the test
 * may have left in it.  cmocka assertions (a failure ends the test):
 * include after <cmocka.h>.
 */
#ifndef SNT_TESTS_FILES_H
#define SNT_TESTS_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * file_read() - the whole of the file @path in a new buffer (free() it),
 * its size in *@len and a NUL byte after it.
 */
static inline uint8_t *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* tmp_dir_make() - @dir (@size bytes) a new directory /tmp/@prefix-XXXXXX (mkdtemp). */
static inline void tmp_dir_make(char *dir, size_t size, const char *prefix)
{
	snprintf(dir, size, "/tmp/%s-XXXXXX", prefix);
	assert_non_null(mkdtemp(dir));
}

/*
 * tmp_dir_remove() - the files @names[0..@n) in @dir unlinked (those not
 * there passed over), then @dir removed (when empty then).
 */
static inline void tmp_dir_remove(const char *dir, const char *const *names, size_t n)
{
	char path[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

#endif
