// SPDX-License-Identifier: MIT
/*
 * The simulated board: every role of hal.h driven by a scenario on a
 * virtual clock (scenario.md), outputs written to the output log.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "config/config.h"
#include "linux/idreader.h"
#include "sim/samcard.h"
#include "sim/scenario.h"
#include "sim/screens.h"
#include "sim/sim.h"

#define BLANK_W 640
#define BLANK_H 480
#define AMBIENT_MDC 22000

struct sim {
	struct snt_board board;
	struct snt_scenario *scn;
	size_t pc;			/* next scenario step */
	int64_t now;			/* virtual monotonic ms */
	int64_t cursor;			/* scenario time of the step at pc */
	int64_t start_utc_ms;		/* wall time at monotonic 0 (moves on "clock set") */
	enum snt_clock_state clock_state;
	int out_fd;			/* output log, or -1 */
	struct sim_screens *screens;	/* screens/ and audio.wav beside the log, or NULL */
	int level[SNT_ROLE_COUNT];	/* last level written per output */
	/* what the camera sees */
	const size_t *show;
	size_t show_n, show_pos;
	uint8_t *blank;
	/* what the thermometer reads */
	const int32_t *temp;
	size_t temp_n, temp_pos;
	/* the ID-card reader, when the scenario has card lines: the real driver on a pty */
	struct sim_samcard *card;
	struct snt_idreader *reader;
};

/* A `card` step: what the simulated reader answers from now on. */
static void card_step(struct sim *s, const struct snt_scenario_step *st)
{
	static const enum sim_card mode[] = {
		[SNT_SCN_CARD_NONE] = SIM_CARD_NONE,
		[SNT_SCN_CARD_TEXT] = SIM_CARD_TEXT,
		[SNT_SCN_CARD_PULLED] = SIM_CARD_PULLED,
		[SNT_SCN_CARD_FRAMES] = SIM_CARD_RAW,
	};

	if (!s->card)
		return;
	if (st->u.card.what == SNT_SCN_CARD_UNPLUGGED) {
		sim_samcard_unplug(s->card);
		return;
	}
	/*
	 * It fails only once unplugged (the reader stays gone, as the driver
	 * reports) or without memory (the last card stays).
	 */
	int rc = sim_samcard_set(s->card, mode[st->u.card.what], st->u.card.data, st->u.card.len);

	(void)rc;
}

/* Apply every step that is due at or before the current time, up to the next input. */
static void advance(struct sim *s)
{
	while (s->pc < s->scn->n_steps) {
		const struct snt_scenario_step *st = &s->scn->steps[s->pc];

		if (st->op == SNT_SCN_WAIT) {
			s->cursor += st->u.wait_ms;
			s->pc++;
			continue;
		}
		if (st->op == SNT_SCN_INPUT || s->cursor > s->now)
			break;
		if (st->op == SNT_SCN_CLOCK) {
			if (st->u.clock.set)
				s->start_utc_ms = st->u.clock.utc_ms - s->now;
			else
				s->clock_state = st->u.clock.state;
		} else if (st->op == SNT_SCN_SIGNAL) {
			/* To this process: the daemon sees it through its signalfd. */
			(void)kill(getpid(), st->u.signo);
		} else if (st->op == SNT_SCN_CARD) {
			card_step(s, st);
		} else if (st->op == SNT_SCN_SHOW) {
			s->show = st->u.show.image;
			s->show_n = st->u.show.n;
			s->show_pos = 0;
		} else {
			s->temp = st->u.temp.mdc;
			s->temp_n = st->u.temp.n;
			s->temp_pos = 0;
		}
		s->pc++;
	}
}

static int64_t sim_mono_ms(void *ctx)
{
	return ((struct sim *)ctx)->now;
}

static int64_t sim_utc_ms(void *ctx)
{
	const struct sim *s = ctx;

	return s->start_utc_ms + s->now;
}

static enum snt_clock_state sim_state(void *ctx)
{
	return ((struct sim *)ctx)->clock_state;
}

static void sim_sleep_ms(void *ctx, int64_t ms)
{
	struct sim *s = ctx;

	if (ms > 0)
		s->now += ms;
}

static const struct snt_clock_ops sim_clock_ops = {
	.mono_ms = sim_mono_ms,
	.utc_ms = sim_utc_ms,
	.state = sim_state,
	.sleep_ms = sim_sleep_ms,
};

/* One line, one write(2), as interfaces.md asks. */
static enum snt_hal_err out_line(struct sim *s, const char *line, size_t len)
{
	size_t off = 0;

	if (s->out_fd < 0)
		return SNT_HAL_OK;
	while (off < len) {
		ssize_t n = write(s->out_fd, line + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return SNT_HAL_ERR_IO;
		off += (size_t)n;
	}
	return SNT_HAL_OK;
}

static enum snt_hal_err sim_set(void *ctx, enum snt_role role, int value, int64_t seq)
{
	struct sim *s = ctx;
	char line[96];
	int n;

	if (role != SNT_ROLE_RELAY && role != SNT_ROLE_LED_GREEN && role != SNT_ROLE_LED_RED &&
	    role != SNT_ROLE_BUZZER)
		return SNT_HAL_ERR_INVAL;
	value = value ? 1 : 0;
	if (s->level[role] == value)
		return SNT_HAL_OK;
	s->level[role] = value;
	if (role == SNT_ROLE_RELAY && value && seq > 0)
		/* i18n-exempt: the output log, a format tests and tools read (interfaces.md) */
		n = snprintf(line, sizeof(line), "%" PRId64 " %s %d seq=%" PRId64 "\n", s->now,
			     snt_role_name(role), value, seq);
	else
		n = snprintf(line, sizeof(line), "%" PRId64 " %s %d\n", s->now, snt_role_name(role),
			     value);
	return out_line(s, line, (size_t)n);
}

static bool fd_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&pfd, 1, 0) > 0;
}

static enum snt_hal_err sim_wait_event(void *ctx, int extra_fd, int64_t timeout_ms,
				       struct snt_input_event *ev)
{
	struct sim *s = ctx;
	const struct snt_scenario_step *st;
	int64_t at, deadline;

	if (fd_ready(extra_fd))
		return SNT_HAL_FD_READY;
	deadline = timeout_ms >= 0 ? s->now + timeout_ms : INT64_MAX;
	advance(s);
	/*
	 * Move the clock to each step due before the next input: a show, temp,
	 * card, signal or clock line between two waits is applied at its time,
	 * and the wait after it still counts (the waits add up).
	 */
	for (;;) {
		at = s->cursor > s->now ? s->cursor : s->now;
		if (at > deadline) {
			s->now = deadline;
			advance(s);
			return SNT_HAL_TIMEOUT;
		}
		s->now = at;
		advance(s);
		/* A scripted signal raised just now comes before the next input. */
		if (fd_ready(extra_fd))
			return SNT_HAL_FD_READY;
		if (s->pc >= s->scn->n_steps)
			return SNT_HAL_END;
		if (s->scn->steps[s->pc].op == SNT_SCN_INPUT)
			break;
	}
	st = &s->scn->steps[s->pc++];
	ev->role = st->u.input.role;
	ev->value = st->u.input.value;
	ev->mono_ms = s->now;
	s->cursor = s->now;
	advance(s);
	return SNT_HAL_OK;
}

static const struct snt_gpio_ops sim_gpio_ops = {
	.set = sim_set,
	.wait_event = sim_wait_event,
};

static enum snt_hal_err sim_grab(void *ctx, struct snt_frame *frame)
{
	struct sim *s = ctx;

	advance(s);
	frame->fmt = SNT_PIXFMT_RGB24;
	if (s->show_n == 0) {
		frame->width = BLANK_W;
		frame->height = BLANK_H;
		frame->stride = 3 * BLANK_W;
		frame->data = s->blank;
		return SNT_HAL_OK;
	}
	const struct snt_image *img = &s->scn->images[s->show[s->show_pos]].img;

	if (s->show_pos + 1 < s->show_n)
		s->show_pos++;
	frame->width = img->width;
	frame->height = img->height;
	frame->stride = img->stride;
	frame->data = img->rgb;
	return SNT_HAL_OK;
}

static const struct snt_camera_ops sim_camera_ops = {
	.grab = sim_grab,
};

static enum snt_hal_err sim_read(void *ctx, int32_t *object_mdc, int32_t *ambient_mdc)
{
	struct sim *s = ctx;
	int32_t v;

	advance(s);
	if (s->temp_n == 0)
		return SNT_HAL_ERR_NODATA;
	v = s->temp[s->temp_pos];
	if (s->temp_pos + 1 < s->temp_n)
		s->temp_pos++;
	if (v == SNT_SCENARIO_TEMP_FAULT)
		return SNT_HAL_ERR_IO;
	*object_mdc = v;
	*ambient_mdc = AMBIENT_MDC;
	return SNT_HAL_OK;
}

static const struct snt_thermometer_ops sim_thermometer_ops = {
	.read = sim_read,
};

/* The scenario's card steps due now, then the real driver over the pty. */
static enum snt_hal_err sim_idread(void *ctx, uint8_t *block, size_t size, char *why, size_t whylen)
{
	struct sim *s = ctx;

	advance(s);
	return snt_idreader_tty_ops.read(s->reader, block, size, why, whylen);
}

static const struct snt_idreader_ops sim_idreader_ops = {
	.read = sim_idread,
};

/* The simulated reader and its driver, when the scenario presents cards. */
static enum snt_hal_err sim_idreader_open(struct sim *s, const struct snt_config *cfg, char *errbuf,
					  size_t errlen)
{
	char slave[128];
	enum snt_hal_err err;
	int rc;
	bool any = false;

	for (size_t i = 0; i < s->scn->n_steps && !any; i++)
		any = s->scn->steps[i].op == SNT_SCN_CARD;
	if (!any)
		return SNT_HAL_OK;
	rc = sim_samcard_new(slave, sizeof(slave), &s->card);
	if (rc) {
		snprintf(errbuf, errlen, _("simulated ID-card reader: %s"), strerror(rc));
		return rc == ENOMEM ? SNT_HAL_ERR_NOMEM : SNT_HAL_ERR_IO;
	}
	err = snt_idreader_new(slave, cfg->idreader_timeout_ms, &s->reader);
	if (err) {
		snprintf(errbuf, errlen, _("simulated ID-card reader: %s"), _(snt_hal_strerror(err)));
		sim_samcard_free(s->card);
		s->card = NULL;
		return err;
	}
	s->board.idreader = &sim_idreader_ops;
	s->board.idreader_ctx = s;
	return SNT_HAL_OK;
}

static enum snt_hal_err sim_show(void *ctx, const char *text)
{
	struct sim *s = ctx;
	char line[1024], esc[1024];
	size_t n;
	int k;

	/* i18n-exempt: the output log (interfaces.md) */
	k = snprintf(line, sizeof(line), "%" PRId64 " display \"", s->now);
	n = (size_t)k;
	/* Controls escaped (snt_escape(), C style), then '"' as \". */
	(void)snt_escape(text, strlen(text), SNT_ESCAPE_C, esc, sizeof(esc));
	for (const char *p = esc; *p && n + 8 < sizeof(line); p++) {
		if (*p == '"')
			line[n++] = '\\';
		line[n++] = *p;
	}
	line[n++] = '"';
	line[n++] = '\n';
	return out_line(s, line, n);
}

/* The log line as show() writes it, then the screen as a PNG beside the log. */
static enum snt_hal_err sim_draw(void *ctx, const struct snt_screen *scr)
{
	struct sim *s = ctx;
	enum snt_hal_err err = sim_show(ctx, scr->text ? scr->text : "");

	if (err == SNT_HAL_OK && s->screens)
		err = sim_screens_draw(s->screens, scr);
	return err;
}

static enum snt_hal_err sim_preview(void *ctx, const struct snt_frame *frame, int frozen)
{
	struct sim *s = ctx;

	/* Live frames are not written (a PNG per screen change); the frame read is. */
	if (!frozen || !s->screens)
		return SNT_HAL_OK;
	return sim_screens_freeze(s->screens, frame);
}

static const struct snt_display_ops sim_display_ops = {
	.show = sim_show,
	.draw = sim_draw,
	.preview = sim_preview,
};

/* A voice prompt: its clip appended to audio.wav, then the log line. */
static enum snt_hal_err sim_play(void *ctx, const char *clip_id)
{
	struct sim *s = ctx;
	enum snt_hal_err err;
	char line[96];
	int n;

	if (!s->screens)
		return SNT_HAL_ERR_NODATA;
	err = sim_screens_play(s->screens, clip_id);
	if (err)
		return err;
	/* i18n-exempt: the output log (interfaces.md) */
	n = snprintf(line, sizeof(line), "%" PRId64 " audio \"%.48s\"\n", s->now, clip_id);
	return out_line(s, line, (size_t)n);
}

static const struct snt_audio_ops sim_audio_ops = {
	.play = sim_play,
};

static void sim_close(struct snt_board *b)
{
	struct sim *s = b->priv;
	static const enum snt_role outputs[] = { SNT_ROLE_RELAY, SNT_ROLE_LED_GREEN,
						 SNT_ROLE_LED_RED, SNT_ROLE_BUZZER };

	for (size_t i = 0; i < SNT_ARRAY_SIZE(outputs); i++)
		(void)sim_set(s, outputs[i], 0, 0);
	if (s->out_fd >= 0)
		close(s->out_fd);
	snt_idreader_free(s->reader);
	sim_samcard_free(s->card);
	sim_screens_free(s->screens);
	snt_scenario_free(s->scn);
	free(s->blank);
	free(s);
}

static enum snt_hal_err snt_sim_check(const struct snt_config *cfg, char *errbuf, size_t errlen)
{
	struct snt_scenario *scn = NULL;
	enum snt_scenario_err serr;
	char dir[PATH_MAX];

	serr = snt_scenario_load(cfg->sim_scenario, &scn, errbuf, errlen);
	snt_scenario_free(scn);
	if (serr == SNT_SCENARIO_ERR_NOMEM)
		return SNT_HAL_ERR_NOMEM;
	if (serr != SNT_SCENARIO_OK)
		return SNT_HAL_ERR_CONFIG;
	if (!cfg->sim_output[0])
		return SNT_HAL_OK;
	if (access(cfg->sim_output, F_OK) == 0) {
		if (access(cfg->sim_output, W_OK) == 0)
			return SNT_HAL_OK;
		snprintf(errbuf, errlen, "%s: %s", cfg->sim_output, strerror(errno));
		return SNT_HAL_ERR_IO;
	}
	snt_dir_of(cfg->sim_output, dir, sizeof(dir));
	if (access(dir, W_OK) != 0) {
		snprintf(errbuf, errlen, _("%s: directory %s: %s"), cfg->sim_output, dir, strerror(errno));
		return SNT_HAL_ERR_IO;
	}
	return SNT_HAL_OK;
}

static enum snt_hal_err snt_sim_open(const struct snt_config *cfg, struct snt_board **out, char *errbuf,
				     size_t errlen)
{
	enum snt_scenario_err serr;
	struct sim *s;

	s = calloc(1, sizeof(*s));
	if (!s)
		return SNT_HAL_ERR_NOMEM;
	s->out_fd = -1;
	s->start_utc_ms = cfg->sim_start_utc_ms;
	s->clock_state = cfg->sim_clock;
	s->blank = malloc((size_t)BLANK_W * BLANK_H * 3);
	if (!s->blank)
		goto err_nomem;
	memset(s->blank, 200, (size_t)BLANK_W * BLANK_H * 3);

	serr = snt_scenario_load(cfg->sim_scenario, &s->scn, errbuf, errlen);
	if (serr == SNT_SCENARIO_ERR_NOMEM)
		goto err_nomem;
	if (serr != SNT_SCENARIO_OK) {
		free(s->blank);
		free(s);
		return SNT_HAL_ERR_CONFIG;
	}
	if (cfg->sim_output[0]) {
		s->out_fd = open(cfg->sim_output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (s->out_fd < 0) {
			snprintf(errbuf, errlen, "%s: %s", cfg->sim_output, strerror(errno));
			snt_scenario_free(s->scn);
			free(s->blank);
			free(s);
			return SNT_HAL_ERR_IO;
		}
	}

	s->board.name = "sim";
	s->board.camera = &sim_camera_ops;
	s->board.camera_ctx = s;
	s->board.thermometer = &sim_thermometer_ops;
	s->board.thermometer_ctx = s;
	s->board.gpio = &sim_gpio_ops;
	s->board.gpio_ctx = s;
	s->board.display = &sim_display_ops;
	s->board.display_ctx = s;
	if (s->out_fd >= 0) {
		s->screens = sim_screens_new(cfg);
		if (!s->screens) {
			close(s->out_fd);
			goto err_nomem;
		}
	}
	if (s->screens && cfg->audio_clips[0]) {
		s->board.audio = &sim_audio_ops;
		s->board.audio_ctx = s;
	}
	if (sim_idreader_open(s, cfg, errbuf, errlen) != SNT_HAL_OK) {
		sim_screens_free(s->screens);
		if (s->out_fd >= 0)
			close(s->out_fd);
		snt_scenario_free(s->scn);
		free(s->blank);
		free(s);
		return SNT_HAL_ERR_IO;
	}
	s->board.clock.ops = &sim_clock_ops;
	s->board.clock.ctx = s;
	s->board.clock.source = "sim";
	snt_strlcpy(s->board.boot_id, cfg->sim_boot_id, sizeof(s->board.boot_id));
	s->board.close = sim_close;
	s->board.priv = s;
	/* Outputs start at 0: the door is locked (logged only on change). */
	*out = &s->board;
	return SNT_HAL_OK;

err_nomem:
	snt_scenario_free(s->scn);
	free(s->blank);
	free(s);
	snprintf(errbuf, errlen, "%s", _("out of memory"));
	return SNT_HAL_ERR_NOMEM;
}

static void probe_report(snt_probe_fn *fn, void *arg, struct snt_probe *p, enum snt_role role,
			 enum snt_probe_status status)
{
	p->role = role;
	p->backend = "sim";
	p->status = status;
	fn(arg, p);
}

static enum snt_hal_err snt_sim_probe(const struct snt_config *cfg, const struct snt_probe_opts *opts,
				      snt_probe_fn *fn, void *arg)
{
	static const enum snt_role outs[] = { SNT_ROLE_RELAY, SNT_ROLE_LED_GREEN, SNT_ROLE_LED_RED,
					      SNT_ROLE_BUZZER };
	static const enum snt_role ins[] = { SNT_ROLE_PRESENCE, SNT_ROLE_BUTTON, SNT_ROLE_EXIT_BUTTON,
					     SNT_ROLE_FIRE_ALARM };
	struct snt_probe p = { 0 };
	struct snt_board *b;
	struct snt_frame f;
	enum snt_hal_err rc;

	if (!cfg || !opts || !fn)
		return SNT_HAL_ERR_INVAL;
	rc = snt_sim_open(cfg, &b, p.detail, sizeof(p.detail));
	if (rc != SNT_HAL_OK) {
		for (int r = 0; r < SNT_ROLE_COUNT; r++)
			probe_report(fn, arg, &p, (enum snt_role)r, SNT_PROBE_FAIL);
		return SNT_HAL_OK;
	}
	for (size_t i = 0; i < SNT_ARRAY_SIZE(outs); i++) {
		if (opts->drive) {
			rc = b->gpio->set(b->gpio_ctx, outs[i], 1, 0);
			if (rc == SNT_HAL_OK)
				rc = b->gpio->set(b->gpio_ctx, outs[i], 0, 0);
		}
		snprintf(p.detail, sizeof(p.detail), "%s",
			 rc == SNT_HAL_OK ? (opts->drive ? _("pulsed") : _("output log")) : _(snt_hal_strerror(rc)));
		probe_report(fn, arg, &p, outs[i], rc == SNT_HAL_OK ? SNT_PROBE_OK : SNT_PROBE_FAIL);
	}
	/* The display is the visitor's screen: written only when driven. */
	rc = SNT_HAL_OK;
	if (opts->drive)
		rc = b->display->show(b->display_ctx, opts->display_text);
	snprintf(p.detail, sizeof(p.detail), "%s",
		 rc == SNT_HAL_OK ? (opts->drive ? _("output log") : _("output log (not driven; --outputs to drive)")) :
				    _(snt_hal_strerror(rc)));
	probe_report(fn, arg, &p, SNT_ROLE_DISPLAY, rc == SNT_HAL_OK ? SNT_PROBE_OK : SNT_PROBE_FAIL);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(ins); i++) {
		snprintf(p.detail, sizeof(p.detail), "%s", _("scenario"));
		probe_report(fn, arg, &p, ins[i], SNT_PROBE_OK);
	}
	rc = b->thermometer->read(b->thermometer_ctx, &p.object_mdc, &p.ambient_mdc);
	p.has_reading = rc == SNT_HAL_OK;
	if (rc == SNT_HAL_OK)
		p.detail[0] = '\0';
	else if (rc == SNT_HAL_ERR_NODATA)
		snprintf(p.detail, sizeof(p.detail), "%s", _("no reading scripted at the start"));
	else
		snprintf(p.detail, sizeof(p.detail), "%s", _(snt_hal_strerror(rc)));
	probe_report(fn, arg, &p, SNT_ROLE_THERMOMETER, rc == SNT_HAL_ERR_IO ? SNT_PROBE_FAIL : SNT_PROBE_OK);
	p.has_reading = false;
	rc = b->camera->grab(b->camera_ctx, &f);
	if (rc == SNT_HAL_OK)
		snprintf(p.detail, sizeof(p.detail), "%ux%u", f.width, f.height);
	else
		snprintf(p.detail, sizeof(p.detail), "%s", _(snt_hal_strerror(rc)));
	probe_report(fn, arg, &p, SNT_ROLE_CAMERA, rc == SNT_HAL_OK ? SNT_PROBE_OK : SNT_PROBE_FAIL);
	/* Voice prompts: audio.wav beside the output log, when clips are configured. */
	rc = SNT_HAL_OK;
	if (b->audio && opts->drive)
		rc = b->audio->play(b->audio_ctx, "admit-zh");
	if (!b->audio)
		snprintf(p.detail, sizeof(p.detail), "%s", _("none configured"));
	else
		snprintf(p.detail, sizeof(p.detail), "%s %s", rc == SNT_HAL_OK ? "audio.wav" : _(snt_hal_strerror(rc)),
			 opts->drive ? _("played") : _("(not driven; --outputs to drive)"));
	probe_report(fn, arg, &p, SNT_ROLE_AUDIO, rc == SNT_HAL_OK ? SNT_PROBE_OK : SNT_PROBE_FAIL);
	snt_board_close(b);
	return SNT_HAL_OK;
}

const struct snt_board_backend snt_sim_backend = { snt_sim_open, snt_sim_check, snt_sim_probe };
