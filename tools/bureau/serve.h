/* SPDX-License-Identifier: MIT */
/*
 * The bureau's HTTP receiver (libmicrohttpd's internal polling threads: a
 * pool of bureau_serve_opts.workers threads, each handling its connections'
 * requests one at a time with its own database connection, opened on its
 * first bundle; with one worker, the caller's connection).  Merges of one
 * device from two workers wait for each other in the database (backend.h).
 *
 *   POST /v1/bundle      body: a sealed bundle (application/octet-stream),
 *                        at most BUREAU_MAX_BUNDLE bytes.
 *                        200 application/cose: the signed acknowledgement
 *                        for the bundle's device (after the merge commits);
 *                        400 text/plain: one line, why it was refused
 *                        (nothing merged); 413 too large; 503 the database
 *                        failed (retry later).  A body cut short never
 *                        reaches the merge (the request is not complete).
 *                        An empty body is 400 "empty body: no bundle".
 *                        503 also when the bodies held at once would pass
 *                        the buffer limit (below; retry later).
 *   GET /v1/time?device=ID  200 application/cose: signed time for ID,
 *                        registered or not (the answer is the same either
 *                        way, so it does not tell which ids exist); 400 not
 *                        a device id.  Not a contact: it is unauthenticated,
 *                        so it never changes the device's last contact (only
 *                        a bundle bringing new entries does).
 * After each bundle merged, the personal records' retention (as import
 * does; the line's outcome ends "personal purged N" when any went, or
 * names why the purge failed: the bundle stays acknowledged).
 * One line per request on stdout: time, method, path, status, bytes in,
 * device and outcome; never a payload, a name or the client's address;
 * control bytes escaped as \xNN (bureau_escape()).
 * Limits against idle or slow clients holding every connection (libmicrohttpd
 * options): at most BUREAU_SERVE_MAX_CONNECTIONS connections at once, at most
 * BUREAU_SERVE_MAX_PER_IP from one IP address (one more from that address is
 * closed at once, without an answer), and a connection idle for
 * BUREAU_SERVE_IDLE_TIMEOUT_S seconds (nothing received or sent) is closed:
 * one address cannot hold every connection, and an idle one is dropped.
 * (Many addresses can still fill the 256 for 15 s at a time: a limit of
 * the process, not a defence against a distributed attack.)
 * Each request has a total deadline (bureau_serve_opts.request_timeout_s)
 * counted from the connection's accept, or from the end of the previous
 * request on a kept-alive connection, to the end of its answer: a client
 * trickling header lines or body bytes keeps the idle timer from firing but
 * not this one.  Past it the connection is shut down without an answer and
 * a line "- - 408 ... request deadline passed" is printed.
 * Request bodies are held in memory until complete (the bundle is verified
 * whole); all the bodies held at once total at most
 * bureau_serve_opts.buffer_limit bytes (growth is counted as allocated): a
 * body that would pass it is dropped as it arrives (no memory kept) and
 * answered 503 "the bureau is busy" at its end, or at once when its
 * Content-Length alone passes what is left.  One request is merged at a
 * time per worker, so the receiver's memory is bounded by the limit plus one
 * import per worker.
 * SIGINT and SIGTERM stop the server cleanly (signalfd).
 */
#ifndef SNT_BUREAU_SERVE_H
#define SNT_BUREAU_SERVE_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "tools/bureau/bureau.h"

#define BUREAU_SERVE_MAX_CONNECTIONS 256	/* MHD_OPTION_CONNECTION_LIMIT */
#define BUREAU_SERVE_MAX_PER_IP 16		/* MHD_OPTION_PER_IP_CONNECTION_LIMIT */
#define BUREAU_SERVE_IDLE_TIMEOUT_S 15		/* MHD_OPTION_CONNECTION_TIMEOUT, seconds */
#define BUREAU_SERVE_REQUEST_TIMEOUT_S 120	/* default total deadline of one request, seconds */
#define BUREAU_SERVE_REQUEST_TIMEOUT_MAX_S 3600
#define BUREAU_SERVE_BUFFER_LIMIT_MIB 128	/* default limit of the bodies held at once, MiB */
#define BUREAU_SERVE_BUFFER_LIMIT_MAX_MIB 4096
#define BUREAU_SERVE_WORKERS 4			/* default worker threads (MHD_OPTION_THREAD_POOL_SIZE) */
#define BUREAU_SERVE_WORKERS_MAX 64

struct bureau_serve_opts {
	struct sockaddr_storage addr;	/* from --listen; port 0 = any free port */
	socklen_t addr_len;
	const char *tls_cert;		/* PEM files, both or neither */
	const char *tls_key;
	unsigned request_timeout_s;	/* total deadline of one request, 1-BUREAU_SERVE_REQUEST_TIMEOUT_MAX_S */
	size_t buffer_limit;		/* bytes of request bodies held at once, > 0 */
	const char *db_path;		/* the database (--db): each worker opens it (needed with
					 * workers > 1), and POST /v1/enrol's tokens (enrol.h);
					 * NULL: /v1/enrol answers 413 */
	const char *state_dir;		/* --state-dir: the tokens' and trust lists' directory
					 * (bureau_state_dir()); NULL: the default for db_path */
	unsigned workers;		/* worker threads, 1-BUREAU_SERVE_WORKERS_MAX (0: 1) */
	int personal_days;		/* after each bundle imported, the sealed personal records of visits
					 * more than this many days ago are purged (personal.h
					 * bureau_personal_purge(), 1-BUREAU_PERSONAL_DAYS_MAX; 0: none) */
};

/* bureau_serve_parse_listen() - "ADDR:PORT" or "[ADDR6]:PORT" (numeric) into @o; -1 with @why. */
int bureau_serve_parse_listen(const char *s, struct bureau_serve_opts *o, char *why, size_t n);

/*
 * bureau_serve() - run until SIGINT or SIGTERM; prints "listening on
 * ADDR:PORT" (the bound port) first.  @c->clk's monotonic time measures the
 * request deadlines (read from libmicrohttpd's thread too).  Return: 0
 * after a clean stop; -1 when the server could not start (reason on stderr).
 */
int bureau_serve(const struct bureau_ctx *c, const struct bureau_serve_opts *o);

#endif /* SNT_BUREAU_SERVE_H */
