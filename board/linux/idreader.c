// SPDX-License-Identifier: MIT
/*
 * idreader: the SAM ID-card reader over a tty (see idreader.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/common.h"
#include "idcard/idcard.h"
#include "linux/idreader.h"

/*
 * The faults in @why stay English (i18n-exempt): the gate keeps each as the
 * detail of a device-fault event in its log (checkin_card.c), which the
 * bureau receives and staff read in `sentinelctl alerts`, whatever the
 * language of the daemon's environment.
 */

struct snt_idreader {
	char path[256];
	int timeout_ms;
	int fd;				/* -1 until opened, and after a fault */
	uint8_t buf[SNT_IDCARD_FRAME_MAX];
	size_t len;			/* bytes in buf */
};

/* One exchange's outcome besides a frame. */
enum xfer {
	XFER_OK = 0,
	XFER_FAULT,			/* @why says what */
};

enum snt_hal_err snt_idreader_new(const char *path, int timeout_ms, struct snt_idreader **out)
{
	struct snt_idreader *r;

	if (!out)
		return SNT_HAL_ERR_INVAL;
	*out = NULL;
	if (!path || !path[0] || strlen(path) >= sizeof(r->path) || timeout_ms < 1 || timeout_ms > 60000)
		return SNT_HAL_ERR_INVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return SNT_HAL_ERR_NOMEM;
	snt_strlcpy(r->path, path, sizeof(r->path));
	r->timeout_ms = timeout_ms;
	r->fd = -1;
	*out = r;
	return SNT_HAL_OK;
}

static void line_close(struct snt_idreader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->len = 0;
}

void snt_idreader_free(struct snt_idreader *r)
{
	if (!r)
		return;
	line_close(r);
	free(r);
}

/* Open the tty raw at 115200 8N1, input dropped. */
static enum xfer line_open(struct snt_idreader *r, char *why, size_t whylen)
{
	struct termios tio;

	r->fd = open(r->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0) {
		/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
		snprintf(why, whylen, "idreader %s: cannot open: %s", r->path, strerror(errno));
		return XFER_FAULT;
	}
	if (tcgetattr(r->fd, &tio) != 0)
		goto err_termios;
	cfmakeraw(&tio);
	tio.c_cflag &= ~(tcflag_t)(PARENB | CSTOPB | CSIZE | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, B115200) != 0 || cfsetospeed(&tio, B115200) != 0 ||
	    tcsetattr(r->fd, TCSANOW, &tio) != 0)
		goto err_termios;
	return XFER_OK;

err_termios:
	/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
	snprintf(why, whylen, "idreader %s: cannot set 115200 8N1: %s", r->path, strerror(errno));
	line_close(r);
	return XFER_FAULT;
}

static enum xfer unplugged(struct snt_idreader *r, char *why, size_t whylen)
{
	/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
	snprintf(why, whylen, "idreader: reader unplugged");
	line_close(r);
	return XFER_FAULT;
}

static enum xfer send_all(struct snt_idreader *r, const uint8_t *p, size_t n, const char *what, char *why,
			  size_t whylen)
{
	while (n) {
		ssize_t k = write(r->fd, p, n);

		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = r->fd, .events = POLLOUT };
			int pr = poll(&pfd, 1, r->timeout_ms);

			if (pr == 0) {
				/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
				snprintf(why, whylen, "idreader: %s not sent within %d ms", what, r->timeout_ms);
				line_close(r);
				return XFER_FAULT;
			}
			if (pr > 0 && !(pfd.revents & (POLLHUP | POLLERR)))
				continue;
			if (pr < 0 && errno == EINTR)
				continue;
		}
		return unplugged(r, why, whylen);
	}
	return XFER_OK;
}

/*
 * The answer to @what: bytes read until one frame decodes (its body copied
 * to @body), noise before it skipped up to SNT_IDREADER_NOISE_MAX bytes.
 */
static enum xfer recv_frame(struct snt_idreader *r, const char *what, uint8_t *body, size_t *body_len,
			    char *why, size_t whylen)
{
	size_t skipped = 0;

	for (;;) {
		struct snt_idcard_frame f;
		size_t used = 0;
		enum snt_idcard_err ie = snt_idcard_frame_decode(r->buf, r->len, &f, &used);

		if (ie == SNT_IDCARD_OK) {
			memcpy(body, f.body, f.body_len);
			*body_len = f.body_len;
			memmove(r->buf, r->buf + used, r->len - used);
			r->len -= used;
			return XFER_OK;
		}
		if (ie == SNT_IDCARD_ERR_CHECKSUM || ie == SNT_IDCARD_ERR_LENGTH) {
			/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
			snprintf(why, whylen, "idreader: answer to %s has a %s", what,
				 ie == SNT_IDCARD_ERR_CHECKSUM ? "wrong checksum" : "bad length");
			line_close(r);
			return XFER_FAULT;
		}
		/* Incomplete: drop the noise before it, then read more. */
		skipped += used;
		memmove(r->buf, r->buf + used, r->len - used);
		r->len -= used;
		if (skipped > SNT_IDREADER_NOISE_MAX) {
			/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
			snprintf(why, whylen, "idreader: line noise, no answer to %s in %zu bytes", what, skipped);
			line_close(r);
			return XFER_FAULT;
		}

		struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
		int pr = poll(&pfd, 1, r->timeout_ms);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0) {
			if (r->len == 0)
				/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
				snprintf(why, whylen, "idreader: no answer to %s within %d ms", what,
					 r->timeout_ms);
			else
				/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
				snprintf(why, whylen, "idreader: answer to %s cut short after %zu bytes", what,
					 r->len);
			line_close(r);
			return XFER_FAULT;
		}
		if (pr < 0 || ((pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd.revents & POLLIN)))
			return unplugged(r, why, whylen);
		ssize_t k = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);

		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return unplugged(r, why, whylen);
		r->len += (size_t)k;
	}
}

/* One command and its answer's status; @body receives the answer's body. */
static enum xfer exchange(struct snt_idreader *r, uint8_t cmd, uint8_t para, const char *what, uint8_t *body,
			  size_t *body_len, char *why, size_t whylen)
{
	uint8_t frame[16];
	size_t n = 0;

	if (snt_idcard_command(cmd, para, frame, sizeof(frame), &n) != SNT_IDCARD_OK) {
		/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
		snprintf(why, whylen, "idreader: cannot frame %s", what);
		return XFER_FAULT;
	}
	if (send_all(r, frame, n, what, why, whylen) != XFER_OK)
		return XFER_FAULT;
	if (recv_frame(r, what, body, body_len, why, whylen) != XFER_OK)
		return XFER_FAULT;
	if (*body_len < 3) {
		/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
		snprintf(why, whylen, "idreader: answer to %s has a bad length", what);
		line_close(r);
		return XFER_FAULT;
	}
	return XFER_OK;
}

static enum snt_hal_err status_fault(struct snt_idreader *r, uint8_t sw, const char *what, char *why,
				     size_t whylen)
{
	/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
	snprintf(why, whylen, "idreader: status 0x%02x to %s", sw, what);
	line_close(r);
	return SNT_HAL_ERR_IO;
}

/* One read: find, select, read text (tty_read() wipes what it leaves behind). */
static enum snt_hal_err transact(struct snt_idreader *r, uint8_t *body, uint8_t *block, char *why, size_t whylen)
{
	const uint8_t *text;
	size_t n = 0;

	if (r->fd < 0 && line_open(r, why, whylen) != XFER_OK)
		return SNT_HAL_ERR_IO;
	(void)tcflush(r->fd, TCIFLUSH);
	r->len = 0;

	if (exchange(r, SNT_IDCARD_CMD_FIND, SNT_IDCARD_PARA_FIND, "find card", body, &n, why, whylen))
		return SNT_HAL_ERR_IO;
	if (body[2] == SNT_IDCARD_SW_NO_CARD)
		return SNT_HAL_ERR_NODATA;
	if (body[2] != SNT_IDCARD_SW_FOUND)
		return status_fault(r, body[2], "find card", why, whylen);

	if (exchange(r, SNT_IDCARD_CMD_SELECT, SNT_IDCARD_PARA_SELECT, "select card", body, &n, why, whylen))
		return SNT_HAL_ERR_IO;
	if (body[2] == SNT_IDCARD_SW_SELECT_FAIL)
		return SNT_HAL_ERR_NODATA;	/* gone between find and select */
	if (body[2] != SNT_IDCARD_SW_OK)
		return status_fault(r, body[2], "select card", why, whylen);

	if (exchange(r, SNT_IDCARD_CMD_READ, SNT_IDCARD_PARA_READ_TEXT, "read text", body, &n, why, whylen))
		return SNT_HAL_ERR_IO;
	if (body[2] == SNT_IDCARD_SW_READ_FAIL) {
		/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
		snprintf(why, whylen, "idreader: card taken away during the read");
		line_close(r);
		return SNT_HAL_ERR_IO;
	}
	if (body[2] != SNT_IDCARD_SW_OK)
		return status_fault(r, body[2], "read text", why, whylen);
	if (snt_idcard_read_text(body, n, &text) != SNT_IDCARD_OK) {
		/* i18n-exempt: why, stored as a device-fault event's detail (see top) */
		snprintf(why, whylen, "idreader: text block of a bad length");
		line_close(r);
		return SNT_HAL_ERR_IO;
	}
	memcpy(block, text, SNT_IDREADER_TEXT_LEN);
	return SNT_HAL_OK;
}

static enum snt_hal_err tty_read(void *ctx, uint8_t *block, size_t size, char *why, size_t whylen)
{
	struct snt_idreader *r = ctx;
	uint8_t body[SNT_IDCARD_BODY_MAX];
	enum snt_hal_err err;

	if (!r || !block || size < SNT_IDREADER_TEXT_LEN || !why || whylen == 0)
		return SNT_HAL_ERR_INVAL;
	why[0] = '\0';
	err = transact(r, body, block, why, whylen);
	/* What was received held the card's text: not left in memory, whatever happened. */
	explicit_bzero(body, sizeof(body));
	explicit_bzero(r->buf, sizeof(r->buf));
	r->len = 0;
	return err;
}

const struct snt_idreader_ops snt_idreader_tty_ops = {
	.read = tty_read,
};
