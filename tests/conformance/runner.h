/* SPDX-License-Identifier: MIT */
/*
 * Conformance runner over the shared test vectors (issue 5, "Targets"):
 * DCC (dgc-testdata), NZCP (nzcovidpass-spec examples), SMART Health Cards
 * (health-cards-dev-tools testdata).  Each function prints one figures line
 * to @out and one line per wrong case, and fills its figures.
 * @root: the test data directory ($SENTINEL_TESTDATA).
 * Return: 0 when the vectors were read; -1 when a folder is missing.
 */
#ifndef SNT_TESTS_CONFORMANCE_RUNNER_H
#define SNT_TESTS_CONFORMANCE_RUNNER_H

#include <stdio.h>

struct conf_figures {
	unsigned int cases;		/* cases run (excluded ones not counted) */
	unsigned int valid_ok;		/* expected valid, verified valid */
	unsigned int invalid_ok;	/* expected invalid, rejected (at the expected stage where named) */
	unsigned int wrong;
	unsigned int excluded;		/* known_issues.csv */
	unsigned int unchecked;		/* valid but for a step the case does not test (a missing flag) */
	unsigned int pictures;		/* 2DCODE PNGs that must decode */
	unsigned int pictures_exact;	/* ... and scanned to exactly PREFIX */
};

int conf_dcc(const char *root, FILE *out, struct conf_figures *f);
int conf_nzcp(const char *root, FILE *out, struct conf_figures *f);
/* @jwks: the issuer key set to verify with (tests/fixtures/shc/spec-examples-issuer.jwks.json). */
int conf_shc(const char *root, const char *jwks, FILE *out, struct conf_figures *f);

#endif /* SNT_TESTS_CONFORMANCE_RUNNER_H */
