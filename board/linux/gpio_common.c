// SPDX-License-Identifier: MIT
/*
 * GPIO lines by role: the part shared by the libgpiod 1.6 and 2.x backends
 * (see gpio_common.h and gpio.h).  No libgpiod here: every call into the
 * library goes through struct lgpio__ops.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "linux/gpio_common.h"

struct role_line {
	void *req;			/* the backend's request; NULL: role not configured */
	const struct lgpio__chip *chip;	/* in snt_lgpio.chips */
	unsigned int offset;
	int level;			/* inputs: last reported level; outputs: last driven */
	bool pending;			/* inputs: an edge waits for its debounce deadline */
	int64_t deadline_ms;
};

struct snt_lgpio {
	const struct lgpio__ops *ops;
	void *priv;			/* from ops->priv_new() */
	struct lgpio__chip chips[LGPIO__MAX_CHIPS];
	size_t n_chips;
	struct role_line r[SNT_ROLE_COUNT];
	int debounce_ms;
	const struct snt_clock *clock;
};

static const char *const err_text[] = {
	[SNT_LGPIO_OK] = N_("success"),
	[SNT_LGPIO_ERR_INVAL] = N_("invalid argument"),
	[SNT_LGPIO_ERR_NOCHIP] = N_("no such GPIO chip"),
	[SNT_LGPIO_ERR_NOLINE] = N_("no such line on the chip"),
	[SNT_LGPIO_ERR_BUSY] = N_("line busy (held by another program)"),
	[SNT_LGPIO_ERR_DUPLICATE] = N_("line already used by another role"),
	[SNT_LGPIO_ERR_IO] = N_("GPIO I/O error"),
	[SNT_LGPIO_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_lgpio_strerror(enum snt_lgpio_err err)
{
	/* The text in the user's language: every caller shows it to a person. */
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

bool snt_lgpio_is_output(enum snt_role role)
{
	return role == SNT_ROLE_RELAY || role == SNT_ROLE_LED_GREEN || role == SNT_ROLE_LED_RED ||
	       role == SNT_ROLE_BUZZER;
}

static bool is_input(enum snt_role role)
{
	return role == SNT_ROLE_PRESENCE || role == SNT_ROLE_BUTTON ||
	       role == SNT_ROLE_EXIT_BUTTON || role == SNT_ROLE_FIRE_ALARM;
}

bool snt_lgpio_has(const struct snt_lgpio *g, enum snt_role role)
{
	return g && (unsigned int)role < SNT_ROLE_COUNT && g->r[role].req;
}

void snt_lgpio_close(struct snt_lgpio *g)
{
	if (!g)
		return;
	/* Outputs inactive first, the relay before anything else. */
	for (int i = 0; i < SNT_ROLE_COUNT; i++)
		if (g->r[i].req && snt_lgpio_is_output((enum snt_role)i))
			(void)g->ops->set(g->r[i].req, g->r[i].offset, 0);
	for (int i = 0; i < SNT_ROLE_COUNT; i++)
		if (g->r[i].req)
			g->ops->release(g->r[i].req);
	for (size_t i = 0; i < g->n_chips; i++)
		g->ops->chip_close(g->chips[i].handle);
	if (g->priv)
		g->ops->priv_free(g->priv);
	free(g);
}

/* The chip for @descr, opened once per distinct chip (by its kernel name). */
static enum snt_lgpio_err get_chip(struct snt_lgpio *g, const char *descr,
				   const struct lgpio__chip **out)
{
	struct lgpio__chip c = { 0 };

	errno = 0;
	if (g->ops->chip_open(descr, &c) < 0)
		return errno == ENOMEM ? SNT_LGPIO_ERR_NOMEM :
		       errno == EACCES || errno == EIO ? SNT_LGPIO_ERR_IO : SNT_LGPIO_ERR_NOCHIP;
	for (size_t i = 0; i < g->n_chips; i++) {
		if (!strcmp(g->chips[i].name, c.name)) {
			g->ops->chip_close(c.handle);
			*out = &g->chips[i];
			return SNT_LGPIO_OK;
		}
	}
	if (g->n_chips == LGPIO__MAX_CHIPS) {
		g->ops->chip_close(c.handle);
		return SNT_LGPIO_ERR_NOMEM;
	}
	g->chips[g->n_chips] = c;
	*out = &g->chips[g->n_chips++];
	return SNT_LGPIO_OK;
}

static enum snt_lgpio_err request(struct snt_lgpio *g, enum snt_role role,
				  const struct snt_config_line *cl, const char *consumer,
				  char *errbuf, size_t errlen)
{
	const struct lgpio__chip *chip;
	enum snt_lgpio_err err;
	void *line = NULL, *req;
	int saved;

	err = get_chip(g, cl->chip, &chip);
	if (err)
		goto fail;
	errno = 0;
	if (g->ops->line_find(chip, cl->offset, &line) < 0) {
		err = errno == ENOMEM ? SNT_LGPIO_ERR_NOMEM : SNT_LGPIO_ERR_NOLINE;
		goto fail;
	}
	for (int i = 0; i < SNT_ROLE_COUNT; i++) {
		if (g->r[i].req && g->r[i].chip == chip && g->r[i].offset == cl->offset) {
			snprintf(errbuf, errlen, _("key '%s' in [gpio]: %s:%u: %s ('%s')"),
				 snt_role_name(role), cl->chip, cl->offset,
				 _(err_text[SNT_LGPIO_ERR_DUPLICATE]), snt_role_name((enum snt_role)i));
			return SNT_LGPIO_ERR_DUPLICATE;
		}
	}
	/* Outputs start inactive: the relay de-energised, the door locked. */
	req = g->ops->request(chip, line, cl->offset, snt_lgpio_is_output(role), cl->active_low,
			      consumer);
	if (!req) {
		saved = errno;
		err = saved == EBUSY ? SNT_LGPIO_ERR_BUSY :
		      saved == ENOMEM ? SNT_LGPIO_ERR_NOMEM : SNT_LGPIO_ERR_IO;
		if (err == SNT_LGPIO_ERR_IO) {
			snprintf(errbuf, errlen, _("key '%s' in [gpio]: %s:%u: request failed: %s"),
				 snt_role_name(role), cl->chip, cl->offset, strerror(saved));
			return err;
		}
		goto fail;
	}
	g->r[role].req = req;
	g->r[role].chip = chip;
	g->r[role].offset = cl->offset;
	g->r[role].level = 0;
	if (is_input(role)) {
		int v = g->ops->get(req, cl->offset);

		if (v < 0) {
			snprintf(errbuf, errlen, _("key '%s' in [gpio]: %s:%u: cannot read: %s"),
				 snt_role_name(role), cl->chip, cl->offset, strerror(errno));
			return SNT_LGPIO_ERR_IO;
		}
		/* An input active from the start is reported by the first wait. */
		if (v) {
			g->r[role].pending = true;
			g->r[role].deadline_ms = 0;
		}
	}
	return SNT_LGPIO_OK;

fail:
	snprintf(errbuf, errlen, _("key '%s' in [gpio]: %s:%u: %s"), snt_role_name(role), cl->chip,
		 cl->offset, _(err_text[err]));
	return err;
}

enum snt_lgpio_err lgpio__open(const struct lgpio__ops *ops, const struct snt_config_line *lines,
			       int debounce_ms, const char *consumer,
			       const struct snt_clock *clock, struct snt_lgpio **out, char *errbuf,
			       size_t errlen)
{
	enum snt_lgpio_err err = SNT_LGPIO_OK;
	struct snt_lgpio *g;

	if (!ops || !lines || !consumer || !clock || !out || !errbuf || errlen == 0 ||
	    debounce_ms < 0 || debounce_ms > 1000)
		return SNT_LGPIO_ERR_INVAL;
	*out = NULL;
	errbuf[0] = '\0';
	for (int i = 0; i < SNT_CONFIG_GPIO_SLOTS; i++) {
		if (lines[i].set && (i >= SNT_ROLE_COUNT || (!snt_lgpio_is_output((enum snt_role)i) &&
							     !is_input((enum snt_role)i)))) {
			snprintf(errbuf, errlen, _("[gpio]: slot %d is not a line role"), i);
			return SNT_LGPIO_ERR_INVAL;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		goto err_nomem;
	g->ops = ops;
	g->debounce_ms = debounce_ms;
	g->clock = clock;
	if (ops->priv_new) {
		g->priv = ops->priv_new();
		if (!g->priv) {
			free(g);
			goto err_nomem;
		}
	}
	/* Outputs first, so the relay is held locked before anything else. */
	for (int pass = 0; pass < 2 && !err; pass++) {
		for (int i = 0; i < SNT_ROLE_COUNT && !err; i++) {
			if (!lines[i].set || snt_lgpio_is_output((enum snt_role)i) != (pass == 0))
				continue;
			err = request(g, (enum snt_role)i, &lines[i], consumer, errbuf, errlen);
		}
	}
	if (err)
		goto err_release;
	*out = g;
	return SNT_LGPIO_OK;

err_release:
	snt_lgpio_close(g);
	return err;
err_nomem:
	snprintf(errbuf, errlen, "%s", _("out of memory"));
	return SNT_LGPIO_ERR_NOMEM;
}

enum snt_lgpio_err snt_lgpio_set(struct snt_lgpio *g, enum snt_role role, int value)
{
	if (!g || !snt_lgpio_is_output(role) || !g->r[role].req)
		return SNT_LGPIO_ERR_INVAL;
	value = value ? 1 : 0;
	if (g->ops->set(g->r[role].req, g->r[role].offset, value) < 0)
		return SNT_LGPIO_ERR_IO;
	g->r[role].level = value;
	return SNT_LGPIO_OK;
}

enum snt_lgpio_err snt_lgpio_get(struct snt_lgpio *g, enum snt_role role, int *value)
{
	int v;

	if (!g || !value || !snt_lgpio_has(g, role))
		return SNT_LGPIO_ERR_INVAL;
	v = g->ops->get(g->r[role].req, g->r[role].offset);
	if (v < 0)
		return SNT_LGPIO_ERR_IO;
	*value = v;
	return SNT_LGPIO_OK;
}

/* Report the first input whose debounce deadline has passed and whose level changed. */
static enum snt_hal_err due(struct snt_lgpio *g, int64_t now, bool *found,
			    struct snt_input_event *ev)
{
	*found = false;
	for (int i = 0; i < SNT_ROLE_COUNT; i++) {
		struct role_line *rl = &g->r[i];
		int v;

		if (!rl->req || !rl->pending || rl->deadline_ms > now)
			continue;
		rl->pending = false;
		v = g->ops->get(rl->req, rl->offset);
		if (v < 0)
			return SNT_HAL_ERR_IO;
		if (v == rl->level)
			continue;	/* bounced back: no event */
		rl->level = v;
		ev->role = (enum snt_role)i;
		ev->value = v;
		ev->mono_ms = now;
		*found = true;
		return SNT_HAL_OK;
	}
	return SNT_HAL_OK;
}

enum snt_hal_err snt_lgpio_wait_event(struct snt_lgpio *g, int extra_fd, int64_t timeout_ms,
				      struct snt_input_event *ev)
{
	struct pollfd pfd[SNT_ROLE_COUNT + 1];
	enum snt_role who[SNT_ROLE_COUNT + 1];
	int64_t end;

	if (!g || !ev)
		return SNT_HAL_ERR_INVAL;
	end = timeout_ms >= 0 ? snt_clock_mono_ms(g->clock) + timeout_ms : -1;
	for (;;) {
		int64_t now = snt_clock_mono_ms(g->clock), wait = -1;
		enum snt_hal_err rc;
		nfds_t n = 0;
		bool found;
		int k;

		rc = due(g, now, &found, ev);
		if (rc != SNT_HAL_OK || found)
			return rc;
		if (end >= 0) {
			if (now >= end)
				return SNT_HAL_TIMEOUT;
			wait = end - now;
		}
		if (extra_fd >= 0) {
			pfd[n].fd = extra_fd;
			pfd[n].events = POLLIN;
			who[n++] = SNT_ROLE_COUNT;
		}
		for (int i = 0; i < SNT_ROLE_COUNT; i++) {
			const struct role_line *rl = &g->r[i];

			if (!rl->req || !is_input((enum snt_role)i))
				continue;
			if (rl->pending && (wait < 0 || rl->deadline_ms - now < wait))
				wait = rl->deadline_ms - now;
			pfd[n].fd = g->ops->event_fd(rl->req);
			if (pfd[n].fd < 0)
				return SNT_HAL_ERR_IO;
			pfd[n].events = POLLIN;
			who[n++] = (enum snt_role)i;
		}
		k = poll(pfd, n, wait > INT32_MAX ? INT32_MAX : (int)wait);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return SNT_HAL_ERR_IO;
		for (nfds_t i = 0; k > 0 && i < n; i++) {
			struct role_line *rl;

			if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			if (who[i] == SNT_ROLE_COUNT)
				return SNT_HAL_FD_READY;
			rl = &g->r[who[i]];
			/* The level itself is read after the debounce. */
			if (g->ops->event_read(g->priv, rl->req) < 0)
				return SNT_HAL_ERR_IO;
			/* Each edge restarts the debounce window. */
			rl->pending = true;
			rl->deadline_ms = snt_clock_mono_ms(g->clock) + g->debounce_ms;
		}
	}
}

static enum snt_hal_err ops_set(void *ctx, enum snt_role role, int value, int64_t seq)
{
	enum snt_lgpio_err err;

	(void)seq;
	err = snt_lgpio_set(ctx, role, value);
	/* A role without a line (e.g. no buzzer fitted) is not an error. */
	if (err == SNT_LGPIO_ERR_INVAL && snt_lgpio_is_output(role))
		return SNT_HAL_OK;
	return err == SNT_LGPIO_OK ? SNT_HAL_OK :
	       err == SNT_LGPIO_ERR_INVAL ? SNT_HAL_ERR_INVAL : SNT_HAL_ERR_IO;
}

static enum snt_hal_err ops_wait_event(void *ctx, int extra_fd, int64_t timeout_ms,
				       struct snt_input_event *ev)
{
	return snt_lgpio_wait_event(ctx, extra_fd, timeout_ms, ev);
}

const struct snt_gpio_ops snt_lgpio_ops = {
	.set = ops_set,
	.wait_event = ops_wait_event,
};
