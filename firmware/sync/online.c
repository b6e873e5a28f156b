// SPDX-License-Identifier: MIT
/*
 * sync, online part: POST bundles to the bureau with libcurl, retries with
 * exponential backoff and full jitter (sync.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "common/i18n.h"
#include "sync/bundle.h"
#include "sync/sync.h"

#define MAX_RESPONSE ((size_t)16 << 20)

int64_t snt_sync_backoff_ms(int attempt, int64_t base, int64_t max, uint32_t r)
{
	int64_t cap = base;

	if (attempt < 1 || base <= 0)
		return 0;
	for (int i = 1; i < attempt && cap < max; i++)
		cap *= 2;
	if (cap > max)
		cap = max;
	/* Full jitter: uniform in [0, cap]. */
	return (int64_t)((uint64_t)r % (uint64_t)(cap + 1));
}

#define URL_RULE N_("https:// only; plain http only to 127.0.0.1, ::1 or localhost")

int snt_sync_url_check(const char *url, char *why, size_t whylen)
{
	static const CURLUPart refused[] = { CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_QUERY,
					     CURLUPART_FRAGMENT };
	static const char *const what[] = { N_("a user name or password"), N_("a user name or password"),
					    N_("a query (?...)"), N_("a fragment (#...)") };
	char *scheme = NULL, *host = NULL;
	CURLUcode uc;
	CURLU *u;
	int rc = -1;

	if (why && whylen)
		why[0] = '\0';
	if (!url || !*url) {
		snprintf(why, whylen, _("bureau_url: empty: not allowed"));
		return -1;
	}
	u = curl_url();
	if (!u) {
		snprintf(why, whylen, _("bureau_url: out of memory"));
		return -1;
	}
	/* Parsed as libcurl will use it: the same parser decides what "host" means. */
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		uc = CURLUE_MALFORMED_INPUT;
	if (uc == CURLUE_OK && (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host))
		uc = CURLUE_NO_HOST;
	if (uc) {
		snprintf(why, whylen, _("bureau_url: %s (https://HOST[:PORT][/PATH])"),
			 uc == CURLUE_NO_HOST ? _("no host name") : _("not a URL"));
		goto out;
	}
	/* Never printed: the URL itself (it may carry a password). */
	for (size_t i = 0; i < SNT_ARRAY_SIZE(refused); i++) {
		char *part = NULL;
		CURLUcode c = curl_url_get(u, refused[i], &part, 0);

		curl_free(part);
		if (c == CURLUE_OK) {
			snprintf(why, whylen, _("bureau_url: %s in the URL not allowed"), _(what[i]));
			goto out;
		}
	}
	if (!strcasecmp(scheme, "https")) {
		rc = 0;
	} else if (!strcasecmp(scheme, "http")) {
		if (!strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") || !strcasecmp(host, "localhost"))
			rc = 0;
		else
			snprintf(why, whylen, _("bureau_url: plain http to %s not allowed (%s)"), host, _(URL_RULE));
	} else {
		snprintf(why, whylen, _("bureau_url: scheme %s not allowed (%s)"), scheme, _(URL_RULE));
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

bool snt_sync_url_allowed(const char *url)
{
	char why[8];

	return snt_sync_url_check(url, why, sizeof(why)) == 0;
}

struct membuf {
	uint8_t *p;
	size_t n;
	bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct membuf *m = arg;
	size_t add = size * nmemb;
	uint8_t *np;

	if (m->n + add > MAX_RESPONSE) {
		m->too_big = true;
		return 0;
	}
	np = realloc(m->p, m->n + add + 1);
	if (!np)
		return 0;
	memcpy(np + m->n, ptr, add);
	m->p = np;
	m->n += add;
	m->p[m->n] = 0;
	return add;
}

int snt_sync_curl_post(void *arg, const char *url, const uint8_t *body, size_t len, long *status,
		       uint8_t **resp, size_t *resp_len, char *why, size_t whylen)
{
	const struct snt_sync_curl_opts *o = arg;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	struct membuf m = { 0 };
	CURLcode rc;
	CURL *c;

	*status = 0;
	*resp = NULL;
	*resp_len = 0;
	c = curl_easy_init();
	if (!c) {
		snprintf(why, whylen, _("libcurl could not start"));
		return -1;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/cose");
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "sentinel/" SNT_VERSION);
	if (o && o->ca && *o->ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca);
	if (o && o->timeout_s > 0) {
		curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout_s);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->timeout_s);
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		bool permanent = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
				 rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_UNSUPPORTED_PROTOCOL;

		snprintf(why, whylen, "%s: %s%s", url,
			 m.too_big ? _("response over 16 MiB") : errbuf[0] ? errbuf : curl_easy_strerror(rc),
			 permanent && o && o->ca && *o->ca ? _(" (pinned CA: [sync] bureau_ca)") : "");
		free(m.p);
		curl_slist_free_all(hdr);
		curl_easy_cleanup(c);
		return permanent ? -2 : -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	*resp = m.p;
	*resp_len = m.n;
	return 0;
}

static uint32_t default_random(void *arg)
{
	uint32_t r = 0;

	(void)arg;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0x9e3779b9u;
	return r;
}

struct online_state {
	const struct snt_sync_ctx *ctx;
	const struct snt_sync_online_opts *o;
	struct snt_sync_online_result *res;
	struct snt_sync_curl_opts curl;
	char url[512];
};

/*
 * The rule set, trust list and issuer list an applied acknowledgement @buf
 * carried (bundle.h, ack "rules", "trust", "issuers"), kept in the result for the caller to
 * install (the last one wins).  The acknowledgement verified already; a second open only takes
 * the bytes out.
 */
static void keep_rules(struct online_state *s, const uint8_t *buf, size_t len)
{
	struct snt_bundle_ack *a = NULL;
	struct snt_bundle_diag d;

	if (snt_bundle_ack_open(s->ctx->bureau_key, buf, len, &a, &d) == SNT_BUNDLE_OK && a->rules) {
		free(s->res->rules);
		s->res->rules = a->rules;
		s->res->rules_len = a->rules_len;
		a->rules = NULL;
	}
	if (a && a->trust) {
		free(s->res->trust);
		s->res->trust = a->trust;
		s->res->trust_len = a->trust_len;
		a->trust = NULL;
	}
	if (a && a->issuers) {
		free(s->res->issuers);
		s->res->issuers = a->issuers;
		s->res->issuers_len = a->issuers_len;
		a->issuers = NULL;
	}
	snt_bundle_ack_free(a);
}

/* The bureau's reason: its one-line body, trimmed, printable ASCII only. */
static void reason_text(const uint8_t *p, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size && o < 200; i++) {
		if (p[i] == '\n' || p[i] == '\r')
			break;
		out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	}
	out[o] = '\0';
	if (!o)
		snt_strlcpy(out, "(no reason given)", size);
}

static int post_bundle(void *arg, const struct snt_sync_bundle *b, enum snt_sync_err *err, char *why,
		       size_t whylen)
{
	struct online_state *s = arg;
	const struct snt_sync_online_opts *o = s->o;
	snt_sync_post_fn post = o->post ? o->post : snt_sync_curl_post;
	void *post_arg = o->post ? o->post_arg : &s->curl;
	uint32_t (*rnd)(void *) = o->random ? o->random : default_random;
	char last[1024];

	last[0] = '\0';
	for (int attempt = 0; attempt <= o->retries; attempt++) {
		struct snt_sync_ack_result ar;
		uint8_t *resp = NULL;
		size_t resp_len = 0;
		long status = 0;
		enum snt_sync_err e;
		int r;

		if (attempt > 0) {
			int64_t ms = snt_sync_backoff_ms(attempt, o->backoff_base_ms, o->backoff_max_ms,
							 rnd(o->random_arg));

			s->res->retried++;
			s->res->backoff_ms += ms;
			if (ms > 0)
				snt_clock_sleep_ms(s->ctx->clock, ms);
		}
		s->res->attempts++;
		r = post(post_arg, s->url, b->data, b->len, &status, &resp, &resp_len, last, sizeof(last));
		if (r == -2) {
			free(resp);
			snprintf(why, whylen, _("%s not delivered (not retried): %s"), b->name, last);
			*err = SNT_SYNC_ERR_NETWORK;
			return -1;
		}
		if (r != 0) {
			free(resp);
			continue;	/* transport failure: retry */
		}
		if (status >= 500 || status == 0 || status == 408 || status == 429) {
			snprintf(last, sizeof(last), _("%s: HTTP %ld for %s"), s->url, status, b->name);
			free(resp);
			continue;
		}
		if (status != 200) {
			char reason[256];

			reason_text(resp, resp_len, reason, sizeof(reason));
			free(resp);
			snprintf(why, whylen, _("%s: the bureau refused %s (HTTP %ld): %s"), s->url, b->name,
				 status, reason);
			*err = SNT_SYNC_ERR_REJECTED;
			return -1;
		}
		e = snt_sync_apply_ack(s->ctx, resp, resp_len, &ar, why, whylen);
		if (!e)
			keep_rules(s, resp, resp_len);
		free(resp);
		if (e) {
			*err = e;
			return -1;
		}
		s->res->acks++;
		s->res->ack_after = ar.ack_after;
		s->res->verdicts += ar.verdicts;
		s->res->contradictions += ar.contradictions;
		if (ar.time != SNT_SYNC_TIME_NONE &&
		    (s->res->time == SNT_SYNC_TIME_NONE || ar.time == SNT_SYNC_TIME_APPLIED ||
		     ar.time == SNT_SYNC_TIME_CORRECTED)) {
			s->res->time = ar.time;
			s->res->time_utc_ms = ar.time_utc_ms;
		}
		return 0;
	}
	snprintf(why, whylen, P_("%s not delivered after %d attempts: %s", "%s not delivered after %d attempts: %s",
		    o->retries + 1), b->name, o->retries + 1, last);
	*err = SNT_SYNC_ERR_NETWORK;
	return -1;
}

enum snt_sync_err snt_sync_online(const struct snt_sync_ctx *ctx, const struct snt_sync_online_opts *o,
				  struct snt_sync_online_result *res, char *why, size_t whylen)
{
	struct online_state s;
	size_t n;

	if (!ctx || !o || !res || !ctx->st || !ctx->clock)
		return SNT_SYNC_ERR_INVAL;
	memset(res, 0, sizeof(*res));
	if (!o->url || !*o->url) {
		snprintf(why, whylen, _("no bureau URL ([sync] bureau_url)"));
		return SNT_SYNC_ERR_CONFIG;
	}
	if (snt_sync_url_check(o->url, why, whylen))
		return SNT_SYNC_ERR_CONFIG;
	if (o->retries < 0 || o->timeout_s < 0)
		return SNT_SYNC_ERR_INVAL;
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.o = o;
	s.res = res;
	s.curl.ca = o->ca;
	s.curl.timeout_s = o->timeout_s;
	n = strlen(o->url);
	while (n > 0 && o->url[n - 1] == '/')
		n--;
	if (n + sizeof("/v1/bundle") > sizeof(s.url)) {
		snprintf(why, whylen, _("bureau URL too long"));
		return SNT_SYNC_ERR_CONFIG;
	}
	memcpy(s.url, o->url, n);
	memcpy(s.url + n, "/v1/bundle", sizeof("/v1/bundle"));
	if (snt_store_get_ack(ctx->st, &res->ack_after) != SNT_STORE_OK)
		res->ack_after = 0;
	return snt_sync_export(ctx, 0, post_bundle, &s, &res->exp, why, whylen);
}
