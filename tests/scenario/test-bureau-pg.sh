#!/bin/sh
# SPDX-License-Identifier: MIT
# The bureau's scenario scripts (test-bureau.sh, test-bureau-load.sh,
# test-sync.sh, test-bureau-concurrent.sh, test-bureau-migrate.sh,
# test-bureau-city.sh, test-bureau-handover.sh, test-bureau-retention.sh,
# test-bureau-personal.sh, test-gate-pass.sh, test-idcard-age.sh, test-bureau-stream.sh,
# test-enrol.sh, test-enrol-home.sh: the enrolment with the home's rule set from the database;
# test-enrol-token.sh: the stick's and the online tokens) again,
# against PostgreSQL: one private cluster
# (tests/scenario/pg.sh: a temporary directory, a Unix socket only, an
# unprivileged user, stopped and removed at the end), each script's
# databases made in it (SENTINEL_BUREAU_DB=postgresql), every assertion the
# same as against SQLite but for the few about the SQLite file itself.
. tests/scenario/lib.sh
[ -x "$B/sentinel-bureau" ] || { echo "SKIP: $B/sentinel-bureau not built"; exit 77; }
SENTINEL_BUREAU_DB=postgresql
export SENTINEL_BUREAU_DB
bureau_backend
for s in test-bureau.sh test-bureau-load.sh test-sync.sh test-bureau-concurrent.sh test-bureau-migrate.sh \
	test-bureau-city.sh test-bureau-handover.sh test-bureau-retention.sh test-bureau-personal.sh \
	test-gate-pass.sh test-idcard-age.sh test-bureau-stream.sh test-enrol.sh test-enrol-home.sh \
	test-enrol-token.sh; do
	echo "-- $s (PostgreSQL)"
	sh "tests/scenario/$s" "$B"
	rc=$?
	[ "$rc" -eq 0 ] || fail "$s against PostgreSQL (exit $rc)"
done
finish
