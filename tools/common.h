/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the sentinelctl commands.  Each command is one
 * cmd_<name>() taking its own argv (argv[0] is the command name), parsing
 * its options with getopt_long, and returning the process exit status:
 * 0 success, 1 failure of the command's subject (interfaces.md gives the
 * meaning per command), 2 usage or I/O error.  Commands print their
 * results to stdout and errors to stderr, never personal data to stderr.
 */
#ifndef SNT_TOOLS_COMMON_H
#define SNT_TOOLS_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "common/common.h"
#include "store/store.h"

#define SNT_EXIT_OK 0
#define SNT_EXIT_FAIL 1
#define SNT_EXIT_USAGE 2

/* Default log database when --db is not given and SENTINEL_DB is unset. */
#define SNT_DEFAULT_DB "/var/lib/sentinel/sentinel.db"

int cmd_scan(int argc, char **argv);
int cmd_entries(int argc, char **argv);
int cmd_verify_log(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_enrol(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_pass(int argc, char **argv);

/*
 * ctl_keys_seal() (cmd_keys.c) - make the log's first seal key (fss.h) for
 * @sc's [sync] device_key: "<device_key without .key>.seal0", the first key
 * for the bureau, and ".seal", the key sentineld evolves, both 0600, with
 * epochs of @epoch_s seconds (1-86400) from now (the system clock), sealing
 * from the seq after the log's last.  Neither file is overwritten.  Prints
 * the two paths on stdout unless @quiet; errors on stderr under @cmd.
 * Return: SNT_EXIT_OK; SNT_EXIT_FAIL when either file exists or cannot be
 * written; SNT_EXIT_USAGE for an empty or too long device_key.
 */
struct snt_config;
int ctl_keys_seal(const char *cmd, const struct snt_config *sc, int64_t epoch_s, bool quiet) SNT_WUR;

/*
 * ctl_pad() - @s to @f padded with spaces to @cols terminal columns
 * (snt_review_width(): a translated label or header is as wide as it
 * shows, two columns for each Chinese character), after the spaces when
 * @right; text wider than @cols is printed whole.
 */
void ctl_pad(FILE *f, const char *s, int cols, bool right);

/* ctl_err() - print "sentinelctl: <cmd>: <message>\n" to stderr. */
void ctl_err(const char *cmd, const char *fmt, ...) SNT_PRINTF(2, 3);

/*
 * ctl_usage_hint() - print "Try 'sentinelctl <cmd> --help'." to stderr and
 * return SNT_EXIT_USAGE.
 */
int ctl_usage_hint(const char *cmd);

/*
 * ctl_db_path() - the database path: @opt when non-NULL, else $SENTINEL_DB,
 * else SNT_DEFAULT_DB.
 */
const char *ctl_db_path(const char *opt);

/*
 * The options that every command taking them spells the same way, as
 * entries of its getopt_long() table: -c/--config FILE (the gate's
 * configuration) and -h/--help.
 */
#define CTL_OPT_CONFIG { "config", required_argument, NULL, 'c' }
#define CTL_OPT_HELP { "help", no_argument, NULL, 'h' }

/*
 * ctl_getopt_start() - a command's option parsing begins: its @cfg (@size
 * bytes) zeroed for the defaults and options to fill, and the next
 * getopt_long() scan starting afresh at argv[1] (optind 0: glibc
 * reinitialises) and printing nothing (opterr 0): a command reports option
 * errors itself, through ctl_getopt_error().
 */
void ctl_getopt_start(void *cfg, size_t size);

struct option;

/*
 * ctl_getopt_keep() - getopt_long(@argc, @argv, @shortopts, @longopts) with
 * the values of option @opt (a path: -c/--config, --db) kept in *@value
 * (the last one given counts).
 * Return: the next other option's value, or -1 at the end.
 */
int ctl_getopt_keep(int argc, char **argv, const char *shortopts, const struct option *longopts, int opt,
		    const char **value);

/*
 * ctl_getopt_error() - report what getopt_long() (with opterr = 0 and an
 * optstring starting with ':') returned @c for: a missing argument (':') or
 * an unknown option.  Return: -1, for parse_config() to return.
 */
int ctl_getopt_error(const char *cmd, int c, char **argv);

/*
 * ctl_getopt_other() - the end of a command's option switch: 'h' (-h,
 * --help) prints @usage to stdout and returns 1; any other @c is reported
 * as ctl_getopt_error() does and returns -1.
 */
int ctl_getopt_other(const char *cmd, int c, char **argv, void (*usage)(FILE *f));

/*
 * ctl_no_operands() - after the options, no operand may be left in @argv
 * (from optind to @argc).  Return: 0; -1 after naming the first one.
 */
int ctl_no_operands(const char *cmd, int argc, char **argv);

/*
 * ctl_parse_exit() - the exit status of a command whose parse_config()
 * returned @r != 0: SNT_EXIT_OK after --help (@r > 0), else (@r < 0, a usage
 * error already reported) the usage hint and SNT_EXIT_USAGE.
 */
int ctl_parse_exit(const char *cmd, int r);

/*
 * ctl_check_args() - the common tail of parse_config(): no operands left
 * after the options, and a --db that is not empty.  @db is the --db value
 * or NULL; *@out receives ctl_db_path(@db).
 * Return: 0; -1 after reporting the problem.
 */
int ctl_check_args(const char *cmd, int argc, char **argv, const char *db, const char **out);

/*
 * ctl_check_args_config() - ctl_check_args() for a command that also takes
 * --config FILE (@config, NULL when not given): the log is then FILE's
 * [station] db, copied into @buf (@size bytes).  --db and --config together
 * are a usage error.
 * Return: 0 with *@out set; -1 (reported) on a usage error or a
 * configuration that does not load.
 */
int ctl_check_args_config(const char *cmd, int argc, char **argv, const char *db, const char *config, char *buf,
			  size_t size, const char **out);

/*
 * ctl_public_key_path() - the path of the public key beside private key
 * @priv (the device key): ".key" replaced by ".pub", else ".pub" appended;
 * into @out (@size bytes).  Return: 0; -1 when it does not fit.
 */
int ctl_public_key_path(const char *priv, char *out, size_t size);

struct snt_config;

/*
 * ctl_config_load() - snt_config_load() of @path into @sc; on failure the
 * reason (file, line, key) as "sentinelctl <cmd>: ..." on stderr.
 * Return: 0; -1 after reporting (the command exits SNT_EXIT_USAGE).
 */
int ctl_config_load(const char *cmd, const char *path, struct snt_config *sc) SNT_WUR;

/*
 * ctl_output_target() - what an output option (-o, --output) names: "-" is
 * standard output; anything else must be a regular file or not exist yet
 * (it is then replaced by rename(2)): a directory, a device, a FIFO, a socket
 * or a symbolic link (such as /dev/stdout, whatever it points to: the rename
 * would replace the link) is refused with a message naming it.
 * Return: 1 standard output; 0 a file to write; -1 refused (said on stderr).
 */
int ctl_output_target(const char *cmd, const char *path) SNT_WUR;

/*
 * Progress of a long operation on a terminal: a counter on standard error,
 * redrawn in place ("\r... \033[K"), only when standard error is a TTY
 * (nothing otherwise, so logs and pipes get no control characters).  The
 * first and the last figures are always drawn, the others at most every
 * 100 ms.  ctl_progress_done() clears the line.
 */
struct ctl_progress {
	bool tty;		/* standard error is a terminal */
	bool drawn;		/* a line is on the screen */
	const char *what;	/* "export", "sync" ... */
	int64_t shown_ms;	/* CLOCK_MONOTONIC of the last drawing */
};

void ctl_progress_init(struct ctl_progress *p, const char *what);
/* ctl_progress_count() - "WHAT: DONE/TOTAL (P%)", or "WHAT: DONE" when @total < 0. */
void ctl_progress_count(struct ctl_progress *p, int64_t done, int64_t total);
/* ctl_progress_note() - "WHAT: <text>" (always drawn), e.g. a retry's wait. */
void ctl_progress_note(struct ctl_progress *p, const char *fmt, ...) SNT_PRINTF(2, 3);
void ctl_progress_done(struct ctl_progress *p);

/*
 * ctl_db_companions() - snt_db_companions_check() on the log @path before
 * it is opened; on a refusal one line "cannot open PATH: COMPANION: why".
 * Return: 0, or -1 with the line printed.
 */
int ctl_db_companions(const char *cmd, const char *path);

/*
 * ctl_store_open_error() - one line naming @path and why the log could not
 * be opened (@err from snt_store_open()): missing, a directory, unreadable,
 * an empty file, or the store's reason.
 */
void ctl_store_open_error(const char *cmd, const char *path, enum snt_store_err err);

#endif /* SNT_TOOLS_COMMON_H */
