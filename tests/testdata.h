/* SPDX-License-Identifier: MIT */
/*
 * Locating the shared test data (interfaces.md, "Test data"):
 * $SENTINEL_TESTDATA, default ../shared/testdata relative to the project
 * root (tests run from the root).  Absent: the test is skipped with a message
 * naming the variable; absent while CI=true: the test fails.
 * Include after <cmocka.h>.
 */
#ifndef SNT_TESTS_TESTDATA_H
#define SNT_TESTS_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * testdata_dir() - the test data directory, or NULL after calling skip()
 * (cmocka), or fail the test under CI=true.  Call at the start of a test;
 * @sub is a subdirectory that must exist (e.g. "healthcode/clean").
 */
static inline const char *testdata_dir(const char *sub)
{
	static char path[4096];
	const char *root = getenv("SENTINEL_TESTDATA");
	const char *ci = getenv("CI");
	struct stat sb;

	if (!root || !*root)
		root = "../shared/testdata";
	snprintf(path, sizeof(path), "%s/%s", root, sub);
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return root;
	if (ci && !strcmp(ci, "true"))
		fail_msg("test data %s not found: set SENTINEL_TESTDATA (CI=true, so this fails)", path);
	fprintf(stderr, "SKIP: test data %s not found: set SENTINEL_TESTDATA to run this test\n", path);
	skip();
	return NULL;
}

#endif /* SNT_TESTS_TESTDATA_H */
