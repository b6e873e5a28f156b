// SPDX-License-Identifier: MIT
/*
 * store: the head file beside the log ("<db>.head") and the seal of each
 * entry (fss.h), both written around an append's commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/common.h"
#include "store/store.h"
#include "store/store_internal.h"

#define HEAD_MAGIC "sentinel-head-v1"
#define HEAD_FILE_MAX 128

enum snt_store_err store__head_mark(struct snt_store *st)
{
	enum snt_store_err err;

	st->head_mark_pending = false;
	/*
	 * Only once a head file is known to exist: the rename that replaces it
	 * never leaves it missing, so a log that records one always has one,
	 * whenever a kill comes.
	 */
	if (st->head_marked || !st->head_exists)
		return SNT_STORE_OK;
	err = store__exec_sql(st, "INSERT OR IGNORE INTO meta (key, value) VALUES ('head_file', '"
			      HEAD_MAGIC "')");
	st->head_mark_pending = !err;
	return err;
}

/* Write the head file for (@seq, @hash); the errno value, 0 on success. */
static int write_head(struct snt_store *st, int64_t seq, const uint8_t hash[SNT_HASH_LEN])
{
	char hex[2 * SNT_HASH_LEN + 1], buf[HEAD_FILE_MAX];
	int n;

	snt_hex_encode(hash, SNT_HASH_LEN, hex);
	/* i18n-exempt: the head file's lines, read back by read_head_file() and its parser */
	n = snprintf(buf, sizeof(buf), HEAD_MAGIC "\nseq %" PRId64 "\nhash %s\n", seq, hex);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return EINVAL;
	return snt_write_atomic(st->head_path, buf, (size_t)n, 0600);
}

static void seal_committed(struct snt_store *st);

void store__head_committed(struct snt_store *st, int64_t seq, const uint8_t hash[SNT_HASH_LEN])
{
	int e;

	seal_committed(st);
	if (st->head_mark_pending)
		st->head_marked = true;
	st->head_mark_pending = false;
	e = write_head(st, seq, hash);
	if (!e)
		st->head_exists = true;
	st->head_errno = e;
}

int snt_store_head_errno(const struct snt_store *st)
{
	if (!st)
		return 0;
	return st->head_errno ? st->head_errno : st->seal_errno;
}

enum snt_store_err store__log_head(struct snt_store *st, int64_t *seq, uint8_t hash[SNT_HASH_LEN])
{
	enum snt_store_err err = SNT_STORE_OK;
	int rc = sqlite3_step(st->st_last);

	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st->st_last, 0);
		if (!store__col_hash(st->st_last, 1, hash))
			err = store__fail_column(st, *seq, COL_HASH);
	} else if (rc == SQLITE_DONE) {
		*seq = 0;
		memset(hash, 0, SNT_HASH_LEN);
	} else {
		err = store__fail_sqlite(st, rc);
	}
	sqlite3_reset(st->st_last);
	return err;
}

enum snt_store_err snt_store_head_write(struct snt_store *st)
{
	uint8_t hash[SNT_HASH_LEN];
	enum snt_store_err err;
	int64_t seq;
	int e;
	char msg[128];

	if (!st)
		return SNT_STORE_ERR_INVAL;
	/* The file first, then the record that the log has one (a kill in between leaves both consistent). */
	err = store__begin(st);
	if (err)
		return err;
	err = store__log_head(st, &seq, hash);
	if (!err) {
		e = write_head(st, seq, hash);
		if (e) {
			store__rollback(st);
			snprintf(msg, sizeof(msg), _("head file: %s"), strerror(e));
			return store__fail_msg(st, SNT_STORE_ERR_IO, msg);
		}
		st->head_exists = true;
		err = store__head_mark(st);
	}
	if (err) {
		store__rollback(st);
		return err;
	}
	err = store__commit(st);
	if (err)
		return err;
	st->head_marked = st->head_mark_pending;
	st->head_mark_pending = false;
	return SNT_STORE_OK;
}

/* Parse the head file's text; false when it is not in the format. */
static bool parse_head(const char *b, size_t len, int64_t *seq, uint8_t hash[SNT_HASH_LEN])
{
	const char *p = b, *end = b + len;
	size_t m = sizeof(HEAD_MAGIC) - 1;
	int64_t v = 0;

	if (len < m + 1 || memcmp(p, HEAD_MAGIC "\n", m + 1))
		return false;
	p += m + 1;
	if (end - p < 6 || memcmp(p, "seq ", 4))
		return false;
	p += 4;
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] != '\n'))
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - (*p - '0')) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (p >= end || *p++ != '\n')
		return false;
	if ((size_t)(end - p) != 5 + 2 * SNT_HASH_LEN + 1 || memcmp(p, "hash ", 5) || end[-1] != '\n')
		return false;
	p += 5;
	if (snt_hex_decode_lower(p, SNT_HASH_LEN, hash))
		return false;
	*seq = v;
	return true;
}

/*
 * Read the head file into @buf: 0 and *@len; ENOENT when there is none;
 * else an errno value (or SNT_ESYMLINK, SNT_ENOTREG).
 */
static int read_head_file(const char *path, char *buf, size_t size, size_t *len)
{
	int fd, e;

	*len = 0;
	e = snt_open_companion(path, O_RDONLY, 0, &fd);
	if (e)
		return e;
	for (;;) {
		ssize_t r = read(fd, buf + *len, size - *len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		*len += (size_t)r;
		if (r == 0 || *len == size)
			break;
	}
	close(fd);
	return e;
}

/*
 * The log's hash at @seq: an entry's, a purge anchor's, 32 zero bytes for
 * 0.  *@found false when the log holds neither (purged inside a range, or
 * missing).
 */
static enum snt_store_err hash_at(struct snt_store *st, int64_t seq, uint8_t hash[SNT_HASH_LEN],
				  bool *found)
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	*found = false;
	if (seq == 0) {
		memset(hash, 0, SNT_HASH_LEN);
		*found = true;
		return SNT_STORE_OK;
	}
	err = store__prepare_bind(st, "SELECT hash FROM entries WHERE seq = ?1 UNION ALL "
				  "SELECT anchor_hash FROM purges WHERE last_seq = ?1 LIMIT 1",
				  &s, 1, &seq);
	if (err)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (!store__col_hash(s, 0, hash))
			err = store__fail_column(st, seq, COL_HASH);
		else
			*found = true;
	} else if (rc != SQLITE_DONE) {
		err = store__fail_sqlite(st, rc);
	}
out:
	sqlite3_finalize(s);
	return err;
}

enum snt_store_err snt_store_head_check(struct snt_store *st, struct snt_store_head *out)
{
	char buf[HEAD_FILE_MAX + 1], msg[sizeof(st->errmsg)];
	uint8_t at[SNT_HASH_LEN];
	enum snt_store_err err;
	int64_t marked, anchor;
	size_t len;
	bool found;
	int e;

	if (!st || !out)
		return SNT_STORE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	out->file_seq = -1;
	err = store__log_head(st, &out->log_seq, out->log_hash);
	if (err)
		return err;
	e = read_head_file(st->head_path, buf, sizeof(buf), &len);
	if (e == ENOENT) {
		err = store__query_int(st, "SELECT count(*) FROM meta WHERE key = 'head_file'", &marked);
		if (err)
			return err;
		out->state = marked ? SNT_HEAD_MISSING : SNT_HEAD_NONE;
		return SNT_STORE_OK;
	}
	if (e) {
		snprintf(msg, sizeof(msg), _("head file: %s"), snt_open_strerror(e));
		return store__fail_msg(st, SNT_STORE_ERR_OPEN, msg);
	}
	if (len > HEAD_FILE_MAX || !parse_head(buf, len, &out->file_seq, out->file_hash)) {
		out->file_seq = -1;
		out->state = SNT_HEAD_INVALID;
		return SNT_STORE_OK;
	}
	st->head_exists = true;
	if (out->file_seq > out->log_seq) {
		out->state = SNT_HEAD_BEHIND;
		return SNT_STORE_OK;
	}
	err = hash_at(st, out->file_seq, at, &found);
	if (err)
		return err;
	if (!found) {
		/* Purged inside a range (not at its end): nothing left to compare. */
		err = store__query_int(st, "SELECT coalesce(max(last_seq), 0) FROM purges", &anchor);
		if (err)
			return err;
		out->state = out->file_seq < anchor ? SNT_HEAD_OK : SNT_HEAD_BEHIND;
		return SNT_STORE_OK;
	}
	out->state = memcmp(at, out->file_hash, SNT_HASH_LEN) ? SNT_HEAD_FORKED : SNT_HEAD_OK;
	return SNT_STORE_OK;
}

const char *snt_head_state_name(enum snt_head_state s)
{
	static const char *const names[] = { "ok", "none", "missing", "behind", "forked", "invalid" };

	return (unsigned)s < SNT_ARRAY_SIZE(names) ? names[s] : NULL;
}

/* ---- The seal ---- */

enum snt_store_err snt_store_seal_attach(struct snt_store *st, const char *path)
{
	struct snt_fss *k;
	enum snt_fss_err serr;
	enum snt_store_err err;
	int64_t last;
	char msg[200];
	int e;

	if (!st || !path || strlen(path) >= sizeof(st->seal_path))
		return SNT_STORE_ERR_INVAL;
	if (st->readonly)
		return store__fail_msg(st, SNT_STORE_ERR_READONLY, _("store opened read-only"));
	k = calloc(1, sizeof(*k));
	if (!k)
		return store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("out of memory"));
	serr = snt_fss_read(path, k, &e);
	if (serr) {
		snprintf(msg, sizeof(msg), _("seal key: %s%s%s"), snt_fss_strerror(serr),
			 e ? ": " : "", e ? snt_open_strerror(e) : "");
		err = store__fail_msg(st, serr == SNT_FSS_ERR_IO ? SNT_STORE_ERR_OPEN : SNT_STORE_ERR_CORRUPT,
				      msg);
		goto err_free;
	}
	err = store__query_int(st, "SELECT coalesce(max(epoch), -1) FROM seals", &last);
	if (err)
		goto err_free;
	if (last > k->epoch && snt_fss_evolve(k, last) != SNT_FSS_OK) {
		err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, _("seal: the log's last epoch is out of range"));
		goto err_free;
	}
	if (!st->st_seal) {
		err = store__prepare(st, "INSERT INTO seals (seq, epoch, tag) VALUES (?1, ?2, ?3)", &st->st_seal);
		if (err)
			goto err_free;
	}
	if (st->seal) {
		snt_fss_wipe(st->seal);
		free(st->seal);
	}
	st->seal = k;
	snt_strlcpy(st->seal_path, path, sizeof(st->seal_path));
	return SNT_STORE_OK;

err_free:
	snt_fss_wipe(k);
	free(k);
	return err;
}

void store__seal_begin(struct snt_store *st)
{
	if (st->seal)
		st->seal_next = *st->seal;
}

int64_t snt_store_seal_epoch(const struct snt_fss *k, const struct snt_entry *e)
{
	if (!k)
		return 0;
	if (!e)
		return k->epoch;
	return e->clock == SNT_CLOCK_TRUSTED ? snt_fss_epoch_at(k, e->time_utc_ms) : k->epoch;
}

enum snt_store_err store__seal_entry(struct snt_store *st, const struct snt_entry *e)
{
	uint8_t tag[SNT_FSS_TAG_LEN];
	enum snt_store_err err;
	int64_t epoch;
	int rc;

	if (!st->seal || e->seq < st->seal_next.first_seq)
		return SNT_STORE_OK;
	epoch = snt_store_seal_epoch(&st->seal_next, e);
	if (snt_fss_evolve(&st->seal_next, epoch) != SNT_FSS_OK)
		return store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("seal: key evolution failed"));
	if (snt_fss_tag(&st->seal_next, e->seq, e->hash, tag) != SNT_FSS_OK)
		return store__fail_msg(st, SNT_STORE_ERR_NOMEM, _("seal: HMAC failed"));
	rc = sqlite3_bind_int64(st->st_seal, 1, e->seq);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st->st_seal, 2, st->seal_next.epoch);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st->st_seal, 3, tag, sizeof(tag), SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st->st_seal);
	err = rc == SQLITE_DONE ? SNT_STORE_OK : store__fail_sqlite(st, rc);
	sqlite3_reset(st->st_seal);
	sqlite3_clear_bindings(st->st_seal);
	return err;
}

/* After the commit: the key moves on to the last entry's epoch, the earlier one erased. */
static void seal_committed(struct snt_store *st)
{
	int w;

	if (!st->seal)
		return;
	if (st->seal_next.epoch > st->seal->epoch) {
		*st->seal = st->seal_next;
		if (snt_fss_write(st->seal_path, st->seal, &w) != SNT_FSS_OK)
			st->seal_errno = w ? w : EIO;
		else
			st->seal_errno = 0;
	}
	snt_fss_wipe(&st->seal_next);
}

void store__seal_abort(struct snt_store *st)
{
	snt_fss_wipe(&st->seal_next);
}

enum snt_store_err snt_store_seal_get(struct snt_store *st, int64_t seq, int64_t *epoch,
				      uint8_t tag[SNT_FSS_TAG_LEN])
{
	sqlite3_stmt *s = NULL;
	enum snt_store_err err;
	int rc;

	if (!st || !epoch || !tag)
		return SNT_STORE_ERR_INVAL;
	err = store__prepare_bind(st, "SELECT epoch, tag FROM seals WHERE seq = ?1", &s, 1, &seq);
	if (err)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(s, 1) != SQLITE_BLOB || sqlite3_column_bytes(s, 1) != SNT_FSS_TAG_LEN) {
			err = store__fail_msg(st, SNT_STORE_ERR_CORRUPT, _("seal: tag is not 32 bytes"));
			goto out;
		}
		*epoch = sqlite3_column_int64(s, 0);
		memcpy(tag, sqlite3_column_blob(s, 1), SNT_FSS_TAG_LEN);
	} else {
		err = rc == SQLITE_DONE ? SNT_STORE_ERR_DONE : store__fail_sqlite(st, rc);
	}
out:
	sqlite3_finalize(s);
	return err;
}
