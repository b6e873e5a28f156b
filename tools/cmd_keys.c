// SPDX-License-Identifier: MIT
/*
 * sentinelctl keys init|seal|show [--config FILE] [--seal-epoch SECONDS]:
 * the gate's device key and its seal key.
 *
 *   init  makes a new P-256 key pair (firmware/sign/sign.h) at [sync]
 *         device_key (PEM PKCS#8, mode 0600) and its public key beside it
 *         (the same name with ".key" replaced by ".pub", else ".pub"
 *         appended; PEM SubjectPublicKeyInfo, 0644); it refuses to
 *         overwrite either.  Prints the public key's path and the kid.  Then
 *         as seal.
 *   seal  makes the first key of the log's forward-secure seal (fss.h):
 *         "<device_key without .key>.seal0", the first key for the bureau
 *         (`sentinel-bureau register ... --seal-key FILE`; remove it from the
 *         gate once the bureau has it), and ".seal", the key sentineld
 *         evolves, both mode 0600; epoch 0 starts now (the injected clock),
 *         epochs of --seal-epoch seconds (default 900), sealing from the
 *         seq after the log's last (1 for a new log).  Refuses to overwrite.
 *   show  prints the public key (PEM) and the kid, for registering the gate
 *         with the bureau (`sentinel-bureau register --device ID --pub FILE`).
 * The kid is the first 8 bytes of the SHA-256 of the DER
 * SubjectPublicKeyInfo, printed in base64 and hex.
 * Exit 0 ok, 1 failure (key exists, cannot be written or read), 2 usage or
 * configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "clock/clock.h"
#include "config/config.h"
#include "fss/fss.h"
#include "sign/sign.h"
#include "store/store.h"
#include "tools/common.h"
#include "common/i18n.h"

#define CMD "keys"

struct config {
	const char *config;
	const char *action;
	int64_t seal_epoch_s;
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: sentinelctl keys init [--config FILE] [--seal-epoch SECONDS]\n"
		"       sentinelctl keys seal [--config FILE] [--seal-epoch SECONDS]\n"
		"       sentinelctl keys show [--config FILE]\n"
		"\n"
		"init: make this gate's P-256 key pair at [sync] device_key (refuses to\n"
		"overwrite) and its public key beside it; prints the public key's path and\n"
		"kid; then as seal.  seal: make the log's first seal key, DEVICE.seal0 for\n"
		"the bureau and DEVICE.seal for sentineld (refuses to overwrite).  show:\n"
		"print the public key (PEM) and kid, for registration with the bureau.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE       configuration (default %s)\n"
		"      --seal-epoch SECONDS  seal epoch length, 1-86400 (default 900)\n"
		"  -h, --help              show this help\n"
		"\n"
		"Exit status: 0 ok; 1 the key exists already, or cannot be written or read;\n"
		"2 usage or configuration error.\n"), SNT_CONFIG_DEFAULT_PATH);
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		CTL_OPT_CONFIG,
		{ "seal-epoch", required_argument, NULL, 'e' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	cfg->seal_epoch_s = SNT_FSS_EPOCH_MS_DEFAULT / 1000;
	while ((c = ctl_getopt_keep(argc, argv, ":c:h", longopts, 'c', &cfg->config)) != -1) {
		switch (c) {
		case 'e': {
			char *end;
			long long v;

			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || v < SNT_FSS_EPOCH_MS_MIN / 1000 ||
			    v > SNT_FSS_EPOCH_MS_MAX / 1000) {
				ctl_err(CMD, _("--seal-epoch: '%s' is not a number of seconds from 1 to 86400"),
					optarg);
				return -1;
			}
			cfg->seal_epoch_s = v;
			break;
		}
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (optind >= argc) {
		ctl_err(CMD, _("missing action: init, seal or show"));
		return -1;
	}
	cfg->action = argv[optind++];
	if (strcmp(cfg->action, "init") && strcmp(cfg->action, "seal") && strcmp(cfg->action, "show")) {
		ctl_err(CMD, _("unknown action '%s' (init, seal or show)"), cfg->action);
		return -1;
	}
	if (optind < argc) {
		ctl_err(CMD, _("unexpected argument '%s'"), argv[optind]);
		return -1;
	}
	if (!*cfg->config) {
		ctl_err(CMD, _("--config needs a path"));
		return -1;
	}
	return 0;
}

static void print_kid(EVP_PKEY *key)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t kid[SNT_SIGN_KID_LEN];
	char hex[2 * SNT_SIGN_KID_LEN + 1], b[16];
	size_t o = 0;

	if (snt_sign_key_kid(key, kid) != SNT_SIGN_OK) {
		printf(_("kid ?\n"));
		return;
	}
	/* 8 bytes: two full groups and one of 2 bytes. */
	for (size_t i = 0; i < SNT_SIGN_KID_LEN; i += 3) {
		uint32_t v = (uint32_t)kid[i] << 16;
		size_t left = SNT_SIGN_KID_LEN - i;

		if (left > 1)
			v |= (uint32_t)kid[i + 1] << 8;
		if (left > 2)
			v |= kid[i + 2];
		b[o++] = b64[(v >> 18) & 63];
		b[o++] = b64[(v >> 12) & 63];
		b[o++] = left > 1 ? b64[(v >> 6) & 63] : '=';
		b[o++] = left > 2 ? b64[v & 63] : '=';
	}
	b[o] = '\0';
	snt_hex_encode(kid, sizeof(kid), hex);
	printf(_("kid %s (hex %s)\n"), b, hex);
}

/* The seq the seal starts at: after the log's last (1 without a log). */
static int64_t seal_first_seq(const struct snt_config *sc)
{
	struct snt_store *st = NULL;
	int64_t last = 0;

	if (access(sc->db, F_OK) != 0 || snt_store_open(sc->db, true, &st) != SNT_STORE_OK)
		return 1;
	if (snt_store_last_seq(st, &last) != SNT_STORE_OK)
		last = 0;
	snt_store_close(st);
	return last + 1;
}

int ctl_keys_seal(const char *cmd, const struct snt_config *sc, int64_t epoch_s, bool quiet)
{
	char first[PATH_MAX], evolving[PATH_MAX];
	struct snt_clock clk;
	struct snt_fss k;
	enum snt_fss_err fe;
	struct stat st;
	int e;

	if (!sc->sync_device_key[0]) {
		ctl_err(cmd, _("%s: [sync] device_key is empty"), sc->path);
		return SNT_EXIT_USAGE;
	}
	if (snt_fss_key_path(sc->sync_device_key, ".seal0", first, sizeof(first)) ||
	    snt_fss_key_path(sc->sync_device_key, ".seal", evolving, sizeof(evolving))) {
		ctl_err(cmd, _("%s: path too long"), sc->sync_device_key);
		return SNT_EXIT_USAGE;
	}
	if (lstat(first, &st) == 0 || lstat(evolving, &st) == 0) {
		ctl_err(cmd, _("%s: exists already: not overwritten"),
			lstat(first, &st) == 0 ? first : evolving);
		return SNT_EXIT_FAIL;
	}
	snt_clock_system(&clk);
	fe = snt_fss_init(&k, snt_clock_utc_ms(&clk), epoch_s * 1000, seal_first_seq(sc));
	if (!fe)
		fe = snt_fss_write(first, &k, &e);
	if (!fe) {
		fe = snt_fss_write(evolving, &k, &e);
		if (fe)
			(void)unlink(first);
	}
	if (fe) {
		ctl_err(cmd, _("seal key: %s%s%s"), snt_fss_strerror(fe), fe == SNT_FSS_ERR_IO ? ": " : "",
			fe == SNT_FSS_ERR_IO ? strerror(e) : "");
		snt_fss_wipe(&k);
		return SNT_EXIT_FAIL;
	}
	if (!quiet)
		printf(_("seal key %s, first key for the bureau %s (epochs of %lld s, from seq %lld)\n"),
		       evolving, first, (long long)epoch_s, (long long)k.first_seq);
	snt_fss_wipe(&k);
	return SNT_EXIT_OK;
}

static int keys_init(const struct snt_config *sc)
{
	char pub[PATH_MAX];
	EVP_PKEY *key = NULL;
	enum snt_sign_err e;
	struct stat st;

	if (!sc->sync_device_key[0]) {
		ctl_err(CMD, _("%s: [sync] device_key is empty"), sc->path);
		return SNT_EXIT_USAGE;
	}
	if (ctl_public_key_path(sc->sync_device_key, pub, sizeof(pub))) {
		ctl_err(CMD, _("%s: path too long"), sc->sync_device_key);
		return SNT_EXIT_USAGE;
	}
	if (lstat(sc->sync_device_key, &st) == 0) {
		ctl_err(CMD, _("%s: a device key exists already: not overwritten"), sc->sync_device_key);
		return SNT_EXIT_FAIL;
	}
	if (lstat(pub, &st) == 0) {
		ctl_err(CMD, _("%s: exists already: not overwritten"), pub);
		return SNT_EXIT_FAIL;
	}
	e = snt_sign_key_generate(&key);
	if (e) {
		ctl_err(CMD, _("cannot generate a key: %s"), snt_sign_strerror(e));
		return SNT_EXIT_FAIL;
	}
	errno = 0;
	e = snt_sign_key_write_private(key, sc->sync_device_key);
	if (e) {
		ctl_err(CMD, "%s: %s%s%s", sc->sync_device_key, snt_sign_strerror(e),
			errno ? ": " : "", errno ? strerror(errno) : "");
		EVP_PKEY_free(key);
		return SNT_EXIT_FAIL;
	}
	e = snt_sign_key_write_public(key, pub);
	if (e) {
		ctl_err(CMD, _("%s: %s (the private key %s was written; remove it to retry)"), pub,
			snt_sign_strerror(e), sc->sync_device_key);
		EVP_PKEY_free(key);
		return SNT_EXIT_FAIL;
	}
	printf(_("device key %s\npublic key %s\n"), sc->sync_device_key, pub);
	print_kid(key);
	EVP_PKEY_free(key);
	return SNT_EXIT_OK;
}

static int keys_show(const struct snt_config *sc)
{
	EVP_PKEY *key = NULL;
	enum snt_sign_err e;
	char *pem = NULL;
	size_t len = 0;

	errno = 0;
	e = snt_sign_key_load_private(sc->sync_device_key, &key);
	if (e) {
		int saved = errno;

		ctl_err(CMD, "%s: %s%s%s%s", sc->sync_device_key, snt_sign_strerror(e),
			e == SNT_SIGN_ERR_OPEN ? ": " : "", e == SNT_SIGN_ERR_OPEN ? strerror(saved) : "",
			e == SNT_SIGN_ERR_OPEN && saved == ENOENT ? _(" (run 'sentinelctl keys init')") : "");
		return SNT_EXIT_FAIL;
	}
	e = snt_sign_key_public_pem(key, &pem, &len);
	if (e) {
		ctl_err(CMD, "%s: %s", sc->sync_device_key, snt_sign_strerror(e));
		EVP_PKEY_free(key);
		return SNT_EXIT_FAIL;
	}
	fwrite(pem, 1, len, stdout);
	print_kid(key);
	free(pem);
	EVP_PKEY_free(key);
	return SNT_EXIT_OK;
}

int cmd_keys(int argc, char **argv)
{
	struct snt_config sc;
	struct config cfg;
	int r;

	r = parse_config(argc, argv, &cfg);
	if (r)
		return ctl_parse_exit(CMD, r);
	if (ctl_config_load(CMD, cfg.config, &sc))
		return SNT_EXIT_USAGE;
	if (!strcmp(cfg.action, "init")) {
		r = keys_init(&sc);
		if (r == SNT_EXIT_OK)
			r = ctl_keys_seal(CMD, &sc, cfg.seal_epoch_s, false);
	} else if (!strcmp(cfg.action, "seal")) {
		r = ctl_keys_seal(CMD, &sc, cfg.seal_epoch_s, false);
	} else {
		r = keys_show(&sc);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		ctl_err(CMD, _("cannot write the output: %s"), strerror(errno));
		return SNT_EXIT_USAGE;
	}
	return r;
}
