// SPDX-License-Identifier: MIT
/*
 * Log forger for test-log-seal.sh (a helper program, not a test): rewrites
 * a sealed log as someone who took the gate, with its current seal key,
 * would (issue 14 item 5c).  Entry SEQ, denied on a red code, is made an
 * admission on a green code with the door opened; every hash from SEQ on
 * is recomputed; every seal from SEQ on is made again with the key file
 * KEYFILE at its epoch; the head file DB.head names the new last hash.
 *
 *   seal-forge DB KEYFILE SEQ
 *
 * Exit 0, or 1 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/common.h"
#include "fss/fss.h"
#include "store/store.h"

static int die_msg(const char *what, const char *why)
{
	fprintf(stderr, "seal-forge: %s: %s\n", what, why);
	return 1;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "seal-forge: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct snt_store *st = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *up_e = NULL, *up_s = NULL;
	struct snt_fss k;
	struct snt_entry e;
	uint8_t prev[SNT_HASH_LEN], h[SNT_HASH_LEN], tag[SNT_FSS_TAG_LEN];
	char sql[256], head[4096], hex[2 * SNT_HASH_LEN + 1];
	int64_t seq, last;
	FILE *fp;
	int rc = 1;

	if (argc != 4)
		return die_msg("usage", "seal-forge DB KEYFILE SEQ");
	seq = strtoll(argv[3], NULL, 10);
	if (seq < 2)
		return die_msg(argv[3], "SEQ must be 2 or more");
	if (snt_fss_read(argv[2], &k, NULL) != SNT_FSS_OK)
		return die_msg(argv[2], "cannot read the seal key");
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		goto out_db;
	snprintf(sql, sizeof(sql), "DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS "
		 "seals_no_update; UPDATE entries SET decision = 'admit', reasons = 'code-green,temp-normal', "
		 "colour = 'green', door = 'opened' WHERE seq = %lld", (long long)seq);
	if (exec_sql(db, sql))
		goto out;
	if (snt_store_open(argv[1], true, &st) != SNT_STORE_OK) {
		die_msg(argv[1], "cannot open the log");
		goto out;
	}
	if (snt_store_last_seq(st, &last) != SNT_STORE_OK || snt_store_get(st, seq - 1, &e) != SNT_STORE_OK) {
		die_msg(argv[1], "cannot read the log");
		goto out;
	}
	memcpy(prev, e.hash, SNT_HASH_LEN);
	if (sqlite3_prepare_v2(db, "UPDATE entries SET prev_hash = ?1, hash = ?2 WHERE seq = ?3", -1, &up_e,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "UPDATE seals SET epoch = ?1, tag = ?2 WHERE seq = ?3", -1, &up_s, NULL) !=
		    SQLITE_OK)
		goto out_db;
	for (int64_t q = seq; q <= last; q++) {
		if (snt_store_get(st, q, &e) != SNT_STORE_OK) {
			die_msg(argv[1], "cannot read an entry");
			goto out;
		}
		memcpy(e.prev_hash, prev, SNT_HASH_LEN);
		if (snt_store_entry_hash(&e, h) != SNT_STORE_OK || snt_fss_tag(&k, q, h, tag) != SNT_FSS_OK) {
			die_msg(argv[1], "cannot hash or seal an entry");
			goto out;
		}
		sqlite3_bind_blob(up_e, 1, prev, SNT_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_blob(up_e, 2, h, SNT_HASH_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up_e, 3, q);
		sqlite3_bind_int64(up_s, 1, k.epoch);
		sqlite3_bind_blob(up_s, 2, tag, SNT_FSS_TAG_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up_s, 3, q);
		if (sqlite3_step(up_e) != SQLITE_DONE || sqlite3_step(up_s) != SQLITE_DONE)
			goto out_db;
		sqlite3_reset(up_e);
		sqlite3_reset(up_s);
		memcpy(prev, h, SNT_HASH_LEN);
	}
	snt_hex_encode(prev, SNT_HASH_LEN, hex);
	snprintf(head, sizeof(head), "%s.head", argv[1]);
	fp = fopen(head, "w");
	if (!fp || fprintf(fp, "sentinel-head-v1\nseq %lld\nhash %s\n", (long long)last, hex) < 0 || fclose(fp)) {
		die_msg(head, "cannot write the head file");
		goto out;
	}
	rc = 0;
	goto out;
out_db:
	die_msg(argv[1], sqlite3_errmsg(db));
out:
	sqlite3_finalize(up_e);
	sqlite3_finalize(up_s);
	snt_store_close(st);
	sqlite3_close(db);
	snt_fss_wipe(&k);
	return rc;
}
