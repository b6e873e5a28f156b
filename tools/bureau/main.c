// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau: the bureau's receiver of the gates' logs.
 *
 *   sentinel-bureau [--db PATH] [--key PATH] COMMAND [OPTIONS] [ARGS]
 *
 * Options may stand before or after the command; each command refuses the
 * ones it does not use.  Exit status: 0 success; 1 the subject failed (a
 * bundle rejected, a device unknown); 2 usage error, or a file or the
 * database could not be used.  See sentinel-bureau(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "clock/clock.h"
#include "fss/fss.h"
#include "codes/codes.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/city.h"
#include "tools/bureau/cli.h"
#include "tools/bureau/conf.h"
#include "tools/bureau/enrol.h"
#include "tools/bureau/issue.h"
#include "tools/bureau/migrate.h"
#include "tools/bureau/personal.h"
#include "tools/bureau/platform.h"
#include "tools/bureau/serve.h"
#include "tools/bureau/issuers.h"
#include "tools/bureau/trust.h"
#include "common/i18n.h"
#include "tools/bureau/main_internal.h"

static const char *cur_cmd = NULL;

void bureau__err_line(const char *fmt, ...)
{
	va_list ap;

	if (cur_cmd)
		fprintf(stderr, "sentinel-bureau: %s: ", cur_cmd);
	else
		fprintf(stderr, "sentinel-bureau: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f, _(
		"Usage: sentinel-bureau [--config FILE] [--db PATH] [--key PATH] COMMAND [OPTIONS] [ARGS]\n"
		"\n"
		"Commands:\n"
		"  keys init --key PATH              make the bureau's key pair (PATH, PATH.pub)\n"
		"  register --device ID --pub FILE   register a gate's public key [--replace] [--seal-key F]\n"
		"                                    [--home HOME: the gate's [station] home]\n"
		"                                    (the bureau's own key, --key, is refused)\n"
		"                                    --replace --reason R [--by WHO]: the gate goes on\n"
		"                                    under a new key (a handover, shown by devices)\n"
		"  import DIR                        import every *.snb in DIR and DIR/sentinel/*/out/\n"
		"  serve --listen ADDR:PORT          HTTP receiver [--tls-cert F --tls-key F]\n"
		"                                    [--request-timeout S] [--buffer-limit MIB] [--workers N]\n"
		"                                    [--personal-days N]\n"
		"  ack --device ID --output DIR      write the device's acknowledgement and signed time\n"
		"  export DIR                        the same for every device\n"
		"  devices [--json]                  every gate: kid, last seq, gaps, entries, contact\n"
		"  devices revoke --device ID --reason TEXT   refuse the gate's later bundles\n"
		"  retention --before YYYY-MM        remove the months before (UTC), the chains kept whole\n"
		"  entries --device ID [--json]      a gate's entries as the bureau holds them\n"
		"  alerts [--json]                   verdicts that contradict the colour the gate read\n"
		"  person --device ID --seq N --reason TEXT --staff REF   open one sealed personal\n"
		"                                    record (--key), the opening recorded in the audit\n"
		"  audit [--json]                    every opening and purge of personal records\n"
		"  purge [--personal-days N]         remove personal records of visits over N days\n"
		"                                    old (default %d); the entries stay\n"
		"  verify [--device ID]              each gate's chain, and its records against it\n"
		"  migrate --from DB --to DB         copy a bureau database (SQLite, PostgreSQL), then check it\n"
		"  report --day YYYY-MM-DD --output F.html   the city's day per home (printable HTML)\n"
		"  policy sign --in F.json --out F.cose   sign a rule set (--key)\n"
		"  badge issue --ref R --out F.png   a staff badge QR (--key; --text prints it)\n"
		"  pass issue --id ID --visitor NAME --from T --until T --out F.png   a visit pass\n"
		"  enrol --home H --gate ID --bureau-key PUB --output DIR   a gate's enrolment package\n"
		"                                    [--duty-phone P] [--bureau-url URL] [--ca F]\n"
		"                                    [--rules F.cose] [--trust F]... (prints its token)\n"
		"  enrol-import DIR                  register the gates that wrote their keys back\n"
		"  trust sign --home H --version N --in F... --out F.cose   a home's trust list (--key)\n"
		"\n"
		"Options:\n"
		"  --config FILE         the configuration file, section [bureau] (default %s,\n"
		"                        none when it is absent); options given here override it\n"
		"  --db PATH|URI         bureau database: an SQLite file (default ./%s)\n"
		"                        or a PostgreSQL server, postgresql://...\n"
		"  --state-dir DIR       the enrolment tokens and trust lists, for every command\n"
		"                        (default: beside an SQLite file; for PostgreSQL\n"
		"                        /var/lib/sentinel-bureau)\n"
		"  --key PATH            the bureau's private key (PEM)\n"
		"  --platform-cmd PROG   online verifier: payload on stdin, prints green|yellow|red\n"
		"  --platform-timeout MS its timeout (default %d)\n"
		"  --timezone ZONE       the zone of every local time shown or parsed (report days,\n"
		"                        pass windows; default %s, whatever TZ says)\n"
		"  -h, --help, -V, --version         (COMMAND --help: that command's usage)\n"
		"\n"
		"Only register and import create the database; the other commands need it.\n"
		"\n"
		"Exit status: 0 success; 1 a bundle rejected or a device unknown; 2 usage,\n"
		"file or database error.\n"), BUREAU_PERSONAL_DAYS, BUREAU_CONF_DEFAULT, DEFAULT_DB, PLATFORM_TIMEOUT_MS, SNT_CLOCK_DEFAULT_ZONE);
}

/* `sentinel-bureau COMMAND --help`: that command's usage; false for an unknown command. */
static bool command_usage(const char *cmd)
{
	static const struct {
		const char *cmd, *text;
	} u[] = {
		{ "keys", "Usage: sentinel-bureau keys init --key PATH\n"
			  "\n"
			  "Make the bureau's P-256 key pair: the private key in PATH (PEM PKCS#8, mode\n"
			  "0600), the public key in PATH.pub for the gates.  Existing files are never\n"
			  "overwritten.\n" },
		{ "register", "Usage: sentinel-bureau [--db PATH] register --device ID --pub FILE\n"
			      "                       [--replace --reason TEXT [--by WHO]]\n"
			      "                       [--key KEY] [--seal-key SEAL0] [--home HOME]\n"
			      "\n"
			      "Register a gate's public key (FILE, from 'sentinelctl keys init' on the gate)\n"
			      "under the device id ID; creates the database when missing.  The same key again\n"
			      "changes nothing; another key for a registered id needs --replace and --reason:\n"
			      "the gate goes on under the new key (a new board in place of a broken one, or a\n"
			      "re-keyed gate) and its chain continues; the handover (old and new kid, the\n"
			      "last seq held, time, --by (default: the user running it) and the reason) is\n"
			      "recorded and shown by devices, and bundles signed with the old key are\n"
			      "refused from then on.  The bureau's\n"
			      "own key (--key, or ./" DEFAULT_KEY " when present) is refused.  --seal-key: the\n"
			      "gate's first seal key (DEVICE.seal0 from 'sentinelctl keys init'); every bundle\n"
			      "is then checked against it on import.  --home: the home the gate serves (its\n"
			      "[station] home): ack and export put that home's current rule set on the stick.\n" },
		{ "import", "Usage: sentinel-bureau [--db PATH] --key KEY import DIR\n"
			    "                       [--platform-cmd PROG [--platform-timeout MS]]\n"
			    "                       [--personal-days N]\n"
			    "\n"
			    "Import every *.snb in DIR and DIR/sentinel/DEVICE/out/: one line per file;\n"
			    "creates the database when missing.  Exit 1 when any file was rejected.\n"
			    "Then the retention of the sealed personal records (as purge).\n" },
		{ "person", "Usage: sentinel-bureau [--db PATH] --key KEY person --device ID --seq N\n"
			    "                       --reason TEXT --staff REF [--json]\n"
			    "\n"
			    "Open the sealed personal record (the ID card's full text) of entry N of gate\n"
			    "ID with the bureau's private key and print it.  Every opening, and every\n"
			    "attempt, is first recorded in the audit (who, why, when, which record);\n"
			    "nothing is opened when it cannot be.  Exit 1 when no record is held.\n" },
		{ "audit", "Usage: sentinel-bureau [--db PATH] audit [--json]\n"
			   "\n"
			   "List the audit of personal records: each opening (time, device, seq, staff,\n"
			   "outcome, reason) and each retention purge (time, cutoff, count).\n" },
		{ "purge", "Usage: sentinel-bureau [--db PATH] purge [--personal-days N]\n"
			   "\n"
			   "Remove the sealed personal records of visits more than N days ago (default\n"
			   "28), recording the purge in the audit.  The entries stay and still verify.\n" },
		{ "verify", "Usage: sentinel-bureau [--db PATH] verify [--device ID] [--json]\n"
			    "\n"
			    "Check each gate's entries (or gate ID's): every chain hash recomputed, each\n"
			    "entry linked to the one before, each personal record still held matching\n"
			    "the digest its entry holds.  Exit 1 when any is damaged.\n" },
		{ "serve", "Usage: sentinel-bureau [--db PATH] --key KEY serve --listen ADDR:PORT\n"
			   "                       [--tls-cert FILE --tls-key FILE]\n"
			   "                       [--platform-cmd PROG [--platform-timeout MS]]\n"
			   "                       [--request-timeout S] [--buffer-limit MIB] [--workers N]\n"
			   "                       [--personal-days N]\n"
			   "\n"
			   "The HTTP receiver: POST /v1/bundle, GET /v1/time?device=ID.  Port 0 picks a\n"
			   "free port.  A request has S seconds from its connection (or the previous\n"
			   "request) to its answer (default 120); request bodies held at once total at\n"
			   "most MIB MiB (default 128; past it 503, retry later).  N worker threads\n"
			   "(default 4, at most 64) each merge with their own database connection.\n"
			   "After each bundle, the retention of the sealed personal records (as purge).\n"
			   "SIGINT or SIGTERM stop it.\n" },
		{ "ack", "Usage: sentinel-bureau [--db PATH] --key KEY ack --device ID --output DIR\n"
			 "\n"
			 "Write the device's signed acknowledgement, signed time and the current\n"
			 "rule set of its home (policy sign --db, register --home) into\n"
			 "DIR/sentinel/ID/in/ (the stick layout); one line per file written.\n" },
		{ "export", "Usage: sentinel-bureau [--db PATH] --key KEY export DIR\n"
			    "\n"
			    "What ack writes, for every registered device; one line per file written.\n" },
		{ "devices", "Usage: sentinel-bureau [--db PATH] devices [--json]\n"
			     "       sentinel-bureau [--db PATH] devices revoke --device ID --reason TEXT\n"
			     "\n"
			     "Every registered gate: kid, last seq without a gap, entries, priority copies,\n"
			     "gaps, last contact, and whether it is revoked (--json also: home, the gate's\n"
			     "time up to which the bureau holds everything and its age in seconds, the\n"
			     "revocation's time and reason).\n"
			     "revoke: the gate's later bundles are refused naming the reason (a lost or\n"
			     "stolen board); what it sent before stays.\n" },
		{ "entries", "Usage: sentinel-bureau [--db PATH] entries --device ID [--json]\n"
			     "\n"
			     "The device's entries as the bureau holds them (--json: the fields of\n"
			     "'sentinelctl entries --json' plus hash).\n" },
		{ "retention", "Usage: sentinel-bureau [--db PATH] retention --before YYYY-MM\n"
			       "\n"
			       "Remove every entry and priority copy the bureau holds from before the month\n"
			       "(UTC; the current month at the latest), in one transaction: for each gate the\n"
			       "first seq kept becomes the one after its last entry before the month, and\n"
			       "everything below it goes.  That cut (the first seq kept, the hash and time of\n"
			       "the one before) is recorded per gate, so the acknowledgement, devices' gaps,\n"
			       "later imports (entries below the cut count as duplicates, the one at the cut\n"
			       "must link to it) and migrate go on as before with no false gap.  PostgreSQL\n"
			       "drops the months as whole partitions.  Prints what was removed.\n" },
		{ "migrate", "Usage: sentinel-bureau migrate --from DB --to DB\n"
			     "\n"
			     "Copy every gate, entry, priority copy, verdict and alert of the bureau\n"
			     "database --from into --to (an SQLite file or a postgresql:// URI each; --to is\n"
			     "created like register creates it), then check the copy: the counts, gaps and\n"
			     "acknowledgement of every gate, and every entry byte for byte with its chain hash\n"
			     "recomputed.  One line per gate, then a summary; exit 1 when the copy differs.\n"
			     "Run it again after an interruption: what is copied already is not copied twice.\n" },
		{ "report", "Usage: sentinel-bureau [--db PATH] report --day YYYY-MM-DD --output FILE.html\n"
			    "\n"
			    "The city report of the local day (--timezone): per home (register --home) and for the\n"
			    "city, entries, fevers, denials, referrals, staff whose weekly test was overdue,\n"
			    "gates silent for more than a day and open alerts, with charts; a self-contained\n"
			    "printable HTML page, Chinese and English.\n" },
		{ "alerts", "Usage: sentinel-bureau [--db PATH] alerts [--json]\n"
			    "\n"
			    "Platform verdicts that contradict the colour the gate read.\n" },
	};

	for (size_t i = 0; i < SNT_ARRAY_SIZE(u); i++) {
		if (!strcmp(cmd, u[i].cmd)) {
			fputs(u[i].text, stdout);
			return true;
		}
	}
	return false;
}

int bureau__usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bureau__err_line("%s", msg);
	fprintf(stderr, _("Try 'sentinel-bureau --help'.\n"));
	return EXIT_USAGE;
}

/*
 * What the configuration file @conf gave, for the options not given on the
 * command line (cfg->file records which).
 */
static void apply_conf(struct config *cfg, const struct bureau_conf *conf)
{
#define FROM_FILE(conf_bit, opt_bit, field) \
	do { \
		if ((conf->set & (conf_bit)) && !(cfg->given & (opt_bit))) { \
			cfg->field = conf->field; \
			cfg->file |= (opt_bit); \
		} \
	} while (0)
	FROM_FILE(BUREAU_CONF_DB, O_DB, db);
	FROM_FILE(BUREAU_CONF_KEY, O_KEY, key);
	FROM_FILE(BUREAU_CONF_LISTEN, O_LISTEN, listen);
	FROM_FILE(BUREAU_CONF_TLS_CERT, O_TLS_CERT, tls_cert);
	FROM_FILE(BUREAU_CONF_TLS_KEY, O_TLS_KEY, tls_key);
	FROM_FILE(BUREAU_CONF_PERSONAL_DAYS, O_PERSONAL_DAYS, personal_days);
	FROM_FILE(BUREAU_CONF_WORKERS, O_WORKERS, workers);
#undef FROM_FILE
}

/* @s as a whole number from 1 to @max into *@v (no sign, nothing after it).  Return 0, or -1. */
static int parse_count(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || end == s || s[0] == '-' || *v < 1 || *v > max ? -1 : 0;
}

/* Return 0 to run, 1 after --help/--version, -1 after a usage error. */
static int parse_config(int argc, char **argv, const struct bureau_conf *conf, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "platform-cmd", required_argument, NULL, 'P' },
		{ "platform-timeout", required_argument, NULL, 'T' },
		{ "device", required_argument, NULL, 'D' },
		{ "pub", required_argument, NULL, 'p' },
		{ "replace", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "listen", required_argument, NULL, 'l' },
		{ "tls-cert", required_argument, NULL, 'c' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "request-timeout", required_argument, NULL, 'R' },
		{ "buffer-limit", required_argument, NULL, 'B' },
		{ "seal-key", required_argument, NULL, 'S' },
		{ "home", required_argument, NULL, 'H' },
		{ "workers", required_argument, NULL, 'W' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'e' },
		{ "day", required_argument, NULL, 'y' },
		{ "by", required_argument, NULL, 'b' },
		{ "before", required_argument, NULL, 'E' },
		{ "seq", required_argument, NULL, 'q' },
		{ "staff", required_argument, NULL, 's' },
		{ "personal-days", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->platform_timeout_ms = PLATFORM_TIMEOUT_MS;
	cfg->request_timeout_s = BUREAU_SERVE_REQUEST_TIMEOUT_S;
	cfg->buffer_limit_mib = BUREAU_SERVE_BUFFER_LIMIT_MIB;
	cfg->workers = BUREAU_SERVE_WORKERS;
	cfg->personal_days = BUREAU_PERSONAL_DAYS;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': cfg->db = optarg; cfg->given |= O_DB; break;
		case 'k': cfg->key = optarg; cfg->given |= O_KEY; break;
		case 'P': cfg->platform_cmd = optarg; cfg->given |= O_PLATFORM; break;
		case 'T': {
			unsigned long long v;

			if (parse_count(optarg, 600000, &v)) {
				bureau__usage_error(_("--platform-timeout: '%s' is not 1-600000 ms"), optarg);
				return -1;
			}
			cfg->platform_timeout_ms = (int)v;
			cfg->given |= O_PLATFORM_TIMEOUT;
			break;
		}
		case 'R':
		case 'B': {
			bool t = c == 'R';
			unsigned long long v;

			if (parse_count(optarg, t ? BUREAU_SERVE_REQUEST_TIMEOUT_MAX_S : BUREAU_SERVE_BUFFER_LIMIT_MAX_MIB, &v)) {
				if (t)
					bureau__usage_error(_("--request-timeout: '%s' is not 1-%d s"), optarg,
						    BUREAU_SERVE_REQUEST_TIMEOUT_MAX_S);
				else
					bureau__usage_error(_("--buffer-limit: '%s' is not 1-%d MiB"), optarg,
						    BUREAU_SERVE_BUFFER_LIMIT_MAX_MIB);
				return -1;
			}
			if (t)
				cfg->request_timeout_s = (unsigned)v;
			else
				cfg->buffer_limit_mib = (unsigned)v;
			cfg->given |= t ? O_REQUEST_TIMEOUT : O_BUFFER_LIMIT;
			break;
		}
		case 'W': {
			unsigned long long v;

			if (parse_count(optarg, BUREAU_SERVE_WORKERS_MAX, &v)) {
				bureau__usage_error(_("--workers: '%s' is not 1-%d"), optarg, BUREAU_SERVE_WORKERS_MAX);
				return -1;
			}
			cfg->workers = (unsigned)v;
			cfg->given |= O_WORKERS;
			break;
		}
		case 'q':
		case 'N': {
			unsigned long long v;

			if (parse_count(optarg, c == 'N' ? BUREAU_PERSONAL_DAYS_MAX : SNT_BUNDLE_MAX_SEQ, &v)) {
				if (c == 'N')
					bureau__usage_error(_("--personal-days: '%s' is not 1-%d days"), optarg,
							    BUREAU_PERSONAL_DAYS_MAX);
				else
					bureau__usage_error(_("--seq: '%s' is not a sequence number"), optarg);
				return -1;
			}
			if (c == 'N') {
				cfg->personal_days = (int)v;
				cfg->given |= O_PERSONAL_DAYS;
			} else {
				cfg->seq = (int64_t)v;
				cfg->given |= O_SEQ;
			}
			break;
		}
		case 's': cfg->staff = optarg; cfg->given |= O_STAFF; break;
		case 'F': cfg->from = optarg; cfg->given |= O_FROM; break;
		case 't': cfg->to = optarg; cfg->given |= O_TO; break;
		case 'e': cfg->reason = optarg; cfg->given |= O_REASON; break;
		case 'y': cfg->day = optarg; cfg->given |= O_DAY; break;
		case 'b': cfg->by = optarg; cfg->given |= O_BY; break;
		case 'E': cfg->before = optarg; cfg->given |= O_BEFORE; break;
		case 'D': cfg->device = optarg; cfg->given |= O_DEVICE; break;
		case 'p': cfg->pub = optarg; cfg->given |= O_PUB; break;
		case 'r': cfg->replace = true; cfg->given |= O_REPLACE; break;
		case 'S': cfg->seal_key = optarg; cfg->given |= O_SEAL_KEY; break;
		case 'j': cfg->json = true; cfg->given |= O_JSON; break;
		case 'o': cfg->output = optarg; cfg->given |= O_OUTPUT; break;
		case 'l': cfg->listen = optarg; cfg->given |= O_LISTEN; break;
		case 'c': cfg->tls_cert = optarg; cfg->given |= O_TLS_CERT; break;
		case 'K': cfg->tls_key = optarg; cfg->given |= O_TLS_KEY; break;
		case 'H': cfg->home = optarg; cfg->given |= O_HOME; break;
		case 'h':
			cfg->help = true;
			break;
		case 'V':
			printf("sentinel-bureau %s\n", SNT_VERSION);
			return 1;
		case ':':
			bureau__usage_error(_("option '%s' needs an argument"), argv[optind - 1]);
			return -1;
		default:
			bureau__usage_error(_("unknown option '%s'"), argv[optind - 1]);
			return -1;
		}
	}
	cfg->nargs = argc - optind;
	cfg->args = argv + optind;
	if (cfg->help) {
		if (cfg->nargs < 1 || !command_usage(cfg->args[0]))
			usage(stdout);
		return 1;
	}
	if (cfg->db && !*cfg->db) {
		bureau__usage_error("%s", _("--db needs a path"));
		return -1;
	}
	apply_conf(cfg, conf);
	if (!cfg->db)
		cfg->db = DEFAULT_DB;
	return 0;
}

/* The options @cmd takes (besides --db); others are usage errors. */
int bureau__check_options(const struct config *cfg, unsigned allowed, unsigned required, int nargs)
{
	static const char *const names[] = {
		"--db", "--key", "--platform-cmd", "--platform-timeout", "--device", "--pub", "--replace",
		"--json", "--output", "--listen", "--tls-cert", "--tls-key", "--request-timeout", "--buffer-limit",
		"--seal-key",
		"--home", "--workers", "--from", "--to", "--reason", "--day", "--by", "--before", "--seq", "--staff",
		"--personal-days",
	};
	_Static_assert(1u << SNT_ARRAY_SIZE(names) == O__END, "a name for each enum opt_bit");

	for (size_t i = 0; i < SNT_ARRAY_SIZE(names); i++) {
		unsigned bit = 1u << i;

		if ((cfg->given & bit) && !(allowed & bit) && bit != O_DB)
			return bureau__usage_error(_("option %s does not apply to this command"), names[i]);
		if ((required & bit) && !((cfg->given | cfg->file) & bit))
			return bureau__usage_error(_("%s is required"), names[i]);
	}
	if (cfg->nargs - 1 != nargs) {
		if (cfg->nargs - 1 > nargs)
			return bureau__usage_error(_("unexpected argument '%s'"), cfg->args[1 + nargs]);
		return bureau__usage_error("%s", nargs == 1 ? _("missing DIR") : _("missing argument"));
	}
	return 0;
}

/*
 * Open the bureau database.  Only register and import (@create) make a new
 * one: the other commands on a missing file would only leave an empty
 * database behind and report nothing.
 * Return: 0, EXIT_FAIL when it is missing, EXIT_USAGE when it cannot be used.
 */
static int open_db_at(const char *path, bool create, struct bureau_db **db)
{
	char why[BUREAU_WHY_LEN] = "";
	enum bureau_err err;
	struct stat sb;

	if (bureau_db_is_url(path)) {
		/* A PostgreSQL server: the schema is made by register and import only. */
		err = bureau_db_open_mode(path, create, db, why, sizeof(why));
		if (err == BUREAU_ERR_NOTFOUND) {
			fprintf(stderr, "sentinel-bureau: %s\n", why);
			return EXIT_FAIL;
		}
		if (err) {
			bureau__err_line("%s", why[0] ? why : _("cannot open the bureau database"));
			return EXIT_USAGE;
		}
		return 0;
	}
	if (!create && stat(path, &sb) < 0 && errno == ENOENT) {
		fprintf(stderr, _("sentinel-bureau: no bureau database at %s (register a gate or import first, "
				  "or give --db)\n"), path);
		return EXIT_FAIL;
	}
	{
		char which[4096];
		int rc = snt_db_companions_check(path, which, sizeof(which));

		if (rc) {
			bureau__err_line(_("cannot open %s: %s: %s"), path, which, snt_open_strerror(rc));
			return EXIT_USAGE;
		}
	}
	/*
	 * A new database is created private (0600, and so its -wal and -shm),
	 * whatever the umask; when that fails the open below says why.
	 */
	if (create && snt_create_private(path) != 0)
		why[0] = '\0';
	err = bureau_db_open(path, db, why, sizeof(why));
	if (err) {
		bureau__err_line("%s", why[0] ? why : _("cannot open the bureau database"));
		return EXIT_USAGE;
	}
	return 0;
}

int bureau__open_db(const struct config *cfg, bool create, struct bureau_db **db)
{
	return open_db_at(cfg->db, create, db);
}

int bureau__open_for(const struct config *cfg, unsigned allowed, unsigned required, int nargs,
		     struct bureau_db **db)
{
	if (bureau__check_options(cfg, allowed, required, nargs))
		return EXIT_USAGE;
	return bureau__open_db(cfg, false, db);
}

int bureau__db_fail(struct bureau_db *db, const char *why, int status)
{
	bureau__err_line("%s", why);
	bureau_db_close(db);
	return status;
}

int bureau__load_key(const struct config *cfg, EVP_PKEY **key)
{
	enum snt_sign_err serr;

	if (!cfg->key) {
		bureau__err_line(_("--key PATH (the bureau's private key) is required"));
		return -1;
	}
	serr = snt_sign_key_load_private(cfg->key, key);
	if (serr) {
		if (serr == SNT_SIGN_ERR_OPEN)
			bureau__err_line(_("cannot read the key %s: %s"), cfg->key, strerror(errno));
		else
			bureau__err_line(_("cannot use the key %s: %s"), cfg->key, snt_sign_strerror(serr));
		return -1;
	}
	return 0;
}

void bureau__kid_hex(const uint8_t kid[8], char out[17])
{
	snt_hex_encode(kid, 8, out);
}

static int cmd_keys(const struct config *cfg)
{
	EVP_PKEY *key = NULL;
	uint8_t kid[SNT_SIGN_KID_LEN];
	char pubpath[4096], hex[17];
	enum snt_sign_err serr;
	int status = EXIT_USAGE;

	if (cfg->nargs < 2 || strcmp(cfg->args[1], "init") != 0)
		return bureau__usage_error("%s", _("usage: keys init --key PATH"));
	if (cfg->nargs > 2)
		return bureau__usage_error(_("unexpected argument '%s'"), cfg->args[2]);
	if (bureau__check_options(cfg, O_KEY, O_KEY, 1))
		return EXIT_USAGE;
	if ((size_t)snprintf(pubpath, sizeof(pubpath), "%s.pub", cfg->key) >= sizeof(pubpath))
		return bureau__usage_error("%s", _("--key: path too long"));
	if (access(pubpath, F_OK) == 0 || errno != ENOENT) {
		bureau__err_line(_("%s exists: refusing to overwrite it"), pubpath);
		return EXIT_USAGE;
	}
	serr = snt_sign_key_generate(&key);
	if (!serr)
		serr = snt_sign_key_write_private(key, cfg->key);
	if (serr) {
		if (serr == SNT_SIGN_ERR_EXISTS)
			bureau__err_line(_("%s exists: refusing to overwrite it"), cfg->key);
		else if (serr == SNT_SIGN_ERR_WRITE)
			bureau__err_line(_("cannot write %s: %s"), cfg->key, strerror(errno));
		else
			bureau__err_line(_("cannot make the key: %s"), snt_sign_strerror(serr));
		goto out;
	}
	serr = snt_sign_key_write_public(key, pubpath);
	if (!serr)
		serr = snt_sign_key_kid(key, kid);
	if (serr) {
		bureau__err_line(_("cannot write %s: %s"), pubpath, serr == SNT_SIGN_ERR_WRITE ? strerror(errno)
			 : snt_sign_strerror(serr));
		goto out;
	}
	bureau__kid_hex(kid, hex);
	printf(_("bureau key %s (public %s) kid %s\n"), cfg->key, pubpath, hex);
	status = EXIT_OK;
out:
	EVP_PKEY_free(key);
	return status;
}

struct import_state {
	int rejected;
	int accepted;
	bool tty;		/* standard error is a terminal: a counter is drawn there */
};

/* The import's counter on a terminal ("\r...\033[K", redrawn after each file's line). */
static void import_progress(const struct import_state *st, bool clear)
{
	if (!st->tty)
		return;
	if (clear) {
		fputs("\r\033[K", stderr);
	} else {
		fputc('\r', stderr);
		fprintf(stderr, _("import: %d done, %d rejected"), st->accepted + st->rejected, st->rejected);
		fputs("\033[K", stderr);
	}
	fflush(stderr);
}

static void import_report(void *arg, const char *file, enum bureau_err err,
			  const struct bureau_import_result *res, const char *why)
{
	struct import_state *st = arg;

	import_progress(st, true);
	if (err) {
		printf(_("%s: rejected: %s\n"), file, why);
		st->rejected++;
		fflush(stdout);
		import_progress(st, false);
		return;
	}
	st->accepted++;
	printf(_("%s: device %s entries %" PRId64 "-%" PRId64 " new %" PRId64 " duplicate %" PRId64 "%s"),
	       file, res->m.device, res->m.first, res->m.last, res->merge.new_entries,
	       res->merge.duplicates, res->m.priority ? _(" (priority)") : "");
	if (res->sealed)
		printf(_(" seals verified %zu"), res->sealed);
	if (res->records)
		printf(_(" personal records %" PRId64), res->records);
	if (res->verdicts || res->platform_failures)	/* i18n-exempt: plural: labels, each before its count */
		printf(_(" verdicts %zu contradictions %zu unanswered %zu"), res->verdicts, res->contradictions,
		       res->platform_failures);
	putchar('\n');
	if (why && *why)
		bureau__err_line("%s: %s", file, why);
	if (res->platform_failures)
		bureau__err_line("%s: %s", file, res->platform_why);
	fflush(stdout);
	import_progress(st, false);
}

/* Return: 0, or the exit status after the message. */
int bureau__setup_ctx(const struct config *cfg, struct bureau_ctx *c, struct bureau_platform *p,
		     struct bureau_platform_cmd *pc, bool need_key, bool create)
{
	int status;

	memset(c, 0, sizeof(*c));
	if (cfg->platform_cmd) {
		pc->prog = cfg->platform_cmd;
		pc->timeout_ms = cfg->platform_timeout_ms;
		if (bureau_platform_cmd_init(p, pc)) {
			return bureau__usage_error(_("--platform-cmd: '%s' is not usable"), cfg->platform_cmd);
		}
		c->platform = p;
	}
	if (need_key && bureau__load_key(cfg, &c->key))
		return EXIT_USAGE;
	status = bureau__open_db(cfg, create, &c->db);
	if (status) {
		EVP_PKEY_free(c->key);
		c->key = NULL;
	}
	return status;
}

void bureau__free_ctx(struct bureau_ctx *c)
{
	bureau_db_close(c->db);
	EVP_PKEY_free(c->key);
}

static int cmd_import(const struct config *cfg, const struct snt_clock *clk)
{
	struct bureau_platform p;
	struct bureau_platform_cmd pc;
	struct import_state st = { 0, 0, isatty(STDERR_FILENO) == 1 };
	struct bureau_ctx c;
	char why[BUREAU_WHY_LEN];
	enum bureau_err err;
	int status;

	if (bureau__check_options(cfg, O_KEY | O_PLATFORM | O_PLATFORM_TIMEOUT | O_PERSONAL_DAYS, O_KEY, 1))
		return EXIT_USAGE;
	status = bureau__setup_ctx(cfg, &c, &p, &pc, true, true);
	if (status)
		return status;
	c.clk = clk;
	err = bureau_import_dir(&c, cfg->args[1], import_report, &st, why, sizeof(why));
	if (!err) {
		/* The personal records' retention after every import (personal.h). */
		int64_t removed = 0;

		if (bureau_personal_purge(c.db, cfg->personal_days, snt_clock_utc_ms(clk), &removed, why,
					  sizeof(why)))
			bureau__err_line(_("personal records' retention: %s"), why);
		else if (removed)
			printf(P_("personal records: %" PRId64 " of visits over %d day old removed; the entries stay\n",
				  "personal records: %" PRId64 " of visits over %d days old removed; the entries stay\n",
				  (unsigned long)cfg->personal_days), removed, cfg->personal_days);
	}
	bureau__free_ctx(&c);
	import_progress(&st, true);
	if (err) {
		bureau__err_line("%s", why);
		return EXIT_USAGE;
	}
	if (st.accepted + st.rejected == 0)
		printf(_("no bundles in %s\n"), cfg->args[1]);
	return st.rejected ? EXIT_FAIL : EXIT_OK;
}

static int cmd_report(const struct config *cfg, int64_t now_ms)
{
	struct bureau_db *db = NULL;
	char why[BUREAU_WHY_LEN] = "", *html = NULL;
	size_t len = 0;
	enum bureau_err err;
	struct stat sb;
	int status, e;

	if (bureau__check_options(cfg, O_DAY | O_OUTPUT, O_DAY | O_OUTPUT, 0))
		return EXIT_USAGE;
	/* lstat: a symbolic link (/dev/stdout) would be replaced by the rename, not written through. */
	if (strcmp(cfg->output, "-") && lstat(cfg->output, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		bureau__err_line(_("cannot write %s: %s; give a regular file, or - for standard output"), cfg->output,
				 S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
				 S_ISLNK(sb.st_mode) ? _("a symbolic link") : _("not a regular file"));
		return EXIT_USAGE;
	}
	status = bureau__open_db(cfg, false, &db);
	if (status)
		return status;
	err = bureau_city_report(db, cfg->day, now_ms, &html, &len, why, sizeof(why));
	bureau_db_close(db);
	if (err == BUREAU_ERR_INVAL)
		return bureau__usage_error("%s", why);
	if (err) {
		bureau__err_line("%s", why[0] ? why : _("out of memory"));
		return EXIT_USAGE;
	}
	if (!strcmp(cfg->output, "-")) {
		e = fwrite(html, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : errno;
		status = e ? EXIT_USAGE : EXIT_OK;
		if (e)
			bureau__err_line(_("cannot write the output: %s"), strerror(e));
		free(html);
		return status;
	}
	/* Whole or not at all: a temporary file, fsync'd, renamed over the old page. */
	e = snt_write_atomic(cfg->output, html, len, 0644);
	if (e) {
		bureau__err_line(_("cannot write %s: %s"), cfg->output, strerror(e));
		status = EXIT_USAGE;
	} else {
		printf(P_("city report %s: %s (%zu byte)\n", "city report %s: %s (%zu bytes)\n", len), cfg->day,
		       cfg->output, len);
		status = EXIT_OK;
	}
	free(html);
	return status;
}

static void migrate_report(void *arg, const struct bureau_migrate_device *d)
{
	(void)arg;
	printf(_("%s: entries %" PRId64 " copies %" PRId64 " verdicts %" PRId64 " hashes checked %" PRId64 "\n"),
	       d->device, d->entries, d->copies, d->verdicts, d->hashes);
	fflush(stdout);
}

static int cmd_migrate(const struct config *cfg)
{
	struct bureau_migrate_report rep;
	struct bureau_db *from = NULL, *to = NULL;
	char why[BUREAU_WHY_LEN] = "", a[256], b[256];
	enum bureau_err err;
	int status;

	if (bureau__check_options(cfg, O_FROM | O_TO, O_FROM | O_TO, 0))
		return EXIT_USAGE;
	if (cfg->given & O_DB)
		return bureau__usage_error("%s", _("migrate takes --from and --to, not --db"));
	bureau_db_shown(cfg->from, a, sizeof(a));
	bureau_db_shown(cfg->to, b, sizeof(b));
	if (!strcmp(cfg->from, cfg->to))
		return bureau__usage_error(_("--from and --to are the same database (%s)"), a);
	status = open_db_at(cfg->from, false, &from);
	if (status)
		return status;
	status = open_db_at(cfg->to, true, &to);
	if (status) {
		bureau_db_close(from);
		return status;
	}
	err = bureau_migrate(from, to, migrate_report, NULL, &rep, why, sizeof(why));
	if (err) {
		bureau__err_line("%s", why[0] ? why : _("failed"));
		status = err == BUREAU_ERR_REJECT || err == BUREAU_ERR_EXISTS ? EXIT_FAIL : EXIT_USAGE;
	} else {
		char n[6][64];

		snprintf(n[0], sizeof(n[0]), P_("%zu device", "%zu devices", rep.devices), rep.devices);
		snprintf(n[1], sizeof(n[1]), P_("%" PRId64 " entry", "%" PRId64 " entries", rep.entries), rep.entries);
		snprintf(n[2], sizeof(n[2]), P_("%" PRId64 " copy", "%" PRId64 " copies", rep.copies), rep.copies);
		snprintf(n[3], sizeof(n[3]), P_("%" PRId64 " verdict", "%" PRId64 " verdicts", rep.verdicts),
			 rep.verdicts);
		snprintf(n[4], sizeof(n[4]), P_("%" PRId64 " alert", "%" PRId64 " alerts", rep.alerts), rep.alerts);
		snprintf(n[5], sizeof(n[5]), P_("%" PRId64 " chain hash", "%" PRId64 " chain hashes", rep.hashes),
			 rep.hashes);
		printf(_("migrated %s to %s: %s, %s, %s, %s, %s; counts and %s checked\n"), a, b, n[0], n[1], n[2],
		       n[3], n[4], n[5]);
		if (rep.records || rep.audit)
			printf(_("personal records %" PRId64 " and audit rows %" PRId64 " copied and checked\n"),
			       rep.records, rep.audit);
		status = EXIT_OK;
	}
	bureau_db_close(from);
	bureau_db_close(to);
	return status;
}

static int cmd_serve(const struct config *cfg, const struct snt_clock *clk)
{
	struct bureau_platform p;
	struct bureau_platform_cmd pc;
	struct bureau_serve_opts so;
	struct bureau_ctx c;
	char why[BUREAU_WHY_LEN];
	int status;

	if (bureau__check_options(cfg, O_KEY | O_PLATFORM | O_PLATFORM_TIMEOUT | O_LISTEN | O_TLS_CERT | O_TLS_KEY |
				       O_REQUEST_TIMEOUT | O_BUFFER_LIMIT | O_WORKERS | O_PERSONAL_DAYS,
			  O_KEY | O_LISTEN, 0))
		return EXIT_USAGE;
	if (!!cfg->tls_cert != !!cfg->tls_key)
		return bureau__usage_error("%s", _("--tls-cert and --tls-key go together"));
	memset(&so, 0, sizeof(so));
	if (bureau_serve_parse_listen(cfg->listen, &so, why, sizeof(why)))
		return bureau__usage_error(_("--listen: %s"), why);
	so.tls_cert = cfg->tls_cert;
	so.tls_key = cfg->tls_key;
	so.request_timeout_s = cfg->request_timeout_s;
	so.buffer_limit = (size_t)cfg->buffer_limit_mib << 20;
	so.db_path = cfg->db;
	so.state_dir = cfg->state_dir;
	so.workers = cfg->workers;
	so.personal_days = cfg->personal_days;	/* the personal records' retention after each bundle */
	status = bureau__setup_ctx(cfg, &c, &p, &pc, true, false);
	if (status)
		return status;
	c.clk = clk;
	status = bureau_serve(&c, &so) == 0 ? EXIT_OK : EXIT_USAGE;
	bureau__free_ctx(&c);
	return status;
}

/*
 * @argv with "OPT VALUE" put before its first option for each of the @n
 * options @opts whose @values[i] is not NULL: what the configuration file
 * gives the commands with parsers of their own, where a later one on the
 * command line overrides it.  *@argc_out: its length.  Free the result when
 * it is not @argv.
 */
static char **with_options(int argc, char **argv, const char *const *opts, char *const *values, size_t n,
			   int *argc_out)
{
	size_t k = 0;
	char **v;

	*argc_out = argc;
	for (size_t i = 0; i < n; i++)
		k += values[i] != NULL;
	if (!k)
		return argv;
	v = calloc((size_t)argc + 2 * k + 1, sizeof(*v));
	if (!v)
		return NULL;
	v[0] = argv[0];
	k = 1;
	for (size_t i = 0; i < n; i++) {
		if (values[i]) {
			v[k++] = (char *)(uintptr_t)opts[i];
			v[k++] = values[i];
		}
	}
	memcpy(v + k, argv + 1, (size_t)(argc - 1) * sizeof(*v));
	*argc_out = argc + (int)k - 1;
	return v;
}

/*
 * enrol and enrol-import (the file's db, the state directory @state_dir),
 * policy sign, badge issue, pass issue (the file's key) and trust sign (the
 * file's key, @state_dir): each parses its own options.
 * Return: 1 when the command was one of them (*@status set), else 0.
 */
static int run_own_parsers(int argc, char **argv, struct bureau_conf *conf, char *state_dir, int *status)
{
	static const char *const opts[] = { "--db", "--key", "--state-dir" };
	static const unsigned bits[] = { BUREAU_CONF_DB, BUREAU_CONF_KEY, BUREAU_CONF_STATE_DIR };
	static const struct {
		int (*main)(int argc, char **argv, int *status);
		unsigned bits;	/* of the file's keys, those the command takes */
	} own[] = {
		{ bureau_enrol_main, BUREAU_CONF_DB | BUREAU_CONF_STATE_DIR },	/* enrol, enrol-import (enrol.h) */
		{ bureau_issue_main, BUREAU_CONF_KEY },	/* policy sign, badge issue, pass issue (issue.h) */
		{ bureau_trust_main, BUREAU_CONF_KEY | BUREAU_CONF_STATE_DIR },	/* trust sign (trust.h) */
	};
	char *const file[] = { conf->db, conf->key, state_dir };
	const unsigned set = conf->set | (state_dir ? BUREAU_CONF_STATE_DIR : 0u);

	for (size_t i = 0; i < SNT_ARRAY_SIZE(own); i++) {
		char *values[SNT_ARRAY_SIZE(opts)];
		int n, ran;
		char **v;

		for (size_t j = 0; j < SNT_ARRAY_SIZE(opts); j++)
			values[j] = (set & own[i].bits & bits[j]) ? file[j] : NULL;
		v = with_options(argc, argv, opts, values, SNT_ARRAY_SIZE(opts), &n);

		if (!v) {
			*status = EXIT_USAGE;
			return 1;
		}
		ran = own[i].main(n, v, status);
		if (v != argv)
			free(v);
		if (ran)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct bureau_conf conf;	/* main's: the options point into it */
	struct snt_clock clk;
	struct config cfg;
	const char *cmd, *zone, *conf_path, *state_dir;
	char why[BUREAU_WHY_LEN];
	int r;

	signal(SIGPIPE, SIG_IGN);
	snt_i18n_init_pkg("sentinel-bureau");	/* its package's copy of the catalogue (i18n.h) */
	/* The configuration file first: the command line overrides what it gives. */
	if (bureau_take_option(&argc, argv, "--config", &conf_path) || (conf_path && !*conf_path))
		return bureau__usage_error(_("--config needs a file"));
	if (bureau_conf_load(conf_path ? conf_path : BUREAU_CONF_DEFAULT, !conf_path, &conf, why, sizeof(why))) {
		bureau__err_line(_("configuration: %s"), why);
		return EXIT_USAGE;
	}
	/* The state directory, like --db, is every command's: those that keep nothing there ignore it. */
	if (bureau_take_option(&argc, argv, "--state-dir", &state_dir) || (state_dir && !*state_dir))
		return bureau__usage_error(_("--state-dir needs a directory"));
	if (!state_dir && (conf.set & BUREAU_CONF_STATE_DIR))
		state_dir = conf.state_dir;
	/*
	 * Local times given or shown (report days, pass windows) are in --timezone's zone, by default
	 * China Standard Time, whatever TZ is inherited.
	 */
	if (bureau_take_zone(&argc, argv, &zone))
		return bureau__usage_error(_("--timezone needs a zone (e.g. %s)"), SNT_CLOCK_DEFAULT_ZONE);
	if (zone && !snt_clock_zone_valid(zone))
		return bureau__usage_error(_("--timezone: '%s' is not a time zone of the tz database (e.g. %s; "
					     "/usr/share/zoneinfo, package tzdata)"), zone, SNT_CLOCK_DEFAULT_ZONE);
	if (!zone && (conf.set & BUREAU_CONF_TIMEZONE))
		zone = conf.timezone;
	if (snt_clock_use_zone(zone ? zone : SNT_CLOCK_DEFAULT_ZONE)) {
		bureau__err_line(_("cannot set the time zone %s"), zone ? zone : SNT_CLOCK_DEFAULT_ZONE);
		return EXIT_USAGE;
	}
	if (run_own_parsers(argc, argv, &conf, (char *)(uintptr_t)state_dir, &r))
		return r;
	cur_cmd = bureau_command_word(argc, argv);	/* an option's error names the command given */
	r = parse_config(argc, argv, &conf, &cfg);
	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	cfg.state_dir = state_dir;
	if (cfg.nargs < 1) {
		cur_cmd = NULL;
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = cfg.args[0];
	cur_cmd = cmd;
	snt_clock_system(&clk);
	if (!strcmp(cmd, "keys"))
		r = cmd_keys(&cfg);
	else if (!strcmp(cmd, "register"))
		r = bureau__cmd_register(&cfg, snt_clock_utc_ms(&clk));
	else if (!strcmp(cmd, "import"))
		r = cmd_import(&cfg, &clk);
	else if (!strcmp(cmd, "serve"))
		r = cmd_serve(&cfg, &clk);
	else if (!strcmp(cmd, "ack"))
		r = bureau__cmd_ack(&cfg, &clk, false);
	else if (!strcmp(cmd, "export"))
		r = bureau__cmd_ack(&cfg, &clk, true);
	else if (!strcmp(cmd, "devices"))
		r = bureau__cmd_devices(&cfg, snt_clock_utc_ms(&clk));
	else if (!strcmp(cmd, "entries"))
		r = bureau__cmd_entries(&cfg);
	else if (!strcmp(cmd, "alerts"))
		r = bureau__cmd_alerts(&cfg);
	else if (!strcmp(cmd, "migrate"))
		r = cmd_migrate(&cfg);
	else if (!strcmp(cmd, "retention"))
		r = bureau__cmd_retention(&cfg, snt_clock_utc_ms(&clk));
	else if (!strcmp(cmd, "report"))
		r = cmd_report(&cfg, snt_clock_utc_ms(&clk));
	else if (!strcmp(cmd, "person"))
		r = bureau__cmd_person(&cfg, snt_clock_utc_ms(&clk));
	else if (!strcmp(cmd, "audit"))
		r = bureau__cmd_audit(&cfg);
	else if (!strcmp(cmd, "purge"))
		r = bureau__cmd_purge(&cfg, snt_clock_utc_ms(&clk));
	else if (!strcmp(cmd, "verify"))
		r = bureau__cmd_verify(&cfg);
	else {
		cur_cmd = NULL;
		return bureau__usage_error(_("unknown command '%s'"), cmd);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		bureau__err_line(_("cannot write the output: %s"), strerror(errno));
		return EXIT_USAGE;
	}
	return r;
}
