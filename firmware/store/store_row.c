// SPDX-License-Identifier: MIT
/*
 * store: one entry as a row of the log: the checks and names of an entry before
 * it is written, its chain hash (SHA-256 over the entry module's canonical
 * form), binding it to an INSERT and decoding a row back, column by column.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_internal.h"

const char *const store__col_names[] = {
	"seq", "boot_id", "mono_ms", "time_utc_ms", "clock", "kind", "format", "colour",
	"verified", "temp_dc", "decision", "reasons", "door", "subject", "payload",
	"detail", "prev_hash", "hash", "payload_hash", "birth_year",
};

enum snt_store_err store__fail_column(struct snt_store *st, int64_t seq, enum col c)
{
	snprintf(st->errmsg, sizeof(st->errmsg), _("entry %lld: stored %s is not valid"),
		 (long long)seq, store__col_names[c]);
	return SNT_STORE_ERR_CORRUPT;
}

bool store__detail_ok(const char *d)
{
	json_error_t jerr;
	json_t *j;
	bool ok;

	if (!d[0])
		return true;
	if (d[0] != '{')
		return false;
	j = json_loads(d, JSON_REJECT_DUPLICATES, &jerr);
	ok = j && json_is_object(j);
	json_decref(j);
	return ok;
}

/*
 * Check every field of @e that is hashed and stored, and fill @t with the
 * names.  Return SNT_STORE_OK or SNT_STORE_ERR_INVAL.
 */
enum snt_store_err store__entry_prepare(const struct snt_entry *e, struct snt_entry_names *t)
{
	if (snt_entry_check(e, t) || !store__detail_ok(e->detail))
		return SNT_STORE_ERR_INVAL;
	return SNT_STORE_OK;
}

/* Incremental SHA-256 over the canonical form; @ok drops to false on failure. */
struct hasher {
	EVP_MD_CTX *ctx;
	bool ok;
};

static void h_bytes(void *ctx, const void *p, size_t n)
{
	struct hasher *h = ctx;

	if (h->ok && n > 0 && EVP_DigestUpdate(h->ctx, p, n) != 1)
		h->ok = false;
}

/*
 * SHA-256(prev_hash || canonical form) (snt_entry_hash_input()), with the
 * digest context @ctx (reset here; reused across entries).
 */
enum snt_store_err store__hash_entry(EVP_MD_CTX *ctx, const struct snt_entry *e,
				     const struct snt_entry_names *t, uint8_t out[SNT_HASH_LEN])
{
	struct hasher h = { .ctx = ctx, .ok = true };
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (EVP_DigestInit_ex(h.ctx, EVP_sha256(), NULL) != 1)
		h.ok = false;
	if (h.ok)
		snt_entry_hash_input(e, t, h_bytes, &h);
	if (h.ok && (EVP_DigestFinal_ex(h.ctx, md, &md_len) != 1 || md_len != SNT_HASH_LEN))
		h.ok = false;
	if (!h.ok)
		return SNT_STORE_ERR_NOMEM;
	memcpy(out, md, SNT_HASH_LEN);
	return SNT_STORE_OK;
}

/* Integer column, which must be stored as an integer (or NULL if @nullable). */
bool store__col_int(sqlite3_stmt *s, enum col c, bool nullable, bool *present, int64_t *v)
{
	int type = sqlite3_column_type(s, c);

	if (type == SQLITE_NULL && nullable) {
		*present = false;
		*v = 0;
		return true;
	}
	if (type != SQLITE_INTEGER)
		return false;
	*present = true;
	*v = sqlite3_column_int64(s, c);
	return true;
}

/*
 * Text column into @buf of @size bytes: fits with its NUL, no NUL inside,
 * valid UTF-8.  NULL gives "" when @nullable; a stored "" is then invalid.
 */
bool store__col_text(sqlite3_stmt *s, enum col c, bool nullable, char *buf, size_t size)
{
	int type = sqlite3_column_type(s, c);
	const unsigned char *t;
	int n;

	if (type == SQLITE_NULL && nullable) {
		buf[0] = '\0';
		return true;
	}
	if (type != SQLITE_TEXT)
		return false;
	t = sqlite3_column_text(s, c);
	n = sqlite3_column_bytes(s, c);
	if (!t || n < 0 || (size_t)n >= size || strlen((const char *)t) != (size_t)n)
		return false;
	if (nullable && n == 0)
		return false;
	if (!snt_entry_utf8_valid(t, (size_t)n))
		return false;
	memcpy(buf, t, (size_t)n + 1);
	return true;
}

bool store__col_hash(sqlite3_stmt *s, enum col c, uint8_t out[SNT_HASH_LEN])
{
	const void *p;

	if (sqlite3_column_type(s, c) != SQLITE_BLOB)
		return false;
	p = sqlite3_column_blob(s, c);
	if (!p || sqlite3_column_bytes(s, c) != SNT_HASH_LEN)
		return false;
	memcpy(out, p, SNT_HASH_LEN);
	return true;
}

/* Integer value (or NULL if @nullable). */
static bool val_int(const struct snt_store_value *v, bool nullable, bool *present, int64_t *out)
{
	if (v->type == SNT_STORE_NULL && nullable) {
		*present = false;
		*out = 0;
		return true;
	}
	if (v->type != SNT_STORE_INTEGER)
		return false;
	*present = true;
	*out = v->i;
	return true;
}

/*
 * Text value into @buf of @size bytes: fits with its NUL, no NUL inside,
 * valid UTF-8.  NULL gives "" when @nullable; a stored "" is then invalid.
 */
static bool val_text(const struct snt_store_value *v, bool nullable, char *buf, size_t size)
{
	if (v->type == SNT_STORE_NULL && nullable) {
		buf[0] = '\0';
		return true;
	}
	if (v->type != SNT_STORE_TEXT || (!v->p && v->len > 0))
		return false;
	if (v->len >= size || (v->len > 0 && memchr(v->p, '\0', v->len)))
		return false;
	if (nullable && v->len == 0)
		return false;
	if (!snt_entry_utf8_valid(v->p, v->len))
		return false;
	if (v->len > 0)
		memcpy(buf, v->p, v->len);
	buf[v->len] = '\0';
	return true;
}

static bool val_hash(const struct snt_store_value *v, uint8_t out[SNT_HASH_LEN])
{
	if (v->type != SNT_STORE_BLOB || !v->p || v->len != SNT_HASH_LEN)
		return false;
	memcpy(out, v->p, SNT_HASH_LEN);
	return true;
}

/*
 * Decode the values @v (columns ENTRY_COLS) into @out; the payload points
 * into @v's memory.  Return: SNT_STORE_OK; SNT_STORE_ERR_CORRUPT with *@bad
 * the first column whose stored value is not valid and *@seq the row's seq
 * (0 if the seq itself is not valid).
 */
static enum snt_store_err decode_values(const struct snt_store_value *v, struct snt_entry *out, enum col *bad,
					int64_t *seq)
{
	struct snt_entry e;
	char name[NAME_LEN];
	char reasons[SNT_REASONS_TEXT_LEN];
	bool present;
	int64_t i;

	memset(&e, 0, sizeof(e));
	*seq = 0;
	*bad = COL_SEQ;
	if (!val_int(&v[COL_SEQ], false, &present, &e.seq) || e.seq < 1)
		return SNT_STORE_ERR_CORRUPT;
	*seq = e.seq;
	*bad = COL_BOOT_ID;
	if (!val_text(&v[COL_BOOT_ID], false, e.boot_id, sizeof(e.boot_id)))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_MONO_MS;
	if (!val_int(&v[COL_MONO_MS], false, &present, &e.mono_ms))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_TIME_UTC_MS;
	if (!val_int(&v[COL_TIME_UTC_MS], false, &present, &e.time_utc_ms))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_CLOCK;
	if (!val_text(&v[COL_CLOCK], false, name, sizeof(name)) || snt_clock_state_from_name(name, &e.clock))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_KIND;
	if (!val_text(&v[COL_KIND], false, name, sizeof(name)) || snt_person_kind_from_name(name, &e.kind))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_FORMAT;
	if (!val_text(&v[COL_FORMAT], false, name, sizeof(name)) || snt_code_format_from_name(name, &e.format))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_COLOUR;
	if (!val_text(&v[COL_COLOUR], false, name, sizeof(name)) || snt_colour_from_name(name, &e.colour))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_VERIFIED;
	if (!val_text(&v[COL_VERIFIED], false, name, sizeof(name)) || snt_verified_from_name(name, &e.verified))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_TEMP_DC;
	if (!val_int(&v[COL_TEMP_DC], true, &e.has_temp, &i) || i < INT_MIN || i > INT_MAX)
		return SNT_STORE_ERR_CORRUPT;
	e.temp_dc = (int)i;
	*bad = COL_DECISION;
	if (!val_text(&v[COL_DECISION], false, name, sizeof(name)) || snt_decision_from_name(name, &e.decision))
		return SNT_STORE_ERR_CORRUPT;
	/* Reasons must parse and be in canonical order, or the hash is moot. */
	*bad = COL_REASONS;
	if (!val_text(&v[COL_REASONS], false, reasons, sizeof(reasons)))
		return SNT_STORE_ERR_CORRUPT;
	if (reasons[0]) {
		char check[SNT_REASONS_TEXT_LEN];

		if (snt_reasons_parse(reasons, &e.reasons) || e.reasons == 0 ||
		    snt_reasons_format(e.reasons, ",", check, sizeof(check)) < 0 ||
		    strcmp(check, reasons))
			return SNT_STORE_ERR_CORRUPT;
	}
	*bad = COL_DOOR;
	if (!val_text(&v[COL_DOOR], false, name, sizeof(name)) || snt_door_from_name(name, &e.door))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_SUBJECT;
	if (!val_text(&v[COL_SUBJECT], true, e.subject, sizeof(e.subject)))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_PAYLOAD;
	switch (v[COL_PAYLOAD].type) {
	case SNT_STORE_NULL:
		break;
	case SNT_STORE_BLOB:
		if (!v[COL_PAYLOAD].p || v[COL_PAYLOAD].len == 0 || v[COL_PAYLOAD].len > SNT_ENTRY_MAX_PAYLOAD)
			return SNT_STORE_ERR_CORRUPT;
		e.payload_len = v[COL_PAYLOAD].len;
		e.payload = v[COL_PAYLOAD].p;
		break;
	default:
		return SNT_STORE_ERR_CORRUPT;
	}
	/*
	 * The schema's CHECK made it a JSON object; reading stays cheap (the
	 * full parse is snt_store_verify()'s, through store__entry_prepare()).
	 */
	*bad = COL_DETAIL;
	if (!val_text(&v[COL_DETAIL], true, e.detail, sizeof(e.detail)) ||
	    (e.detail[0] && (e.detail[0] != '{' || e.detail[strlen(e.detail) - 1] != '}')))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_PREV_HASH;
	if (!val_hash(&v[COL_PREV_HASH], e.prev_hash))
		return SNT_STORE_ERR_CORRUPT;
	*bad = COL_HASH;
	if (!val_hash(&v[COL_HASH], e.hash))
		return SNT_STORE_ERR_CORRUPT;
	/* A payload's SHA-256 in place of the payload, never beside it. */
	*bad = COL_PAYLOAD_HASH;
	if (v[COL_PAYLOAD_HASH].type != SNT_STORE_NULL) {
		if (e.payload_len || !val_hash(&v[COL_PAYLOAD_HASH], e.payload_hash))
			return SNT_STORE_ERR_CORRUPT;
		e.has_payload_hash = true;
	}
	/* The birth year, kept only under an age rule (entry.h). */
	*bad = COL_BIRTH_YEAR;
	if (!val_int(&v[COL_BIRTH_YEAR], true, &present, &i) ||
	    (present && (i < SNT_ENTRY_BIRTH_YEAR_MIN || i > SNT_ENTRY_BIRTH_YEAR_MAX)))
		return SNT_STORE_ERR_CORRUPT;
	e.birth_year = (int32_t)i;
	*out = e;
	return SNT_STORE_OK;
}

/* The values of the current row of @s (columns ENTRY_COLS from 0); they point into @s. */
static void row_values(sqlite3_stmt *s, struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS])
{
	for (int c = 0; c < SNT_STORE_ROW_NCOLUMNS; c++) {
		memset(&v[c], 0, sizeof(v[c]));
		switch (sqlite3_column_type(s, c)) {
		case SQLITE_INTEGER:
			v[c].type = SNT_STORE_INTEGER;
			v[c].i = sqlite3_column_int64(s, c);
			break;
		case SQLITE_TEXT:
			v[c].type = SNT_STORE_TEXT;
			v[c].p = sqlite3_column_text(s, c);
			v[c].len = (size_t)sqlite3_column_bytes(s, c);
			break;
		case SQLITE_BLOB:
			v[c].type = SNT_STORE_BLOB;
			v[c].p = sqlite3_column_blob(s, c);
			v[c].len = (size_t)sqlite3_column_bytes(s, c);
			break;
		case SQLITE_NULL:
			v[c].type = SNT_STORE_NULL;
			break;
		default:	/* SQLITE_FLOAT: no entry column holds one */
			v[c].type = SNT_STORE_FLOAT;
			break;
		}
	}
}

/*
 * Decode the current row of @s (columns ENTRY_COLS from 0) into @out; the
 * payload points into @s.  Return: as decode_values().
 */
static enum snt_store_err decode_entry(sqlite3_stmt *s, struct snt_entry *out, enum col *bad, int64_t *seq)
{
	struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS];

	row_values(s, v);
	return decode_values(v, out, bad, seq);
}

/*
 * Decode the current row of @s (columns ENTRY_COLS) into @out.  The payload
 * is copied into the store's buffer when @copy, else points into @s.
 * Return: SNT_STORE_OK; SNT_STORE_ERR_CORRUPT with *@bad the first column
 * whose stored value is not valid and *@seq the row's seq (0 if the seq
 * itself is not valid); SNT_STORE_ERR_NOMEM.  No message is recorded.
 */
enum snt_store_err store__decode_cols(struct snt_store *st, sqlite3_stmt *s, bool copy,
				      struct snt_entry *out, enum col *bad, int64_t *seq)
{
	enum snt_store_err err = decode_entry(s, out, bad, seq);

	if (err || !copy || out->payload_len == 0)
		return err;
	*bad = COL_PAYLOAD;
	if (st->payload_cap < out->payload_len) {
		uint8_t *nb = realloc(st->payload_buf, out->payload_len);

		if (!nb)
			return SNT_STORE_ERR_NOMEM;
		st->payload_buf = nb;
		st->payload_cap = out->payload_len;
	}
	memcpy(st->payload_buf, out->payload, out->payload_len);
	out->payload = st->payload_buf;
	return SNT_STORE_OK;
}

enum snt_store_err snt_store_row_decode(sqlite3_stmt *s, struct snt_entry *e, const char **bad)
{
	enum snt_store_err err;
	enum col c = COL_SEQ;
	int64_t seq;

	if (!s || !e)
		return SNT_STORE_ERR_INVAL;
	err = decode_entry(s, e, &c, &seq);
	if (bad)
		*bad = err ? store__col_names[c] : NULL;
	return err;
}

enum snt_store_err snt_store_row_from_values(const struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS],
					     struct snt_entry *e, const char **bad)
{
	enum snt_store_err err;
	enum col c = COL_SEQ;
	int64_t seq;

	if (!v || !e)
		return SNT_STORE_ERR_INVAL;
	err = decode_values(v, e, &c, &seq);
	if (bad)
		*bad = err ? store__col_names[c] : NULL;
	return err;
}

/* store__decode_cols(), recording the failure's message on @st. */
enum snt_store_err store__decode_row(struct snt_store *st, sqlite3_stmt *s, bool copy,
				     struct snt_entry *out)
{
	enum snt_store_err err;
	int64_t seq;
	enum col bad;

	err = store__decode_cols(st, s, copy, out, &bad, &seq);
	if (err == SNT_STORE_ERR_CORRUPT)
		return store__fail_column(st, seq, bad);
	if (err)
		return store__fail_msg(st, err, _("out of memory"));
	return SNT_STORE_OK;
}

int snt_store_row_values(const struct snt_entry *e, const struct snt_entry_names *t,
			 struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS])
{
	const struct {
		enum col col;
		const char *text;
	} texts[] = {
		{ COL_BOOT_ID, e ? e->boot_id : NULL },
		{ COL_CLOCK, t ? t->clock : NULL },
		{ COL_KIND, t ? t->kind : NULL },
		{ COL_FORMAT, t ? t->format : NULL },
		{ COL_COLOUR, t ? t->colour : NULL },
		{ COL_VERIFIED, t ? t->verified : NULL },
		{ COL_DECISION, t ? t->decision : NULL },
		{ COL_REASONS, t ? t->reasons : NULL },
		{ COL_DOOR, t ? t->door : NULL },
		{ COL_SUBJECT, e && e->subject[0] ? e->subject : NULL },
		{ COL_DETAIL, e && e->detail[0] ? e->detail : NULL },
	};

	if (!e || !t || !v)
		return -1;
	memset(v, 0, SNT_STORE_ROW_NCOLUMNS * sizeof(*v));
	v[COL_SEQ] = (struct snt_store_value){ .type = SNT_STORE_INTEGER, .i = e->seq };
	v[COL_MONO_MS] = (struct snt_store_value){ .type = SNT_STORE_INTEGER, .i = e->mono_ms };
	v[COL_TIME_UTC_MS] = (struct snt_store_value){ .type = SNT_STORE_INTEGER, .i = e->time_utc_ms };
	for (size_t i = 0; i < SNT_ARRAY_SIZE(texts); i++) {
		if (texts[i].text)
			v[texts[i].col] = (struct snt_store_value){ .type = SNT_STORE_TEXT, .p = texts[i].text,
								    .len = strlen(texts[i].text) };
		else
			v[texts[i].col].type = SNT_STORE_NULL;
	}
	if (e->has_temp)
		v[COL_TEMP_DC] = (struct snt_store_value){ .type = SNT_STORE_INTEGER, .i = e->temp_dc };
	else
		v[COL_TEMP_DC].type = SNT_STORE_NULL;
	if (e->payload_len > 0)
		v[COL_PAYLOAD] = (struct snt_store_value){ .type = SNT_STORE_BLOB, .p = e->payload,
							   .len = e->payload_len };
	else
		v[COL_PAYLOAD].type = SNT_STORE_NULL;
	v[COL_PREV_HASH] = (struct snt_store_value){ .type = SNT_STORE_BLOB, .p = e->prev_hash, .len = SNT_HASH_LEN };
	v[COL_HASH] = (struct snt_store_value){ .type = SNT_STORE_BLOB, .p = e->hash, .len = SNT_HASH_LEN };
	if (e->has_payload_hash)
		v[COL_PAYLOAD_HASH] = (struct snt_store_value){ .type = SNT_STORE_BLOB, .p = e->payload_hash,
								.len = SNT_HASH_LEN };
	else
		v[COL_PAYLOAD_HASH].type = SNT_STORE_NULL;
	if (e->birth_year)
		v[COL_BIRTH_YEAR] = (struct snt_store_value){ .type = SNT_STORE_INTEGER, .i = e->birth_year };
	else
		v[COL_BIRTH_YEAR].type = SNT_STORE_NULL;
	return 0;
}

int snt_store_row_bind(sqlite3_stmt *s, int first, const struct snt_entry *e, const struct snt_entry_names *t)
{
	struct snt_store_value v[SNT_STORE_ROW_NCOLUMNS];
	int rc = SQLITE_OK;

	if (!s || !e || !t || first < 1 || snt_store_row_values(e, t, v))
		return SQLITE_MISUSE;
	for (int c = 0; c < SNT_STORE_ROW_NCOLUMNS && rc == SQLITE_OK; c++) {
		switch (v[c].type) {
		case SNT_STORE_INTEGER:
			rc = sqlite3_bind_int64(s, c + first, v[c].i);
			break;
		case SNT_STORE_TEXT:
			rc = v[c].len > INT_MAX ? SQLITE_TOOBIG
						: sqlite3_bind_text(s, c + first, v[c].p, (int)v[c].len, SQLITE_STATIC);
			break;
		case SNT_STORE_BLOB:
			rc = v[c].len > INT_MAX ? SQLITE_TOOBIG
						: sqlite3_bind_blob(s, c + first, v[c].p, (int)v[c].len, SQLITE_STATIC);
			break;
		default:
			rc = sqlite3_bind_null(s, c + first);
			break;
		}
	}
	return rc;
}

enum snt_store_err snt_store_entry_digest(struct snt_entry *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (!e || e->payload_len > SNT_ENTRY_MAX_PAYLOAD || (e->payload_len && !e->payload) ||
	    (e->payload_len && e->has_payload_hash))
		return SNT_STORE_ERR_INVAL;
	if (!e->payload_len || snt_code_format_keep(e->format) != SNT_PAYLOAD_DIGEST)
		return SNT_STORE_OK;
	if (EVP_Digest(e->payload, e->payload_len, md, &md_len, EVP_sha256(), NULL) != 1 ||
	    md_len != SNT_HASH_LEN)
		return SNT_STORE_ERR_NOMEM;
	memcpy(e->payload_hash, md, SNT_HASH_LEN);
	e->has_payload_hash = true;
	e->payload = NULL;
	e->payload_len = 0;
	return SNT_STORE_OK;
}

enum snt_store_err snt_store_entry_hash(const struct snt_entry *e, uint8_t out[SNT_HASH_LEN])
{
	struct snt_entry_names t;
	enum snt_store_err err;
	EVP_MD_CTX *ctx;

	if (!e || !out)
		return SNT_STORE_ERR_INVAL;
	err = store__entry_prepare(e, &t);
	if (err)
		return err;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return SNT_STORE_ERR_NOMEM;
	err = store__hash_entry(ctx, e, &t, out);
	EVP_MD_CTX_free(ctx);
	return err;
}
