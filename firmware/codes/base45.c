// SPDX-License-Identifier: MIT
/*
 * Base45 (RFC 9285), the text encoding of HC1: payloads (DCC technical
 * specifications v1.3, §3.1 "Base45").
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codes/codes_internal.h"

static const char b45_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

static int b45_value(uint8_t c)
{
	const char *p;

	if (c == 0)
		return -1;
	p = memchr(b45_alphabet, c, sizeof(b45_alphabet) - 1);
	return p ? (int)(p - b45_alphabet) : -1;
}

int codes__base45_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t o = 0;

	/* RFC 9285 §4: groups of three characters give two bytes, a final pair one. */
	if (len % 3 == 1)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		int c0 = b45_value(in[i]), c1 = b45_value(in[i + 1]), c2 = 0;
		uint32_t v;

		if (c0 < 0 || c1 < 0)
			return -1;
		if (i + 2 < len) {
			c2 = b45_value(in[i + 2]);
			if (c2 < 0)
				return -1;
		}
		v = (uint32_t)c0 + (uint32_t)c1 * 45u + (uint32_t)c2 * 45u * 45u;
		if (i + 2 < len) {
			if (v > 0xffff || o + 2 > cap)
				return -1;
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)(v & 0xff);
		} else {
			if (v > 0xff || o + 1 > cap)
				return -1;
			out[o++] = (uint8_t)v;
		}
	}
	*out_len = o;
	return 0;
}

size_t codes__base45_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0, i;

	/* RFC 9285 §4: two bytes give three characters, a final byte two. */
	for (i = 0; i + 1 < len; i += 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = b45_alphabet[v % 45];
		out[o++] = b45_alphabet[v / 45 % 45];
		out[o++] = b45_alphabet[v / 2025];
	}
	if (i < len) {
		out[o++] = b45_alphabet[in[i] % 45];
		out[o++] = b45_alphabet[in[i] / 45];
	}
	out[o] = '\0';
	return o;
}

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
