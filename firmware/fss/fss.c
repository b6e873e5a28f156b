// SPDX-License-Identifier: MIT
/*
 * fss: forward-secure sealing keys (Bellare-Yee key evolution) and tags,
 * and the key file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "common/common.h"
#include "common/i18n.h"
#include "fss/fss.h"

#define EVOLVE_LABEL "sentinel-seal-evolve-v1"
#define TAG_LABEL "sentinel-seal-v1"
#define FILE_MAGIC "sentinel-seal-v1"

static void put_i64(uint8_t *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(u & 0xff);
		u >>= 8;
	}
}

static bool schedule_ok(const struct snt_fss *s)
{
	return s->epoch_ms >= SNT_FSS_EPOCH_MS_MIN && s->epoch_ms <= SNT_FSS_EPOCH_MS_MAX &&
	       s->start_utc_ms >= 0 && s->first_seq >= 1 && s->epoch >= 0 &&
	       s->epoch <= SNT_FSS_EPOCH_MAX;
}

/* HMAC-SHA256(@key, @msg) into @out (32 bytes); false when OpenSSL failed. */
static bool hmac(const uint8_t key[SNT_FSS_KEY_LEN], const uint8_t *msg, size_t len,
		 uint8_t out[32])
{
	unsigned int n = 0;

	return HMAC(EVP_sha256(), key, SNT_FSS_KEY_LEN, msg, len, out, &n) && n == 32;
}

enum snt_fss_err snt_fss_init(struct snt_fss *s, int64_t start_utc_ms, int64_t epoch_ms,
				int64_t first_seq)
{
	struct snt_fss n = { .epoch_ms = epoch_ms, .start_utc_ms = start_utc_ms,
			      .first_seq = first_seq, .epoch = 0 };

	if (!s || !schedule_ok(&n))
		return SNT_FSS_ERR_INVAL;
	if (RAND_priv_bytes(n.key, SNT_FSS_KEY_LEN) != 1)
		return SNT_FSS_ERR_CRYPTO;
	*s = n;
	OPENSSL_cleanse(&n, sizeof(n));
	return SNT_FSS_OK;
}

int64_t snt_fss_epoch_at(const struct snt_fss *s, int64_t utc_ms)
{
	int64_t e;

	if (!s || s->epoch_ms <= 0)
		return 0;
	if (utc_ms < s->start_utc_ms)
		return s->epoch;
	e = (utc_ms - s->start_utc_ms) / s->epoch_ms;
	if (e > SNT_FSS_EPOCH_MAX)
		e = SNT_FSS_EPOCH_MAX;
	return e > s->epoch ? e : s->epoch;
}

enum snt_fss_err snt_fss_evolve(struct snt_fss *s, int64_t to)
{
	uint8_t k[SNT_FSS_KEY_LEN], msg[sizeof(EVOLVE_LABEL) - 1 + 8];
	enum snt_fss_err err = SNT_FSS_OK;

	if (!s)
		return SNT_FSS_ERR_INVAL;
	if (to < s->epoch || to > SNT_FSS_EPOCH_MAX)
		return SNT_FSS_ERR_RANGE;
	memcpy(k, s->key, sizeof(k));
	memcpy(msg, EVOLVE_LABEL, sizeof(EVOLVE_LABEL) - 1);
	for (int64_t i = s->epoch; i < to; i++) {
		put_i64(msg + sizeof(EVOLVE_LABEL) - 1, i + 1);
		if (!hmac(k, msg, sizeof(msg), k)) {
			err = SNT_FSS_ERR_CRYPTO;
			break;
		}
	}
	if (!err) {
		memcpy(s->key, k, sizeof(k));
		s->epoch = to;
	}
	OPENSSL_cleanse(k, sizeof(k));
	return err;
}

/* The tag of (@epoch, @seq, @hash) under @key. */
static bool make_tag(const uint8_t key[SNT_FSS_KEY_LEN], int64_t epoch, int64_t seq,
		     const uint8_t hash[SNT_FSS_HASH_LEN], uint8_t tag[SNT_FSS_TAG_LEN])
{
	uint8_t msg[sizeof(TAG_LABEL) - 1 + 8 + 8 + SNT_FSS_HASH_LEN];
	size_t o = sizeof(TAG_LABEL) - 1;

	memcpy(msg, TAG_LABEL, o);
	put_i64(msg + o, epoch);
	put_i64(msg + o + 8, seq);
	memcpy(msg + o + 16, hash, SNT_FSS_HASH_LEN);
	return hmac(key, msg, sizeof(msg), tag);
}

enum snt_fss_err snt_fss_tag(const struct snt_fss *s, int64_t seq,
			       const uint8_t hash[SNT_FSS_HASH_LEN], uint8_t tag[SNT_FSS_TAG_LEN])
{
	if (!s || !hash || !tag || seq < 1)
		return SNT_FSS_ERR_INVAL;
	return make_tag(s->key, s->epoch, seq, hash, tag) ? SNT_FSS_OK : SNT_FSS_ERR_CRYPTO;
}

enum snt_fss_err snt_fss_check(struct snt_fss *v, int64_t epoch, int64_t seq,
				 const uint8_t hash[SNT_FSS_HASH_LEN], const uint8_t tag[SNT_FSS_TAG_LEN])
{
	uint8_t want[SNT_FSS_TAG_LEN];
	enum snt_fss_err err;

	if (!v || !hash || !tag || seq < 1)
		return SNT_FSS_ERR_INVAL;
	err = snt_fss_evolve(v, epoch);
	if (err)
		return err;
	if (!make_tag(v->key, epoch, seq, hash, want))
		return SNT_FSS_ERR_CRYPTO;
	return CRYPTO_memcmp(want, tag, sizeof(want)) ? SNT_FSS_ERR_MISMATCH : SNT_FSS_OK;
}

enum snt_fss_err snt_fss_format(const struct snt_fss *s, char *buf, size_t size)
{
	char hex[2 * SNT_FSS_KEY_LEN + 1];
	int n;

	if (!s || !buf || size < SNT_FSS_FILE_MAX || !schedule_ok(s))
		return SNT_FSS_ERR_INVAL;
	snt_hex_encode(s->key, SNT_FSS_KEY_LEN, hex);
	/* i18n-exempt: the key file's lines, parsed back by snt_fss_parse() */
	n = snprintf(buf, size,
		     FILE_MAGIC "\nepoch_ms %" PRId64 "\nstart_utc_ms %" PRId64 "\nfirst_seq %" PRId64
		     "\nepoch %" PRId64 "\nkey %s\n",
		     s->epoch_ms, s->start_utc_ms, s->first_seq, s->epoch, hex);
	OPENSSL_cleanse(hex, sizeof(hex));
	return n > 0 && (size_t)n < size ? SNT_FSS_OK : SNT_FSS_ERR_INVAL;
}

/* "<name> <decimal>\n" at *@p: the value into *@v, *@p past the line. */
static bool parse_line(const char **p, const char *end, const char *name, int64_t *v)
{
	size_t n = strlen(name);
	const char *q = *p;
	int64_t x = 0;

	if ((size_t)(end - q) < n + 2 || memcmp(q, name, n) || q[n] != ' ')
		return false;
	q += n + 1;
	if (q >= end || *q < '0' || *q > '9' || (*q == '0' && q + 1 < end && q[1] != '\n'))
		return false;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (x > (INT64_MAX - (*q - '0')) / 10)
			return false;
		x = x * 10 + (*q - '0');
	}
	if (q >= end || *q != '\n')
		return false;
	*v = x;
	*p = q + 1;
	return true;
}

enum snt_fss_err snt_fss_parse(const char *text, size_t len, struct snt_fss *s)
{
	const char *p = text, *end = text + len;
	size_t m = sizeof(FILE_MAGIC) - 1;

	if (!text || !s)
		return SNT_FSS_ERR_INVAL;
	memset(s, 0, sizeof(*s));
	if (len < m + 1 || memcmp(p, FILE_MAGIC "\n", m + 1))
		return SNT_FSS_ERR_FORMAT;
	p += m + 1;
	if (!parse_line(&p, end, "epoch_ms", &s->epoch_ms) ||
	    !parse_line(&p, end, "start_utc_ms", &s->start_utc_ms) ||
	    !parse_line(&p, end, "first_seq", &s->first_seq) ||
	    !parse_line(&p, end, "epoch", &s->epoch) || !schedule_ok(s))
		return SNT_FSS_ERR_FORMAT;
	if ((size_t)(end - p) != 4 + 2 * SNT_FSS_KEY_LEN + 1 || memcmp(p, "key ", 4) ||
	    end[-1] != '\n')
		return SNT_FSS_ERR_FORMAT;
	p += 4;
	if (snt_hex_decode_lower(p, SNT_FSS_KEY_LEN, s->key)) {
		OPENSSL_cleanse(s, sizeof(*s));
		return SNT_FSS_ERR_FORMAT;
	}
	return SNT_FSS_OK;
}

enum snt_fss_err snt_fss_read(const char *path, struct snt_fss *s, int *err_no)
{
	char buf[SNT_FSS_FILE_MAX + 1];
	enum snt_fss_err err;
	size_t len = 0;
	int fd, e;

	if (err_no)
		*err_no = 0;
	if (!path || !s)
		return SNT_FSS_ERR_INVAL;
	e = snt_open_companion(path, O_RDONLY, 0, &fd);
	if (e) {
		if (err_no)
			*err_no = e;
		return SNT_FSS_ERR_IO;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (err_no)
				*err_no = errno;
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return SNT_FSS_ERR_IO;
		}
		if (r == 0 || len + (size_t)r == sizeof(buf)) {
			len += (size_t)r;
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	err = len > SNT_FSS_FILE_MAX ? SNT_FSS_ERR_FORMAT : snt_fss_parse(buf, len, s);
	OPENSSL_cleanse(buf, sizeof(buf));
	return err;
}

enum snt_fss_err snt_fss_write(const char *path, const struct snt_fss *s, int *err_no)
{
	char buf[SNT_FSS_FILE_MAX];
	enum snt_fss_err err;
	int e;

	if (err_no)
		*err_no = 0;
	if (!path)
		return SNT_FSS_ERR_INVAL;
	err = snt_fss_format(s, buf, sizeof(buf));
	if (err)
		return err;
	e = snt_write_atomic(path, buf, strlen(buf), 0600);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (e) {
		if (err_no)
			*err_no = e;
		return SNT_FSS_ERR_IO;
	}
	return SNT_FSS_OK;
}

int snt_fss_key_path(const char *device_key, const char *suffix, char *out, size_t size)
{
	size_t n;
	int w;

	if (!device_key || !suffix || !out)
		return -1;
	n = strlen(device_key);
	if (n > 4 && !strcmp(device_key + n - 4, ".key"))
		n -= 4;
	if (n > INT32_MAX)
		return -1;
	w = snprintf(out, size, "%.*s%s", (int)n, device_key, suffix);
	return w > 0 && (size_t)w < size ? 0 : -1;
}

void snt_fss_wipe(struct snt_fss *s)
{
	if (s)
		OPENSSL_cleanse(s, sizeof(*s));
}

static const char *const err_text[] = {
	[SNT_FSS_OK] = N_("success"),
	[SNT_FSS_ERR_INVAL] = N_("invalid argument"),
	[SNT_FSS_ERR_IO] = N_("the seal key file cannot be read or written"),
	[SNT_FSS_ERR_FORMAT] = N_("not a seal key file"),
	[SNT_FSS_ERR_RANGE] = N_("seal epoch out of order or out of range"),
	[SNT_FSS_ERR_CRYPTO] = N_("OpenSSL failed"),
	[SNT_FSS_ERR_MISMATCH] = N_("the seal does not verify"),
};

const char *snt_fss_strerror(enum snt_fss_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown seal error"));
}
