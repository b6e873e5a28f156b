// SPDX-License-Identifier: MIT
/*
 * sentinelctl sync usb [--config FILE] MOUNTPOINT
 * sentinelctl sync online [--config FILE] [--if-configured]
 *
 * The gate's side of the exchange with the bureau (firmware/sync/sync.h):
 *
 * usb: proves MOUNTPOINT is a removable stick that is really there
 * (firmware/sync/usb.h), imports what the bureau left in
 * MOUNTPOINT/sentinel/<device_id>/in/ (acknowledgements, signed time, rule
 * sets), then writes the bundles of the entries not yet acknowledged to
 * .../out/ (each to a temporary name, fsync, rename, directory fsync, read
 * back and SHA-256 compared) and removes from out/ the bundles the bureau
 * has acknowledged.  Importing first means a stick that carries an
 * acknowledgement only gets what the bureau does not hold yet.
 *
 * online: POSTs the bundles (priority first) to [sync] bureau_url +
 * /v1/bundle over TLS with [sync] bureau_ca pinned, applying each signed
 * acknowledgement; retries with exponential backoff and full jitter.
 *
 * Both print a one-screen summary and record a sync event in the log.
 * Exit 0 ok, 1 any failure (the summary's errors line names it), 2 usage or
 * configuration error; a gate that is not enrolled is refused ("not
 * enrolled") before anything is read.  online --if-configured (the
 * timer's): a gate not enrolled, or one with no [sync] bureau_url (it syncs
 * by stick only), is nothing to do: one line on stdout, exit 0.
 *
 * Hidden options, for tests only: --sysfs-root DIR and --mountinfo FILE
 * (usb: the sysfs tree and mountinfo file the mount proof reads),
 * --write-delay-ms N (usb: pause before each file, to pull a stick
 * mid-write), --backoff-ms N (online: the first backoff ceiling instead of
 * 1000 ms).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "clock/clock.h"
#include "config/config.h"
#include "sign/sign.h"
#include "store/store.h"
#include "sync/bundle.h"
#include "sync/sync.h"
#include "sync/usb.h"
#include "tools/common.h"
#include "common/i18n.h"
#include "tools/sync_rules.h"

#define CMD "sync"
#define WHY 1024
#define BACKOFF_MAX_MS 60000

struct config {
	const char *config;
	const char *mode;		/* "usb" or "online" */
	const char *mountpoint;
	const char *sysfs_root;
	const char *mountinfo;
	long write_delay_ms;
	long backoff_ms;
	bool if_configured;		/* online: nothing to do without enrolment or bureau_url */
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl sync usb [--config FILE] MOUNTPOINT\n"
		"       sentinelctl sync online [--config FILE] [--if-configured]\n"
		"\n"
		"usb: exchange with the bureau through a USB stick mounted at MOUNTPOINT\n"
		"(it must be a mounted removable device that is there): read what the\n"
		"bureau left in MOUNTPOINT/sentinel/<device_id>/in/ (acknowledgements,\n"
		"signed time, rule sets), then write the bundles of the entries not yet\n"
		"acknowledged to .../out/.\n"
		"online: send the bundles to [sync] bureau_url over TLS ([sync] bureau_ca\n"
		"pinned), retrying with backoff; the acknowledgement cursor moves only on\n"
		"the bureau's signed acknowledgement.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"  --if-configured    online: exit 0 with one line when the gate is not\n"
		"                     enrolled or has no [sync] bureau_url (the timer's)\n"
		"  -h, --help         show this help\n"
		"\n"
		"Exit status: 0 ok; 1 a failure (named in the summary); 2 usage or\n"
		"configuration error.\n"), SNT_CONFIG_DEFAULT_PATH);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	enum { O_SYSFS = 256, O_MOUNTINFO, O_DELAY, O_BACKOFF, O_IF_CONFIGURED };
	static const struct option longopts[] = {
		CTL_OPT_CONFIG,
		CTL_OPT_HELP,
		{ "sysfs-root", required_argument, NULL, O_SYSFS },
		{ "mountinfo", required_argument, NULL, O_MOUNTINFO },
		{ "write-delay-ms", required_argument, NULL, O_DELAY },
		{ "backoff-ms", required_argument, NULL, O_BACKOFF },
		{ "if-configured", no_argument, NULL, O_IF_CONFIGURED },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	cfg->backoff_ms = 1000;
	while ((c = ctl_getopt_keep(argc, argv, ":c:h", longopts, 'c', &cfg->config)) != -1) {
		switch (c) {
		case O_SYSFS:
			cfg->sysfs_root = optarg;
			break;
		case O_MOUNTINFO:
			cfg->mountinfo = optarg;
			break;
		case O_IF_CONFIGURED:
			cfg->if_configured = true;
			break;
		case O_DELAY:
			if (parse_long(optarg, 0, 600000, &cfg->write_delay_ms)) {
				ctl_err(CMD, _("--write-delay-ms: '%s' is not 0-600000"), optarg);
				return -1;
			}
			break;
		case O_BACKOFF:
			if (parse_long(optarg, 0, 600000, &cfg->backoff_ms)) {
				ctl_err(CMD, _("--backoff-ms: '%s' is not 0-600000"), optarg);
				return -1;
			}
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (optind >= argc) {
		ctl_err(CMD, _("missing mode: usb MOUNTPOINT or online"));
		return -1;
	}
	cfg->mode = argv[optind++];
	if (!strcmp(cfg->mode, "usb")) {
		if (optind >= argc) {
			ctl_err(CMD, _("usb: missing MOUNTPOINT"));
			return -1;
		}
		cfg->mountpoint = argv[optind++];
		if (!*cfg->mountpoint) {
			ctl_err(CMD, _("usb: empty MOUNTPOINT"));
			return -1;
		}
		if (cfg->if_configured) {
			ctl_err(CMD, _("--if-configured goes with online"));
			return -1;
		}
	} else if (strcmp(cfg->mode, "online") != 0) {
		ctl_err(CMD, _("unknown mode '%s' (usb or online)"), cfg->mode);
		return -1;
	}
	if (optind < argc) {
		ctl_err(CMD, _("unexpected argument '%s'"), argv[optind]);
		return -1;
	}
	if (!*cfg->config || (cfg->sysfs_root && !*cfg->sysfs_root) ||
	    (cfg->mountinfo && !*cfg->mountinfo)) {
		ctl_err(CMD, _("an option needs a non-empty path"));
		return -1;
	}
	return 0;
}

/* Everything a sync run holds. */
struct run {
	struct snt_config sc;
	struct snt_store *st;
	EVP_PKEY *device_key;
	EVP_PKEY *bureau_key;
	struct snt_clock clock;
	char boot_id[SNT_BOOT_ID_LEN];
	struct snt_sync_ctx ctx;
	int lock_fd;			/* <db>.sync.lock, flock()ed for the whole run; -1 none */
	int errors;
	/* the summary */
	int acks, acks_stale, verdicts, contradictions, skipped, conflicts;
	int64_t ack_before, ack_after;
	enum snt_sync_time_status time;
	int64_t time_utc_ms;
	int files_written, files_removed;
	int64_t bytes_written;
	struct snt_sync_export_result exp;
	bool send_failed;		/* the export stopped on an error */
	char rules[160];
	char trust[200];	/* the trust list's summary line, "" when none came */
	char issuers[200];	/* the issuer list's summary line, "" when none came */
};

/*
 * Names from a stick are hostile: a '\n' or ESC in a file name would forge
 * output lines or colour the terminal.  Controls are printed escaped
 * (snt_escape(): \xNN, \uNNNN).
 */
static void put_escaped(FILE *f, const char *s)
{
	char *e = snt_escape_dup(s, 0);

	fputs(e ? e : _("(out of memory)"), f);
	free(e);
}

static void error_line(struct run *r, const char *fmt, ...) SNT_PRINTF(2, 3);
static void error_line(struct run *r, const char *fmt, ...)
{
	char line[2 * PATH_MAX + 1024];
	va_list ap;

	r->errors++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* i18n-exempt: the program and command names */
	fprintf(stderr, "sentinelctl: sync: ");
	put_escaped(stderr, line);
	fputc('\n', stderr);
}

/* Load the configuration, keys and log of a run into @r: 0, or the exit status with the message printed. */
static int run_load(struct run *r, const struct config *cfg)
{
	enum snt_store_err se;
	enum snt_sign_err ke;

	r->lock_fd = -1;
	if (ctl_config_load(CMD, cfg->config, &r->sc))
		return SNT_EXIT_USAGE;
	if (!r->sc.enrolled) {
		ctl_err(CMD, _("not enrolled (no %s): nothing to sync; enrol the gate first ('sentinelctl enrol')"),
			r->sc.enrolment);
		return SNT_EXIT_USAGE;
	}
	if (!snt_bundle_device_id_valid(r->sc.device_id)) {
		ctl_err(CMD, _("%s: [station] device_id '%s' is not 1-63 of [A-Za-z0-9._-]"), r->sc.path,
			r->sc.device_id);
		return SNT_EXIT_USAGE;
	}
	errno = 0;
	ke = snt_sign_key_load_private(r->sc.sync_device_key, &r->device_key);
	if (ke) {
		ctl_err(CMD, _("device key %s: %s%s%s%s"), r->sc.sync_device_key, snt_sign_strerror(ke),
			ke == SNT_SIGN_ERR_OPEN ? ": " : "",
			ke == SNT_SIGN_ERR_OPEN ? strerror(errno) : "",
			ke == SNT_SIGN_ERR_OPEN ? _(" (run 'sentinelctl keys init')") : "");
		return SNT_EXIT_USAGE;
	}
	errno = 0;
	ke = snt_sign_key_load_public(r->sc.sync_bureau_key, &r->bureau_key);
	if (ke) {
		ctl_err(CMD, _("bureau key %s: %s%s%s"), r->sc.sync_bureau_key, snt_sign_strerror(ke),
			ke == SNT_SIGN_ERR_OPEN ? ": " : "", ke == SNT_SIGN_ERR_OPEN ? strerror(errno) : "");
		return SNT_EXIT_USAGE;
	}
	if (ctl_db_companions(CMD, r->sc.db))
		return SNT_EXIT_USAGE;
	se = snt_store_open(r->sc.db, false, &r->st);
	if (se) {
		ctl_store_open_error(CMD, r->sc.db, se);
		return SNT_EXIT_USAGE;
	}
	snt_clock_system(&r->clock);
	if (snt_clock_boot_id(r->boot_id, sizeof(r->boot_id)) != 0) {
		ctl_err(CMD, _("cannot read the boot id: %s"), strerror(errno));
		return SNT_EXIT_USAGE;
	}
	r->ctx.st = r->st;
	r->ctx.device_key = r->device_key;
	r->ctx.bureau_key = r->bureau_key;
	r->ctx.device_id = r->sc.device_id;
	r->ctx.clock = &r->clock;
	r->ctx.boot_id = r->boot_id;
	if (snt_store_get_ack(r->st, &r->ack_before) != SNT_STORE_OK)
		r->ack_before = 0;
	r->ack_after = r->ack_before;
	return 0;
}

/*
 * One sync at a time per log: concurrent runs on the same stick would remove
 * each other's temporary and read-back files.  flock() on <db>.sync.lock
 * (beside the log), held until the process ends.
 * Return: 0, or SNT_EXIT_FAIL with the message printed.
 */
static int run_lock(struct run *r)
{
	char path[PATH_MAX];
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s.sync.lock", r->sc.db) >= sizeof(path)) {
		ctl_err(CMD, _("%s: [store] db path too long for its lock file"), r->sc.path);
		return SNT_EXIT_FAIL;
	}
	rc = snt_open_companion(path, O_RDWR | O_CREAT, 0600, &r->lock_fd);
	if (rc) {
		ctl_err(CMD, _("cannot open the lock %s: %s"), path, snt_open_strerror(rc));
		return SNT_EXIT_FAIL;
	}
	if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			ctl_err(CMD, _("another sync is running (lock %s)"), path);
		else
			ctl_err(CMD, _("cannot lock %s: %s"), path, strerror(errno));
		return SNT_EXIT_FAIL;
	}
	return 0;
}

static void run_close(struct run *r)
{
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	snt_store_close(r->st);
	EVP_PKEY_free(r->device_key);
	EVP_PKEY_free(r->bureau_key);
}

/*
 * Start a run in @r (zeroed first): run_load(), then run_lock(); on failure
 * @r is closed again.  Return: 0, or the exit status with the message printed.
 */
static int run_open(struct run *r, const struct config *cfg)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = run_load(r, cfg);
	if (!rc)
		rc = run_lock(r);
	if (rc)
		run_close(r);
	return rc;
}

static void fmt_time(int64_t ms, char *buf, size_t size)
{
	if (snt_clock_format_rfc3339(ms, buf, size) != 0)
		snt_strlcpy(buf, "?", size);
}

/* Record the run as a sync event (no personal data: counts only). */
static void record_event(struct run *r, const char *mode)
{
	struct snt_event ev;
	enum snt_store_err se;

	memset(&ev, 0, sizeof(ev));
	snt_strlcpy(ev.boot_id, r->boot_id, sizeof(ev.boot_id));
	ev.mono_ms = snt_clock_mono_ms(&r->clock);
	ev.time_utc_ms = snt_clock_utc_ms(&r->clock);
	ev.clock = snt_clock_state_get(&r->clock);
	ev.kind = SNT_EVENT_SYNC;
	/* i18n-exempt: the sync event's detail, stored in the log */
	snprintf(ev.detail, sizeof(ev.detail),
		 "%s sent=%lld range=%lld-%lld priority=%lld bundles=%d ack=%lld verdicts=%d "
		 "contradictions=%d time=%s errors=%d",
		 mode, (long long)r->exp.entries, (long long)r->exp.first, (long long)r->exp.last,
		 (long long)r->exp.priority, r->exp.bundles, (long long)r->ack_after, r->verdicts,
		 r->contradictions, snt_sync_time_status_name(r->time), r->errors);
	se = snt_store_event_add(r->st, &ev);
	if (se)
		error_line(r, _("cannot record the sync event: %s: %s"), snt_store_strerror(se),
			   snt_store_errmsg(r->st));
}

/* "  LABEL:" padded to the summary's value column (column 21), the label translated. */
static void label(const char *text)
{
	fputs("  ", stdout);
	ctl_pad(stdout, text, 19, false);
}

static void print_summary(struct run *r, const char *mode, const char *where)
{
	int64_t sent_bundles = r->exp.bundles - r->exp.priority_bundles;
	char t[32];

	printf(_("sync %s: %s, station %s\n"), mode, where, r->sc.device_id);
	label(_("entries sent:"));
	if (r->exp.entries)
		printf(P_("%lld-%lld (%lld) in %lld bundle%s\n", "%lld-%lld (%lld) in %lld bundles%s\n", sent_bundles),
		       (long long)r->exp.first, (long long)r->exp.last, (long long)r->exp.entries,
		       (long long)sent_bundles, r->send_failed ? _(", then sending failed (error above)") : "");
	else if (r->send_failed)
		printf("%s\n", _("none (not delivered: sending failed, error above)"));
	else if (r->exp.last_seq)
		printf(_("none (everything up to %lld was acknowledged)\n"), (long long)r->exp.last_seq);
	else
		printf("%s\n", _("none (the log is empty)"));
	label(_("priority copies:"));
	printf(P_("%lld in %d bundle\n", "%lld in %d bundles\n", r->exp.priority_bundles),
	       (long long)r->exp.priority, r->exp.priority_bundles);
	if (strcmp(mode, "usb") != 0) {
		label(_("bytes sent:"));
		printf("%lld\n", (long long)r->exp.bytes);
	} else {
		label(_("files written:"));
		printf(P_("%d (%lld byte), acknowledged bundles removed: %d\n",
			  "%d (%lld bytes), acknowledged bundles removed: %d\n", r->bytes_written), r->files_written,
		       (long long)r->bytes_written, r->files_removed);
	}
	label(_("acknowledged:"));
	printf(_("up to %lld (was %lld)%s\n"), (long long)r->ack_after, (long long)r->ack_before,
	       r->acks_stale ? _(", stale acknowledgements ignored") : "");
	label(_("verdicts:"));
	printf(P_("%d recorded, %d contradiction%s\n", "%d recorded, %d contradictions%s\n", r->contradictions),
	       r->verdicts, r->contradictions,
	       r->skipped || r->conflicts ? _(" (some about purged entries or already decided)") : "");
	label(_("time:"));
	if (r->time == SNT_SYNC_TIME_NONE) {
		printf("%s\n", _("none received"));
	} else if (r->time == SNT_SYNC_TIME_NOT_FRESH) {
		/* Time from a stick is as old as its export: never applied (sync.h), only a lower bound. */
		fmt_time(r->time_utc_ms, t, sizeof(t));
		printf(_("the stick's signed time %s is not fresh: not applied "
			 "(online sync or NTP gives trusted time)\n"), t);
		if (snt_clock_utc_ms(&r->clock) < r->time_utc_ms) {
			label(_("clock:"));
			printf(_("clock behind the bureau's time of %s\n"), t);
		}
	} else {
		fmt_time(r->time_utc_ms, t, sizeof(t));
		printf(_("%s (bureau %s)\n"),
		       r->time == SNT_SYNC_TIME_APPLIED ? _("applied: this boot's entries rebased")
		       : r->time == SNT_SYNC_TIME_NOT_NEEDED ? _("not needed: the clock is trusted")
		       : r->time == SNT_SYNC_TIME_ALREADY ? _("not applied: this boot has trusted time already")
		       : r->time == SNT_SYNC_TIME_CORRECTED ? _("corrected: the latest trusted time was far ahead of it")
		       : _("refused: behind the latest trusted time"),
		       t);
	}
	if (r->rules[0]) {
		label(_("rule sets:"));
		printf("%s\n", r->rules);
	}
	if (r->trust[0]) {
		label(_("trust lists:"));
		printf("%s\n", r->trust);
	}
	if (r->issuers[0]) {
		label(_("issuer lists:"));
		printf("%s\n", r->issuers);
	}
	label(_("errors:"));
	if (r->errors)
		printf(_("%d (above)\n"), r->errors);
	else
		printf("%s\n", _("none"));
}

/* Keep the most telling time result of several messages. */
static void note_time(struct run *r, enum snt_sync_time_status s, int64_t t)
{
	if (s == SNT_SYNC_TIME_NONE)
		return;
	if (r->time == SNT_SYNC_TIME_NONE || s == SNT_SYNC_TIME_APPLIED ||
	    (r->time != SNT_SYNC_TIME_APPLIED && t > r->time_utc_ms)) {
		r->time = s;
		r->time_utc_ms = t;
	}
}

/* ---- usb ---- */

struct usb_sink {
	struct run *r;
	struct snt_usb_stick *stick;
	long delay_ms;
};

static int usb_write(void *arg, const struct snt_sync_bundle *b, enum snt_sync_err *err, char *why,
		     size_t whylen)
{
	struct usb_sink *u = arg;
	enum snt_usb_err e;

	if (u->delay_ms > 0) {
		struct timespec ts = { u->delay_ms / 1000, (u->delay_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	e = snt_usb_write_out(u->stick, b->name, b->data, b->len, why, whylen);
	if (e) {
		*err = SNT_SYNC_ERR_SINK;
		return -1;
	}
	u->r->files_written++;
	u->r->bytes_written += (int64_t)b->len;
	return 0;
}

struct ack_file {
	char *name;
	int64_t seq;
};

static int cmp_ack(const void *a, const void *b)
{
	const struct ack_file *x = a, *y = b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void import_ack(struct run *r, struct snt_usb_stick *stick, const char *label, const char *name)
{
	struct snt_sync_ack_result ar;
	char why[WHY];
	uint8_t *data = NULL;
	size_t len = 0;
	enum snt_sync_err e;

	if (snt_usb_read_in(stick, name, SNT_USB_MAX_IN_FILE, &data, &len, why, sizeof(why))) {
		error_line(r, "%s", why);
		return;
	}
	e = snt_sync_apply_ack(&r->ctx, data, len, &ar, why, sizeof(why));
	free(data);
	if (e) {
		error_line(r, "%s/%s: %s", label, name, why);
		return;
	}
	r->acks++;
	if (ar.stale)
		r->acks_stale++;
	if (ar.ack_after > r->ack_after)
		r->ack_after = ar.ack_after;
	r->verdicts += ar.verdicts;
	r->contradictions += ar.contradictions;
	r->skipped += ar.verdicts_skipped;
	r->conflicts += ar.verdicts_conflict;
	note_time(r, ar.time, ar.time_utc_ms);
}

static void import_time(struct run *r, struct snt_usb_stick *stick, const char *label, const char *name)
{
	enum snt_sync_time_status s;
	char why[WHY];
	uint8_t *data = NULL;
	size_t len = 0;
	int64_t t = 0;

	if (snt_usb_read_in(stick, name, 65536, &data, &len, why, sizeof(why))) {
		error_line(r, "%s", why);
		return;
	}
	if (snt_sync_apply_time(&r->ctx, data, len, &s, &t, why, sizeof(why))) {
		free(data);
		error_line(r, "%s/%s: %s", label, name, why);
		return;
	}
	free(data);
	note_time(r, s, t);
}

static void import_rules(struct run *r, struct snt_usb_stick *stick, const char *label, const char *name)
{
	char why[WHY], msg[160];
	uint8_t *data = NULL;
	size_t len = 0;

	if (snt_usb_read_in(stick, name, SNT_USB_MAX_IN_FILE, &data, &len, why, sizeof(why))) {
		error_line(r, "%s", why);
		return;
	}
	if (ctl_sync_rules_install(&r->sc, r->bureau_key, data, len, snt_clock_utc_ms(&r->clock), msg,
				   sizeof(msg)) != 0)
		error_line(r, "%s/%s: %s", label, name, msg);
	snt_strlcpy(r->rules, msg, sizeof(r->rules));
	free(data);
}

/* A trust list or issuer list the bureau left in in/: installed by @install, its line into @line (200 bytes). */
static void import_list(struct run *r, struct snt_usb_stick *stick, const char *label, const char *name,
			int (*install)(const struct snt_config *, EVP_PKEY *, const uint8_t *, size_t, char *, size_t),
			char *line)
{
	char why[WHY], msg[200];
	uint8_t *data = NULL;
	size_t len = 0;

	if (snt_usb_read_in(stick, name, SNT_USB_MAX_IN_FILE, &data, &len, why, sizeof(why))) {
		error_line(r, "%s", why);
		return;
	}
	if (install(&r->sc, r->bureau_key, data, len, msg, sizeof(msg)) != 0)
		error_line(r, "%s/%s: %s", label, name, msg);
	snt_strlcpy(line, msg, 200);
	free(data);
}

/*
 * What the bureau left in in/: acknowledgements (lowest seq first), time,
 * rule sets, trust lists, issuer lists.
 */
static void usb_import(struct run *r, struct snt_usb_stick *stick, const char *mnt)
{
	char label[PATH_MAX + 80], why[WHY];
	struct ack_file *acks = NULL;
	char **names = NULL;
	size_t n = 0, na = 0;

	snprintf(label, sizeof(label), "%s/sentinel/%s/in", mnt, r->sc.device_id);
	if (snt_usb_list(stick, SNT_USB_IN, &names, &n, why, sizeof(why))) {
		error_line(r, "%s", why);
		return;
	}
	acks = calloc(n ? n : 1, sizeof(*acks));
	if (!acks) {
		error_line(r, _("out of memory"));
		snt_usb_names_free(names, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char dev[SNT_DEVICE_ID_LEN];
		int64_t v;

		if (!snt_usb_name_safe(names[i])) {
			error_line(r, _("%s/'%s': not a plain file name: refused"), label, names[i]);
		} else if (!snt_bundle_ack_file_name_parse(names[i], dev, &v)) {
			if (strcmp(dev, r->sc.device_id) != 0) {
				error_line(r, _("%s/%s: an acknowledgement for another device: refused"),
					   label, names[i]);
				continue;
			}
			acks[na].name = names[i];
			acks[na++].seq = v;
		} else if (!snt_bundle_time_file_name_parse(names[i], dev, &v)) {
			if (strcmp(dev, r->sc.device_id) != 0)
				error_line(r, _("%s/%s: signed time for another device: refused"), label,
					   names[i]);
			else
				import_time(r, stick, label, names[i]);
		} else if (!strncmp(names[i], "rules-", 6) &&
			   strlen(names[i]) > 11 && !strcmp(names[i] + strlen(names[i]) - 5, ".cose")) {
			import_rules(r, stick, label, names[i]);
		} else if (!strncmp(names[i], "trust-", 6) &&
			   strlen(names[i]) > 11 && !strcmp(names[i] + strlen(names[i]) - 5, ".cose")) {
			import_list(r, stick, label, names[i], ctl_sync_trust_install, r->trust);
		} else if (!strncmp(names[i], "issuers-", 8) &&
			   strlen(names[i]) > 13 && !strcmp(names[i] + strlen(names[i]) - 5, ".cose")) {
			import_list(r, stick, label, names[i], ctl_sync_issuers_install, r->issuers);
		} else {
			error_line(r, _("%s/%s: not an acknowledgement, signed time, rule set, trust list or issuer "
				      "list file: refused"), label, names[i]);
		}
	}
	qsort(acks, na, sizeof(*acks), cmp_ack);
	for (size_t i = 0; i < na; i++)
		import_ack(r, stick, label, acks[i].name);
	free(acks);
	snt_usb_names_free(names, n);
}

/* Remove bundles in out/ whose entries the bureau has acknowledged (regular ones up to the cursor). */
static void usb_prune(struct run *r, struct snt_usb_stick *stick)
{
	char **names = NULL, why[WHY];
	size_t n = 0;

	if (snt_usb_list(stick, SNT_USB_OUT, &names, &n, why, sizeof(why))) {
		error_line(r, "%s", why);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char dev[SNT_DEVICE_ID_LEN];
		int64_t first, last;

		if (snt_bundle_file_name_parse(names[i], dev, &first, &last, NULL) != 0 ||
		    strcmp(dev, r->sc.device_id) != 0 || last > r->ack_after)
			continue;
		if (snt_usb_remove_out(stick, names[i], why, sizeof(why)))
			error_line(r, "%s", why);
		else
			r->files_removed++;
	}
	snt_usb_names_free(names, n);
}

static int sync_usb(const struct config *cfg)
{
	struct snt_usb_opts uo = { cfg->sysfs_root, cfg->mountinfo };
	struct snt_usb_stick *stick = NULL;
	struct usb_sink sink;
	struct run r;
	char why[WHY];
	enum snt_sync_err e;
	int rc;

	rc = run_open(&r, cfg);
	if (rc)
		return rc;
	if (snt_usb_open(cfg->mountpoint, r.sc.device_id, &uo, &stick, why, sizeof(why))) {
		/* i18n-exempt: the program and command names */
		fprintf(stderr, "sentinelctl: %s: usb: ", CMD);
		put_escaped(stderr, why);
		fputc('\n', stderr);
		r.errors++;
		record_event(&r, "usb");
		run_close(&r);
		return SNT_EXIT_FAIL;
	}
	/* Time on a stick is as old as the bureau's export: never applied (sync.h). */
	r.ctx.stick_time = true;
	usb_import(&r, stick, cfg->mountpoint);
	sink.r = &r;
	sink.stick = stick;
	sink.delay_ms = cfg->write_delay_ms;
	e = snt_sync_export(&r.ctx, 0, usb_write, &sink, &r.exp, why, sizeof(why));
	r.send_failed = e != SNT_SYNC_OK;
	if (e)
		error_line(&r, "%s", why);
	else
		usb_prune(&r, stick);
	snt_usb_close(stick);
	record_event(&r, "usb");
	print_summary(&r, "usb", cfg->mountpoint);
	run_close(&r);
	return r.errors ? SNT_EXIT_FAIL : SNT_EXIT_OK;
}

/* ---- online ---- */

/* What online sync shows on a terminal while it sends and retries (ctl_progress). */
struct online_progress {
	struct ctl_progress pg;
	struct snt_sync_curl_opts curl;
	int posts;
};

/*
 * Sleeps for real (a backoff before a retry), saying so on a terminal; the
 * rest of the system clock is unchanged.  @ctx: the struct online_progress
 * (the system clock's other operations ignore their context).
 */
static void real_sleep(void *ctx, int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	struct online_progress *op = ctx;

	ctl_progress_note(&op->pg, _("request %d failed: retrying in %lld.%01lld s"), op->posts, (long long)(ms / 1000),
			  (long long)(ms % 1000 / 100));
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* snt_sync_curl_post(), each request shown on a terminal. */
static int progress_post(void *arg, const char *url, const uint8_t *body, size_t len, long *status,
			 uint8_t **resp, size_t *resp_len, char *why, size_t whylen)
{
	struct online_progress *op = arg;

	op->posts++;
	ctl_progress_note(&op->pg, P_("request %d: sending %zu byte", "request %d: sending %zu bytes", len), op->posts,
			  len);
	return snt_sync_curl_post(&op->curl, url, body, len, status, resp, resp_len, why, whylen);
}

static int sync_online(const struct config *cfg)
{
	struct snt_sync_online_result res;
	struct snt_sync_online_opts o;
	struct online_progress op;
	struct snt_clock_ops ops;
	struct run r;
	char why[WHY];
	enum snt_sync_err e;
	int rc;

	if (cfg->if_configured) {
		/* The timer's run on a gate that does not sync online: one line, no failed unit. */
		struct snt_config sc;

		if (ctl_config_load(CMD, cfg->config, &sc))
			return SNT_EXIT_USAGE;
		if (!sc.enrolled) {
			printf(_("sync online: nothing to do: not enrolled (no %s)\n"), sc.enrolment);
			return SNT_EXIT_OK;
		}
		if (!sc.sync_bureau_url[0]) {
			printf(_("sync online: nothing to do: no [sync] bureau_url in %s (this gate syncs by stick)\n"),
			       sc.path);
			return SNT_EXIT_OK;
		}
	}
	rc = run_open(&r, cfg);
	if (rc)
		return rc;
	if (!r.sc.sync_bureau_url[0]) {
		ctl_err(CMD, _("%s: [sync] bureau_url is not set: no online sync"), r.sc.path);
		run_close(&r);
		return SNT_EXIT_USAGE;
	}
	/* The system clock, with a sleep that really waits (backoff). */
	memset(&op, 0, sizeof(op));
	ctl_progress_init(&op.pg, CMD);
	op.curl.ca = r.sc.sync_bureau_ca;	/* as snt_sync_online() gives it */
	op.curl.timeout_s = r.sc.sync_timeout_s;
	ops = *r.clock.ops;
	ops.sleep_ms = real_sleep;
	r.clock.ops = &ops;
	r.clock.ctx = &op;
	memset(&o, 0, sizeof(o));
	o.url = r.sc.sync_bureau_url;
	o.ca = r.sc.sync_bureau_ca;
	o.timeout_s = r.sc.sync_timeout_s;
	o.post = progress_post;
	o.post_arg = &op;
	o.retries = r.sc.sync_retries;
	o.backoff_base_ms = cfg->backoff_ms;
	o.backoff_max_ms = BACKOFF_MAX_MS;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	e = snt_sync_online(&r.ctx, &o, &res, why, sizeof(why));
	ctl_progress_done(&op.pg);
	curl_global_cleanup();
	r.exp = res.exp;
	if (res.acks)
		r.ack_after = res.ack_after;
	r.acks = res.acks;
	r.verdicts = res.verdicts;
	r.contradictions = res.contradictions;
	r.time = res.time;
	r.time_utc_ms = res.time_utc_ms;
	if (e == SNT_SYNC_ERR_CONFIG) {
		ctl_err(CMD, "%s: %s", r.sc.path, why);
		run_close(&r);
		return SNT_EXIT_USAGE;
	}
	if (e) {
		r.send_failed = true;
		error_line(&r, "%s", why);
	}
	/* The home's current rule set, when the bureau's acknowledgement carried it. */
	if (res.rules) {
		char msg[160];

		if (ctl_sync_rules_install(&r.sc, r.bureau_key, res.rules, res.rules_len, snt_clock_utc_ms(&r.clock),
					   msg, sizeof(msg)) != 0)
			error_line(&r, _("the acknowledgement's rule set: %s"), msg);
		snt_strlcpy(r.rules, msg, sizeof(r.rules));
		free(res.rules);
	}
	/* The home's current trust list, the same way. */
	if (res.trust) {
		char msg[200];

		if (ctl_sync_trust_install(&r.sc, r.bureau_key, res.trust, res.trust_len, msg, sizeof(msg)) != 0)
			error_line(&r, _("the acknowledgement's trust list: %s"), msg);
		snt_strlcpy(r.trust, msg, sizeof(r.trust));
		free(res.trust);
	}
	/* The home's current issuer list, the same way. */
	if (res.issuers) {
		char msg[200];

		if (ctl_sync_issuers_install(&r.sc, r.bureau_key, res.issuers, res.issuers_len, msg, sizeof(msg)) != 0)
			error_line(&r, _("the acknowledgement's issuer list: %s"), msg);
		snt_strlcpy(r.issuers, msg, sizeof(r.issuers));
		free(res.issuers);
	}
	record_event(&r, "online");
	print_summary(&r, "online", r.sc.sync_bureau_url);
	label(_("attempts:"));
	printf(_("%d (%d retried, %lld ms in backoff)\n"), res.attempts, res.retried, (long long)res.backoff_ms);
	run_close(&r);
	return r.errors ? SNT_EXIT_FAIL : SNT_EXIT_OK;
}

int cmd_sync(int argc, char **argv)
{
	struct config cfg;
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	r = !strcmp(cfg.mode, "usb") ? sync_usb(&cfg) : sync_online(&cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write the summary: %s"), strerror(errno));
		return SNT_EXIT_USAGE;
	}
	return r;
}
