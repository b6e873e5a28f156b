// SPDX-License-Identifier: MIT
/*
 * The entry's name tables, generated from the tables of entry.h, and its
 * canonical hash form.
 */
#include <stdio.h>
#include <string.h>

#include "entry/entry.h"

#define SNT_HASH_LABEL "sentinel-entry-v1"	/* the first bytes of C, in every form */

#define NAME_(e, name, ...) [e] = name,
#define TEXT_(e, name, zh, en) [e] = { zh, en },

static const char *const clock_names[] = { SNT_CLOCK_STATE_TABLE(NAME_) };
static const char *const kind_names[] = { SNT_PERSON_KIND_TABLE(NAME_) };
static const char *const format_names[] = { SNT_CODE_FORMAT_TABLE(NAME_) };
#define KEEP_(e, name, keep) [e] = keep,
static const enum snt_payload_keep format_keeps[] = { SNT_CODE_FORMAT_TABLE(KEEP_) };
static const char *const colour_names[] = { SNT_COLOUR_TABLE(NAME_) };
static const char *const verified_names[] = { SNT_VERIFIED_TABLE(NAME_) };
static const char *const decision_names[] = { SNT_DECISION_TABLE(NAME_) };
static const char *const door_names[] = { SNT_DOOR_TABLE(NAME_) };
static const char *const reason_names[] = { SNT_REASON_TABLE(NAME_) };
/* Human text of each reason: [reason][SNT_LANG_ZH, SNT_LANG_EN]. */
static const char *const reason_texts[][2] = { SNT_REASON_TABLE(TEXT_) };

_Static_assert(SNT_ARRAY_SIZE(clock_names) == SNT_CLOCK_STATE_COUNT, "clock names");
_Static_assert(SNT_ARRAY_SIZE(kind_names) == SNT_PERSON_KIND_COUNT, "kind names");
_Static_assert(SNT_ARRAY_SIZE(format_names) == SNT_CODE_FORMAT_COUNT, "format names");
_Static_assert(SNT_ARRAY_SIZE(format_keeps) == SNT_CODE_FORMAT_COUNT, "format keeps");
_Static_assert(SNT_ARRAY_SIZE(colour_names) == SNT_COLOUR_COUNT, "colour names");
_Static_assert(SNT_ARRAY_SIZE(verified_names) == SNT_VERIFIED_COUNT, "verified names");
_Static_assert(SNT_ARRAY_SIZE(decision_names) == SNT_DECISION_COUNT, "decision names");
_Static_assert(SNT_ARRAY_SIZE(door_names) == SNT_DOOR_COUNT, "door names");
_Static_assert(SNT_ARRAY_SIZE(reason_names) == SNT_REASON_COUNT, "reason names");
_Static_assert(SNT_ARRAY_SIZE(reason_texts) == SNT_REASON_COUNT, "reason texts");

static const struct {
	const char *column;
	const char *const *names;
	size_t n;
} enum_fields[SNT_ENTRY_ENUM_COUNT] = {
	[SNT_ENTRY_ENUM_CLOCK] = { "clock", clock_names, SNT_CLOCK_STATE_COUNT },
	[SNT_ENTRY_ENUM_KIND] = { "kind", kind_names, SNT_PERSON_KIND_COUNT },
	[SNT_ENTRY_ENUM_FORMAT] = { "format", format_names, SNT_CODE_FORMAT_COUNT },
	[SNT_ENTRY_ENUM_COLOUR] = { "colour", colour_names, SNT_COLOUR_COUNT },
	[SNT_ENTRY_ENUM_VERIFIED] = { "verified", verified_names, SNT_VERIFIED_COUNT },
	[SNT_ENTRY_ENUM_DECISION] = { "decision", decision_names, SNT_DECISION_COUNT },
	[SNT_ENTRY_ENUM_DOOR] = { "door", door_names, SNT_DOOR_COUNT },
};

/* Name of value @v of a table of @n, or @dflt when out of range. */
static const char *name_of(const char *const *names, size_t n, unsigned int v, const char *dflt)
{
	return v < n ? names[v] : dflt;
}

/* Index of @name in a table of @n into *@out, or -1. */
static int index_of(const char *const *names, size_t n, const char *name, int *out)
{
	int i = snt_name_index(names, n, name);

	if (i < 0 || !out)
		return -1;
	*out = i;
	return 0;
}

#define NAME_FUNCS(type, fn, table, count, dflt) \
	const char *snt_##fn##_name(enum type v) \
	{ \
		return name_of(table, count, (unsigned int)v, dflt); \
	} \
	int snt_##fn##_from_name(const char *name, enum type *out) \
	{ \
		int i; \
		if (!out || index_of(table, count, name, &i)) \
			return -1; \
		*out = (enum type)i; \
		return 0; \
	}

NAME_FUNCS(snt_clock_state, clock_state, clock_names, SNT_CLOCK_STATE_COUNT, "?")
NAME_FUNCS(snt_person_kind, person_kind, kind_names, SNT_PERSON_KIND_COUNT, NULL)
NAME_FUNCS(snt_code_format, code_format, format_names, SNT_CODE_FORMAT_COUNT, "?")
NAME_FUNCS(snt_colour, colour, colour_names, SNT_COLOUR_COUNT, "unknown")
NAME_FUNCS(snt_verified, verified, verified_names, SNT_VERIFIED_COUNT, "?")
NAME_FUNCS(snt_decision, decision, decision_names, SNT_DECISION_COUNT, "?")
NAME_FUNCS(snt_door, door, door_names, SNT_DOOR_COUNT, NULL)
NAME_FUNCS(snt_reason, reason, reason_names, SNT_REASON_COUNT, NULL)

enum snt_payload_keep snt_code_format_keep(enum snt_code_format f)
{
	return (unsigned int)f < SNT_CODE_FORMAT_COUNT ? format_keeps[f] : SNT_PAYLOAD_DIGEST;
}

const char *snt_reason_text(enum snt_reason r, enum snt_lang lang)
{
	if ((unsigned int)r >= SNT_REASON_COUNT || (unsigned int)lang > SNT_LANG_EN)
		return NULL;
	return reason_texts[r][lang];
}

int snt_reasons_format(snt_reasons_t set, const char *sep, char *buf, size_t size)
{
	size_t len = 0;
	int first = 1;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < SNT_REASON_COUNT; i++) {
		if (!(set & SNT_REASON_BIT(i)))
			continue;
		const char *parts[2] = { first ? "" : sep, reason_names[i] };

		for (int p = 0; p < 2; p++) {
			size_t n = strlen(parts[p]);

			if (len + n + 1 > size) {
				buf[len] = '\0';
				return -1;
			}
			memcpy(buf + len, parts[p], n);
			len += n;
		}
		first = 0;
	}
	buf[len] = '\0';
	return (int)len;
}

int snt_reasons_parse(const char *list, snt_reasons_t *out)
{
	char name[64];
	snt_reasons_t set = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		enum snt_reason r;

		if (n == 0 || n >= sizeof(name))
			return -1;
		memcpy(name, p, n);
		name[n] = '\0';
		if (snt_reason_from_name(name, &r))
			return -1;
		set |= SNT_REASON_BIT(r);
		p += n;
		if (*p == ',') {
			p++;
			if (!*p)
				return -1;
		}
	}
	*out = set;
	return 0;
}

const char *snt_entry_enum_column(enum snt_entry_enum f)
{
	return (unsigned int)f < SNT_ENTRY_ENUM_COUNT ? enum_fields[f].column : NULL;
}

const char *const *snt_entry_enum_names(enum snt_entry_enum f, size_t *n)
{
	if ((unsigned int)f >= SNT_ENTRY_ENUM_COUNT || !n)
		return NULL;
	*n = enum_fields[f].n;
	return enum_fields[f].names;
}

const char *snt_entry_enum_value(const struct snt_entry *e, enum snt_entry_enum f)
{
	unsigned int v;

	if (!e)
		return NULL;
	switch (f) {
	case SNT_ENTRY_ENUM_CLOCK:
		v = (unsigned int)e->clock;
		break;
	case SNT_ENTRY_ENUM_KIND:
		v = (unsigned int)e->kind;
		break;
	case SNT_ENTRY_ENUM_FORMAT:
		v = (unsigned int)e->format;
		break;
	case SNT_ENTRY_ENUM_COLOUR:
		v = (unsigned int)e->colour;
		break;
	case SNT_ENTRY_ENUM_VERIFIED:
		v = (unsigned int)e->verified;
		break;
	case SNT_ENTRY_ENUM_DECISION:
		v = (unsigned int)e->decision;
		break;
	case SNT_ENTRY_ENUM_DOOR:
		v = (unsigned int)e->door;
		break;
	default:
		return NULL;
	}
	return v < enum_fields[f].n ? enum_fields[f].names[v] : NULL;
}

int snt_entry_sql_check(enum snt_entry_enum f, const char *column, char *buf, size_t size)
{
	size_t len = 0;
	int n;

	if ((unsigned int)f >= SNT_ENTRY_ENUM_COUNT || !buf || size == 0)
		return -1;
	n = snprintf(buf, size, "%s IN (", column ? column : enum_fields[f].column);
	if (n < 0 || (size_t)n >= size)
		return -1;
	len = (size_t)n;
	for (size_t i = 0; i < enum_fields[f].n; i++) {
		n = snprintf(buf + len, size - len, "%s'%s'", i ? ", " : "", enum_fields[f].names[i]);
		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len, ")");
	if (n < 0 || (size_t)n >= size - len)
		return -1;
	return (int)(len + (size_t)n);
}

bool snt_entry_utf8_valid(const unsigned char *s, size_t n)
{
	return snt_utf8_valid(s, n);
}

/* A NUL-terminated, valid UTF-8 string within @size bytes. */
static bool field_str_ok(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	return nul && snt_entry_utf8_valid((const unsigned char *)s, (size_t)(nul - s));
}

int snt_entry_check(const struct snt_entry *e, struct snt_entry_names *names)
{
	struct snt_entry_names t;

	if (!e)
		return -1;
	if ((unsigned int)e->clock >= SNT_CLOCK_STATE_COUNT || (unsigned int)e->kind >= SNT_PERSON_KIND_COUNT ||
	    (unsigned int)e->format >= SNT_CODE_FORMAT_COUNT || (unsigned int)e->colour >= SNT_COLOUR_COUNT ||
	    (unsigned int)e->verified >= SNT_VERIFIED_COUNT || (unsigned int)e->decision >= SNT_DECISION_COUNT ||
	    (unsigned int)e->door >= SNT_DOOR_COUNT)
		return -1;
	if (e->reasons & ~SNT_REASONS_ALL)
		return -1;
	if (!field_str_ok(e->boot_id, sizeof(e->boot_id)) || !field_str_ok(e->subject, sizeof(e->subject)) ||
	    !field_str_ok(e->detail, sizeof(e->detail)))
		return -1;
	if (e->payload_len > SNT_ENTRY_MAX_PAYLOAD || (e->payload_len > 0 && !e->payload) ||
	    (e->payload_len > 0 && e->has_payload_hash))
		return -1;
	if (e->birth_year != 0 &&
	    (e->birth_year < SNT_ENTRY_BIRTH_YEAR_MIN || e->birth_year > SNT_ENTRY_BIRTH_YEAR_MAX))
		return -1;
	t.clock = clock_names[e->clock];
	t.kind = kind_names[e->kind];
	t.format = format_names[e->format];
	t.colour = colour_names[e->colour];
	t.verified = verified_names[e->verified];
	t.decision = decision_names[e->decision];
	t.door = door_names[e->door];
	if (e->reasons == 0)
		t.reasons[0] = '\0';
	else if (snt_reasons_format(e->reasons, ",", t.reasons, sizeof(t.reasons)) < 0)
		return -1;
	if (names)
		*names = t;
	return 0;
}

/* The canonical form's encoders (see entry.h). */
struct sink {
	snt_entry_sink_fn fn;
	void *ctx;
};

static void put(const struct sink *s, const void *p, size_t n)
{
	if (n > 0)
		s->fn(s->ctx, p, n);
}

static void put_u8(const struct sink *s, uint8_t v)
{
	put(s, &v, 1);
}

static void put_u32(const struct sink *s, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(s, b, sizeof(b));
}

static void put_i64(const struct sink *s, int64_t v)
{
	uint64_t u = (uint64_t)v;
	uint8_t b[8];

	for (int i = 7; i >= 0; i--) {
		b[i] = (uint8_t)u;
		u >>= 8;
	}
	put(s, b, sizeof(b));
}

static void put_blob(const struct sink *s, const void *p, size_t n)
{
	put_u32(s, (uint32_t)n);
	put(s, p, n);
}

static void put_str(const struct sink *s, const char *str)
{
	put_blob(s, str, strlen(str));
}

void snt_entry_hash_input(const struct snt_entry *e, const struct snt_entry_names *t, snt_entry_sink_fn fn,
			  void *ctx)
{
	const struct sink s = { .fn = fn, .ctx = ctx };

	put(&s, e->prev_hash, SNT_HASH_LEN);
	put_str(&s, SNT_HASH_LABEL);
	put_i64(&s, e->seq);
	put_str(&s, e->boot_id);
	put_i64(&s, e->mono_ms);
	put_i64(&s, e->time_utc_ms);
	put_str(&s, t->clock);
	put_str(&s, t->kind);
	put_str(&s, t->format);
	put_str(&s, t->colour);
	put_str(&s, t->verified);
	if (e->has_temp) {
		put_u8(&s, 1);
		put_i64(&s, e->temp_dc);
	} else {
		put_u8(&s, 0);
	}
	put_str(&s, t->decision);
	put_str(&s, t->reasons);
	put_str(&s, t->door);
	if (e->subject[0]) {
		put_u8(&s, 1);
		put_str(&s, e->subject);
	} else {
		put_u8(&s, 0);
	}
	if (e->payload_len > 0) {
		put_u8(&s, 1);
		put_blob(&s, e->payload, e->payload_len);
	} else if (e->has_payload_hash) {
		/* sentinel-entry-v3: the payload's SHA-256 in its place. */
		put_u8(&s, 2);
		put_blob(&s, e->payload_hash, SNT_HASH_LEN);
	} else {
		put_u8(&s, 0);
	}
	/* sentinel-entry-v2: the detail record only when there is one. */
	if (e->detail[0]) {
		put_u8(&s, 1);
		put_str(&s, e->detail);
	}
	/* sentinel-entry-v4: the birth year only when the entry keeps one. */
	if (e->birth_year) {
		put_u8(&s, 2);
		put_i64(&s, e->birth_year);
	}
}

bool snt_entry_equal(const struct snt_entry *a, const struct snt_entry *b)
{
	return a->seq == b->seq && !strcmp(a->boot_id, b->boot_id) && a->mono_ms == b->mono_ms &&
	       a->time_utc_ms == b->time_utc_ms && a->clock == b->clock && a->kind == b->kind &&
	       a->format == b->format && a->colour == b->colour && a->verified == b->verified &&
	       a->has_temp == b->has_temp && (!a->has_temp || a->temp_dc == b->temp_dc) &&
	       a->decision == b->decision && a->reasons == b->reasons && a->door == b->door &&
	       !strcmp(a->subject, b->subject) && !strcmp(a->detail, b->detail) &&
	       a->payload_len == b->payload_len &&
	       (!a->payload_len || !memcmp(a->payload, b->payload, a->payload_len)) &&
	       a->has_payload_hash == b->has_payload_hash &&
	       (!a->has_payload_hash || !memcmp(a->payload_hash, b->payload_hash, SNT_HASH_LEN)) &&
	       a->birth_year == b->birth_year && !memcmp(a->prev_hash, b->prev_hash, SNT_HASH_LEN) && !memcmp(a->hash, b->hash, SNT_HASH_LEN);
}
