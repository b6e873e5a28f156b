// SPDX-License-Identifier: MIT
/*
 * sentinelctl pass issue [--config FILE] --id ID --visitor NAME --from TIME
 *                        --until TIME [--uses N] [--gate DEVICE]...
 *                        [--card-hash HEX] [--issued TIME]
 *                        [--out PASS.png] [--card CARD.png|CARD.pdf] [--text]
 *
 * A visit pass issued at the home, offline, by an enrolled gate: the same
 * "SNB1:" pass as `sentinel-bureau pass issue` (rules.h; the same code,
 * card.h snt_card_issue()), for this gate's [station] home, signed with
 * this gate's device key ([sync] device_key), whose kid its signature
 * carries.  This gate verifies it with its own key; the home's other gates
 * with the issuer list the bureau sends them (issuers/issuers.h), in which
 * the bureau lists this gate once it is registered for the home.  Staff
 * badges are not issued here: they stay the bureau's (issuers.h says why).
 * Exit 0 issued, 1 not enrolled or no device key, 2 usage or I/O error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "card/card.h"
#include "clock/clock.h"
#include "common/i18n.h"
#include "config/config.h"
#include "sign/sign.h"
#include "tools/common.h"

#define CMD "pass"

struct config {
	const char *config;
	struct snt_card_request r;
	bool text;
};

static void usage(FILE *f)
{
	fputs(_("Usage: sentinelctl pass issue [--config FILE] --id ID --visitor NAME\n"
		"                              --from TIME --until TIME [--uses N]\n"
		"                              [--gate DEVICE]... [--card-hash HEX]\n"
		"                              [--issued TIME] [--out PASS.png]\n"
		"                              [--card CARD.png|CARD.pdf] [--text]\n"
		"\n"
		"Issue a visit pass at the home, offline: the bureau's pass format, for this\n"
		"gate's [station] home, signed with this gate's device key ([sync] device_key).\n"
		"This gate takes it at once; the home's other gates take it once the bureau's\n"
		"issuer list (sent with the next sync) names this gate, and refuse it with\n"
		"issuer-revoked once the bureau has revoked it.  The window is [from, until)\n"
		"in [station] timezone; --uses: entries it gives (1-100, default 1); --gate:\n"
		"only these gates of the home; --card-hash: the keyed hash of the holder's ID\n"
		"card number (the pass then admits only with that card).  The name is masked\n"
		"before it is signed (\"张三\" -> \"张*\").  --out writes the QR code as PNG (the\n"
		"qrencode program), --card the printable card; --out, --card or both (- for\n"
		"standard output).  --text prints the QR text instead of the summary line.\n"
		"Staff badges are issued by the bureau only.\n"
		"\n"
		"Exit status: 0 issued; 1 not enrolled, or no device key; 2 usage or I/O error.\n"), f);
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		CTL_OPT_CONFIG,
		{ "id", required_argument, NULL, 'I' },
		{ "visitor", required_argument, NULL, 'v' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "uses", required_argument, NULL, 'U' },
		{ "gate", required_argument, NULL, 'g' },
		{ "card-hash", required_argument, NULL, 'K' },
		{ "issued", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "card", required_argument, NULL, 'C' },
		{ "text", no_argument, NULL, 't' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct snt_card_request *r = &cfg->r;
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	cfg->config = SNT_CONFIG_DEFAULT_PATH;
	r->kind = SNT_CREDENTIAL_PASS;
	while ((c = ctl_getopt_keep(argc, argv, ":c:h", longopts, 'c', &cfg->config)) != -1) {
		switch (c) {
		case 'I': r->id = optarg; break;
		case 'v': r->visitor = optarg; break;
		case 'f': r->from = optarg; break;
		case 'u': r->until = optarg; break;
		case 'U': r->uses = optarg; break;
		case 'K': r->card_hash = optarg; break;
		case 's': r->issued = optarg; break;
		case 'o': r->out = optarg; break;
		case 'C': r->card = optarg; break;
		case 't': cfg->text = true; break;
		case 'g':
			if (r->n_gates == SNT_CREDENTIAL_MAX_GATES) {
				ctl_err(CMD, P_("--gate: at most %d gate", "--gate: at most %d gates",
						SNT_CREDENTIAL_MAX_GATES), SNT_CREDENTIAL_MAX_GATES);
				return -1;
			}
			r->gates[r->n_gates++] = optarg;
			break;
		default:
			return ctl_getopt_other(CMD, c, argv, usage);
		}
	}
	if (optind >= argc || strcmp(argv[optind], "issue")) {
		ctl_err(CMD, _("usage: pass issue (see --help); staff badges are issued by the bureau"));
		return -1;
	}
	if (++optind < argc) {
		ctl_err(CMD, _("unexpected argument '%s'"), argv[optind]);
		return -1;
	}
	if (!r->id || !r->visitor || !r->from || !r->until || (!r->out && !r->card)) {
		ctl_err(CMD, _("pass issue takes --id, --visitor, --from, --until and --out or --card "
			       "(and --uses, --gate, --card-hash, --issued, --text)"));
		return -1;
	}
	if (r->out && r->card && !strcmp(r->out, "-") && !strcmp(r->card, "-")) {
		ctl_err(CMD, _("--out - and --card - would both write to standard output"));
		return -1;
	}
	if (cfg->text && ((r->out && !strcmp(r->out, "-")) || (r->card && !strcmp(r->card, "-")))) {
		ctl_err(CMD, _("--text and %s - would both write to standard output"),
			r->out && !strcmp(r->out, "-") ? "--out" : "--card");
		return -1;
	}
	return 0;
}

int cmd_pass(int argc, char **argv)
{
	struct snt_config *sc = calloc(1, sizeof(*sc));
	struct snt_credential c;
	struct snt_clock clk;
	struct config cfg;
	enum snt_card_err cerr;
	enum snt_sign_err serr;
	EVP_PKEY *key = NULL;
	char *text = NULL, why[512], line[1024];
	int status = SNT_EXIT_USAGE, r;

	if (!sc) {
		ctl_err(CMD, "%s", _("out of memory"));
		return SNT_EXIT_USAGE;
	}
	r = parse_config(argc, argv, &cfg);
	if (r) {
		free(sc);
		return ctl_parse_exit(CMD, r);
	}
	if (ctl_config_load(CMD, cfg.config, sc))
		goto out;
	for (int i = 0; i < 2; i++) {
		const char *t = i ? cfg.r.card : cfg.r.out;

		if (t && ctl_output_target(CMD, t) < 0)
			goto out;
	}
	if (!sc->enrolled) {
		ctl_err(CMD, _("%s: this gate is not enrolled: it issues no pass (sentinelctl enrol)"), cfg.config);
		status = SNT_EXIT_FAIL;
		goto out;
	}
	serr = sc->sync_device_key[0] ? snt_sign_key_load_private(sc->sync_device_key, &key) : SNT_SIGN_ERR_OPEN;
	if (serr) {
		ctl_err(CMD, _("%s: cannot use the device key '%s': %s"), cfg.config, sc->sync_device_key,
			snt_sign_strerror(serr));
		status = SNT_EXIT_FAIL;
		goto out;
	}
	cfg.r.home = sc->home;
	snt_clock_system(&clk);
	cerr = snt_card_issue(&cfg.r, key, snt_clock_utc_ms(&clk), &c, &text, why, sizeof(why));
	if (cerr) {
		ctl_err(CMD, "%s", why);
		if (cerr == SNT_CARD_ERR_USAGE)
			(void)ctl_usage_hint(CMD);
		goto out;
	}
	if (cfg.text) {
		printf("%s\n", text);
	} else {
		snt_card_summary(&cfg.r, &c, text, line, sizeof(line));
		fputs(line, (cfg.r.out && !strcmp(cfg.r.out, "-")) || (cfg.r.card && !strcmp(cfg.r.card, "-")) ?
			    stderr : stdout);
	}
	status = SNT_EXIT_OK;
out:
	free(text);
	EVP_PKEY_free(key);
	free(sc);
	return status;
}
