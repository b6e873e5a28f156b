/* SPDX-License-Identifier: MIT */
/*
 * hal: the gate's hardware by role.  Each role is a small ops struct with a
 * context pointer; a board bundles one backend per role plus the clock its
 * timestamps come from.  Backends are chosen by the config's `board` key:
 * "sim" (board/sim/, the simulated board: a first-class backend used by the
 * demo and the scenario tests) and, in board/linux/, the real ones.  Besides
 * opening a board for the daemon, the backends probe each device on its own
 * (`sentinelctl selftest`) and name what the configuration may choose, so
 * nothing above this header includes a backend's header.
 *
 * Role names are those of interfaces.md ("sentinelctl selftest").
 */
#ifndef SNT_HAL_H
#define SNT_HAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock/clock.h"
#include "common/common.h"
#include "scan/scan.h"

enum snt_hal_err {
	SNT_HAL_OK = 0,
	SNT_HAL_ERR_INVAL,	/* bad argument or role not provided by the backend */
	SNT_HAL_ERR_IO,		/* the device failed (I2C EREMOTEIO, V4L2 error, ...) */
	SNT_HAL_ERR_NODATA,	/* nothing to read now (no frame, no subject in view) */
	SNT_HAL_ERR_NOMEM,
	SNT_HAL_ERR_CONFIG,	/* the board configuration is wrong (see the error text) */
	SNT_HAL_TIMEOUT,	/* wait_event: the timeout passed without an event */
	SNT_HAL_FD_READY,	/* wait_event: the caller's extra fd became readable */
	SNT_HAL_END,		/* wait_event: a scripted board has no more events */
};

enum snt_role {
	SNT_ROLE_RELAY = 0,	/* door strike relay: 1 = energised = door released */
	SNT_ROLE_LED_GREEN,
	SNT_ROLE_LED_RED,
	SNT_ROLE_BUZZER,
	SNT_ROLE_DISPLAY,
	SNT_ROLE_PRESENCE,	/* input: 1 = a person stands at the gate */
	SNT_ROLE_BUTTON,	/* input: staff button */
	SNT_ROLE_EXIT_BUTTON,	/* input: request to exit */
	SNT_ROLE_FIRE_ALARM,	/* input: 1 = fire alarm active */
	SNT_ROLE_THERMOMETER,
	SNT_ROLE_CAMERA,
	SNT_ROLE_AUDIO,		/* voice prompts */
	SNT_ROLE_COUNT
};

struct snt_input_event {
	enum snt_role role;	/* an input role */
	int value;		/* new level, 0 or 1 (after active-low handling) */
	int64_t mono_ms;	/* when it happened, on the board clock */
};

struct snt_camera_ops {
	/*
	 * grab() - the next frame.  The frame's data is owned by the backend
	 * and valid until the next grab() or close.
	 * Return: SNT_HAL_OK; SNT_HAL_ERR_NODATA when no frame is available;
	 * SNT_HAL_ERR_IO when the device failed.
	 */
	enum snt_hal_err (*grab)(void *ctx, struct snt_frame *frame);
};

struct snt_thermometer_ops {
	/*
	 * read() - one sample of object (forehead skin) and ambient
	 * temperature, in milli-degrees Celsius.
	 * Return: SNT_HAL_OK; SNT_HAL_ERR_IO on a bus/sensor failure;
	 * SNT_HAL_ERR_NODATA when the sensor has nothing to report.
	 */
	enum snt_hal_err (*read)(void *ctx, int32_t *object_mdc, int32_t *ambient_mdc);
};

struct snt_gpio_ops {
	/*
	 * set() - drive an output role (relay, LEDs, buzzer) to @value (0/1).
	 * @seq: for the relay, the log sequence number of the entry that
	 * opens the door (0 for none); ignored for other roles.
	 * Return: SNT_HAL_OK; SNT_HAL_ERR_INVAL for a non-output role;
	 * SNT_HAL_ERR_IO when the line could not be driven.
	 */
	enum snt_hal_err (*set)(void *ctx, enum snt_role role, int value, int64_t seq);
	/*
	 * wait_event() - wait for the next input edge, at most @timeout_ms
	 * (-1: no limit), also watching @extra_fd (-1: none) for input, so
	 * the daemon's signalfd is served by the same wait.
	 * Return: SNT_HAL_OK with *ev; SNT_HAL_TIMEOUT; SNT_HAL_FD_READY;
	 * SNT_HAL_END (scripted boards only); SNT_HAL_ERR_IO.
	 */
	enum snt_hal_err (*wait_event)(void *ctx, int extra_fd, int64_t timeout_ms,
				       struct snt_input_event *ev);
};

struct snt_screen;	/* screen/screen.h */

struct snt_display_ops {
	/*
	 * show() - replace the visitor display's message with @text (UTF-8,
	 * one or two lines separated by '\n', Chinese then English).
	 * Return: SNT_HAL_OK or SNT_HAL_ERR_IO.
	 */
	enum snt_hal_err (*show)(void *ctx, const char *text);
	/*
	 * draw() - show the screen @scr (state, message, facts; screen.h),
	 * whose ->text is what show() would get.  NULL for a backend that
	 * shows text only: then callers use show(@scr->text).
	 * Return: SNT_HAL_OK; SNT_HAL_ERR_IO when the display failed or is
	 * gone (e.g. the HDMI cable pulled); SNT_HAL_ERR_NOMEM.
	 */
	enum snt_hal_err (*draw)(void *ctx, const struct snt_screen *scr);
	/*
	 * preview() - one camera frame on the preview screen drawn last
	 * (mirrored, scaled into its camera area); @frozen: the frame a code
	 * was read from, which stays.  NULL when the backend shows no live
	 * picture.  The frame is borrowed for the call.
	 * Return: SNT_HAL_OK; SNT_HAL_ERR_INVAL when no preview screen is up;
	 * SNT_HAL_ERR_IO.
	 */
	enum snt_hal_err (*preview)(void *ctx, const struct snt_frame *frame, int frozen);
};

struct snt_audio_ops {
	/*
	 * play() - queue the voice prompt @clip_id (a message id and language,
	 * e.g. "admit-zh": the file <clips>/<clip_id>.wav) behind the ones
	 * queued; returns without waiting for the sound.
	 * Return: SNT_HAL_OK; SNT_HAL_ERR_NODATA when there is no such clip;
	 * SNT_HAL_ERR_IO when the sound card failed.
	 */
	enum snt_hal_err (*play)(void *ctx, const char *clip_id);
};

/* Bytes of the card's text block an ID-card reader returns (idcard/idcard.h). */
#define SNT_IDREADER_TEXT_LEN 256

struct snt_idreader_ops {
	/*
	 * read() - one read of the card on the ID-card reader (a SAM module
	 * on a serial line: find card, select card, read text; see
	 * board/linux/idreader.h).
	 * @block, @size: receive the card's SNT_IDREADER_TEXT_LEN-byte text
	 * block (UCS-2LE, idcard/idcard.h parses it); @size at least that.
	 * @why, @whylen: on SNT_HAL_ERR_IO, one line naming the fault (never
	 * anything read from the card).
	 * Return: SNT_HAL_OK with the block; SNT_HAL_ERR_NODATA when no card
	 * is on the reader; SNT_HAL_ERR_IO on a device fault: no answer in
	 * time, a frame cut short, a wrong checksum, line noise, the card
	 * taken away during the read, the reader unplugged or refusing;
	 * SNT_HAL_ERR_INVAL for a bad argument.  After a fault the next read
	 * opens the line again.
	 */
	enum snt_hal_err (*read)(void *ctx, uint8_t *block, size_t size, char *why, size_t whylen);
};

struct snt_board {
	const char *name;				/* backend name, e.g. "sim" */
	const struct snt_camera_ops *camera;		void *camera_ctx;
	const struct snt_thermometer_ops *thermometer;	void *thermometer_ctx;
	const struct snt_gpio_ops *gpio;		void *gpio_ctx;
	const struct snt_display_ops *display;		void *display_ctx;
	const struct snt_audio_ops *audio;		void *audio_ctx;	/* NULL: no sound */
	const struct snt_idreader_ops *idreader;	void *idreader_ctx;	/* NULL: no ID-card reader */
	struct snt_clock clock;				/* the clock this board's events use */
	char boot_id[37];				/* boot id the monotonic clock counts from */
	void (*close)(struct snt_board *b);		/* releases everything above */
	void *priv;
};

struct snt_config;

/*
 * snt_board_open() - open the backend named by @cfg->board with its roles
 * set to safe states (relay off = door locked, LEDs and buzzer off).
 * @cfg: validated configuration (config/config.h); borrowed.
 * @out: receives the board; release with snt_board_close().
 * @errbuf, @errlen: receive a one-line reason on failure, naming the file
 *                   and line or the device at fault.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_CONFIG for an unknown backend or a bad
 * board file (e.g. a scenario that does not parse); SNT_HAL_ERR_IO when a
 * device cannot be opened; SNT_HAL_ERR_NOMEM.
 */
enum snt_hal_err snt_board_open(const struct snt_config *cfg, struct snt_board **out,
				char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_board_check() - what snt_board_open() would check, without opening a
 * device or creating a file (for `sentineld -n`): the backend is known, its
 * files parse (for sim: the scenario and every image it names) and its
 * output paths can be written.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_CONFIG or SNT_HAL_ERR_IO with the reason in
 * @errbuf, as snt_board_open().
 */
enum snt_hal_err snt_board_check(const struct snt_config *cfg, char *errbuf,
				 size_t errlen) SNT_WUR;

/* snt_board_close() - outputs to safe states, then release; NULL does nothing. */
void snt_board_close(struct snt_board *b);

/* What a device probe found (interfaces.md, "sentinelctl selftest"). */
enum snt_probe_status {
	SNT_PROBE_OK = 0,
	SNT_PROBE_FAIL,		/* the device is missing, misconfigured or failed */
	SNT_PROBE_BUSY,		/* another program (sentineld) holds the line or camera */
};

/* One device of the board, as snt_board_probe() reports it. */
struct snt_probe {
	enum snt_role role;
	const char *backend;		/* static: "gpiod", "iio", "mlx90614-i2c", "v4l2", "file", "sim" */
	enum snt_probe_status status;
	bool has_reading;		/* thermometer: object_mdc and ambient_mdc hold one sample */
	int32_t object_mdc;		/* milli-degrees Celsius, as snt_thermometer_ops.read() */
	int32_t ambient_mdc;
	char detail[PATH_MAX + 256];		/* one line: what was found, or why it failed */
};

struct snt_probe_opts {
	bool drive;			/* pulse each output once and show @display_text */
	int pulse_ms;			/* how long a pulsed output stays on (real lines) */
	const char *display_text;	/* UTF-8, lines separated by '\n'; used with @drive */
};

/*
 * snt_probe_fn - receives each probed device; @p is valid during the call only.
 */
typedef void snt_probe_fn(void *arg, const struct snt_probe *p);

/*
 * snt_board_probe() - open each device of @cfg's backend on its own, check
 * it and close it again, calling @fn once per device in role order (relay,
 * LEDs, buzzer, display, inputs, thermometer, camera; enum snt_role).  A
 * GPIO role without a configured line is not reported.  Without
 * @opts->drive nothing a visitor can see or hear changes: outputs keep
 * their level and the display is only opened.
 * @cfg: validated configuration (borrowed); @opts: borrowed.
 * Return: SNT_HAL_OK once every device was reported (failed devices
 * included: their status says so); SNT_HAL_ERR_INVAL for a NULL argument;
 * SNT_HAL_ERR_CONFIG for an unknown backend (nothing reported).
 */
enum snt_hal_err snt_board_probe(const struct snt_config *cfg, const struct snt_probe_opts *opts,
				 snt_probe_fn *fn, void *arg) SNT_WUR;

/* The configuration names the board layer takes (config/config.h validates with them). */
enum snt_hal_name {
	SNT_HAL_NAME_BOARD = 0,		/* [station] board: "sim", "linux" */
	SNT_HAL_NAME_THERMOMETER,	/* [thermometer] type: "iio", "mlx90614-i2c" */
	SNT_HAL_NAME_IIO_DEVICE,	/* [thermometer] iio_name: "mlx90614", "mlx90615", "mlx90632" */
};

/*
 * snt_hal_name_known() - whether @name is one of the names of @kind.
 * @known, @knownlen: when @known is not NULL, receive every name of @kind
 * joined by ", " (e.g. "sim, linux"), truncated to @knownlen.
 * Return: true when @name is known; false otherwise (also for NULL @name or
 * an unknown @kind).
 */
bool snt_hal_name_known(enum snt_hal_name kind, const char *name, char *known, size_t knownlen);

/* snt_role_name() - the interfaces.md name ("relay", "led-green", ...). */
const char *snt_role_name(enum snt_role r);

/* snt_role_from_name() - parse; return 0 and *out, or -1 if unknown. */
int snt_role_from_name(const char *name, enum snt_role *out) SNT_WUR;

/*
 * snt_hal_strerror() - static English text for @err; never NULL.  English
 * because it may be stored (a device-fault event's detail); the text is in
 * the catalogue: _(snt_hal_strerror(err)) gives it in the user's language.
 */
const char *snt_hal_strerror(enum snt_hal_err err);

#endif /* SNT_HAL_H */
