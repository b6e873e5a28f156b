// SPDX-License-Identifier: MIT
/*
 * bundle writer: the CBOR payloads the gate and the bureau sign (formats in
 * bundle.h), written by hand in shortest form (RFC 8949 §4.2.1, with
 * snt_cose_cbor_put_head()), then signed (COSE_Sign1) and sealed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "codes/codes.h"
#include "common/i18n.h"
#include "cose/cose.h"
#include "policy/policy.h"
#include "sync/bundle.h"
#include "sync/bundle_internal.h"

/* ---- encoder ---- */

struct cb {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static uint8_t *cb_room(struct cb *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *p;

		while (cap - b->len < n) {
			if (cap > SIZE_MAX / 2) {
				b->oom = true;
				return NULL;
			}
			cap *= 2;
		}
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	return b->p + b->len;
}

static void cb_head(struct cb *b, uint8_t major, uint64_t n)
{
	uint8_t *p = cb_room(b, 9);

	if (p)
		b->len += snt_cose_cbor_put_head(p, major, n);
}

static void cb_bytes(struct cb *b, uint8_t major, const void *data, size_t n)
{
	uint8_t *p;

	cb_head(b, major, n);
	p = cb_room(b, n);
	if (p && n) {
		memcpy(p, data, n);
		b->len += n;
	}
}

static void cb_int(struct cb *b, int64_t v)
{
	if (v >= 0)
		cb_head(b, 0, (uint64_t)v);
	else
		cb_head(b, 1, (uint64_t)(-1 - v));
}

static void cb_text(struct cb *b, const char *s)
{
	cb_bytes(b, 3, s, strlen(s));
}

static void cb_null(struct cb *b)
{
	uint8_t *p = cb_room(b, 1);

	if (p) {
		*p = 0xf6;
		b->len++;
	}
}

static void cb_key(struct cb *b, const char *key)
{
	cb_text(b, key);
}

static void cb_entry(struct cb *b, const struct snt_entry *e, const char *reasons)
{
	cb_head(b, 4, e->birth_year ? BUNDLE_ENTRY_COLUMNS_BIRTH : BUNDLE_ENTRY_COLUMNS);
	cb_int(b, e->seq);
	cb_text(b, e->boot_id);
	cb_int(b, e->mono_ms);
	cb_int(b, e->time_utc_ms);
	cb_text(b, snt_clock_state_name(e->clock));
	cb_text(b, snt_person_kind_name(e->kind));
	cb_text(b, snt_code_format_name(e->format));
	cb_text(b, snt_colour_name(e->colour));
	cb_text(b, snt_verified_name(e->verified));
	if (e->has_temp)
		cb_int(b, e->temp_dc);
	else
		cb_null(b);
	cb_text(b, snt_decision_name(e->decision));
	cb_text(b, reasons);
	cb_text(b, snt_door_name(e->door));
	if (e->subject[0])
		cb_text(b, e->subject);
	else
		cb_null(b);
	if (e->payload_len)
		cb_bytes(b, 2, e->payload, e->payload_len);
	else
		cb_null(b);
	if (e->detail[0])
		cb_text(b, e->detail);
	else
		cb_null(b);
	cb_bytes(b, 2, e->prev_hash, SNT_HASH_LEN);
	cb_bytes(b, 2, e->hash, SNT_HASH_LEN);
	if (e->has_payload_hash)
		cb_bytes(b, 2, e->payload_hash, SNT_HASH_LEN);
	else
		cb_null(b);
	if (e->birth_year)
		cb_int(b, e->birth_year);
}

enum snt_bundle_err snt_bundle_manifest_fill(const char *device, enum snt_bundle_kind kind,
					     const struct snt_entry *e, size_t n, int64_t created_ms,
					     struct snt_bundle_manifest *m)
{
	if (!device || !e || !m || n == 0 || n > SNT_BUNDLE_MAX_ACCEPT || !snt_bundle_device_id_valid(device) ||
	    !snt_bundle_kind_name(kind))
		return SNT_BUNDLE_ERR_INVAL;
	memset(m, 0, sizeof(*m));
	snt_strlcpy(m->device, device, sizeof(m->device));
	m->kind = kind;
	m->first = e[0].seq;
	m->last = e[n - 1].seq;
	m->count = (int64_t)n;
	memcpy(m->prev, e[0].prev_hash, SNT_HASH_LEN);
	memcpy(m->head, e[n - 1].hash, SNT_HASH_LEN);
	m->created_ms = created_ms;
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_encode(const struct snt_bundle_manifest *m, const struct snt_entry *e, size_t n,
				      uint8_t **cbor, size_t *len, struct snt_bundle_diag *diag)
{
	return snt_bundle_encode_sealed(m, e, NULL, n, cbor, len, diag);
}

enum snt_bundle_err snt_bundle_encode_sealed(const struct snt_bundle_manifest *m, const struct snt_entry *e,
					     const struct snt_bundle_seal *s, size_t n, uint8_t **cbor,
					     size_t *len, struct snt_bundle_diag *diag)
{
	return snt_bundle_encode_records(m, e, s, NULL, n, cbor, len, diag);
}

enum snt_bundle_err snt_bundle_encode_records(const struct snt_bundle_manifest *m, const struct snt_entry *e,
					      const struct snt_bundle_seal *s, const struct snt_bundle_record *r,
					      size_t n, uint8_t **cbor, size_t *len,
					      struct snt_bundle_diag *diag)
{
	struct cb b = { 0 };
	enum snt_bundle_err rc;
	bool sealed = false, recorded = false;

	bundle__diag_clear(diag);
	if (!m || !e || !cbor || !len)
		return SNT_BUNDLE_ERR_INVAL;
	if (!snt_bundle_device_id_valid(m->device))
		return bundle__fail_field(diag, "device", _("not a valid device id"));
	if (!snt_bundle_kind_name(m->kind))
		return bundle__fail_field(diag, "kind", _("not \"regular\" or \"priority\""));
	rc = bundle__check(m, e, n, SNT_BUNDLE_MAX_ACCEPT, diag);
	if (rc)
		return rc;
	for (size_t i = 0; s && i < n; i++) {
		if (s[i].present && (s[i].epoch < 0 || s[i].epoch > SNT_FSS_EPOCH_MAX))
			return bundle__fail(diag, SNT_BUNDLE_ERR_FIELD, "seals", e[i].seq,
					    _("entry seq %" PRId64 ": seal epoch out of range"), e[i].seq);
		sealed |= s[i].present;
	}
	for (size_t i = 0; r && i < n; i++) {
		if (!r[i].sealed)
			continue;
		if (r[i].len < SNT_STORE_PERSONAL_MIN || r[i].len > SNT_STORE_PERSONAL_MAX ||
		    !snt_bundle_record_matches(&e[i], r[i].sealed, r[i].len))
			return bundle__fail(diag, SNT_BUNDLE_ERR_FIELD, "records", e[i].seq,
					    _("entry seq %" PRId64 ": personal record not of its size or digest"), e[i].seq);
		recorded = true;
	}
	cb_head(&b, 5, 11 + (sealed ? 1 : 0) + (recorded ? 1 : 0));
	cb_key(&b, "type");
	cb_text(&b, "bundle");
	cb_key(&b, "v");
	cb_int(&b, SNT_BUNDLE_VERSION);
	cb_key(&b, "device");
	cb_text(&b, m->device);
	cb_key(&b, "kind");
	cb_text(&b, snt_bundle_kind_name(m->kind));
	cb_key(&b, "first");
	cb_int(&b, m->first);
	cb_key(&b, "last");
	cb_int(&b, m->last);
	cb_key(&b, "count");
	cb_int(&b, m->count);
	cb_key(&b, "prev");
	cb_bytes(&b, 2, m->prev, SNT_HASH_LEN);
	cb_key(&b, "head");
	cb_bytes(&b, 2, m->head, SNT_HASH_LEN);
	cb_key(&b, "created");
	cb_int(&b, m->created_ms);
	cb_key(&b, "entries");
	cb_head(&b, 4, n);
	for (size_t i = 0; i < n; i++) {
		char reasons[BUNDLE_REASONS_MAX];

		if (e[i].reasons == 0)
			reasons[0] = '\0';
		else if (snt_reasons_format(e[i].reasons, ",", reasons, sizeof(reasons)) < 0) {
			free(b.p);
			return bundle__fail(diag, SNT_BUNDLE_ERR_FIELD, "reasons", e[i].seq,
				    _("entry seq %" PRId64 ": reasons out of range"), e[i].seq);
		}
		cb_entry(&b, &e[i], reasons);
	}
	if (sealed) {
		cb_key(&b, "seals");
		cb_head(&b, 4, n);
		for (size_t i = 0; i < n; i++) {
			if (!s[i].present) {
				cb_null(&b);
				continue;
			}
			cb_head(&b, 4, 2);
			cb_int(&b, s[i].epoch);
			cb_bytes(&b, 2, s[i].tag, SNT_FSS_TAG_LEN);
		}
	}
	if (recorded) {
		cb_key(&b, "records");
		cb_head(&b, 4, n);
		for (size_t i = 0; i < n; i++) {
			if (r[i].sealed)
				cb_bytes(&b, 2, r[i].sealed, r[i].len);
			else
				cb_null(&b);
		}
	}
	if (b.oom) {
		free(b.p);
		return bundle__fail(diag, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	*cbor = b.p;
	*len = b.len;
	return SNT_BUNDLE_OK;
}

enum snt_bundle_err snt_bundle_seal(EVP_PKEY *device_key, EVP_PKEY *bureau_pub, const uint8_t *cbor, size_t len,
				    uint8_t **file, size_t *file_len, struct snt_bundle_diag *diag)
{
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	enum snt_sign_err se;

	bundle__diag_clear(diag);
	if (!device_key || !bureau_pub || !cbor || !file || !file_len)
		return SNT_BUNDLE_ERR_INVAL;
	se = snt_sign1_es256(device_key, cbor, len, &cose, &cose_len);
	if (se == SNT_SIGN_ERR_NOMEM)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_NOMEM, se, _("sign"));
	if (se)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_CRYPTO, se, _("sign"));
	se = snt_seal(bureau_pub, cose, cose_len, file, file_len);
	free(cose);
	if (se == SNT_SIGN_ERR_NOMEM)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_NOMEM, se, _("seal"));
	if (se)
		return bundle__fail_sign(diag, SNT_BUNDLE_ERR_CRYPTO, se, _("seal"));
	return SNT_BUNDLE_OK;
}

static enum snt_bundle_err sign_cb(EVP_PKEY *key, struct cb *b, uint8_t **out, size_t *out_len,
				   struct snt_bundle_diag *d)
{
	enum snt_sign_err se;

	if (b->oom) {
		free(b->p);
		return bundle__fail(d, SNT_BUNDLE_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	se = snt_sign1_es256(key, b->p, b->len, out, out_len);
	free(b->p);
	if (se == SNT_SIGN_ERR_NOMEM)
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_NOMEM, se, _("sign"));
	if (se)
		return bundle__fail_sign(d, SNT_BUNDLE_ERR_CRYPTO, se, _("sign"));
	return SNT_BUNDLE_OK;
}

/* ---- acknowledgement ---- */

enum snt_bundle_err snt_bundle_ack_sign(EVP_PKEY *bureau_key, const struct snt_bundle_ack *a, uint8_t **out,
					size_t *out_len, struct snt_bundle_diag *diag)
{
	struct cb b = { 0 };

	bundle__diag_clear(diag);
	if (!bureau_key || !a || !out || !out_len || !snt_bundle_device_id_valid(a->device) || a->seq < 0 ||
	    (a->seq == 0 && memcmp(a->head, bundle__zero_hash, SNT_HASH_LEN)) || a->n_verdicts > SNT_BUNDLE_MAX_VERDICTS ||
	    (!a->verdicts && a->n_verdicts) || (!a->rules && a->rules_len) || a->rules_len > SNT_BUNDLE_MAX_ACK_RULES ||
	    (!a->trust && a->trust_len) || a->trust_len > SNT_BUNDLE_MAX_ACK_RULES ||
	    (!a->issuers && a->issuers_len) || a->issuers_len > SNT_BUNDLE_MAX_ACK_RULES)
		return SNT_BUNDLE_ERR_INVAL;
	for (size_t i = 0; i < a->n_verdicts; i++) {
		const struct snt_bundle_verdict *v = &a->verdicts[i];
		char name[SNT_BUNDLE_FIELD_LEN];

		if (v->seq < 1) {
			snprintf(name, sizeof(name), "verdicts[%zu].seq", i);
			return bundle__fail_field(diag, name, _("below 1"));
		}
		if (v->colour != SNT_COLOUR_GREEN && v->colour != SNT_COLOUR_YELLOW && v->colour != SNT_COLOUR_RED) {
			snprintf(name, sizeof(name), "verdicts[%zu].colour", i);
			return bundle__fail_field(diag, name, _("not green, yellow or red"));
		}
		if (!memchr(v->platform, '\0', sizeof(v->platform)) || !bundle__platform_valid(v->platform)) {
			snprintf(name, sizeof(name), "verdicts[%zu].platform", i);
			return bundle__fail_field(diag, name, _("not 1-32 of [a-z0-9-]"));
		}
	}
	cb_head(&b, 5, 7 + (a->rules_len ? 1 : 0) + (a->trust_len ? 1 : 0) + (a->issuers_len ? 1 : 0));
	cb_key(&b, "type");
	cb_text(&b, "ack");
	cb_key(&b, "v");
	cb_int(&b, SNT_BUNDLE_VERSION);
	cb_key(&b, "device");
	cb_text(&b, a->device);
	cb_key(&b, "seq");
	cb_int(&b, a->seq);
	cb_key(&b, "head");
	cb_bytes(&b, 2, a->head, SNT_HASH_LEN);
	cb_key(&b, "time");
	cb_int(&b, a->time_ms);
	cb_key(&b, "verdicts");
	cb_head(&b, 4, a->n_verdicts);
	for (size_t i = 0; i < a->n_verdicts; i++) {
		cb_head(&b, 5, 3);
		cb_key(&b, "seq");
		cb_int(&b, a->verdicts[i].seq);
		cb_key(&b, "colour");
		cb_text(&b, snt_colour_name(a->verdicts[i].colour));
		cb_key(&b, "platform");
		cb_text(&b, a->verdicts[i].platform);
	}
	if (a->rules_len) {
		cb_key(&b, "rules");
		cb_bytes(&b, 2, a->rules, a->rules_len);
	}
	if (a->trust_len) {
		cb_key(&b, "trust");
		cb_bytes(&b, 2, a->trust, a->trust_len);
	}
	if (a->issuers_len) {
		cb_key(&b, "issuers");
		cb_bytes(&b, 2, a->issuers, a->issuers_len);
	}
	return sign_cb(bureau_key, &b, out, out_len, diag);
}

/* ---- signed time ---- */

enum snt_bundle_err snt_bundle_time_sign(EVP_PKEY *bureau_key, const char *device, int64_t time_ms,
					 uint8_t **out, size_t *out_len, struct snt_bundle_diag *diag)
{
	struct cb b = { 0 };

	bundle__diag_clear(diag);
	if (!bureau_key || !out || !out_len || !snt_bundle_device_id_valid(device))
		return SNT_BUNDLE_ERR_INVAL;
	cb_head(&b, 5, 4);
	cb_key(&b, "type");
	cb_text(&b, "time");
	cb_key(&b, "v");
	cb_int(&b, SNT_BUNDLE_VERSION);
	cb_key(&b, "device");
	cb_text(&b, device);
	cb_key(&b, "time");
	cb_int(&b, time_ms);
	return sign_cb(bureau_key, &b, out, out_len, diag);
}
