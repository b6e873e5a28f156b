// SPDX-License-Identifier: MIT
/*
 * The station's INI file: parsing with inih, validation, relative paths.
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "hal.h"
#include "common/i18n.h"

struct parse_ctx {
	struct snt_config *cfg;
	enum snt_config_err err;	/* first error */
	char msg[256];			/* its text, without file and line */
	char dir[PATH_MAX];		/* directory of the config file, with '/' */
	bool have_scenario;
	bool overlay;			/* the enrolment file: only enrolment_keys[] */
	bool seen[96];			/* keys[i] given already */
};

enum key_type { K_STR, K_PATH, K_INT, K_TEMP, K_TIME, K_CLOCK, K_BOOT_ID, K_LINE, K_MILLI, K_ADDR, K_BOOL };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t off;		/* offset in struct snt_config */
	size_t size;		/* string capacity */
	long min, max;		/* integer range (K_INT, K_TEMP in milli-°C) */
};

#define S(field) offsetof(struct snt_config, field), sizeof(((struct snt_config *)0)->field)
#define I(field) offsetof(struct snt_config, field), 0
/* [gpio] line of role @r (enum snt_role of board/hal.h), kept in min. */
#define G(r) offsetof(struct snt_config, gpio[r]), 0, r, 0
#define KNOWN_SECTIONS "station, checkin, sim, gpio, thermometer, camera, idreader, display, audio, sync, rules, retention"

static const struct key keys[] = {
	{ "station", "board", K_STR, S(board), 0, 0 },
	{ "station", "db", K_PATH, S(db), 0, 0 },
	{ "station", "device_id", K_STR, S(device_id), 0, 0 },
	{ "station", "home", K_STR, S(home), 0, 0 },
	{ "station", "duty_phone", K_STR, S(duty_phone), 0, 0 },
	{ "station", "trust", K_PATH, S(trust), 0, 0 },
	{ "station", "enrolment", K_PATH, S(enrolment), 0, 0 },
	{ "station", "timezone", K_STR, S(timezone), 0, 0 },
	{ "checkin", "scan_timeout_ms", K_INT, I(scan_timeout_ms), 1000, 60000 },
	{ "checkin", "frame_interval_ms", K_INT, I(frame_interval_ms), 10, 1000 },
	{ "checkin", "scan_budget_ms", K_INT, I(scan_budget_ms), 0, 10000 },
	{ "checkin", "dedup_window_s", K_INT, I(dedup_window_s), 0, 3600 },
	{ "checkin", "temp_tries", K_INT, I(temp_tries), 1, 10 },
	{ "checkin", "temp_retry_ms", K_INT, I(temp_retry_ms), 0, 10000 },
	{ "checkin", "fever_threshold_c", K_TEMP, I(fever_threshold_mdc), 37000, 39000 },
	{ "checkin", "relay_pulse_ms", K_INT, I(relay_pulse_ms), 500, 30000 },
	{ "checkin", "alert_ms", K_INT, I(alert_ms), 0, 60000 },
	{ "checkin", "leave_timeout_ms", K_INT, I(leave_timeout_ms), 1000, 600000 },
	{ "checkin", "override_window_ms", K_INT, I(override_window_ms), 0, 3600000 },
	{ "checkin", "expected_stay_min", K_INT, I(expected_stay_min), 0, 1440 },
	{ "checkin", "register", K_STR, S(register_mode), 0, 0 },
	{ "checkin", "card_timeout_ms", K_INT, I(card_timeout_ms), 1000, 60000 },
	{ "sim", "scenario", K_PATH, S(sim_scenario), 0, 0 },
	{ "sim", "output", K_PATH, S(sim_output), 0, 0 },
	{ "sim", "start", K_TIME, I(sim_start_utc_ms), 0, 0 },
	{ "sim", "clock", K_CLOCK, I(sim_clock), 0, 0 },
	{ "sim", "boot_id", K_BOOT_ID, S(sim_boot_id), 0, 0 },
	/* Role indices as enum snt_role in board/hal.h. */
	{ "gpio", "relay", K_LINE, G(0) },
	{ "gpio", "led-green", K_LINE, G(1) },
	{ "gpio", "led-red", K_LINE, G(2) },
	{ "gpio", "buzzer", K_LINE, G(3) },
	{ "gpio", "presence", K_LINE, G(5) },
	{ "gpio", "button", K_LINE, G(6) },
	{ "gpio", "exit-button", K_LINE, G(7) },
	{ "gpio", "fire-alarm", K_LINE, G(8) },
	{ "gpio", "debounce_ms", K_INT, I(debounce_ms), 0, 1000 },
	{ "thermometer", "type", K_STR, S(therm_type), 0, 0 },
	{ "thermometer", "iio_root", K_PATH, S(iio_root), 0, 0 },
	{ "thermometer", "iio_name", K_STR, S(iio_name), 0, 0 },
	{ "thermometer", "i2c_device", K_PATH, S(i2c_dev), 0, 0 },
	{ "thermometer", "i2c_address", K_ADDR, I(i2c_address), 0x03, 0x77 },
	{ "thermometer", "samples", K_INT, I(temp_samples), 1, 32 },
	{ "thermometer", "window_ms", K_INT, I(temp_window_ms), 0, 5000 },
	{ "thermometer", "skin_offset_c", K_TEMP, I(skin_offset_mdc), -5000, 5000 },
	{ "thermometer", "ambient_coeff", K_MILLI, I(ambient_coeff_pm), 0, 500 },
	{ "thermometer", "ambient_ref_c", K_TEMP, I(ambient_ref_mdc), 10000, 40000 },
	{ "thermometer", "emissivity", K_MILLI, I(emissivity_pm), 500, 1000 },
	{ "camera", "device", K_PATH, S(camera_device), 0, 0 },
	{ "display", "path", K_PATH, S(display_path), 0, 0 },
	{ "display", "backend", K_STR, S(display_backend), 0, 0 },
	{ "display", "card", K_PATH, S(display_card), 0, 0 },
	{ "display", "languages", K_STR, S(display_languages), 0, 0 },
	{ "display", "width", K_INT, I(display_width), 320, 3840 },
	{ "display", "height", K_INT, I(display_height), 240, 2160 },
	{ "retention", "personal_days", K_INT, I(personal_days), 1, 3650 },
	{ "idreader", "device", K_PATH, S(idreader_device), 0, 0 },
	{ "idreader", "timeout_ms", K_INT, I(idreader_timeout_ms), 10, 60000 },
	{ "audio", "backend", K_STR, S(audio_backend), 0, 0 },
	{ "audio", "device", K_STR, S(audio_device), 0, 0 },
	{ "audio", "clips", K_PATH, S(audio_clips), 0, 0 },
	{ "audio", "volume", K_INT, I(audio_volume), 0, 100 },
	{ "audio", "quiet_hours", K_STR, S(audio_quiet), 0, 0 },
	{ "sync", "device_key", K_PATH, S(sync_device_key), 0, 0 },
	{ "sync", "bureau_key", K_PATH, S(sync_bureau_key), 0, 0 },
	{ "sync", "bureau_url", K_STR, S(sync_bureau_url), 0, 0 },
	{ "sync", "bureau_ca", K_PATH, S(sync_bureau_ca), 0, 0 },
	{ "sync", "timeout_s", K_INT, I(sync_timeout_s), 1, 600 },
	{ "sync", "retries", K_INT, I(sync_retries), 0, 20 },
	{ "rules", "dir", K_PATH, S(rules_dir), 0, 0 },
	{ "rules", "required", K_BOOL, I(rules_required), 0, 0 },
};

/* What the enrolment file ([station] enrolment) may set, as "section.key". */
static const char *const enrolment_keys[] = {
	"station.device_id", "station.home", "station.duty_phone", "station.trust",
	"sync.bureau_key", "sync.bureau_url", "sync.bureau_ca", "rules.required",
};

static bool enrolment_key(const char *section, const char *name)
{
	char both[64];

	if ((size_t)snprintf(both, sizeof(both), "%s.%s", section, name) >= sizeof(both))
		return false;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(enrolment_keys); i++)
		if (!strcmp(both, enrolment_keys[i]))
			return true;
	return false;
}

bool snt_config_value_writable(const char *key, const char *value)
{
	size_t n = strlen(value);

	if (strlen(key) + 3 + n > INI_MAX_LINE - 2 || strpbrk(value, "\r\n"))
		return false;
	if (n && (strchr(" \t", value[0]) || strchr(" \t", value[n - 1])))
		return false;
	for (const char *p = strchr(value, ';'); p; p = strchr(p + 1, ';'))
		if (p > value && (p[-1] == ' ' || p[-1] == '\t'))
			return false;
	return true;
}

bool snt_config_zone_valid(const char *zone)
{
	return snt_clock_zone_valid(zone);
}

_Static_assert(SNT_ARRAY_SIZE(keys) <= SNT_ARRAY_SIZE(((struct parse_ctx *)0)->seen),
	       "parse_ctx.seen covers every key");

static const char *const err_text[] = {
	[SNT_CONFIG_OK] = N_("success"),
	[SNT_CONFIG_ERR_INVAL] = N_("invalid argument"),
	[SNT_CONFIG_ERR_IO] = N_("cannot read the configuration file"),
	[SNT_CONFIG_ERR_SYNTAX] = N_("syntax error"),
	[SNT_CONFIG_ERR_VALUE] = N_("bad value"),
	[SNT_CONFIG_ERR_MISSING] = N_("required key missing"),
	[SNT_CONFIG_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_config_strerror(enum snt_config_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

void snt_config_defaults(struct snt_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snt_strlcpy(cfg->board, "sim", sizeof(cfg->board));
	snt_strlcpy(cfg->db, "/var/lib/sentinel/sentinel.db", sizeof(cfg->db));
	snt_strlcpy(cfg->device_id, "gate-1", sizeof(cfg->device_id));
	snt_strlcpy(cfg->duty_phone, "", sizeof(cfg->duty_phone));
	cfg->scan_timeout_ms = 5000;
	cfg->frame_interval_ms = 100;
	cfg->scan_budget_ms = -1;	/* chosen by board in snt_config_load() */
	cfg->dedup_window_s = 60;
	cfg->idreader_timeout_ms = 1000;
	snt_strlcpy(cfg->register_mode, "none", sizeof(cfg->register_mode));
	cfg->card_timeout_ms = 10000;
	cfg->personal_days = 28;
	cfg->temp_tries = 3;
	cfg->temp_retry_ms = 1000;
	cfg->fever_threshold_mdc = 37300;
	cfg->relay_pulse_ms = 3000;
	cfg->alert_ms = 3000;
	cfg->leave_timeout_ms = 30000;
	cfg->override_window_ms = 120000;
	cfg->expected_stay_min = SNT_CONFIG_EXPECTED_STAY_MIN;
	snt_strlcpy(cfg->timezone, SNT_CONFIG_TIMEZONE, sizeof(cfg->timezone));
	cfg->sim_start_utc_ms = 1767225600000;	/* 2026-01-01T00:00:00Z */
	cfg->sim_clock = SNT_CLOCK_TRUSTED;
	snt_strlcpy(cfg->sim_boot_id, "00000000-0000-4000-8000-00000000a11e",
		    sizeof(cfg->sim_boot_id));
	cfg->debounce_ms = 30;
	snt_strlcpy(cfg->iio_root, "/sys/bus/iio/devices", sizeof(cfg->iio_root));
	snt_strlcpy(cfg->display_languages, "zh,en", sizeof(cfg->display_languages));
	cfg->display_width = 1280;
	cfg->display_height = 720;
	snt_strlcpy(cfg->audio_backend, "none", sizeof(cfg->audio_backend));
	snt_strlcpy(cfg->audio_device, "default", sizeof(cfg->audio_device));
	cfg->audio_volume = 80;
	cfg->audio_quiet_from = cfg->audio_quiet_to = -1;
	snt_strlcpy(cfg->iio_name, "mlx90614", sizeof(cfg->iio_name));
	snt_strlcpy(cfg->i2c_dev, "/dev/i2c-1", sizeof(cfg->i2c_dev));
	cfg->i2c_address = 0x5a;
	cfg->temp_samples = 0;		/* chosen by board in snt_config_load() */
	cfg->temp_window_ms = 500;
	cfg->skin_offset_mdc = 0;
	cfg->ambient_coeff_pm = 0;
	cfg->ambient_ref_mdc = 25000;
	cfg->emissivity_pm = 1000;
	snt_strlcpy(cfg->camera_device, "/dev/video0", sizeof(cfg->camera_device));
	snt_strlcpy(cfg->sync_device_key, "/var/lib/sentinel/device.key", sizeof(cfg->sync_device_key));
	snt_strlcpy(cfg->sync_bureau_key, "/etc/sentinel/bureau.pub", sizeof(cfg->sync_bureau_key));
	cfg->sync_timeout_s = 30;
	cfg->sync_retries = 5;
	snt_strlcpy(cfg->rules_dir, "/var/lib/sentinel", sizeof(cfg->rules_dir));
}

static int fail(struct parse_ctx *pc, enum snt_config_err err, const char *fmt, ...)
	SNT_PRINTF(3, 4);

static int fail(struct parse_ctx *pc, enum snt_config_err err, const char *fmt, ...)
{
	va_list ap;

	if (pc->err == SNT_CONFIG_OK) {
		pc->err = err;
		va_start(ap, fmt);
		vsnprintf(pc->msg, sizeof(pc->msg), fmt, ap);
		va_end(ap);
	}
	return 0;	/* inih: handler error, it records the line */
}

/* Decimal °C with at most three decimals, e.g. "37.3", to milli-°C. */
static int parse_temp_mdc(const char *s, long *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < -300.0 || v > 1000.0)
		return -1;
	*out = lround(v * 1000.0);
	return 0;
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

/* "CHIP:OFFSET" or "CHIP:OFFSET active-low"; CHIP without ':' or blanks. */
static int parse_line(const char *s, struct snt_config_line *out)
{
	const char *colon = strrchr(s, ':');
	char *end;
	size_t n;
	unsigned long off;

	if (!colon || colon == s)
		return -1;
	n = (size_t)(colon - s);
	if (n >= sizeof(out->chip) || memchr(s, ' ', n) || memchr(s, '\t', n))
		return -1;
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	errno = 0;
	off = strtoul(colon + 1, &end, 10);
	if (errno || off > 1023)
		return -1;
	out->active_low = false;
	if (*end) {
		end += strspn(end, " \t");
		if (strcmp(end, "active-low"))
			return -1;
		out->active_low = true;
	}
	memcpy(out->chip, s, n);
	out->chip[n] = '\0';
	out->offset = (unsigned int)off;
	out->set = true;
	return 0;
}

/* Which [gpio] key fills slot @i of snt_config.gpio. */
static const char *line_key(size_t slot)
{
	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++)
		if (keys[i].type == K_LINE && (size_t)keys[i].min == slot)
			return keys[i].name;
	return "?";
}

/* board = linux: the relay and a thermometer are required; no line twice. */
static enum snt_config_err check_linux(const struct snt_config *cfg, char *errbuf, size_t errlen)
{
	if (!cfg->gpio[0].set) {
		snprintf(errbuf, errlen,
			 _("%s: key 'relay' in section [gpio] is required for board = linux"), cfg->path);
		return SNT_CONFIG_ERR_MISSING;
	}
	if (!cfg->therm_type[0]) {
		snprintf(errbuf, errlen,
			 _("%s: key 'type' in section [thermometer] is required for board = linux"),
			 cfg->path);
		return SNT_CONFIG_ERR_MISSING;
	}
	for (size_t i = 0; i < SNT_CONFIG_GPIO_SLOTS; i++) {
		const struct snt_config_line *a = &cfg->gpio[i];

		for (size_t j = 0; a->set && j < i; j++) {
			const struct snt_config_line *b = &cfg->gpio[j];

			if (b->set && b->offset == a->offset && !strcmp(a->chip, b->chip)) {
				snprintf(errbuf, errlen,
					 _("%s: key '%s' in section [gpio]: line %s:%u is already "
					 "used by '%s'"), cfg->path, line_key(i), a->chip, a->offset,
					 line_key(j));
				return SNT_CONFIG_ERR_VALUE;
			}
		}
	}
	return SNT_CONFIG_OK;
}

static int valid_boot_id(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return 0;
	}
	return 1;
}

/* Keys whose values name something of the board layer, checked by asking it (hal.h). */
static const struct {
	const char *key;
	enum snt_hal_name kind;
	const char *what;		/* the error's words before the value */
} hal_names[] = {
	{ "board", SNT_HAL_NAME_BOARD, "unknown board" },
	{ "type", SNT_HAL_NAME_THERMOMETER, "unknown thermometer" },
	{ "iio_name", SNT_HAL_NAME_IIO_DEVICE, "unsupported device" },
};

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *pc = user;
	char *base = (char *)pc->cfg;
	const struct key *k = NULL;
	long v;

	bool known_section = false;

	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++) {
		if (strcmp(section, keys[i].section))
			continue;
		known_section = true;
		if (!strcmp(name, keys[i].name)) {
			k = &keys[i];
			if (pc->seen[i])
				return fail(pc, SNT_CONFIG_ERR_SYNTAX,
					    _("key '%s' in section [%s] given twice"), name, section);
			pc->seen[i] = true;
			break;
		}
	}
	if (!known_section)
		return fail(pc, SNT_CONFIG_ERR_SYNTAX,
			    _("unknown section [%s] (known: %s)"), section, KNOWN_SECTIONS);
	if (!k)
		return fail(pc, SNT_CONFIG_ERR_SYNTAX, _("unknown key '%s' in section [%s]"), name, section);
	if (pc->overlay && !enrolment_key(section, name))
		return fail(pc, SNT_CONFIG_ERR_SYNTAX,
			    _("key '%s' in section [%s] is not one the enrolment sets"), name, section);

	switch (k->type) {
	case K_STR:
		if (!*value && strcmp(name, "home") && strcmp(name, "duty_phone"))
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': empty value"), name);
		if (snt_strlcpy(base + k->off, value, k->size) >= k->size)
			return fail(pc, SNT_CONFIG_ERR_VALUE, P_("key '%s': value longer than %zu byte",
							      "key '%s': value longer than %zu bytes", k->size - 1),
				    name, k->size - 1);
		if (!strcmp(name, "device_id") && !snt_device_id_valid(value)) {
			char shown[300];

			(void)snt_escape(value, strlen(value), 0, shown, sizeof(shown));
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'device_id': '%s' is not 1-63 of [A-Za-z0-9._-] (not starting with '.')"),
				    shown);
		}
		if (!strcmp(name, "home") && !snt_text_clean(value))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'home': not UTF-8 text (invalid bytes or control characters)"));
		for (size_t i = 0; i < SNT_ARRAY_SIZE(hal_names); i++) {
			char known[128];

			if (!strcmp(name, hal_names[i].key) &&
			    !snt_hal_name_known(hal_names[i].kind, value, known, sizeof(known)))
				return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': %s '%s' (known: %s)"), name,
					    hal_names[i].what, value, known);
		}
		if (!strcmp(section, "display") && !strcmp(name, "backend") && strcmp(value, "drm") &&
		    strcmp(value, "file") && strcmp(value, "none"))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'backend' in [display]: unknown display '%s' (known: drm, file, none)"),
				    value);
		if (!strcmp(section, "audio") && !strcmp(name, "backend") && strcmp(value, "alsa") &&
		    strcmp(value, "none"))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'backend' in [audio]: unknown audio '%s' (known: alsa, none)"), value);
		if (!strcmp(section, "checkin") && !strcmp(name, "register") && strcmp(value, "none") &&
		    strcmp(value, "idcard") && strcmp(value, "idcard-or-pass"))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'register' in [checkin]: unknown '%s' (known: none, idcard, idcard-or-pass)"),
				    value);
		if (!strcmp(name, "languages") && strcmp(value, "zh,en") && strcmp(value, "en,zh"))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'languages': '%s' is not 'zh,en' or 'en,zh'"), value);
		if (!strcmp(section, "station") && !strcmp(name, "timezone") && !snt_config_zone_valid(value))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'timezone' in [station]: '%s' is not a time zone of the tz database "
				    "(e.g. Asia/Shanghai; /usr/share/zoneinfo, package tzdata)"), value);
		if (!strcmp(name, "quiet_hours") &&
		    snt_config_quiet_hours(value, &pc->cfg->audio_quiet_from, &pc->cfg->audio_quiet_to))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key 'quiet_hours': '%s' is not 'HH:MM-HH:MM'"), value);
		break;
	case K_LINE:
		if (parse_line(value, (struct snt_config_line *)(void *)(base + k->off)))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key '%s': '%s' is not 'CHIP:OFFSET' or 'CHIP:OFFSET active-low'"),
				    name, value);
		break;
	case K_MILLI:
		if (parse_temp_mdc(value, &v))
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': '%s' is not a number"),
				    name, value);
		if (v < k->min || v > k->max)
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': %s is outside %.3g-%.3g"),
				    name, value, k->min / 1000.0, k->max / 1000.0);
		*(int *)(base + k->off) = (int)v;
		break;
	case K_ADDR: {
		char *end;

		errno = 0;
		v = strtol(value, &end, 0);
		if (errno || end == value || *end || v < k->min || v > k->max)
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key '%s': '%s' is not a 7-bit address 0x03-0x77"), name, value);
		*(int *)(base + k->off) = (int)v;
		break;
	}
	case K_PATH: {
		int n;

		if (!*value) {
			if (strcmp(name, "output") && strcmp(name, "path"))
				return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': empty value"), name);
			((char *)(base + k->off))[0] = '\0';
			break;
		}
		n = snprintf(base + k->off, k->size, "%s%s", value[0] == '/' ? "" : pc->dir, value);
		if (n < 0 || (size_t)n >= k->size)
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': path too long"), name);
		if (!strcmp(name, "scenario"))
			pc->have_scenario = true;
		break;
	}
	case K_INT:
		if (parse_long(value, &v))
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': '%s' is not an integer"),
				    name, value);
		if (v < k->min || v > k->max)
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': %ld is outside %ld-%ld"),
				    name, v, k->min, k->max);
		*(int *)(base + k->off) = (int)v;
		break;
	case K_TEMP:
		if (parse_temp_mdc(value, &v))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key '%s': '%s' is not a temperature in °C"), name, value);
		if (v < k->min || v > k->max)
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': %s °C is outside %.1f-%.1f"),
				    name, value, k->min / 1000.0, k->max / 1000.0);
		*(int *)(base + k->off) = (int)v;
		break;
	case K_TIME: {
		int64_t t;

		if (snt_clock_parse_rfc3339(value, &t))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key '%s': '%s' is not an RFC 3339 time"), name, value);
		*(int64_t *)(base + k->off) = t;
		break;
	}
	case K_CLOCK: {
		enum snt_clock_state st;

		if (snt_clock_state_from_name(value, &st) || st == SNT_CLOCK_REBASED)
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key '%s': '%s' is not 'trusted' or 'untrusted'"), name, value);
		*(enum snt_clock_state *)(base + k->off) = st;
		break;
	}
	case K_BOOL:
		if (strcmp(value, "yes") && strcmp(value, "no"))
			return fail(pc, SNT_CONFIG_ERR_VALUE, _("key '%s': '%s' is not 'yes' or 'no'"), name, value);
		*(bool *)(base + k->off) = !strcmp(value, "yes");
		break;
	case K_BOOT_ID:
		if (!valid_boot_id(value))
			return fail(pc, SNT_CONFIG_ERR_VALUE,
				    _("key '%s': '%s' is not a lower-case UUID"), name, value);
		snt_strlcpy(base + k->off, value, k->size);
		break;
	}
	return 1;
}

/* Is @name one of the sections of keys[]? */
static bool known_section(const char *name, size_t len)
{
	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++)
		if (strlen(keys[i].section) == len && !memcmp(keys[i].section, name, len))
			return true;
	return false;
}

/*
 * What inih would accept silently: a line of INI_MAX_LINE bytes or more is
 * split by it and its tail read as another line (a value could smuggle in a
 * key), a NUL byte cuts a line short, an empty unknown section has no key to
 * complain about, and a section line without its ']' inih reports as an
 * error of the line without saying which.  Checked on the raw file first.
 */
static enum snt_config_err prescan(FILE *f, const char *path, char *errbuf, size_t errlen)
{
	char buf[INI_MAX_LINE + 1];
	size_t n = 0;
	int line = 1, c;

	do {
		c = getc(f);
		if (c == '\0') {
			snprintf(errbuf, errlen, _("%s:%d: NUL byte in line"), path, line);
			return SNT_CONFIG_ERR_SYNTAX;
		}
		if (c != '\n' && c != EOF) {
			if (n == INI_MAX_LINE - 2) {
				snprintf(errbuf, errlen, P_("%s:%d: line longer than %d byte", "%s:%d: line longer than %d bytes",
							     INI_MAX_LINE - 2), path, line, INI_MAX_LINE - 2);
				return SNT_CONFIG_ERR_SYNTAX;
			}
			buf[n++] = (char)c;
			continue;
		}
		buf[n] = '\0';
		{
			const char *p = buf + strspn(buf, " \t\r");
			const char *end = strchr(p, ']');

			if (*p == '[' && !end) {
				snprintf(errbuf, errlen, _("%s:%d: section line '%.40s' has no closing ']'"), path, line,
					 p);
				return SNT_CONFIG_ERR_SYNTAX;
			}
			if (*p == '[' && end && !known_section(p + 1, (size_t)(end - p - 1))) {
				snprintf(errbuf, errlen,
					 _("%s:%d: unknown section [%.*s] (known: %s)"),
					 path, line, (int)(end - p - 1 > 40 ? 40 : end - p - 1), p + 1, KNOWN_SECTIONS);
				return SNT_CONFIG_ERR_SYNTAX;
			}
		}
		n = 0;
		line++;
	} while (c != EOF);
	if (ferror(f)) {
		snprintf(errbuf, errlen, _("%s: read error: %s"), path, strerror(errno));
		return SNT_CONFIG_ERR_IO;
	}
	return SNT_CONFIG_OK;
}

/*
 * Parse @path into @pc->cfg (over what it holds) with @pc's mode; the
 * directory of @path anchors its relative paths.  @missing_ok: a file that
 * does not exist is SNT_CONFIG_OK with *@found false.
 */
static enum snt_config_err parse_file(struct parse_ctx *pc, const char *path, bool missing_ok,
				      bool *found, char *errbuf, size_t errlen)
{
	enum snt_config_err err;
	const char *slash;
	FILE *f;
	int line, rc;

	*found = false;
	pc->dir[0] = '\0';
	slash = strrchr(path, '/');
	if (slash) {
		size_t n = (size_t)(slash - path) + 1;

		if (n >= sizeof(pc->dir)) {
			snprintf(errbuf, errlen, _("%s: path too long"), path);
			return SNT_CONFIG_ERR_INVAL;
		}
		memcpy(pc->dir, path, n);
		pc->dir[n] = '\0';
	}

	rc = snt_fopen_regular(path, &f);
	if (rc == ENOENT && missing_ok)
		return SNT_CONFIG_OK;
	if (rc) {
		snprintf(errbuf, errlen, "%s: %s", path, snt_open_strerror(rc));
		return SNT_CONFIG_ERR_IO;
	}
	*found = true;
	err = prescan(f, path, errbuf, errlen);
	if (err) {
		fclose(f);
		return err;
	}
	rewind(f);
	line = ini_parse_file(f, handler, pc);
	fclose(f);
	if (line == -2) {
		snprintf(errbuf, errlen, _("%s: out of memory"), path);
		return SNT_CONFIG_ERR_NOMEM;
	}
	if (line != 0) {
		if (pc->err == SNT_CONFIG_OK) {
			pc->err = SNT_CONFIG_ERR_SYNTAX;
			snt_strlcpy(pc->msg, "not a 'key = value' line or a '[section]' header",
				    sizeof(pc->msg));
		}
		snprintf(errbuf, errlen, "%s:%d: %s", path, line, pc->msg);
		return pc->err;
	}
	return SNT_CONFIG_OK;
}

/*
 * The enrolment file over @cfg: the gate's home, id and bureau as
 * `sentinelctl enrol` wrote them.  Absent: not enrolled.  Without
 * [rules] required in it, a rule set is required.
 */
static enum snt_config_err load_enrolment(struct snt_config *cfg, char *errbuf, size_t errlen)
{
	static const char *const required[] = { "device_id", "home" };
	enum snt_config_err err;
	struct parse_ctx pc;
	char path[PATH_MAX];
	bool found;

	memset(&pc, 0, sizeof(pc));
	pc.cfg = cfg;
	pc.overlay = true;
	snt_strlcpy(path, cfg->enrolment, sizeof(path));
	err = parse_file(&pc, path, true, &found, errbuf, errlen);
	if (err || !found)
		return err;
	for (size_t r = 0; r < SNT_ARRAY_SIZE(required); r++)
		for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++)
			if (!strcmp(keys[i].section, "station") && !strcmp(keys[i].name, required[r]) &&
			    !pc.seen[i]) {
				snprintf(errbuf, errlen, _("%s: key '%s' in section [station] is missing"),
					 path, required[r]);
				return SNT_CONFIG_ERR_MISSING;
			}
	if (!cfg->home[0]) {
		snprintf(errbuf, errlen, _("%s: key 'home' in section [station] is empty"), path);
		return SNT_CONFIG_ERR_VALUE;
	}
	/*
	 * Fail-secure: `sentinelctl enrol` always writes [rules] required, yes or
	 * no; an enrolment file that does not say (its [rules] section lost, a
	 * truncated or hand-made file) means a rule set is required.
	 */
	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].section, "rules") && !strcmp(keys[i].name, "required") && !pc.seen[i])
			cfg->rules_required = true;
	cfg->enrolled = true;
	return SNT_CONFIG_OK;
}

enum snt_config_err snt_config_load(const char *path, struct snt_config *cfg, char *errbuf,
				    size_t errlen)
{
	enum snt_config_err err;
	struct parse_ctx pc;
	bool found;

	if (!path || !cfg || !errbuf || errlen == 0)
		return SNT_CONFIG_ERR_INVAL;
	errbuf[0] = '\0';
	memset(&pc, 0, sizeof(pc));
	pc.cfg = cfg;
	snt_config_defaults(cfg);
	if (snt_strlcpy(cfg->path, path, sizeof(cfg->path)) >= sizeof(cfg->path)) {
		snprintf(errbuf, errlen, _("%s: path too long"), path);
		return SNT_CONFIG_ERR_INVAL;
	}
	err = parse_file(&pc, path, false, &found, errbuf, errlen);
	if (err)
		return err;
	if (!strcmp(cfg->board, "sim") && !pc.have_scenario) {
		snprintf(errbuf, errlen, _("%s: key 'scenario' in section [sim] is required for board = sim"),
			 path);
		return SNT_CONFIG_ERR_MISSING;
	}
	if (cfg->temp_samples == 0)
		cfg->temp_samples = strcmp(cfg->board, "sim") ? 5 : 1;
	if (cfg->scan_budget_ms < 0)
		cfg->scan_budget_ms = strcmp(cfg->board, "sim") ? SNT_CONFIG_SCAN_BUDGET_MS : 0;
	/* Without an enrolment file named, the configuration itself is the enrolment. */
	cfg->enrolled = !cfg->enrolment[0];
	if (cfg->enrolment[0]) {
		err = load_enrolment(cfg, errbuf, errlen);
		if (err)
			return err;
	}
	if (!strcmp(cfg->board, "linux"))
		return check_linux(cfg, errbuf, errlen);
	return SNT_CONFIG_OK;
}

int snt_config_quiet_hours(const char *s, int *from_min, int *to_min)
{
	unsigned int h1, m1, h2, m2;
	int n = 0;

	if (!s || !from_min || !to_min)
		return -1;
	if (sscanf(s, "%2u:%2u-%2u:%2u%n", &h1, &m1, &h2, &m2, &n) != 4 || s[n] || strlen(s) != 11 ||
	    h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || (h1 == h2 && m1 == m2))
		return -1;
	*from_min = (int)(h1 * 60 + m1);
	*to_min = (int)(h2 * 60 + m2);
	return 0;
}
