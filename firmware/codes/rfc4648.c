// SPDX-License-Identifier: MIT
/*
 * The text decoders of the codes that are not base45: base32 (RFC 4648 §6,
 * NZCP) and base64url (RFC 4648 §5, SMART Health Cards' JWS).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codes/codes_internal.h"

/* RFC 4648 §6 upper-case base32 alphabet; -1 for anything else. */
static int base32_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* RFC 4648 §5 base64url alphabet (the standard '+' and '/' accepted too); -1 otherwise. */
static int b64url_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/*
 * The RFC 4648 bit accumulator shared by base32 and base64url: @width bits a
 * character, trailing '=' padding dropped.  Left-over bits (fewer than
 * @width) must be zero when @zero_tail.
 */
static int bits_decode(const uint8_t *in, size_t len, int (*value)(uint8_t), unsigned int width,
		       bool zero_tail, uint8_t *out, size_t cap, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t o = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	for (size_t i = 0; i < len; i++) {
		int v = value(in[i]);

		if (v < 0)
			return -1;
		acc = (acc << width) | (uint32_t)v;
		bits += width;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1u;
		}
	}
	if (bits >= width || (zero_tail && acc != 0))
		return -1;
	*out_len = o;
	return 0;
}

int codes__base32_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	/* NZCP omits the '=' padding (NZCP spec §"QR code encoding"); the tail must be zero. */
	return bits_decode(in, len, base32_value, 5, true, out, cap, out_len);
}

int codes__b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	/* Without padding, as JWS uses it (RFC 7515 §2). */
	return bits_decode((const uint8_t *)in, len, b64url_value, 6, false, out, cap, out_len);
}
