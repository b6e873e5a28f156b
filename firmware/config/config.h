/* SPDX-License-Identifier: MIT */
/*
 * config: the station's one INI file (parsed with inih), validated as a
 * whole before anything starts.  Unknown sections and keys are errors, and
 * every error names the file, the line and the key.  The keys, their units,
 * ranges and defaults are documented in sentinel.conf(5) beside this file.
 * Relative paths are taken relative to the directory of the config file.
 */
#ifndef SNT_CONFIG_H
#define SNT_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock/clock.h"
#include "common/common.h"

#define SNT_CONFIG_DEFAULT_PATH "/etc/sentinel/sentinel.conf"
/*
 * Default [checkin] scan_budget_ms on a real board: most decoding time per
 * 640x480 frame, below the default frame interval (100 ms).  A frame with
 * no finder pattern takes about 2 ms on an x86-64 core (tests/bench/
 * bench-scan.sh), so several times that on a Raspberry Pi 4 core; a frame
 * with a code is mostly read by the first planes, within the budget there.
 * The simulated board defaults to 0 (no limit): its results do not depend
 * on the machine's speed.
 */
#define SNT_CONFIG_SCAN_BUDGET_MS 80

enum snt_config_err {
	SNT_CONFIG_OK = 0,
	SNT_CONFIG_ERR_INVAL,	/* NULL argument */
	SNT_CONFIG_ERR_IO,	/* the file cannot be opened (errno in the message) */
	SNT_CONFIG_ERR_SYNTAX,	/* a line is not INI, or a key/section is unknown */
	SNT_CONFIG_ERR_VALUE,	/* a value is malformed or out of range */
	SNT_CONFIG_ERR_MISSING,	/* a required key is missing */
	SNT_CONFIG_ERR_NOMEM,
};

/* Slots of snt_config.gpio: indexed by enum snt_role (board/hal.h). */
#define SNT_CONFIG_GPIO_SLOTS 16
/* [station] timezone: the tz database name local times are shown and parsed in. */
#define SNT_CONFIG_TIMEZONE SNT_CLOCK_DEFAULT_ZONE
#define SNT_CONFIG_ZONE_LEN SNT_CLOCK_ZONE_LEN
#define SNT_CONFIG_ZONEINFO SNT_CLOCK_ZONEINFO
/* [checkin] expected_stay_min: how long an admitted visitor counts as inside. */
#define SNT_CONFIG_EXPECTED_STAY_MIN 120

/* One GPIO line of [gpio]: "CHIP:OFFSET" or "CHIP:OFFSET active-low". */
struct snt_config_line {
	bool set;			/* given in the file */
	char chip[64];			/* gpiochip name, /dev path, label or number */
	unsigned int offset;		/* line offset on that chip */
	bool active_low;		/* 1 = electrically low */
};

struct snt_config {
	char path[PATH_MAX];		/* the file read */

	/* [station] */
	char board[16];			/* backend: "sim" */
	char db[PATH_MAX];		/* log database */
	char device_id[64];		/* this gate's name at the bureau */
	char home[128];			/* the care home's name (UTF-8) */
	char timezone[SNT_CONFIG_ZONE_LEN];	/* tz database name for every local time shown or
						 * parsed (default SNT_CONFIG_TIMEZONE) */
	char duty_phone[32];		/* 24-hour duty phone shown on referral */
	char trust[PATH_MAX];		/* trust store file or directory (trust/trust.h); "" = none */
	char enrolment[PATH_MAX];	/* the enrolment file `sentinelctl enrol` writes; "" = none */
	bool enrolled;			/* set by snt_config_load(): no enrolment file named, or
					 * the named one read (it sets home, device_id,
					 * duty_phone, trust, [sync] bureau_key, bureau_url,
					 * bureau_ca and [rules] required over this file's) */

	/* [checkin] */
	int scan_timeout_ms;		/* give up looking for a code, 1000-60000 */
	int frame_interval_ms;		/* between camera frames, 10-1000 */
	int scan_budget_ms;		/* most decode time per frame, 0 (none)-10000; default
					 * SNT_CONFIG_SCAN_BUDGET_MS, sim 0 (-1 until
					 * snt_config_load() chooses by board) */
	int dedup_window_s;		/* repeat scans make no entry, 0-3600 */
	int temp_tries;			/* measurements for an implausible reading, 1-10 */
	int temp_retry_ms;		/* pause before measuring again, 0-10000 */
	int fever_threshold_mdc;	/* milli-°C, 37000-39000 (China: 37300) */
	int relay_pulse_ms;		/* door release pulse, 500-30000 */
	int alert_ms;			/* red LED / buzzer alert length, 0-60000 */
	int leave_timeout_ms;		/* wait for presence to clear, 1000-600000 */
	int override_window_ms;		/* staff button overrides a refusal this long, 0-3600000 */
	int expected_stay_min;		/* a visitor counts as inside this long after admission
					 * (for the cap), 0 (until an exit or midnight)-1440 */
	char register_mode[16];		/* "none" (default), "idcard", "idcard-or-pass" */
	int card_timeout_ms;		/* wait for an ID card this long, 1000-60000; default 10000 */

	/* [sim] */
	char sim_scenario[PATH_MAX];	/* scenario file (board/sim/scenario.md) */
	char sim_output[PATH_MAX];	/* output log; "" = none */
	int64_t sim_start_utc_ms;	/* virtual wall time at start */
	enum snt_clock_state sim_clock;	/* "trusted" or "untrusted" */
	char sim_boot_id[37];		/* boot id the simulated board reports */

	/* [gpio] (board = linux): one line per role, indexed by enum snt_role */
	struct snt_config_line gpio[SNT_CONFIG_GPIO_SLOTS];
	int debounce_ms;		/* input edges must hold this long, 0-1000 */

	/* [thermometer] (board = linux) */
	char therm_type[16];		/* "iio" or "mlx90614-i2c"; "" = not given */
	char iio_root[PATH_MAX];	/* IIO sysfs devices directory */
	char iio_name[32];		/* IIO device name: mlx90614, mlx90615, mlx90632 */
	char i2c_dev[PATH_MAX];		/* /dev/i2c-N for mlx90614-i2c */
	int i2c_address;		/* 7-bit SMBus address, 0x03-0x77 */
	int temp_samples;		/* samples per measurement, 1-32 (sim default 1, else 5) */
	int temp_window_ms;		/* over which they are taken, 0-5000 */
	int skin_offset_mdc;		/* skin-to-body offset, milli-°C, -5000..5000 */
	int ambient_coeff_pm;		/* ambient term, per mille of (ref - ambient), 0-500 */
	int ambient_ref_mdc;		/* reference ambient, milli-°C */
	int emissivity_pm;		/* skin emissivity in per mille, 500-1000 */

	/* [idreader] resident ID-card reader (SAM module on a serial line) */
	char idreader_device[PATH_MAX];	/* linux: its tty, e.g. /dev/ttyUSB0; "" = none */
	int idreader_timeout_ms;	/* how long one answer may take, 10-60000; default 1000 */

	/* [retention] */
	int personal_days;		/* sealed personal records kept this many days, 1-3650; default 28 */

	/* [camera] (board = linux) */
	char camera_device[PATH_MAX];	/* V4L2 capture device */

	/* [display] */
	char display_path[PATH_MAX];	/* file or FIFO taking one message per line; "" = none */
	char display_backend[8];	/* linux: "drm" (HDMI), "file" (path), "none"; "" = file
					 * when path is set, else none */
	char display_card[PATH_MAX];	/* drm: /dev/dri/cardN; "" = the first with a connected output */
	char display_languages[8];	/* "zh,en" (default) or "en,zh" */
	int display_width;		/* sim screens (PNG), 320-3840; default 1280 */
	int display_height;		/* sim screens (PNG), 240-2160; default 720 */

	/* [audio] voice prompts */
	char audio_backend[8];		/* linux: "alsa" or "none" (default) */
	char audio_device[64];		/* ALSA PCM name, default "default" */
	char audio_clips[PATH_MAX];	/* directory of <message>-<lang>.wav; "" = none */
	int audio_volume;		/* 0-100 percent, default 80 */
	char audio_quiet[16];		/* quiet hours "HH:MM-HH:MM" China time; "" = none */
	int audio_quiet_from, audio_quiet_to;	/* the same in minutes after midnight; -1 = none */

	/* [sync] (sentinelctl sync, sentinelctl keys) */
	char sync_device_key[PATH_MAX];	/* this gate's P-256 private key, PEM (keys init makes it) */
	char sync_bureau_key[PATH_MAX];	/* the bureau's P-256 public key, PEM */
	char sync_bureau_url[256];	/* https://... base URL of sentinel-bureau serve; "" = no online sync */
	char sync_bureau_ca[PATH_MAX];	/* CA certificate pinned for that URL, PEM; "" = system CAs */
	int sync_timeout_s;		/* per HTTP request, 1-600 */
	int sync_retries;		/* online attempts after the first, 0-20 */

	/* [rules] (rules/rules.h; verified with sync_bureau_key) */
	char rules_dir[PATH_MAX];	/* holds rules.cose, the active rule set */
	bool rules_required;		/* a rule set is required (the enrolment brought one): without
					 * one that verifies every visit is referred (rules-missing) */
};

/*
 * snt_config_defaults() - fill @cfg with the documented defaults (no file).
 */
void snt_config_defaults(struct snt_config *cfg);

/*
 * snt_config_load() - defaults, then @path over them, then validation.
 * @path: INI file.
 * @cfg: receives the configuration.
 * @errbuf, @errlen: on failure, one line "FILE:LINE: key 'x': why" (or
 *                   "FILE: why" for whole-file problems).
 * When [station] enrolment names a file, that file is read over the
 * configuration if it exists (only the keys cfg->enrolled lists; home and
 * device_id required) and cfg->enrolled says whether it did; a missing
 * enrolment file is no error (the gate is not enrolled).
 * Return: SNT_CONFIG_OK; SNT_CONFIG_ERR_INVAL; SNT_CONFIG_ERR_IO if the file
 * (or an existing enrolment file) cannot be read; SNT_CONFIG_ERR_SYNTAX for a malformed line or an unknown
 * section or key; SNT_CONFIG_ERR_VALUE for a malformed or out-of-range value;
 * SNT_CONFIG_ERR_MISSING when a required key (sim.scenario for board=sim)
 * is absent; SNT_CONFIG_ERR_NOMEM.
 */
enum snt_config_err snt_config_load(const char *path, struct snt_config *cfg,
				    char *errbuf, size_t errlen) SNT_WUR;

/* snt_config_strerror() - static English text for @err; never NULL. */
const char *snt_config_strerror(enum snt_config_err err);

/*
 * snt_config_quiet_hours() - parse quiet hours "HH:MM-HH:MM" (24-hour; the
 * span may cross midnight; from != to) into minutes after midnight.
 * Return: 0 with *@from_min and *@to_min; -1 when @s is not of that form.
 */
int snt_config_quiet_hours(const char *s, int *from_min, int *to_min) SNT_WUR;

/*
 * snt_config_value_writable() - whether the line "@key = @value" written
 * into a configuration file (the enrolment file `sentinelctl enrol` writes)
 * reads back as @value: not longer than a line may be, no blank at either
 * end (the parser strips them), no ';' after a blank (an inline comment
 * there), no line break.
 */
bool snt_config_value_writable(const char *key, const char *value);

/*
 * snt_config_zone_valid() - whether @zone names a time zone of the tz
 * database installed here (snt_clock_zone_valid(): a relative name of
 * letters, digits, '_', '-', '+' and '/', without "..", shorter than
 * SNT_CONFIG_ZONE_LEN, that is a regular file under SNT_CONFIG_ZONEINFO,
 * package tzdata).
 */
bool snt_config_zone_valid(const char *zone);

#endif /* SNT_CONFIG_H */
