// SPDX-License-Identifier: MIT
/*
 * The fallback journal of entries the log could not take (see journal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/common.h"
#include "common/i18n.h"
#include "journal/journal.h"

/* Longest record line: a full-size payload in hex plus the other fields. */
#define MAX_LINE (2 * SNT_ENTRY_MAX_PAYLOAD + 6 * SNT_DETAIL_LEN + 4096)

struct record {
	struct snt_entry e;	/* e.payload points at payload below */
	uint8_t *payload;
};

struct snt_journal {
	int fd;
	struct record *rec;
	size_t n, cap;
	int sys_errno;
};

static const char *const err_text[] = {
	[SNT_JOURNAL_OK] = N_("success"),
	[SNT_JOURNAL_ERR_INVAL] = N_("invalid argument"),
	[SNT_JOURNAL_ERR_IO] = N_("journal I/O error"),
	[SNT_JOURNAL_ERR_CORRUPT] = N_("journal record damaged"),
	[SNT_JOURNAL_ERR_FULL] = N_("journal full"),
	[SNT_JOURNAL_ERR_ORDER] = N_("journal sequence does not follow the log"),
	[SNT_JOURNAL_ERR_STORE] = N_("the log refused a journal record"),
	[SNT_JOURNAL_ERR_NOMEM] = N_("out of memory"),
	[SNT_JOURNAL_ERR_NOTREG] = N_("a symbolic link or not a regular file: refused"),
};

const char *snt_journal_strerror(enum snt_journal_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

int snt_journal_errno(const struct snt_journal *j)
{
	return j ? j->sys_errno : 0;
}

size_t snt_journal_pending(const struct snt_journal *j)
{
	return j ? j->n : 0;
}

int64_t snt_journal_last_seq(const struct snt_journal *j)
{
	return j && j->n ? j->rec[j->n - 1].e.seq : 0;
}

static enum snt_journal_err io_err(struct snt_journal *j)
{
	j->sys_errno = errno;
	return SNT_JOURNAL_ERR_IO;
}

static void clear_records(struct snt_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->rec[i].payload);
	j->n = 0;
}

void snt_journal_close(struct snt_journal *j)
{
	if (!j)
		return;
	clear_records(j);
	free(j->rec);
	if (j->fd >= 0)
		close(j->fd);
	free(j);
}

/* Keep a copy of @e (and its payload) as the next record. */
static enum snt_journal_err push(struct snt_journal *j, const struct snt_entry *e)
{
	struct record *r;

	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 8;
		void *n = realloc(j->rec, cap * sizeof(*j->rec));

		if (!n)
			return SNT_JOURNAL_ERR_NOMEM;
		j->rec = n;
		j->cap = cap;
	}
	r = &j->rec[j->n];
	r->e = *e;
	r->payload = NULL;
	if (e->payload && e->payload_len) {
		r->payload = malloc(e->payload_len);
		if (!r->payload)
			return SNT_JOURNAL_ERR_NOMEM;
		memcpy(r->payload, e->payload, e->payload_len);
	}
	r->e.payload = r->payload;
	r->e.payload_len = r->payload ? e->payload_len : 0;
	j->n++;
	return SNT_JOURNAL_OK;
}

static char *entry_json(const struct snt_entry *e)
{
	char reasons[512];
	char *hex = NULL, *text;
	char digest[2 * SNT_HASH_LEN + 1];
	json_t *o;

	if (snt_reasons_format(e->reasons, ",", reasons, sizeof(reasons)) < 0)
		return NULL;
	if (e->payload && e->payload_len) {
		hex = malloc(2 * e->payload_len + 1);
		if (!hex)
			return NULL;
		snt_hex_encode(e->payload, e->payload_len, hex);
	}
	if (e->has_payload_hash)
		snt_hex_encode(e->payload_hash, SNT_HASH_LEN, digest);
	o = json_pack("{sI ss sI sI ss ss ss ss ss so ss ss ss so so so}",
		      "seq", (json_int_t)e->seq, "boot_id", e->boot_id,
		      "mono_ms", (json_int_t)e->mono_ms, "time_utc_ms", (json_int_t)e->time_utc_ms,
		      "clock", snt_clock_state_name(e->clock),
		      "kind", snt_person_kind_name(e->kind),
		      "format", snt_code_format_name(e->format),
		      "colour", snt_colour_name(e->colour),
		      "verified", snt_verified_name(e->verified),
		      "temp_dc", e->has_temp ? json_integer(e->temp_dc) : json_null(),
		      "decision", snt_decision_name(e->decision), "reasons", reasons,
		      "door", snt_door_name(e->door),
		      "subject", e->subject[0] ? json_string(e->subject) : json_null(),
		      "payload_hex", hex ? json_string(hex) : json_null(),
		      "detail", e->detail[0] ? json_string(e->detail) : json_null());
	free(hex);
	if (o && e->has_payload_hash && json_object_set_new(o, "payload_sha256_hex", json_string(digest))) {
		json_decref(o);
		o = NULL;
	}
	if (o && e->birth_year && json_object_set_new(o, "birth_year", json_integer(e->birth_year))) {
		json_decref(o);
		o = NULL;
	}
	if (!o)
		return NULL;
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool int_of(json_t *o, const char *key, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

/*
 * The text member @key of @o into @buf (@size bytes): true when it is a
 * string that fits, or null (@buf left as it is), or absent and
 * @absent_ok.
 */
static bool text_of(json_t *o, const char *key, char *buf, size_t size, bool absent_ok)
{
	json_t *v = json_object_get(o, key);

	if (json_is_string(v))
		return snt_strlcpy(buf, json_string_value(v), size) < size;
	return json_is_null(v) || (!v && absent_ok);
}

/* Parse one record's JSON into @e; the payload goes into *@payload (malloc'd). */
static bool parse_record(const char *text, size_t len, struct snt_entry *e, uint8_t **payload)
{
	const char *s, *hex;
	json_t *o, *v;
	int64_t temp;
	bool ok = false;

	memset(e, 0, sizeof(*e));
	*payload = NULL;
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o))
		goto out;
	if (!int_of(o, "seq", &e->seq) || e->seq < 1 || !int_of(o, "mono_ms", &e->mono_ms) ||
	    !int_of(o, "time_utc_ms", &e->time_utc_ms))
		goto out;
	s = str_of(o, "boot_id");
	if (!s || snt_strlcpy(e->boot_id, s, sizeof(e->boot_id)) >= sizeof(e->boot_id))
		goto out;
	if (snt_clock_state_from_name(str_of(o, "clock") ? str_of(o, "clock") : "", &e->clock) ||
	    snt_person_kind_from_name(str_of(o, "kind"), &e->kind) ||
	    snt_code_format_from_name(str_of(o, "format") ? str_of(o, "format") : "", &e->format) ||
	    snt_colour_from_name(str_of(o, "colour"), &e->colour) ||
	    snt_verified_from_name(str_of(o, "verified") ? str_of(o, "verified") : "", &e->verified) ||
	    snt_decision_from_name(str_of(o, "decision") ? str_of(o, "decision") : "", &e->decision) ||
	    snt_door_from_name(str_of(o, "door"), &e->door))
		goto out;
	s = str_of(o, "reasons");
	if (!s || snt_reasons_parse(s, &e->reasons))
		goto out;
	v = json_object_get(o, "temp_dc");
	if (json_is_integer(v)) {
		temp = json_integer_value(v);
		if (temp < -10000 || temp > 10000)
			goto out;
		e->has_temp = true;
		e->temp_dc = (int)temp;
	} else if (!json_is_null(v)) {
		goto out;
	}
	/* Records written before schema 3 have no detail. */
	if (!text_of(o, "subject", e->subject, sizeof(e->subject), false) ||
	    !text_of(o, "detail", e->detail, sizeof(e->detail), true))
		goto out;
	v = json_object_get(o, "payload_hex");
	if (json_is_string(v)) {
		size_t n;

		hex = json_string_value(v);
		n = strlen(hex);
		if (n == 0 || n % 2 || n / 2 > SNT_ENTRY_MAX_PAYLOAD)
			goto out;
		*payload = malloc(n / 2);
		if (!*payload)
			goto out;
		if (snt_hex_decode_lower(hex, n / 2, *payload))
			goto out;
		e->payload = *payload;
		e->payload_len = n / 2;
	} else if (!json_is_null(v)) {
		goto out;
	}
	/* Records written before schema 5 have no payload hash; never one beside a payload. */
	v = json_object_get(o, "payload_sha256_hex");
	if (v) {
		hex = json_string_value(v);
		if (!hex || e->payload_len || strlen(hex) != 2 * SNT_HASH_LEN)
			goto out;
		if (snt_hex_decode_lower(hex, SNT_HASH_LEN, e->payload_hash))
			goto out;
		e->has_payload_hash = true;
	}
	/* Records written before schema 8, and every record without an age rule, have no birth year. */
	v = json_object_get(o, "birth_year");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < SNT_ENTRY_BIRTH_YEAR_MIN ||
		    json_integer_value(v) > SNT_ENTRY_BIRTH_YEAR_MAX)
			goto out;
		e->birth_year = (int32_t)json_integer_value(v);
	}
	ok = true;
out:
	if (!ok) {
		free(*payload);
		*payload = NULL;
	}
	json_decref(o);
	return ok;
}

/* Read every record; cut a torn last one off the file. */
static enum snt_journal_err load(struct snt_journal *j)
{
	struct stat sb;
	char *buf;
	size_t off = 0, good_end = 0;
	enum snt_journal_err err = SNT_JOURNAL_OK;

	if (fstat(j->fd, &sb))
		return io_err(j);
	if (sb.st_size == 0)
		return SNT_JOURNAL_OK;
	if ((uintmax_t)sb.st_size > (uintmax_t)SNT_JOURNAL_MAX_RECORDS * MAX_LINE)
		return SNT_JOURNAL_ERR_CORRUPT;
	buf = malloc((size_t)sb.st_size);
	if (!buf)
		return SNT_JOURNAL_ERR_NOMEM;
	while (off < (size_t)sb.st_size) {
		ssize_t r = pread(j->fd, buf + off, (size_t)sb.st_size - off, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? io_err(j) : SNT_JOURNAL_ERR_CORRUPT;
			goto out;
		}
		off += (size_t)r;
	}
	for (off = 0; off < (size_t)sb.st_size;) {
		char *nl = memchr(buf + off, '\n', (size_t)sb.st_size - off);
		size_t len = nl ? (size_t)(nl - (buf + off)) : (size_t)sb.st_size - off;
		bool last = !nl || (size_t)(nl - buf) + 1 == (size_t)sb.st_size;
		struct snt_entry e;
		uint8_t *payload;
		unsigned long crc;
		char *end;
		bool ok = false;

		if (nl && len > 9 && buf[off + 8] == ' ') {
			char crctext[9];

			memcpy(crctext, buf + off, 8);
			crctext[8] = '\0';
			crc = strtoul(crctext, &end, 16);
			ok = end == crctext + 8 &&
			     crc == crc32(0L, (const Bytef *)buf + off + 9, (uInt)(len - 9)) &&
			     parse_record(buf + off + 9, len - 9, &e, &payload);
		}
		if (!ok) {
			if (!last) {
				err = SNT_JOURNAL_ERR_CORRUPT;
				goto out;
			}
			/* Torn by a power cut: never acknowledged; cut it off. */
			if (ftruncate(j->fd, (off_t)good_end) || fdatasync(j->fd))
				err = io_err(j);
			goto out;
		}
		if (j->n && e.seq != j->rec[j->n - 1].e.seq + 1) {
			free(payload);
			err = SNT_JOURNAL_ERR_CORRUPT;
			goto out;
		}
		err = push(j, &e);
		free(payload);
		if (err)
			goto out;
		off += len + 1;
		good_end = off;
	}
out:
	free(buf);
	return err;
}

enum snt_journal_err snt_journal_open(const char *path, struct snt_journal **out)
{
	struct snt_journal *j;
	enum snt_journal_err err;
	int rc;

	if (!path || !out)
		return SNT_JOURNAL_ERR_INVAL;
	*out = NULL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return SNT_JOURNAL_ERR_NOMEM;
	rc = snt_open_companion(path, O_RDWR | O_CREAT | O_APPEND, 0600, &j->fd);
	if (rc == SNT_ESYMLINK || rc == SNT_ENOTREG || rc == EISDIR) {
		err = SNT_JOURNAL_ERR_NOTREG;
		goto err_free;
	}
	if (rc) {
		errno = rc;
		err = io_err(j);
		goto err_free;
	}
	err = load(j);
	if (err)
		goto err_free;
	*out = j;
	return SNT_JOURNAL_OK;

err_free:
	rc = errno;
	snt_journal_close(j);
	errno = rc;
	return err;
}

enum snt_journal_err snt_journal_append(struct snt_journal *j, const struct snt_entry *in)
{
	enum snt_journal_err err;
	struct snt_entry digested;
	const struct snt_entry *e = &digested;
	enum snt_store_err serr;
	char *text, *line;
	size_t len;

	if (!j || !in || in->seq < 1)
		return SNT_JOURNAL_ERR_INVAL;
	/* What the log would keep of the payload, and nothing more, goes to the file. */
	digested = *in;
	serr = snt_store_entry_digest(&digested);
	if (serr)
		return serr == SNT_STORE_ERR_NOMEM ? SNT_JOURNAL_ERR_NOMEM : SNT_JOURNAL_ERR_INVAL;
	if (j->n && e->seq != snt_journal_last_seq(j) + 1)
		return SNT_JOURNAL_ERR_ORDER;
	if (j->n >= SNT_JOURNAL_MAX_RECORDS)
		return SNT_JOURNAL_ERR_FULL;
	text = entry_json(e);
	if (!text)
		return SNT_JOURNAL_ERR_NOMEM;
	len = strlen(text);
	line = malloc(len + 10);
	if (!line) {
		free(text);
		return SNT_JOURNAL_ERR_NOMEM;
	}
	snprintf(line, 10, "%08lx ", crc32(0L, (const Bytef *)text, (uInt)len));
	memcpy(line + 9, text, len);
	line[9 + len] = '\n';
	free(text);
	len += 10;
	if (snt_write_all(j->fd, line, len)) {
		free(line);
		return io_err(j);
	}
	free(line);
	if (fdatasync(j->fd))
		return io_err(j);
	err = push(j, e);
	return err;
}

/* The log already holds this record (a merge cut short)? */
static bool already_merged(struct snt_store *st, const struct snt_entry *e, bool *differs)
{
	struct snt_entry have;

	*differs = false;
	if (snt_store_get(st, e->seq, &have) != SNT_STORE_OK)
		return false;
	*differs = strcmp(have.boot_id, e->boot_id) || have.mono_ms != e->mono_ms ||
		   have.decision != e->decision;
	return true;
}

enum snt_journal_err snt_journal_merge(struct snt_journal *j, struct snt_store *st, size_t *merged,
				       enum snt_store_err *store_err)
{
	size_t done = 0, i;
	enum snt_store_err serr = SNT_STORE_OK;
	enum snt_journal_err err = SNT_JOURNAL_OK;

	if (merged)
		*merged = 0;
	if (store_err)
		*store_err = SNT_STORE_OK;
	if (!j || !st)
		return SNT_JOURNAL_ERR_INVAL;
	for (i = 0; i < j->n; i++) {
		struct snt_entry e = j->rec[i].e;
		int64_t last = 0;
		bool differs;

		if (already_merged(st, &e, &differs)) {
			if (differs) {
				err = SNT_JOURNAL_ERR_ORDER;
				break;
			}
			continue;
		}
		serr = snt_store_last_seq(st, &last);
		if (serr != SNT_STORE_OK) {
			err = SNT_JOURNAL_ERR_STORE;
			break;
		}
		if (last + 1 != e.seq) {
			err = SNT_JOURNAL_ERR_ORDER;
			break;
		}
		serr = snt_store_append(st, &e);
		if (serr != SNT_STORE_OK) {
			err = SNT_JOURNAL_ERR_STORE;
			break;
		}
		done++;
	}
	if (merged)
		*merged = done;
	if (store_err)
		*store_err = serr;
	if (err) {
		/* Keep the records not merged; drop those the log now holds. */
		if (i > 0) {
			for (size_t k = 0; k < i; k++)
				free(j->rec[k].payload);
			memmove(j->rec, j->rec + i, (j->n - i) * sizeof(*j->rec));
			j->n -= i;
		}
		return err;
	}
	clear_records(j);
	if (ftruncate(j->fd, 0) || fdatasync(j->fd))
		return io_err(j);
	return SNT_JOURNAL_OK;
}
