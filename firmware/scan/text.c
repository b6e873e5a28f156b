// SPDX-License-Identifier: MIT
/*
 * Payload bytes to display text.  zbar runs in binary mode, so the bytes
 * arrive exactly as encoded; the encoding is guessed here, in a fixed order
 * (UTF-8, GB 18030, ISO-8859-1) that never loses a byte.
 */
#include <iconv.h>
#include <string.h>

#include "scan/scan_internal.h"

int scan__utf8_valid(const uint8_t *in, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = in[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i - 1 < n)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((in[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (in[i + k] & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Convert with @cd; 1 on a complete, valid conversion, else 0. */
static int convert(iconv_t cd, const uint8_t *in, size_t len, char *out, size_t outsize)
{
	char buf[SNT_SCAN_MAX_PAYLOAD];
	char *ip = buf;
	char *op = out;
	size_t il = len;
	size_t ol = outsize - 1;

	if (cd == (iconv_t)-1 || len > sizeof(buf))
		return 0;
	memcpy(buf, in, len);
	(void)iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0)
		return 0;
	if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return 0;
	*op = '\0';
	return scan__utf8_valid((const uint8_t *)out, (size_t)(op - out));
}

void scan__text_from_bytes(iconv_t gb18030, const uint8_t *in, size_t len, char *out,
			   size_t outsize)
{
	size_t o = 0;

	if (outsize == 0)
		return;
	if (scan__utf8_valid(in, len) && len < outsize) {
		memcpy(out, in, len);
		out[len] = '\0';
		return;
	}
	if (convert(gb18030, in, len, out, outsize))
		return;
	for (size_t i = 0; i < len && o + 2 < outsize; i++) {
		if (in[i] < 0x80) {
			out[o++] = (char)in[i];
		} else {
			out[o++] = (char)(0xc0 | (in[i] >> 6));
			out[o++] = (char)(0x80 | (in[i] & 0x3f));
		}
	}
	out[o] = '\0';
}
