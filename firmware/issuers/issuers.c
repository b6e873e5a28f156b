// SPDX-License-Identifier: MIT
/*
 * The bureau's signed issuer list of a home (issuers.h): encoding and
 * signing, strict decoding, atomic installation, and the check of a badge
 * or pass against it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cbor.h>
#include <openssl/crypto.h>

#include "codes/codes.h"
#include "common/i18n.h"
#include "cose/cose.h"
#include "issuers/issuers.h"

#define TYPE "issuers"

static const char *const errors[] = {
	[SNT_ISSUERS_OK] = N_("success"),
	[SNT_ISSUERS_ERR_INVAL] = N_("invalid argument"),
	[SNT_ISSUERS_ERR_NOMEM] = N_("out of memory"),
	[SNT_ISSUERS_ERR_NONE] = N_("no issuer list installed"),
	[SNT_ISSUERS_ERR_IO] = N_("cannot read or write the issuer list"),
	[SNT_ISSUERS_ERR_TOO_LARGE] = N_("the issuer list is too large"),
	[SNT_ISSUERS_ERR_SIGNATURE] = N_("not signed by the bureau's key"),
	[SNT_ISSUERS_ERR_PAYLOAD] = N_("not a valid issuer list"),
	[SNT_ISSUERS_ERR_OLD] = N_("not newer than the installed issuer list"),
	[SNT_ISSUERS_ERR_ELSEWHERE] = N_("addressed to another home"),
	[SNT_ISSUERS_ERR_REVOKED] = N_("signed by a revoked gate"),
	[SNT_ISSUERS_ERR_CREDENTIAL] = N_("the badge or pass does not verify"),
};

const char *snt_issuers_strerror(enum snt_issuers_err err)
{
	return snt_table_msg(errors, SNT_ARRAY_SIZE(errors), err, N_("unknown error"));
}

static bool device_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= SNT_ISSUERS_DEVICE_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

static bool text_valid(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n >= 1 && n < max && snt_code_is_text((const uint8_t *)s, n);
}

/* @k's pem to a key and its kid; the key into *@key (may be NULL: freed). */
static enum snt_issuers_err key_of(const struct snt_issuers_key *k, const char *field, size_t i, EVP_PKEY **key,
				   uint8_t kid[SNT_SIGN_KID_LEN], char *err, size_t errlen)
{
	EVP_PKEY *p = NULL;
	enum snt_sign_err se;

	se = snt_sign_key_public_from_pem(k->pem, strnlen(k->pem, sizeof(k->pem)), &p);
	if (se == SNT_SIGN_ERR_NOMEM)
		return SNT_ISSUERS_ERR_NOMEM;
	if (se)
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].key': %s"), field, i,
				snt_sign_strerror(se));
	se = snt_sign_key_kid(p, kid);
	if (se) {
		EVP_PKEY_free(p);
		return se == SNT_SIGN_ERR_NOMEM ? SNT_ISSUERS_ERR_NOMEM :
		       SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].key': %s"), field, i,
				snt_sign_strerror(se));
	}
	if (key)
		*key = p;
	else
		EVP_PKEY_free(p);
	return SNT_ISSUERS_OK;
}

/* Every kid of @list once (the kids filled in). */
static enum snt_issuers_err check_kids(const struct snt_issuers *list, char *err, size_t errlen)
{
	const size_t n = list->n_gates + list->n_revoked;

	for (size_t i = 0; i < n; i++) {
		const struct snt_issuers_key *a = i < list->n_gates ? &list->gates[i] : &list->revoked[i - list->n_gates];

		for (size_t j = 0; j < i; j++) {
			const struct snt_issuers_key *b =
				j < list->n_gates ? &list->gates[j] : &list->revoked[j - list->n_gates];

			if (!memcmp(a->kid, b->kid, SNT_SIGN_KID_LEN))
				return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen,
						_("field '%s': the key of device '%s' is listed twice"),
						/* i18n-exempt: field names */
						i < list->n_gates ? "gates" : "revoked", a->device);
		}
	}
	return SNT_ISSUERS_OK;
}

/* ---- encoding ---- */

#define PAIR(m, k, v) ok = ok && cbor_map_add((m), (struct cbor_pair){ .key = cbor_move(cbor_build_string(k)), \
								       .value = cbor_move(v) })

static cbor_item_t *key_map(const struct snt_issuers_key *k, const uint8_t kid[SNT_SIGN_KID_LEN], bool revoked)
{
	cbor_item_t *m = cbor_new_definite_map(revoked ? 5 : 3);
	bool ok = m != NULL;

	PAIR(m, "device", cbor_build_string(k->device));
	PAIR(m, "kid", cbor_build_bytestring(kid, SNT_SIGN_KID_LEN));
	PAIR(m, "key", cbor_build_string(k->pem));
	if (revoked) {
		PAIR(m, "at", cbor_build_uint64((uint64_t)k->revoked_ms));
		PAIR(m, "reason", cbor_build_string(k->reason));
	}
	if (!ok && m)
		cbor_decref(&m);
	return ok ? m : NULL;
}

static enum snt_issuers_err check_entry(const struct snt_issuers_key *k, const char *field, size_t i, bool revoked,
					char *err, size_t errlen)
{
	if (!device_valid(k->device))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].device': not 1-63 printable ASCII"),
				field, i);
	if (revoked && (k->revoked_ms < 0 || !text_valid(k->reason, SNT_ISSUERS_REASON_LEN)))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen,
				_("field '%s[%zu]': 'at' not a time, or 'reason' not 1-255 bytes of text"), field, i);
	return SNT_ISSUERS_OK;
}

enum snt_issuers_err snt_issuers_sign(EVP_PKEY *key, const struct snt_issuers *list, uint8_t **out,
				      size_t *out_len, char *err, size_t errlen)
{
	struct snt_issuers *copy = NULL;
	cbor_item_t *root = NULL, *gates = NULL, *revoked = NULL;
	enum snt_issuers_err e;
	unsigned char *payload = NULL;
	size_t plen = 0, cap = 0;
	bool ok = true;

	if (!key || !list || !out || !out_len)
		return SNT_ISSUERS_ERR_INVAL;
	if (!text_valid(list->home, SNT_RULES_HOME_LEN))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field 'home': not 1-127 bytes of text"));
	if (list->version < 1 || list->version > INT64_MAX)
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field 'version': not 1 or more"));
	if (list->issued_ms < 0)
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field 'issued': before 1970"));
	if (list->n_gates > SNT_ISSUERS_MAX_GATES || list->n_revoked > SNT_ISSUERS_MAX_REVOKED)
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, P_("more than %d gates or %d revoked keys", "more than %d gates or %d revoked keys", SNT_ISSUERS_MAX_GATES),
				SNT_ISSUERS_MAX_GATES, SNT_ISSUERS_MAX_REVOKED);
	copy = malloc(sizeof(*copy));
	if (!copy)
		return SNT_ISSUERS_ERR_NOMEM;
	memcpy(copy, list, sizeof(*copy));
	for (size_t i = 0; i < copy->n_gates + copy->n_revoked; i++) {
		bool rv = i >= copy->n_gates;
		struct snt_issuers_key *k = rv ? &copy->revoked[i - copy->n_gates] : &copy->gates[i];
		const char *f = rv ? "revoked" : "gates";
		size_t at = rv ? i - copy->n_gates : i;

		k->key = NULL;
		e = check_entry(k, f, at, rv, err, errlen);
		if (!e)
			e = key_of(k, f, at, NULL, k->kid, err, errlen);
		if (e)
			goto out;
	}
	e = check_kids(copy, err, errlen);
	if (e)
		goto out;
	root = cbor_new_definite_map(7);
	gates = cbor_new_definite_array(copy->n_gates);
	revoked = cbor_new_definite_array(copy->n_revoked);
	ok = root && gates && revoked;
	for (size_t i = 0; ok && i < copy->n_gates; i++) {
		cbor_item_t *m = key_map(&copy->gates[i], copy->gates[i].kid, false);

		ok = m && cbor_array_push(gates, cbor_move(m));
	}
	for (size_t i = 0; ok && i < copy->n_revoked; i++) {
		cbor_item_t *m = key_map(&copy->revoked[i], copy->revoked[i].kid, true);

		ok = m && cbor_array_push(revoked, cbor_move(m));
	}
	PAIR(root, "type", cbor_build_string(TYPE));
	PAIR(root, "v", cbor_build_uint8(1));
	PAIR(root, "home", cbor_build_string(copy->home));
	PAIR(root, "version", cbor_build_uint64(copy->version));
	PAIR(root, "issued", cbor_build_uint64((uint64_t)copy->issued_ms));
	ok = ok && cbor_map_add(root, (struct cbor_pair){ .key = cbor_move(cbor_build_string("gates")), .value = gates });
	ok = ok && cbor_map_add(root, (struct cbor_pair){ .key = cbor_move(cbor_build_string("revoked")),
							   .value = revoked });
	if (ok)
		plen = cbor_serialize_alloc(root, &payload, &cap);
	e = ok && plen ? SNT_ISSUERS_OK : SNT_ISSUERS_ERR_NOMEM;
	if (!e && plen > SNT_ISSUERS_MAX - 256)
		e = SNT_FAIL(SNT_ISSUERS_ERR_TOO_LARGE, err, errlen, P_("the list is over %d bytes", "the list is over %d bytes", SNT_ISSUERS_MAX), SNT_ISSUERS_MAX);
	if (!e && snt_sign1_es256(key, payload, plen, out, out_len))
		e = SNT_FAIL(SNT_ISSUERS_ERR_SIGNATURE, err, errlen, _("cannot sign the issuer list with this key"));
out:
	if (gates)
		cbor_decref(&gates);
	if (revoked)
		cbor_decref(&revoked);
	if (root)
		cbor_decref(&root);
	free(payload);
	free(copy);
	return e;
}

#undef PAIR

void snt_issuers_free(struct snt_issuers *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n_gates; i++)
		EVP_PKEY_free(list->gates[i].key);
	for (size_t i = 0; i < list->n_revoked; i++)
		EVP_PKEY_free(list->revoked[i].key);
	free(list);
}

/* ---- decoding ---- */

/* Whether pair @p's key is the text @name. */
static bool key_is(const struct cbor_pair *p, const char *name)
{
	size_t n = strlen(name);

	return cbor_isa_string(p->key) && cbor_string_is_definite(p->key) && cbor_string_length(p->key) == n &&
	       !memcmp(cbor_string_handle(p->key), name, n);
}

/* A map of exactly @keys in order. */
static bool map_of(const cbor_item_t *m, const char *const *keys, size_t n)
{
	struct cbor_pair *p;

	if (!cbor_isa_map(m) || !cbor_map_is_definite(m) || cbor_map_size(m) != n)
		return false;
	p = cbor_map_handle(m);
	for (size_t i = 0; i < n; i++)
		if (!key_is(&p[i], keys[i]))
			return false;
	return true;
}

static int get_ms(const cbor_item_t *v, int64_t *out)
{
	return cbor_isa_uint(v) && !snt_cose_cbor_int(v, out) && *out >= 0 ? 0 : -1;
}

static enum snt_issuers_err decode_key(const cbor_item_t *m, const char *field, size_t i, bool revoked,
				       struct snt_issuers_key *k, char *err, size_t errlen)
{
	static const char *const keys[] = { "device", "kid", "key", "at", "reason" };
	struct cbor_pair *p;
	uint8_t kid[SNT_SIGN_KID_LEN];
	enum snt_issuers_err e;

	if (!map_of(m, keys, revoked ? 5 : 3))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu]': not a map of exactly %s"), field,
				/* i18n-exempt: key names */
				i, revoked ? "device, kid, key, at, reason" : "device, kid, key");
	p = cbor_map_handle(m);
	if (snt_cose_cbor_text_copy(p[0].value, k->device, sizeof(k->device)) || !device_valid(k->device))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].device': not 1-63 printable ASCII"),
				field, i);
	if (!cbor_isa_bytestring(p[1].value) || !cbor_bytestring_is_definite(p[1].value) ||
	    cbor_bytestring_length(p[1].value) != SNT_SIGN_KID_LEN)
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].kid': not a byte string of 8 bytes"),
				field, i);
	memcpy(k->kid, cbor_bytestring_handle(p[1].value), SNT_SIGN_KID_LEN);
	if (snt_cose_cbor_text_copy(p[2].value, k->pem, sizeof(k->pem)))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, P_("field '%s[%zu].key': not PEM text of at most %d bytes", "field '%s[%zu].key': not PEM text of at most %d bytes", SNT_ISSUERS_PEM_LEN - 1),
				field, i, SNT_ISSUERS_PEM_LEN - 1);
	e = key_of(k, field, i, &k->key, kid, err, errlen);
	if (e)
		return e;
	if (memcmp(kid, k->kid, SNT_SIGN_KID_LEN))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].kid': not the kid of its key"), field, i);
	if (!revoked)
		return SNT_ISSUERS_OK;
	if (get_ms(p[3].value, &k->revoked_ms))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].at': not ms since the epoch"), field, i);
	if (snt_cose_cbor_text_copy(p[4].value, k->reason, sizeof(k->reason)) ||
	    !text_valid(k->reason, SNT_ISSUERS_REASON_LEN))
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s[%zu].reason': not 1-255 bytes of text"),
				field, i);
	return SNT_ISSUERS_OK;
}

static enum snt_issuers_err decode_keys(const cbor_item_t *a, const char *field, size_t max, bool revoked,
					struct snt_issuers_key *keys, size_t *n, char *err, size_t errlen)
{
	cbor_item_t **items;

	if (!cbor_isa_array(a) || !cbor_array_is_definite(a) || cbor_array_size(a) > max)
		return SNT_FAIL(SNT_ISSUERS_ERR_PAYLOAD, err, errlen, _("field '%s': not an array of at most %zu"), field, max);
	items = cbor_array_handle(a);
	for (size_t i = 0; i < cbor_array_size(a); i++) {
		enum snt_issuers_err e = decode_key(items[i], field, i, revoked, &keys[i], err, errlen);

		*n = i + 1;	/* so that snt_issuers_free() frees the key of a refused entry too */
		if (e)
			return e;
	}
	return SNT_ISSUERS_OK;
}

static enum snt_issuers_err decode(const uint8_t *buf, size_t len, struct snt_issuers *list, char *err,
				   size_t errlen)
{
	static const char *const keys[] = { "type", "v", "home", "version", "issued", "gates", "revoked" };
	enum snt_issuers_err e = SNT_ISSUERS_ERR_PAYLOAD;
	cbor_item_t *root = snt_cose_cbor_load(buf, len);
	struct cbor_pair *p;
	char type[16];
	int64_t v;

	if (!root)
		return SNT_FAIL(e, err, errlen, _("not one CBOR map"));
	if (!map_of(root, keys, SNT_ARRAY_SIZE(keys))) {
		snt_msg(err, errlen, _("not a map of exactly the keys type, v, home, version, issued, gates, revoked"));
		goto out;
	}
	p = cbor_map_handle(root);
	if (snt_cose_cbor_text_copy(p[0].value, type, sizeof(type)) || strcmp(type, TYPE)) {
		snt_msg(err, errlen, _("field 'type': not \"issuers\""));
		goto out;
	}
	if (!cbor_isa_uint(p[1].value) || snt_cose_cbor_int(p[1].value, &v) || v != 1) {
		snt_msg(err, errlen, _("field 'v': not 1"));
		goto out;
	}
	if (snt_cose_cbor_text_copy(p[2].value, list->home, sizeof(list->home)) ||
	    !text_valid(list->home, SNT_RULES_HOME_LEN)) {
		snt_msg(err, errlen, _("field 'home': not text of 1-127 bytes"));
		goto out;
	}
	if (!cbor_isa_uint(p[3].value) || snt_cose_cbor_int(p[3].value, &v) || v < 1) {
		snt_msg(err, errlen, _("field 'version': not an integer of 1 or more"));
		goto out;
	}
	list->version = (uint64_t)v;
	if (get_ms(p[4].value, &list->issued_ms)) {
		snt_msg(err, errlen, _("field 'issued': not ms since the epoch"));
		goto out;
	}
	e = decode_keys(p[5].value, "gates", SNT_ISSUERS_MAX_GATES, false, list->gates, &list->n_gates, err, errlen);
	if (!e)
		e = decode_keys(p[6].value, "revoked", SNT_ISSUERS_MAX_REVOKED, true, list->revoked, &list->n_revoked,
				err, errlen);
	if (!e)
		e = check_kids(list, err, errlen);
out:
	cbor_decref(&root);
	return e;
}

enum snt_issuers_err snt_issuers_open(const uint8_t *buf, size_t len, EVP_PKEY *pub, struct snt_issuers **out,
				      char *err, size_t errlen)
{
	struct snt_issuers *list;
	enum snt_issuers_err e;
	enum snt_sign_err se;
	uint8_t *payload = NULL;
	size_t plen = 0;

	if (!buf || !pub || !out)
		return SNT_ISSUERS_ERR_INVAL;
	*out = NULL;
	if (len > SNT_ISSUERS_MAX)
		return SNT_FAIL(SNT_ISSUERS_ERR_TOO_LARGE, err, errlen, P_("%zu bytes, over %d", "%zu bytes, over %d", len), len, SNT_ISSUERS_MAX);
	se = snt_sign1_open(buf, len, pub, &payload, &plen);
	if (se == SNT_SIGN_ERR_NOMEM)
		return SNT_ISSUERS_ERR_NOMEM;
	if (se)
		return SNT_FAIL(SNT_ISSUERS_ERR_SIGNATURE, err, errlen, "%s", snt_sign_strerror(se));
	list = calloc(1, sizeof(*list));
	if (!list) {
		free(payload);
		return SNT_ISSUERS_ERR_NOMEM;
	}
	e = decode(payload, plen, list, err, errlen);
	free(payload);
	if (e) {
		snt_issuers_free(list);
		return e;
	}
	*out = list;
	return SNT_ISSUERS_OK;
}

/* ---- installed lists ---- */

enum snt_issuers_err snt_issuers_load(const char *dir, EVP_PKEY *pub, const char *home, struct snt_issuers **out,
				      char *err, size_t errlen)
{
	struct snt_issuers *list = NULL;
	enum snt_issuers_err e;
	char path[4096];
	uint8_t *buf;
	size_t len;
	int rc;

	if (!dir || !pub || !home || !out)
		return SNT_ISSUERS_ERR_INVAL;
	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, SNT_ISSUERS_FILE) >= sizeof(path))
		return SNT_FAIL(SNT_ISSUERS_ERR_INVAL, err, errlen, _("%s: path too long"), dir);
	rc = snt_read_file(path, SNT_ISSUERS_MAX, &buf, &len);
	if (rc == ENOENT)
		return SNT_ISSUERS_ERR_NONE;
	if (rc)
		return SNT_FAIL(rc == SNT_ETOOBIG ? SNT_ISSUERS_ERR_TOO_LARGE : SNT_ISSUERS_ERR_IO, err, errlen, "%s: %s",
				path, snt_open_strerror(rc));
	e = snt_issuers_open(buf, len, pub, &list, err, errlen);
	free(buf);
	if (e)
		return e;
	if (strcmp(list->home, home)) {
		e = SNT_FAIL(SNT_ISSUERS_ERR_ELSEWHERE, err, errlen, _("addressed to home '%s', this gate's home is '%s'"),
			     list->home, home);
		snt_issuers_free(list);
		return e;
	}
	*out = list;
	return SNT_ISSUERS_OK;
}

enum snt_issuers_err snt_issuers_install(const char *dir, EVP_PKEY *pub, const char *home, const uint8_t *buf,
					 size_t len, struct snt_issuers_install_result *res, char *err,
					 size_t errlen)
{
	struct snt_issuers *list = NULL, *old = NULL;
	enum snt_issuers_err e;
	char path[4096];
	int rc;

	if (!dir || !pub || !home || !buf || !res)
		return SNT_ISSUERS_ERR_INVAL;
	memset(res, 0, sizeof(*res));
	e = snt_issuers_open(buf, len, pub, &list, err, errlen);
	if (e)
		return e;
	if (strcmp(list->home, home)) {
		e = SNT_FAIL(SNT_ISSUERS_ERR_ELSEWHERE, err, errlen, _("addressed to home '%s', this gate's home is '%s'"),
			     list->home, home);
		goto out;
	}
	/* The installed one: not verifying, or another home's, counts as none. */
	if (snt_issuers_load(dir, pub, home, &old, NULL, 0) == SNT_ISSUERS_OK)
		res->previous = old->version;
	if (list->version <= res->previous) {
		e = SNT_FAIL(SNT_ISSUERS_ERR_OLD, err, errlen, _("version %llu is not newer than the installed version %llu"),
			     (unsigned long long)list->version, (unsigned long long)res->previous);
		goto out;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, SNT_ISSUERS_FILE) >= sizeof(path)) {
		e = SNT_FAIL(SNT_ISSUERS_ERR_INVAL, err, errlen, _("%s: path too long"), dir);
		goto out;
	}
	rc = snt_write_atomic(path, buf, len, 0644);
	if (rc) {
		errno = rc;
		e = SNT_FAIL(SNT_ISSUERS_ERR_IO, err, errlen, "%s: %s", path, strerror(rc));
		goto out;
	}
	res->version = list->version;
	res->n_gates = list->n_gates;
	res->n_revoked = list->n_revoked;
out:
	snt_issuers_free(old);
	snt_issuers_free(list);
	return e;
}

/* ---- badges and passes ---- */

static const struct snt_issuers_key *find(const struct snt_issuers_key *keys, size_t n,
					  const uint8_t kid[SNT_SIGN_KID_LEN])
{
	for (size_t i = 0; i < n; i++)
		if (!CRYPTO_memcmp(keys[i].kid, kid, SNT_SIGN_KID_LEN))
			return &keys[i];
	return NULL;
}

static bool kid_is(EVP_PKEY *key, const uint8_t kid[SNT_SIGN_KID_LEN])
{
	uint8_t k[SNT_SIGN_KID_LEN];

	return key && snt_sign_key_kid(key, k) == SNT_SIGN_OK && !CRYPTO_memcmp(k, kid, SNT_SIGN_KID_LEN);
}

enum snt_issuers_err snt_issuers_credential_open(const struct snt_issuers *list, EVP_PKEY *bureau_pub, EVP_PKEY *own,
						 const uint8_t *bytes, size_t len, struct snt_credential *out,
						 struct snt_issuers_signer *who, char *err, size_t errlen)
{
	const struct snt_issuers_key *gate = NULL, *gone = NULL;
	struct snt_issuers_signer w;
	enum snt_rules_err re;
	EVP_PKEY *key = bureau_pub;
	char why[256] = "";

	if (!bytes || !bureau_pub || !out)
		return SNT_ISSUERS_ERR_INVAL;
	memset(&w, 0, sizeof(w));
	re = snt_credential_kid(bytes, len, w.kid);
	if (re == SNT_RULES_ERR_NOMEM)
		return SNT_ISSUERS_ERR_NOMEM;
	/* Without a kid the bureau's key is tried: its refusal names what is wrong. */
	if (re == SNT_RULES_OK && !kid_is(bureau_pub, w.kid)) {
		if (list) {
			gate = find(list->gates, list->n_gates, w.kid);
			gone = find(list->revoked, list->n_revoked, w.kid);
		}
		if (gone) {
			key = gone->key;
			w.by = SNT_ISSUERS_BY_REVOKED;
			w.revoked_ms = gone->revoked_ms;
			snt_strlcpy(w.reason, gone->reason, sizeof(w.reason));
		} else if (gate) {
			key = gate->key;
			w.by = SNT_ISSUERS_BY_GATE;
		} else if (kid_is(own, w.kid)) {
			key = own;
			w.by = SNT_ISSUERS_BY_SELF;
		}
		if (gone || gate)
			snt_strlcpy(w.device, (gone ? gone : gate)->device, sizeof(w.device));
	}
	re = snt_credential_open(bytes, len, key, out, why, sizeof(why));
	if (re == SNT_RULES_ERR_NOMEM)
		return SNT_ISSUERS_ERR_NOMEM;
	if (re)
		return SNT_FAIL(SNT_ISSUERS_ERR_CREDENTIAL, err, errlen, "%s", why[0] ? why : snt_rules_strerror(re));
	if (who)
		*who = w;
	if (w.by != SNT_ISSUERS_BY_BUREAU && out->kind == SNT_CREDENTIAL_BADGE)
		return SNT_FAIL(SNT_ISSUERS_ERR_CREDENTIAL, err, errlen,
				_("a staff badge signed by a gate's key: badges are signed by the bureau alone"));
	if (w.by == SNT_ISSUERS_BY_REVOKED)
		return SNT_FAIL(SNT_ISSUERS_ERR_REVOKED, err, errlen, _("signed by gate '%s', whose key was revoked (%s)"),
				w.device, w.reason);
	return SNT_ISSUERS_OK;
}
