/* SPDX-License-Identifier: MIT */
/*
 * Comparing two log entries field by field in a cmocka test, so that a
 * failure names the field.  Include after <cmocka.h>.
 */
#ifndef SNT_TESTS_ENTRY_ASSERT_H
#define SNT_TESTS_ENTRY_ASSERT_H

#include "entry/entry.h"

/*
 * assert_entry_fields_equal() - every field of @a and @b but seq, payload,
 * prev_hash and hash (the caller checks those as its case needs); temp_dc
 * only where has_temp, payload_hash only where has_payload_hash.
 */
static inline void assert_entry_fields_equal(const struct snt_entry *a, const struct snt_entry *b)
{
	assert_string_equal(a->boot_id, b->boot_id);
	assert_int_equal(a->mono_ms, b->mono_ms);
	assert_int_equal(a->time_utc_ms, b->time_utc_ms);
	assert_int_equal(a->clock, b->clock);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->format, b->format);
	assert_int_equal(a->colour, b->colour);
	assert_int_equal(a->verified, b->verified);
	assert_int_equal(a->has_temp, b->has_temp);
	if (a->has_temp)
		assert_int_equal(a->temp_dc, b->temp_dc);
	assert_int_equal(a->decision, b->decision);
	assert_int_equal(a->reasons, b->reasons);
	assert_int_equal(a->door, b->door);
	assert_string_equal(a->subject, b->subject);
	assert_string_equal(a->detail, b->detail);
	assert_int_equal(a->has_payload_hash, b->has_payload_hash);
	if (a->has_payload_hash)
		assert_memory_equal(a->payload_hash, b->payload_hash, SNT_HASH_LEN);
	assert_int_equal(a->birth_year, b->birth_year);
}

#endif /* SNT_TESTS_ENTRY_ASSERT_H */
