// SPDX-License-Identifier: MIT
/*
 * Unit tests of one visit (firmware/checkin/) on a fake board: the
 * temperature procedure, de-duplication, and the order "entry committed,
 * then door opened".  snt_store_append() is wrapped at link time
 * (-Wl,--wrap) so a test can make the log fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "checkin/checkin.h"
#include "journal/journal.h"
#include "image/image.h"
#include "store/store.h"
#include "tests/fake_board.h"

#define FIX "tests/fixtures/scenario/"

enum snt_store_err __real_snt_store_append(struct snt_store *st, struct snt_entry *e);
enum snt_store_err __wrap_snt_store_append(struct snt_store *st, struct snt_entry *e);

/* The fake board and what it saw; one per test. */
struct fake {
	struct snt_board board;
	int64_t now;
	struct snt_image img[3];	/* green, red, yellow */
	int show;			/* image index, -1: empty scene */
	uint8_t blank[64 * 64 * 3];
	int32_t temps[8];		/* INT32_MIN: read error */
	int n_temps, temp_pos;
	char log[8192];			/* "<ms> <role> <v>" lines, as the sim writes */
	struct snt_store *store;
	int relay_checks;		/* relay openings whose entry was committed */
	struct snt_journal *journal;	/* when the test uses one */
	enum snt_store_err fail_append;	/* != OK: the wrapped append fails so */
};

static struct fake *current;

enum snt_store_err __wrap_snt_store_append(struct snt_store *st, struct snt_entry *e)
{
	if (current && current->fail_append != SNT_STORE_OK)
		return current->fail_append;
	return __real_snt_store_append(st, e);
}

static void logf_(struct fake *f, const char *fmt, ...) SNT_PRINTF(2, 3);
static void logf_(struct fake *f, const char *fmt, ...)
{
	size_t n = strlen(f->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->log + n, sizeof(f->log) - n, fmt, ap);
	va_end(ap);
}

static int64_t f_mono(void *ctx) { return ((struct fake *)ctx)->now; }
static int64_t f_utc(void *ctx) { return 1795910400000LL + ((struct fake *)ctx)->now; }
static enum snt_clock_state f_state(void *ctx) { (void)ctx; return SNT_CLOCK_TRUSTED; }
static void f_sleep(void *ctx, int64_t ms) { ((struct fake *)ctx)->now += ms; }
static const struct snt_clock_ops f_clock = { f_mono, f_utc, f_state, f_sleep };

static enum snt_hal_err f_grab(void *ctx, struct snt_frame *fr)
{
	struct fake *f = ctx;

	if (f->show < 0) {
		fr->fmt = SNT_PIXFMT_RGB24;
		fr->width = fr->height = 64;
		fr->stride = 64 * 3;
		fr->data = f->blank;
	} else {
		fake_frame(fr, &f->img[f->show]);
	}
	return SNT_HAL_OK;
}
static const struct snt_camera_ops f_cam = { f_grab };

static enum snt_hal_err f_read(void *ctx, int32_t *obj, int32_t *amb)
{
	struct fake *f = ctx;
	int32_t v;

	if (f->temp_pos >= f->n_temps)
		return SNT_HAL_ERR_NODATA;
	v = f->temps[f->temp_pos++];
	if (v == INT32_MIN)
		return SNT_HAL_ERR_IO;
	*obj = v;
	*amb = 22000;
	return SNT_HAL_OK;
}
static const struct snt_thermometer_ops f_thermo = { f_read };

static enum snt_hal_err f_set(void *ctx, enum snt_role role, int value, int64_t seq)
{
	struct fake *f = ctx;

	if (role == SNT_ROLE_RELAY && value && seq > 0) {
		struct snt_entry e;

		/* The door opens only for a committed, admitted entry (or a journaled override). */
		if (snt_store_get(f->store, seq, &e) == SNT_STORE_OK) {
			assert_int_equal(e.decision, SNT_DECISION_ADMIT);
			assert_int_equal(e.door, SNT_DOOR_OPENED);
		} else {
			assert_non_null(f->journal);
			assert_int_equal(snt_journal_last_seq(f->journal), seq);
		}
		f->relay_checks++;
		logf_(f, "%lld relay 1 seq=%lld\n", (long long)f->now, (long long)seq);
	} else {
		logf_(f, "%lld %s %d\n", (long long)f->now, snt_role_name(role), value);
	}
	return SNT_HAL_OK;
}
static const struct snt_gpio_ops f_gpio = { f_set, fake_gpio_wait };

static enum snt_hal_err f_show(void *ctx, const char *text)
{
	struct fake *f = ctx;
	size_t nl = strcspn(text, "\n");

	logf_(f, "%lld display %.*s\n", (long long)f->now, (int)nl, text);
	return SNT_HAL_OK;
}
static const struct snt_display_ops f_disp = { .show = f_show };

/* A screen backend: each screen's state and measuring bar as "<ms> screen <state> <progress>". */
static enum snt_hal_err f_draw(void *ctx, const struct snt_screen *scr)
{
	struct fake *f = ctx;

	logf_(f, "%lld screen %s %d%s\n", (long long)f->now, snt_screen_state_name(scr->state), scr->progress,
	      scr->offline ? " offline" : "");
	return SNT_HAL_OK;
}
static const struct snt_display_ops f_disp_draw = { .show = f_show, .draw = f_draw };

static enum snt_hal_err f_play(void *ctx, const char *clip)
{
	struct fake *f = ctx;

	logf_(f, "%lld audio %s\n", (long long)f->now, clip);
	return SNT_HAL_OK;
}
static const struct snt_audio_ops f_audio = { .play = f_play };

struct tctx {
	char dir[64];
	char db[96];
	struct fake *f;
	struct snt_checkin_cfg cfg;
	struct snt_checkin *ci;
};

static int setup(void **state)
{
	static const char *const imgs[] = { FIX "green.png", FIX "red.png", FIX "yellow.png" };
	struct tctx *t = calloc(1, sizeof(*t));
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(t);
	assert_non_null(f);
	snprintf(t->dir, sizeof(t->dir), "/tmp/snt-checkin-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof(t->db), "%s/log.db", t->dir);
	assert_int_equal(snt_store_open(t->db, false, &f->store), SNT_STORE_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(snt_image_load(imgs[i], &f->img[i]), SNT_IMAGE_OK);
	memset(f->blank, 210, sizeof(f->blank));
	fake_board_wire(&f->board, f, &f_cam, &f_thermo, &f_gpio, &f_disp, &f_clock);
	fake_checkin_cfg(&t->cfg);
	snt_strlcpy(t->cfg.duty_phone, "0931-1", sizeof(t->cfg.duty_phone));
	assert_int_equal(snt_checkin_new(&t->cfg, &f->board, f->store, &t->ci), SNT_CHECKIN_OK);
	t->f = f;
	current = f;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;
	char path[128];

	snt_checkin_free(t->ci);
	snt_journal_close(t->f->journal);
	snt_store_close(t->f->store);
	for (int i = 0; i < 3; i++)
		snt_image_release(&t->f->img[i]);
	for (const char *const *sfx = (const char *const[]){ "", "-wal", "-shm", ".journal", ".head", NULL };
	     *sfx; sfx++) {
		snprintf(path, sizeof(path), "%s%s", t->db, *sfx);
		unlink(path);
	}
	rmdir(t->dir);
	current = NULL;
	free(t->f);
	free(t);
	return 0;
}

static void temps(struct fake *f, int n, ...)
{
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		f->temps[i] = va_arg(ap, int32_t);
	va_end(ap);
	f->n_temps = n;
	f->temp_pos = 0;
}

static int64_t entries(struct fake *f)
{
	int64_t seq = -1;

	assert_int_equal(snt_store_last_seq(f->store, &seq), SNT_STORE_OK);
	return seq;
}

static void reasons_are(const struct snt_visit *v, const char *want)
{
	char buf[256];

	assert_true(snt_reasons_format(v->result.reasons, ",", buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
}

static void test_green_admits_after_commit(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	struct snt_entry e;

	t->f->show = 0;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_ADMIT);
	reasons_are(&v, "code-green,temp-normal");
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.door, SNT_DOOR_OPENED);
	assert_int_equal(t->f->relay_checks, 1);
	assert_int_equal(snt_store_get(t->f->store, 1, &e), SNT_STORE_OK);
	assert_int_equal(e.format, SNT_FORMAT_HEALTHCODE);
	assert_int_equal(e.colour, SNT_COLOUR_GREEN);
	assert_int_equal(e.verified, SNT_VERIFIED_UNVERIFIED);
	assert_true(e.has_temp);
	assert_int_equal(e.temp_dc, 365);
	assert_int_equal(e.clock, SNT_CLOCK_TRUSTED);
	assert_int_equal(e.payload_len, strlen("HC:620102:FixtureGreenToken0001"));
	assert_memory_equal(e.payload, "HC:620102:FixtureGreenToken0001", e.payload_len);
	/* The measurement record, with the compensation settings it was taken with. */
	assert_string_equal(e.detail, "{\"measure\":{\"skin_mdc\":36500,\"ambient_mdc\":22000,"
			    "\"body_mdc\":36500,\"emissivity_pm\":1000,\"offset_mdc\":0,"
			    "\"ambient_coeff_pm\":0,\"ambient_ref_mdc\":0,\"samples\":1,\"used\":1,"
			    "\"rejected\":0,\"faults\":0,\"readings\":1}}");
	assert_string_equal(t->f->log,
			    "0 display 请出示健康码\n"
			    "0 display 请看向测温区\n"
			    "0 led-green 1\n"
			    "0 relay 1 seq=1\n"
			    "0 display 绿码 体温正常 请通行\n"
			    "3000 relay 0\n"
			    "3000 led-green 0\n");
}

static void test_codes_deny(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->show = 1;
	temps(t->f, 1, 36400);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	reasons_are(&v, "code-red,temp-normal");
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	t->f->show = 2;
	temps(t->f, 1, 36400);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	reasons_are(&v, "code-yellow,temp-normal");
	assert_int_equal(t->f->relay_checks, 0);
	assert_null(strstr(t->f->log, "relay 1"));
	assert_int_equal(entries(t->f), 2);
}

static void test_fever_confirmed(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->show = 0;
	temps(t->f, 2, 38200, 38100);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	reasons_are(&v, "fever,code-green");
	assert_int_equal(v.temp.readings, 2);
	assert_int_equal(v.temp.mdc, 38100);
	/* Three beeps and the red LED, the duty phone on the display. */
	assert_non_null(strstr(t->f->log, "请再测一次体温"));
	assert_non_null(strstr(t->f->log, "体温异常"));
	assert_non_null(strstr(t->f->log, "1000 buzzer 1\n1300 buzzer 0\n1600 buzzer 1\n"));
	assert_null(strstr(t->f->log, "relay"));
}

static void test_fever_not_confirmed(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->show = 0;
	temps(t->f, 2, 37500, 36900);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_ADMIT);
	assert_int_equal(v.temp.mdc, 36900);
	/* Exactly at the threshold is a fever; 37.25 is logged as 37.3, so it is one too. */
	t->f->show = 1;
	temps(t->f, 2, 37300, 37250);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	reasons_are(&v, "fever,code-red");
	assert_int_equal(v.temp.mdc, 37300);
}

static void test_cold_wind(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	struct snt_entry e;

	t->f->show = 0;
	temps(t->f, 2, 32100, 36300);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_ADMIT);
	assert_non_null(strstr(t->f->log, "请靠近重新测温"));

	t->f->show = 1;		/* another payload, so no de-duplication */
	temps(t->f, 3, 31000, 43100, 33940);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.temp.status, SNT_TEMP_IMPLAUSIBLE);
	reasons_are(&v, "code-red,temp-implausible");
	assert_int_equal(snt_store_get(t->f->store, v.seq, &e), SNT_STORE_OK);
	assert_true(e.has_temp);
	assert_int_equal(e.temp_dc, 339);	/* 33.94 is logged as 33.9 */

	/* The decision is taken on the logged tenths: 33.96 is 34.0, plausible. */
	t->f->show = 2;
	temps(t->f, 1, 33960);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.temp.status, SNT_TEMP_NORMAL);
	assert_int_equal(snt_store_get(t->f->store, v.seq, &e), SNT_STORE_OK);
	assert_int_equal(e.temp_dc, 340);
}

static void test_sensor_faults(void **state)
{
	struct tctx *t = *state;
	struct snt_store_alert_iter *ai;
	struct snt_alert a;
	struct snt_visit v;
	struct snt_entry e;
	int64_t n;

	t->f->show = 0;
	temps(t->f, 3, -178000, INT32_MIN, 90000);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.temp.status, SNT_TEMP_FAULT);
	assert_int_equal(v.temp.faults, 3);
	assert_int_equal(v.result.decision, SNT_DECISION_REFER);
	reasons_are(&v, "sensor-fault,code-green");
	assert_int_equal(snt_store_get(t->f->store, v.seq, &e), SNT_STORE_OK);
	assert_false(e.has_temp);
	assert_string_equal(e.detail, "{\"measure\":{\"faults\":3,\"readings\":0}}");
	/* A device fault for staff: event and alert. */
	assert_int_equal(snt_store_events_count(t->f->store, SNT_EVENT_DEVICE_FAULT, 0, 0, &n),
			 SNT_STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(snt_store_alerts_new(t->f->store, true, &ai), SNT_STORE_OK);
	assert_int_equal(snt_store_alerts_next(ai, &a), SNT_STORE_OK);
	assert_int_equal(a.kind, SNT_ALERT_DEVICE_FAULT);
	assert_string_equal(a.detail, "thermometer: 3 failed or far off-range readings");
	assert_int_equal(snt_store_alerts_next(ai, &a), SNT_STORE_OK);
	assert_int_equal(a.kind, SNT_ALERT_REFERRAL);
	assert_int_equal(a.seq, v.seq);
	snt_store_alerts_free(ai);

	/* Faults then a good reading: the good one counts. */
	t->f->show = 1;
	temps(t->f, 3, INT32_MIN, -178000, 36600);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.temp.status, SNT_TEMP_NORMAL);
	assert_int_equal(v.temp.faults, 2);
}

static void test_no_code(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	struct snt_entry e;

	t->f->show = -1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_false(v.code_read);
	assert_int_equal(v.result.decision, SNT_DECISION_REFER);
	reasons_are(&v, "no-code,temp-normal");
	/* Scanned for the whole timeout: 2000 ms at 100 ms a frame. */
	assert_non_null(strstr(t->f->log, "2000 display 请看向测温区"));
	assert_int_equal(snt_store_get(t->f->store, v.seq, &e), SNT_STORE_OK);
	assert_int_equal(e.format, SNT_FORMAT_NONE);
	assert_int_equal(e.verified, SNT_VERIFIED_NONE);
	assert_null(e.payload);
}

static void test_duplicate_within_window(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v1, v2, v3;

	t->f->show = 0;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v1), SNT_CHECKIN_OK);
	t->f->now += 20000;
	/* The repeat of an admission is measured again; normal: no second entry. */
	temps(t->f, 1, 36600);
	assert_int_equal(snt_checkin_visit(t->ci, &v2), SNT_CHECKIN_OK);
	assert_true(v2.duplicate);
	assert_int_equal(v2.seq, v1.seq);
	assert_int_equal(v2.result.decision, SNT_DECISION_ADMIT);
	assert_int_equal(v2.temp.mdc, 36600);
	assert_int_equal(t->f->temp_pos, 1);
	assert_int_equal(entries(t->f), 1);
	assert_int_equal(t->f->relay_checks, 2);
	/* After the window: a new entry. */
	t->f->now += 60000;
	temps(t->f, 1, 36600);
	assert_int_equal(snt_checkin_visit(t->ci, &v3), SNT_CHECKIN_OK);
	assert_false(v3.duplicate);
	assert_int_equal(v3.seq, 2);
	assert_int_equal(entries(t->f), 2);
}

static void test_duplicate_with_fever_is_a_new_entry(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->show = 0;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.seq, 1);
	/* Someone else holds up the same screen within the window, with a fever. */
	t->f->now += 10000;
	temps(t->f, 2, 38400, 38300);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_false(v.duplicate);
	assert_int_equal(v.seq, 2);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	reasons_are(&v, "fever,duplicate,code-green");
	assert_int_equal(t->f->relay_checks, 1);
	/* And the refusal now stands for that payload: repeated without measuring. */
	t->f->now += 10000;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_true(v.duplicate);
	assert_int_equal(v.seq, 2);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	assert_int_equal(t->f->temp_pos, 0);
	assert_int_equal(entries(t->f), 2);
	assert_int_equal(t->f->relay_checks, 1);
}

static void test_duplicate_of_refusal_is_not_measured(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->show = 2;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	t->f->now += 5000;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_true(v.duplicate);
	assert_int_equal(v.seq, 1);
	assert_int_equal(t->f->temp_pos, 0);
	assert_int_equal(entries(t->f), 1);
	assert_null(strstr(t->f->log, "relay"));
}

static void test_store_fault_keeps_door_shut(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->show = 0;
	temps(t->f, 1, 36500);
	t->f->fail_append = SNT_STORE_ERR_FULL;
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.store_err, SNT_STORE_ERR_FULL);
	assert_int_equal(v.result.decision, SNT_DECISION_REFER);
	reasons_are(&v, "store-fault,code-green,temp-normal");
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	assert_int_equal(v.seq, 0);
	assert_null(strstr(t->f->log, "relay"));
	assert_non_null(strstr(t->f->log, "系统故障"));
	assert_int_equal(entries(t->f), 0);
	/* Not remembered for de-duplication: the next scan is decided afresh. */
	t->f->fail_append = SNT_STORE_OK;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_false(v.duplicate);
	assert_int_equal(v.seq, 1);
	assert_int_equal(t->f->relay_checks, 1);
}

static void test_override_after_refusal(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	struct snt_entry e;

	/* Nothing to override yet. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_VISIT);
	t->f->show = 1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	t->f->now += 30000;
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.seq, 2);
	assert_false(v.journaled);
	assert_int_equal(v.door, SNT_DOOR_OPENED);
	assert_int_equal(t->f->relay_checks, 1);
	assert_int_equal(snt_store_get(t->f->store, 2, &e), SNT_STORE_OK);
	assert_int_equal(e.decision, SNT_DECISION_ADMIT);
	assert_int_equal(e.colour, SNT_COLOUR_RED);
	assert_int_equal(e.mono_ms, 30000 + 2200);	/* after the red visit's beep and alert */
	assert_memory_equal(e.payload, "HC:620102:FixtureRedToken0002", e.payload_len);
	assert_non_null(strstr(e.detail, "\"measure\":{\"skin_mdc\":36500,"));
	assert_non_null(strstr(e.detail, ",\"override\":{\"by\":\"button\",\"original\":\"deny\"}}"));
	assert_non_null(strstr(t->f->log, "工作人员已放行"));
	/* One override per visit. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_VISIT);
	/* Not after an admission, nor after the window. */
	t->f->show = 0;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_VISIT);
	t->f->show = -1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	t->f->now += 60001;
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_VISIT);
	assert_int_equal(entries(t->f), 4);
}

static void test_override_deny_after_referral(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	struct snt_entry first, e;
	char want[256];
	int64_t t_deny;

	assert_false(snt_checkin_override_can_deny(t->ci));
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_ERR_NO_VISIT);
	/* No code: referred to staff. */
	t->f->show = -1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_REFER);
	assert_int_equal(snt_store_get(t->f->store, 1, &first), SNT_STORE_OK);
	assert_true(snt_checkin_override_can_deny(t->ci));
	/* Only admit or deny. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_REFER, &v), SNT_CHECKIN_ERR_INVAL);
	t->f->now += 10000;
	t_deny = t->f->now;
	t->f->log[0] = '\0';
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.seq, 2);
	assert_false(v.journaled);
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	reasons_are(&v, "no-code,override-deny,temp-normal");
	/* The door stays shut: the red LED for the alert time, no relay. */
	snprintf(want, sizeof(want), "%lld display 工作人员已拒绝入内\n%lld led-red 1\n%lld led-red 0\n",
		 (long long)t_deny, (long long)t_deny, (long long)t_deny + 2000);
	assert_string_equal(t->f->log, want);	/* (the fake shows the first line only) */
	assert_int_equal(t->f->relay_checks, 0);
	/* The entry: the first one's facts, decision deny, override-deny, who and what was overridden. */
	assert_int_equal(snt_store_get(t->f->store, 2, &e), SNT_STORE_OK);
	assert_int_equal(e.decision, SNT_DECISION_DENY);
	assert_int_equal(e.door, SNT_DOOR_SHUT);
	assert_int_equal(e.reasons, first.reasons | SNT_REASON_BIT(SNT_REASON_OVERRIDE_DENY));
	assert_int_equal(e.kind, SNT_KIND_VISITOR);
	assert_int_equal(e.format, SNT_FORMAT_NONE);
	assert_null(e.payload);
	assert_true(e.has_temp);
	assert_int_equal(e.temp_dc, 365);
	assert_int_equal(e.mono_ms, t_deny);
	assert_int_equal(e.time_utc_ms, 1795910400000LL + t_deny);
	assert_string_equal(e.boot_id, first.boot_id);
	assert_non_null(strstr(e.detail, "\"measure\":{\"skin_mdc\":36500,"));
	assert_non_null(strstr(e.detail, ",\"override\":{\"by\":\"button\",\"original\":\"refer\"}}"));
	/* One override per visit: neither a second deny nor an admit afterwards. */
	assert_false(snt_checkin_override_can_deny(t->ci));
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_ERR_NO_VISIT);
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_VISIT);

	/* A denied visit (red code) is not denied again; it can still be admitted. */
	t->f->show = 1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	assert_false(snt_checkin_override_can_deny(t->ci));
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_ERR_NOT_REFERRED);
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	assert_int_equal(entries(t->f), 3);
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.seq, 4);
	assert_int_equal(t->f->relay_checks, 1);

	/* A referral past the window cannot be denied. */
	t->f->show = -1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_true(snt_checkin_override_can_deny(t->ci));
	t->f->now += 60001;
	assert_false(snt_checkin_override_can_deny(t->ci));
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_ERR_NO_VISIT);
	/* Nor while the fire alarm holds the door. */
	temps(t->f, 1, 36500);
	t->f->now += 70000;
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(snt_checkin_fire_alarm(t->ci, true), SNT_CHECKIN_OK);
	assert_false(snt_checkin_override_can_deny(t->ci));
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_ERR_FIRE);
	assert_int_equal(entries(t->f), 6);
}

static void test_override_deny_in_store_fault_goes_to_journal(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	struct snt_entry e;
	char jpath[128];

	snprintf(jpath, sizeof(jpath), "%s.journal", t->db);
	assert_int_equal(snt_journal_open(jpath, &t->f->journal), SNT_JOURNAL_OK);
	snt_checkin_set_journal(t->ci, t->f->journal);
	/* The log cannot be written: a green code is referred with store-fault. */
	t->f->fail_append = SNT_STORE_ERR_FULL;
	t->f->show = 0;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	reasons_are(&v, "store-fault,code-green,temp-normal");
	assert_true(snt_checkin_override_can_deny(t->ci));
	/* Staff refuse: the journal records it as entry 1; the door stays shut. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_OK);
	assert_true(v.journaled);
	assert_int_equal(v.seq, 1);
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	reasons_are(&v, "store-fault,override-deny,code-green,temp-normal");
	assert_int_equal(snt_journal_pending(t->f->journal), 1);
	assert_null(strstr(t->f->log, "relay 1"));
	/* The log recovers: the journaled deny goes in first. */
	t->f->fail_append = SNT_STORE_OK;
	t->f->show = 2;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.seq, 2);
	assert_int_equal(snt_store_get(t->f->store, 1, &e), SNT_STORE_OK);
	assert_int_equal(e.decision, SNT_DECISION_DENY);
	assert_int_equal(e.door, SNT_DOOR_SHUT);
	assert_non_null(strstr(e.detail, ",\"override\":{\"by\":\"button\",\"original\":\"refer\"}}"));
}

static void test_override_in_store_fault_goes_to_journal(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	char jpath[128];
	int64_t last;

	snprintf(jpath, sizeof(jpath), "%s.journal", t->db);
	assert_int_equal(snt_journal_open(jpath, &t->f->journal), SNT_JOURNAL_OK);
	snt_checkin_set_journal(t->ci, t->f->journal);
	t->f->show = 0;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);	/* entry 1 */
	/* The disk fills up: the next visitor is referred, the door stays shut. */
	t->f->fail_append = SNT_STORE_ERR_FULL;
	t->f->show = 1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	reasons_are(&v, "store-fault,code-red,temp-normal");
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	/* Staff admit: recorded in the journal as entry 2, then the door opens. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_OK);
	assert_true(v.journaled);
	assert_int_equal(v.seq, 2);
	reasons_are(&v, "store-fault,code-red,override-admit,temp-normal");
	assert_int_equal(snt_journal_pending(t->f->journal), 1);
	assert_int_equal(t->f->relay_checks, 2);
	assert_non_null(strstr(t->f->log, "relay 1 seq=2"));
	/* The log recovers: the journal goes in first, then the new visit. */
	t->f->fail_append = SNT_STORE_OK;
	t->f->show = 2;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.seq, 3);
	assert_int_equal(snt_journal_pending(t->f->journal), 0);
	assert_int_equal(snt_store_last_seq(t->f->store, &last), SNT_STORE_OK);
	assert_int_equal(last, 3);
}

static void test_override_without_any_record_keeps_door_shut(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->show = 1;
	temps(t->f, 1, 36500);
	t->f->fail_append = SNT_STORE_ERR_IO;
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	/* No journal configured: nothing can record the override. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_RECORD);
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	assert_null(strstr(t->f->log, "relay 1"));
}

static void test_fire_alarm_and_exit(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	int64_t n;

	assert_int_equal(snt_checkin_exit(t->ci), SNT_CHECKIN_OK);
	assert_non_null(strstr(t->f->log, "0 relay 1\n0 display 请通行\n3000 relay 0\n"));
	t->f->show = 1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	t->f->log[0] = '\0';
	assert_int_equal(snt_checkin_fire_alarm(t->ci, true), SNT_CHECKIN_OK);
	assert_true(snt_checkin_fire_active(t->ci));
	assert_non_null(strstr(t->f->log, "relay 1\n"));
	assert_non_null(strstr(t->f->log, "火警"));
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_FIRE);
	assert_int_equal(snt_checkin_exit(t->ci), SNT_CHECKIN_ERR_FIRE);
	assert_int_equal(snt_checkin_fire_alarm(t->ci, false), SNT_CHECKIN_OK);
	assert_false(snt_checkin_fire_active(t->ci));
	assert_non_null(strstr(t->f->log, "relay 0\n"));
	/* The refusal before the alarm can no longer be overridden. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_VISIT);
	assert_int_equal(t->f->relay_checks, 0);
	/* Logged as events: one exit (the refused one while the alarm held is not), alarm, clear. */
	assert_int_equal(snt_store_events_count(t->f->store, SNT_EVENT_EXIT, 0, 0, &n), SNT_STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(snt_store_events_count(t->f->store, SNT_EVENT_FIRE_ALARM, 0, 0, &n),
			 SNT_STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(snt_store_events_count(t->f->store, SNT_EVENT_FIRE_CLEAR, 0, 0, &n),
			 SNT_STORE_OK);
	assert_int_equal(n, 1);
}

/*
 * Voice prompts: each screen's clip per language, after its screen; none
 * within the quiet hours but the fire alarm's.
 */
static void test_voice_and_quiet_hours(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->board.audio = &f_audio;
	t->f->board.audio_ctx = t->f;
	t->cfg.quiet_from_min = -1;
	t->cfg.quiet_to_min = -1;
	assert_int_equal(snt_checkin_set_cfg(t->ci, &t->cfg), SNT_CHECKIN_OK);
	t->f->show = 0;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_string_equal(t->f->log,
			    "0 display 请出示健康码\n"
			    "0 audio preview-zh\n"
			    "0 audio preview-en\n"
			    "0 display 请看向测温区\n"
			    "0 audio measuring-zh\n"
			    "0 audio measuring-en\n"
			    "0 led-green 1\n"
			    "0 relay 1 seq=1\n"
			    "0 display 绿码 体温正常 请通行\n"
			    "0 audio admit-zh\n"
			    "0 audio admit-en\n"
			    "3000 relay 0\n"
			    "3000 led-green 0\n");
	/* English first: the clips too. */
	t->cfg.order = SNT_SCREEN_EN_FIRST;
	/* Quiet all day (00:00-23:59 China time): no prompt but the fire alarm's. */
	t->cfg.quiet_from_min = 0;
	t->cfg.quiet_to_min = 23 * 60 + 59;
	assert_int_equal(snt_checkin_set_cfg(t->ci, &t->cfg), SNT_CHECKIN_OK);
	t->f->log[0] = '\0';
	t->f->show = 1;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_null(strstr(t->f->log, "audio"));
	assert_int_equal(snt_checkin_fire_alarm(t->ci, true), SNT_CHECKIN_OK);
	/* English first, then Chinese. */
	assert_non_null(strstr(t->f->log, "audio fire-en\n"));
	assert_non_null(strstr(strstr(t->f->log, "audio fire-en\n"), "audio fire-zh\n"));
	assert_int_equal(snt_checkin_fire_alarm(t->ci, false), SNT_CHECKIN_OK);
}

/*
 * The measuring bar: at 0 before the first reading, then the share of the
 * most readings (temp_tries + 1 to confirm a fever) taken before each
 * measuring-again screen; no bar on other screens.
 */
static void test_measuring_progress(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;

	t->f->board.display = &f_disp_draw;
	t->f->show = 0;
	/* Cold wind, then a fever confirmed by the next reading: 4 readings at most. */
	temps(t->f, 3, 31000, 38000, 38100);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.temp.status, SNT_TEMP_FEVER);
	assert_string_equal(t->f->log,
			    "0 screen preview -1\n"
			    "0 screen measuring 0\n"
			    "0 screen remeasure 25\n"
			    "1000 screen remeasure 50\n"
			    "2000 screen fever -1\n"
			    "2000 led-red 1\n"
			    "2000 buzzer 1\n"
			    "2300 buzzer 0\n"
			    "2600 buzzer 1\n"
			    "2900 buzzer 0\n"
			    "3200 buzzer 1\n"
			    "3500 buzzer 0\n"
			    "5800 led-red 0\n");
}

/*
 * The idle screen's offline mark: set while the bureau has never
 * acknowledged anything or its last acknowledgement is over a day old.
 */
static void test_idle_offline_mark(void **state)
{
	struct tctx *t = *state;
	const int64_t day = 24LL * 3600 * 1000;
	int64_t contact;

	t->f->board.display = &f_disp_draw;
	assert_int_equal(snt_checkin_idle(t->ci), SNT_CHECKIN_OK);
	assert_string_equal(t->f->log, "0 screen idle -1 offline\n");
	/* The bureau's signed time of an acknowledgement, an hour before now. */
	t->f->log[0] = '\0';
	t->f->now = 2 * day;
	assert_int_equal(snt_store_set_contact(t->f->store, snt_clock_utc_ms(&t->f->board.clock) - 3600000),
			 SNT_STORE_OK);
	assert_int_equal(snt_checkin_idle(t->ci), SNT_CHECKIN_OK);
	assert_string_equal(t->f->log, "172800000 screen idle -1\n");
	/* An older acknowledgement (a stick's) does not move the contact back. */
	assert_int_equal(snt_store_set_contact(t->f->store, 1000), SNT_STORE_OK);
	assert_int_equal(snt_store_get_contact(t->f->store, &contact), SNT_STORE_OK);
	assert_int_equal(contact, snt_clock_utc_ms(&t->f->board.clock) - 3600000);
	/* A day and a second later the gate is offline again. */
	t->f->log[0] = '\0';
	t->f->now += day + 1000;
	assert_int_equal(snt_checkin_idle(t->ci), SNT_CHECKIN_OK);
	assert_non_null(strstr(t->f->log, " screen idle -1 offline\n"));
	assert_int_equal(snt_store_set_contact(t->f->store, 0), SNT_STORE_ERR_INVAL);
}

/* The idle screen: drawn on request, not while the fire alarm holds the door. */
static void test_idle(void **state)
{
	struct tctx *t = *state;

	assert_int_equal(snt_checkin_idle(t->ci), SNT_CHECKIN_OK);
	assert_string_equal(t->f->log, "0 display 请出示健康码\n");
	assert_int_equal(snt_checkin_fire_alarm(t->ci, true), SNT_CHECKIN_OK);
	t->f->log[0] = '\0';
	assert_int_equal(snt_checkin_idle(t->ci), SNT_CHECKIN_OK);
	assert_string_equal(t->f->log, "");
	assert_int_equal(snt_checkin_idle(NULL), SNT_CHECKIN_ERR_INVAL);
}

static void test_worst_of_several_codes(void **state)
{
	struct tctx *t = *state;
	struct snt_image both;
	struct snt_visit v;
	size_t h;

	/* A green code above a red one in the same frame. */
	h = t->f->img[0].height + t->f->img[1].height;
	both.width = t->f->img[0].width;
	assert_int_equal(t->f->img[1].width, both.width);
	both.height = (unsigned int)h;
	both.stride = t->f->img[0].stride;
	both.rgb = malloc(both.stride * h);
	assert_non_null(both.rgb);
	memcpy(both.rgb, t->f->img[0].rgb, both.stride * t->f->img[0].height);
	memcpy(both.rgb + both.stride * t->f->img[0].height, t->f->img[1].rgb,
	       both.stride * t->f->img[1].height);
	snt_image_release(&t->f->img[2]);
	t->f->img[2] = both;
	t->f->show = 2;
	temps(t->f, 1, 36500);
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_DENY);
	reasons_are(&v, "code-red,temp-normal");
	assert_int_equal(t->f->relay_checks, 0);
}

static void test_args(void **state)
{
	struct tctx *t = *state;
	struct snt_checkin_cfg bad = t->cfg;
	struct snt_checkin *ci = NULL;
	struct snt_temp_result tr;
	struct snt_visit v;

	bad.temp_tries = 0;
	assert_int_equal(snt_checkin_new(&bad, &t->f->board, t->f->store, &ci), SNT_CHECKIN_ERR_INVAL);
	assert_int_equal(snt_checkin_new(&t->cfg, NULL, t->f->store, &ci), SNT_CHECKIN_ERR_INVAL);
	assert_int_equal(snt_checkin_visit(NULL, &v), SNT_CHECKIN_ERR_INVAL);
	assert_int_equal(snt_temp_measure(&bad, &t->f->board, &tr), SNT_CHECKIN_ERR_INVAL);
	snt_checkin_free(NULL);
	/* Every error has its own text. */
	for (int e = SNT_CHECKIN_OK; e <= SNT_CHECKIN_ERR_NOT_REFERRED; e++)
		assert_string_not_equal(snt_checkin_strerror((enum snt_checkin_err)e), "unknown error");
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define WITH_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(test_green_admits_after_commit),
		WITH_FIXTURE(test_codes_deny),
		WITH_FIXTURE(test_fever_confirmed),
		WITH_FIXTURE(test_fever_not_confirmed),
		WITH_FIXTURE(test_cold_wind),
		WITH_FIXTURE(test_sensor_faults),
		WITH_FIXTURE(test_no_code),
		WITH_FIXTURE(test_duplicate_within_window),
		WITH_FIXTURE(test_duplicate_with_fever_is_a_new_entry),
		WITH_FIXTURE(test_duplicate_of_refusal_is_not_measured),
		WITH_FIXTURE(test_store_fault_keeps_door_shut),
		WITH_FIXTURE(test_override_after_refusal),
		WITH_FIXTURE(test_override_deny_after_referral),
		WITH_FIXTURE(test_override_deny_in_store_fault_goes_to_journal),
		WITH_FIXTURE(test_override_in_store_fault_goes_to_journal),
		WITH_FIXTURE(test_override_without_any_record_keeps_door_shut),
		WITH_FIXTURE(test_fire_alarm_and_exit),
		WITH_FIXTURE(test_idle),
		WITH_FIXTURE(test_measuring_progress),
		WITH_FIXTURE(test_idle_offline_mark),
		WITH_FIXTURE(test_voice_and_quiet_hours),
		WITH_FIXTURE(test_worst_of_several_codes),
		WITH_FIXTURE(test_args),
	};

	return cmocka_run_group_tests_name("checkin", tests, NULL, NULL);
}
