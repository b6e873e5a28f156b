/* SPDX-License-Identifier: MIT */
/*
 * The bureau's HTTP receiver (libmicrohttpd, one internal polling thread:
 * requests are handled one at a time, so the one database connection is
 * used by that thread only).
 *
 *   POST /v1/bundle      body: a sealed bundle (application/octet-stream),
 *                        at most BUREAU_MAX_BUNDLE bytes.
 *                        200 application/cose: the signed acknowledgement
 *                        for the bundle's device (after the merge commits);
 *                        400 text/plain: one line, why it was refused
 *                        (nothing merged); 413 too large; 503 the database
 *                        failed (retry later).  A body cut short never
 *                        reaches the merge (the request is not complete).
 *   GET /v1/time?device=ID  200 application/cose: signed time for ID;
 *                        400 bad id; 404 not registered.
 * One line per request on stdout: time, method, path, status, bytes in,
 * device and outcome; never a payload, a name or the client's address.
 * SIGINT and SIGTERM stop the server cleanly (signalfd).
 */
#ifndef SNT_BUREAU_SERVE_H
#define SNT_BUREAU_SERVE_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "tools/bureau/bureau.h"

struct bureau_serve_opts {
	struct sockaddr_storage addr;	/* from --listen; port 0 = any free port */
	socklen_t addr_len;
	const char *tls_cert;		/* PEM files, both or neither */
	const char *tls_key;
};

/* bureau_serve_parse_listen() - "ADDR:PORT" or "[ADDR6]:PORT" (numeric) into @o; -1 with @why. */
int bureau_serve_parse_listen(const char *s, struct bureau_serve_opts *o, char *why, size_t n);

/*
 * bureau_serve() - run until SIGINT or SIGTERM; prints "listening on
 * ADDR:PORT" (the bound port) first.  Return: 0 after a clean stop; -1 when
 * the server could not start (reason on stderr).
 */
int bureau_serve(const struct bureau_ctx *c, const struct bureau_serve_opts *o);

#endif /* SNT_BUREAU_SERVE_H */
