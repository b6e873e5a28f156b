// SPDX-License-Identifier: MIT
/*
 * systemd notification datagrams, by hand (see notify.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "notify/notify.h"

static const char *const err_text[] = {
	[SNT_NOTIFY_OK] = N_("success"),
	[SNT_NOTIFY_ERR_INVAL] = N_("invalid notification setting"),
	[SNT_NOTIFY_ERR_IO] = N_("notification socket error"),
};

const char *snt_notify_strerror(enum snt_notify_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

static int parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

enum snt_notify_err snt_notify_open(struct snt_notify *n, const char *socket_name,
				    const char *watchdog_usec, const char *watchdog_pid, pid_t pid)
{
	unsigned long long v;
	size_t len;

	if (!n)
		return SNT_NOTIFY_ERR_INVAL;
	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (watchdog_usec && *watchdog_usec) {
		if (parse_u64(watchdog_usec, &v) || v == 0)
			return SNT_NOTIFY_ERR_INVAL;
		if (!watchdog_pid || !*watchdog_pid ||
		    (parse_u64(watchdog_pid, &v) == 0 && v == (unsigned long long)pid)) {
			unsigned long long us;

			(void)parse_u64(watchdog_usec, &us);
			n->watchdog_ms = (int64_t)((us + 999) / 1000);
		}
	}
	if (!socket_name || !*socket_name)
		return SNT_NOTIFY_OK;
	len = strlen(socket_name);
	if ((socket_name[0] != '/' && socket_name[0] != '@') || len < 2 ||
	    len >= sizeof(n->addr.sun_path)) {
		n->watchdog_ms = 0;
		return SNT_NOTIFY_ERR_INVAL;
	}
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, socket_name, len);
	if (socket_name[0] == '@')
		n->addr.sun_path[0] = '\0';	/* abstract namespace, not NUL-terminated */
	n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				  (socket_name[0] == '/' ? 1 : 0));
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0) {
		n->watchdog_ms = 0;
		return SNT_NOTIFY_ERR_IO;
	}
	return SNT_NOTIFY_OK;
}

enum snt_notify_err snt_notify_send(const struct snt_notify *n, const char *state)
{
	struct iovec iov;
	struct msghdr mh;
	ssize_t sent;

	if (!n || !state)
		return SNT_NOTIFY_ERR_INVAL;
	if (n->fd < 0)
		return SNT_NOTIFY_OK;
	iov.iov_base = (void *)(uintptr_t)state;
	iov.iov_len = strlen(state);
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = (void *)(uintptr_t)&n->addr;
	mh.msg_namelen = n->addr_len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	do
		sent = sendmsg(n->fd, &mh, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	return sent == (ssize_t)iov.iov_len ? SNT_NOTIFY_OK : SNT_NOTIFY_ERR_IO;
}

void snt_notify_close(struct snt_notify *n)
{
	if (!n)
		return;
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
