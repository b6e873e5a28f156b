/* SPDX-License-Identifier: MIT */
/*
 * notify: the systemd service notification protocol, by hand (no
 * libsystemd): datagrams of "KEY=VALUE\n" lines to the AF_UNIX socket named
 * by $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace), as
 * described in sd_notify(3); the watchdog interval comes from
 * $WATCHDOG_USEC, for this process only when $WATCHDOG_PID is unset or is
 * its pid (sd_watchdog_enabled(3)).  sentineld sends READY=1 when it is
 * serving the gate, WATCHDOG=1 at half the interval from its wait loop, and
 * STOPPING=1 when it leaves.  Without $NOTIFY_SOCKET every send does
 * nothing.
 */
#ifndef SNT_NOTIFY_H
#define SNT_NOTIFY_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "common/common.h"

enum snt_notify_err {
	SNT_NOTIFY_OK = 0,
	SNT_NOTIFY_ERR_INVAL,	/* NULL argument; a malformed socket name or WATCHDOG_USEC */
	SNT_NOTIFY_ERR_IO,	/* socket(2) or sendmsg(2) failed (errno kept) */
};

struct snt_notify {
	int fd;				/* -1: not under systemd, sends do nothing */
	struct sockaddr_un addr;
	socklen_t addr_len;
	int64_t watchdog_ms;		/* 0: no watchdog */
};

/*
 * snt_notify_open() - set up from the environment values given (the
 * daemon passes getenv() of NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID;
 * each may be NULL) for process @pid.
 * @n: filled in; release with snt_notify_close().
 * Return: SNT_NOTIFY_OK (also without a socket: n->fd is -1);
 * SNT_NOTIFY_ERR_INVAL for a socket name that is not absolute or "@..." or
 * too long, or a WATCHDOG_USEC that is not a positive integer (n is then
 * disabled); SNT_NOTIFY_ERR_IO when the socket cannot be made.
 */
enum snt_notify_err snt_notify_open(struct snt_notify *n, const char *socket_name,
				    const char *watchdog_usec, const char *watchdog_pid,
				    pid_t pid) SNT_WUR;

/*
 * snt_notify_send() - send @state ("READY=1", "WATCHDOG=1", "STOPPING=1",
 * "STATUS=...", lines joined by '\n') in one datagram (systemd takes the
 * sender's pid from the socket's credentials).
 * Return: SNT_NOTIFY_OK (nothing sent when n->fd is -1); SNT_NOTIFY_ERR_INVAL;
 * SNT_NOTIFY_ERR_IO with errno from sendmsg(2).
 */
enum snt_notify_err snt_notify_send(const struct snt_notify *n, const char *state) SNT_WUR;

/* snt_notify_close() - close the socket; the struct may be opened again. */
void snt_notify_close(struct snt_notify *n);

/* snt_notify_strerror() - static English text; never NULL. */
const char *snt_notify_strerror(enum snt_notify_err err);

#endif /* SNT_NOTIFY_H */
