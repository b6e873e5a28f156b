// SPDX-License-Identifier: MIT
/*
 * sign: P-256 keys, COSE_Sign1 ES256 (RFC 9052 §4.2/§4.4, RFC 9053 §2.1)
 * and sealing (ECDH P-256, HKDF-SHA256 RFC 5869, AES-256-GCM) with
 * OpenSSL 3.  Formats in sign.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/i18n.h"
#include "cose/cose.h"
#include "sign/sign.h"
#include "sign/sign_internal.h"

#define PROTECTED_LEN 13	/* a2 01 26 04 48 <kid 8> */

/* ---- keys ---- */

enum snt_sign_err snt_sign_key_check(EVP_PKEY *key)
{
	char group[64];
	size_t glen = 0;

	if (!key)
		return SNT_SIGN_ERR_INVAL;
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
		return SNT_SIGN_ERR_NOT_EC;
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &glen) != 1) {
		ERR_clear_error();
		return SNT_SIGN_ERR_NOT_P256;
	}
	if (strcmp(group, "prime256v1") && strcmp(group, "P-256"))
		return SNT_SIGN_ERR_NOT_P256;
	return SNT_SIGN_OK;
}

int sign__has_private(EVP_PKEY *key)
{
	BIGNUM *priv = NULL;
	int ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1;

	BN_clear_free(priv);
	if (!ok)
		ERR_clear_error();
	return ok;
}

/* The key's public point, uncompressed: 0x04 || X || Y. */
enum snt_sign_err sign__key_point(EVP_PKEY *key, uint8_t point[SNT_SEAL_POINT_LEN])
{
	BIGNUM *x = NULL, *y = NULL;
	enum snt_sign_err rc = SNT_SIGN_ERR_CRYPTO;

	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
	    EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 && BN_bn2binpad(x, point + 1, 32) == 32 &&
	    BN_bn2binpad(y, point + 33, 32) == 32) {
		point[0] = 0x04;
		rc = SNT_SIGN_OK;
	} else {
		ERR_clear_error();
	}
	BN_free(x);
	BN_free(y);
	return rc;
}

enum snt_sign_err snt_sign_key_generate(EVP_PKEY **out)
{
	EVP_PKEY *key;

	if (!out)
		return SNT_SIGN_ERR_INVAL;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!key) {
		ERR_clear_error();
		return SNT_SIGN_ERR_CRYPTO;
	}
	*out = key;
	return SNT_SIGN_OK;
}

static enum snt_sign_err bio_take(BIO *bio, char **text, size_t *len)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);

	if (n <= 0)
		return SNT_SIGN_ERR_CRYPTO;
	*text = malloc((size_t)n + 1);
	if (!*text)
		return SNT_SIGN_ERR_NOMEM;
	memcpy(*text, p, (size_t)n);
	(*text)[n] = '\0';
	*len = (size_t)n;
	return SNT_SIGN_OK;
}

static enum snt_sign_err key_pem(EVP_PKEY *key, int private, char **text, size_t *len)
{
	/* A private key's PEM goes through memory that is cleared when freed. */
	BIO *bio = BIO_new(private ? BIO_s_secmem() : BIO_s_mem());
	enum snt_sign_err rc;
	int ok;

	if (!bio)
		return SNT_SIGN_ERR_NOMEM;
	if (private)
		ok = PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_bio_PUBKEY(bio, key);
	rc = ok == 1 ? bio_take(bio, text, len) : SNT_SIGN_ERR_CRYPTO;
	if (ok != 1)
		ERR_clear_error();
	BIO_free(bio);
	return rc;
}

enum snt_sign_err snt_sign_key_public_pem(EVP_PKEY *key, char **pem, size_t *len)
{
	enum snt_sign_err rc;

	if (!key || !pem || !len)
		return SNT_SIGN_ERR_INVAL;
	rc = snt_sign_key_check(key);
	if (rc)
		return rc;
	return key_pem(key, 0, pem, len);
}

/* Temporary file, fsync, no-replace rename, fsync of the directory (sign.h). */
static enum snt_sign_err write_durable(const char *path, const char *text, size_t len, mode_t mode)
{
	struct stat sb;
	size_t plen = strlen(path);
	char *tmp;
	int fd, err;

	if (plen == 0)
		return SNT_SIGN_ERR_INVAL;
	if (lstat(path, &sb) == 0)
		return SNT_SIGN_ERR_EXISTS;
	tmp = malloc(plen + 16);
	if (!tmp)
		return SNT_SIGN_ERR_NOMEM;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	fd = mkostemp(tmp, O_CLOEXEC);	/* mode 0600 */
	if (fd < 0) {
		err = errno;
		free(tmp);
		errno = err;
		return SNT_SIGN_ERR_WRITE;
	}
	if ((mode != 0600 && fchmod(fd, mode)) || snt_write_all(fd, text, len) || fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE)) {
		if (errno != EINVAL && errno != ENOSYS)
			goto fail_exists;
		/* The file system has no RENAME_NOREPLACE: link(2) refuses to replace too. */
		if (link(tmp, path))
			goto fail_exists;
		unlink(tmp);
	}
	free(tmp);
	err = snt_fsync_dir_of(path);
	if (err) {
		errno = err;
		return SNT_SIGN_ERR_WRITE;
	}
	return SNT_SIGN_OK;

fail_exists:
	err = errno;
	unlink(tmp);
	free(tmp);
	errno = err;
	return err == EEXIST ? SNT_SIGN_ERR_EXISTS : SNT_SIGN_ERR_WRITE;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	errno = err;
	return SNT_SIGN_ERR_WRITE;
}

static enum snt_sign_err write_key(EVP_PKEY *key, const char *path, int private)
{
	enum snt_sign_err rc;
	char *text = NULL;
	size_t len = 0;

	if (!key || !path)
		return SNT_SIGN_ERR_INVAL;
	rc = snt_sign_key_check(key);
	if (rc)
		return rc;
	if (private && !sign__has_private(key))
		return SNT_SIGN_ERR_INVAL;
	rc = key_pem(key, private, &text, &len);
	if (!rc)
		rc = write_durable(path, text, len, private ? 0600 : 0644);
	if (text) {
		OPENSSL_cleanse(text, len);
		free(text);
	}
	return rc;
}

enum snt_sign_err snt_sign_key_write_private(EVP_PKEY *key, const char *path)
{
	return write_key(key, path, 1);
}

enum snt_sign_err snt_sign_key_write_public(EVP_PKEY *key, const char *path)
{
	return write_key(key, path, 0);
}

/* No passphrase prompts: an encrypted key is not a key we can use. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static enum snt_sign_err parse_pem(const char *pem, size_t len, int private, EVP_PKEY **out)
{
	BIO *bio;
	EVP_PKEY *key;
	enum snt_sign_err rc;

	if (len > SNT_SIGN_MAX_KEY_FILE)
		return SNT_SIGN_ERR_READ;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return SNT_SIGN_ERR_NOMEM;
	if (private)
		key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	else
		key = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (!key)
		return SNT_SIGN_ERR_NOT_PEM;
	rc = snt_sign_key_check(key);
	if (!rc && private && !sign__has_private(key))
		rc = SNT_SIGN_ERR_NOT_PEM;
	if (rc) {
		EVP_PKEY_free(key);
		return rc;
	}
	*out = key;
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_sign_key_public_from_pem(const char *pem, size_t len, EVP_PKEY **out)
{
	if (!pem || !out)
		return SNT_SIGN_ERR_INVAL;
	return parse_pem(pem, len, 0, out);
}

enum snt_sign_err snt_sign_ca_pem_check(const char *pem, size_t len)
{
	enum snt_sign_err rc = SNT_SIGN_OK;
	size_t n = 0;
	BIO *bio;

	if (!pem || len > INT_MAX)
		return SNT_SIGN_ERR_INVAL;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return SNT_SIGN_ERR_NOMEM;
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		const unsigned char *p;
		long dlen = 0;
		X509 *x;

		if (!PEM_read_bio(bio, &name, &header, &data, &dlen)) {
			unsigned long e = ERR_peek_last_error();

			/* The end of the text; anything else is a damaged block. */
			if (ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
				rc = SNT_SIGN_ERR_NOT_PEM;
			break;
		}
		p = data;
		x = strcmp(name, PEM_STRING_X509) ? NULL : d2i_X509(NULL, &p, dlen);
		if (!x || p != data + dlen)
			rc = SNT_SIGN_ERR_NOT_PEM;
		X509_free(x);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		if (rc)
			break;
		n++;
	}
	ERR_clear_error();
	BIO_free(bio);
	return rc ? rc : n ? SNT_SIGN_OK : SNT_SIGN_ERR_NOT_PEM;
}

static enum snt_sign_err load_key(const char *path, int private, EVP_PKEY **out)
{
	uint8_t *buf;
	size_t n;
	int err;
	enum snt_sign_err rc;

	if (!path || !out)
		return SNT_SIGN_ERR_INVAL;
	err = snt_read_file(path, SNT_SIGN_MAX_KEY_FILE, &buf, &n);
	if (err == SNT_ENOTREG || err == EISDIR)
		return SNT_SIGN_ERR_NOTREG;
	if (err == ENOMEM)
		return SNT_SIGN_ERR_NOMEM;
	if (err == SNT_EREAD || err == SNT_ETOOBIG)
		return SNT_SIGN_ERR_READ;
	if (err) {
		errno = err;
		return SNT_SIGN_ERR_OPEN;
	}
	rc = parse_pem((const char *)buf, n, private, out);
	OPENSSL_cleanse(buf, n);
	free(buf);
	return rc;
}

enum snt_sign_err snt_sign_key_load_private(const char *path, EVP_PKEY **out)
{
	return load_key(path, 1, out);
}

enum snt_sign_err snt_sign_key_load_public(const char *path, EVP_PKEY **out)
{
	return load_key(path, 0, out);
}

enum snt_sign_err snt_sign_key_kid(EVP_PKEY *key, uint8_t kid[SNT_SIGN_KID_LEN])
{
	uint8_t *der = NULL, md[SHA256_DIGEST_LENGTH];
	int n;
	enum snt_sign_err rc;

	if (!key || !kid)
		return SNT_SIGN_ERR_INVAL;
	rc = snt_sign_key_check(key);
	if (rc)
		return rc;
	n = i2d_PUBKEY(key, &der);
	if (n <= 0) {
		ERR_clear_error();
		return SNT_SIGN_ERR_CRYPTO;
	}
	SHA256(der, (size_t)n, md);
	OPENSSL_free(der);
	memcpy(kid, md, SNT_SIGN_KID_LEN);
	return SNT_SIGN_OK;
}

/* ---- COSE_Sign1 ES256 ---- */

/* ECDSA over @data with SHA-256, as raw r || s (RFC 9053 §2.1). */
static enum snt_sign_err es256_sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t sig[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t der[80];
	const uint8_t *p = der;
	size_t der_len = sizeof(der);
	ECDSA_SIG *es = NULL;
	const BIGNUM *r, *s;
	enum snt_sign_err rc = SNT_SIGN_ERR_CRYPTO;

	if (!md)
		return SNT_SIGN_ERR_NOMEM;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, der, &der_len, data, len) != 1)
		goto out;
	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!es)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, 32) != 32 || BN_bn2binpad(s, sig + 32, 32) != 32)
		goto out;
	rc = SNT_SIGN_OK;
out:
	if (rc)
		ERR_clear_error();
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(md);
	return rc;
}

enum snt_sign_err snt_sign1_es256(EVP_PKEY *key, const uint8_t *payload, size_t len, uint8_t **out,
				  size_t *out_len)
{
	uint8_t prot[PROTECTED_LEN], sig[SNT_SIGN_ES256_LEN], *tbs = NULL, *msg;
	size_t tbs_len, n = 0;
	enum snt_sign_err rc;
	int r;

	if (!key || (!payload && len) || !out || !out_len || len > SNT_SEAL_MAX_PLAINTEXT)
		return SNT_SIGN_ERR_INVAL;
	rc = snt_sign_key_check(key);
	if (rc)
		return rc;
	if (!sign__has_private(key))
		return SNT_SIGN_ERR_INVAL;
	/* protected = {1: -7, 4: h'kid'} */
	prot[0] = 0xa2;
	prot[1] = 0x01;
	prot[2] = 0x26;
	prot[3] = 0x04;
	prot[4] = 0x48;
	rc = snt_sign_key_kid(key, prot + 5);
	if (rc)
		return rc;
	r = snt_cose_sig_structure(prot, sizeof(prot), payload, len, &tbs, &tbs_len);
	if (r)
		return r == -2 ? SNT_SIGN_ERR_NOMEM : SNT_SIGN_ERR_INVAL;
	rc = es256_sign(key, tbs, tbs_len, sig);
	free(tbs);
	if (rc)
		return rc;
	msg = malloc(len + 96);
	if (!msg)
		return SNT_SIGN_ERR_NOMEM;
	/* 18([protected, {}, payload, signature]) */
	msg[n++] = 0xd2;
	msg[n++] = 0x84;
	n += snt_cose_cbor_put_head(msg + n, 2, sizeof(prot));
	memcpy(msg + n, prot, sizeof(prot));
	n += sizeof(prot);
	msg[n++] = 0xa0;
	n += snt_cose_cbor_put_head(msg + n, 2, len);
	if (len)
		memcpy(msg + n, payload, len);
	n += len;
	n += snt_cose_cbor_put_head(msg + n, 2, sizeof(sig));
	memcpy(msg + n, sig, sizeof(sig));
	n += sizeof(sig);
	*out = msg;
	*out_len = n;
	return SNT_SIGN_OK;
}

/* One definite-length byte string head at *pos (RFC 8949 §3.1, major type 2); its length in *n. */
int sign__bstr_head(const uint8_t *b, size_t len, size_t *pos, uint64_t *n, bool whole)
{
	uint8_t ai;

	if (*pos >= len || (b[*pos] >> 5) != 2)
		return -1;
	ai = b[(*pos)++] & 0x1f;
	if (ai < 24) {
		*n = ai;
	} else if (ai <= 27) {
		size_t k = (size_t)1 << (ai - 24);

		if (len - *pos < k)
			return -1;
		*n = 0;
		for (size_t i = 0; i < k; i++)
			*n = *n << 8 | b[(*pos)++];
	} else {
		return -1;	/* indefinite length or reserved */
	}
	return whole && *n > len - *pos ? -1 : 0;
}

/*
 * The raw bytes exactly as snt_sign1_es256() lays them out, checked before
 * libcbor builds a single item (a hostile unprotected header or payload of
 * millions of items must cost nothing): 0xd2 0x84, the protected header a
 * definite byte string of at most SNT_SIGN_MAX_PROTECTED bytes, the
 * unprotected header exactly the empty map 0xa0, the payload a definite
 * byte string, the signature 0x58 0x40 and 64 bytes, and nothing after.
 * @c receives where the protected header, payload and signature lie in @b.
 */
static int sentinel_shape(const uint8_t *b, size_t len, struct snt_cose_sign1 *c)
{
	size_t pos = 2;
	uint64_t n;

	if (len < 2 || b[0] != 0xd2 || b[1] != 0x84)
		return -1;
	if (sign__bstr_head(b, len, &pos, &n, true) || n > SNT_SIGN_MAX_PROTECTED)
		return -1;
	c->protected_bytes = b + pos;
	c->protected_len = (size_t)n;
	pos += (size_t)n;
	if (pos >= len || b[pos++] != 0xa0)
		return -1;
	if (sign__bstr_head(b, len, &pos, &n, true))
		return -1;
	c->payload = b + pos;
	c->payload_len = (size_t)n;
	pos += (size_t)n;
	if (len - pos != 2 + SNT_SIGN_ES256_LEN || b[pos] != 0x58 || b[pos + 1] != SNT_SIGN_ES256_LEN)
		return -1;
	c->signature = b + pos + 2;
	c->signature_len = SNT_SIGN_ES256_LEN;
	return 0;
}

/*
 * The message in @buf as struct snt_cose_sign1, its pointers into @buf:
 * with the layout fixed by sentinel_shape() only the protected header is
 * decoded (libcbor), so the payload is neither loaded nor copied.  The
 * same rules as snt_cose_sign1_parse() for what the layout leaves open:
 * the protected header a map, alg in it (the unprotected one is empty),
 * kid a byte or text string.
 */
static enum snt_sign_err parse_sign1(const uint8_t *buf, size_t len, struct snt_cose_sign1 *c)
{
	memset(c, 0, sizeof(*c));
	if (sentinel_shape(buf, len, c))
		return SNT_SIGN_ERR_NOT_COSE;
	return sign__protected(c);
}

enum snt_sign_err sign__protected(struct snt_cose_sign1 *c)
{
	const cbor_item_t *kid;

	if (c->protected_len > 0) {
		c->protected_map = snt_cose_cbor_load(c->protected_bytes, c->protected_len);
		if (!c->protected_map || !cbor_isa_map(c->protected_map)) {
			snt_cose_sign1_free(c);
			return SNT_SIGN_ERR_NOT_COSE;
		}
	}
	/* ES256, and named in the protected header. */
	if (snt_cose_cbor_int(snt_cose_map_int(c->protected_map, 1), &c->alg) ||
	    (c->alg != SNT_COSE_ALG_ES256 && c->alg != SNT_COSE_ALG_PS256)) {
		snt_cose_sign1_free(c);
		return SNT_SIGN_ERR_NOT_COSE;
	}
	if (c->alg != SNT_COSE_ALG_ES256) {
		snt_cose_sign1_free(c);
		return SNT_SIGN_ERR_ALG;
	}
	kid = snt_cose_map_int(c->protected_map, 4);
	if (kid && cbor_isa_bytestring(kid) && cbor_bytestring_is_definite(kid)) {
		c->kid = cbor_bytestring_handle(kid);
		c->kid_len = cbor_bytestring_length(kid);
	} else if (kid && cbor_isa_string(kid) && cbor_string_is_definite(kid)) {
		c->kid = cbor_string_handle(kid);
		c->kid_len = cbor_string_length(kid);
	}
	c->kid_protected = c->kid != NULL;
	if (!c->kid_protected || c->kid_len != SNT_SIGN_KID_LEN) {
		snt_cose_sign1_free(c);
		return SNT_SIGN_ERR_KID;
	}
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_sign1_peek(const uint8_t *buf, size_t len, uint8_t kid[SNT_SIGN_KID_LEN],
				 const uint8_t **payload, size_t *payload_len)
{
	struct snt_cose_sign1 c;
	enum snt_sign_err rc;

	if (!buf || !kid)
		return SNT_SIGN_ERR_INVAL;
	rc = parse_sign1(buf, len, &c);
	if (rc)
		return rc;
	memcpy(kid, c.kid, SNT_SIGN_KID_LEN);
	if (payload)
		*payload = c.payload;
	if (payload_len)
		*payload_len = c.payload_len;
	snt_cose_sign1_free(&c);
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_sign1_kid(const uint8_t *buf, size_t len, uint8_t kid[SNT_SIGN_KID_LEN])
{
	return snt_sign1_peek(buf, len, kid, NULL, NULL);
}

enum snt_sign_err snt_sign1_verify(const uint8_t *buf, size_t len, EVP_PKEY *pub, const uint8_t **payload,
				   size_t *payload_len)
{
	struct snt_cose_sign1 c;
	uint8_t kid[SNT_SIGN_KID_LEN];
	enum snt_sign_err rc;

	if (!buf || !pub || !payload || !payload_len)
		return SNT_SIGN_ERR_INVAL;
	rc = snt_sign_key_kid(pub, kid);
	if (rc)
		return rc;
	rc = parse_sign1(buf, len, &c);
	if (rc)
		return rc;
	if (memcmp(c.kid, kid, SNT_SIGN_KID_LEN)) {
		rc = SNT_SIGN_ERR_KID;
		goto out;
	}
	switch (snt_cose_sign1_verify(&c, pub)) {
	case SNT_COSE_OK:
		break;
	case SNT_COSE_ERR_NOMEM:
		rc = SNT_SIGN_ERR_NOMEM;
		goto out;
	default:
		ERR_clear_error();
		rc = SNT_SIGN_ERR_SIGNATURE;
		goto out;
	}
	*payload = c.payload;
	*payload_len = c.payload_len;
out:
	snt_cose_sign1_free(&c);
	return rc;
}

enum snt_sign_err snt_sign1_open(const uint8_t *buf, size_t len, EVP_PKEY *pub, uint8_t **payload,
				 size_t *payload_len)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	uint8_t *copy;
	enum snt_sign_err rc;

	if (!payload || !payload_len)
		return SNT_SIGN_ERR_INVAL;
	rc = snt_sign1_verify(buf, len, pub, &p, &n);
	if (rc)
		return rc;
	copy = malloc(n ? n : 1);
	if (!copy)
		return SNT_SIGN_ERR_NOMEM;
	if (n)
		memcpy(copy, p, n);
	*payload = copy;
	*payload_len = n;
	return SNT_SIGN_OK;
}

/* ---- sealing ---- */

/* Z = ECDH x-coordinate; key = HKDF-SHA256(Z, salt = eph || rcpt, info). */
enum snt_sign_err sign__seal_key(EVP_PKEY *priv, EVP_PKEY *peer, const uint8_t eph[SNT_SEAL_POINT_LEN],
				  const uint8_t rcpt[SNT_SEAL_POINT_LEN], uint8_t key[32], int peer_is_input)
{
	EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	uint8_t z[32], salt[2 * SNT_SEAL_POINT_LEN];
	size_t zlen = sizeof(z);
	OSSL_PARAM params[5];
	char digest[] = "SHA256";
	char info[] = SNT_SEAL_INFO;
	enum snt_sign_err rc = SNT_SIGN_ERR_CRYPTO;

	if (!dctx)
		return SNT_SIGN_ERR_NOMEM;
	if (EVP_PKEY_derive_init(dctx) != 1)
		goto out;
	if (EVP_PKEY_derive_set_peer(dctx, peer) != 1) {
		if (peer_is_input)
			rc = SNT_SIGN_ERR_POINT;
		goto out;
	}
	if (EVP_PKEY_derive(dctx, z, &zlen) != 1 || zlen != sizeof(z)) {
		if (peer_is_input)
			rc = SNT_SIGN_ERR_POINT;
		goto out;
	}
	memcpy(salt, eph, SNT_SEAL_POINT_LEN);
	memcpy(salt + SNT_SEAL_POINT_LEN, rcpt, SNT_SEAL_POINT_LEN);
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	if (!kctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, z, sizeof(z));
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof(salt));
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info) - 1);
	params[4] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, key, 32, params) != 1)
		goto out;
	rc = SNT_SIGN_OK;
out:
	if (rc)
		ERR_clear_error();
	OPENSSL_cleanse(z, sizeof(z));
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	EVP_PKEY_CTX_free(dctx);
	return rc;
}

/* An EC public key from an uncompressed P-256 point; NULL when it is not one. */
EVP_PKEY *sign__point_key(const uint8_t point[SNT_SEAL_POINT_LEN])
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;
	OSSL_PARAM params[3];
	char group[] = "prime256v1";

	if (point[0] != 0x04)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)(uintptr_t)point,
						      SNT_SEAL_POINT_LEN);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	if (key) {
		/* Point on the curve, not the identity (SP 800-56A partial validation). */
		EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);

		if (!chk || EVP_PKEY_public_check(chk) != 1) {
			EVP_PKEY_free(key);
			key = NULL;
		}
		EVP_PKEY_CTX_free(chk);
	}
	ERR_clear_error();
	return key;
}

enum snt_sign_err snt_seal(EVP_PKEY *recipient_pub, const uint8_t *in, size_t len, uint8_t **out,
			   size_t *out_len)
{
	EVP_PKEY *eph = NULL;
	EVP_CIPHER_CTX *cctx = NULL;
	uint8_t rcpt[SNT_SEAL_POINT_LEN], key[32], *msg = NULL, *p;
	enum snt_sign_err rc;
	int outl;

	if (!recipient_pub || (!in && len) || !out || !out_len)
		return SNT_SIGN_ERR_INVAL;
	if (len > SNT_SEAL_MAX_PLAINTEXT)
		return SNT_SIGN_ERR_TOO_LARGE;
	rc = snt_sign_key_check(recipient_pub);
	if (rc)
		return rc;
	rc = sign__key_point(recipient_pub, rcpt);
	if (rc)
		return rc;
	msg = malloc(len + SNT_SEAL_OVERHEAD);
	if (!msg)
		return SNT_SIGN_ERR_NOMEM;
	rc = snt_sign_key_generate(&eph);
	if (rc)
		goto out;
	memcpy(msg, SNT_SEAL_MAGIC, SNT_SEAL_MAGIC_LEN);
	rc = sign__key_point(eph, msg + SNT_SEAL_MAGIC_LEN);
	if (rc)
		goto out;
	rc = sign__seal_key(eph, recipient_pub, msg + SNT_SEAL_MAGIC_LEN, rcpt, key, 0);
	if (rc)
		goto out;
	rc = SNT_SIGN_ERR_CRYPTO;
	p = msg + SNT_SEAL_AAD_LEN;
	if (RAND_bytes(p, SNT_SEAL_NONCE_LEN) != 1)
		goto out;
	cctx = EVP_CIPHER_CTX_new();
	if (!cctx) {
		rc = SNT_SIGN_ERR_NOMEM;
		goto out;
	}
	if (EVP_EncryptInit_ex(cctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_GCM_SET_IVLEN, SNT_SEAL_NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(cctx, NULL, NULL, key, p) != 1 ||
	    EVP_EncryptUpdate(cctx, NULL, &outl, msg, SNT_SEAL_AAD_LEN) != 1)
		goto out;
	p += SNT_SEAL_NONCE_LEN;
	if (len && EVP_EncryptUpdate(cctx, p, &outl, in, (int)len) != 1)
		goto out;
	if (EVP_EncryptFinal_ex(cctx, p + len, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(cctx, EVP_CTRL_GCM_GET_TAG, SNT_SEAL_TAG_LEN, p + len) != 1)
		goto out;
	rc = SNT_SIGN_OK;
	*out = msg;
	*out_len = len + SNT_SEAL_OVERHEAD;
	msg = NULL;
out:
	if (rc)
		ERR_clear_error();
	OPENSSL_cleanse(key, sizeof(key));
	EVP_CIPHER_CTX_free(cctx);
	EVP_PKEY_free(eph);
	free(msg);
	return rc;
}

/*
 * Decrypt the sealed message @in (@len bytes, checked at least
 * SNT_SEAL_OVERHEAD) into @plain (len - SNT_SEAL_OVERHEAD bytes; may be the
 * ciphertext's own place, in + SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN: the
 * cipher works in place).  @plain holds nothing usable unless SNT_SIGN_OK.
 */
static enum snt_sign_err unseal_to(EVP_PKEY *recipient_priv, const uint8_t *in, size_t len, uint8_t *plain)
{
	struct snt_unseal_stream *s = NULL;
	size_t ct_len = len - SNT_SEAL_OVERHEAD;
	uint8_t tag[SNT_SEAL_TAG_LEN];
	enum snt_sign_err rc;

	/* One piece of the stream (sign_stream.c). */
	memcpy(tag, in + SNT_SEAL_HEAD_LEN + ct_len, SNT_SEAL_TAG_LEN);
	rc = snt_unseal_stream_begin(recipient_priv, in, len, &s);
	if (!rc)
		rc = snt_unseal_stream_update(s, in + SNT_SEAL_HEAD_LEN, ct_len, plain);
	if (!rc)
		rc = snt_unseal_stream_final(s, tag);
	snt_unseal_stream_free(s);
	return rc;
}

/* The checks every unseal makes before decrypting. */
enum snt_sign_err sign__unseal_check(EVP_PKEY *recipient_priv, size_t len)
{
	enum snt_sign_err rc = snt_sign_key_check(recipient_priv);

	if (rc)
		return rc;
	if (!sign__has_private(recipient_priv))
		return SNT_SIGN_ERR_INVAL;
	if (len < SNT_SEAL_OVERHEAD)
		return SNT_SIGN_ERR_TOO_SHORT;
	if (len - SNT_SEAL_OVERHEAD > SNT_SEAL_MAX_PLAINTEXT)
		return SNT_SIGN_ERR_TOO_LARGE;
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_unseal(EVP_PKEY *recipient_priv, const uint8_t *in, size_t len, uint8_t **out,
			     size_t *out_len)
{
	uint8_t *plain;
	size_t ct_len;
	enum snt_sign_err rc;

	if (!recipient_priv || !in || !out || !out_len)
		return SNT_SIGN_ERR_INVAL;
	rc = sign__unseal_check(recipient_priv, len);
	if (rc)
		return rc;
	ct_len = len - SNT_SEAL_OVERHEAD;
	plain = malloc(ct_len ? ct_len : 1);
	if (!plain)
		return SNT_SIGN_ERR_NOMEM;
	rc = unseal_to(recipient_priv, in, len, plain);
	if (rc) {
		OPENSSL_cleanse(plain, ct_len);
		free(plain);
		return rc;
	}
	*out = plain;
	*out_len = ct_len;
	return SNT_SIGN_OK;
}

enum snt_sign_err snt_unseal_inplace(EVP_PKEY *recipient_priv, uint8_t *buf, size_t len, uint8_t **out,
				     size_t *out_len)
{
	uint8_t *plain;
	enum snt_sign_err rc;

	if (!recipient_priv || !buf || !out || !out_len)
		return SNT_SIGN_ERR_INVAL;
	rc = sign__unseal_check(recipient_priv, len);
	if (rc)
		return rc;
	plain = buf + SNT_SEAL_AAD_LEN + SNT_SEAL_NONCE_LEN;
	rc = unseal_to(recipient_priv, buf, len, plain);
	if (rc) {
		if (rc != SNT_SIGN_ERR_MAGIC && rc != SNT_SIGN_ERR_POINT)
			OPENSSL_cleanse(plain, len - SNT_SEAL_OVERHEAD);	/* nothing unauthenticated left */
		return rc;
	}
	*out = plain;
	*out_len = len - SNT_SEAL_OVERHEAD;
	return SNT_SIGN_OK;
}

static const char *const err_text[] = {
	[SNT_SIGN_OK] = N_("success"),
	[SNT_SIGN_ERR_INVAL] = N_("invalid argument"),
	[SNT_SIGN_ERR_NOMEM] = N_("out of memory"),
	[SNT_SIGN_ERR_CRYPTO] = N_("cryptographic library failure"),
	[SNT_SIGN_ERR_OPEN] = N_("cannot open the key file"),
	[SNT_SIGN_ERR_NOTREG] = N_("not a regular file"),
	[SNT_SIGN_ERR_READ] = N_("cannot read the key file (I/O error or larger than 64 KiB)"),
	[SNT_SIGN_ERR_EXISTS] = N_("file exists (refusing to overwrite)"),
	[SNT_SIGN_ERR_WRITE] = N_("cannot write the key file"),
	[SNT_SIGN_ERR_NOT_PEM] = N_("no PEM key of the expected kind"),
	[SNT_SIGN_ERR_NOT_EC] = N_("not an elliptic-curve key"),
	[SNT_SIGN_ERR_NOT_P256] = N_("not a P-256 key"),
	[SNT_SIGN_ERR_NOT_COSE] = N_("not COSE_Sign1 as sentinel signs it"),
	[SNT_SIGN_ERR_ALG] = N_("COSE_Sign1 algorithm is not ES256"),
	[SNT_SIGN_ERR_KID] = N_("signed by another key (kid does not match)"),
	[SNT_SIGN_ERR_SIGNATURE] = N_("signature does not verify"),
	[SNT_SIGN_ERR_TOO_LARGE] = N_("too large (more than 256 MiB)"),
	[SNT_SIGN_ERR_TOO_SHORT] = N_("sealed message too short"),
	[SNT_SIGN_ERR_MAGIC] = N_("not a sealed message (bad magic)"),
	[SNT_SIGN_ERR_POINT] = N_("sealed message has an invalid ephemeral key"),
	[SNT_SIGN_ERR_AUTH] = N_("authentication failed (wrong key or altered data)"),
};

const char *snt_sign_strerror(enum snt_sign_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}
