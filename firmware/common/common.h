/* SPDX-License-Identifier: MIT */
/*
 * common: attributes and tiny helpers shared by every module.  No state.
 */
#ifndef SNT_COMMON_H
#define SNT_COMMON_H

#include <stddef.h>
#include <stdint.h>

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
 * snt_name_index() - position of @name in the table @names of @n strings,
 * for the enum <-> name tables of every module (NULL entries never match).
 * Return: the index, or -1 when @name is NULL or not in the table.
 */
int snt_name_index(const char *const *names, size_t n, const char *name);

#endif /* SNT_COMMON_H */
