// SPDX-License-Identifier: MIT
/*
 * The external-command platform (platform.h): fork, execvp, payload on the
 * child's stdin, its first line of stdout read back, the whole run bounded
 * by one deadline: poll(2) on both pipes while stdout is open, then
 * waitpid(WNOHANG) until the command exits (a command that closes its
 * stdout and lingers is killed at the deadline too); the child reaped always.
 * SIGPIPE must be ignored by the program (main() does), so a command that
 * exits without reading its stdin is a write error, not a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/bureau/platform.h"
#include "common/i18n.h"

#define ANSWER_MAX 64

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SIGKILL @pid and reap it. */
static void reap_killed(pid_t pid, int *status)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/*
 * Wait for @pid to exit until @deadline (mono_ms()): waitpid(WNOHANG) with
 * sleeps from 1 ms growing to 20 ms.  Return: 0 when it exited (*@status);
 * -1 when the deadline passed: then it was killed and reaped.
 */
static int wait_until(pid_t pid, int64_t deadline, int *status)
{
	long step_ms = 1;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		int64_t left;

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return 0;	/* ECHILD: reaped elsewhere; *status stays 0 */
		left = deadline - mono_ms();
		if (left <= 0) {
			reap_killed(pid, status);
			return -1;
		}
		if (r == 0) {
			struct timespec ts;
			long ms = step_ms < left ? step_ms : (long)left;

			ts.tv_sec = 0;
			ts.tv_nsec = ms * 1000000L;
			(void)nanosleep(&ts, NULL);
			if (step_ms < 20)
				step_ms *= 2;
		}
	}
}

static void set_why(char *why, size_t n, const char *fmt, ...) SNT_PRINTF(3, 4);
static void set_why(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (!why || !n)
		return;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static enum bureau_platform_err cmd_verify(void *ctx, const uint8_t *payload, size_t len,
					   enum snt_colour *colour, char *why, size_t n)
{
	const struct bureau_platform_cmd *cmd = ctx;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 };
	char answer[ANSWER_MAX + 1];
	size_t sent = 0, got = 0;
	int64_t deadline;
	enum bureau_platform_err err = BUREAU_PLATFORM_OK;
	int status = 0;
	pid_t pid;

	if (!cmd || !payload || len == 0 || !colour)
		return BUREAU_PLATFORM_ERR_INVAL;
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		set_why(why, n, _("platform command: pipe: %s"), strerror(errno));
		err = BUREAU_PLATFORM_ERR_START;
		goto out_close;
	}
	pid = fork();
	if (pid < 0) {
		set_why(why, n, _("platform command: fork: %s"), strerror(errno));
		err = BUREAU_PLATFORM_ERR_START;
		goto out_close;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 || devnull < 0 || dup2(devnull, 2) < 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execlp(cmd->prog, cmd->prog, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	deadline = mono_ms() + cmd->timeout_ms;
	while (out[0] >= 0) {
		struct pollfd pfd[2];
		int nfds = 0, left = (int)(deadline - mono_ms()), rc;

		if (left <= 0) {
			err = BUREAU_PLATFORM_ERR_TIMEOUT;
			break;
		}
		pfd[nfds++] = (struct pollfd){ .fd = out[0], .events = POLLIN };
		if (in[1] >= 0)
			pfd[nfds++] = (struct pollfd){ .fd = in[1], .events = POLLOUT };
		rc = poll(pfd, (nfds_t)nfds, left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			err = BUREAU_PLATFORM_ERR_START;
			break;
		}
		if (nfds == 2 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(in[1], payload + sent, len - sent);

			if (w > 0)
				sent += (size_t)w;
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				sent = len;	/* the command stopped reading: let it answer */
			if (sent == len) {
				close(in[1]);
				in[1] = -1;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r;

			if (got >= ANSWER_MAX) {
				char sink[256];

				r = read(out[0], sink, sizeof(sink));
			} else {
				r = read(out[0], answer + got, ANSWER_MAX - got);
				if (r > 0)
					got += (size_t)r;
			}
			if (r == 0) {
				close(out[0]);
				out[0] = -1;
			} else if (r < 0 && errno != EINTR && errno != EAGAIN) {
				err = BUREAU_PLATFORM_ERR_START;
				break;
			}
		}
	}
	if (err) {
		reap_killed(pid, &status);
	} else if (wait_until(pid, deadline, &status) != 0) {
		/* Its stdout closed, but it is still running: the deadline holds for the whole run. */
		set_why(why, n, _("platform command %s: did not exit within the timeout (killed)"), cmd->prog);
		err = BUREAU_PLATFORM_ERR_TIMEOUT;
		goto out_close;
	}
	if (err == BUREAU_PLATFORM_ERR_TIMEOUT) {
		set_why(why, n, _("platform command %s: no answer within the timeout (killed)"), cmd->prog);
		goto out_close;
	}
	if (err) {
		set_why(why, n, _("platform command %s: I/O error"), cmd->prog);
		goto out_close;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		set_why(why, n, _("platform command %s: failed (non-zero exit or signal)"), cmd->prog);
		err = BUREAU_PLATFORM_ERR_FAILED;
		goto out_close;
	}
	answer[got] = '\0';
	if (got > 0 && answer[got - 1] == '\n')
		answer[--got] = '\0';
	if (!strcmp(answer, "green"))
		*colour = SNT_COLOUR_GREEN;
	else if (!strcmp(answer, "yellow"))
		*colour = SNT_COLOUR_YELLOW;
	else if (!strcmp(answer, "red"))
		*colour = SNT_COLOUR_RED;
	else {
		set_why(why, n, _("platform command %s: answer is not green, yellow or red"), cmd->prog);
		err = BUREAU_PLATFORM_ERR_ANSWER;
	}

out_close:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return err;
}

enum bureau_platform_err bureau_platform_cmd_init(struct bureau_platform *p, struct bureau_platform_cmd *cmd)
{
	const char *base;
	size_t k = 0;

	if (!p || !cmd || !cmd->prog || !*cmd->prog || cmd->timeout_ms <= 0)
		return BUREAU_PLATFORM_ERR_INVAL;
	memset(p, 0, sizeof(*p));
	base = strrchr(cmd->prog, '/');
	base = base ? base + 1 : cmd->prog;
	for (; *base && k < BUREAU_PLATFORM_NAME_LEN - 1; base++) {
		char c = *base;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
			p->name[k++] = c;
		else if (c == '.')
			break;	/* "fake-platform.sh" -> "fake-platform" */
	}
	p->name[k] = '\0';
	if (k == 0)
		snt_strlcpy(p->name, "platform", sizeof(p->name));
	p->verify = cmd_verify;
	p->ctx = cmd;
	return BUREAU_PLATFORM_OK;
}

const char *bureau_platform_strerror(enum bureau_platform_err err)
{
	switch (err) {
	case BUREAU_PLATFORM_OK:
		return "success";
	case BUREAU_PLATFORM_ERR_INVAL:
		return "invalid argument";
	case BUREAU_PLATFORM_ERR_START:
		return "the platform command could not be run";
	case BUREAU_PLATFORM_ERR_TIMEOUT:
		return "the platform command did not answer in time";
	case BUREAU_PLATFORM_ERR_FAILED:
		return "the platform command failed";
	case BUREAU_PLATFORM_ERR_ANSWER:
		return "the platform command's answer is not green, yellow or red";
	}
	return "unknown error";
}
