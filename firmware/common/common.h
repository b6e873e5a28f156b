/* SPDX-License-Identifier: MIT */
/*
 * common: attributes and tiny helpers shared by every module.  No state.
 */
#ifndef SNT_COMMON_H
#define SNT_COMMON_H

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
 * snt_name_index() - position of @name in the table @names of @n strings,
 * for the enum <-> name tables of every module (NULL entries never match).
 * Return: the index, or -1 when @name is NULL or not in the table.
 */
int snt_name_index(const char *const *names, size_t n, const char *name);

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

/*
 * snt_open_strerror() - text for snt_fopen_regular()'s error: strerror(3)
 * or "not a regular file"; never NULL.
 */
const char *snt_open_strerror(int err);

#endif /* SNT_COMMON_H */
