// SPDX-License-Identifier: MIT
/*
 * Log filler for test-report.sh (a helper program, not a test): writes the
 * entries and exit events a script describes into a new log through the
 * store's own API (the store computes every seq and hash, and its triggers
 * raise the alerts), so the report is tested on a log like the gate's.
 *
 *   report-fill DB SCRIPT
 *
 * SCRIPT has one record per line, fields separated by one tab; '#' starts a
 * comment line:
 *   entry TIME CLOCK KIND FORMAT COLOUR TEMP DECISION REASONS DOOR SUBJECT DETAIL
 *   exit TIME
 *   rules DIR KEYFILE VERSION ISSUED VALID_UNTIL HOME
 * TIME is RFC 3339.  CLOCK: trusted; untrusted (a boot never rebased); or
 * rebased (written untrusted in a boot that is then rebased so that its
 * computed time equals TIME).  TEMP: "36.5" or "-".  REASONS: names joined
 * by ",", or "-".  SUBJECT and DETAIL: the text, or "-" for none.
 * rules: a new bureau key (its public half written to KEYFILE, PEM) signs a
 * rule set of VERSION issued at ISSUED, valid until VALID_UNTIL (RFC 3339),
 * for the home HOME, installed into DIR as that home's gate does
 * (rules/rules.h).
 * Exit 0, or 1 with a message naming the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock/clock.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "store/store.h"

#define BOOT_TRUSTED "11111111-1111-4111-8111-111111111111"
#define BOOT_UNTRUSTED "22222222-2222-4222-8222-222222222222"
#define BOOT_REBASED "33333333-3333-4333-8333-333333333333"
#define BOOT_START_MS INT64_C(1767225600000)	/* 2026-01-01T00:00:00Z */
#define MAX_FIELDS 12

static int split(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (char *p = line; *p; p++) {
		if (*p == '\t') {
			*p = '\0';
			if (n == max)
				return -1;
			f[n++] = p + 1;
		}
	}
	return n;
}

static int parse_temp(const char *s, struct snt_entry *e)
{
	int whole, tenth;
	char c;

	if (!strcmp(s, "-"))
		return 0;
	if (sscanf(s, "%d.%1d%c", &whole, &tenth, &c) != 2)
		return -1;
	e->has_temp = true;
	e->temp_dc = whole * 10 + (whole < 0 ? -tenth : tenth);
	return 0;
}

static int parse_entry(char **f, struct snt_entry *e, bool *rebased)
{
	memset(e, 0, sizeof(*e));
	if (snt_clock_parse_rfc3339(f[1], &e->time_utc_ms) != 0)
		return -1;
	*rebased = false;
	if (!strcmp(f[2], "trusted")) {
		e->clock = SNT_CLOCK_TRUSTED;
		snt_strlcpy(e->boot_id, BOOT_TRUSTED, sizeof(e->boot_id));
	} else if (!strcmp(f[2], "untrusted")) {
		e->clock = SNT_CLOCK_UNTRUSTED;
		snt_strlcpy(e->boot_id, BOOT_UNTRUSTED, sizeof(e->boot_id));
	} else if (!strcmp(f[2], "rebased")) {
		e->clock = SNT_CLOCK_UNTRUSTED;
		snt_strlcpy(e->boot_id, BOOT_REBASED, sizeof(e->boot_id));
		*rebased = true;
	} else {
		return -1;
	}
	e->mono_ms = e->time_utc_ms - BOOT_START_MS;
	if (e->mono_ms < 0)
		return -1;
	if (snt_person_kind_from_name(f[3], &e->kind) || snt_code_format_from_name(f[4], &e->format) ||
	    snt_colour_from_name(f[5], &e->colour) || parse_temp(f[6], e) ||
	    snt_decision_from_name(f[7], &e->decision) ||
	    (strcmp(f[8], "-") && snt_reasons_parse(f[8], &e->reasons)) ||
	    snt_door_from_name(f[9], &e->door))
		return -1;
	e->verified = e->format == SNT_FORMAT_NONE ? SNT_VERIFIED_NONE : SNT_VERIFIED_UNVERIFIED;
	if (strcmp(f[10], "-"))
		snt_strlcpy(e->subject, f[10], sizeof(e->subject));
	if (strcmp(f[11], "-"))
		snt_strlcpy(e->detail, f[11], sizeof(e->detail));
	return 0;
}

/* Sign and install a rule set (the bureau's side, then the gate's install). */
static int make_rules(char **f)
{
	struct snt_rules *r = calloc(1, sizeof(*r));
	uint8_t *payload = NULL, *cose = NULL;
	size_t plen = 0, clen = 0;
	EVP_PKEY *key = NULL;
	struct snt_rules_gate gate = { NULL, NULL };
	char err[256] = "";
	int rc = -1;

	if (!r)
		return -1;
	r->version = strtoull(f[3], NULL, 10);
	r->mode = SNT_RULES_OPEN;
	r->fever_threshold_mdc = 37300;
	r->colours = 1u << SNT_COLOUR_GREEN;
	r->formats = 1u << SNT_FORMAT_HEALTHCODE;
	r->max_test_age_days = 7;
	r->hard_limit_ms = INT64_C(30) * 86400000;
	if (snt_clock_parse_rfc3339(f[4], &r->issued_ms) || snt_clock_parse_rfc3339(f[5], &r->valid_until_ms))
		goto out;
	r->valid_from_ms = r->issued_ms;
	snt_strlcpy(r->home, f[6], sizeof(r->home));
	gate.home = f[6];
	if (snt_sign_key_generate(&key) || snt_sign_key_write_public(key, f[2]) ||
	    snt_rules_encode(r, &payload, &plen, err, sizeof(err)) ||
	    snt_sign1_es256(key, payload, plen, &cose, &clen) ||
	    snt_rules_install(f[1], key, &gate, cose, clen, r->issued_ms, NULL, err, sizeof(err)))
		goto out;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "report-fill: rules: %s\n", err);
	free(payload);
	free(cose);
	EVP_PKEY_free(key);
	free(r);
	return rc;
}

int main(int argc, char **argv)
{
	struct snt_store *st = NULL;
	bool need_rebase = false;
	char line[2048];
	FILE *in;
	int lineno = 0;
	int rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: report-fill DB SCRIPT\n");
		return 1;
	}
	in = fopen(argv[2], "r");
	if (!in) {
		perror(argv[2]);
		return 1;
	}
	remove(argv[1]);
	if (snt_store_open(argv[1], false, &st) != SNT_STORE_OK) {
		fprintf(stderr, "report-fill: cannot create %s\n", argv[1]);
		goto out;
	}
	while (fgets(line, sizeof(line), in)) {
		char *f[MAX_FIELDS];
		enum snt_store_err err;
		int n;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		n = split(line, f, MAX_FIELDS);
		if (n == 12 && !strcmp(f[0], "entry")) {
			struct snt_entry e;
			bool rebased;

			if (parse_entry(f, &e, &rebased)) {
				fprintf(stderr, "%s:%d: bad entry\n", argv[2], lineno);
				goto out;
			}
			need_rebase |= rebased;
			err = snt_store_append(st, &e);
		} else if (n == 2 && !strcmp(f[0], "exit")) {
			struct snt_event ev;

			memset(&ev, 0, sizeof(ev));
			if (snt_clock_parse_rfc3339(f[1], &ev.time_utc_ms) != 0) {
				fprintf(stderr, "%s:%d: bad time\n", argv[2], lineno);
				goto out;
			}
			snt_strlcpy(ev.boot_id, BOOT_TRUSTED, sizeof(ev.boot_id));
			ev.mono_ms = ev.time_utc_ms - BOOT_START_MS;
			ev.clock = SNT_CLOCK_TRUSTED;
			ev.kind = SNT_EVENT_EXIT;
			err = snt_store_event_add(st, &ev);
		} else if (n == 7 && !strcmp(f[0], "rules")) {
			if (make_rules(f)) {
				fprintf(stderr, "%s:%d: rules\n", argv[2], lineno);
				goto out;
			}
			err = SNT_STORE_OK;
		} else {
			fprintf(stderr, "%s:%d: not a record (%d fields)\n", argv[2], lineno, n);
			goto out;
		}
		if (err != SNT_STORE_OK) {
			fprintf(stderr, "%s:%d: %s: %s\n", argv[2], lineno, snt_store_strerror(err),
				snt_store_errmsg(st));
			goto out;
		}
	}
	if (need_rebase &&
	    snt_store_set_rebase(st, BOOT_REBASED, BOOT_START_MS, "ntp", BOOT_START_MS) != SNT_STORE_OK) {
		fprintf(stderr, "report-fill: rebase failed: %s\n", snt_store_errmsg(st));
		goto out;
	}
	rc = 0;
out:
	snt_store_close(st);
	fclose(in);
	return rc;
}
