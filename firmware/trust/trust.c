// SPDX-License-Identifier: MIT
/*
 * Trust store: issuer keys by key id, from certificates, DCC trust lists,
 * DID documents and JWK sets on local disk.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "common/i18n.h"
#include "trust/trust.h"

/* A trust file larger than this is refused (a national list is ~1 MB). */
#define TRUST_FILE_MAX (16u << 20)

struct snt_trust {
	struct snt_trust_key *keys;
	size_t n, cap;
};

static const char *const trust_errors[] = {
	[SNT_TRUST_OK] = N_("ok"),
	[SNT_TRUST_ERR_INVAL] = N_("invalid argument"),
	[SNT_TRUST_ERR_NOMEM] = N_("out of memory"),
	[SNT_TRUST_ERR_IO] = N_("cannot read the trust file"),
	[SNT_TRUST_ERR_FORMAT] = N_("not a certificate, trust list, DID document or JWK set"),
	[SNT_TRUST_ERR_EMPTY] = N_("no usable key found"),
	[SNT_TRUST_ERR_FULL] = N_("too many keys"),
};

enum snt_trust_err snt_trust_new(struct snt_trust **out)
{
	if (!out)
		return SNT_TRUST_ERR_INVAL;
	*out = calloc(1, sizeof(**out));
	return *out ? SNT_TRUST_OK : SNT_TRUST_ERR_NOMEM;
}

void snt_trust_free(struct snt_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		EVP_PKEY_free(t->keys[i].pkey);
		X509_free(t->keys[i].cert);
	}
	free(t->keys);
	free(t);
}

size_t snt_trust_count(const struct snt_trust *t)
{
	return t ? t->n : 0;
}

/* Takes ownership of @pkey and @cert (freed on failure). */
static enum snt_trust_err add_key(struct snt_trust *t, const uint8_t *kid, size_t kid_len, const char *issuer,
				  EVP_PKEY *pkey, X509 *cert)
{
	struct snt_trust_key *k;

	if (t->n >= SNT_TRUST_MAX_KEYS || kid_len > SNT_TRUST_KID_MAX) {
		EVP_PKEY_free(pkey);
		X509_free(cert);
		return t->n >= SNT_TRUST_MAX_KEYS ? SNT_TRUST_ERR_FULL : SNT_TRUST_ERR_FORMAT;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct snt_trust_key *nk = realloc(t->keys, cap * sizeof(*nk));

		if (!nk) {
			EVP_PKEY_free(pkey);
			X509_free(cert);
			return SNT_TRUST_ERR_NOMEM;
		}
		t->keys = nk;
		t->cap = cap;
	}
	k = &t->keys[t->n++];
	memset(k, 0, sizeof(*k));
	memcpy(k->kid, kid, kid_len);
	k->kid_len = kid_len;
	snt_strlcpy(k->issuer, issuer ? issuer : "", sizeof(k->issuer));
	k->pkey = pkey;
	k->cert = cert;
	return SNT_TRUST_OK;
}

static enum snt_trust_err add_x509(struct snt_trust *t, X509 *cert)
{
	uint8_t *der = NULL, hash[SHA256_DIGEST_LENGTH];
	EVP_PKEY *pkey;
	int len;

	len = i2d_X509(cert, &der);
	if (len <= 0) {
		X509_free(cert);
		return SNT_TRUST_ERR_FORMAT;
	}
	SHA256(der, (size_t)len, hash);
	OPENSSL_free(der);
	pkey = X509_get_pubkey(cert);
	if (!pkey) {
		X509_free(cert);
		return SNT_TRUST_ERR_FORMAT;
	}
	/* DCC v1.3 §3.3.1: kid = first 8 bytes of SHA-256 over the DER certificate. */
	return add_key(t, hash, 8, "", pkey, cert);
}

enum snt_trust_err snt_trust_add_der(struct snt_trust *t, const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *cert;

	if (!t || !der)
		return SNT_TRUST_ERR_INVAL;
	if (len > (size_t)TRUST_FILE_MAX)
		return SNT_TRUST_ERR_FORMAT;
	cert = d2i_X509(NULL, &p, (long)len);
	if (!cert)
		return SNT_TRUST_ERR_FORMAT;
	return add_x509(t, cert);
}

const struct snt_trust_key *snt_trust_find(const struct snt_trust *t, const uint8_t *kid, size_t kid_len,
					   const char *issuer, size_t *pos)
{
	if (!t || !kid || !pos)
		return NULL;
	for (size_t i = *pos; i < t->n; i++) {
		const struct snt_trust_key *k = &t->keys[i];

		if (k->kid_len != kid_len || memcmp(k->kid, kid, kid_len))
			continue;
		if (issuer && k->issuer[0] && strcmp(issuer, k->issuer))
			continue;
		*pos = i + 1;
		return k;
	}
	*pos = t->n;
	return NULL;
}

const char *snt_trust_strerror(enum snt_trust_err err)
{
	return snt_table_msg(trust_errors, SNT_ARRAY_SIZE(trust_errors), err, N_("unknown trust error"));
}

/* base64 or base64url, with or without padding (RFC 4648 §4, §5). */
static int b64_decode(const char *in, uint8_t **out, size_t *out_len)
{
	size_t n = strlen(in), m = 0, pad;
	char *s;
	uint8_t *buf;
	int len;

	s = malloc(n + 4);
	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (c == '=' || c == '\n' || c == '\r' || c == ' ')
			continue;
		s[m++] = c;
	}
	pad = (4 - m % 4) % 4;
	if (pad == 3) {
		free(s);
		return -1;
	}
	for (size_t i = 0; i < pad; i++)
		s[m++] = '=';
	s[m] = '\0';
	buf = malloc(m / 4 * 3 + 1);
	if (!buf) {
		free(s);
		return -1;
	}
	len = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)m);
	free(s);
	if (len < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = (size_t)len - pad;
	return 0;
}

/* An EC P-256 public JWK (RFC 7518 §6.2.1) as an EVP_PKEY. */
static EVP_PKEY *jwk_pkey(const json_t *jwk)
{
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	const char *xs = json_string_value(json_object_get(jwk, "x"));
	const char *ys = json_string_value(json_object_get(jwk, "y"));
	uint8_t *x = NULL, *y = NULL, pub[65];
	size_t xl = 0, yl = 0;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!kty || !crv || !xs || !ys || strcmp(kty, "EC") || strcmp(crv, "P-256"))
		return NULL;
	if (b64_decode(xs, &x, &xl) || b64_decode(ys, &y, &yl) || xl != 32 || yl != 32)
		goto out;
	pub[0] = 0x04;
	memcpy(pub + 1, x, 32);
	memcpy(pub + 33, y, 32);
	bld = OSSL_PARAM_BLD_new();
	if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return pkey;
}

static int listed(const json_t *assertion, const char *id)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(assertion))
		return 0;
	json_array_foreach(assertion, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), id))
			return 1;
	}
	return 0;
}

static enum snt_trust_err load_did(struct snt_trust *t, const json_t *doc)
{
	const char *did = json_string_value(json_object_get(doc, "id"));
	const json_t *methods = json_object_get(doc, "verificationMethod");
	const json_t *assertion = json_object_get(doc, "assertionMethod");
	const json_t *m;
	enum snt_trust_err err;
	size_t i, added = 0;

	if (!did || !json_is_array(methods))
		return SNT_TRUST_ERR_FORMAT;
	json_array_foreach(methods, i, m) {
		const char *id = json_string_value(json_object_get(m, "id"));
		const char *frag = id ? strchr(id, '#') : NULL;
		EVP_PKEY *pkey;

		/* NZCP spec: the key must be referenced by assertionMethod. */
		if (!frag || !listed(assertion, id))
			continue;
		pkey = jwk_pkey(json_object_get(m, "publicKeyJwk"));
		if (!pkey)
			continue;
		err = add_key(t, (const uint8_t *)frag + 1, strlen(frag + 1), did, pkey, NULL);
		if (err)
			return err;
		added++;
	}
	return added ? SNT_TRUST_OK : SNT_TRUST_ERR_EMPTY;
}

static enum snt_trust_err load_jwks(struct snt_trust *t, const json_t *keys)
{
	const json_t *k;
	enum snt_trust_err err;
	size_t i, added = 0;

	json_array_foreach(keys, i, k) {
		const char *kid = json_string_value(json_object_get(k, "kid"));
		EVP_PKEY *pkey;

		if (!kid)
			continue;
		pkey = jwk_pkey(k);
		if (!pkey)
			continue;
		err = add_key(t, (const uint8_t *)kid, strlen(kid), "", pkey, NULL);
		if (err)
			return err;
		added++;
	}
	return added ? SNT_TRUST_OK : SNT_TRUST_ERR_EMPTY;
}

static enum snt_trust_err load_list(struct snt_trust *t, const json_t *list)
{
	const json_t *e;
	enum snt_trust_err err;
	size_t i, added = 0;

	json_array_foreach(list, i, e) {
		const char *raw = json_string_value(json_object_get(e, "rawData"));
		uint8_t *der;
		size_t len;

		if (!raw)
			continue;
		if (b64_decode(raw, &der, &len))
			return SNT_TRUST_ERR_FORMAT;
		err = snt_trust_add_der(t, der, len);
		free(der);
		if (err)
			return err;
		added++;
	}
	return added ? SNT_TRUST_OK : SNT_TRUST_ERR_EMPTY;
}

static enum snt_trust_err load_json(struct snt_trust *t, const char *buf, size_t len)
{
	enum snt_trust_err err = SNT_TRUST_ERR_FORMAT;
	json_t *root = json_loadb(buf, len, 0, NULL);

	if (!root)
		return SNT_TRUST_ERR_FORMAT;
	if (json_is_array(root))
		err = load_list(t, root);
	else if (json_is_array(json_object_get(root, "keys")))
		err = load_jwks(t, json_object_get(root, "keys"));
	else if (json_object_get(root, "verificationMethod"))
		err = load_did(t, root);
	json_decref(root);
	return err;
}

static enum snt_trust_err load_pem(struct snt_trust *t, const char *buf, size_t len)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	enum snt_trust_err err = SNT_TRUST_OK;
	size_t added = 0;
	X509 *cert;

	if (!bio)
		return SNT_TRUST_ERR_NOMEM;
	while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		err = add_x509(t, cert);
		if (err)
			break;
		added++;
	}
	BIO_free(bio);
	if (err)
		return err;
	return added ? SNT_TRUST_OK : SNT_TRUST_ERR_FORMAT;
}

static enum snt_trust_err load_buffer(struct snt_trust *t, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		return load_json(t, buf, len);
	if (len - i >= 10 && !memcmp(buf + i, "-----BEGIN", 10))
		return load_pem(t, buf, len);
	return snt_trust_add_der(t, (const uint8_t *)buf, len);
}

enum snt_trust_err snt_trust_load_buffer(struct snt_trust *t, const char *buf, size_t len)
{
	if (!t || (!buf && len))
		return SNT_TRUST_ERR_INVAL;
	if (!len)
		return SNT_TRUST_ERR_EMPTY;
	if (len > TRUST_FILE_MAX)
		return SNT_TRUST_ERR_FORMAT;
	return load_buffer(t, buf, len);
}

static enum snt_trust_err load_file(struct snt_trust *t, const char *path)
{
	enum snt_trust_err err;
	uint8_t *buf;
	size_t n;
	int rc = snt_read_file(path, TRUST_FILE_MAX, &buf, &n);

	if (rc == SNT_ETOOBIG)
		return SNT_TRUST_ERR_FORMAT;
	if (rc == ENOMEM)
		return SNT_TRUST_ERR_NOMEM;
	if (rc) {
		if (rc != SNT_EREAD)
			errno = rc > 0 ? rc : EINVAL;
		return SNT_TRUST_ERR_IO;
	}
	err = n ? load_buffer(t, (const char *)buf, n) : SNT_TRUST_ERR_EMPTY;
	free(buf);
	return err;
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static enum snt_trust_err load_dir(struct snt_trust *t, const char *path)
{
	struct dirent **names = NULL;
	enum snt_trust_err err = SNT_TRUST_OK;
	size_t before = t->n;
	int n;

	n = scandir(path, &names, not_hidden, name_cmp);
	if (n < 0)
		return SNT_TRUST_ERR_IO;
	for (int i = 0; i < n; i++) {
		char full[4096];
		struct stat sb;

		if (!err && (size_t)snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name) < sizeof(full) &&
		    stat(full, &sb) == 0 && S_ISREG(sb.st_mode)) {
			enum snt_trust_err e = load_file(t, full);

			/* Other files in the directory (a README) are skipped. */
			if (e == SNT_TRUST_ERR_NOMEM || e == SNT_TRUST_ERR_FULL)
				err = e;
		}
		free(names[i]);
	}
	free(names);
	if (err)
		return err;
	return t->n > before ? SNT_TRUST_OK : SNT_TRUST_ERR_EMPTY;
}

enum snt_trust_err snt_trust_load(struct snt_trust *t, const char *path)
{
	struct stat sb;

	if (!t || !path)
		return SNT_TRUST_ERR_INVAL;
	if (stat(path, &sb))
		return SNT_TRUST_ERR_IO;
	if (S_ISDIR(sb.st_mode))
		return load_dir(t, path);
	return load_file(t, path);
}
