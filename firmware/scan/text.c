// SPDX-License-Identifier: MIT
/*
 * Payload bytes to display text.  zbar runs in binary mode, so the bytes
 * arrive exactly as encoded; the encoding is chosen here by a fixed rule
 * (see scan__text_from_bytes() in scan_internal.h) that never loses a byte:
 * UTF-8, then Shift_JIS for Japanese text that is not GB 2312, then
 * GB 18030, then ISO-8859-1.
 */
#include <iconv.h>
#include <string.h>

#include "scan/scan_internal.h"

int scan__utf8_valid(const uint8_t *in, size_t len)
{
	return snt_utf8_valid(in, len);
}

/*
 * Shift_JIS structure (JIS X 0208 Annex 1, as Windows-31J/CP932 extends it):
 * 1 when every byte is ASCII, a half-width katakana (0xA1-0xDF) or a lead
 * byte (0x81-0x9F, 0xE0-0xFC) with a trail byte (0x40-0x7E, 0x80-0xFC),
 * and at least one two-byte character is Japanese kana or punctuation:
 * hiragana (0x829F-0x82F1), katakana (0x8340-0x8396), or 、 。 ・ ー
 * (0x8141, 0x8142, 0x8145, 0x815B).  Else 0.
 */
static int sjis_has_kana(const uint8_t *in, size_t len)
{
	int kana = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i], t;

		if (c < 0x80 || (c >= 0xa1 && c <= 0xdf))
			continue;
		if (!((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) || i + 1 >= len)
			return 0;
		t = in[++i];
		if (t < 0x40 || t == 0x7f || t > 0xfc)
			return 0;
		if ((c == 0x82 && t >= 0x9f && t <= 0xf1) || (c == 0x83 && t >= 0x40 && t <= 0x96) ||
		    (c == 0x81 && (t == 0x41 || t == 0x42 || t == 0x45 || t == 0x5b)))
			kana = 1;
	}
	return kana;
}

/*
 * 1 when every multi-byte character of @in, read as GB 18030, is a GB 2312
 * character (both bytes 0xA1-0xFE: GB 2312-1980 in EUC-CN form), which is
 * what Chinese text in a legacy encoding nearly always is.  0 otherwise,
 * including for bytes that are not GB 18030 at all.
 */
static int gb2312_only(const uint8_t *in, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (in[i] < 0x80)
			continue;
		if (i + 1 >= len || in[i] < 0xa1 || in[i] > 0xfe || in[i + 1] < 0xa1 ||
		    in[i + 1] > 0xfe)
			return 0;
		i++;
	}
	return 1;
}

/* Convert with @cd; 1 on a complete, valid conversion (*@n: bytes written), else 0. */
static int convert(iconv_t cd, const uint8_t *in, size_t len, char *out, size_t outsize, size_t *n)
{
	char buf[SNT_SCAN_MAX_PAYLOAD];
	char *ip = buf;
	char *op = out;
	size_t il = len;
	size_t ol = outsize - 1;

	if (cd == (iconv_t)-1 || cd == (iconv_t)0 || len > sizeof(buf))
		return 0;
	memcpy(buf, in, len);
	(void)iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il != 0)
		return 0;
	if (iconv(cd, NULL, NULL, &op, &ol) == (size_t)-1)
		return 0;
	*op = '\0';
	*n = (size_t)(op - out);
	return scan__utf8_valid((const uint8_t *)out, *n);
}

size_t scan__text_from_bytes(const struct scan__iconv *cd, const uint8_t *in, size_t len, char *out,
			     size_t outsize)
{
	size_t o = 0;

	if (outsize == 0)
		return 0;
	if (scan__utf8_valid(in, len) && len < outsize) {
		memcpy(out, in, len);
		out[len] = '\0';
		return len;
	}
	if (cd && sjis_has_kana(in, len) && !gb2312_only(in, len) &&
	    convert(cd->sjis, in, len, out, outsize, &o))
		return o;
	if (cd && convert(cd->gb18030, in, len, out, outsize, &o))
		return o;
	o = 0;
	for (size_t i = 0; i < len && o + 2 < outsize; i++) {
		if (in[i] < 0x80) {
			out[o++] = (char)in[i];
		} else {
			out[o++] = (char)(0xc0 | (in[i] >> 6));
			out[o++] = (char)(0x80 | (in[i] & 0x3f));
		}
	}
	out[o] = '\0';
	return o;
}
