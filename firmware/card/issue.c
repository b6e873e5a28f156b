// SPDX-License-Identifier: MIT
/*
 * Issuing a badge or pass from what staff type (card.h snt_card_issue()):
 * one code for `sentinel-bureau badge|pass issue` and `sentinelctl pass
 * issue`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "card/card.h"
#include "clock/clock.h"
#include "codes/codes.h"
#include "codes/verify.h"
#include "common/i18n.h"
#include "review/review.h"

int snt_card_write_file(const char *path, const void *buf, size_t len)
{
	char tmp[4096];
	int fd, saved;

	if (!strcmp(path, "-"))
		return fwrite(buf, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	if (snt_write_all(fd, buf, len))
		goto err;
	if (fsync(fd) || close(fd)) {
		fd = -1;
		goto err;
	}
	if (rename(tmp, path))
		goto err_unlink;
	return 0;
err:
	saved = errno;
	if (fd >= 0)
		close(fd);
	errno = saved;
err_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
	return -1;
}

/* The QR code of @text as a PNG at @out ("-": standard output), drawn by the qrencode program. */
static int qr_png(const char *text, const char *out)
{
	char tmp[4096];
	bool to_stdout = !strcmp(out, "-");
	int st;
	pid_t pid;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", out) >= sizeof(tmp))
		return -1;
	if (to_stdout && fflush(stdout))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* No shell: the text is one argument. */
		execlp("qrencode", "qrencode", "-t", "PNG", "-l", "M", "-s", "6", "-m", "4", "-o",
		       to_stdout ? "-" : tmp, "--", text, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (!to_stdout)
			unlink(tmp);
		return -1;
	}
	if (!to_stdout && rename(tmp, out)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int snt_card_mask_name(const char *name, char out[SNT_RULES_NAME_LEN])
{
	struct snt_verify_subject s;
	size_t len = strlen(name), g;
	const char *rest;

	memset(&s, 0, sizeof(s));
	out[0] = '\0';
	if (len == 0 || len >= sizeof(s.given) || !snt_code_is_text((const uint8_t *)name, len))
		return -1;
	name += strspn(name, " ");
	g = strcspn(name, " ");
	memcpy(s.given, name, g);
	rest = name + g;
	rest += strspn(rest, " ");
	snt_strlcpy(s.family, rest, sizeof(s.family));
	snt_verify_mask_name(&s, out, SNT_RULES_NAME_LEN);
	return out[0] ? 0 : -1;
}

/* A time option: snt_review_parse_time()'s forms, or ms since the epoch. */
static enum snt_card_err parse_time(const char *name, const char *s, int64_t *out, char *why, size_t n)
{
	char *end;
	long long v;

	if (snt_review_parse_time(s, SNT_REVIEW_SINCE, out) == SNT_REVIEW_OK)
		return SNT_CARD_OK;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && end != s && !*end && v >= 0) {
		*out = v;
		return SNT_CARD_OK;
	}
	return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n,
			_("%s: '%s' is not a time ('YYYY-MM-DD HH:MM' in Asia/Shanghai, or RFC 3339) "
			  "nor ms since the epoch"), name, s);
}

int snt_card_hex(const char *hex, uint8_t *out, size_t min, size_t max)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 < min || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char ch = hex[2 * i + (size_t)k];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v |= (unsigned)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				v |= (unsigned)(ch - 'A' + 10);
			else
				return -1;
		}
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

/* @r's options into @c (not signed yet). */
static enum snt_card_err build(const struct snt_card_request *r, int64_t now_ms, struct snt_credential *c,
			       char *why, size_t n)
{
	enum snt_card_err e;

	memset(c, 0, sizeof(*c));
	c->kind = r->kind;
	c->issued_ms = now_ms;
	c->uses = 1;
	if (!r->home || snt_strlcpy(c->home, r->home, sizeof(c->home)) >= sizeof(c->home) || !c->home[0] ||
	    !snt_code_is_text((const uint8_t *)c->home, strlen(c->home)))
		return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, "%s",
				_("--home: not a home name of 1-127 bytes of text (the gates' [station] home)"));
	if (r->n_gates > SNT_CREDENTIAL_MAX_GATES)
		return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n,
				P_("--gate: at most %d gate", "--gate: at most %d gates", SNT_CREDENTIAL_MAX_GATES),
				SNT_CREDENTIAL_MAX_GATES);
	for (size_t i = 0; i < r->n_gates; i++)
		if (snt_strlcpy(c->gates[i], r->gates[i], SNT_RULES_GATE_LEN) >= SNT_RULES_GATE_LEN)
			return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, "%s", _("--gate: longer than 63 characters"));
	c->n_gates = r->n_gates;
	if (r->uses) {
		char *end;
		long v;

		errno = 0;
		v = strtol(r->uses, &end, 10);
		if (errno || end == r->uses || *end || v < 1 || v > SNT_CREDENTIAL_MAX_USES)
			return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, _("--uses: '%s' is not a number 1-100"), r->uses);
		c->uses = (uint32_t)v;
	}
	if (r->issued && (e = parse_time("--issued", r->issued, &c->issued_ms, why, n)))
		return e;
	if (r->kind == SNT_CREDENTIAL_BADGE) {
		if (!r->ref || snt_strlcpy(c->ref, r->ref, sizeof(c->ref)) >= sizeof(c->ref))
			return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, "%s", _("--ref: longer than 32 characters"));
		return SNT_CARD_OK;
	}
	if (!r->id || snt_strlcpy(c->id, r->id, sizeof(c->id)) >= sizeof(c->id))
		return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, "%s", _("--id: longer than 32 characters"));
	if (!r->visitor || snt_card_mask_name(r->visitor, c->visitor))
		return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, "%s",
				_("--visitor: not a name (1-95 bytes of printable UTF-8 text)"));
	if ((e = parse_time("--from", r->from ? r->from : "", &c->from_ms, why, n)) ||
	    (e = parse_time("--until", r->until ? r->until : "", &c->until_ms, why, n)))
		return e;
	if (c->until_ms <= c->issued_ms && c->until_ms > c->from_ms) {
		/* A pass for a window already over admits nobody: surely a mistyped date. */
		char issued[32];

		if (snt_clock_format_rfc3339(c->issued_ms, issued, sizeof(issued)))
			snt_strlcpy(issued, "?", sizeof(issued));
		return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n,
				_("--until %s: the window is over already (the pass is issued at %s): it would admit "
				  "nobody"), r->until, issued);
	}
	if (r->card_hash) {
		if (snt_card_hex(r->card_hash, c->card, SNT_CREDENTIAL_CARD_LEN, SNT_CREDENTIAL_CARD_LEN) !=
		    SNT_CREDENTIAL_CARD_LEN)
			return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, "%s",
					_("--card-hash: not 64 hex digits (the keyed hash of the holder's ID number)"));
		c->has_card = true;
	}
	return SNT_CARD_OK;
}

enum snt_card_err snt_card_issue(const struct snt_card_request *r, EVP_PKEY *key, int64_t now_ms,
				 struct snt_credential *c, char **text, char *why, size_t n)
{
	enum snt_rules_err rerr;
	enum snt_card_err e;

	if (!r || !key || !c || !text)
		return SNT_CARD_ERR_INVAL;
	*text = NULL;
	e = build(r, now_ms, c, why, n);
	if (e)
		return e;
	rerr = snt_credential_issue(c, key, text);
	if (rerr == SNT_RULES_ERR_INVAL)
		return SNT_FAIL(SNT_CARD_ERR_USAGE, why, n, "%s", r->kind == SNT_CREDENTIAL_BADGE ?
				_("--ref: 1-32 printable ASCII characters; --gate: 1-63 printable ASCII, distinct") :
				_("--id 1-32 printable ASCII, --until after --from; --gate: 1-63 printable ASCII, distinct"));
	if (rerr)
		return SNT_FAIL(rerr == SNT_RULES_ERR_NOMEM ? SNT_CARD_ERR_NOMEM : SNT_CARD_ERR_SIGN, why, n, "%s",
				snt_rules_strerror(rerr));
	if (r->out && qr_png(*text, r->out)) {
		e = SNT_FAIL(SNT_CARD_ERR_IO, why, n, _("cannot write %s with qrencode"), r->out);
		goto err;
	}
	if (r->card) {
		uint8_t *card = NULL;
		size_t card_len = 0;

		e = snt_card_render(c, *text, snt_card_format_for(r->card), &card, &card_len);
		if (e) {
			snt_msg(why, n, _("cannot draw the card %s: %s"), r->card, snt_card_strerror(e));
			goto err;
		}
		if (snt_card_write_file(r->card, card, card_len)) {
			e = SNT_FAIL(SNT_CARD_ERR_IO, why, n, _("cannot write %s: %s"), r->card, strerror(errno));
			free(card);
			goto err;
		}
		free(card);
	}
	return SNT_CARD_OK;
err:
	free(*text);
	*text = NULL;
	return e;
}

void snt_card_summary(const struct snt_card_request *r, const struct snt_credential *c, const char *text, char *buf,
		      size_t n)
{
	char where[PATH_MAX * 2 + 16];

	snprintf(where, sizeof(where), "%s%s%s%s", r->out ? (strcmp(r->out, "-") ? r->out : _("standard output")) : "",
		 r->out && r->card ? ", " : "", r->card ? _("card ") : "",
		 r->card ? (strcmp(r->card, "-") ? r->card : _("standard output")) : "");
	if (c->kind == SNT_CREDENTIAL_BADGE) {
		snprintf(buf, n, P_("badge %s: %s (%zu character)\n", "badge %s: %s (%zu characters)\n", strlen(text)),
			 c->ref, where, strlen(text));
	} else {
		char from[32], until[32];

		if (snt_clock_format_rfc3339(c->from_ms, from, sizeof(from)))
			snt_strlcpy(from, "?", sizeof(from));
		if (snt_clock_format_rfc3339(c->until_ms, until, sizeof(until)))
			snt_strlcpy(until, "?", sizeof(until));
		snprintf(buf, n, P_("pass %s: %s (visitor %s, %u entry, %s to %s, %zu characters)\n",
				    "pass %s: %s (visitor %s, %u entries, %s to %s, %zu characters)\n", c->uses),
			 c->id, where, c->visitor, c->uses, from, until, strlen(text));
	}
}
