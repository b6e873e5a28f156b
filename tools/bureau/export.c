// SPDX-License-Identifier: MIT
/*
 * sentinel-bureau export and export --all: each gate's acknowledgement, the
 * bureau's signed time, and its home's rule set, trust list and issuer list,
 * written to sentinel/<device>/in/ on a USB stick (sentinel-bureau(8)).
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

/* mkdir -p @dir/sentinel/@device/in below @dir, never through a symlink; returns the in/ fd. */
static int open_in_dir(const char *dir, const char *device, char *why, size_t n)
{
	const char *parts[3] = { "sentinel", device, "in" };
	char path[160];		/* for messages only; a longer one is cut */
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, n, _("cannot open %s: %s"), dir, strerror(errno));
		return -1;
	}
	snt_strlcpy(path, dir, sizeof(path));
	for (int i = 0; i < 3; i++) {
		struct stat sb;
		int next;

		snt_strlcpy(path + strlen(path), "/", sizeof(path) - strlen(path));
		snt_strlcpy(path + strlen(path), parts[i], sizeof(path) - strlen(path));
		if (mkdirat(fd, parts[i], 0755) < 0 && errno != EEXIST) {
			snprintf(why, n, _("cannot create %s: %s"), path, strerror(errno));
			close(fd);
			return -1;
		}
		next = openat(fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int e = errno;

			if (fstatat(fd, parts[i], &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode))
				snprintf(why, n, _("%s: a symbolic link: refused"), path);
			else if (e == ENOTDIR)
				snprintf(why, n, _("%s: not a directory: refused"), path);
			else
				snprintf(why, n, _("cannot open %s: %s"), path, strerror(e));
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/*
 * In the in/ directory @fd, remove @device's acknowledgements and signed
 * times other than @ack and @tm, the ones just written: the newest
 * acknowledgement carries the cursor and the verdicts of every older one,
 * and the gate never applies a stick's time (sync.h), so older files only
 * pile up.  A file that cannot be removed is said, not an error.
 */
static void prune_old(int fd, const char *dir, const char *device, const char *ack, const char *tm)
{
	char pre_ack[BUREAU_DEVICE_LEN + 8], pre_tm[BUREAU_DEVICE_LEN + 8];
	int dfd = dup(fd);
	struct dirent *de;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	snprintf(pre_ack, sizeof(pre_ack), "ack-%s-", device);
	snprintf(pre_tm, sizeof(pre_tm), "time-%s-", device);
	while ((de = readdir(d))) {
		const char *n = de->d_name, *digits;
		size_t len = strlen(n);

		if (!strncmp(n, pre_ack, strlen(pre_ack)))
			digits = n + strlen(pre_ack);
		else if (!strncmp(n, pre_tm, strlen(pre_tm)))
			digits = n + strlen(pre_tm);
		else
			continue;
		/* Only the bureau's own names: the prefix, digits, ".cose". */
		if (len < (size_t)(digits - n) + 6 || strcmp(n + len - 5, ".cose") ||
		    strspn(digits, "0123456789") != len - 5 - (size_t)(digits - n) || !strcmp(n, ack) || !strcmp(n, tm))
			continue;
		if (unlinkat(fd, n, 0))
			bureau__err_line(_("warning: cannot remove %s/sentinel/%s/in/%s: %s"), dir, device, n,
					 strerror(errno));
	}
	closedir(d);
}

/*
 * Write the ack and a signed time for one device into @dir's stick layout
 * (the older ones of the device removed: prune_old()), and its home's
 * current rule set and trust list (database @db_path, state directory
 * @state_dir: bureau_state_dir()).
 */
static int write_device_files(const struct bureau_ctx *c, const char *db_path, const char *state_dir,
			      const char *dir, const char *device)
{
	uint8_t *ack = NULL, *tm = NULL, *rules = NULL, *trust = NULL, *iss = NULL;
	size_t ack_len = 0, tm_len = 0, rules_len = 0, trust_len = 0, iss_len = 0;
	int64_t seq = 0, now = 0;
	uint64_t version = 0, trust_version = 0, iss_version = 0;
	char why[BUREAU_WHY_LEN], name[160];
	enum bureau_err err;
	int fd, status = EXIT_USAGE;

	err = bureau_make_ack(c, device, &ack, &ack_len, &seq, NULL, NULL, 0, why, sizeof(why));
	if (!err)
		err = bureau_make_time(c, device, &tm, &tm_len, &now, why, sizeof(why));
	if (!err) {
		/* The current rule set of the device's home, when it has one. */
		err = bureau_db_rules_for(c->db, device, &rules, &rules_len, &version, why, sizeof(why));
		if (err == BUREAU_ERR_NOTFOUND)
			err = BUREAU_OK;
	}
	if (!err) {
		/* And its trust list (trust sign --db), when it has one. */
		err = bureau_trust_for(db_path, state_dir, c->db, c->key, device, &trust, &trust_len, &trust_version,
				       why, sizeof(why));
		if (err == BUREAU_ERR_NOTFOUND)
			err = BUREAU_OK;
	}
	if (!err) {
		/* And its issuer list: the gates that sign passes, the revoked keys. */
		err = bureau_issuers_for(c->db, c->key, device, now, &iss, &iss_len, &iss_version, why, sizeof(why));
		if (err == BUREAU_ERR_NOTFOUND)
			err = BUREAU_OK;
	}
	if (err) {
		bureau__err_line("%s", why);
		status = err == BUREAU_ERR_NOTFOUND ? EXIT_FAIL : EXIT_USAGE;
		goto out;
	}
	fd = open_in_dir(dir, device, why, sizeof(why));
	if (fd < 0) {
		bureau__err_line("%s", why);
		goto out;
	}
	snprintf(name, sizeof(name), "ack-%s-%" PRId64 ".cose", device, seq);
	err = bureau_write_file(fd, name, ack, ack_len, why, sizeof(why));
	if (!err) {
		char tm_name[160];

		printf(_("ack %s seq %" PRId64 ": %s/sentinel/%s/in/%s\n"), device, seq, dir, device, name);
		snprintf(tm_name, sizeof(tm_name), "time-%s-%" PRId64 ".cose", device, now);
		err = bureau_write_file(fd, tm_name, tm, tm_len, why, sizeof(why));
		if (!err) {
			printf(_("time %s ms %" PRId64 ": %s/sentinel/%s/in/%s\n"), device, now, dir, device, tm_name);
			prune_old(fd, dir, device, name, tm_name);
		}
	}
	if (!err && rules) {
		snprintf(name, sizeof(name), "rules-%" PRIu64 ".cose", version);
		err = bureau_write_file(fd, name, rules, rules_len, why, sizeof(why));
		if (!err)
			printf(_("rules %s version %" PRIu64 ": %s/sentinel/%s/in/%s\n"), device, version, dir, device,
			       name);
	}
	if (!err && trust) {
		snprintf(name, sizeof(name), "trust-%" PRIu64 ".cose", trust_version);
		err = bureau_write_file(fd, name, trust, trust_len, why, sizeof(why));
		if (!err)
			printf(_("trust %s version %" PRIu64 ": %s/sentinel/%s/in/%s\n"), device, trust_version, dir,
			       device, name);
	}
	if (!err && iss) {
		snprintf(name, sizeof(name), "issuers-%" PRIu64 ".cose", iss_version);
		err = bureau_write_file(fd, name, iss, iss_len, why, sizeof(why));
		if (!err)
			printf(_("issuers %s version %" PRIu64 ": %s/sentinel/%s/in/%s\n"), device, iss_version, dir,
			       device, name);
	}
	close(fd);
	if (err) {
		bureau__err_line("%s", why);
		goto out;
	}
	status = EXIT_OK;
out:
	free(ack);
	free(tm);
	free(rules);
	free(trust);
	free(iss);
	return status;
}

int bureau__cmd_ack(const struct config *cfg, const struct snt_clock *clk, bool all)
{
	struct bureau_platform p;
	struct bureau_platform_cmd pc;
	struct bureau_ctx c;
	char (*ids)[BUREAU_DEVICE_LEN] = NULL;
	size_t count = 0;
	char why[BUREAU_WHY_LEN];
	const char *dir;
	int status = EXIT_OK;

	if (all ? bureau__check_options(cfg, O_KEY, O_KEY, 1)
		: bureau__check_options(cfg, O_KEY | O_DEVICE | O_OUTPUT, O_KEY | O_DEVICE | O_OUTPUT, 0))
		return EXIT_USAGE;
	status = bureau__setup_ctx(cfg, &c, &p, &pc, true, false);
	if (status)
		return status;
	c.clk = clk;
	dir = all ? cfg->args[1] : cfg->output;
	if (!all) {
		status = write_device_files(&c, cfg->db, cfg->state_dir, dir, cfg->device);
	} else if (bureau_db_devices(c.db, &ids, &count, why, sizeof(why))) {
		bureau__err_line("%s", why);
		status = EXIT_USAGE;
	} else {
		for (size_t i = 0; i < count; i++) {
			int s = write_device_files(&c, cfg->db, cfg->state_dir, dir, ids[i]);

			if (s > status)
				status = s;
		}
	}
	free(ids);
	bureau__free_ctx(&c);
	return status;
}
