// SPDX-License-Identifier: MIT
/*
 * bundle file: a bundle file on disk read in pieces, every chunk checked
 * against its first reading (bundle.h, struct snt_bundle_fd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/i18n.h"
#include "sync/bundle.h"

#define FILE_CHUNK ((size_t)64 << 10)

struct snt_bundle_fd {
	struct snt_bundle_file file;
	int fd;
	size_t nchunks;
	uint8_t (*hash)[32];		/* per chunk, once seen */
	uint8_t *seen;
	uint8_t *chunk;			/* FILE_CHUNK bytes: the chunk read last, */
	size_t at;			/* its index (nchunks: none) */
	char why[SNT_BUNDLE_MSG_LEN];	/* why a read failed */
};

/* Chunk @i into r->chunk, checked against its first reading. */
static int read_chunk(struct snt_bundle_fd *r, size_t i)
{
	size_t off = i * FILE_CHUNK, len = r->file.len - off < FILE_CHUNK ? r->file.len - off : FILE_CHUNK, got = 0;
	uint8_t h[32];

	if (r->at == i)
		return 0;
	r->at = r->nchunks;
	while (got < len) {
		ssize_t k = pread(r->fd, r->chunk + got, len - got, (off_t)(off + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(r->why, sizeof(r->why), _("read error: %s"), strerror(errno));
			return -1;
		}
		if (k == 0) {
			snprintf(r->why, sizeof(r->why), _("the file shrank while it was read"));
			return -1;
		}
		got += (size_t)k;
	}
	if (EVP_Digest(r->chunk, len, h, NULL, EVP_sha256(), NULL) != 1) {
		snprintf(r->why, sizeof(r->why), _("cannot hash the file"));
		return -1;
	}
	if (!r->seen[i]) {
		memcpy(r->hash[i], h, sizeof(h));
		r->seen[i] = 1;
	} else if (memcmp(r->hash[i], h, sizeof(h))) {
		snprintf(r->why, sizeof(r->why), _("the file changed while it was read"));
		return -1;
	}
	r->at = i;
	return 0;
}

static int fd_read(void *ctx, size_t off, uint8_t *buf, size_t n)
{
	struct snt_bundle_fd *r = ctx;

	if (r->why[0] || off > r->file.len || n > r->file.len - off)
		return -1;
	while (n > 0) {
		size_t in = off % FILE_CHUNK, k = FILE_CHUNK - in < n ? FILE_CHUNK - in : n;

		if (read_chunk(r, off / FILE_CHUNK))
			return -1;
		memcpy(buf, r->chunk + in, k);
		buf += k;
		off += k;
		n -= k;
	}
	return 0;
}

enum snt_bundle_err snt_bundle_fd_new(int fd, size_t size, struct snt_bundle_fd **out)
{
	struct snt_bundle_fd *r;

	if (!out || fd < 0 || size > SNT_BUNDLE_MAX_FILE)
		return SNT_BUNDLE_ERR_INVAL;
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return SNT_BUNDLE_ERR_NOMEM;
	r->fd = fd;
	r->file = (struct snt_bundle_file){ .len = size, .read = fd_read, .ctx = r };
	r->nchunks = size / FILE_CHUNK + 1;
	r->at = r->nchunks;
	r->hash = calloc(r->nchunks, sizeof(*r->hash));
	r->seen = calloc(r->nchunks, 1);
	r->chunk = malloc(FILE_CHUNK);
	if (!r->hash || !r->seen || !r->chunk) {
		snt_bundle_fd_free(r);
		return SNT_BUNDLE_ERR_NOMEM;
	}
	*out = r;
	return SNT_BUNDLE_OK;
}

const struct snt_bundle_file *snt_bundle_fd_file(const struct snt_bundle_fd *r)
{
	return &r->file;
}

const char *snt_bundle_fd_why(const struct snt_bundle_fd *r)
{
	return r->why;
}

void snt_bundle_fd_free(struct snt_bundle_fd *r)
{
	if (!r)
		return;
	free(r->hash);
	free(r->seen);
	free(r->chunk);
	free(r);
}
