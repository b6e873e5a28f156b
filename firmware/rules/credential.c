// SPDX-License-Identifier: MIT
/*
 * Staff badges and visit passes ("SNB1:" + base45 of a COSE_Sign1 by the
 * bureau), and the bureau's encoders for them and for rule sets (rules.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "common/i18n.h"
#include "cose/cose.h"
#include "rules/rules.h"
#include "rules/rules_internal.h"
#include "sign/sign.h"

#define MAX_TIME_MS 253402300799999LL	/* 9999-12-31T23:59:59.999Z */
#define PREFIX_LEN (sizeof(SNT_CREDENTIAL_PREFIX) - 1)


bool snt_credential_is(const uint8_t *bytes, size_t len)
{
	return bytes && len >= PREFIX_LEN && !memcmp(bytes, SNT_CREDENTIAL_PREFIX, PREFIX_LEN);
}

static int get_time(const cbor_item_t *item, int64_t *out)
{
	uint64_t v;

	if (!item || !cbor_isa_uint(item))
		return -1;
	v = cbor_get_int(item);
	if (v > (uint64_t)MAX_TIME_MS)
		return -1;
	*out = (int64_t)v;
	return 0;
}

static bool printable_ascii(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

static bool masked_name(const char *s)
{
	return *s && snt_code_is_text((const uint8_t *)s, strlen(s));
}

enum ckey {
	CK_TYPE, CK_V, CK_HOME, CK_GATES, CK_REF, CK_ID, CK_VISITOR, CK_FROM, CK_UNTIL, CK_USES, CK_ISSUED, CK_CARD,
	CK_COUNT
};

static const char *const ckey_names[CK_COUNT] = {
	"type", "v", "home", "gates", "ref", "id", "visitor", "from", "until", "uses", "issued", "card",
};

/* The keys each kind must have (and may have: "gates"). */
static const unsigned badge_keys = 1u << CK_TYPE | 1u << CK_V | 1u << CK_HOME | 1u << CK_REF | 1u << CK_ISSUED;
static const unsigned pass_keys = 1u << CK_TYPE | 1u << CK_V | 1u << CK_HOME | 1u << CK_ID | 1u << CK_VISITOR |
				  1u << CK_FROM | 1u << CK_UNTIL | 1u << CK_USES | 1u << CK_ISSUED;
static const unsigned optional_keys = 1u << CK_GATES;
static const unsigned pass_optional_keys = 1u << CK_CARD;

static enum snt_rules_err bad(char *errbuf, size_t errlen, const char *field, const char *why)
{
	snt_msg(errbuf, errlen, _("field '%s': %s"), field, why);
	return SNT_RULES_ERR_PAYLOAD;
}

static enum snt_rules_err decode_credential(const uint8_t *buf, size_t len, struct snt_credential *c,
					    char *errbuf, size_t errlen)
{
	enum snt_rules_err err = SNT_RULES_OK;
	const cbor_item_t *val[CK_COUNT] = { NULL };
	unsigned seen = 0, want;
	struct cbor_pair *pairs;
	cbor_item_t *root;
	char key[16], type[8];

	root = snt_cose_cbor_load(buf, len);
	if (!root) {
		snt_msg(errbuf, errlen, _("payload: not one well-formed CBOR item"));
		return SNT_RULES_ERR_PAYLOAD;
	}
	if (!cbor_isa_map(root) || !cbor_map_is_definite(root)) {
		snt_msg(errbuf, errlen, _("payload: not a definite CBOR map"));
		err = SNT_RULES_ERR_PAYLOAD;
		goto out;
	}
	pairs = cbor_map_handle(root);
	for (size_t i = 0; i < cbor_map_size(root); i++) {
		int k;

		if (snt_cose_cbor_text_copy(pairs[i].key, key, sizeof(key))) {
			snt_msg(errbuf, errlen, _("payload: key %zu is not a short text string"), i);
			err = SNT_RULES_ERR_PAYLOAD;
			goto out;
		}
		k = snt_name_index(ckey_names, CK_COUNT, key);
		if (k < 0 || (seen & (1u << k))) {
			err = bad(errbuf, errlen, key, k < 0 ? _("unknown key") : _("given twice"));
			goto out;
		}
		seen |= 1u << k;
		val[k] = pairs[i].value;
	}
	if (snt_cose_cbor_text_copy(val[CK_TYPE], type, sizeof(type)) || (strcmp(type, "badge") && strcmp(type, "pass"))) {
		err = bad(errbuf, errlen, "type", _("not \"badge\" or \"pass\""));
		goto out;
	}
	memset(c, 0, sizeof(*c));
	c->kind = strcmp(type, "badge") ? SNT_CREDENTIAL_PASS : SNT_CREDENTIAL_BADGE;
	want = c->kind == SNT_CREDENTIAL_BADGE ? badge_keys : pass_keys;
	for (int k = 0; k < CK_COUNT; k++) {
		if ((want & (1u << k)) && !(seen & (1u << k))) {
			err = bad(errbuf, errlen, ckey_names[k], _("missing"));
			goto out;
		}
		if (!((want | optional_keys | (c->kind == SNT_CREDENTIAL_PASS ? pass_optional_keys : 0)) & (1u << k)) &&
		    (seen & (1u << k))) {
			err = bad(errbuf, errlen, ckey_names[k], c->kind == SNT_CREDENTIAL_BADGE ?
				  _("not a badge key") : _("not a pass key"));
			goto out;
		}
	}
	if (!cbor_isa_uint(val[CK_V]) || cbor_get_int(val[CK_V]) != 2)
		err = bad(errbuf, errlen, "v", _("not format version 2"));
	else if ((err = rules__home(val[CK_HOME], c->home, errbuf, errlen)))
		;
	else if (val[CK_GATES] &&
		 (err = rules__gates(val[CK_GATES], SNT_CREDENTIAL_MAX_GATES, c->gates, &c->n_gates, errbuf, errlen)))
		;
	else if (get_time(val[CK_ISSUED], &c->issued_ms))
		err = bad(errbuf, errlen, "issued", _("not a time in ms since the epoch"));
	else if (c->kind == SNT_CREDENTIAL_BADGE) {
		if (snt_cose_cbor_text_copy(val[CK_REF], c->ref, sizeof(c->ref)) || !printable_ascii(c->ref))
			err = bad(errbuf, errlen, "ref", _("not a reference of 1-32 printable ASCII characters"));
	} else if (snt_cose_cbor_text_copy(val[CK_ID], c->id, sizeof(c->id)) || !printable_ascii(c->id)) {
		err = bad(errbuf, errlen, "id", _("not an id of 1-32 printable ASCII characters"));
	} else if (snt_cose_cbor_text_copy(val[CK_VISITOR], c->visitor, sizeof(c->visitor)) || !masked_name(c->visitor)) {
		err = bad(errbuf, errlen, "visitor", _("not a masked name of 1-63 bytes of text"));
	} else if (get_time(val[CK_FROM], &c->from_ms)) {
		err = bad(errbuf, errlen, "from", _("not a time in ms since the epoch"));
	} else if (get_time(val[CK_UNTIL], &c->until_ms)) {
		err = bad(errbuf, errlen, "until", _("not a time in ms since the epoch"));
	} else if (c->until_ms <= c->from_ms) {
		err = bad(errbuf, errlen, "until", _("not after from"));
	} else if (!cbor_isa_uint(val[CK_USES]) || cbor_get_int(val[CK_USES]) < 1 ||
		   cbor_get_int(val[CK_USES]) > SNT_CREDENTIAL_MAX_USES) {
		err = bad(errbuf, errlen, "uses", _("not an unsigned integer 1-100"));
	} else if (val[CK_CARD] && (!cbor_isa_bytestring(val[CK_CARD]) || !cbor_bytestring_is_definite(val[CK_CARD]) ||
				    cbor_bytestring_length(val[CK_CARD]) != SNT_CREDENTIAL_CARD_LEN)) {
		err = bad(errbuf, errlen, "card", _("not a byte string of 32 bytes (the keyed hash of an ID number)"));
	} else {
		c->uses = (uint32_t)cbor_get_int(val[CK_USES]);
		if (val[CK_CARD]) {
			c->has_card = true;
			memcpy(c->card, cbor_bytestring_handle(val[CK_CARD]), SNT_CREDENTIAL_CARD_LEN);
		}
	}
out:
	cbor_decref(&root);
	return err;
}

/* @bytes as COSE bytes (*@cose, malloc'd, *@clen): the prefix, length and base45 checked. */
static enum snt_rules_err credential_cose(const uint8_t *bytes, size_t len, uint8_t **cose, size_t *clen,
					  char *errbuf, size_t errlen)
{
	if (!snt_credential_is(bytes, len)) {
		snt_msg(errbuf, errlen, _("not an SNB1: badge or pass"));
		return SNT_RULES_ERR_PAYLOAD;
	}
	if (len > SNT_CREDENTIAL_MAX_TEXT) {
		snt_msg(errbuf, errlen, P_("longer than %d characters", "longer than %d characters", SNT_CREDENTIAL_MAX_TEXT),
			SNT_CREDENTIAL_MAX_TEXT);
		return SNT_RULES_ERR_PAYLOAD;
	}
	*cose = malloc(len);
	if (!*cose)
		return SNT_RULES_ERR_NOMEM;
	if (snt_cose_base45_decode(bytes + PREFIX_LEN, len - PREFIX_LEN, *cose, len, clen)) {
		free(*cose);
		*cose = NULL;
		snt_msg(errbuf, errlen, _("not base45 after SNB1:"));
		return SNT_RULES_ERR_PAYLOAD;
	}
	return SNT_RULES_OK;
}

enum snt_rules_err snt_credential_kid(const uint8_t *bytes, size_t len, uint8_t kid[8])
{
	enum snt_rules_err err;
	enum snt_sign_err se;
	uint8_t *cose = NULL;
	size_t clen = 0;

	if (!bytes || !kid)
		return SNT_RULES_ERR_INVAL;
	err = credential_cose(bytes, len, &cose, &clen, NULL, 0);
	if (err)
		return err;
	se = snt_sign1_kid(cose, clen, kid);
	free(cose);
	return se == SNT_SIGN_OK ? SNT_RULES_OK : se == SNT_SIGN_ERR_NOMEM ? SNT_RULES_ERR_NOMEM :
	       SNT_RULES_ERR_SIGNATURE;
}

enum snt_rules_err snt_credential_open(const uint8_t *bytes, size_t len, EVP_PKEY *bureau_pub,
				       struct snt_credential *out, char *errbuf, size_t errlen)
{
	enum snt_rules_err err;
	uint8_t *cose = NULL, *payload = NULL;
	size_t clen = 0, plen = 0;

	if (!bytes || !bureau_pub || !out)
		return SNT_RULES_ERR_INVAL;
	err = credential_cose(bytes, len, &cose, &clen, errbuf, errlen);
	if (err)
		return err;
	err = rules__sign1_open(cose, clen, bureau_pub, &payload, &plen, errbuf, errlen);
	free(cose);
	if (err)
		return err;
	err = decode_credential(payload, plen, out, errbuf, errlen);
	free(payload);
	return err;
}

/* ---- encoders (the bureau's side) ---- */

static bool add(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	cbor_item_t *k = cbor_build_string(key);
	bool ok = k && value && cbor_map_add(map, (struct cbor_pair){ .key = k, .value = value });

	if (k)
		cbor_decref(&k);
	if (value)
		cbor_decref(&value);
	return ok;
}

static cbor_item_t *text_array(const char *const *v, size_t n)
{
	cbor_item_t *a = cbor_new_definite_array(n);

	for (size_t i = 0; a && i < n; i++) {
		cbor_item_t *s = cbor_build_string(v[i]);
		bool ok = s && cbor_array_push(a, s);

		if (s)
			cbor_decref(&s);
		if (!ok)
			cbor_decref(&a);
	}
	return a;
}

/* Serialise @m (consumed). */
static enum snt_rules_err finish(cbor_item_t *m, bool ok, uint8_t **out, size_t *out_len)
{
	size_t cap = 0;

	*out = NULL;
	if (ok)
		*out_len = cbor_serialize_alloc(m, out, &cap);
	cbor_decref(&m);
	if (!ok || !*out || *out_len == 0) {
		free(*out);
		*out = NULL;
		return SNT_RULES_ERR_NOMEM;
	}
	return SNT_RULES_OK;
}

static cbor_item_t *u64(uint64_t v)
{
	return cbor_build_uint64(v);
}

static cbor_item_t *gates_array(const char (*gates)[SNT_RULES_GATE_LEN], size_t n)
{
	const char *v[SNT_RULES_MAX_GATES];

	for (size_t i = 0; i < n && i < SNT_RULES_MAX_GATES; i++)
		v[i] = gates[i];
	return text_array(v, n);
}

enum snt_rules_err snt_rules_encode(const struct snt_rules *r, uint8_t **out, size_t *out_len, char *errbuf,
				    size_t errlen)
{
	const char *colours[2], *formats[8], *regions[SNT_RULES_MAX_REGIONS];
	size_t nc = 0, nf = 0;
	enum snt_rules_err err;
	struct snt_rules *back = NULL;
	cbor_item_t *m, *staff;
	bool ok = true;

	if (!r || !out || !out_len || r->n_regions > SNT_RULES_MAX_REGIONS || r->n_staff > SNT_RULES_MAX_STAFF ||
	    r->fever_threshold_mdc < 0 || r->valid_from_ms < 0 || r->valid_until_ms < 0 || r->hard_limit_ms < 0 ||
	    r->issued_ms < 0)
		return SNT_RULES_ERR_INVAL;
	if (r->colours & ~((1u << SNT_COLOUR_GREEN) | (1u << SNT_COLOUR_YELLOW))) {
		snt_msg(errbuf, errlen, _("field 'colours': only \"green\" and \"yellow\" may be accepted"));
		return SNT_RULES_ERR_INVAL;
	}
	if (r->formats & ~(((1u << SNT_CODE_FORMAT_COUNT) - 1) & ~(1u << SNT_FORMAT_NONE))) {
		snt_msg(errbuf, errlen, _("field 'formats': not one of healthcode, hcert, lt1, nzcp, shc"));
		return SNT_RULES_ERR_INVAL;
	}
	for (int c = SNT_COLOUR_GREEN; c <= SNT_COLOUR_YELLOW; c++)
		if (r->colours & (1u << c))
			colours[nc++] = snt_colour_name((enum snt_colour)c);
	for (int f = SNT_FORMAT_HEALTHCODE; f < SNT_CODE_FORMAT_COUNT && nf < SNT_ARRAY_SIZE(formats); f++)
		if (r->formats & (1u << f))
			formats[nf++] = snt_code_format_name((enum snt_code_format)f);
	for (size_t i = 0; i < r->n_regions; i++)
		regions[i] = r->regions[i];

	if (r->n_gates > SNT_RULES_MAX_GATES)
		return SNT_RULES_ERR_INVAL;
	m = cbor_new_definite_map(18);
	staff = cbor_new_definite_array(r->n_staff);
	if (!m || !staff) {
		if (m)
			cbor_decref(&m);
		if (staff)
			cbor_decref(&staff);
		return SNT_RULES_ERR_NOMEM;
	}
	for (size_t i = 0; i < r->n_staff && ok; i++) {
		cbor_item_t *s = cbor_new_definite_map(3);

		ok = s && add(s, "ref", cbor_build_string(r->staff[i].ref)) &&
		     add(s, "name", cbor_build_string(r->staff[i].name)) &&
		     add(s, "last_test", cbor_build_string(r->staff[i].last_test)) && cbor_array_push(staff, s);
		if (s)
			cbor_decref(&s);
	}
	if (!ok) {
		cbor_decref(&staff);
		cbor_decref(&m);
		return SNT_RULES_ERR_NOMEM;
	}
	/* "staff" first: add() always consumes its value, so nothing leaks on failure. */
	ok = add(m, "staff", staff) && add(m, "type", cbor_build_string("rules")) && add(m, "v", u64(2)) &&
	     add(m, "home", cbor_build_string(r->home)) &&
	     (r->n_gates == 0 || add(m, "gates", gates_array(r->gates, r->n_gates))) &&
	     add(m, "version", u64(r->version)) &&
	     add(m, "mode", cbor_build_string(snt_rules_mode_name(r->mode))) &&
	     add(m, "fever_threshold_mdc", u64((uint64_t)r->fever_threshold_mdc)) &&
	     add(m, "colours", text_array(colours, nc)) && add(m, "formats", text_array(formats, nf)) &&
	     add(m, "max_visitors", u64(r->max_visitors)) &&
	     add(m, "risk_regions", text_array(regions, r->n_regions)) &&
	     add(m, "max_test_age_days", u64(r->max_test_age_days)) &&
	     add(m, "valid_from", u64((uint64_t)r->valid_from_ms)) &&
	     add(m, "valid_until", u64((uint64_t)r->valid_until_ms)) &&
	     add(m, "hard_limit_ms", u64((uint64_t)r->hard_limit_ms)) &&
	     add(m, "issued", u64((uint64_t)r->issued_ms)) &&
	     (r->idcard_key_len == 0 ||
	      add(m, "idcard_key", cbor_build_bytestring(r->idcard_key, r->idcard_key_len))) &&
	     (!r->has_min_age || add(m, "min_age", u64(r->min_age))) &&
	     (!r->has_max_age || add(m, "max_age", u64(r->max_age)));
	if (!ok) {
		cbor_decref(&m);
		return SNT_RULES_ERR_NOMEM;
	}
	err = finish(m, true, out, out_len);
	if (err)
		return err;
	/* What the gate would refuse is refused here, naming the field. */
	err = snt_rules_decode(*out, *out_len, &back, errbuf, errlen);
	snt_rules_free(back);
	if (err) {
		free(*out);
		*out = NULL;
		return err == SNT_RULES_ERR_NOMEM ? err : SNT_RULES_ERR_INVAL;
	}
	return SNT_RULES_OK;
}

enum snt_rules_err snt_credential_issue(const struct snt_credential *c, EVP_PKEY *bureau_priv, char **text)
{
	struct snt_credential back;
	enum snt_rules_err err;
	uint8_t *payload = NULL, *cose = NULL;
	size_t plen = 0, clen = 0, n;
	cbor_item_t *m;
	bool ok;
	char *t;

	if (!c || !bureau_priv || !text || c->issued_ms < 0)
		return SNT_RULES_ERR_INVAL;
	if (c->n_gates > SNT_CREDENTIAL_MAX_GATES)
		return SNT_RULES_ERR_INVAL;
	if (c->kind == SNT_CREDENTIAL_BADGE) {
		m = cbor_new_definite_map(c->n_gates ? 6 : 5);
		ok = m && add(m, "type", cbor_build_string("badge")) && add(m, "v", u64(2)) &&
		     add(m, "home", cbor_build_string(c->home)) &&
		     (c->n_gates == 0 || add(m, "gates", gates_array(c->gates, c->n_gates))) &&
		     add(m, "ref", cbor_build_string(c->ref)) && add(m, "issued", u64((uint64_t)c->issued_ms));
	} else if (c->kind == SNT_CREDENTIAL_PASS && c->from_ms >= 0 && c->until_ms >= 0) {
		m = cbor_new_definite_map((c->n_gates ? 10 : 9) + (c->has_card ? 1 : 0));
		ok = m && add(m, "type", cbor_build_string("pass")) && add(m, "v", u64(2)) &&
		     add(m, "home", cbor_build_string(c->home)) &&
		     (c->n_gates == 0 || add(m, "gates", gates_array(c->gates, c->n_gates))) &&
		     add(m, "id", cbor_build_string(c->id)) && add(m, "visitor", cbor_build_string(c->visitor)) &&
		     add(m, "from", u64((uint64_t)c->from_ms)) && add(m, "until", u64((uint64_t)c->until_ms)) &&
		     add(m, "uses", u64(c->uses)) && add(m, "issued", u64((uint64_t)c->issued_ms)) &&
		     (!c->has_card || add(m, "card", cbor_build_bytestring(c->card, SNT_CREDENTIAL_CARD_LEN)));
	} else {
		return SNT_RULES_ERR_INVAL;
	}
	if (!m)
		return SNT_RULES_ERR_NOMEM;
	err = finish(m, ok, &payload, &plen);
	if (err)
		return err;
	/* Only what the gate accepts is issued. */
	if (decode_credential(payload, plen, &back, NULL, 0)) {
		free(payload);
		return SNT_RULES_ERR_INVAL;
	}
	switch (snt_sign1_es256(bureau_priv, payload, plen, &cose, &clen)) {
	case SNT_SIGN_OK:
		break;
	case SNT_SIGN_ERR_NOMEM:
		free(payload);
		return SNT_RULES_ERR_NOMEM;
	default:
		free(payload);
		return SNT_RULES_ERR_INVAL;
	}
	free(payload);
	n = PREFIX_LEN + SNT_COSE_BASE45_LEN(clen) + 1;
	t = malloc(n);
	if (!t) {
		free(cose);
		return SNT_RULES_ERR_NOMEM;
	}
	memcpy(t, SNT_CREDENTIAL_PREFIX, PREFIX_LEN);
	snt_cose_base45_encode(cose, clen, t + PREFIX_LEN);
	free(cose);
	*text = t;
	return SNT_RULES_OK;
}
