// SPDX-License-Identifier: MIT
/*
 * card: a badge's or a pass's printable card (card.h), drawn in
 * millimetres onto a Cairo image (PNG) or PDF surface.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "card/card.h"
#include "common/i18n.h"

#define FONT_FAMILY "Noto Sans CJK SC"

/* ID-1 in millimetres, and the parts of the card. */
#define CARD_W_MM 85.60
#define CARD_H_MM 53.98
#define PNG_DPI 300.0
#define MM_PER_INCH 25.4
#define PT_PER_INCH 72.0
#define MARGIN_MM 3.0
#define QR_MM (CARD_H_MM - 2 * MARGIN_MM)	/* the QR square, quiet zone included */
#define QR_QUIET 4				/* modules of quiet zone (ISO/IEC 18004) */
#define COL_X_MM (MARGIN_MM + QR_MM + 1.5)	/* the text column */
#define COL_W_MM (CARD_W_MM - COL_X_MM - MARGIN_MM)

struct membuf {
	uint8_t *data;
	size_t len, cap;
	bool failed;
};

struct pen {
	cairo_t *cr;
	PangoContext *pango;
	PangoFontDescription *font;
	double y;		/* next line's top, mm */
};

static cairo_status_t mem_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct membuf *m = closure;

	if (m->len + length > m->cap) {
		size_t cap = m->cap ? m->cap : 16384;
		uint8_t *p;

		while (cap < m->len + length)
			cap *= 2;
		p = realloc(m->data, cap);
		if (!p) {
			m->failed = true;
			return CAIRO_STATUS_NO_MEMORY;
		}
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + m->len, data, length);
	m->len += length;
	return CAIRO_STATUS_SUCCESS;
}

/* @ms as local "YYYY-MM-DD HH:MM" (or the date alone) into @buf. */
static void local_time(int64_t ms, bool date_only, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, size, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M", &tm))
		snt_strlcpy(buf, "?", size);
}

/* A layout of @s, @size_mm high, at most @width_mm wide and @lines lines. */
static PangoLayout *layout(struct pen *p, const char *s, double size_mm, bool bold, double width_mm, int lines)
{
	PangoLayout *lo = pango_layout_new(p->pango);

	pango_font_description_set_absolute_size(p->font, size_mm * PANGO_SCALE);
	pango_font_description_set_weight(p->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(lo, p->font);
	pango_layout_set_width(lo, (int)(width_mm * PANGO_SCALE));
	pango_layout_set_wrap(lo, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_ellipsize(lo, PANGO_ELLIPSIZE_END);
	pango_layout_set_height(lo, -lines);
	pango_layout_set_text(lo, s, -1);
	return lo;
}

/* @lo at (@x, the pen) in @grey; returns its width and height in mm. */
static void show(struct pen *p, PangoLayout *lo, double x, double grey, double *w, double *h)
{
	int pw, ph;

	/* As outlines: a PDF then embeds no font (Cairo 1.16 keeps part of an embedded CJK subset). */
	cairo_set_source_rgb(p->cr, grey, grey, grey);
	cairo_move_to(p->cr, x, p->y);
	pango_cairo_layout_path(p->cr, lo);
	cairo_fill(p->cr);
	pango_layout_get_size(lo, &pw, &ph);
	*w = (double)pw / PANGO_SCALE;
	*h = (double)ph / PANGO_SCALE;
}

/* One block of text at the pen, @size_mm high, wrapped to the column in at most @lines lines. */
static void text(struct pen *p, const char *s, double size_mm, bool bold, int lines, double grey)
{
	PangoLayout *lo = layout(p, s, size_mm, bold, COL_W_MM, lines);
	double w, h;

	show(p, lo, COL_X_MM, grey, &w, &h);
	p->y += h;
	g_object_unref(lo);
}

#define LABEL_MM 1.6
#define VALUE_MM 2.4

/* A label (small, grey) and its value on the lines below it. */
static void field(struct pen *p, const char *label, const char *value, int lines)
{
	text(p, label, LABEL_MM, false, 1, 0.40);
	text(p, value, VALUE_MM, true, lines, 0.0);
	p->y += 0.5;
}

/* A label and its value on one line, the value ellipsized to what is left of the column. */
static void field_inline(struct pen *p, const char *label, const char *value)
{
	PangoLayout *lab = layout(p, label, LABEL_MM, false, COL_W_MM, 1), *val;
	PangoRectangle ink, logical;
	double lw, lh, vw, vh, base_l, base_v;

	pango_layout_get_extents(lab, &ink, &logical);
	lw = (double)logical.width / PANGO_SCALE + 1.0;
	val = layout(p, value, VALUE_MM, true, COL_W_MM - lw, 1);
	/* Both on one baseline. */
	base_l = (double)pango_layout_get_baseline(lab) / PANGO_SCALE;
	base_v = (double)pango_layout_get_baseline(val) / PANGO_SCALE;
	p->y += base_v - base_l;
	show(p, lab, COL_X_MM, 0.40, &vw, &lh);
	p->y -= base_v - base_l;
	show(p, val, COL_X_MM + lw, 0.0, &vw, &vh);
	p->y += vh + 0.5;
	g_object_unref(lab);
	g_object_unref(val);
}

/* The QR code of @qr in the left square, each module a whole number of device units on a PNG. */
static void draw_qr(cairo_t *cr, const QRcode *qr, double dev_per_mm, bool snap)
{
	int n = qr->width + 2 * QR_QUIET;
	double side = QR_MM * dev_per_mm, mod = side / n, x0 = MARGIN_MM * dev_per_mm, y0 = x0;

	if (snap) {
		mod = (double)(int)mod;
		x0 = (double)(int)(x0 + (side - mod * n) / 2);
		y0 = x0;
	}
	cairo_save(cr);
	cairo_identity_matrix(cr);
	cairo_set_antialias(cr, snap ? CAIRO_ANTIALIAS_NONE : CAIRO_ANTIALIAS_DEFAULT);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x0, y0, mod * n, mod * n);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				cairo_rectangle(cr, x0 + (x + QR_QUIET) * mod, y0 + (y + QR_QUIET) * mod, mod, mod);
	cairo_fill(cr);
	cairo_restore(cr);
}

static void draw_text(struct pen *p, const struct snt_credential *c)
{
	bool pass = c->kind == SNT_CREDENTIAL_PASS;
	char a[64], b[64], line[160], gates[SNT_CREDENTIAL_MAX_GATES * SNT_RULES_GATE_LEN + 16];

	/* The kind, in colour: a badge green, a pass blue. */
	cairo_set_source_rgb(p->cr, pass ? 0.10 : 0.05, pass ? 0.30 : 0.45, pass ? 0.65 : 0.20);
	cairo_rectangle(p->cr, COL_X_MM, MARGIN_MM, COL_W_MM, 0.9);
	cairo_fill(p->cr);
	p->y = MARGIN_MM + 1.5;
	text(p, pass ? "访客通行证" : "员工证", 3.4, true, 1, 0.0);
	text(p, pass ? "Visit pass" : "Staff badge", 2.1, false, 1, 0.25);
	p->y += 0.6;
	text(p, c->home, 2.5, true, 2, 0.0);
	p->y += 0.6;
	if (pass) {
		field_inline(p, "访客 Visitor", c->visitor);
		field_inline(p, "编号 ID", c->id);
		local_time(c->from_ms, false, a, sizeof(a));
		local_time(c->until_ms, false, b, sizeof(b));
		snprintf(line, sizeof(line), "%s\n– %s", a, b);
		field(p, "有效 Valid", line, 2);
		snprintf(line, sizeof(line), "%u", (unsigned)c->uses);
		field_inline(p, "次数 Entries", line);
	} else {
		field_inline(p, "工号 Ref", c->ref);
		local_time(c->issued_ms, true, a, sizeof(a));
		field_inline(p, "签发 Issued", a);
	}
	if (c->n_gates) {
		size_t off = (size_t)snprintf(gates, sizeof(gates), "门 Gates: ");

		for (size_t i = 0; i < c->n_gates && off < sizeof(gates); i++)
			off += (size_t)snprintf(gates + off, sizeof(gates) - off, "%s%s", i ? ", " : "", c->gates[i]);
		text(p, gates, LABEL_MM, false, 2, 0.40);
	}
}

static enum snt_card_err draw(cairo_surface_t *surface, double dev_per_mm, bool snap,
			      const struct snt_credential *c, const QRcode *qr)
{
	PangoFontMap *fontmap = NULL;
	cairo_font_options_t *fo = NULL;
	struct pen p = { 0 };
	enum snt_card_err err = SNT_CARD_ERR_DRAW;

	p.cr = cairo_create(surface);
	if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS)
		goto out;
	cairo_scale(p.cr, dev_per_mm, dev_per_mm);
	cairo_set_source_rgb(p.cr, 1, 1, 1);
	cairo_paint(p.cr);
	/* The card's edge, for cutting out. */
	cairo_set_source_rgb(p.cr, 0.7, 0.7, 0.7);
	cairo_set_line_width(p.cr, 0.2);
	cairo_rectangle(p.cr, 0.1, 0.1, CARD_W_MM - 0.2, CARD_H_MM - 0.2);
	cairo_stroke(p.cr);
	draw_qr(p.cr, qr, dev_per_mm, snap);

	fontmap = pango_cairo_font_map_new();
	if (!fontmap)
		goto out;
	p.pango = pango_font_map_create_context(fontmap);
	p.font = pango_font_description_from_string(FONT_FAMILY);
	fo = cairo_font_options_create();
	if (!p.pango || !p.font || cairo_font_options_status(fo) != CAIRO_STATUS_SUCCESS)
		goto out;
	/* Millimetre units: metrics hinting would round each line to a whole millimetre. */
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(p.pango, fo);
	pango_context_set_round_glyph_positions(p.pango, FALSE);
	pango_cairo_update_context(p.cr, p.pango);
	draw_text(&p, c);
	cairo_surface_flush(surface);
	err = cairo_status(p.cr) == CAIRO_STATUS_SUCCESS ? SNT_CARD_OK : SNT_CARD_ERR_DRAW;
out:
	if (fo)
		cairo_font_options_destroy(fo);
	if (p.font)
		pango_font_description_free(p.font);
	if (p.pango)
		g_object_unref(p.pango);
	if (fontmap)
		g_object_unref(fontmap);
	cairo_destroy(p.cr);
	return err;
}

enum snt_card_err snt_card_render(const struct snt_credential *c, const char *qr_text,
				  enum snt_card_format fmt, uint8_t **out, size_t *out_len)
{
	struct membuf m = { 0 };
	cairo_surface_t *surface;
	enum snt_card_err err;
	QRcode *qr;

	if (out)
		*out = NULL;
	if (out_len)
		*out_len = 0;
	if (!c || !qr_text || !*qr_text || !out || !out_len || (fmt != SNT_CARD_PNG && fmt != SNT_CARD_PDF))
		return SNT_CARD_ERR_INVAL;
	errno = 0;
	qr = QRcode_encodeString(qr_text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return errno == ENOMEM ? SNT_CARD_ERR_NOMEM : SNT_CARD_ERR_TOO_LONG;
	if (fmt == SNT_CARD_PNG) {
		surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, SNT_CARD_PNG_WIDTH, SNT_CARD_PNG_HEIGHT);
		err = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
			      ? draw(surface, PNG_DPI / MM_PER_INCH, true, c, qr) : SNT_CARD_ERR_DRAW;
		if (!err && cairo_surface_write_to_png_stream(surface, mem_write, &m) != CAIRO_STATUS_SUCCESS)
			err = m.failed ? SNT_CARD_ERR_NOMEM : SNT_CARD_ERR_DRAW;
		cairo_surface_destroy(surface);
	} else {
		surface = cairo_pdf_surface_create_for_stream(mem_write, &m, CARD_W_MM * PT_PER_INCH / MM_PER_INCH,
							      CARD_H_MM * PT_PER_INCH / MM_PER_INCH);
		err = SNT_CARD_ERR_DRAW;
		if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
			cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
						       c->kind == SNT_CREDENTIAL_PASS ? "Visit pass" : "Staff badge");
			cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "sentinel-bureau");
			err = draw(surface, PT_PER_INCH / MM_PER_INCH, false, c, qr);
		}
		cairo_surface_finish(surface);
		if (!err && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
			err = m.failed ? SNT_CARD_ERR_NOMEM : SNT_CARD_ERR_DRAW;
		cairo_surface_destroy(surface);
	}
	QRcode_free(qr);
	if (err) {
		free(m.data);
		return err;
	}
	*out = m.data;
	*out_len = m.len;
	return SNT_CARD_OK;
}

enum snt_card_format snt_card_format_for(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n >= 4 && !strcasecmp(path + n - 4, ".pdf") ? SNT_CARD_PDF : SNT_CARD_PNG;
}

static const char *const err_text[] = {
	[SNT_CARD_OK] = N_("ok"),
	[SNT_CARD_ERR_INVAL] = N_("invalid argument"),
	[SNT_CARD_ERR_TOO_LONG] = N_("text too long for a QR code"),
	[SNT_CARD_ERR_NOMEM] = N_("out of memory"),
	[SNT_CARD_ERR_DRAW] = N_("drawing failed (Cairo or Pango)"),
	[SNT_CARD_ERR_USAGE] = N_("an option is missing or wrong"),
	[SNT_CARD_ERR_IO] = N_("an output could not be written"),
	[SNT_CARD_ERR_SIGN] = N_("the key could not sign"),
};

const char *snt_card_strerror(enum snt_card_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}
