// SPDX-License-Identifier: MIT
/*
 * idcard: ID number check digit, SAM frames, the card's text block.
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/common.h"
#include "common/i18n.h"
#include "idcard/idcard.h"

const uint8_t snt_idcard_preamble[SNT_IDCARD_PREAMBLE_LEN] = { 0xAA, 0xAA, 0xAA, 0x96, 0x69 };

/* GB 11643-1999 8.2: W(i) = 2^(i-1) mod 11 for a(18) .. a(2). */
static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };

/* UTF-8 of 长期 (U+957F U+671F): a card without end. */
static const char long_term[] = "\xe9\x95\xbf\xe6\x9c\x9f";

/* The fields of the text block in order: member offset, byte width, name. */
struct field {
	size_t off;
	size_t cap;
	size_t width;
	const char *name;
};

#define FIELD(m, w) { offsetof(struct snt_idcard_text, m), sizeof(((struct snt_idcard_text *)0)->m), w, #m }
static const struct field fields[] = {
	FIELD(name, SNT_IDCARD_W_NAME),
	FIELD(sex, SNT_IDCARD_W_SEX),
	FIELD(nation, SNT_IDCARD_W_NATION),
	FIELD(birth, SNT_IDCARD_W_BIRTH),
	FIELD(address, SNT_IDCARD_W_ADDRESS),
	FIELD(number, SNT_IDCARD_W_NUMBER),
	FIELD(authority, SNT_IDCARD_W_AUTHORITY),
	FIELD(valid_from, SNT_IDCARD_W_VALID_FROM),
	FIELD(valid_to, SNT_IDCARD_W_VALID_TO),
};
#undef FIELD

_Static_assert(SNT_IDCARD_W_NAME + SNT_IDCARD_W_SEX + SNT_IDCARD_W_NATION + SNT_IDCARD_W_BIRTH +
		       SNT_IDCARD_W_ADDRESS + SNT_IDCARD_W_NUMBER + SNT_IDCARD_W_AUTHORITY +
		       SNT_IDCARD_W_VALID_FROM + SNT_IDCARD_W_VALID_TO + SNT_IDCARD_W_RESERVED ==
		       SNT_IDCARD_TEXT_LEN,
	       "the fields fill the text block");

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

char snt_idcard_check_digit(const char *first17)
{
	int sum = 0;

	if (!first17)
		return 0;
	for (size_t i = 0; i < 17; i++) {
		if (first17[i] < '0' || first17[i] > '9')
			return 0;
		sum += (first17[i] - '0') * weights[i];
	}
	/* a(1) = (12 - sum mod 11) mod 11, so that the whole sum is 1 mod 11. */
	int c = (12 - sum % 11) % 11;

	return c == 10 ? 'X' : (char)('0' + c);
}

enum snt_idcard_err snt_idcard_number_check(const char *number)
{
	if (!number)
		return SNT_IDCARD_ERR_INVAL;
	if (strlen(number) != SNT_IDCARD_NUMBER_LEN)
		return SNT_IDCARD_ERR_NUMBER;
	for (size_t i = 0; i < 17; i++)
		if (number[i] < '0' || number[i] > '9')
			return SNT_IDCARD_ERR_NUMBER;
	char last = number[17] == 'x' ? 'X' : number[17];

	if (last != 'X' && (last < '0' || last > '9'))
		return SNT_IDCARD_ERR_NUMBER;
	return snt_idcard_check_digit(number) == last ? SNT_IDCARD_OK : SNT_IDCARD_ERR_CHECK_DIGIT;
}

enum snt_idcard_err snt_idcard_frame_encode(const uint8_t *body, size_t body_len, uint8_t *out, size_t size,
					    size_t *out_len)
{
	if (!body || !out || !out_len || body_len == 0 || body_len > SNT_IDCARD_BODY_MAX)
		return SNT_IDCARD_ERR_INVAL;
	if (size < body_len + SNT_IDCARD_FRAME_OVERHEAD)
		return SNT_IDCARD_ERR_NOSPACE;
	size_t n = body_len + 1;
	uint8_t chk;

	memcpy(out, snt_idcard_preamble, SNT_IDCARD_PREAMBLE_LEN);
	out[5] = (uint8_t)(n >> 8);
	out[6] = (uint8_t)n;
	memcpy(out + 7, body, body_len);
	chk = 0;
	for (size_t i = 5; i < 7 + body_len; i++)
		chk ^= out[i];
	out[7 + body_len] = chk;
	*out_len = body_len + SNT_IDCARD_FRAME_OVERHEAD;
	return SNT_IDCARD_OK;
}

enum snt_idcard_err snt_idcard_command(uint8_t cmd, uint8_t para, uint8_t *out, size_t size, size_t *out_len)
{
	const uint8_t body[2] = { cmd, para };

	return snt_idcard_frame_encode(body, sizeof(body), out, size, out_len);
}

enum snt_idcard_err snt_idcard_frame_decode(const uint8_t *buf, size_t len, struct snt_idcard_frame *f,
					    size_t *used)
{
	size_t i;

	if (used)
		*used = 0;
	if (!buf || !f || !used)
		return SNT_IDCARD_ERR_INVAL;
	/* The first full preamble, or a partial one at the end. */
	for (i = 0; i < len; i++) {
		size_t k = 0;

		while (k < SNT_IDCARD_PREAMBLE_LEN && i + k < len && buf[i + k] == snt_idcard_preamble[k])
			k++;
		if (k == SNT_IDCARD_PREAMBLE_LEN || i + k == len)
			break;
	}
	if (i + SNT_IDCARD_PREAMBLE_LEN + 2 > len) {
		*used = i;
		return SNT_IDCARD_ERR_SHORT;
	}
	size_t n = (size_t)buf[i + 5] << 8 | buf[i + 6];

	if (n < 2 || 7 + n > SNT_IDCARD_FRAME_MAX) {
		*used = i + 1;
		return SNT_IDCARD_ERR_LENGTH;
	}
	if (i + 7 + n > len) {
		*used = i;
		return SNT_IDCARD_ERR_SHORT;
	}
	uint8_t chk = 0;

	for (size_t k = i + 5; k < i + 7 + n - 1; k++)
		chk ^= buf[k];
	if (chk != buf[i + 7 + n - 1]) {
		*used = i + 1;
		return SNT_IDCARD_ERR_CHECKSUM;
	}
	f->body = buf + i + 7;
	f->body_len = n - 1;
	*used = i + 7 + n;
	return SNT_IDCARD_OK;
}

/*
 * iconv of @in (@n bytes) into @out (@cap bytes, NUL-terminated): the bytes
 * written without the NUL, or -1 on any error (invalid or unconvertible
 * input, no room).
 */
static long convert(const char *to, const char *from, const void *in, size_t n, char *out, size_t cap)
{
	iconv_t cd = iconv_open(to, from);
	long rc = 0;
	char *src = (char *)(uintptr_t)in, *dst = out;
	size_t left = n, room = cap - 1;

	if (cd == (iconv_t)-1)
		return -1;
	if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1 || left != 0 ||
	    iconv(cd, NULL, NULL, &dst, &room) == (size_t)-1)
		rc = -1;
	else
		rc = (long)(dst - out);
	iconv_close(cd);
	*dst = '\0';
	return rc;
}

static bool text_safe(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		uint32_t cp;
		int k = snt_utf8_decode((const uint8_t *)s, n, &cp);

		if (k <= 0 || snt_char_unsafe(cp))
			return false;
		s += k;
		n -= (size_t)k;
	}
	return true;
}

static bool field_form_ok(const struct snt_idcard_text *t, size_t idx)
{
	switch (idx) {
	case 0:
		return t->name[0] != '\0';
	case 1:
		return all_digits(t->sex, 1);
	case 2:
		return all_digits(t->nation, 2);
	case 3:
		return all_digits(t->birth, 8);
	case 5:
		if (strlen(t->number) != SNT_IDCARD_NUMBER_LEN)
			return false;
		for (size_t i = 0; i < SNT_IDCARD_NUMBER_LEN; i++)
			if (!((t->number[i] >= '0' && t->number[i] <= '9') ||
			      (i == 17 && (t->number[i] == 'X' || t->number[i] == 'x'))))
				return false;
		return true;
	case 7:
		return all_digits(t->valid_from, 8);
	case 8:
		return all_digits(t->valid_to, 8) || strcmp(t->valid_to, long_term) == 0;
	default:
		return true;
	}
}

enum snt_idcard_err snt_idcard_text_parse(const uint8_t *block, struct snt_idcard_text *out, const char **field)
{
	size_t off = 0;

	if (field)
		*field = NULL;
	if (!block || !out)
		return SNT_IDCARD_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < SNT_ARRAY_SIZE(fields); i++) {
		const struct field *fd = &fields[i];
		const uint8_t *p = block + off;
		size_t n = fd->width;
		char *dst = (char *)out + fd->off;

		off += fd->width;
		/* Padding at the end: spaces, and NULs some modules use. */
		while (n >= 2 && p[n - 1] == 0 && (p[n - 2] == ' ' || p[n - 2] == 0))
			n -= 2;
		if (convert("UTF-8", "UCS-2LE", p, n, dst, fd->cap) < 0 || !text_safe(dst) ||
		    !field_form_ok(out, i)) {
			if (field)
				*field = fd->name;
			memset(out, 0, sizeof(*out));
			return SNT_IDCARD_ERR_TEXT;
		}
	}
	return SNT_IDCARD_OK;
}

enum snt_idcard_err snt_idcard_text_build(const struct snt_idcard_text *in, uint8_t *block, const char **field)
{
	size_t off = 0;

	if (field)
		*field = NULL;
	if (!in || !block)
		return SNT_IDCARD_ERR_INVAL;
	for (size_t i = 0; i < SNT_IDCARD_TEXT_LEN; i += 2) {
		block[i] = ' ';
		block[i + 1] = 0;
	}
	for (size_t i = 0; i < SNT_ARRAY_SIZE(fields); i++) {
		const struct field *fd = &fields[i];
		const char *src = (const char *)in + fd->off;
		char tmp[SNT_IDCARD_W_ADDRESS + 2];
		size_t n = strnlen(src, fd->cap);
		long w = n == fd->cap ? -1 : convert("UCS-2LE", "UTF-8", src, n, tmp, fd->width + 1);

		if (w < 0) {
			if (field)
				*field = fd->name;
			return SNT_IDCARD_ERR_TEXT;
		}
		memcpy(block + off, tmp, (size_t)w);
		off += fd->width;
	}
	return SNT_IDCARD_OK;
}

void snt_idcard_read_response(const uint8_t *block, uint8_t *body)
{
	body[0] = 0x00;
	body[1] = 0x00;
	body[2] = SNT_IDCARD_SW_OK;
	body[3] = SNT_IDCARD_TEXT_LEN >> 8;
	body[4] = SNT_IDCARD_TEXT_LEN & 0xff;
	body[5] = SNT_IDCARD_PHOTO_LEN >> 8;
	body[6] = SNT_IDCARD_PHOTO_LEN & 0xff;
	memcpy(body + 7, block, SNT_IDCARD_TEXT_LEN);
	memset(body + 7 + SNT_IDCARD_TEXT_LEN, 0, SNT_IDCARD_PHOTO_LEN);
}

enum snt_idcard_err snt_idcard_read_text(const uint8_t *body, size_t len, const uint8_t **block)
{
	if (!body || !block)
		return SNT_IDCARD_ERR_INVAL;
	*block = NULL;
	if (len < 7)
		return SNT_IDCARD_ERR_LENGTH;
	size_t text = (size_t)body[3] << 8 | body[4], photo = (size_t)body[5] << 8 | body[6];

	if (text != SNT_IDCARD_TEXT_LEN || 7 + text + photo > len)
		return SNT_IDCARD_ERR_LENGTH;
	*block = body + 7;
	return SNT_IDCARD_OK;
}

static int32_t day_of(const char *s)
{
	return all_digits(s, 8) ? (int32_t)strtol(s, NULL, 10) : -1;
}

enum snt_idcard_validity snt_idcard_validity(const struct snt_idcard_text *t, int32_t day)
{
	int32_t from, to;

	if (!t)
		return SNT_IDCARD_EXPIRED;
	from = day_of(t->valid_from);
	if (from < 0)
		return SNT_IDCARD_EXPIRED;
	if (day < from)
		return SNT_IDCARD_NOT_YET;
	if (strcmp(t->valid_to, long_term) == 0)
		return SNT_IDCARD_VALID;
	to = day_of(t->valid_to);
	if (to < 0 || day > to)
		return SNT_IDCARD_EXPIRED;
	return SNT_IDCARD_VALID;
}

int snt_idcard_age(const char *birth, int32_t day)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int32_t b = birth ? day_of(birth) : -1;
	int y, m, d;

	if (b < 0 || day < b)
		return -1;
	y = b / 10000;
	m = b / 100 % 100;
	d = b % 100;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return -1;
	return (int)(day / 10000 - y) - (day % 10000 < b % 10000 ? 1 : 0);
}

void snt_idcard_mask_name(const char *name, char *buf, size_t size)
{
	uint32_t cp;
	int k;

	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (!name || size < 8)
		return;
	k = snt_utf8_decode((const uint8_t *)name, strlen(name), &cp);
	if (k <= 0 || snt_char_unsafe(cp))
		return;
	memcpy(buf, name, (size_t)k);
	buf[k] = '*';
	buf[k + 1] = '\0';
}

void snt_idcard_last4(const char *number, char *buf, size_t size)
{
	size_t n;

	if (!buf || size == 0)
		return;
	buf[0] = '\0';
	if (!number || size < 5)
		return;
	n = strlen(number);
	if (n < 4)
		return;
	memcpy(buf, number + n - 4, 4);
	buf[4] = '\0';
	if (buf[3] == 'x')
		buf[3] = 'X';
}

int snt_idcard_sex_name(const char *code, const char **zh, const char **en)
{
	static const struct {
		const char *code, *zh, *en;
	} sexes[] = {
		{ "0", "未知的性别", "unknown" },
		{ "1", "男", "male" },
		{ "2", "女", "female" },
		{ "9", "未说明的性别", "not stated" },
	};

	if (zh)
		*zh = NULL;
	if (en)
		*en = NULL;
	if (!code || !zh || !en)
		return -1;
	for (size_t i = 0; i < sizeof(sexes) / sizeof(sexes[0]); i++) {
		if (!strcmp(code, sexes[i].code)) {
			*zh = sexes[i].zh;
			*en = sexes[i].en;
			return 0;
		}
	}
	return -1;
}

int snt_idcard_nation_name(const char *code, const char **zh, const char **en)
{
	/* GB 3304-1991, in the order of its codes 01-56. */
	static const char *const names[][2] = {
		{ "汉族", "Han" }, { "蒙古族", "Mongol" }, { "回族", "Hui" }, { "藏族", "Zang" },
		{ "维吾尔族", "Uygur" }, { "苗族", "Miao" }, { "彝族", "Yi" }, { "壮族", "Zhuang" },
		{ "布依族", "Buyei" }, { "朝鲜族", "Chosen" }, { "满族", "Man" }, { "侗族", "Dong" },
		{ "瑶族", "Yao" }, { "白族", "Bai" }, { "土家族", "Tujia" }, { "哈尼族", "Hani" },
		{ "哈萨克族", "Kazak" }, { "傣族", "Dai" }, { "黎族", "Li" }, { "傈僳族", "Lisu" },
		{ "佤族", "Va" }, { "畲族", "She" }, { "高山族", "Gaoshan" }, { "拉祜族", "Lahu" },
		{ "水族", "Sui" }, { "东乡族", "Dongxiang" }, { "纳西族", "Naxi" }, { "景颇族", "Jingpo" },
		{ "柯尔克孜族", "Kirgiz" }, { "土族", "Tu" }, { "达斡尔族", "Daur" }, { "仫佬族", "Mulao" },
		{ "羌族", "Qiang" }, { "布朗族", "Blang" }, { "撒拉族", "Salar" }, { "毛南族", "Maonan" },
		{ "仡佬族", "Gelao" }, { "锡伯族", "Xibe" }, { "阿昌族", "Achang" }, { "普米族", "Pumi" },
		{ "塔吉克族", "Tajik" }, { "怒族", "Nu" }, { "乌孜别克族", "Uzbek" }, { "俄罗斯族", "Russ" },
		{ "鄂温克族", "Ewenki" }, { "德昂族", "Deang" }, { "保安族", "Bonan" }, { "裕固族", "Yugur" },
		{ "京族", "Gin" }, { "塔塔尔族", "Tatar" }, { "独龙族", "Derung" }, { "鄂伦春族", "Oroqen" },
		{ "赫哲族", "Hezhen" }, { "门巴族", "Monba" }, { "珞巴族", "Lhoba" }, { "基诺族", "Jino" },
	};
	int n;

	if (zh)
		*zh = NULL;
	if (en)
		*en = NULL;
	if (!code || !zh || !en || !isdigit((unsigned char)code[0]) || !isdigit((unsigned char)code[1]) || code[2])
		return -1;
	n = (code[0] - '0') * 10 + (code[1] - '0');
	if (n >= 1 && n <= (int)(sizeof(names) / sizeof(names[0]))) {
		*zh = names[n - 1][0];
		*en = names[n - 1][1];
	} else if (n == 97) {
		*zh = "其他";
		*en = "other";
	} else if (n == 98) {
		*zh = "外国血统中国籍人士";
		*en = "Chinese citizen of foreign origin";
	} else {
		return -1;
	}
	return 0;
}

enum snt_idcard_err snt_idcard_number_hash(const uint8_t *key, size_t key_len, const char *number, uint8_t out[32])
{
	static const char label[] = "sentinel-idcard-v1";
	uint8_t msg[sizeof(label) + SNT_IDCARD_NUMBER_LEN];
	unsigned int md_len = 0;

	if (!key || key_len < 16 || !number || !out || strlen(number) != SNT_IDCARD_NUMBER_LEN)
		return SNT_IDCARD_ERR_INVAL;
	memcpy(msg, label, sizeof(label)); /* with its NUL: the 0x00 separator */
	memcpy(msg + sizeof(label), number, SNT_IDCARD_NUMBER_LEN);
	if (msg[sizeof(msg) - 1] == 'x')
		msg[sizeof(msg) - 1] = 'X';
	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, sizeof(msg), out, &md_len) || md_len != 32)
		return SNT_IDCARD_ERR_INVAL;
	return SNT_IDCARD_OK;
}

static const char *const err_text[] = {
	[SNT_IDCARD_OK] = N_("success"),
	[SNT_IDCARD_ERR_INVAL] = N_("invalid argument"),
	[SNT_IDCARD_ERR_SHORT] = N_("frame incomplete"),
	[SNT_IDCARD_ERR_PREAMBLE] = N_("frame preamble missing"),
	[SNT_IDCARD_ERR_LENGTH] = N_("frame length out of range"),
	[SNT_IDCARD_ERR_CHECKSUM] = N_("frame checksum wrong"),
	[SNT_IDCARD_ERR_NOSPACE] = N_("buffer too small"),
	[SNT_IDCARD_ERR_TEXT] = N_("card text block malformed"),
	[SNT_IDCARD_ERR_NUMBER] = N_("ID number malformed"),
	[SNT_IDCARD_ERR_CHECK_DIGIT] = N_("ID number check digit wrong"),
};

const char *snt_idcard_strerror(enum snt_idcard_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown idcard error"));
}
