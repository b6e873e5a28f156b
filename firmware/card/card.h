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
 */
#ifndef SNT_CARD_H
#define SNT_CARD_H

#include <stddef.h>
#include <stdint.h>

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

/* snt_card_strerror() - static English text for @err; never NULL. */
const char *snt_card_strerror(enum snt_card_err err);

#endif /* SNT_CARD_H */
