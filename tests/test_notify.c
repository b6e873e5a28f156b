// SPDX-License-Identifier: MIT
/*
 * Unit tests of the hand-written systemd notification (firmware/notify/):
 * a datagram socket stands in for systemd's, bound to a path and to an
 * abstract name; the environment values are passed in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify/notify.h"

static int listener(const char *name, struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	size_t len = strlen(name);

	assert_true(fd >= 0);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, name, len);
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
					  (name[0] == '/'))), 0);
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_path_socket(void **state)
{
	char dir[] = "/tmp/snt-notify-XXXXXX", path[64];
	struct sockaddr_un sa;
	struct snt_notify n;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path, &sa);
	assert_int_equal(snt_notify_open(&n, path, "30000000", NULL, 1234), SNT_NOTIFY_OK);
	assert_int_equal(n.watchdog_ms, 30000);
	assert_int_equal(snt_notify_send(&n, "READY=1\nSTATUS=serving the gate"), SNT_NOTIFY_OK);
	expect_datagram(fd, "READY=1\nSTATUS=serving the gate");
	assert_int_equal(snt_notify_send(&n, "WATCHDOG=1"), SNT_NOTIFY_OK);
	expect_datagram(fd, "WATCHDOG=1");
	snt_notify_close(&n);
	assert_int_equal(n.fd, -1);
	/* systemd gone: the send fails with an I/O error. */
	close(fd);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(snt_notify_open(&n, path, NULL, NULL, 1234), SNT_NOTIFY_OK);
	assert_int_equal(snt_notify_send(&n, "STOPPING=1"), SNT_NOTIFY_ERR_IO);
	snt_notify_close(&n);
	assert_int_equal(rmdir(dir), 0);
}

static void test_abstract_socket(void **state)
{
	char name[64];
	struct sockaddr_un sa;
	struct snt_notify n;
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@snt-notify-test-%ld", (long)getpid());
	fd = listener(name, &sa);
	assert_int_equal(snt_notify_open(&n, name, NULL, NULL, 1), SNT_NOTIFY_OK);
	assert_int_equal(n.watchdog_ms, 0);
	assert_int_equal(snt_notify_send(&n, "STOPPING=1"), SNT_NOTIFY_OK);
	expect_datagram(fd, "STOPPING=1");
	snt_notify_close(&n);
	close(fd);
}

static void test_environment(void **state)
{
	struct snt_notify n;

	(void)state;
	/* Not under systemd: nothing to do, sends succeed silently. */
	assert_int_equal(snt_notify_open(&n, NULL, NULL, NULL, 1), SNT_NOTIFY_OK);
	assert_int_equal(n.fd, -1);
	assert_int_equal(snt_notify_send(&n, "READY=1"), SNT_NOTIFY_OK);
	/* The watchdog is another process's. */
	assert_int_equal(snt_notify_open(&n, NULL, "5000000", "99", 1234), SNT_NOTIFY_OK);
	assert_int_equal(n.watchdog_ms, 0);
	assert_int_equal(snt_notify_open(&n, NULL, "5000000", "1234", 1234), SNT_NOTIFY_OK);
	assert_int_equal(n.watchdog_ms, 5000);
	assert_int_equal(snt_notify_open(&n, NULL, "1", NULL, 1), SNT_NOTIFY_OK);
	assert_int_equal(n.watchdog_ms, 1);	/* rounded up, never 0 */
	/* Malformed values. */
	assert_int_equal(snt_notify_open(&n, NULL, "30s", NULL, 1), SNT_NOTIFY_ERR_INVAL);
	assert_int_equal(snt_notify_open(&n, NULL, "0", NULL, 1), SNT_NOTIFY_ERR_INVAL);
	assert_int_equal(snt_notify_open(&n, NULL, "-5", NULL, 1), SNT_NOTIFY_ERR_INVAL);
	assert_int_equal(snt_notify_open(&n, "relative/path", NULL, NULL, 1), SNT_NOTIFY_ERR_INVAL);
	assert_int_equal(n.fd, -1);
	assert_int_equal(snt_notify_open(&n, "@", NULL, NULL, 1), SNT_NOTIFY_ERR_INVAL);
	{
		char longname[200];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[0] = '/';
		longname[sizeof(longname) - 1] = '\0';
		assert_int_equal(snt_notify_open(&n, longname, "1000000", NULL, 1),
				 SNT_NOTIFY_ERR_INVAL);
		assert_int_equal(n.watchdog_ms, 0);
	}
	assert_int_equal(snt_notify_send(NULL, "READY=1"), SNT_NOTIFY_ERR_INVAL);
	assert_string_equal(snt_notify_strerror(SNT_NOTIFY_ERR_IO), "notification socket error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
