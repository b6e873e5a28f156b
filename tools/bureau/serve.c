// SPDX-License-Identifier: MIT
/*
 * The bureau's HTTP receiver (serve.h), libmicrohttpd 0.9.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clock/clock.h"
#include "sync/bundle.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/enrol.h"
#include "tools/bureau/personal.h"
#include "tools/bureau/serve.h"
#include "common/i18n.h"
#include "tools/bureau/trust.h"

#define MAX_PEM (64 * 1024)

/* How often the main thread looks for requests past their deadline, ms. */
#define SWEEP_MS 250
#define BUSY "the bureau is busy (request bodies over the buffer limit); retry later"
/* Seconds a client told 503 (busy, or the database not reachable) waits before retrying (RFC 9110 §10.2.3). */
#define RETRY_AFTER_S "10"

struct request {
	uint8_t *buf;
	size_t len, cap;	/* cap: bytes allocated, counted in server.held */
	bool too_big;
	bool busy;		/* the buffer limit was reached: body dropped, 503 */
	bool is_bundle;
	bool is_enrol;		/* POST /v1/enrol: a small JSON body */
	uint64_t declared;	/* Content-Length, 0 when absent */
};

/*
 * One open connection, for the request deadline: added and removed by
 * libmicrohttpd's thread (notify_connection()), its start moved by that
 * thread when a request ends, read by the main thread's sweep, all under
 * server.lock.
 */
struct conn {
	struct conn *prev, *next;
	int fd;
	int64_t start_ms;	/* accept, or end of the previous request (monotonic) */
	bool expired;		/* shut down by the sweep */
};

/* Largest body of POST /v1/enrol: a token, a PEM public key and a first seal key. */
#define ENROL_MAX_BODY 16384

struct server {
	const struct bureau_ctx *c;	/* main's: its clock and keys; its database with one worker */
	const char *db_path;	/* the database: opened once per worker thread (workers > 1) and for
				 * the enrolment tokens (enrol.h); NULL: no /v1/enrol */
	const char *state_dir;	/* the tokens' and trust lists' directory (bureau_state_dir()), or NULL */
	unsigned workers;
	int personal_days;	/* the personal records' retention after each bundle (0: none) */
	pthread_key_t worker;	/* each worker thread's struct worker (workers > 1) */
	int64_t deadline_ms;	/* total time of one request */
	size_t limit;		/* bytes of bodies held at once */
	pthread_mutex_t lock;	/* guards conns and held */
	size_t held;		/* bytes allocated now */
	struct conn *conns;
};

/* One worker thread's context: main's, with the thread's own database connection. */
struct worker {
	struct bureau_ctx c;
};

static void worker_free(void *p)
{
	struct worker *w = p;

	bureau_db_close(w->c.db);
	free(w);
}

/*
 * The context of the calling thread: main's with one worker; else the
 * thread's own, its connection opened on its first request.  NULL when
 * that fails (@why says why).
 */
static const struct bureau_ctx *worker_ctx(struct server *srv, char *why, size_t n)
{
	struct worker *w;

	if (srv->workers <= 1)
		return srv->c;
	w = pthread_getspecific(srv->worker);
	if (w)
		return &w->c;
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(why, n, _("out of memory"));
		return NULL;
	}
	w->c = *srv->c;
	w->c.db = NULL;
	if (bureau_db_open_mode(srv->db_path, false, &w->c.db, why, n) != BUREAU_OK ||
	    pthread_setspecific(srv->worker, w) != 0) {
		bureau_db_close(w->c.db);
		free(w);
		return NULL;
	}
	return &w->c;
}

int bureau_serve_parse_listen(const char *s, struct bureau_serve_opts *o, char *why, size_t n)
{
	char host[128];
	const char *colon, *port_s;
	char *end;
	long port;

	memset(&o->addr, 0, sizeof(o->addr));
	if (!s || !*s) {
		snprintf(why, n, "empty");
		return -1;
	}
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host)) {
			snprintf(why, n, _("'%s' is not [ADDR6]:PORT"), s);
			return -1;
		}
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		port_s = rb + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host)) {
			snprintf(why, n, _("'%s' is not ADDR:PORT"), s);
			return -1;
		}
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port_s = colon + 1;
	}
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (errno || *end || end == port_s || port < 0 || port > 65535) {
		snprintf(why, n, _("port '%s' is not 0-65535"), port_s);
		return -1;
	}
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *)&o->addr;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&o->addr;

		if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
			a4->sin_family = AF_INET;
			a4->sin_port = htons((uint16_t)port);
			o->addr_len = sizeof(*a4);
		} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons((uint16_t)port);
			o->addr_len = sizeof(*a6);
		} else {
			snprintf(why, n, _("'%s' is not a numeric IPv4 or IPv6 address"), host);
			return -1;
		}
	}
	return 0;
}

/*
 * One line per request.  The method comes from the network and the other
 * fields may: control bytes are escaped (bureau_escape()), so a method like
 * "GE\x1b[31mT" or "FAKE\rLINE" cannot colour the terminal or forge a line.
 */
static void log_line(const struct bureau_ctx *c, const char *method, const char *path, unsigned status,
		     size_t in, const char *device, const char *outcome)
{
	char t[40], m[64], p[128], d[4 * BUREAU_DEVICE_LEN], o[BUREAU_WHY_LEN + 64];

	if (snt_clock_format_rfc3339(snt_clock_utc_ms(c->clk), t, sizeof(t)) != 0)
		snt_strlcpy(t, "-", sizeof(t));
	bureau_escape(method, m, sizeof(m));
	bureau_escape(path, p, sizeof(p));
	bureau_escape(device && *device ? device : "-", d, sizeof(d));
	bureau_escape(outcome, o, sizeof(o));
	/* i18n-exempt: the HTTP access log, one record per line for log tools */
	printf("%s %s %s %u in=%zu device=%s %s\n", t, m, p, status, in, d, o);
	fflush(stdout);
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *type,
			       const void *body, size_t len, bool copy)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
					    copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_MUST_FREE);
	if (!r) {
		if (!copy)
			free((void *)(uintptr_t)body);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	/* Every 503 is "not now": the client is told when to come back. */
	if (status == 503)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, RETRY_AFTER_S);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result respond_text(struct MHD_Connection *conn, unsigned status, const char *line)
{
	char buf[BUREAU_WHY_LEN + 2];

	snprintf(buf, sizeof(buf), "%s\n", line);
	return respond(conn, status, "text/plain; charset=utf-8", buf, strlen(buf), true);
}

/* The request logged (@why) and answered @status with the line @body. */
static enum MHD_Result refuse(struct MHD_Connection *conn, const struct bureau_ctx *c, const char *method,
			      const char *path, unsigned status, size_t in, const char *why, const char *body)
{
	log_line(c, method, path, status, in, NULL, why);
	return respond_text(conn, status, body);
}

static enum MHD_Result handle_time(const struct bureau_ctx *c, struct MHD_Connection *conn)
{
	const char *device = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "device");
	char why[BUREAU_WHY_LEN];
	uint8_t *out = NULL;
	size_t len = 0;
	int64_t now;
	enum bureau_err err;

	if (!device || !bureau_device_id_valid(device))
		return refuse(conn, c, "GET", "/v1/time", 400, 0, "bad device id",
			      "device: missing or not a device id");
	err = bureau_make_time(c, device, &out, &len, &now, why, sizeof(why));
	if (err) {
		log_line(c, "GET", "/v1/time", 500, 0, device, why);
		return respond_text(conn, 500, "cannot sign the time now; retry later");
	}
	/*
	 * Not a contact: anyone may ask for any device's time (no
	 * authentication), so only an accepted bundle moves "last contact".
	 */
	log_line(c, "GET", "/v1/time", 200, 0, device, "signed time");
	return respond(conn, 200, "application/cose", out, len, false);
}

/* Free @rq's body and give its bytes back to the limit. */
static void release(struct server *srv, struct request *rq)
{
	pthread_mutex_lock(&srv->lock);
	srv->held -= rq->cap;
	pthread_mutex_unlock(&srv->lock);
	free(rq->buf);
	rq->buf = NULL;
	rq->cap = 0;
}

static enum MHD_Result handle_bundle(struct server *srv, struct MHD_Connection *conn, struct request *rq)
{
	const struct bureau_ctx *c = srv->c;
	struct bureau_import_result res;
	char why[BUREAU_WHY_LEN], outcome[BUREAU_WHY_LEN + 64];
	uint8_t *ack = NULL;
	size_t ack_len = 0;
	int64_t seq = 0;
	char trust_why[BUREAU_WHY_LEN] = "", purge_why[BUREAU_WHY_LEN] = "";
	int64_t purged = 0;
	uint64_t rules_version = 0, trust_version = 0;
	uint8_t *trust = NULL;
	size_t trust_len = 0;
	locale_t c_loc, prev_loc;
	enum bureau_err err;

	if (rq->too_big)
		return refuse(conn, c, "POST", "/v1/bundle", 413, rq->len, "too large", "bundle too large");
	if (rq->busy)
		return refuse(conn, c, "POST", "/v1/bundle", 503, rq->len, "busy (buffer limit)", BUSY);
	if (rq->len == 0)
		return refuse(conn, c, "POST", "/v1/bundle", 400, 0, "empty body", "empty body: no bundle");
	c = worker_ctx(srv, why, sizeof(why));
	if (!c)
		return refuse(conn, srv->c, "POST", "/v1/bundle", 503, rq->len, why,
			      "the bureau cannot store it now; retry later");
	/*
	 * i18n-exempt: the reason goes back to the gate in the 400 body, which
	 * it shows as printable ASCII only (online.c reason_text()) to staff
	 * whose language is the gate's: the import runs in the C locale here
	 * (this thread only), so the reason is English whatever the bureau's.
	 */
	c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	prev_loc = c_loc ? uselocale(c_loc) : (locale_t)0;
	err = bureau_import_bundle(c, rq->buf, rq->len, "http", NULL, &res, why, sizeof(why));
	if (c_loc) {
		uselocale(prev_loc);
		freelocale(c_loc);
	}
	if (err == BUREAU_ERR_REJECT || err == BUREAU_ERR_NOTFOUND) {
		log_line(c, "POST", "/v1/bundle", 400, rq->len, res.m.device, "rejected");
		return respond_text(conn, 400, why);
	}
	if (err) {
		log_line(c, "POST", "/v1/bundle", 503, rq->len, res.m.device, "database failure");
		return respond_text(conn, 503, "the bureau cannot store it now; retry later");
	}
	/* The personal records' retention after every bundle, as import does (personal.h). */
	if (srv->personal_days > 0 &&
	    bureau_personal_purge(c->db, srv->personal_days, snt_clock_utc_ms(c->clk), &purged, purge_why,
				  sizeof(purge_why)) == BUREAU_OK)
		purge_why[0] = '\0';
	/* The home's current trust list (trust sign --db) rides in the acknowledgement too. */
	if (srv->db_path) {
		err = bureau_trust_for(srv->db_path, srv->state_dir, c->db, c->key, res.m.device, &trust, &trust_len, &trust_version,
				       trust_why, sizeof(trust_why));
		if (!err || err == BUREAU_ERR_NOTFOUND)
			trust_why[0] = '\0';
	}
	err = bureau_make_ack(c, res.m.device, &ack, &ack_len, &seq, &rules_version, trust, trust_len, why,
			      sizeof(why));
	free(trust);
	if (err) {
		log_line(c, "POST", "/v1/bundle", 500, rq->len, res.m.device, "no acknowledgement");
		return respond_text(conn, 500, "merged, but the acknowledgement failed; resend");
	}
	/* i18n-exempt: the access log's outcome (log tools read it) */
	snprintf(outcome, sizeof(outcome),
		 "%s entries %" PRId64 "-%" PRId64 " new %" PRId64 " duplicate %" PRId64 " ack %" PRId64
		 " verdicts %zu", res.m.priority ? "priority" : "regular", res.m.first, res.m.last,
		 res.merge.new_entries, res.merge.duplicates, seq, res.verdicts);
	if (res.records) {
		/* The sealed personal records kept with the entries, as import's line names them. */
		size_t o = strlen(outcome);

		/* i18n-exempt: the access log's outcome */
		snprintf(outcome + o, sizeof(outcome) - o, " personal records %" PRId64, res.records);
	}
	if (rules_version) {
		size_t o = strlen(outcome);

		/* i18n-exempt: the access log's outcome */
		snprintf(outcome + o, sizeof(outcome) - o, " rules %" PRIu64, rules_version);
	}
	if (trust_version || trust_why[0]) {
		size_t o = strlen(outcome);

		if (trust_version)
			/* i18n-exempt: the access log's outcome */
			snprintf(outcome + o, sizeof(outcome) - o, " trust %" PRIu64, trust_version);
		else
			/* i18n-exempt: the access log's outcome */
			snprintf(outcome + o, sizeof(outcome) - o, " (no trust list: %s)", trust_why);
	}
	if (purged || purge_why[0]) {
		size_t o = strlen(outcome);

		if (purged)
			/* i18n-exempt: the access log's outcome */
			snprintf(outcome + o, sizeof(outcome) - o, " personal purged %" PRId64, purged);
		else
			/* i18n-exempt: the access log's outcome */
			snprintf(outcome + o, sizeof(outcome) - o, " (personal records' retention failed: %s)",
				 purge_why);
	}
	log_line(c, "POST", "/v1/bundle", 200, rq->len, res.m.device, outcome);
	return respond(conn, 200, "application/cose", ack, ack_len, false);
}

/*
 * POST /v1/enrol {"token", "device_pub", "seal0"}: spend the one-time token,
 * register the gate's key and its first seal key (seal0, optional), answer with its enrolment package (enrol.h).  403 for an
 * unknown, spent or foreign token; the token is never logged.
 */
static enum MHD_Result handle_enrol(struct server *srv, struct MHD_Connection *conn, struct request *rq)
{
	const struct bureau_ctx *c = srv->c;
	char why[BUREAU_WHY_LEN], *text;
	const char *token, *pub, *seal0 = NULL;
	json_t *req, *pkg = NULL, *jseal;
	int rc;

	if (rq->too_big)
		return refuse(conn, c, "POST", "/v1/enrol", 413, rq->len, "too large", "request too large");
	if (rq->busy)
		return refuse(conn, c, "POST", "/v1/enrol", 503, rq->len, "busy (buffer limit)", BUSY);
	if (!srv->db_path)
		return refuse(conn, c, "POST", "/v1/enrol", 503, rq->len, "no database for enrolment tokens",
			      "the bureau cannot enrol gates now; retry later");
	req = rq->len ? json_loadb((const char *)rq->buf, rq->len, 0, NULL) : NULL;
	token = req ? json_string_value(json_object_get(req, "token")) : NULL;
	pub = req ? json_string_value(json_object_get(req, "device_pub")) : NULL;
	jseal = req ? json_object_get(req, "seal0") : NULL;
	if (jseal)
		seal0 = json_string_value(jseal);
	if (!token || !pub || (jseal && !seal0)) {
		json_decref(req);
		return refuse(conn, c, "POST", "/v1/enrol", 400, rq->len, "not an enrolment request",
			      "not an enrolment request: {\"token\", \"device_pub\"}");
	}
	c = worker_ctx(srv, why, sizeof(why));	/* this thread's database connection */
	if (!c) {
		json_decref(req);
		return refuse(conn, srv->c, "POST", "/v1/enrol", 503, rq->len, why,
			      "the bureau cannot store it now; retry later");
	}
	rc = bureau_enrol_redeem_online(srv->db_path, srv->state_dir, c->db, c->key, token, pub, seal0,
					snt_clock_utc_ms(c->clk), &pkg, why, sizeof(why));
	json_decref(req);
	if (rc)
		return refuse(conn, c, "POST", "/v1/enrol", rc == 1 ? 403 : 503, rq->len, why, why);
	text = json_dumps(pkg, JSON_INDENT(1) | JSON_SORT_KEYS);
	log_line(c, "POST", "/v1/enrol", text ? 200 : 500, rq->len,
		 json_string_value(json_object_get(pkg, "gate")), text ? "enrolled" : "out of memory");
	json_decref(pkg);
	if (!text)
		return respond_text(conn, 500, "out of memory");
	return respond(conn, 200, "application/json", text, strlen(text), false);
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version, const char *upload_data,
				      size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {
		const char *cl;
		size_t room;

		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*con_cls = rq;
		if (!strcmp(url, "/v1/bundle")) {
			if (strcmp(method, "POST") != 0)
				return refuse(conn, srv->c, method, url, 405, 0, "method not allowed", "POST only");
			rq->is_bundle = true;
			cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (cl) {
				char *end;
				unsigned long long v;

				errno = 0;
				v = strtoull(cl, &end, 10);
				if (errno || *end || end == cl || v > BUREAU_MAX_BUNDLE)
					return refuse(conn, srv->c, "POST", "/v1/bundle", 413, 0, "too large (declared)",
						      "bundle too large");
				rq->declared = v;
				pthread_mutex_lock(&srv->lock);
				room = srv->limit - srv->held;
				pthread_mutex_unlock(&srv->lock);
				if (v > room)
					return refuse(conn, srv->c, "POST", "/v1/bundle", 503, 0, "busy (buffer limit)",
						      BUSY);
			}
			return MHD_YES;
		}
		if (!strcmp(url, "/v1/enrol")) {
			if (strcmp(method, "POST") != 0)
				return refuse(conn, srv->c, method, url, 405, 0, "method not allowed", "POST only");
			rq->is_enrol = true;
			return MHD_YES;
		}
		if (!strcmp(url, "/v1/time")) {
			if (strcmp(method, "GET") != 0)
				return refuse(conn, srv->c, method, url, 405, 0, "method not allowed", "GET only");
			return MHD_YES;
		}
		return refuse(conn, srv->c, method, "(other)", 404, 0, "no such path", "no such path");
	}
	if (rq->is_bundle || rq->is_enrol) {
		if (*upload_data_size > 0) {
			size_t add = *upload_data_size;

			if (!rq->too_big && !rq->busy &&
			    rq->len + add > (rq->is_enrol ? ENROL_MAX_BODY : BUREAU_MAX_BUNDLE)) {
				rq->too_big = true;
				release(srv, rq);
			}
			if (!rq->too_big && !rq->busy && rq->len + add > rq->cap) {
				size_t need = rq->len + add, ncap = rq->cap ? rq->cap : 65536;
				bool over;
				void *p;

				while (ncap < need)
					ncap *= 2;
				if (rq->declared >= need && ncap > rq->declared)
					ncap = (size_t)rq->declared;
				if (ncap > BUREAU_MAX_BUNDLE)
					ncap = BUREAU_MAX_BUNDLE;
				/* Reserve the growth first: two threads cannot both pass the limit. */
				pthread_mutex_lock(&srv->lock);
				over = srv->held - rq->cap + ncap > srv->limit;
				if (!over)
					srv->held = srv->held - rq->cap + ncap;
				pthread_mutex_unlock(&srv->lock);
				if (over) {
					rq->busy = true;
					release(srv, rq);
				} else {
					p = realloc(rq->buf, ncap);
					if (!p) {
						pthread_mutex_lock(&srv->lock);
						srv->held = srv->held - ncap + rq->cap;
						pthread_mutex_unlock(&srv->lock);
						return MHD_NO;
					}
					rq->buf = p;
					rq->cap = ncap;
				}
			}
			if (!rq->too_big && !rq->busy)
				memcpy(rq->buf + rq->len, upload_data, add);
			rq->len += add;
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (rq->is_enrol)
			return handle_enrol(srv, conn, rq);
		return handle_bundle(srv, conn, rq);
	}
	return handle_time(srv->c, conn);
}

/* A request ended (answered or not): its body freed, the connection's deadline restarted. */
static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *k = ci ? ci->socket_context : NULL;

	(void)toe;
	if (rq) {
		release(srv, rq);
		free(rq);
		*con_cls = NULL;
	}
	if (k) {
		pthread_mutex_lock(&srv->lock);
		k->start_ms = snt_clock_mono_ms(srv->c->clk);
		pthread_mutex_unlock(&srv->lock);
	}
}

/* A connection opened (its deadline starts) or closed. */
static void notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	struct conn *k = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		if (!ci)
			return;
		k = calloc(1, sizeof(*k));
		if (!k) {
			/* Not watched, so not kept: no request without a deadline. */
			(void)shutdown(ci->connect_fd, SHUT_RDWR);
			return;
		}
		k->fd = ci->connect_fd;
		k->start_ms = snt_clock_mono_ms(srv->c->clk);
		pthread_mutex_lock(&srv->lock);
		k->next = srv->conns;
		if (srv->conns)
			srv->conns->prev = k;
		srv->conns = k;
		pthread_mutex_unlock(&srv->lock);
		*socket_context = k;
		return;
	}
	if (!k)
		return;
	pthread_mutex_lock(&srv->lock);
	if (k->prev)
		k->prev->next = k->next;
	else
		srv->conns = k->next;
	if (k->next)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&srv->lock);
	free(k);
	*socket_context = NULL;
}

/*
 * Shut down every connection whose request is past its deadline; the
 * libmicrohttpd thread then sees the socket closed and drops it (and
 * unregisters it) as for a client that went away.
 */
static void sweep(struct server *srv)
{
	int64_t now = snt_clock_mono_ms(srv->c->clk);
	unsigned n = 0;
	char why[96];

	pthread_mutex_lock(&srv->lock);
	for (struct conn *k = srv->conns; k; k = k->next) {
		if (!k->expired && now - k->start_ms >= srv->deadline_ms) {
			(void)shutdown(k->fd, SHUT_RDWR);
			k->expired = true;
			n++;
		}
	}
	pthread_mutex_unlock(&srv->lock);
	if (n) {
		/* i18n-exempt: the access log's outcome */
		snprintf(why, sizeof(why), "request deadline passed (%" PRId64 " s): %u connection%s closed",
			 srv->deadline_ms / 1000, n, n == 1 ? "" : "s");
		log_line(srv->c, "-", "-", 408, 0, NULL, why);
	}
}

static char *read_pem(const char *path)
{
	uint8_t *buf;
	char shown[256];
	size_t got;
	int e = snt_read_file(path, MAX_PEM, &buf, &got);

	bureau_escape(path, shown, sizeof(shown));
	if (e == ENOMEM)
		return NULL;
	if (e == SNT_ETOOBIG || (!e && got == 0)) {
		fprintf(stderr, P_("sentinel-bureau: serve: %s: empty or larger than %d byte\n",
				   "sentinel-bureau: serve: %s: empty or larger than %d bytes\n", MAX_PEM), shown, MAX_PEM);
		if (!e)
			free(buf);
		return NULL;
	}
	if (e) {
		fprintf(stderr, _("sentinel-bureau: serve: cannot read %s: %s\n"), shown, snt_open_strerror(e));
		return NULL;
	}
	return (char *)buf;
}

int bureau_serve(const struct bureau_ctx *c, const struct bureau_serve_opts *o)
{
	struct server srv = { .c = c, .db_path = o->db_path, .state_dir = o->state_dir, .workers = o->workers ? o->workers : 1,
			      .deadline_ms = (int64_t)o->request_timeout_s * 1000, .limit = o->buffer_limit,
			      .personal_days = o->personal_days };
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	char *cert = NULL, *key = NULL, host[INET6_ADDRSTRLEN];
	struct MHD_OptionItem tls[3];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	sigset_t mask, old;
	int sfd, rc = -1;
	uint16_t port;

	if (o->request_timeout_s == 0 || o->buffer_limit == 0 || srv.workers > BUREAU_SERVE_WORKERS_MAX ||
	    o->personal_days < 0 || o->personal_days > BUREAU_PERSONAL_DAYS_MAX ||
	    (srv.workers > 1 && !o->db_path))
		return -1;
	if (pthread_mutex_init(&srv.lock, NULL) != 0)
		return -1;
	if (srv.workers > 1 && pthread_key_create(&srv.worker, worker_free) != 0) {
		pthread_mutex_destroy(&srv.lock);
		return -1;
	}
	if (o->tls_cert) {
		cert = read_pem(o->tls_cert);
		key = cert ? read_pem(o->tls_key) : NULL;
		if (!cert || !key)
			goto out_free;
		flags |= MHD_USE_TLS;
	}
	if (o->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Block the signals before MHD's thread starts, so it inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, &old) != 0)
		goto out_free;
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, _("sentinel-bureau: serve: signalfd: %s\n"), strerror(errno));
		goto out_mask;
	}
	/* TLS: the certificate and key in PEM (MHD_OPTION_ARRAY); none: the array is empty. */
	tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, cert };
	tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, key };
	tls[2] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	d = MHD_start_daemon(flags, 0, NULL, NULL, access_handler, &srv,
			     MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&o->addr,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, &srv,
			     MHD_OPTION_NOTIFY_CONNECTION, notify_connection, &srv,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)BUREAU_SERVE_MAX_CONNECTIONS,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)BUREAU_SERVE_MAX_PER_IP,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)BUREAU_SERVE_IDLE_TIMEOUT_S,
			     MHD_OPTION_THREAD_POOL_SIZE, srv.workers,
			     MHD_OPTION_ARRAY, cert ? tls : tls + 2, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, _("sentinel-bureau: serve: cannot listen (address in use, not local, or TLS "
				"files unusable)\n"));
		goto out_sfd;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : 0;
	if (o->addr.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&o->addr)->sin6_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&o->addr)->sin_addr, host, sizeof(host));
	printf(o->addr.ss_family == AF_INET6 ? _("listening on [%s]:%u%s\n") : _("listening on %s:%u%s\n"), host,
	       (unsigned)port, cert ? " (TLS)" : "");
	fflush(stdout);
	for (;;) {
		struct signalfd_siginfo si;
		struct pollfd p = { .fd = sfd, .events = POLLIN };

		int r = poll(&p, 1, SWEEP_MS);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		sweep(&srv);
		if (r > 0 && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			printf(_("stopping on %s\n"), si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
			fflush(stdout);
			break;
		}
	}
	MHD_stop_daemon(d);
	rc = 0;
out_sfd:
	close(sfd);
out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
out_free:
	free(cert);
	free(key);
	if (srv.workers > 1)
		pthread_key_delete(srv.worker);
	pthread_mutex_destroy(&srv.lock);
	return rc;
}
