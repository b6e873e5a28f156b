/* SPDX-License-Identifier: MIT */
/*
 * card: the printable card of a staff badge or a visit pass, ID-1 size
 * (ISO/IEC 7810: 85.60 x 53.98 mm), as a PNG at 300 dpi (1011 x 638
 * pixels) or a one-page PDF of that size.
 *
 * The QR code (ISO/IEC 18004, level M, encoded by libqrencode, drawn with
 * its 4-module quiet zone) fills the left square; the right column holds,
 * bilingual (Chinese first) and drawn with Cairo and Pango in Noto Sans CJK
 * (Debian's fonts-noto-cjk, as the visitor screen):
 *   badge: "员工证 / Staff badge", the home, "工号 Ref" and the issue date,
 *          and the gates when it names some;
 *   pass:  "访客通行证 / Visit pass", the home, "访客 Visitor" (the name as
 *          the pass carries it, masked: snt_credential), "编号 ID",
 *          "有效 Valid" from and until, "次数 Entries", and the gates.
 * The text is drawn as outlines (a PDF card embeds no font).
 * Times are local, in the process's time zone (snt_clock_use_zone()), as
 * "YYYY-MM-DD HH:MM".  Nothing but the credential's own fields is drawn:
 * a card never shows more of a person than the QR code holds.
 *
 * Issuing (issue.c): snt_card_issue() turns what staff type (the options
 * of `sentinel-bureau badge issue`, `pass issue` and `sentinelctl pass
 * issue`) into a signed credential (rules.h snt_credential_issue(), with
 * the bureau's key or a gate's device key), its QR code as a PNG (drawn by
 * the qrencode program) and its card; one code for both programs.  Its
 * messages are translated (gettext, domain "sentinel").
 */
#ifndef SNT_CARD_H
#define SNT_CARD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/common.h"
#include "rules/rules.h"

#define SNT_CARD_PNG_WIDTH 1011		/* pixels of the PNG card: 85.60 mm at 300 dpi */
#define SNT_CARD_PNG_HEIGHT 638		/* 53.98 mm at 300 dpi */

enum snt_card_format {
	SNT_CARD_PNG = 0,
	SNT_CARD_PDF,
};

enum snt_card_err {
	SNT_CARD_OK = 0,
	SNT_CARD_ERR_INVAL,	/* NULL argument, empty text, unknown format */
	SNT_CARD_ERR_TOO_LONG,	/* the text does not fit a QR code at level M */
	SNT_CARD_ERR_NOMEM,
	SNT_CARD_ERR_DRAW,	/* Cairo or Pango failed (a surface, a font map) */
	SNT_CARD_ERR_USAGE,	/* snt_card_issue(): an option that is missing or wrong (the message names it) */
	SNT_CARD_ERR_IO,	/* snt_card_issue(): an output could not be written (the message names it) */
	SNT_CARD_ERR_SIGN,	/* snt_card_issue(): the key could not sign */
};

/*
 * snt_card_render() - draw the card of @c with the QR code of @qr_text.
 * @c: the credential as issued (snt_credential_issue()); its fields are
 *     drawn as they are (the visitor name is the masked one it carries).
 * @qr_text: the credential's QR text ("SNB1:...", NUL-terminated).
 * @fmt: SNT_CARD_PNG or SNT_CARD_PDF.
 * @out, @out_len: receive the file's bytes (malloc(); the caller frees).
 * Return: SNT_CARD_OK; SNT_CARD_ERR_INVAL; SNT_CARD_ERR_TOO_LONG when
 * @qr_text needs more than QR version 40 at level M; SNT_CARD_ERR_NOMEM;
 * SNT_CARD_ERR_DRAW.  On error *@out is NULL.
 */
enum snt_card_err snt_card_render(const struct snt_credential *c, const char *qr_text,
				  enum snt_card_format fmt, uint8_t **out, size_t *out_len) SNT_WUR;

/* snt_card_format_for() - SNT_CARD_PDF when @path ends in ".pdf" (any case), else SNT_CARD_PNG. */
enum snt_card_format snt_card_format_for(const char *path);

/*
 * What staff type to issue a badge or pass, borrowed; NULL: not given.
 * Times take snt_review_parse_time()'s forms (local time of the process's
 * zone, a day, RFC 3339) or ms since the epoch.
 */
struct snt_card_request {
	enum snt_credential_kind kind;
	const char *home;		/* --home: the gates' [station] home */
	const char *gates[SNT_CREDENTIAL_MAX_GATES];	/* --gate: only these gates */
	size_t n_gates;
	const char *ref;		/* badge: --ref, the roster reference */
	const char *id;			/* pass: --id, 1-32 printable ASCII */
	const char *visitor;		/* pass: --visitor, the name (masked before signing) */
	const char *from, *until;	/* pass: --from, --until: the window [from, until) */
	const char *uses;		/* pass: --uses, 1-100 (default 1) */
	const char *card_hash;		/* pass: --card-hash, 64 hex digits (the keyed hash of an ID number) */
	const char *issued;		/* --issued (default: now) */
	const char *out;		/* --out: the QR code as PNG ("-": standard output) */
	const char *card;		/* --card: the printable card, PNG or PDF ("-": standard output) */
};

/*
 * snt_card_mask_name() - @name masked as the gate masks the names it logs
 * (snt_verify_mask_name(): "张三" -> "张*", "Gabriele Musterfrau" -> "G*
 * M*"): the first word taken as the given name, the rest as the family
 * name; an already masked name stays as it is.
 * Return: 0, or -1 for text that is not a name (empty, not UTF-8, control
 * characters, 96 bytes or more).
 */
int snt_card_mask_name(const char *name, char out[SNT_RULES_NAME_LEN]) SNT_WUR;

/*
 * snt_card_write_file() - write @len bytes of @buf to @path through
 * "<@path>.tmp" (created O_NOFOLLOW, 0644), fsync'd and renamed over
 * @path; "-" is standard output.
 * Return: 0, or -1 with errno set (the temporary file removed).
 */
int snt_card_write_file(const char *path, const void *buf, size_t len) SNT_WUR;

/*
 * snt_card_hex() - @hex (an even count of hex digits) into @out.
 * Return: the byte count, or -1 when not hex or not @min-@max bytes.
 */
int snt_card_hex(const char *hex, uint8_t *out, size_t min, size_t max) SNT_WUR;

/*
 * snt_card_issue() - build the credential @r asks for (issued at @now_ms
 * unless --issued), sign it with @key (the bureau's, or a gate's device
 * key for a pass), then write @r->out (qrencode) and @r->card.
 * @c: receives the credential; @text: receives its QR text (free()).
 * @why, @n: on error one translated line naming the option or file.
 * Return: SNT_CARD_OK; SNT_CARD_ERR_INVAL (NULL); SNT_CARD_ERR_USAGE (a
 * missing or wrong option); SNT_CARD_ERR_SIGN; SNT_CARD_ERR_IO;
 * snt_card_render()'s errors; SNT_CARD_ERR_NOMEM.  On error *@text is NULL
 * (an output written before the error stays).
 */
enum snt_card_err snt_card_issue(const struct snt_card_request *r, EVP_PKEY *key, int64_t now_ms,
				 struct snt_credential *c, char **text, char *why, size_t n) SNT_WUR;

/*
 * snt_card_summary() - the translated one-line summary of an issued @c
 * (QR text @text) with where @r wrote it, ending in a newline, into @buf.
 */
void snt_card_summary(const struct snt_card_request *r, const struct snt_credential *c, const char *text, char *buf,
		      size_t n);

/* snt_card_strerror() - static English text for @err; never NULL. */
const char *snt_card_strerror(enum snt_card_err err);

#endif /* SNT_CARD_H */
