// SPDX-License-Identifier: MIT
/*
 * Base45 (RFC 9285), the text encoding of HC1: payloads (DCC technical
 * specifications v1.3, §3.1 "Base45") and of the gate's own signed QR
 * credentials.
 */
#include <stdint.h>
#include <string.h>

#include "cose/cose.h"

static const char b45_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

static int b45_value(uint8_t c)
{
	const char *p;

	if (c == 0)
		return -1;
	p = memchr(b45_alphabet, c, sizeof(b45_alphabet) - 1);
	return p ? (int)(p - b45_alphabet) : -1;
}

int snt_cose_base45_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
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

size_t snt_cose_base45_encode(const uint8_t *in, size_t len, char *out)
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
