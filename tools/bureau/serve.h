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
 *                        An empty body is 400 "empty body: no bundle".
 *   GET /v1/time?device=ID  200 application/cose: signed time for ID;
 *                        400 bad id; 404 not registered.  Not a contact:
 *                        it is unauthenticated, so it never changes the
 *                        device's last contact (only an accepted bundle does).
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
