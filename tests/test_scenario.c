// SPDX-License-Identifier: MIT
/*
 * Unit tests of the scenario parser (board/sim/scenario.c) and of the
 * simulated board's timing and outputs (board/sim/sim.c).
 * Fixtures: tests/fixtures/scenario/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "hal.h"
#include "idcard/idcard.h"
#include "sim/scenario.h"
#include "sim/sim.h"

#define FIX "tests/fixtures/scenario/"

static void test_good(void **state)
{
	struct snt_scenario *scn = NULL;
	char err[512];
	const struct snt_scenario_step *s;

	(void)state;
	assert_int_equal(snt_scenario_load(FIX "good.scn", &scn, err, sizeof(err)), SNT_SCENARIO_OK);
	assert_int_equal(scn->n_steps, 11);
	assert_int_equal(scn->n_images, 3);	/* green.png named twice, decoded once */
	s = scn->steps;
	assert_int_equal(s[0].op, SNT_SCN_SHOW);
	assert_int_equal(s[0].line, 2);
	assert_int_equal(s[0].u.show.n, 2);
	assert_string_equal(scn->images[s[0].u.show.image[1]].path, FIX "red.png");
	assert_true(scn->images[0].img.width > 100);
	assert_int_equal(s[1].op, SNT_SCN_TEMP);
	assert_int_equal(s[1].u.temp.n, 3);
	assert_int_equal(s[1].u.temp.mdc[0], 36500);
	assert_int_equal(s[1].u.temp.mdc[1], SNT_SCENARIO_TEMP_FAULT);
	assert_int_equal(s[1].u.temp.mdc[2], -178000);
	assert_int_equal(s[2].op, SNT_SCN_INPUT);
	assert_int_equal(s[2].u.input.role, SNT_ROLE_PRESENCE);
	assert_int_equal(s[2].u.input.value, 1);
	assert_int_equal(s[3].op, SNT_SCN_WAIT);
	assert_int_equal(s[3].u.wait_ms, 2000);
	assert_int_equal(s[4].op, SNT_SCN_SHOW);
	assert_int_equal(s[4].u.show.n, 0);
	assert_int_equal(s[5].op, SNT_SCN_TEMP);
	assert_int_equal(s[5].u.temp.n, 0);
	assert_int_equal(s[7].line, 9);
	assert_int_equal(s[7].u.wait_ms, 500);
	assert_int_equal(s[8].u.input.role, SNT_ROLE_EXIT_BUTTON);
	assert_int_equal(s[9].u.input.role, SNT_ROLE_FIRE_ALARM);
	assert_int_equal(s[9].u.input.value, 0);
	assert_string_equal(scn->images[s[10].u.show.image[1]].path, FIX "green.png");
	snt_scenario_free(scn);
	snt_scenario_free(NULL);
}

struct bad_case {
	const char *file;
	enum snt_scenario_err err;
	const char *msg;	/* exact error text */
};

static const struct bad_case bad[] = {
	{ "unknown-cmd.scn", SNT_SCENARIO_ERR_SYNTAX,
	  FIX "unknown-cmd.scn:3: unknown command 'bogus' (known: presence, button, wait, show, temp, card, signal, clock)" },
	{ "temp-nan.scn", SNT_SCENARIO_ERR_VALUE, FIX "temp-nan.scn:2: temperature '36,5' is not a number" },
	{ "temp-inf.scn", SNT_SCENARIO_ERR_VALUE, FIX "temp-inf.scn:1: temperature '1e400' is not a number" },
	{ "temp-range.scn", SNT_SCENARIO_ERR_VALUE,
	  FIX "temp-range.scn:1: temperature 1001 °C is outside -273.15-1000" },
	{ "missing-image.scn", SNT_SCENARIO_ERR_IMAGE,
	  FIX "missing-image.scn:3: image " FIX "missing.png: No such file or directory" },
	{ "bad-image.scn", SNT_SCENARIO_ERR_IMAGE, NULL },
	{ "wait-negative.scn", SNT_SCENARIO_ERR_VALUE,
	  FIX "wait-negative.scn:1: wait -5 ms is outside 0-86400000" },
	{ "wait-large.scn", SNT_SCENARIO_ERR_VALUE,
	  FIX "wait-large.scn:1: wait 86400001 ms is outside 0-86400000" },
	{ "presence-level.scn", SNT_SCENARIO_ERR_VALUE, FIX "presence-level.scn:1: level '2' is not 0 or 1" },
	{ "presence-words.scn", SNT_SCENARIO_ERR_SYNTAX,
	  FIX "presence-words.scn:1: 'presence' takes 1 word (0 or 1)" },
	{ "button-role.scn", SNT_SCENARIO_ERR_VALUE,
	  FIX "button-role.scn:1: 'door' is not button, exit-button or fire-alarm" },
	{ "long-line.scn", SNT_SCENARIO_ERR_SYNTAX, FIX "long-line.scn:1: line longer than 4095 bytes" },
	{ "nul-byte.scn", SNT_SCENARIO_ERR_SYNTAX, FIX "nul-byte.scn:2: NUL byte in line" },
	{ "clock-bad.scn", SNT_SCENARIO_ERR_VALUE, FIX "clock-bad.scn:1: 'yesterday' is not an RFC 3339 time" },
	{ "does-not-exist.scn", SNT_SCENARIO_ERR_IO,
	  FIX "does-not-exist.scn: No such file or directory" },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct snt_scenario *scn = (struct snt_scenario *)&bad;	/* must be reset */
		char path[256], err[512];

		snprintf(path, sizeof(path), FIX "%s", bad[i].file);
		assert_int_equal(snt_scenario_load(path, &scn, err, sizeof(err)), bad[i].err);
		assert_null(scn);
		if (bad[i].msg)
			assert_string_equal(err, bad[i].msg);
		else
			assert_non_null(strstr(err, ":1: image "));
	}
	assert_int_equal(snt_scenario_load(NULL, NULL, NULL, 0), SNT_SCENARIO_ERR_INVAL);
}

/* A sim board over a scenario written to a temporary directory. */
struct simfix {
	char dir[64];
	char scn[128];
	char out[128];
	struct snt_config cfg;
	struct snt_board *b;
};

static struct simfix *sim_up(const char *script)
{
	struct simfix *f = calloc(1, sizeof(*f));
	char cwd[512], err[512];
	FILE *fp;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/snt-sim-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->scn, sizeof(f->scn), "%s/s.scn", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out.log", f->dir);
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	fp = fopen(f->scn, "w");
	assert_non_null(fp);
	/* Images by absolute path into the fixtures. */
	for (const char *p = script; *p; p++) {
		if (!strncmp(p, "@/", 2)) {
			fprintf(fp, "%s/" FIX, cwd);
			p++;
		} else {
			fputc(*p, fp);
		}
	}
	fclose(fp);
	snt_config_defaults(&f->cfg);
	snt_strlcpy(f->cfg.sim_scenario, f->scn, sizeof(f->cfg.sim_scenario));
	snt_strlcpy(f->cfg.sim_output, f->out, sizeof(f->cfg.sim_output));
	f->cfg.sim_start_utc_ms = 1000000;
	f->cfg.idreader_timeout_ms = 2000;
	assert_int_equal(snt_board_open(&f->cfg, &f->b, err, sizeof(err)), SNT_HAL_OK);
	return f;
}

static char *sim_down(struct simfix *f)
{
	static char text[4096];
	FILE *fp;
	size_t n;

	snt_board_close(f->b);
	fp = fopen(f->out, "r");
	assert_non_null(fp);
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	unlink(f->out);
	unlink(f->scn);
	rmdir(f->dir);
	free(f);
	return text;
}

static void test_sim_timing(void **state)
{
	struct simfix *f = sim_up("show @/green.png @/red.png\n"
				  "temp 36.5 fault\n"
				  "presence 1\n"
				  "wait 1000\n"
				  "temp 37.0\n"
				  "wait 1000\n"
				  "presence 0\n"
				  "wait 500\n");
	struct snt_board *b = f->b;
	struct snt_input_event ev;
	struct snt_frame fr;
	int32_t obj, amb;

	(void)state;
	/* Before the first event: the show/temp before it are in effect. */
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(ev.role, SNT_ROLE_PRESENCE);
	assert_int_equal(ev.value, 1);
	assert_int_equal(ev.mono_ms, 0);
	assert_int_equal(b->camera->grab(b->camera_ctx, &fr), SNT_HAL_OK);
	assert_int_equal(fr.fmt, SNT_PIXFMT_RGB24);
	assert_int_equal(b->thermometer->read(b->thermometer_ctx, &obj, &amb), SNT_HAL_OK);
	assert_int_equal(obj, 36500);
	assert_int_equal(b->thermometer->read(b->thermometer_ctx, &obj, &amb), SNT_HAL_ERR_IO);
	assert_int_equal(b->thermometer->read(b->thermometer_ctx, &obj, &amb), SNT_HAL_ERR_IO);
	/* At 999 ms the second temp line is not due yet; at 1000 it is. */
	snt_clock_sleep_ms(&b->clock, 999);
	assert_int_equal(b->thermometer->read(b->thermometer_ctx, &obj, &amb), SNT_HAL_ERR_IO);
	snt_clock_sleep_ms(&b->clock, 1);
	assert_int_equal(b->thermometer->read(b->thermometer_ctx, &obj, &amb), SNT_HAL_OK);
	assert_int_equal(obj, 37000);
	/* A timeout shorter than the next event advances the clock by it. */
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, 300, &ev), SNT_HAL_TIMEOUT);
	assert_int_equal(snt_clock_mono_ms(&b->clock), 1300);
	assert_int_equal(snt_clock_utc_ms(&b->clock), 1001300);
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(ev.value, 0);
	assert_int_equal(ev.mono_ms, 2000);
	/* The trailing wait passes before the end. */
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, 100, &ev), SNT_HAL_TIMEOUT);
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_END);
	assert_int_equal(snt_clock_mono_ms(&b->clock), 2500);
	sim_down(f);
}

/*
 * The waits add up (scenario.md): a show, temp, card or clock line between
 * two waits is applied at its time, and the wait after it still delays the
 * next input, also while the daemon only waits for that input.
 */
static void test_sim_waits_add_up(void **state)
{
	struct simfix *f = sim_up("presence 1\n"
				  "wait 1000\n"
				  "presence 0\n"
				  "wait 3000\n"
				  "temp 36.6\n"
				  "wait 61000\n"
				  "show @/green.png\n"
				  "clock untrusted\n"
				  "wait 500\n"
				  "card none\n"
				  "presence 1\n"
				  "wait 2000\n");
	struct snt_board *b = f->b;
	struct snt_input_event ev;
	int32_t obj, amb;

	(void)state;
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(ev.mono_ms, 0);
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(ev.role, SNT_ROLE_PRESENCE);
	assert_int_equal(ev.value, 0);
	assert_int_equal(ev.mono_ms, 1000);
	/* A timeout before the temp line's time: nothing applied yet. */
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, 2000, &ev), SNT_HAL_TIMEOUT);
	assert_int_equal(snt_clock_mono_ms(&b->clock), 3000);
	assert_int_equal(b->thermometer->read(b->thermometer_ctx, &obj, &amb), SNT_HAL_ERR_NODATA);
	/* A timeout past it but before the next input: the temp line is in effect. */
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, 30000, &ev), SNT_HAL_TIMEOUT);
	assert_int_equal(snt_clock_mono_ms(&b->clock), 33000);
	assert_int_equal(b->thermometer->read(b->thermometer_ctx, &obj, &amb), SNT_HAL_OK);
	assert_int_equal(obj, 36600);
	assert_int_equal(snt_clock_state_get(&b->clock), SNT_CLOCK_TRUSTED);
	/* The next input after all three waits: 1000 + 3000 + 61000 + 500. */
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(ev.role, SNT_ROLE_PRESENCE);
	assert_int_equal(ev.value, 1);
	assert_int_equal(ev.mono_ms, 65500);
	assert_int_equal(snt_clock_state_get(&b->clock), SNT_CLOCK_UNTRUSTED);
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_END);
	assert_int_equal(snt_clock_mono_ms(&b->clock), 67500);
	sim_down(f);
}

static void test_sim_clock(void **state)
{
	struct simfix *f = sim_up("clock untrusted\n"
				  "clock set 2000-01-01T00:00:00Z\n"
				  "presence 1\n"
				  "wait 1000\n"
				  "clock set 2026-11-29T08:00:00Z\n"
				  "clock trusted\n"
				  "presence 0\n");
	struct snt_board *b = f->b;
	struct snt_input_event ev;

	(void)state;
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(snt_clock_state_get(&b->clock), SNT_CLOCK_UNTRUSTED);
	assert_int_equal(snt_clock_utc_ms(&b->clock), 946684800000LL);
	snt_clock_sleep_ms(&b->clock, 400);
	assert_int_equal(snt_clock_utc_ms(&b->clock), 946684800400LL);
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(ev.mono_ms, 1000);
	assert_int_equal(snt_clock_mono_ms(&b->clock), 1000);	/* monotonic goes on */
	assert_int_equal(snt_clock_state_get(&b->clock), SNT_CLOCK_TRUSTED);
	assert_int_equal(snt_clock_utc_ms(&b->clock), 1795939200000LL);
	sim_down(f);
}

/*
 * The ID-card reader: `card` lines drive the simulated SAM module, and the
 * real driver reads it over the pseudo-terminal.
 */
static void test_sim_card(void **state)
{
	struct simfix *f = sim_up("card name=张三丰 number=11010519491231002X from=20200101 to=20400101\n"
				  "presence 1\n"
				  "wait 1000\n"
				  "card pulled\n"
				  "wait 1000\n"
				  "card none\n"
				  "wait 1000\n"
				  "card unplugged\n"
				  "presence 0\n");
	struct snt_board *b = f->b;
	struct snt_input_event ev;
	struct snt_idcard_text t;
	uint8_t block[SNT_IDREADER_TEXT_LEN];
	char why[256];

	(void)state;
	assert_non_null(b->idreader);
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(b->idreader->read(b->idreader_ctx, block, sizeof(block), why, sizeof(why)), SNT_HAL_OK);
	assert_int_equal(snt_idcard_text_parse(block, &t, NULL), SNT_IDCARD_OK);
	assert_string_equal(t.name, "张三丰");
	assert_string_equal(t.sex, "2");	/* the number's 17th digit, 2: even */
	assert_string_equal(t.birth, "19491231");
	assert_string_equal(t.valid_to, "20400101");
	snt_clock_sleep_ms(&b->clock, 1000);
	assert_int_equal(b->idreader->read(b->idreader_ctx, block, sizeof(block), why, sizeof(why)), SNT_HAL_ERR_IO);
	assert_string_equal(why, "idreader: card taken away during the read");
	snt_clock_sleep_ms(&b->clock, 1000);
	assert_int_equal(b->idreader->read(b->idreader_ctx, block, sizeof(block), why, sizeof(why)),
			 SNT_HAL_ERR_NODATA);
	snt_clock_sleep_ms(&b->clock, 1000);
	assert_int_equal(b->idreader->read(b->idreader_ctx, block, sizeof(block), why, sizeof(why)), SNT_HAL_ERR_IO);
	assert_string_equal(why, "idreader: reader unplugged");
	sim_down(f);

	/* No card line: no reader. */
	f = sim_up("presence 1\n");
	assert_null(f->b->idreader);
	sim_down(f);
}

static void test_card_lines_bad(void **state)
{
	static const struct {
		const char *line;
		enum snt_scenario_err err;
		const char *msg;
	} cases[] = {
		{ "card\n", SNT_SCENARIO_ERR_SYNTAX, "'card' takes none, pulled, unplugged, frames FILE or KEY=VALUE..." },
		{ "card name=张三\n", SNT_SCENARIO_ERR_SYNTAX, "card: name= and number= are needed" },
		{ "card name=张三 number=1 colour=red\n", SNT_SCENARIO_ERR_SYNTAX,
		  "card: unknown key 'colour' (known: name, sex, nation, birth, address, number, authority, from, to)" },
		{ "card name=张三 name=李四 number=1\n", SNT_SCENARIO_ERR_SYNTAX, "card: key 'name' given twice" },
		{ "card name=一二三四五六七八九十一二三四五六 number=11010519491231002X\n", SNT_SCENARIO_ERR_VALUE,
		  "card: name is not text that fits the card" },
		{ "card name=张三 number\n", SNT_SCENARIO_ERR_SYNTAX, "card: word 3 is not KEY=VALUE" },
		{ "card frames /nonexistent/f.bin\n", SNT_SCENARIO_ERR_VALUE,
		  "card frames /nonexistent/f.bin: No such file or directory" },
	};
	char path[] = "/tmp/snt-card-XXXXXX", err[512], want[600];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snt_scenario *scn = NULL;
		int fd = mkstemp(path);
		FILE *fp;

		assert_true(fd >= 0);
		fp = fdopen(fd, "w");
		assert_non_null(fp);
		fputs(cases[i].line, fp);
		fclose(fp);
		assert_int_equal(snt_scenario_load(path, &scn, err, sizeof(err)), cases[i].err);
		assert_null(scn);
		if (!strncmp(cases[i].msg, "card frames ", 12))
			snprintf(want, sizeof(want), "%s:1: frames %s", path, cases[i].msg + 12);
		else
			snprintf(want, sizeof(want), "%s:1: %s", path, cases[i].msg);
		assert_string_equal(err, want);
		/* Nothing of the card's values in the message. */
		assert_null(strstr(err, "张三"));
		unlink(path);
		strcpy(path, "/tmp/snt-card-XXXXXX");
	}
}

static void test_sim_outputs(void **state)
{
	struct simfix *f = sim_up("presence 1\n");
	struct snt_board *b = f->b;
	struct snt_input_event ev;
	char *log;

	(void)state;
	assert_int_equal(b->gpio->wait_event(b->gpio_ctx, -1, -1, &ev), SNT_HAL_OK);
	assert_int_equal(b->display->show(b->display_ctx, "请通行\nEnter \"now\""), SNT_HAL_OK);
	assert_int_equal(b->gpio->set(b->gpio_ctx, SNT_ROLE_RELAY, 1, 17), SNT_HAL_OK);
	assert_int_equal(b->gpio->set(b->gpio_ctx, SNT_ROLE_RELAY, 1, 17), SNT_HAL_OK);	/* no change */
	snt_clock_sleep_ms(&b->clock, 3000);
	assert_int_equal(b->gpio->set(b->gpio_ctx, SNT_ROLE_LED_RED, 1, 0), SNT_HAL_OK);
	assert_int_equal(b->gpio->set(b->gpio_ctx, SNT_ROLE_PRESENCE, 1, 0), SNT_HAL_ERR_INVAL);
	log = sim_down(f);	/* close drives every output back to 0 */
	assert_string_equal(log, "0 display \"请通行\\nEnter \\\"now\\\"\"\n"
				 "0 relay 1 seq=17\n"
				 "3000 led-red 1\n"
				 "3000 relay 0\n"
				 "3000 led-red 0\n");
}

static void test_sim_bad_scenario(void **state)
{
	struct snt_config cfg;
	struct snt_board *b = NULL;
	char err[512];

	(void)state;
	snt_config_defaults(&cfg);
	snt_strlcpy(cfg.sim_scenario, FIX "temp-nan.scn", sizeof(cfg.sim_scenario));
	assert_int_equal(snt_board_open(&cfg, &b, err, sizeof(err)), SNT_HAL_ERR_CONFIG);
	assert_null(b);
	assert_string_equal(err, FIX "temp-nan.scn:2: temperature '36,5' is not a number");
	snt_strlcpy(cfg.sim_scenario, FIX "good.scn", sizeof(cfg.sim_scenario));
	snt_strlcpy(cfg.sim_output, "/nonexistent-dir/out.log", sizeof(cfg.sim_output));
	assert_int_equal(snt_board_open(&cfg, &b, err, sizeof(err)), SNT_HAL_ERR_IO);
	assert_string_equal(err, "/nonexistent-dir/out.log: No such file or directory");
	snt_strlcpy(cfg.board, "pi5", sizeof(cfg.board));
	assert_int_equal(snt_board_open(&cfg, &b, err, sizeof(err)), SNT_HAL_ERR_CONFIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_sim_timing),
		cmocka_unit_test(test_sim_waits_add_up),
		cmocka_unit_test(test_sim_clock),
		cmocka_unit_test(test_sim_card),
		cmocka_unit_test(test_card_lines_bad),
		cmocka_unit_test(test_sim_outputs),
		cmocka_unit_test(test_sim_bad_scenario),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
