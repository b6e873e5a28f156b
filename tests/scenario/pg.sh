# SPDX-License-Identifier: MIT
# A private PostgreSQL cluster for the bureau's tests (sourced after lib.sh).
#
# pg_start: initdb into a new directory under /tmp and pg_ctl start, the
# server listening only on a Unix socket in that directory
# (listen_addresses=''), trust authentication for the socket only, no
# fsync (a test cluster; PG_OPTS replaces those settings); up in a few
# seconds.  PostgreSQL refuses to run
# as root: as root the cluster runs as the unprivileged system user
# sentinel-pg, made here when missing (useradd --system, no home, no shell).
# The cluster is stopped and its directory removed when the script exits,
# also on failure or a signal (lib.sh's EXIT trap, lib_cleanup).
# Exports SENTINEL_PG_DIR (the socket directory) so that the scripts a
# script runs use the same cluster; a script run under a started cluster
# does not start another.
# Without PostgreSQL's server programs the calling test is skipped (exit
# 77), or fails when CI=true.
#
# pg_newdb NAME: make database NAME_<pid> and print its URI for --db.
# pg_sql URI SQL: run SQL there (psql -At: fields joined by '|').

PG_USER=sentinel
PG_OS_USER=sentinel-pg
# A test cluster need not survive a power cut; a benchmark sets PG_OPTS ("" for the server's defaults).
PG_TEST_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"

pg_bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	return 1
}

pg_stop() {
	[ -n "${PG_OWNED:-}" ] || return 0
	$PG_AS "$PG_BIN/pg_ctl" -D "$PG_OWNED/data" -m immediate -w stop >/dev/null 2>&1
	rm -rf "$PG_OWNED"
	PG_OWNED=
}

pg_start() {
	PG_BIN=$(pg_bindir) || {
		if [ "${CI:-}" = true ]; then
			echo "FAIL: PostgreSQL server programs missing (make deps)" >&2
			exit 1
		fi
		echo "SKIP: PostgreSQL server programs missing (make deps)"
		exit 77
	}
	PG_AS=
	if [ -n "${SENTINEL_PG_DIR:-}" ] && [ -S "$SENTINEL_PG_DIR/.s.PGSQL.5432" ]; then
		return 0	# a cluster started by the calling script
	fi
	PG_OWNED=$(mktemp -d /tmp/snt-pg-XXXXXX) || exit 1
	if [ "$(id -u)" -eq 0 ]; then
		if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
			useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
				"$PG_OS_USER" 2>/dev/null
			id -u "$PG_OS_USER" >/dev/null 2>&1 || { echo "FAIL: cannot create user $PG_OS_USER" >&2; exit 1; }
		fi
		chown "$PG_OS_USER" "$PG_OWNED"
		PG_AS="runuser -u $PG_OS_USER --"
	fi
	if ! $PG_AS "$PG_BIN/initdb" -D "$PG_OWNED/data" -U "$PG_USER" -A trust -E UTF8 --locale=C --no-sync \
		>"$PG_OWNED/initdb.log" 2>&1; then
		echo "FAIL: initdb: $(tail -n 3 "$PG_OWNED/initdb.log")" >&2
		exit 1
	fi
	if ! $PG_AS "$PG_BIN/pg_ctl" -D "$PG_OWNED/data" -l "$PG_OWNED/server.log" -w -t 30 \
		-o "-c listen_addresses='' -k $PG_OWNED -c max_connections=300 ${PG_OPTS-$PG_TEST_OPTS}" \
		start >/dev/null 2>&1; then
		echo "FAIL: pg_ctl start: $(tail -n 5 "$PG_OWNED/server.log")" >&2
		exit 1
	fi
	SENTINEL_PG_DIR=$PG_OWNED
	export SENTINEL_PG_DIR
}

pg_newdb() {
	"$PG_BIN/createdb" -h "$SENTINEL_PG_DIR" -U "$PG_USER" "$1_$$" || { echo "FAIL: createdb $1_$$" >&2; return 1; }
	echo "postgresql:///$1_$$?host=$SENTINEL_PG_DIR&user=$PG_USER"
}

pg_sql() {
	"$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}
