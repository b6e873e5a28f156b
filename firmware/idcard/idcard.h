/* SPDX-License-Identifier: MIT */
/*
 * idcard: the second-generation resident ID card (居民身份证) as a SAM reader
 * module returns it, and what the gate derives from it.  Pure: no I/O, no
 * allocation that outlives a call, nothing read from the clock.
 *
 * - The ID number's check digit: GB 11643-1999 "Citizen identification
 *   number", section 8.2, ISO 7064:1983 MOD 11-2.  For the 17 digits a(18)
 *   .. a(2) with weights W(i) = 2^(i-1) mod 11 (7 9 10 5 8 4 2 1 6 3 7 9 10
 *   5 8 4 2), the check character a(1) satisfies
 *   sum(a(i) * W(i), i = 1..18) == 1 (mod 11); the value 10 is written 'X'.
 *
 * - The SAM frame (the reader modules' serial protocol, as public
 *   descriptions give it; no vendor document is public):
 *   - HslCommunication (github.com/dathlin/HslCommunication), class
 *     HslCommunication.Profinet.IDCard.SAMSerial: PackToSAMCommand (the
 *     preamble, LEN, XOR over LEN and body), CheckADSCommandAndSum,
 *     SearchCard/SelectCard/ReadCard (20 01 -> 9F, 20 02 -> 90, 30 01),
 *     ExtractIdentityCard (the text block at byte 14, 256 bytes of UCS-2LE,
 *     the field widths below; the photo's 1024 bytes after it) and the
 *     status codes of GetErrorDescription;
 *   - BearPi's ZKT SDK (github.com/Yangyuanxin/BearPi,
 *     10.ZKT_BearPi/ZKT_SDK/IDReader.h): the same preamble and command
 *     pairs on a microcontroller's UART, with reset-SAM 01 FF and
 *     SAM-status 11 FF besides.
 *
 *     AA AA AA 96 69   preamble (5 bytes)
 *     LEN              2 bytes, big-endian: the bytes after it, checksum
 *                      included (body length + 1)
 *     BODY             command: CMD PARA [data]; response: SW1 SW2 SW3 [data]
 *     CHK              1 byte: XOR of the two LEN bytes and every BODY byte
 *
 *   Commands: find card 20 01, select card 20 02, read text (and photo)
 *   30 01.  SW3 is the status: 0x90 done, 0x9F card found, 0x80 no card
 *   found, 0x81 select failed, 0x41 read failed (the card left the field),
 *   0x10 checksum of the command wrong, others per SNT_IDCARD_SW_*.
 *   The read-text response data: text length (2 bytes, big-endian, 256),
 *   photo length (2 bytes, 1024), the text block, the photo (WLT, ignored).
 *
 * - The text block: 256 bytes of UCS-2LE, fixed-width fields padded with
 *   spaces (U+0020), in this order and these byte widths: name 30, sex 2
 *   (GB/T 2261.1 code: "1" male, "2" female), nation 4 (GB 3304 code,
 *   "01".."56"), birth 16 ("YYYYMMDD"), address 70, ID number 36, issuing
 *   authority 30, validity start 16 ("YYYYMMDD"), validity end 16
 *   ("YYYYMMDD" or "长期" for a card without end), reserved 36.
 */
#ifndef SNT_IDCARD_H
#define SNT_IDCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

enum snt_idcard_err {
	SNT_IDCARD_OK = 0,
	SNT_IDCARD_ERR_INVAL,		/* NULL argument or a bad size */
	SNT_IDCARD_ERR_SHORT,		/* frame: more bytes are needed */
	SNT_IDCARD_ERR_PREAMBLE,	/* frame: no AA AA AA 96 69 where the frame starts */
	SNT_IDCARD_ERR_LENGTH,		/* frame: LEN below 2 or above SNT_IDCARD_FRAME_MAX's room */
	SNT_IDCARD_ERR_CHECKSUM,	/* frame: the XOR checksum does not match */
	SNT_IDCARD_ERR_NOSPACE,		/* output buffer too small */
	SNT_IDCARD_ERR_TEXT,		/* text block: not UCS-2 text, or a field of the wrong form */
	SNT_IDCARD_ERR_NUMBER,		/* ID number: not 17 digits and a digit or 'X' */
	SNT_IDCARD_ERR_CHECK_DIGIT,	/* ID number: the check character is wrong (GB 11643) */
};

/* The preamble of every frame, both directions. */
#define SNT_IDCARD_PREAMBLE_LEN 5
extern const uint8_t snt_idcard_preamble[SNT_IDCARD_PREAMBLE_LEN];

/* Frame bytes besides the body: preamble, LEN, checksum. */
#define SNT_IDCARD_FRAME_OVERHEAD 8
/* Largest frame accepted (a read-text response is 1295 bytes). */
#define SNT_IDCARD_FRAME_MAX 2048
#define SNT_IDCARD_BODY_MAX (SNT_IDCARD_FRAME_MAX - SNT_IDCARD_FRAME_OVERHEAD)

/* Commands (CMD, PARA). */
#define SNT_IDCARD_CMD_FIND 0x20
#define SNT_IDCARD_PARA_FIND 0x01
#define SNT_IDCARD_CMD_SELECT 0x20
#define SNT_IDCARD_PARA_SELECT 0x02
#define SNT_IDCARD_CMD_READ 0x30
#define SNT_IDCARD_PARA_READ_TEXT 0x01

/* Status (SW3) values. */
#define SNT_IDCARD_SW_OK 0x90		/* done */
#define SNT_IDCARD_SW_FOUND 0x9F	/* find: a card is in the field */
#define SNT_IDCARD_SW_NO_CARD 0x80	/* find: no card */
#define SNT_IDCARD_SW_SELECT_FAIL 0x81	/* select failed */
#define SNT_IDCARD_SW_READ_FAIL 0x41	/* read failed: the card left the field */
#define SNT_IDCARD_SW_BAD_CHECKSUM 0x10	/* the module got a command with a wrong checksum */
#define SNT_IDCARD_SW_BAD_LENGTH 0x11	/* the module got a command of a wrong length */
#define SNT_IDCARD_SW_BAD_COMMAND 0x21	/* the module does not know the command */

/* The text block and its fields' byte widths. */
#define SNT_IDCARD_TEXT_LEN 256
#define SNT_IDCARD_PHOTO_LEN 1024
#define SNT_IDCARD_W_NAME 30
#define SNT_IDCARD_W_SEX 2
#define SNT_IDCARD_W_NATION 4
#define SNT_IDCARD_W_BIRTH 16
#define SNT_IDCARD_W_ADDRESS 70
#define SNT_IDCARD_W_NUMBER 36
#define SNT_IDCARD_W_AUTHORITY 30
#define SNT_IDCARD_W_VALID_FROM 16
#define SNT_IDCARD_W_VALID_TO 16
#define SNT_IDCARD_W_RESERVED 36

/* The text block's fields in UTF-8, spaces at the end removed. */
#define SNT_IDCARD_NUMBER_LEN 18
struct snt_idcard_text {
	char name[64];		/* up to 15 characters */
	char sex[4];		/* "1" male, "2" female, "0" unknown, "9" unstated */
	char nation[4];		/* two digits */
	char birth[12];		/* "YYYYMMDD" */
	char address[128];	/* up to 35 characters */
	char number[SNT_IDCARD_NUMBER_LEN + 1];	/* 17 digits and a digit or 'X' */
	char authority[64];	/* up to 15 characters */
	char valid_from[12];	/* "YYYYMMDD" */
	char valid_to[12];	/* "YYYYMMDD", or "长期" (no end) */
};

/* A decoded frame: the body, borrowed from the input buffer. */
struct snt_idcard_frame {
	const uint8_t *body;	/* command: CMD PARA data; response: SW1 SW2 SW3 data */
	size_t body_len;
};

/*
 * snt_idcard_check_digit() - the check character of an ID number
 * (GB 11643-1999 8.2, ISO 7064 MOD 11-2).
 * @first17: the first 17 characters (all decimal digits; more may follow).
 * Return: '0'..'9' or 'X'; 0 when @first17 is NULL or not 17 digits.
 */
char snt_idcard_check_digit(const char *first17);

/*
 * snt_idcard_number_check() - whether @number is a well-formed ID number
 * with the right check character (an 'x' is taken as 'X').
 * Return: SNT_IDCARD_OK; SNT_IDCARD_ERR_INVAL for NULL;
 * SNT_IDCARD_ERR_NUMBER when it is not 17 digits and a digit or X;
 * SNT_IDCARD_ERR_CHECK_DIGIT when the check character is wrong.
 */
enum snt_idcard_err snt_idcard_number_check(const char *number) SNT_WUR;

/*
 * snt_idcard_frame_encode() - one frame around @body (@body_len bytes,
 * 1..SNT_IDCARD_BODY_MAX) into @out of @size bytes.
 * @out_len: receives the frame's length (@body_len + 8).
 * Return: SNT_IDCARD_OK; SNT_IDCARD_ERR_INVAL (NULL, or @body_len 0 or above
 * the maximum); SNT_IDCARD_ERR_NOSPACE when @size is too small.
 */
enum snt_idcard_err snt_idcard_frame_encode(const uint8_t *body, size_t body_len, uint8_t *out, size_t size,
					    size_t *out_len) SNT_WUR;

/*
 * snt_idcard_command() - a command frame (CMD, PARA, no data): 10 bytes.
 * @out: at least 10 bytes.
 * Return: as snt_idcard_frame_encode().
 */
enum snt_idcard_err snt_idcard_command(uint8_t cmd, uint8_t para, uint8_t *out, size_t size,
				       size_t *out_len) SNT_WUR;

/*
 * snt_idcard_frame_decode() - the first frame in @buf (@len bytes received
 * so far), for a reader that accumulates bytes and may see line noise.
 * @f: receives the body (pointing into @buf) on success.
 * @used: always receives how many leading bytes of @buf the caller may
 *        drop: the frame's length on success; bytes before the next
 *        possible preamble on SNT_IDCARD_ERR_SHORT (noise is skipped, a
 *        partial preamble at the end is kept); on a bad frame, the bytes up
 *        to just after its first preamble byte, so a search resumes past it.
 * Return: SNT_IDCARD_OK; SNT_IDCARD_ERR_SHORT when no complete frame is in
 * @buf yet; SNT_IDCARD_ERR_LENGTH for a LEN below 2 or a frame above
 * SNT_IDCARD_FRAME_MAX; SNT_IDCARD_ERR_CHECKSUM; SNT_IDCARD_ERR_INVAL for
 * NULL.
 */
enum snt_idcard_err snt_idcard_frame_decode(const uint8_t *buf, size_t len, struct snt_idcard_frame *f,
					    size_t *used) SNT_WUR;

/*
 * snt_idcard_text_parse() - the fields of a 256-byte UCS-2LE text block,
 * converted to UTF-8 (iconv(3)).  Checks each field's form: sex one digit,
 * nation two digits, birth and validity start 8 digits, validity end 8
 * digits or "长期", number 18 characters of digits and X, name not empty,
 * no control characters.  The number's check digit is not checked here
 * (snt_idcard_number_check()).
 * @block: SNT_IDCARD_TEXT_LEN bytes.  @out: receives the fields (zeroed
 * first, also on error).
 * Return: SNT_IDCARD_OK; SNT_IDCARD_ERR_INVAL for NULL;
 * SNT_IDCARD_ERR_TEXT naming nothing personal: the field at fault is in
 * @field (static, e.g. "birth"; may be NULL).
 */
enum snt_idcard_err snt_idcard_text_parse(const uint8_t *block, struct snt_idcard_text *out,
					  const char **field) SNT_WUR;

/*
 * snt_idcard_text_build() - the 256-byte UCS-2LE text block of @in (UTF-8
 * fields, each padded with spaces to its width; reserved all spaces), as a
 * card would return it; the simulated reader uses it.
 * @block: SNT_IDCARD_TEXT_LEN bytes.
 * Return: SNT_IDCARD_OK; SNT_IDCARD_ERR_INVAL for NULL;
 * SNT_IDCARD_ERR_TEXT when a field is not UTF-8 of the BMP or too long for
 * its width (@field names it when not NULL).
 */
enum snt_idcard_err snt_idcard_text_build(const struct snt_idcard_text *in, uint8_t *block,
					  const char **field) SNT_WUR;

/*
 * snt_idcard_read_response() - the body of a read-text response carrying
 * @block: SW 00 00 90, text length 256, photo length 1024, the text, 1024
 * bytes of zero photo.
 * @body: at least SNT_IDCARD_READ_BODY_LEN bytes.
 */
#define SNT_IDCARD_READ_BODY_LEN (3 + 4 + SNT_IDCARD_TEXT_LEN + SNT_IDCARD_PHOTO_LEN)
void snt_idcard_read_response(const uint8_t *block, uint8_t *body);

/*
 * snt_idcard_read_text() - the text block of a read-text response body.
 * @body, @len: the decoded body (SW1 SW2 SW3, lengths, text, photo).
 * @block: receives a pointer to the text block within @body.
 * Return: SNT_IDCARD_OK; SNT_IDCARD_ERR_INVAL for NULL; SNT_IDCARD_ERR_LENGTH
 * when the body is shorter than its lengths say, or the text length is not
 * 256.  (The status is the caller's to check first.)
 */
enum snt_idcard_err snt_idcard_read_text(const uint8_t *body, size_t len, const uint8_t **block) SNT_WUR;

/* Whether a card is valid on a day. */
enum snt_idcard_validity {
	SNT_IDCARD_VALID = 0,
	SNT_IDCARD_NOT_YET,	/* @day is before the validity start */
	SNT_IDCARD_EXPIRED,	/* @day is after the validity end */
};

/*
 * snt_idcard_validity() - whether @t's card is valid on @day (YYYYMMDD as
 * an integer, e.g. 20261207, the local calendar day), the end day included;
 * "长期" has no end.
 * Return: the validity; SNT_IDCARD_EXPIRED also for dates that do not
 * parse (a card that cannot show it is valid is not).
 */
enum snt_idcard_validity snt_idcard_validity(const struct snt_idcard_text *t, int32_t day);

/*
 * snt_idcard_age() - the age in whole years, on @day (YYYYMMDD as an
 * integer, the local calendar day of the visit), of a person born on
 * @birth ("YYYYMMDD", the card's birth field): the years since the birth
 * year, one less when @day's month and day come before the birthday's (one
 * born on 29 February turns a year older on 1 March in other years).
 * Return: the age, 0 or more; -1 when @birth is not 8 digits of a real
 * date or comes after @day.
 */
int snt_idcard_age(const char *birth, int32_t day);

/*
 * snt_idcard_mask_name() - the name as the gate keeps and shows it: its
 * first character (UTF-8) and '*' ("张*"); "" for an empty or invalid name.
 * @buf, @size: receives the text (at least 8 bytes, else "").
 */
void snt_idcard_mask_name(const char *name, char *buf, size_t size);

/*
 * snt_idcard_last4() - the last four characters of @number into @buf (at
 * least 5 bytes); "" when @number is shorter than four.
 */
void snt_idcard_last4(const char *number, char *buf, size_t size);

/*
 * snt_idcard_sex_name() - the name of GB/T 2261.1-2003 ("Classification and
 * codes of basic personal information, part 1: codes of human sexes") sex
 * code @code ("0" unknown, "1" male, "2" female, "9" not stated): *@zh the
 * standard's Chinese name, *@en an English one (static strings).
 * Return: 0; -1 for NULL or another code (*@zh and *@en NULL).
 */
int snt_idcard_sex_name(const char *code, const char **zh, const char **en);

/*
 * snt_idcard_nation_name() - the name of GB 3304-1991 ("Names of
 * nationalities of China in romanization with codes") nationality code
 * @code, two digits: "01" 汉族 Han .. "56" 基诺族 Jino, "97" 其他 (other),
 * "98" 外国血统中国籍人士 (of foreign origin): *@zh the Chinese name, *@en
 * the standard's romanized name (static strings).
 * Return: 0; -1 for NULL or another code (*@zh and *@en NULL).
 */
int snt_idcard_nation_name(const char *code, const char **zh, const char **en);

/*
 * snt_idcard_number_hash() - the keyed hash of an ID number:
 * HMAC-SHA256(@key, "sentinel-idcard-v1" || 0x00 || number with 'x' as 'X').
 * @key, @key_len: the home's key (from the rule set), at least 16 bytes.
 * @out: receives 32 bytes.
 * Return: SNT_IDCARD_OK; SNT_IDCARD_ERR_INVAL for NULL, a short key or a
 * number that is not 18 characters.
 */
enum snt_idcard_err snt_idcard_number_hash(const uint8_t *key, size_t key_len, const char *number,
					   uint8_t out[32]) SNT_WUR;

/* snt_idcard_strerror() - static English text for @err; never NULL. */
const char *snt_idcard_strerror(enum snt_idcard_err err);

#endif /* SNT_IDCARD_H */
