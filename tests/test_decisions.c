// SPDX-License-Identifier: MIT
/*
 * The decision table (issue 8): tests/policy/decisions.tsv, one row per
 * combination of person kind x mode x code x temperature x test age x pass
 * x rule freshness x clock trust x occupancy x region x accepted colours,
 * with the expected decision and reasons.  The table is data; this file
 * only turns each row's columns into a policy input and compares.
 *
 * Fixed world of every row: now = 2026-12-01T04:00:00Z (12:00 China time);
 * the rule set (unless mode is "none") accepts formats healthcode and hcert,
 * caps visitors at 10, lists risk region 620100 (Lanzhou: its districts
 * 6201xx are inside), has staff "S1" (tested test_age days before today,
 * China time; "none" = not on the roster) and a maximum test age of 7 days;
 * fresh: valid until tomorrow; stale: valid until yesterday, hard limit 7
 * days; expired: valid until 10 days ago, hard limit 7 days.  Passes:
 * valid = window [now - 1 h, now + 1 h); expired = it ended an hour ago;
 * early = it starts in an hour; elsewhere = another home's (issue 14); in
 * the valid window: used = its one entry given, inside = 1 of 2 entries
 * given and its holder inside, again = 1 of 2 given and its holder gone;
 * revoked = signed by a gate key the home's issuer list revokes (issue 17).
 * Kind badge-elsewhere: another home's badge.  Mode missing: the gate had
 * a rule set and none verifies (rules-missing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/policy.h"
#include "rules/rules.h"

#define TABLE "tests/policy/decisions.tsv"
#define NOW_MS 1796097600000LL	/* 2026-12-01T04:00:00Z */
#define HOUR 3600000LL
#define DAY 86400000LL
#define TODAY_CST 20788		/* 2026-12-01 as days since 1970-01-01 */
#define MAX_COLS 16

static const char *const columns[] = {
	"kind", "mode", "code", "temp", "test_age", "pass", "rules", "clock", "occupancy", "region",
	"colours", "decision", "reasons",
};
enum { C_KIND, C_MODE, C_CODE, C_TEMP, C_AGE, C_PASS, C_RULES, C_CLOCK, C_OCC, C_REGION, C_COLOURS,
       C_DECISION, C_REASONS, C_COUNT };

struct row {
	const char *f[C_COUNT];
};

static int lookup(const char *const *names, size_t n, const char *v)
{
	return snt_name_index(names, n, v);
}

/* Build input and rule set from one row; return NULL and @why on a malformed cell. */
static const char *build(const struct row *rw, struct snt_rules *rs, struct snt_policy_input *in,
			 const struct snt_rules **use)
{
	static const char *const kinds[] = { "visitor", "staff", "badge-invalid", "badge-elsewhere" };
	static const char *const modes[] = { "none", "open", "closed", "missing" };
	static const char *const temps[] = { "normal", "fever", "implausible", "fault" };
	static const char *const passes[] = { "-", "none", "valid", "invalid", "expired", "early", "mismatch",
					      "elsewhere", "used", "inside", "again", "revoked" };
	static const char *const fresh[] = { "-", "fresh", "stale", "expired" };
	static const char *const clocks[] = { "trusted", "untrusted" };
	static const char *const regions[] = { "-", "safe", "risk" };
	static const char *const colours[] = { "green", "green+yellow" };
	static const enum snt_temp_status temp_of[] = { SNT_TEMP_NORMAL, SNT_TEMP_FEVER, SNT_TEMP_IMPLAUSIBLE,
							SNT_TEMP_FAULT };
	int kind = lookup(kinds, 4, rw->f[C_KIND]), mode = lookup(modes, 4, rw->f[C_MODE]);
	int temp = lookup(temps, 4, rw->f[C_TEMP]), pass = lookup(passes, 12, rw->f[C_PASS]);
	int fr = lookup(fresh, 4, rw->f[C_RULES]), clock = lookup(clocks, 2, rw->f[C_CLOCK]);
	int region = lookup(regions, 3, rw->f[C_REGION]), col = lookup(colours, 2, rw->f[C_COLOURS]);
	const char *code = rw->f[C_CODE];
	char *end;
	long occ;

	if (kind < 0)
		return "kind";
	if (mode < 0)
		return "mode";
	if (temp < 0)
		return "temp";
	if (pass < 0)
		return "pass";
	if (fr < 0 || (mode == 0 || mode == 3) != (fr == 0))
		return "rules (\"-\" exactly when mode is none or missing)";
	if (clock < 0)
		return "clock";
	if (region < 0)
		return "region";
	if (col < 0)
		return "colours";
	occ = strtol(rw->f[C_OCC], &end, 10);
	if (*end || end == rw->f[C_OCC] || occ < 0)
		return "occupancy";

	memset(in, 0, sizeof(*in));
	memset(rs, 0, sizeof(*rs));
	in->store_ok = true;
	in->temp = temp_of[temp];
	in->now_ms = NOW_MS;
	in->time_untrusted = clock == 1;
	in->occupancy = occ;
	in->person = kind == 1 ? SNT_KIND_STAFF : SNT_KIND_VISITOR;
	in->staff_ref = kind == 1 ? "S1" : NULL;
	in->badge_invalid = kind == 2 || kind == 3;
	in->badge_elsewhere = kind == 3;
	in->rules_missing = mode == 3;
	in->region = region == 2 ? "620102" : region == 1 ? "110105" : NULL;

	if (!strcmp(code, "none")) {
		in->code_read = false;
		in->format = SNT_FORMAT_NONE;
	} else if (!strcmp(code, "hcert-valid") || !strcmp(code, "hcert-invalid") || !strcmp(code, "nzcp-valid")) {
		in->code_read = true;
		in->payload_text = true;
		in->format = code[0] == 'h' ? SNT_FORMAT_HCERT : SNT_FORMAT_NZCP;
		in->verified = strstr(code, "invalid") ? SNT_VERIFIED_INVALID : SNT_VERIFIED_VALID;
		in->colour = SNT_COLOUR_BLACK;
	} else {
		enum snt_colour c;

		if (snt_colour_from_name(code, &c))
			return "code";
		in->code_read = true;
		in->payload_text = true;
		in->format = SNT_FORMAT_HEALTHCODE;
		in->verified = SNT_VERIFIED_UNVERIFIED;
		in->colour = c;
	}

	switch (pass) {
	case 2:
		in->pass = SNT_PASS_SIGNED;
		in->pass_from_ms = NOW_MS - HOUR;
		in->pass_until_ms = NOW_MS + HOUR;
		break;
	case 3:
		in->pass = SNT_PASS_INVALID;
		break;
	case 4:
		in->pass = SNT_PASS_SIGNED;
		in->pass_from_ms = NOW_MS - 3 * HOUR;
		in->pass_until_ms = NOW_MS - HOUR;
		break;
	case 5:
		in->pass = SNT_PASS_SIGNED;
		in->pass_from_ms = NOW_MS + HOUR;
		in->pass_until_ms = NOW_MS + 3 * HOUR;
		break;
	case 6:
		in->pass = SNT_PASS_MISMATCH;
		break;
	case 7:
		in->pass = SNT_PASS_ELSEWHERE;
		break;
	case 11:	/* signed by a revoked gate key (issuers.h), in its window */
		in->pass = SNT_PASS_REVOKED;
		in->pass_from_ms = NOW_MS - HOUR;
		in->pass_until_ms = NOW_MS + HOUR;
		break;
	case 8:		/* its one entry given, holder gone again */
	case 9:		/* 2 entries, 1 given, holder inside */
	case 10:	/* 2 entries, 1 given, holder gone: re-entry */
		in->pass = SNT_PASS_SIGNED;
		in->pass_from_ms = NOW_MS - HOUR;
		in->pass_until_ms = NOW_MS + HOUR;
		in->pass_uses = pass == 8 ? 1 : 2;
		in->pass_admits = 1;
		in->pass_inside = pass == 9;
		break;
	default:
		in->pass = SNT_PASS_NONE;
		break;
	}

	*use = NULL;
	if (mode == 0 || mode == 3) {
		if (strcmp(rw->f[C_AGE], "-") && strcmp(rw->f[C_AGE], "none"))
			return "test_age (no roster without a rule set: \"-\" or \"none\")";
		return NULL;
	}
	rs->version = 1;
	rs->mode = mode == 2 ? SNT_RULES_CLOSED : SNT_RULES_OPEN;
	rs->fever_threshold_mdc = 37300;
	rs->colours = (1u << SNT_COLOUR_GREEN) | (col == 1 ? 1u << SNT_COLOUR_YELLOW : 0);
	rs->formats = (1u << SNT_FORMAT_HEALTHCODE) | (1u << SNT_FORMAT_HCERT);
	rs->max_visitors = 10;
	rs->max_test_age_days = 7;
	rs->n_regions = 1;
	snt_strlcpy(rs->regions[0], "620100", sizeof(rs->regions[0]));
	rs->issued_ms = NOW_MS - 30 * DAY;
	rs->valid_from_ms = NOW_MS - 30 * DAY;
	rs->hard_limit_ms = 7 * DAY;
	rs->valid_until_ms = fr == 1 ? NOW_MS + DAY : fr == 2 ? NOW_MS - DAY : NOW_MS - 10 * DAY;
	if (strcmp(rw->f[C_AGE], "-") && strcmp(rw->f[C_AGE], "none")) {
		long age = strtol(rw->f[C_AGE], &end, 10);

		if (*end || end == rw->f[C_AGE] || age < 0 || age > 3650)
			return "test_age";
		rs->n_staff = 1;
		snt_strlcpy(rs->staff[0].ref, "S1", sizeof(rs->staff[0].ref));
		snt_strlcpy(rs->staff[0].name, "S*", sizeof(rs->staff[0].name));
		rs->staff[0].last_test_day = (int32_t)(TODAY_CST - age);
		snt_rules_format_date(rs->staff[0].last_test_day, rs->staff[0].last_test,
				      sizeof(rs->staff[0].last_test));
	}
	*use = rs;
	return NULL;
}

/* Split @line at tabs into at most MAX_COLS fields (in place). */
static size_t split(char *line, char **f)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (char *p = line; n < MAX_COLS;) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static void test_decision_table(void **state)
{
	struct snt_rules *rs = calloc(1, sizeof(*rs));
	int idx[C_COUNT], lineno = 0, rows = 0, bad = 0;
	char line[1024], *f[MAX_COLS];
	FILE *fp = fopen(TABLE, "r");
	size_t ncols;

	(void)state;
	assert_non_null(rs);
	if (!fp)
		fail_msg("%s: cannot open (run from the project root)", TABLE);
	/* Header: names the columns, in any order. */
	assert_non_null(fgets(line, sizeof(line), fp));
	lineno = 1;
	ncols = split(line, f);
	for (int c = 0; c < C_COUNT; c++) {
		idx[c] = -1;
		for (size_t i = 0; i < ncols; i++)
			if (!strcmp(f[i], columns[c]))
				idx[c] = (int)i;
		if (idx[c] < 0)
			fail_msg("%s:1: header has no column '%s'", TABLE, columns[c]);
	}
	while (fgets(line, sizeof(line), fp)) {
		struct snt_policy_input in;
		struct snt_policy_result res;
		const struct snt_rules *use;
		snt_reasons_t want_reasons;
		enum snt_decision want;
		struct row rw;
		const char *why;
		char got[256];

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ncols = split(line, f);
		for (int c = 0; c < C_COUNT; c++) {
			if ((size_t)idx[c] >= ncols)
				fail_msg("%s:%d: row has no column '%s'", TABLE, lineno, columns[c]);
			rw.f[c] = f[idx[c]];
		}
		rows++;
		why = build(&rw, rs, &in, &use);
		if (why)
			fail_msg("%s:%d: bad cell in column %s", TABLE, lineno, why);
		in.rules = use;
		if (snt_decision_from_name(rw.f[C_DECISION], &want))
			fail_msg("%s:%d: bad decision '%s'", TABLE, lineno, rw.f[C_DECISION]);
		if (snt_reasons_parse(rw.f[C_REASONS], &want_reasons))
			fail_msg("%s:%d: bad reasons '%s'", TABLE, lineno, rw.f[C_REASONS]);
		snt_policy_decide(&in, &res);
		if (snt_reasons_format(res.reasons, ",", got, sizeof(got)) < 0)
			fail_msg("%s:%d: reasons too long", TABLE, lineno);
		if (res.decision != want || res.reasons != want_reasons) {
			print_error("%s:%d: row %d (%s %s %s %s age=%s pass=%s rules=%s clock=%s occ=%s "
				    "region=%s %s): got %s %s, want %s %s\n",
				    TABLE, lineno, rows, rw.f[C_KIND], rw.f[C_MODE], rw.f[C_CODE], rw.f[C_TEMP],
				    rw.f[C_AGE], rw.f[C_PASS], rw.f[C_RULES], rw.f[C_CLOCK], rw.f[C_OCC],
				    rw.f[C_REGION], rw.f[C_COLOURS], snt_decision_name(res.decision), got,
				    rw.f[C_DECISION], rw.f[C_REASONS]);
			bad++;
		}
		/* Every staff-test-overdue with a roster entry carries its date. */
		if (res.reasons & SNT_REASON_BIT(SNT_REASON_STAFF_TEST_OVERDUE) && use && use->n_staff &&
		    res.test_due_day != use->staff[0].last_test_day + 7) {
			print_error("%s:%d: row %d: test_due_day %d, want last test + 7\n", TABLE, lineno, rows,
				    res.test_due_day);
			bad++;
		}
	}
	fclose(fp);
	free(rs);
	if (rows < 200)
		fail_msg("%s: %d data rows, want at least 200", TABLE, rows);
	if (bad)
		fail_msg("%s: %d of %d rows do not match", TABLE, bad, rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
