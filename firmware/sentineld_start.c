// SPDX-License-Identifier: MIT
/*
 * sentineld's start-up steps (sentineld_internal.h): the checks of
 * `sentineld -n`, the log's lock, head file, fallback journal and seal key,
 * the trust store, and the state restored from the log at start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "fss/fss.h"
#include "sign/sign.h"

#include "common/i18n.h"
#include "sentineld_internal.h"

int sentineld__load_trust(const struct snt_config *cfg, struct snt_trust **out, char *err, size_t size)
{
	enum snt_trust_err terr;
	struct snt_trust *t = NULL;

	*out = NULL;
	if (!cfg->trust[0])
		return 0;
	terr = snt_trust_new(&t);
	if (terr == SNT_TRUST_OK)
		terr = snt_trust_load(t, cfg->trust);
	if (terr != SNT_TRUST_OK) {
		/* A long path truncates the message; snprintf still terminates it. */
		if (snprintf(err, size, _("key 'trust': %s: %s%s%s"), cfg->trust, snt_trust_strerror(terr),
			     terr == SNT_TRUST_ERR_IO ? ": " : "",
			     terr == SNT_TRUST_ERR_IO ? strerror(errno) : "") >= (int)size)
			err[size - 1] = '\0';
		snt_trust_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

void sentineld__restore_occupancy(struct ctx *c)
{
	int64_t now = snt_clock_utc_ms(&c->board->clock), since;
	struct snt_store_event_iter *evs = NULL;
	struct snt_store_iter *it = NULL;
	struct snt_store_query q;
	enum snt_store_err serr, eerr;
	struct snt_event ev;
	struct snt_entry e;

	if (snt_clock_local_midnight(now, &since)) {
		log_warnx(&c->log, _("occupancy not restored: the local day of the clock is unknown"));
		return;
	}
	memset(&q, 0, sizeof(q));
	q.since_utc_ms = since;
	q.decisions = 1u << SNT_DECISION_ADMIT;
	q.kinds = 1u << SNT_KIND_VISITOR;
	serr = snt_store_query_new(c->store, &q, &it);
	eerr = serr == SNT_STORE_OK ? snt_store_events_new(c->store, SNT_EVENT_EXIT, since, 0, &evs) : serr;
	if (eerr == SNT_STORE_OK)
		eerr = snt_store_events_next(evs, &ev);
	while (serr == SNT_STORE_OK && (serr = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		for (; eerr == SNT_STORE_OK && ev.time_utc_ms <= e.time_utc_ms; eerr = snt_store_events_next(evs, &ev))
			snt_checkin_occupancy_restore(c->checkin, true, ev.time_utc_ms);
		if (e.door == SNT_DOOR_OPENED)
			snt_checkin_occupancy_restore(c->checkin, false, e.time_utc_ms);
	}
	for (; eerr == SNT_STORE_OK; eerr = snt_store_events_next(evs, &ev))
		snt_checkin_occupancy_restore(c->checkin, true, ev.time_utc_ms);
	snt_store_iter_free(it);
	snt_store_events_free(evs);
	if (serr != SNT_STORE_ERR_DONE || eerr != SNT_STORE_ERR_DONE)
		log_warnx(&c->log, _("log database %s: occupancy not fully restored: %s"), c->cfg.db,
			  snt_store_strerror(serr != SNT_STORE_ERR_DONE ? serr : eerr));
	log_debug(&c->log, _("occupancy at start: %lld"), (long long)snt_checkin_occupancy(c->checkin));
}

void sentineld__load_last_trusted(struct ctx *c)
{
	int64_t last_trusted = 0, at_boot = 0;
	enum snt_store_err serr;
	bool same_boot;

	serr = snt_store_last_trusted_utc(c->store, &last_trusted);
	if (serr != SNT_STORE_OK) {
		log_warnx(&c->log, _("log database %s: latest trusted time: %s"), c->cfg.db, snt_store_strerror(serr));
		return;
	}
	same_boot = snt_store_get_rebase(c->store, c->board->boot_id, &at_boot) == SNT_STORE_OK &&
		    last_trusted >= at_boot;
	snt_checkin_set_last_trusted(c->checkin, last_trusted, same_boot ? last_trusted - at_boot : 0, same_boot);
}

void sentineld__restore_passes(struct ctx *c)
{
	struct seen { char id[SNT_CREDENTIAL_ID_LEN]; uint32_t admits; int64_t last_ms; } *seen;
	int64_t now = snt_clock_utc_ms(&c->board->clock), exits;
	struct snt_store_iter *it = NULL;
	struct snt_store_query q;
	struct snt_entry e;
	enum snt_store_err serr;
	size_t n = 0;

	seen = calloc(SNT_PASS_SLOTS, sizeof(*seen));
	if (!seen) {
		log_warnx(&c->log, _("visit passes: out of memory; their use is not restored"));
		return;
	}
	memset(&q, 0, sizeof(q));
	q.since_utc_ms = now > SNT_PASS_MEMORY_MS ? now - SNT_PASS_MEMORY_MS : 1;
	q.decisions = 1u << SNT_DECISION_ADMIT;
	q.kinds = 1u << SNT_KIND_VISITOR;
	serr = snt_store_query_new(c->store, &q, &it);
	while (serr == SNT_STORE_OK && (serr = snt_store_iter_next(it, &e)) == SNT_STORE_OK) {
		json_t *d = e.detail[0] ? json_loads(e.detail, 0, NULL) : NULL;
		const char *id = json_string_value(json_object_get(d, "pass"));
		size_t i;

		for (i = 0; id && i < n && strcmp(seen[i].id, id); i++)
			;
		if (id && i == n && n < SNT_PASS_SLOTS)
			snt_strlcpy(seen[n++].id, id, sizeof(seen[0].id));
		if (id && i < n) {
			seen[i].admits++;
			seen[i].last_ms = e.time_utc_ms;
		}
		json_decref(d);
	}
	snt_store_iter_free(it);
	if (serr != SNT_STORE_ERR_DONE)
		log_warnx(&c->log, _("log database %s: visit passes: %s; their use is not restored"), c->cfg.db,
			  snt_store_strerror(serr));
	for (size_t i = 0; serr == SNT_STORE_ERR_DONE && i < n; i++) {
		if (snt_store_events_count(c->store, SNT_EVENT_EXIT, seen[i].last_ms + 1, 0, &exits) != SNT_STORE_OK)
			exits = 0;
		snt_checkin_pass_restore(c->checkin, seen[i].id, seen[i].admits, exits == 0);
	}
	free(seen);
}

int sentineld__explain_db(const char *path, char *buf, size_t size)
{
	char dir[PATH_MAX];
	struct stat sb;

	if (stat(path, &sb) == 0) {
		struct snt_store *st = NULL;
		enum snt_store_err err;
		char which[PATH_MAX];
		int rc = snt_db_companions_check(path, which, sizeof(which));

		if (rc) {
			if (snprintf(buf, size, "%s: %s", which, snt_open_strerror(rc)) >= (int)size)
				buf[size - 1] = '\0';	/* cut, still naming the file */
			return -1;
		}

		if (S_ISDIR(sb.st_mode)) {
			snprintf(buf, size, "%s", strerror(EISDIR));
			return -1;
		}
		if (!S_ISREG(sb.st_mode)) {
			snprintf(buf, size, _("not a regular file"));
			return -1;
		}
		if (access(path, R_OK | W_OK) != 0) {
			snprintf(buf, size, "%s", strerror(errno));
			return -1;
		}
		if (sb.st_size == 0)
			return 0;	/* an empty file becomes a new log */
		err = snt_store_open(path, true, &st);
		snt_store_close(st);
		if (err != SNT_STORE_OK) {
			snprintf(buf, size, "%s", snt_store_strerror(err));
			return -1;
		}
		return 0;
	}
	snt_dir_of(path, dir, sizeof(dir));
	if (stat(dir, &sb) != 0) {
		snprintf(buf, size, _("directory %.512s: %s"), dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(buf, size, _("%.512s is not a directory"), dir);
		return -1;
	}
	if (access(dir, W_OK) != 0) {
		snprintf(buf, size, _("directory %.512s: %s"), dir, strerror(errno));
		return -1;
	}
	return 0;
}

int sentineld__check_config(struct ctx *c)
{
	struct snt_trust *t;
	char err[1024];

	/* First, so that it shows even when the board's devices are not there. */
	if (!c->cfg.enrolled)
		printf(_("%s: not enrolled (no %s): the gate opens for nobody until 'sentinelctl enrol'\n"),
		       c->config_path, c->cfg.enrolment);
	if (fflush(stdout) != 0)
		return 1;
	if (snt_board_check(&c->cfg, err, sizeof(err)) != SNT_HAL_OK) {
		fprintf(stderr, _("sentineld: board %s: %s\n"), c->cfg.board, err);
		return 1;
	}
	if (sentineld__explain_db(c->cfg.db, err, sizeof(err))) {
		fprintf(stderr, _("sentineld: log database %s: %s\n"), c->cfg.db, err);
		return 1;
	}
	if (sentineld__load_trust(&c->cfg, &t, err, sizeof(err))) {
		fprintf(stderr, "sentineld: %s: %s\n", c->config_path, err);
		return 1;
	}
	snt_trust_free(t);
	printf(_("%s: configuration OK\n"), c->config_path);
	return 0;
}

int sentineld__open_journal(struct ctx *c)
{
	enum snt_journal_err jerr;
	enum snt_store_err serr;
	char path[PATH_MAX];
	size_t merged = 0;

	if (snprintf(path, sizeof(path), "%s.journal", c->cfg.db) >= (int)sizeof(path)) {
		log_warnx(&c->log, _("fallback journal: path too long"));
		return -1;
	}
	jerr = snt_journal_open(path, &c->journal);
	if (jerr != SNT_JOURNAL_OK) {
		log_warnx(&c->log, _("fallback journal %s: %s%s%s"), path, snt_journal_strerror(jerr),
			  jerr == SNT_JOURNAL_ERR_IO ? ": " : "",
			  jerr == SNT_JOURNAL_ERR_IO ? strerror(errno) : "");
		return -1;
	}
	if (!snt_journal_pending(c->journal))
		return 0;
	jerr = snt_journal_merge(c->journal, c->store, &merged, &serr);
	if (jerr == SNT_JOURNAL_OK)
		log_info(&c->log, P_("fallback journal: %zu entry merged into the log",
				      "fallback journal: %zu entries merged into the log", merged), merged);
	else
		log_warnx(&c->log, P_("fallback journal: %zu entry merged, %zu pending: %s (%s)",
					"fallback journal: %zu entries merged, %zu pending: %s (%s)", merged), merged,
			  snt_journal_pending(c->journal), snt_journal_strerror(jerr),
			  snt_store_strerror(serr));
	return 0;
}

int sentineld__check_head(struct ctx *c)
{
	char lh[2 * SNT_HASH_LEN + 1], fh[2 * SNT_HASH_LEN + 1];
	struct snt_store_head h;
	enum snt_store_err serr;

	serr = snt_store_head_check(c->store, &h);
	if (serr) {
		log_warnx(&c->log, _("log database %s: %s: %s"), c->cfg.db, snt_store_strerror(serr),
			  snt_store_errmsg(c->store));
		return -1;
	}
	snt_hex_encode(h.log_hash, SNT_HASH_LEN, lh);
	snt_hex_encode(h.file_hash, SNT_HASH_LEN, fh);
	switch (h.state) {
	case SNT_HEAD_OK:
		return 0;
	case SNT_HEAD_NONE:
		serr = snt_store_head_write(c->store);
		if (serr) {
			log_warnx(&c->log, _("log database %s: cannot write its head file: %s"), c->cfg.db,
				  snt_store_errmsg(c->store));
			return -1;
		}
		if (h.log_seq > 0)
			log_info(&c->log, _("log database %s: head file written at seq %lld"), c->cfg.db,
				 (long long)h.log_seq);
		return 0;
	case SNT_HEAD_BEHIND:
		log_warnx(&c->log, _("log database %s: the log went backwards: it ends at seq %lld (hash %.16s), "
			  "its head file %s.head records seq %lld (hash %.16s); refusing to start "
			  "(entries are missing; see sentineld(8))"), c->cfg.db, (long long)h.log_seq, lh,
			  c->cfg.db, (long long)h.file_seq, fh);
		return -1;
	case SNT_HEAD_FORKED:
		log_warnx(&c->log, _("log database %s: the log holds another entry at seq %lld than its head "
			  "file %s.head records (log ends at seq %lld; hash at seq %lld in the head file %.16s); "
			  "refusing to start (see sentineld(8))"), c->cfg.db, (long long)h.file_seq, c->cfg.db,
			  (long long)h.log_seq, (long long)h.file_seq, fh);
		return -1;
	case SNT_HEAD_MISSING:
		log_warnx(&c->log, _("log database %s: its head file %s.head is missing (the log ends at seq "
			  "%lld); refusing to start (see sentineld(8))"), c->cfg.db, c->cfg.db,
			  (long long)h.log_seq);
		return -1;
	case SNT_HEAD_INVALID:
		log_warnx(&c->log, _("log database %s: its head file %s.head is not a head file (the log ends "
			  "at seq %lld); refusing to start (see sentineld(8))"), c->cfg.db, c->cfg.db,
			  (long long)h.log_seq);
		return -1;
	}
	return -1;
}

void sentineld__attach_seal(struct ctx *c)
{
	char path[PATH_MAX];
	enum snt_store_err serr;

	if (!c->cfg.sync_device_key[0] ||
	    snt_fss_key_path(c->cfg.sync_device_key, ".seal", path, sizeof(path))) {
		log_debug(&c->log, _("no seal key configured: entries are not sealed"));
		return;
	}
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		log_debug(&c->log, _("no seal key at %s: entries are not sealed"), path);
		return;
	}
	serr = snt_store_seal_attach(c->store, path);
	if (serr)
		log_warnx(&c->log, _("%s: %s; entries are not sealed"), path, snt_store_errmsg(c->store));
	else
		log_debug(&c->log, _("entries sealed with %s"), path);
}

int sentineld__lock_instance(struct ctx *c)
{
	char path[PATH_MAX];
	int rc;

	if (snprintf(path, sizeof(path), "%s.lock", c->cfg.db) >= (int)sizeof(path)) {
		log_warnx(&c->log, _("lock file: path too long"));
		return -1;
	}
	rc = snt_open_companion(path, O_RDWR | O_CREAT, 0600, &c->lockfd);
	if (rc) {
		log_warnx(&c->log, _("lock file %s: %s"), path, snt_open_strerror(rc));
		return -1;
	}
	if (flock(c->lockfd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			log_warnx(&c->log, _("another sentineld is running on %s"), c->cfg.db);
		else
			log_warn(&c->log, _("lock file %s"), path);
		return -1;
	}
	return 0;
}

int sentineld__setup_signals(struct ctx *c)
{
	sigset_t set;

	/*
	 * A display, sound or socket peer that goes away fails the write with
	 * EPIPE (a device fault) instead of killing the daemon.
	 */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	c->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return c->sigfd < 0 ? -1 : 0;
}
