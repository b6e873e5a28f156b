/* SPDX-License-Identifier: MIT */
/*
 * main_internal.h: what the files of sentinel-bureau's command line share
 * (main.c: options, the database and key, the other commands; devices.c:
 * devices, devices revoke, the handover of register --replace, retention,
 * entries and alerts; personal_cli.c: person, audit, purge and verify), for
 * use only inside
 * tools/bureau/: the parsed options and the helpers every command uses.
 */
#ifndef SNT_BUREAU_MAIN_INTERNAL_H
#define SNT_BUREAU_MAIN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "tools/bureau/bureau.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define DEFAULT_DB "bureau.db"
#define DEFAULT_KEY "bureau.key"	/* only to refuse registering the bureau's own key */
#define PLATFORM_TIMEOUT_MS 5000

enum opt_bit {
	O_DB = 1 << 0,
	O_KEY = 1 << 1,
	O_PLATFORM = 1 << 2,
	O_PLATFORM_TIMEOUT = 1 << 3,
	O_DEVICE = 1 << 4,
	O_PUB = 1 << 5,
	O_REPLACE = 1 << 6,
	O_JSON = 1 << 7,
	O_OUTPUT = 1 << 8,
	O_LISTEN = 1 << 9,
	O_TLS_CERT = 1 << 10,
	O_TLS_KEY = 1 << 11,
	O_REQUEST_TIMEOUT = 1 << 12,
	O_BUFFER_LIMIT = 1 << 13,
	O_SEAL_KEY = 1 << 14,
	O_HOME = 1 << 15,
	O_WORKERS = 1 << 16,
	O_FROM = 1 << 17,
	O_TO = 1 << 18,
	O_REASON = 1 << 19,
	O_DAY = 1 << 20,
	O_BY = 1 << 21,
	O_BEFORE = 1 << 22,
	O_SEQ = 1 << 23,
	O_STAFF = 1 << 24,
	O_PERSONAL_DAYS = 1 << 25,
	O__END = 1 << 26,	/* one past the last: bureau__check_options() names each bit */
};

struct config {
	unsigned given;		/* enum opt_bit: the options given on the command line */
	unsigned file;		/* enum opt_bit: the values the configuration file gave instead (conf.h) */
	const char *db, *key, *platform_cmd, *device, *pub, *output, *listen, *tls_cert, *tls_key, *seal_key, *home,
		*from, *to, *reason, *day, *by, *before, *staff;
	const char *state_dir;	/* --state-dir or the file's state_dir (bureau_state_dir()), or NULL */
	int64_t seq;		/* person: --seq */
	int personal_days;	/* purge, import: --personal-days (default BUREAU_PERSONAL_DAYS) */
	int platform_timeout_ms;
	unsigned request_timeout_s, buffer_limit_mib, workers;	/* serve */
	bool replace, json, help;
	int nargs;
	char **args;		/* operands: the command and its arguments */
};

/* main.c */

/* One error line on stderr: "sentinel-bureau: <command>: " and the message. */
void bureau__err_line(const char *fmt, ...) SNT_PRINTF(1, 2);

/* A usage error line and the --help hint on stderr.  Return EXIT_USAGE. */
int bureau__usage_error(const char *fmt, ...) SNT_PRINTF(1, 2);

/*
 * The options a command takes: @allowed (enum opt_bit; --db always), of
 * which @required must be given, and @nargs operands after the command
 * word.  Return 0, or EXIT_USAGE after the usage error line.
 */
int bureau__check_options(const struct config *cfg, unsigned allowed, unsigned required, int nargs);

/*
 * The bureau database of --db (created when @create).  Return 0 and *@db
 * (bureau_db_close() it), or the exit status (EXIT_FAIL, EXIT_USAGE) after
 * the error line.
 */
int bureau__open_db(const struct config *cfg, bool create, struct bureau_db **db);

/*
 * bureau__open_for() - a command's set-up: bureau__check_options(@cfg,
 * @allowed, @required, @nargs), then bureau__open_db() without creating.
 * Return 0 and *@db (bureau_db_close() it), or the exit status after the
 * error line.
 */
int bureau__open_for(const struct config *cfg, unsigned allowed, unsigned required, int nargs,
		     struct bureau_db **db);

/*
 * bureau__db_fail() - a bureau database function failed: its reason @why as
 * the error line, @db closed.  Return @status, for the command to exit with.
 */
int bureau__db_fail(struct bureau_db *db, const char *why, int status);

/* The bureau's private key of --key into *@key.  Return 0, or -1 after the error line. */
int bureau__load_key(const struct config *cfg, EVP_PKEY **key);

/* A key id as 16 lower-case hex digits (@out: 17 bytes). */
void bureau__kid_hex(const uint8_t kid[8], char out[17]);

/*
 * The context of a command: the platform command when --platform-cmd is
 * given (@p, @pc: the caller's storage), the bureau's key when @need_key, and
 * the database (created when @create).  Return: 0, or the exit status after
 * its message; nothing to free then.  bureau__free_ctx() frees what it holds.
 */
struct bureau_platform;
struct bureau_platform_cmd;
struct snt_clock;
int bureau__setup_ctx(const struct config *cfg, struct bureau_ctx *c, struct bureau_platform *p,
		      struct bureau_platform_cmd *pc, bool need_key, bool create);
void bureau__free_ctx(struct bureau_ctx *c);

/*
 * export.c: sentinel-bureau export --device ID --output DIR (@all false) or
 * export --all DIR (@all true).  Return: an EXIT_* status, after the messages.
 */
int bureau__cmd_ack(const struct config *cfg, const struct snt_clock *clk, bool all);

/* devices.c: each returns the command's exit status (EXIT_OK, EXIT_FAIL, EXIT_USAGE). */

/*
 * sentinel-bureau register: a gate's public key (--pub), optionally its first
 * seal key (--seal-key), its home (--home), or with --replace a handover to a
 * new key.  Return: an EXIT_* status, after the messages.
 */
int bureau__cmd_register(const struct config *cfg, int64_t now_ms);

/* devices revoke --device ID --reason TEXT */
int bureau__cmd_revoke(const struct config *cfg, int64_t now_ms);

/*
 * register --replace with another key: the handover of the registered
 * --device to @pub_pem (kid @kid) in @db, for --reason by --by (default the
 * user running it), its lines printed.  Return EXIT_OK, else the exit status
 * after the error line (EXIT_USAGE without --reason).
 */
int bureau__handover(const struct config *cfg, struct bureau_db *db, const char *pub_pem, const uint8_t kid[8],
		     int64_t now_ms);

/* retention --before YYYY-MM: what the bureau holds from before the month removed, the cuts recorded. */
int bureau__cmd_retention(const struct config *cfg, int64_t now_ms);

/* devices [--json]: every registered gate with its contact, cursor and counts. */
int bureau__cmd_devices(const struct config *cfg, int64_t now_ms);

/* entries --device ID [--json]: a gate's entries as received. */
int bureau__cmd_entries(const struct config *cfg);

/* alerts [--json]: the alerts the bureau raised. */
int bureau__cmd_alerts(const struct config *cfg);

/* personal_cli.c: each returns the command's exit status (EXIT_OK, EXIT_FAIL, EXIT_USAGE). */

/* person --device ID --seq N --reason TEXT --staff REF [--json] (--key): open one sealed record. */
int bureau__cmd_person(const struct config *cfg, int64_t now_ms);

/* audit [--json]: every opening and purge of personal records. */
int bureau__cmd_audit(const struct config *cfg);

/* purge [--personal-days N]: the retention of personal records. */
int bureau__cmd_purge(const struct config *cfg, int64_t now_ms);

/* verify [--device ID] [--json]: each gate's chain, with its personal records. */
int bureau__cmd_verify(const struct config *cfg);

#endif
