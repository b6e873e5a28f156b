// SPDX-License-Identifier: MIT
/*
 * Payload format by prefix, and the issuing region of health-code tokens.
 */
#include <string.h>

#include "codes/codes.h"

struct prefix {
	const char *text;
	enum snt_code_format format;
};

/*
 * Prefixes as their specifications write them.  QR alphanumeric mode has
 * upper case only, so "HC1:", "LT1:" and "NZCP:/" are matched exactly; the
 * SMART Health Cards framework writes "shc:/" in byte mode.
 */
static const struct prefix prefixes[] = {
	{ "HC1:", SNT_FORMAT_HCERT },
	{ "LT1:", SNT_FORMAT_LT1 },
	{ "NZCP:/", SNT_FORMAT_NZCP },
	{ "shc:/", SNT_FORMAT_SHC },
};

enum snt_code_format snt_code_classify(const uint8_t *bytes, size_t len)
{
	if (!bytes || len == 0)
		return SNT_FORMAT_NONE;
	for (size_t i = 0; i < SNT_ARRAY_SIZE(prefixes); i++) {
		size_t n = strlen(prefixes[i].text);

		if (len >= n && !memcmp(bytes, prefixes[i].text, n))
			return prefixes[i].format;
	}
	return SNT_FORMAT_HEALTHCODE;
}

static int six_digits(const uint8_t *p, size_t avail)
{
	if (avail < 6)
		return 0;
	for (size_t i = 0; i < 6; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	/* The code must end there: seven digits are not a GB/T 2260 code. */
	return avail == 6 || p[6] < '0' || p[6] > '9';
}

int snt_code_region(const uint8_t *bytes, size_t len, char region[SNT_REGION_LEN])
{
	static const char key[] = "region=";
	const size_t klen = sizeof(key) - 1;

	region[0] = '\0';
	if (!bytes)
		return -1;
	/* "HC:<region>:<token>" */
	if (len > 3 && !memcmp(bytes, "HC:", 3) && six_digits(bytes + 3, len - 3) &&
	    len > 9 && bytes[9] == ':') {
		memcpy(region, bytes + 3, 6);
		region[6] = '\0';
		return 0;
	}
	/* A URL whose query has region=<region> ('?' or '&' before it). */
	for (size_t i = 1; i + klen <= len; i++) {
		if ((bytes[i - 1] != '?' && bytes[i - 1] != '&') || memcmp(bytes + i, key, klen))
			continue;
		if (six_digits(bytes + i + klen, len - i - klen)) {
			memcpy(region, bytes + i + klen, 6);
			region[6] = '\0';
			return 0;
		}
	}
	return -1;
}

int snt_code_is_text(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (!p || len == 0)
		return 0;
	while (i < len) {
		uint32_t c = p[i];
		size_t n;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && (c < 0x10000 || c > 0x10ffff)) ||
		    (c >= 0xd800 && c <= 0xdfff) || (c >= 0x80 && c < 0xa0))
			return 0;
		i += n + 1;
	}
	return 1;
}
