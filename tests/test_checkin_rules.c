// SPDX-License-Identifier: MIT
/*
 * Check-in under the bureau's rule set (issue 8) on a fake board: a rule set
 * installed while visitors queue takes effect at the reload between visits
 * (what sentineld does at SIGHUP), never inside one; a tampered set changes
 * nothing; occupancy counts admitted visitors and exits for the cap.
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
#include "image/image.h"
#include "rules/rules.h"
#include "sign/sign.h"
#include "store/store.h"
#include "tests/fake_board.h"

#define FIX "tests/fixtures/rules/"
#define N_IMG 4

struct fake {
	struct snt_board board;
	int64_t now;
	struct snt_image img[N_IMG + 1];	/* green-a .. green-d, badge-S001 */
	int show;
	int32_t temp_mdc;
};

static int64_t f_mono(void *ctx) { return ((struct fake *)ctx)->now; }
/* 2026-11-29T00:00:00Z + the monotonic time. */
static int64_t f_utc(void *ctx) { return 1796083200000LL - 2 * 86400000LL + ((struct fake *)ctx)->now; }
static enum snt_clock_state f_state(void *ctx) { (void)ctx; return SNT_CLOCK_TRUSTED; }
static void f_sleep(void *ctx, int64_t ms) { ((struct fake *)ctx)->now += ms; }
static const struct snt_clock_ops f_clock = { f_mono, f_utc, f_state, f_sleep };

static enum snt_hal_err f_grab(void *ctx, struct snt_frame *fr)
{
	struct fake *f = ctx;

	fake_frame(fr, &f->img[f->show]);
	return SNT_HAL_OK;
}
static const struct snt_camera_ops f_cam = { f_grab };

static enum snt_hal_err f_read(void *ctx, int32_t *obj, int32_t *amb)
{
	*obj = ((struct fake *)ctx)->temp_mdc;
	*amb = 22000;
	return SNT_HAL_OK;
}
static const struct snt_thermometer_ops f_thermo = { f_read };

static enum snt_hal_err f_set(void *ctx, enum snt_role role, int value, int64_t seq)
{
	(void)ctx, (void)role, (void)value, (void)seq;
	return SNT_HAL_OK;
}
static const struct snt_gpio_ops f_gpio = { f_set, fake_gpio_wait };

static enum snt_hal_err f_show(void *ctx, const char *text)
{
	(void)ctx, (void)text;
	return SNT_HAL_OK;
}
static const struct snt_display_ops f_disp = { .show = f_show };

struct tctx {
	char dir[64];
	char db[96];
	struct fake f;
	struct snt_store *store;
	struct snt_checkin *ci;
	EVP_PKEY *pub;
	struct snt_rules *rules;	/* what the "daemon" holds */
};

static int setup(void **state)
{
	struct tctx *t = calloc(1, sizeof(*t));
	struct snt_checkin_cfg cfg;
	char path[64];

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/snt-ci-rules-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->db, sizeof(t->db), "%s/log.db", t->dir);
	assert_int_equal(snt_store_open(t->db, false, &t->store), SNT_STORE_OK);
	for (int i = 0; i < N_IMG; i++) {
		snprintf(path, sizeof(path), FIX "green-%c.png", 'a' + i);
		assert_int_equal(snt_image_load(path, &t->f.img[i]), SNT_IMAGE_OK);
	}
	assert_int_equal(snt_image_load(FIX "badge-S001.png", &t->f.img[N_IMG]), SNT_IMAGE_OK);
	t->f.temp_mdc = 36500;
	fake_board_wire(&t->f.board, &t->f, &f_cam, &f_thermo, &f_gpio, &f_disp, &f_clock);
	fake_checkin_cfg(&cfg);
	cfg.thermo.samples = 1;
	assert_int_equal(snt_checkin_new(&cfg, &t->f.board, t->store, &t->ci), SNT_CHECKIN_OK);
	assert_int_equal(snt_sign_key_load_public(FIX "bureau.key.pub", &t->pub), SNT_SIGN_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;
	char path[128];

	snt_checkin_free(t->ci);
	snt_rules_free(t->rules);
	EVP_PKEY_free(t->pub);
	snt_store_close(t->store);
	for (int i = 0; i <= N_IMG; i++)
		snt_image_release(&t->f.img[i]);
	for (const char *const *sfx = (const char *const[]){ "log.db", "log.db-wal", "log.db-shm", "log.db.head", "rules.cose",
							   "rules.kept.cose", NULL };
	     *sfx; sfx++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, *sfx);
		unlink(path);
	}
	rmdir(t->dir);
	free(t);
	return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(65536);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* The gate of the fixtures (tests/fixtures/rules/regen.sh). */
static const struct snt_rules_gate gate = { "阳光养老院", "test-gate" };

static enum snt_rules_err install(struct tctx *t, const char *file)
{
	char err[256];
	size_t len;
	uint8_t *buf = slurp(file, &len);
	enum snt_rules_err e = snt_rules_install(t->dir, t->pub, &gate, buf, len, 1795910400000LL /* 2026-11-29 */,
						 NULL, err, sizeof(err));

	free(buf);
	return e;
}

/* What sentineld does at start and at SIGHUP: load whole, then swap. */
static void reload(struct tctx *t)
{
	struct snt_rules *r = NULL;
	char err[256];

	assert_int_equal(snt_rules_load(t->dir, t->pub, &gate, &r, NULL, err, sizeof(err)), SNT_RULES_OK);
	snt_checkin_set_rules(t->ci, r, t->pub, &gate);
	snt_rules_free(t->rules);
	t->rules = r;
}

/* One visit with image @img; check decision, reasons and the entry's detail "rules" version. */
static void visit(struct tctx *t, int img, enum snt_decision want, const char *reasons, int version)
{
	struct snt_visit v;
	struct snt_entry e;
	char buf[256], rules[64];

	t->f.show = img;
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_true(snt_reasons_format(v.result.reasons, ",", buf, sizeof(buf)) >= 0);
	if (v.result.decision != want || strcmp(buf, reasons))
		fail_msg("green-%c: got %s %s, want %s %s", 'a' + img, snt_decision_name(v.result.decision), buf,
			 snt_decision_name(want), reasons);
	assert_true(v.seq > 0);
	assert_int_equal(snt_store_get(t->store, v.seq, &e), SNT_STORE_OK);
	snprintf(rules, sizeof(rules), "\"rules\":{\"version\":%d,\"stale\":false}", version);
	if (!strstr(e.detail, rules))
		fail_msg("entry %lld detail %s has no %s", (long long)v.seq, e.detail, rules);
	t->f.now += 70000;	/* the next visitor comes after the de-duplication window */
}

static void test_installed_mid_queue(void **state)
{
	struct tctx *t = *state;
	char path[128];
	size_t before_len, after_len;
	uint8_t *before, *after;

	/* v1: closed mode; a visitor without a pass is referred. */
	assert_int_equal(install(t, FIX "rules-v1.cose"), SNT_RULES_OK);
	reload(t);
	visit(t, 0, SNT_DECISION_REFER, "closed-mode,code-green,temp-normal", 1);

	/* v2 (open, at most 1 visitor inside) is installed while the queue goes on... */
	assert_int_equal(install(t, FIX "rules-v2.cose"), SNT_RULES_OK);
	/* ...the gate keeps deciding under v1 until it reloads, */
	visit(t, 1, SNT_DECISION_REFER, "closed-mode,code-green,temp-normal", 1);
	/* then the next visitor is decided under v2: admitted, the one after hits the cap. */
	reload(t);
	assert_int_equal(snt_checkin_occupancy(t->ci), 0);
	visit(t, 2, SNT_DECISION_ADMIT, "code-green,temp-normal", 2);
	assert_int_equal(snt_checkin_occupancy(t->ci), 1);
	visit(t, 3, SNT_DECISION_REFER, "capacity,code-green,temp-normal", 2);
	/* Someone leaves by the exit button: room for one again. */
	assert_int_equal(snt_checkin_exit(t->ci), SNT_CHECKIN_OK);
	assert_int_equal(snt_checkin_occupancy(t->ci), 0);
	visit(t, 0, SNT_DECISION_ADMIT, "code-green,temp-normal", 2);

	/* A tampered v3 and v1 again are refused; the file and the decisions stay v2's. */
	snprintf(path, sizeof(path), "%s/rules.cose", t->dir);
	before = slurp(path, &before_len);
	assert_int_equal(install(t, FIX "rules-v2-tampered.cose"), SNT_RULES_ERR_SIGNATURE);
	assert_int_equal(install(t, FIX "rules-v1.cose"), SNT_RULES_ERR_OLD);
	after = slurp(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);
	reload(t);
	assert_int_equal(t->rules->version, 2);
	visit(t, 1, SNT_DECISION_REFER, "capacity,code-green,temp-normal", 2);
}

/* Staff turn a referred visitor away: the button (a deny) plus a staff badge, recorded. */
static void test_override_deny_needs_badge(void **state)
{
	struct tctx *t = *state;
	struct snt_visit v;
	struct snt_entry e;
	char buf[256];

	assert_int_equal(install(t, FIX "rules-v1.cose"), SNT_RULES_OK);
	reload(t);
	t->f.show = 0;	/* a visitor without a pass, closed mode: referred */
	assert_int_equal(snt_checkin_visit(t->ci, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.result.decision, SNT_DECISION_REFER);
	assert_true(snt_checkin_override_can_deny(t->ci));
	/* No badge in view for 30 s: refused, nothing written; the visit can still be overridden. */
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_ERR_NO_BADGE);
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	assert_true(snt_checkin_override_can_deny(t->ci));
	/* Staff S001 shows the badge. */
	t->f.show = N_IMG;
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_DENY, &v), SNT_CHECKIN_OK);
	assert_int_equal(v.seq, 2);
	assert_int_equal(v.door, SNT_DOOR_SHUT);
	assert_int_equal(snt_store_get(t->store, 2, &e), SNT_STORE_OK);
	assert_int_equal(e.decision, SNT_DECISION_DENY);
	assert_int_equal(e.door, SNT_DOOR_SHUT);
	assert_int_equal(e.kind, SNT_KIND_VISITOR);
	assert_true(snt_reasons_format(e.reasons, ",", buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, "closed-mode,override-deny,code-green,temp-normal");
	if (!strstr(e.detail, ",\"rules\":{\"version\":1,\"stale\":false},"
			      "\"override\":{\"by\":\"S001\",\"original\":\"refer\"}}"))
		fail_msg("detail %s", e.detail);
	assert_int_equal(snt_checkin_occupancy(t->ci), 0);
	assert_int_equal(snt_checkin_override(t->ci, SNT_DECISION_ADMIT, &v), SNT_CHECKIN_ERR_NO_VISIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_installed_mid_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_override_deny_needs_badge, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
