// SPDX-License-Identifier: MIT
/*
 * samcard: a simulated SAM ID-card reader on a pseudo-terminal (samcard.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "idcard/idcard.h"
#include "sim/samcard.h"

struct sim_samcard {
	int master;		/* -1 once unplugged */
	int slave;		/* held open, so the master never sees a hang-up while the driver reopens */
	int stop[2];		/* pipe: a byte asks the thread to stop */
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;	/* guards what follows */
	enum sim_card mode;
	uint8_t *data;
	size_t data_len;
	unsigned commands;
	uint8_t *out;		/* what is still to be sent */
	size_t out_len, out_off, out_cap;
	/* thread only */
	uint8_t in[SNT_IDCARD_FRAME_MAX];
	size_t in_len;
};

static int out_put(struct sim_samcard *c, const uint8_t *p, size_t n)
{
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_len + n + 4096;
		uint8_t *o = realloc(c->out, cap);

		if (!o)
			return ENOMEM;
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return 0;
}

static void answer_status(struct sim_samcard *c, uint8_t sw)
{
	const uint8_t body[3] = { 0x00, 0x00, sw };
	uint8_t frame[16];
	size_t n;

	if (snt_idcard_frame_encode(body, sizeof(body), frame, sizeof(frame), &n) == SNT_IDCARD_OK)
		(void)out_put(c, frame, n);
}

/* The module's answer to one command (called with the lock held). */
static void answer(struct sim_samcard *c, const struct snt_idcard_frame *f)
{
	uint8_t cmd = f->body_len >= 2 ? f->body[0] : 0, para = f->body_len >= 2 ? f->body[1] : 0;
	bool find = cmd == SNT_IDCARD_CMD_FIND && para == SNT_IDCARD_PARA_FIND;
	bool select = cmd == SNT_IDCARD_CMD_SELECT && para == SNT_IDCARD_PARA_SELECT;
	bool read = cmd == SNT_IDCARD_CMD_READ && para == SNT_IDCARD_PARA_READ_TEXT;

	c->commands++;
	/*
	 * A new command: what was still to be sent is dropped, as the host
	 * started over; a raw card's bytes go on until the next find.
	 */
	if (c->mode != SIM_CARD_RAW || find)
		c->out_off = c->out_len = 0;
	if (!find && !select && !read) {
		answer_status(c, SNT_IDCARD_SW_BAD_COMMAND);
		return;
	}
	switch (c->mode) {
	case SIM_CARD_NONE:
		answer_status(c, find ? SNT_IDCARD_SW_NO_CARD :
				  select ? SNT_IDCARD_SW_SELECT_FAIL : SNT_IDCARD_SW_READ_FAIL);
		return;
	case SIM_CARD_PULLED:
	case SIM_CARD_TEXT:
		if (find) {
			answer_status(c, SNT_IDCARD_SW_FOUND);
		} else if (select) {
			answer_status(c, SNT_IDCARD_SW_OK);
		} else if (c->mode == SIM_CARD_PULLED) {
			answer_status(c, SNT_IDCARD_SW_READ_FAIL);
		} else {
			uint8_t body[SNT_IDCARD_READ_BODY_LEN], frame[SNT_IDCARD_FRAME_MAX];
			size_t n;

			snt_idcard_read_response(c->data, body);
			if (snt_idcard_frame_encode(body, sizeof(body), frame, sizeof(frame), &n) == SNT_IDCARD_OK)
				(void)out_put(c, frame, n);
		}
		return;
	case SIM_CARD_RAW:
		if (find)
			(void)out_put(c, c->data, c->data_len);
		return;
	}
}

static void take_input(struct sim_samcard *c)
{
	for (;;) {
		struct snt_idcard_frame f;
		size_t used = 0;
		enum snt_idcard_err ie = snt_idcard_frame_decode(c->in, c->in_len, &f, &used);

		if (ie == SNT_IDCARD_OK) {
			pthread_mutex_lock(&c->lock);
			answer(c, &f);
			pthread_mutex_unlock(&c->lock);
		} else if (ie == SNT_IDCARD_ERR_CHECKSUM) {
			pthread_mutex_lock(&c->lock);
			answer_status(c, SNT_IDCARD_SW_BAD_CHECKSUM);
			pthread_mutex_unlock(&c->lock);
		}
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		if (ie == SNT_IDCARD_ERR_SHORT) {
			if (c->in_len == sizeof(c->in))
				c->in_len = 0;
			return;
		}
	}
}

static void *serve(void *arg)
{
	struct sim_samcard *c = arg;

	for (;;) {
		bool pending;

		pthread_mutex_lock(&c->lock);
		pending = c->out_off < c->out_len;
		pthread_mutex_unlock(&c->lock);

		struct pollfd pfd[2] = {
			{ .fd = c->stop[0], .events = POLLIN },
			{ .fd = c->master, .events = POLLIN | (pending ? POLLOUT : 0) },
		};

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (pfd[0].revents)
			return NULL;
		if (pfd[1].revents & POLLIN) {
			ssize_t k = read(c->master, c->in + c->in_len, sizeof(c->in) - c->in_len);

			if (k > 0) {
				c->in_len += (size_t)k;
				take_input(c);
			}
		}
		/* Written with the lock held: once sim_samcard_set() returns, nothing of the old card follows. */
		pthread_mutex_lock(&c->lock);
		if ((pfd[1].revents & POLLOUT) && c->out_off < c->out_len) {
			ssize_t k = write(c->master, c->out + c->out_off, c->out_len - c->out_off);

			if (k > 0)
				c->out_off += (size_t)k;
		}
		pthread_mutex_unlock(&c->lock);
	}
}

int sim_samcard_new(char *slave, size_t slavelen, struct sim_samcard **out)
{
	struct sim_samcard *c;
	struct termios tio;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->slave = c->stop[0] = c->stop[1] = -1;
	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->master < 0)
		goto err_errno;
	if (grantpt(c->master) != 0 || unlockpt(c->master) != 0)
		goto err_errno;
	rc = ptsname_r(c->master, slave, slavelen);
	if (rc != 0) {
		errno = rc;
		goto err_errno;
	}
	c->slave = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->slave < 0)
		goto err_errno;
	/* No echo, no line editing until the driver sets the line up itself. */
	if (tcgetattr(c->slave, &tio) != 0)
		goto err_errno;
	cfmakeraw(&tio);
	if (tcsetattr(c->slave, TCSANOW, &tio) != 0)
		goto err_errno;
	if (fcntl(c->master, F_SETFL, O_NONBLOCK) != 0 || pipe2(c->stop, O_CLOEXEC) != 0)
		goto err_errno;
	pthread_mutex_init(&c->lock, NULL);
	rc = pthread_create(&c->thread, NULL, serve, c);
	if (rc != 0) {
		pthread_mutex_destroy(&c->lock);
		errno = rc;
		goto err_errno;
	}
	c->running = true;
	*out = c;
	return 0;

err_errno:
	rc = errno;
	if (c->master >= 0)
		close(c->master);
	if (c->slave >= 0)
		close(c->slave);
	if (c->stop[0] >= 0) {
		close(c->stop[0]);
		close(c->stop[1]);
	}
	free(c);
	return rc;
}

int sim_samcard_set(struct sim_samcard *c, enum sim_card mode, const uint8_t *data, size_t len)
{
	uint8_t *copy = NULL;

	if (!c || c->master < 0)
		return EINVAL;
	if (mode == SIM_CARD_TEXT)
		len = SNT_IDCARD_TEXT_LEN;
	if (mode == SIM_CARD_TEXT || mode == SIM_CARD_RAW) {
		if (!data || len == 0)
			return EINVAL;
		copy = malloc(len);
		if (!copy)
			return ENOMEM;
		memcpy(copy, data, len);
	}
	pthread_mutex_lock(&c->lock);
	if (c->data)
		explicit_bzero(c->data, c->data_len);
	free(c->data);
	c->data = copy;
	c->data_len = copy ? len : 0;
	c->mode = mode;
	c->out_off = c->out_len = 0;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

unsigned sim_samcard_commands(struct sim_samcard *c)
{
	unsigned n;

	pthread_mutex_lock(&c->lock);
	n = c->commands;
	pthread_mutex_unlock(&c->lock);
	return n;
}

void sim_samcard_unplug(struct sim_samcard *c)
{
	if (!c || c->master < 0)
		return;
	if (c->running) {
		(void)!write(c->stop[1], "x", 1);
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	close(c->slave);
	close(c->master);
	c->slave = c->master = -1;
}

void sim_samcard_free(struct sim_samcard *c)
{
	if (!c)
		return;
	sim_samcard_unplug(c);
	close(c->stop[0]);
	close(c->stop[1]);
	pthread_mutex_destroy(&c->lock);
	if (c->data)
		explicit_bzero(c->data, c->data_len);
	free(c->data);
	free(c->out);
	free(c);
}
