// SPDX-License-Identifier: MIT
/*
 * Registration with a resident ID card: the card asked for and read, judged
 * (GB 11643 check digit, validity on the local day), reduced to what the
 * entry keeps in clear (masked name, last four, keyed hash) and its full
 * text sealed to the bureau's key; the sealed record kept beside its entry
 * and the records past [retention] personal_days removed.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "checkin/checkin_internal.h"
#include "idcard/idcard.h"
#include "sign/sign.h"

#define MSG_CARD "请将身份证放在读卡区\nPlease place your ID card on the reader"

/*
 * The card's full text as JSON, sealed to the bureau's key, and its digest;
 * nothing when there is no key or anything fails (the plaintext is wiped).
 */
static void card_seal(const struct snt_checkin *ci, const struct snt_idcard_text *t, int64_t utc_ms,
		      struct checkin__card *c)
{
	json_t *o;
	char *text;
	unsigned int n = 0;

	if (!ci->seal_pub)
		return;
	o = json_pack("{si ss sI ss ss ss ss ss ss ss ss ss}", "v", 1, "device", ci->have_gate ? ci->device_id : "",
		      "time", (json_int_t)utc_ms, "name", t->name, "sex", t->sex, "nation", t->nation, "birth",
		      t->birth, "address", t->address, "number", t->number, "authority", t->authority,
		      "valid_from", t->valid_from, "valid_to", t->valid_to);
	text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return;
	if (snt_seal(ci->seal_pub, (const uint8_t *)text, strlen(text), &c->sealed, &c->sealed_len) != SNT_SIGN_OK ||
	    c->sealed_len > SNT_STORE_PERSONAL_MAX ||
	    !EVP_Digest(c->sealed, c->sealed_len, c->digest, &n, EVP_sha256(), NULL) || n != 32) {
		free(c->sealed);
		c->sealed = NULL;
		c->sealed_len = 0;
	}
	explicit_bzero(text, strlen(text));
	free(text);
}

/*
 * The local calendar day (YYYYMMDD) at @utc_ms, in the process's zone
 * ([station] timezone, which main made it); 0 when it cannot be converted
 * (every card then reads as outside its validity).
 */
static int32_t local_day(int64_t utc_ms)
{
	time_t t = (time_t)(utc_ms >= 0 ? utc_ms / 1000 : (utc_ms - 999) / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return 0;
	return (int32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

/* What @block holds, judged on @day (sealed at @utc_ms); the text is wiped before returning. */
static void card_judge(const struct snt_checkin *ci, const uint8_t *block, int32_t day, int64_t utc_ms,
		       struct checkin__card *c)
{
	struct snt_idcard_text t;

	c->read = true;
	if (snt_idcard_text_parse(block, &t, NULL) != SNT_IDCARD_OK) {
		c->invalid = true;
		return;
	}
	snt_idcard_mask_name(t.name, c->masked, sizeof(c->masked));
	snt_idcard_last4(t.number, c->last4, sizeof(c->last4));
	c->invalid = snt_idcard_number_check(t.number) != SNT_IDCARD_OK;
	c->expired = snt_idcard_validity(&t, day) != SNT_IDCARD_VALID;
	c->has_repeat = snt_idcard_number_hash(ci->card_key, sizeof(ci->card_key), t.number, c->repeat) ==
			SNT_IDCARD_OK;
	/* The age on the visit's local day, from the full birth date (the rule set's age rule). */
	{
		int age = snt_idcard_age(t.birth, day);

		if (age >= 0) {
			c->has_age = true;
			c->age = (uint32_t)age;
			c->birth_year = (int32_t)strtol(t.birth, NULL, 10) / 10000;
		}
	}
	if (ci->rules && ci->rules->idcard_key_len &&
	    snt_idcard_number_hash(ci->rules->idcard_key, ci->rules->idcard_key_len, t.number, c->hash) ==
		    SNT_IDCARD_OK)
		c->has_hash = true;
	card_seal(ci, &t, utc_ms, c);
	explicit_bzero(&t, sizeof(t));
}

void checkin__card_read(struct snt_checkin *ci, struct checkin__card *c)
{
	struct snt_board *b = ci->board;
	const int64_t until = snt_clock_mono_ms(&b->clock) + ci->cfg.card_timeout_ms;
	uint8_t block[SNT_IDREADER_TEXT_LEN];
	char why[256];

	memset(c, 0, sizeof(*c));
	(void)checkin__show(ci, SNT_SCREEN_IDCARD, MSG_CARD);
	for (;;) {
		enum snt_hal_err err = b->idreader->read(b->idreader_ctx, block, sizeof(block), why, sizeof(why));

		if (err == SNT_HAL_OK) {
			const int64_t now = snt_clock_utc_ms(&b->clock);

			card_judge(ci, block, local_day(now), now, c);
			break;
		}
		if (err != SNT_HAL_ERR_NODATA) {
			(void)checkin__log_event(ci, SNT_EVENT_DEVICE_FAULT, why[0] ? why : snt_hal_strerror(err));
			break;
		}
		if (snt_clock_mono_ms(&b->clock) >= until)
			break;
		snt_clock_sleep_ms(&b->clock, SNT_CARD_POLL_MS);
	}
	explicit_bzero(block, sizeof(block));
}

json_t *checkin__card_detail(const struct checkin__card *c)
{
	char hex[2 * sizeof(c->hash) + 1];
	json_t *o;

	if (!c->read || !c->last4[0])
		return NULL;
	o = json_pack("{ss}", "last4", c->last4);
	if (o && c->has_hash) {
		snt_hex_encode(c->hash, sizeof(c->hash), hex);
		(void)json_object_set_new(o, "hash", json_string(hex));
	}
	if (o && c->sealed) {
		snt_hex_encode(c->digest, sizeof(c->digest), hex);
		(void)json_object_set_new(o, "sealed", json_string(hex));
	}
	return o;
}

/* Remove the records past their retention now (a failure: one device-fault event). */
static void retention(struct snt_checkin *ci)
{
	const int64_t now = snt_clock_utc_ms(&ci->board->clock);

	ci->retention_done = true;
	ci->retention_mono_ms = snt_clock_mono_ms(&ci->board->clock);
	if (ci->cfg.personal_retention_ms > 0 &&
	    snt_store_personal_purge(ci->store, now - ci->cfg.personal_retention_ms, now, NULL) != SNT_STORE_OK)
		(void)checkin__log_event(ci, SNT_EVENT_DEVICE_FAULT,
					 "store: the personal records' retention purge failed");
}

void checkin__card_keep(struct snt_checkin *ci, const struct snt_entry *e, struct checkin__card *c)
{
	if (c->sealed && e->seq > 0 &&
	    snt_store_personal_put(ci->store, e->seq, e->time_utc_ms, c->sealed, c->sealed_len) != SNT_STORE_OK)
		(void)checkin__log_event(ci, SNT_EVENT_DEVICE_FAULT,
					 "store: the sealed personal record could not be kept");
	checkin__card_drop(c);
	retention(ci);
}

void snt_checkin_retention(struct snt_checkin *ci)
{
	if (!ci || (ci->retention_done &&
		    snt_clock_mono_ms(&ci->board->clock) - ci->retention_mono_ms < SNT_RETENTION_EVERY_MS))
		return;
	retention(ci);
}

void checkin__card_drop(struct checkin__card *c)
{
	free(c->sealed);
	c->sealed = NULL;
	c->sealed_len = 0;
	explicit_bzero(c->repeat, sizeof(c->repeat));
	c->has_repeat = false;
}
