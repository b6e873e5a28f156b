// SPDX-License-Identifier: MIT
/*
 * What the gate remembers between visits: payloads decided within the
 * de-duplication window (a repeat repeats the first decision; where a card
 * is asked for, only with the card read the first time) and the entries
 * each visit pass has given.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "checkin/checkin_internal.h"

struct dedup_slot *checkin__dedup_find(struct snt_checkin *ci, const uint8_t *p, size_t len, int64_t now)
{
	for (size_t i = 0; i < SNT_DEDUP_SLOTS; i++) {
		struct dedup_slot *d = &ci->dedup[i];

		if (d->used && now - d->mono_ms < ci->cfg.dedup_window_ms && d->len == len &&
		    !memcmp(d->payload, p, len))
			return d;
	}
	return NULL;
}

bool checkin__dedup_same_card(const struct dedup_slot *d, const struct checkin__card *c)
{
	const bool read = c && c->read;

	if (!read || !d->card_read)
		return !read && !d->card_read;
	return c->has_repeat && d->has_card && !CRYPTO_memcmp(c->repeat, d->card, sizeof(d->card));
}

void checkin__dedup_remember(struct snt_checkin *ci, const uint8_t *p, size_t len, int64_t now,
			     const struct snt_visit *v, const struct checkin__card *card)
{
	struct dedup_slot *slot = &ci->dedup[0];

	/* The payload's own slot (a repeat decided afresh replaces it), */
	for (size_t i = 0; i < SNT_DEDUP_SLOTS; i++) {
		struct dedup_slot *d = &ci->dedup[i];

		if (d->used && d->len == len && !memcmp(d->payload, p, len)) {
			slot = d;
			goto fill;
		}
	}
	/* else an empty or expired slot, else the oldest. */
	for (size_t i = 0; i < SNT_DEDUP_SLOTS; i++) {
		struct dedup_slot *d = &ci->dedup[i];

		if (!d->used || now - d->mono_ms >= ci->cfg.dedup_window_ms) {
			slot = d;
			break;
		}
		if (d->mono_ms < slot->mono_ms)
			slot = d;
	}
fill:
	slot->used = true;
	slot->mono_ms = now;
	slot->len = len;
	memcpy(slot->payload, p, len);
	slot->first = *v;
	slot->card_read = card && card->read;
	slot->has_card = slot->card_read && card->has_repeat;
	if (slot->has_card)
		memcpy(slot->card, card->repeat, sizeof(slot->card));
	else
		explicit_bzero(slot->card, sizeof(slot->card));
}

/* The use record of pass @id, or NULL. */
struct pass_use *checkin__pass_find(struct snt_checkin *ci, const char *id)
{
	for (size_t i = 0; i < SNT_PASS_SLOTS; i++)
		if (ci->passes[i].used && !strcmp(ci->passes[i].id, id))
			return &ci->passes[i];
	return NULL;
}

/* Pass @id's record, made (in a free slot or the longest unused one) when new. */
struct pass_use *checkin__pass_slot(struct snt_checkin *ci, const char *id)
{
	struct pass_use *p = checkin__pass_find(ci, id), *old = &ci->passes[0];

	if (p)
		return p;
	for (size_t i = 0; i < SNT_PASS_SLOTS; i++) {
		if (!ci->passes[i].used) {
			old = &ci->passes[i];
			break;
		}
		if (ci->passes[i].last_mono_ms < old->last_mono_ms)
			old = &ci->passes[i];
	}
	memset(old, 0, sizeof(*old));
	old->used = true;
	snt_strlcpy(old->id, id, sizeof(old->id));
	return old;
}

/* Pass @id gave an entry now: its holder is inside. */
void checkin__pass_admitted(struct snt_checkin *ci, const char *id)
{
	struct pass_use *p = checkin__pass_slot(ci, id);

	p->admits++;
	p->exit_mark = ci->exits;
	p->last_mono_ms = snt_clock_mono_ms(&ci->board->clock);
}

void snt_checkin_pass_restore(struct snt_checkin *ci, const char *id, uint32_t admits, bool inside)
{
	struct pass_use *p;

	if (!ci || !id || !id[0] || admits == 0)
		return;
	p = checkin__pass_slot(ci, id);
	p->admits = admits;
	/* Inside: marked at the current exit count; out: at one before it (never equal). */
	p->exit_mark = inside ? ci->exits : ci->exits - 1;
	p->last_mono_ms = snt_clock_mono_ms(&ci->board->clock);
}
