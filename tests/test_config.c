// SPDX-License-Identifier: MIT
/* Unit tests of the configuration file (firmware/config/).  Fixtures: tests/fixtures/config/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"

#define FIX "tests/fixtures/config/"

static void test_good(void **state)
{
	struct snt_config c;
	char err[512];

	(void)state;
	assert_int_equal(snt_config_load(FIX "good.conf", &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_string_equal(c.board, "sim");
	assert_string_equal(c.db, FIX "gate.db");		/* relative to the file */
	assert_string_equal(c.device_id, "gate-7");
	assert_string_equal(c.home, "福寿养老院");
	assert_string_equal(c.duty_phone, "0931-1234567");
	assert_int_equal(c.scan_timeout_ms, 4000);
	assert_int_equal(c.frame_interval_ms, 50);
	assert_int_equal(c.dedup_window_s, 30);
	assert_int_equal(c.temp_tries, 2);
	assert_int_equal(c.temp_retry_ms, 500);
	assert_int_equal(c.fever_threshold_mdc, 37500);
	assert_int_equal(c.relay_pulse_ms, 2500);
	assert_int_equal(c.alert_ms, 1000);
	assert_int_equal(c.leave_timeout_ms, 20000);
	assert_string_equal(c.sim_scenario, "/abs/path/s.scn");	/* absolute stays */
	assert_string_equal(c.sim_output, FIX "out.log");
	assert_int_equal(c.sim_start_utc_ms, 1795910400000LL);
	assert_int_equal(c.sim_clock, SNT_CLOCK_UNTRUSTED);
	assert_string_equal(c.sim_boot_id, "0f1e2d3c-4b5a-4697-8877-665544332211");
}

static void test_defaults(void **state)
{
	struct snt_config c;
	char err[512];

	(void)state;
	assert_int_equal(snt_config_load(FIX "minimal.conf", &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_int_equal(c.fever_threshold_mdc, 37300);
	assert_int_equal(c.dedup_window_s, 60);
	assert_int_equal(c.temp_tries, 3);
	assert_string_equal(c.db, "/var/lib/sentinel/sentinel.db");
	assert_string_equal(c.timezone, "Asia/Shanghai");
	assert_int_equal(c.expected_stay_min, 120);
	assert_int_equal(c.sim_clock, SNT_CLOCK_TRUSTED);
	/* The scan budget: none on the simulated board, SNT_CONFIG_SCAN_BUDGET_MS on a real one. */
	assert_string_equal(c.board, "sim");
	assert_int_equal(c.scan_budget_ms, 0);
	assert_int_equal(snt_config_load(FIX "linux-good.conf", &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_int_equal(c.scan_budget_ms, SNT_CONFIG_SCAN_BUDGET_MS);
	assert_int_equal(SNT_CONFIG_SCAN_BUDGET_MS, 80);
}

struct bad_case {
	const char *file;
	enum snt_config_err err;
	const char *msg;
};

static const struct bad_case bad[] = {
	{ "bad-languages.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-languages.conf:4: key 'languages': 'zh' is not 'zh,en' or 'en,zh'" },
	{ "bad-quiet.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-quiet.conf:4: key 'quiet_hours': '22:00-7:00' is not 'HH:MM-HH:MM'" },
	{ "bad-display.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-display.conf:4: key 'backend' in [display]: unknown display 'x11' (known: drm, file, none)" },
	{ "bad-register.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-register.conf:4: key 'register' in [checkin]: unknown 'passport' (known: none, idcard, idcard-or-pass)" },
	{ "unknown-key.conf", SNT_CONFIG_ERR_SYNTAX,
	  FIX "unknown-key.conf:3: unknown key 'dbfile' in section [station]" },
	{ "unknown-section.conf", SNT_CONFIG_ERR_SYNTAX,
	  FIX "unknown-section.conf:3: unknown section [gate] (known: station, checkin, sim, gpio, thermometer, camera, idreader, display, audio, sync, rules, retention)" },
	{ "dup-key.conf", SNT_CONFIG_ERR_SYNTAX,
	  FIX "dup-key.conf:3: key 'board' in section [station] given twice" },
	{ "empty-value.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "empty-value.conf:4: key 'device_id': empty value" },
	{ "", SNT_CONFIG_ERR_IO, FIX ": Is a directory" },
	{ "smuggle.conf", SNT_CONFIG_ERR_SYNTAX, FIX "smuggle.conf:2: line longer than 198 bytes" },
	{ "nul.conf", SNT_CONFIG_ERR_SYNTAX, FIX "nul.conf:2: NUL byte in line" },
	{ "empty-section.conf", SNT_CONFIG_ERR_SYNTAX,
	  FIX "empty-section.conf:3: unknown section [bogus] (known: station, checkin, sim, gpio, thermometer, camera, idreader, display, audio, sync, rules, retention)" },
	{ "empty-db.conf", SNT_CONFIG_ERR_VALUE, FIX "empty-db.conf:2: key 'db': empty value" },
	{ "bad-int.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-int.conf:4: key 'scan_timeout_ms': '5s' is not an integer" },
	{ "range-int.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "range-int.conf:4: key 'temp_tries': 0 is outside 1-10" },
	{ "bad-temp.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-temp.conf:4: key 'fever_threshold_c': 'hot' is not a temperature in °C" },
	{ "range-temp.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "range-temp.conf:4: key 'fever_threshold_c': 36.0 °C is outside 37.0-39.0" },
	{ "bad-board.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-board.conf:2: key 'board': unknown board 'pi' (known: sim, linux)" },
	{ "no-scenario.conf", SNT_CONFIG_ERR_MISSING,
	  FIX "no-scenario.conf: key 'scenario' in section [sim] is required for board = sim" },
	{ "open-section.conf", SNT_CONFIG_ERR_SYNTAX,
	  FIX "open-section.conf:3: section line '[sim' has no closing ']'" },
	{ "syntax.conf", SNT_CONFIG_ERR_SYNTAX,
	  FIX "syntax.conf:3: not a 'key = value' line or a '[section]' header" },
	{ "bad-time.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-time.conf:3: key 'start': 'yesterday' is not an RFC 3339 time" },
	{ "bad-clock.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-clock.conf:3: key 'clock': 'rebased' is not 'trusted' or 'untrusted'" },
	{ "bad-bootid.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "bad-bootid.conf:3: key 'boot_id': '0F1E2D3C-4B5A-4697-8877-665544332211' is not a lower-case UUID" },
	{ "long-value.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "long-value.conf:2: key 'device_id': value longer than 63 bytes" },
	{ "missing.conf", SNT_CONFIG_ERR_IO, FIX "missing.conf: No such file or directory" },
	{ "linux-dup-line.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "linux-dup-line.conf: key 'exit-button' in section [gpio]: line gpiochip0:17 is already used by 'relay'" },
	{ "linux-no-thermometer.conf", SNT_CONFIG_ERR_MISSING,
	  FIX "linux-no-thermometer.conf: key 'type' in section [thermometer] is required for board = linux" },
	{ "linux-no-relay.conf", SNT_CONFIG_ERR_MISSING,
	  FIX "linux-no-relay.conf: key 'relay' in section [gpio] is required for board = linux" },
	{ "linux-bad-line.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "linux-bad-line.conf:4: key 'relay': 'gpiochip0' is not 'CHIP:OFFSET' or 'CHIP:OFFSET active-low'" },
	{ "linux-bad-therm.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "linux-bad-therm.conf:4: key 'type': unknown thermometer 'mlx90640' (known: iio, mlx90614-i2c)" },
	{ "linux-bad-addr.conf", SNT_CONFIG_ERR_VALUE,
	  FIX "linux-bad-addr.conf:4: key 'i2c_address': '0x80' is not a 7-bit address 0x03-0x77" },
};

static void test_linux(void **state)
{
	struct snt_config c;
	char err[512];

	(void)state;
	assert_int_equal(snt_config_load(FIX "linux-good.conf", &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_string_equal(c.board, "linux");
	assert_true(c.gpio[0].set);
	assert_string_equal(c.gpio[0].chip, "gpiochip0");
	assert_int_equal(c.gpio[0].offset, 17);
	assert_false(c.gpio[0].active_low);
	assert_true(c.gpio[5].set);	/* presence */
	assert_int_equal(c.gpio[5].offset, 5);
	assert_true(c.gpio[5].active_low);
	assert_false(c.gpio[4].set);	/* display is not a line */
	assert_int_equal(c.debounce_ms, 20);
	assert_string_equal(c.therm_type, "iio");
	assert_string_equal(c.iio_root, FIX "iio");
	assert_int_equal(c.temp_samples, 7);
	assert_int_equal(c.temp_window_ms, 600);
	assert_int_equal(c.skin_offset_mdc, 600);
	assert_int_equal(c.ambient_coeff_pm, 100);
	assert_int_equal(c.ambient_ref_mdc, 24000);
	assert_int_equal(c.emissivity_pm, 980);
	assert_int_equal(c.i2c_address, 0x5b);
	assert_string_equal(c.camera_device, "/dev/video2");
	assert_string_equal(c.display_path, "");
}

/* Quiet hours: HH:MM-HH:MM, across midnight allowed, never empty. */
/* What `sentinelctl enrol` may write as "key = value" into the enrolment file: it reads back so. */
static void test_value_writable(void **state)
{
	char line[300];

	(void)state;
	assert_true(snt_config_value_writable("home", "阳光养老院"));
	assert_true(snt_config_value_writable("home", "阳光;养老院"));	/* ';' after no blank: kept */
	assert_true(snt_config_value_writable("duty_phone", ""));
	assert_false(snt_config_value_writable("home", "阳光 ;养老院"));	/* an inline comment */
	assert_false(snt_config_value_writable("home", "阳光\t;养老院"));
	assert_false(snt_config_value_writable("home", " 阳光"));
	assert_false(snt_config_value_writable("home", "阳光 "));
	assert_false(snt_config_value_writable("home", "阳光\n[rules]"));
	memset(line, 'a', sizeof(line));
	line[185] = '\0';	/* "bureau_url = " and 185 bytes: 198, the longest line */
	assert_true(snt_config_value_writable("bureau_url", line));
	line[185] = 'a';
	line[186] = '\0';
	assert_false(snt_config_value_writable("bureau_url", line));
}

static void test_quiet_hours(void **state)
{
	int from = -1, to = -1;

	(void)state;
	assert_int_equal(snt_config_quiet_hours("22:00-07:30", &from, &to), 0);
	assert_int_equal(from, 22 * 60);
	assert_int_equal(to, 7 * 60 + 30);
	assert_int_equal(snt_config_quiet_hours("00:00-23:59", &from, &to), 0);
	assert_int_equal(to, 23 * 60 + 59);
	assert_int_equal(snt_config_quiet_hours("12:00-12:00", &from, &to), -1);
	assert_int_equal(snt_config_quiet_hours("24:00-07:00", &from, &to), -1);
	assert_int_equal(snt_config_quiet_hours("22:60-07:00", &from, &to), -1);
	assert_int_equal(snt_config_quiet_hours("22:00-07:00 ", &from, &to), -1);
	assert_int_equal(snt_config_quiet_hours("2:00-07:00", &from, &to), -1);
	assert_int_equal(snt_config_quiet_hours(NULL, &from, &to), -1);
}

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct snt_config c;
		char path[256], err[512];

		snprintf(path, sizeof(path), FIX "%s", bad[i].file);
		assert_int_equal(snt_config_load(path, &c, err, sizeof(err)), bad[i].err);
		assert_string_equal(err, bad[i].msg);
	}
}

static void test_fifo_refused(void **state)
{
	struct snt_config c;
	char dir[] = "/tmp/snt-config-XXXXXX", path[64], err[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* Would block forever in fopen(); refused without reading. */
	assert_int_equal(snt_config_load(path, &c, err, sizeof(err)), SNT_CONFIG_ERR_IO);
	assert_non_null(strstr(err, ": not a regular file"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/*
 * [station] enrolment: missing file = not enrolled (the config's own
 * identity stays); present = read over the config (relative paths from its
 * directory); keys it may not set, or without home, are errors naming it.
 */
static void test_enrolment(void **state)
{
	char dir[] = "/tmp/snt-config-XXXXXX", conf[64], enr[64], err[512], want[256];
	struct snt_config c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/gate.conf", dir);
	snprintf(enr, sizeof(enr), "%s/enrolment.conf", dir);
	write_file(conf, "[station]\nboard = sim\nenrolment = enrolment.conf\ndevice_id = unset\n"
		   "[sim]\nscenario = /dev/null\n[sync]\nbureau_key = /etc/b.pub\n");
	/* Without any enrolment key the config is the enrolment. */
	assert_int_equal(snt_config_load(FIX "good.conf", &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_true(c.enrolled);

	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_false(c.enrolled);
	assert_string_equal(c.enrolment, enr);
	assert_string_equal(c.device_id, "unset");
	assert_string_equal(c.home, "");

	write_file(enr, "[station]\nhome = 福寿养老院\ndevice_id = fs-gate-2\nduty_phone = 0931-1\n"
		   "[sync]\nbureau_key = bureau.pub\nbureau_url = https://b.example/\n");
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_true(c.enrolled);
	assert_string_equal(c.home, "福寿养老院");
	assert_string_equal(c.device_id, "fs-gate-2");
	assert_string_equal(c.duty_phone, "0931-1");
	snprintf(want, sizeof(want), "%s/bureau.pub", dir);
	assert_string_equal(c.sync_bureau_key, want);
	assert_string_equal(c.sync_bureau_url, "https://b.example/");
	/* Fail-secure: an enrolment file that does not say [rules] required means required. */
	assert_true(c.rules_required);

	/* The package brought a rule set, or did not: [rules] required, yes or no only. */
	write_file(enr, "[station]\nhome = H\ndevice_id = g\n[rules]\nrequired = yes\n");
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_true(c.rules_required);
	write_file(enr, "[station]\nhome = H\ndevice_id = g\n[rules]\nrequired = no\n");
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_false(c.rules_required);
	/* Without an enrolment file (the configuration is the enrolment) the default stays no. */
	assert_int_equal(snt_config_load(FIX "good.conf", &c, err, sizeof(err)), SNT_CONFIG_OK);
	assert_false(c.rules_required);
	write_file(enr, "[station]\nhome = H\ndevice_id = g\n[rules]\nrequired = 1\n");
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_ERR_VALUE);
	snprintf(want, sizeof(want), "%s:5: key 'required': '1' is not 'yes' or 'no'", enr);
	assert_string_equal(err, want);
	/* The enrolment sets no other key of [rules]. */
	write_file(enr, "[station]\nhome = H\ndevice_id = g\n[rules]\ndir = /tmp\n");
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_ERR_SYNTAX);
	snprintf(want, sizeof(want), "%s:5: key 'dir' in section [rules] is not one the enrolment sets", enr);
	assert_string_equal(err, want);

	write_file(enr, "[station]\nhome = H\ndevice_id = g\nboard = linux\n");
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_ERR_SYNTAX);
	snprintf(want, sizeof(want),
		 "%s:4: key 'board' in section [station] is not one the enrolment sets", enr);
	assert_string_equal(err, want);

	write_file(enr, "[station]\ndevice_id = g\n");
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_ERR_MISSING);
	snprintf(want, sizeof(want), "%s: key 'home' in section [station] is missing", enr);
	assert_string_equal(err, want);
	assert_false(c.enrolled);

	assert_int_equal(unlink(enr), 0);
	assert_int_equal(mkdir(enr, 0700), 0);
	assert_int_equal(snt_config_load(conf, &c, err, sizeof(err)), SNT_CONFIG_ERR_IO);
	assert_int_equal(rmdir(enr), 0);
	assert_int_equal(unlink(conf), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_inval(void **state)
{
	struct snt_config c;
	char err[8];

	(void)state;
	assert_int_equal(snt_config_load(NULL, &c, err, sizeof(err)), SNT_CONFIG_ERR_INVAL);
	assert_int_equal(snt_config_load(FIX "good.conf", NULL, err, sizeof(err)), SNT_CONFIG_ERR_INVAL);
	assert_int_equal(snt_config_load(FIX "good.conf", &c, NULL, 0), SNT_CONFIG_ERR_INVAL);
	assert_string_equal(snt_config_strerror(SNT_CONFIG_ERR_VALUE), "bad value");
}

/* [station] timezone: a zone of the tz database, never a path. */
static void test_zone_valid(void **state)
{
	(void)state;
	assert_true(snt_config_zone_valid("Asia/Shanghai"));
	assert_true(snt_config_zone_valid("UTC"));
	assert_false(snt_config_zone_valid(""));
	assert_false(snt_config_zone_valid("Asia/Nowhere"));
	assert_false(snt_config_zone_valid("/etc/passwd"));
	assert_false(snt_config_zone_valid("../../etc/passwd"));
	assert_false(snt_config_zone_valid("Asia"));	/* a directory */
	assert_false(snt_config_zone_valid("Asia/Shang hai"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_zone_valid),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_linux),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_inval),
		cmocka_unit_test(test_enrolment),
		cmocka_unit_test(test_quiet_hours),
		cmocka_unit_test(test_value_writable),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
