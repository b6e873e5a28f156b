// SPDX-License-Identifier: MIT
/*
 * The visitor screen drawn with Cairo and Pango (see screen.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "common/i18n.h"
#include "screen/screen.h"

#define FONT_FAMILY "Noto Sans CJK SC"
#define MAX_ITEMS 24
#define MAX_MSG_LINES 6
#define ITEM_LEN 256
#define PIXELATE 16		/* a frozen frame is shown at 1/16 of its resolution */

/* What an item of text is on the screen: where and how large it is drawn. */
enum role {
	R_HOME,		/* header, left */
	R_CLOCK,	/* header, right */
	R_TITLE1,	/* the main line: the first language's title */
	R_TITLE2,	/* the second language's title */
	R_TEMP,		/* temperature */
	R_MSG,		/* a line of the message */
	R_PHONE,	/* duty phone */
	R_MARK,		/* a state mark along the bottom */
};

struct item {
	enum role role;
	char text[ITEM_LEN];
};

struct composed {
	struct item items[MAX_ITEMS];
	int n;
};

struct look {
	double bg[3];		/* panel colour */
	double fg[3];		/* text and icon colour on it */
	const char *zh, *en;	/* title */
	bool phone;		/* shows the duty phone */
};

/* Colours: Material-like, with a dark text on amber (contrast >= 4.5:1). */
static const struct look looks[SNT_SCREEN_STATE_COUNT] = {
	[SNT_SCREEN_IDLE] = { { 0.07, 0.21, 0.36 }, { 1, 1, 1 }, "请出示健康码", "Show your health code", true },
	[SNT_SCREEN_PREVIEW] = { { 0.06, 0.08, 0.10 }, { 1, 1, 1 }, "请将健康码放入框内",
				 "Hold your code in the frame", false },
	[SNT_SCREEN_MEASURING] = { { 0.05, 0.35, 0.43 }, { 1, 1, 1 }, "请看向测温区", "Look at the sensor",
				   false },
	[SNT_SCREEN_REMEASURE] = { { 0.05, 0.35, 0.43 }, { 1, 1, 1 }, "请再测一次", "Measure again", false },
	[SNT_SCREEN_ADMIT] = { { 0.12, 0.56, 0.24 }, { 1, 1, 1 }, "请通行", "Please enter", false },
	[SNT_SCREEN_DENY] = { { 0.77, 0.13, 0.12 }, { 1, 1, 1 }, "禁止入内", "Entry refused", true },
	[SNT_SCREEN_REFER] = { { 0.98, 0.67, 0.0 }, { 0.13, 0.13, 0.14 }, "请稍候，工作人员马上到",
			       "Please wait for staff", true },
	[SNT_SCREEN_FEVER] = { { 0.77, 0.13, 0.12 }, { 1, 1, 1 }, "体温异常 请等候",
			       "High temperature: please wait", true },
	[SNT_SCREEN_FAULT] = { { 0.37, 0.39, 0.41 }, { 1, 1, 1 }, "系统故障 暂停通行",
			       "System fault: gate locked", true },
	[SNT_SCREEN_FIRE] = { { 0.91, 0.44, 0.04 }, { 0.13, 0.13, 0.14 }, "火警 门已打开 请疏散",
			      "Fire alarm: doors open, evacuate", false },
	[SNT_SCREEN_STALE] = { { 0.98, 0.67, 0.0 }, { 0.13, 0.13, 0.14 }, "规则已过期 请工作人员核验",
			       "Rules out of date: staff check", true },
	[SNT_SCREEN_EXIT] = { { 0.12, 0.56, 0.24 }, { 1, 1, 1 }, "请通行", "Exit: please go through", false },
	[SNT_SCREEN_NOT_ENROLLED] = { { 0.37, 0.39, 0.41 }, { 1, 1, 1 }, "本机未登记",
				      "Gate not enrolled", true },
	[SNT_SCREEN_IDCARD] = { { 0.05, 0.35, 0.43 }, { 1, 1, 1 }, "请放置身份证", "Place your ID card", false },
	[SNT_SCREEN_AGE] = { { 0.98, 0.67, 0.0 }, { 0.13, 0.13, 0.14 }, "年龄不符合探视规定",
			     "Age outside the visiting rule", true },
};

static const char *const state_names[SNT_SCREEN_STATE_COUNT] = {
	[SNT_SCREEN_IDLE] = "idle",
	[SNT_SCREEN_PREVIEW] = "preview",
	[SNT_SCREEN_MEASURING] = "measuring",
	[SNT_SCREEN_REMEASURE] = "remeasure",
	[SNT_SCREEN_ADMIT] = "admit",
	[SNT_SCREEN_DENY] = "deny",
	[SNT_SCREEN_REFER] = "refer",
	[SNT_SCREEN_FEVER] = "fever",
	[SNT_SCREEN_FAULT] = "fault",
	[SNT_SCREEN_FIRE] = "fire",
	[SNT_SCREEN_STALE] = "stale",
	[SNT_SCREEN_EXIT] = "exit",
	[SNT_SCREEN_NOT_ENROLLED] = "not-enrolled",
	[SNT_SCREEN_IDCARD] = "idcard",
	[SNT_SCREEN_AGE] = "age",
};

static const char *const err_text[] = {
	[SNT_SCREEN_OK] = N_("success"),
	[SNT_SCREEN_ERR_INVAL] = N_("invalid argument"),
	[SNT_SCREEN_ERR_NOMEM] = N_("out of memory"),
	[SNT_SCREEN_ERR_CAIRO] = N_("Cairo/Pango drawing failed"),
	[SNT_SCREEN_ERR_IO] = N_("the image could not be written"),
};

struct snt_screen_renderer {
	int w, h;
	enum snt_screen_order order;
	PangoFontMap *fontmap;
	PangoContext *pango;
	PangoFontDescription *font;
	uint32_t *own;			/* own frame buffer, w * h */
	/* camera frame converted to XRGB, grown as needed */
	uint32_t *cam;
	size_t cam_cap;
	/* the camera area of the last preview screen */
	double cam_x, cam_y, cam_w, cam_h;
	double panel[3];
};

const char *snt_screen_strerror(enum snt_screen_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

const char *snt_screen_state_name(enum snt_screen_state s)
{
	return snt_table_text(state_names, SNT_ARRAY_SIZE(state_names), s, "?");
}

int snt_screen_state_from_name(const char *name, enum snt_screen_state *out)
{
	int i = name ? snt_name_index(state_names, SNT_SCREEN_STATE_COUNT, name) : -1;

	if (i < 0)
		return -1;
	*out = (enum snt_screen_state)i;
	return 0;
}

int snt_screen_order_from_name(const char *name, enum snt_screen_order *out)
{
	if (!name || !out)
		return -1;
	if (!strcmp(name, "zh,en"))
		*out = SNT_SCREEN_ZH_FIRST;
	else if (!strcmp(name, "en,zh"))
		*out = SNT_SCREEN_EN_FIRST;
	else
		return -1;
	return 0;
}

/*
 * Copy at most @len bytes of @src into @dst (ITEM_LEN bytes), never cutting a
 * UTF-8 sequence, with invalid bytes (a config's home name, say) replaced by
 * U+FFFD, so Pango gets valid UTF-8 only.
 */
static void copy_text(char *dst, const char *src, size_t len)
{
	gchar *valid;

	if (len >= ITEM_LEN) {
		len = ITEM_LEN - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
	}
	if (g_utf8_validate(src, (gssize)len, NULL)) {
		memcpy(dst, src, len);
		dst[len] = '\0';
		return;
	}
	valid = g_utf8_make_valid(src, (gssize)len);
	len = strlen(valid);
	if (len >= ITEM_LEN) {
		len = ITEM_LEN - 1;
		while (len > 0 && ((unsigned char)valid[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, valid, len);
	dst[len] = '\0';
	g_free(valid);
}

static void add(struct composed *c, enum role role, const char *text)
{
	if (c->n >= MAX_ITEMS || !text || !text[0])
		return;
	c->items[c->n].role = role;
	copy_text(c->items[c->n].text, text, strlen(text));
	c->n++;
}

/* Whether @line is one of the title's two lines (then it is not repeated). */
static bool is_title(const struct look *l, const char *line)
{
	return !strcmp(line, l->zh) || !strcmp(line, l->en);
}

/* Everything @s puts on the screen, in drawing order (screen.h). */
static int compose(enum snt_screen_order order, const struct snt_screen *s, struct composed *c)
{
	const struct look *l;
	char lines[MAX_MSG_LINES][ITEM_LEN];
	int nl = 0;
	char buf[ITEM_LEN];

	if ((unsigned int)s->state >= SNT_SCREEN_STATE_COUNT)
		return -1;
	l = &looks[s->state];
	c->n = 0;
	add(c, R_HOME, s->home);
	add(c, R_CLOCK, s->clock_text);
	if (s->state == SNT_SCREEN_PREVIEW && s->frozen) {
		add(c, R_TITLE1, order == SNT_SCREEN_ZH_FIRST ? "已读取" : "Code read");
		add(c, R_TITLE2, order == SNT_SCREEN_ZH_FIRST ? "Code read" : "已读取");
	} else {
		add(c, R_TITLE1, order == SNT_SCREEN_ZH_FIRST ? l->zh : l->en);
		add(c, R_TITLE2, order == SNT_SCREEN_ZH_FIRST ? l->en : l->zh);
	}
	if (s->has_temp) {
		snprintf(buf, sizeof(buf), "%.1f °C", s->temp_mdc / 1000.0);
		add(c, R_TEMP, buf);
	}
	/* The message lines, in the language order (the caller gives Chinese first). */
	for (const char *p = s->text; p && *p && nl < MAX_MSG_LINES;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		copy_text(lines[nl], p, len);
		if (len && !is_title(l, lines[nl]))
			nl++;
		p = e ? e + 1 : p + strlen(p);
	}
	for (int i = 0; i < nl; i++)
		add(c, R_MSG, lines[order == SNT_SCREEN_ZH_FIRST ? i : nl - 1 - i]);
	if (l->phone && s->duty_phone && s->duty_phone[0]) {
		if (order == SNT_SCREEN_ZH_FIRST)
			snprintf(buf, sizeof(buf), "值班电话 Duty phone %s", s->duty_phone);
		else
			snprintf(buf, sizeof(buf), "Duty phone 值班电话 %s", s->duty_phone);
		add(c, R_PHONE, buf);
	}
	if (s->state == SNT_SCREEN_PREVIEW || s->state == SNT_SCREEN_MEASURING ||
	    s->state == SNT_SCREEN_REMEASURE)
		return 0;
	if (s->clock_untrusted)
		add(c, R_MARK, order == SNT_SCREEN_ZH_FIRST ? "时钟未校准 Clock not trusted" :
							       "Clock not trusted 时钟未校准");
	if (s->rules_stale && s->state != SNT_SCREEN_STALE)
		add(c, R_MARK, order == SNT_SCREEN_ZH_FIRST ? "规则过期 Rules stale" : "Rules stale 规则过期");
	if (s->offline)
		add(c, R_MARK, order == SNT_SCREEN_ZH_FIRST ? "离线 Offline" : "Offline 离线");
	if (s->unsynced > 0) {
		if (order == SNT_SCREEN_ZH_FIRST)
			snprintf(buf, sizeof(buf), "未同步 %lld 条 Unsynced", (long long)s->unsynced);
		else
			snprintf(buf, sizeof(buf), "Unsynced %lld 未同步", (long long)s->unsynced);
		add(c, R_MARK, buf);
	}
	return 0;
}

int snt_screen_texts(const struct snt_screen_renderer *r, const struct snt_screen *s, char *buf,
		     size_t size)
{
	struct composed c;
	size_t need = 0;

	if (!r || !s || !buf || size == 0 || compose(r->order, s, &c) < 0)
		return -1;
	buf[0] = '\0';
	for (int i = 0; i < c.n; i++) {
		size_t len = strlen(c.items[i].text);

		if (need + len + 1 < size) {
			memcpy(buf + need, c.items[i].text, len);
			buf[need + len] = '\n';
			buf[need + len + 1] = '\0';
		} else if (need < size) {
			buf[need] = '\0';
		}
		need += len + 1;
	}
	return (int)need;
}

enum snt_screen_err snt_screen_renderer_new(int width, int height, enum snt_screen_order order,
					    struct snt_screen_renderer **out)
{
	struct snt_screen_renderer *r;

	if (!out)
		return SNT_SCREEN_ERR_INVAL;
	*out = NULL;
	if (width < SNT_SCREEN_MIN_SIDE || height < SNT_SCREEN_MIN_SIDE || width > SNT_SCREEN_MAX_SIDE ||
	    height > SNT_SCREEN_MAX_SIDE || (order != SNT_SCREEN_ZH_FIRST && order != SNT_SCREEN_EN_FIRST))
		return SNT_SCREEN_ERR_INVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return SNT_SCREEN_ERR_NOMEM;
	r->w = width;
	r->h = height;
	r->order = order;
	r->own = calloc((size_t)width * (size_t)height, sizeof(uint32_t));
	if (!r->own)
		goto err_nomem;
	r->fontmap = pango_cairo_font_map_new();
	if (!r->fontmap)
		goto err_cairo;
	r->pango = pango_font_map_create_context(r->fontmap);
	r->font = pango_font_description_from_string(FONT_FAMILY);
	if (!r->pango || !r->font)
		goto err_cairo;
	*out = r;
	return SNT_SCREEN_OK;

err_nomem:
	snt_screen_renderer_free(r);
	return SNT_SCREEN_ERR_NOMEM;
err_cairo:
	snt_screen_renderer_free(r);
	return SNT_SCREEN_ERR_CAIRO;
}

void snt_screen_renderer_free(struct snt_screen_renderer *r)
{
	if (!r)
		return;
	if (r->font)
		pango_font_description_free(r->font);
	if (r->pango)
		g_object_unref(r->pango);
	if (r->fontmap)
		g_object_unref(r->fontmap);
	free(r->cam);
	free(r->own);
	free(r);
}

/*
 * A layout of @text at @px pixels, @bold or not, wrapped to @width pixels
 * (<= 0: no wrapping), at most @lines lines (ellipsised after), the caller
 * unrefs it.
 */
static PangoLayout *layout(struct snt_screen_renderer *r, const char *text, double px, bool bold,
			   double width, int lines)
{
	PangoLayout *lo = pango_layout_new(r->pango);

	if (!lo)
		return NULL;
	pango_font_description_set_absolute_size(r->font, px * PANGO_SCALE);
	pango_font_description_set_weight(r->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(lo, r->font);
	if (width > 0) {
		pango_layout_set_width(lo, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(lo, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_ellipsize(lo, PANGO_ELLIPSIZE_END);
		pango_layout_set_height(lo, -lines);
	}
	pango_layout_set_text(lo, text, -1);
	return lo;
}

/* Draw the layout @lo at (@x, @y) top-left in colour @rgb, then release it; return @h. */
static double show_layout(cairo_t *cr, PangoLayout *lo, double x, double y, const double rgb[3], int h)
{
	cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, lo);
	g_object_unref(lo);
	return h;
}

/* Draw @text at (@x, @y) top-left; return its logical height in pixels. */
static double text_at(cairo_t *cr, struct snt_screen_renderer *r, const char *text, double x, double y,
		      double px, bool bold, double width, int lines, const double rgb[3])
{
	PangoLayout *lo = layout(r, text, px, bold, width, lines);
	int w, h;

	if (!lo)
		return 0;
	pango_layout_get_pixel_size(lo, &w, &h);
	return show_layout(cr, lo, x, y, rgb, h);
}

/*
 * The main line: at @px, shrunk to fit @width on one line, but never below
 * height / 12 of logical extent (then it wraps).  Returns the height drawn,
 * and the line's own height in *line_px.
 */
static double main_line(cairo_t *cr, struct snt_screen_renderer *r, const char *text, double x, double y,
			double px, double width, const double rgb[3], int *line_px)
{
	double min_px = r->h / 12.0 / 1.2;
	PangoLayout *lo = NULL;
	int w = 0, h = 0;

	for (;;) {
		lo = layout(r, text, px, true, 0, 1);
		if (!lo)
			return 0;
		pango_layout_get_pixel_size(lo, &w, &h);
		if (w <= width || px * 0.9 < min_px)
			break;
		g_object_unref(lo);
		px *= 0.9;
	}
	if (w > width) {
		g_object_unref(lo);
		lo = layout(r, text, px, true, width, 2);
		if (!lo)
			return 0;
		pango_layout_get_pixel_size(lo, &w, &h);
	}
	{
		PangoLayoutLine *ll = pango_layout_get_line_readonly(lo, 0);
		PangoRectangle ink, logical;

		pango_layout_line_get_pixel_extents(ll, &ink, &logical);
		*line_px = logical.height;
	}
	return show_layout(cr, lo, x, y, rgb, h);
}

/* The state's icon in a disc of radius @rad at (@cx, @cy): never colour alone. */
static void icon(cairo_t *cr, enum snt_screen_state st, double cx, double cy, double rad,
		 const struct look *l)
{
	const double *bg = l->bg;

	cairo_save(cr);
	cairo_set_source_rgb(cr, l->fg[0], l->fg[1], l->fg[2]);
	cairo_arc(cr, cx, cy, rad, 0, 2 * M_PI);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, bg[0], bg[1], bg[2]);
	cairo_set_line_width(cr, rad / 5.5);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	switch (st) {
	case SNT_SCREEN_ADMIT:	/* tick */
		cairo_move_to(cr, cx - 0.45 * rad, cy + 0.02 * rad);
		cairo_line_to(cr, cx - 0.12 * rad, cy + 0.36 * rad);
		cairo_line_to(cr, cx + 0.48 * rad, cy - 0.34 * rad);
		cairo_stroke(cr);
		break;
	case SNT_SCREEN_DENY:	/* cross */
		cairo_move_to(cr, cx - 0.38 * rad, cy - 0.38 * rad);
		cairo_line_to(cr, cx + 0.38 * rad, cy + 0.38 * rad);
		cairo_move_to(cr, cx + 0.38 * rad, cy - 0.38 * rad);
		cairo_line_to(cr, cx - 0.38 * rad, cy + 0.38 * rad);
		cairo_stroke(cr);
		break;
	case SNT_SCREEN_REFER:	/* a clock: wait */
	case SNT_SCREEN_AGE:
		cairo_set_line_width(cr, rad / 8);
		cairo_arc(cr, cx, cy, 0.6 * rad, 0, 2 * M_PI);
		cairo_move_to(cr, cx, cy - 0.4 * rad);
		cairo_line_to(cr, cx, cy);
		cairo_line_to(cr, cx + 0.3 * rad, cy + 0.15 * rad);
		cairo_stroke(cr);
		break;
	case SNT_SCREEN_MEASURING:
	case SNT_SCREEN_REMEASURE:
	case SNT_SCREEN_FEVER:	/* thermometer */
		cairo_set_line_width(cr, rad / 9);
		cairo_move_to(cr, cx - 0.12 * rad, cy + 0.25 * rad);
		cairo_line_to(cr, cx - 0.12 * rad, cy - 0.5 * rad);
		cairo_arc(cr, cx, cy - 0.5 * rad, 0.12 * rad, M_PI, 0);
		cairo_line_to(cr, cx + 0.12 * rad, cy + 0.25 * rad);
		cairo_stroke(cr);
		cairo_arc(cr, cx, cy + 0.42 * rad, 0.22 * rad, 0, 2 * M_PI);
		cairo_fill(cr);
		if (st == SNT_SCREEN_FEVER) {	/* and the level high */
			cairo_rectangle(cr, cx - 0.06 * rad, cy - 0.5 * rad, 0.12 * rad, 0.8 * rad);
			cairo_fill(cr);
		}
		break;
	case SNT_SCREEN_FAULT:
	case SNT_SCREEN_NOT_ENROLLED:	/* padlock: gate locked */
		cairo_set_line_width(cr, rad / 9);
		cairo_arc(cr, cx, cy - 0.1 * rad, 0.25 * rad, M_PI, 0);
		cairo_stroke(cr);
		cairo_rectangle(cr, cx - 0.4 * rad, cy - 0.1 * rad, 0.8 * rad, 0.55 * rad);
		cairo_fill(cr);
		break;
	case SNT_SCREEN_FIRE:
	case SNT_SCREEN_STALE:	/* warning sign */
		cairo_move_to(cr, cx, cy - 0.55 * rad);
		cairo_line_to(cr, cx + 0.55 * rad, cy + 0.42 * rad);
		cairo_line_to(cr, cx - 0.55 * rad, cy + 0.42 * rad);
		cairo_close_path(cr);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, l->fg[0], l->fg[1], l->fg[2]);
		cairo_set_line_width(cr, rad / 9);
		cairo_move_to(cr, cx, cy - 0.22 * rad);
		cairo_line_to(cr, cx, cy + 0.12 * rad);
		cairo_stroke(cr);
		cairo_arc(cr, cx, cy + 0.28 * rad, rad / 16, 0, 2 * M_PI);
		cairo_fill(cr);
		break;
	case SNT_SCREEN_IDCARD:	/* a card: its outline, a photo square, two lines of text */
		cairo_set_line_width(cr, rad / 14);
		cairo_rectangle(cr, cx - 0.55 * rad, cy - 0.35 * rad, 1.1 * rad, 0.7 * rad);
		cairo_stroke(cr);
		cairo_rectangle(cr, cx + 0.15 * rad, cy - 0.2 * rad, 0.28 * rad, 0.36 * rad);
		cairo_fill(cr);
		cairo_move_to(cr, cx - 0.42 * rad, cy - 0.1 * rad);
		cairo_line_to(cr, cx + 0.02 * rad, cy - 0.1 * rad);
		cairo_move_to(cr, cx - 0.42 * rad, cy + 0.1 * rad);
		cairo_line_to(cr, cx + 0.02 * rad, cy + 0.1 * rad);
		cairo_stroke(cr);
		break;
	case SNT_SCREEN_EXIT:	/* arrow */
		cairo_move_to(cr, cx - 0.45 * rad, cy);
		cairo_line_to(cr, cx + 0.4 * rad, cy);
		cairo_move_to(cr, cx + 0.1 * rad, cy - 0.3 * rad);
		cairo_line_to(cr, cx + 0.42 * rad, cy);
		cairo_line_to(cr, cx + 0.1 * rad, cy + 0.3 * rad);
		cairo_stroke(cr);
		break;
	case SNT_SCREEN_IDLE:
	case SNT_SCREEN_PREVIEW:
	default:	/* a code: three finder squares */
		for (int i = 0; i < 3; i++) {
			double x = cx + (i == 1 ? 0.08 : -0.5) * rad, y = cy + (i == 2 ? 0.08 : -0.5) * rad;

			cairo_set_line_width(cr, rad / 14);
			cairo_rectangle(cr, x, y, 0.42 * rad, 0.42 * rad);
			cairo_stroke(cr);
			cairo_rectangle(cr, x + 0.12 * rad, y + 0.12 * rad, 0.18 * rad, 0.18 * rad);
			cairo_fill(cr);
		}
		cairo_rectangle(cr, cx + 0.12 * rad, cy + 0.12 * rad, 0.3 * rad, 0.3 * rad);
		cairo_fill(cr);
		break;
	}
	cairo_restore(cr);
}

/* @frame as XRGB pixels in r->cam (frame size, stride width * 4). */
static int convert_frame(struct snt_screen_renderer *r, const struct snt_frame *f)
{
	size_t n = (size_t)f->width * f->height;

	if (!f->data || f->width == 0 || f->height == 0 || f->width > SNT_SCREEN_MAX_SIDE ||
	    f->height > SNT_SCREEN_MAX_SIDE)
		return -1;
	if (n > r->cam_cap) {
		uint32_t *p = realloc(r->cam, n * sizeof(*p));

		if (!p)
			return -1;
		r->cam = p;
		r->cam_cap = n;
	}
	for (unsigned int y = 0; y < f->height; y++) {
		const uint8_t *s = f->data + (size_t)y * f->stride;
		uint32_t *d = r->cam + (size_t)y * f->width;

		switch (f->fmt) {
		case SNT_PIXFMT_RGB24:
			for (unsigned int x = 0; x < f->width; x++, s += 3)
				d[x] = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
			break;
		case SNT_PIXFMT_GREY:
			for (unsigned int x = 0; x < f->width; x++)
				d[x] = (uint32_t)s[x] * 0x010101u;
			break;
		case SNT_PIXFMT_YUYV:
			/* BT.601 limited range, integer form. */
			for (unsigned int x = 0; x < f->width; x++) {
				const uint8_t *q = s + (x & ~1u) * 2;
				int yv = 298 * ((x & 1 ? q[2] : q[0]) - 16), u = q[1] - 128, v = q[3] - 128;
				int cr = (yv + 409 * v + 128) >> 8, cg = (yv - 100 * u - 208 * v + 128) >> 8,
				    cb = (yv + 516 * u + 128) >> 8;

				cr = cr < 0 ? 0 : cr > 255 ? 255 : cr;
				cg = cg < 0 ? 0 : cg > 255 ? 255 : cg;
				cb = cb < 0 ? 0 : cb > 255 ? 255 : cb;
				d[x] = (uint32_t)cr << 16 | (uint32_t)cg << 8 | (uint32_t)cb;
			}
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* The camera area: the frame mirrored and scaled to fit, the code frame over it. */
static void draw_camera(cairo_t *cr, struct snt_screen_renderer *r, const struct snt_frame *f,
			bool frozen)
{
	double x = r->cam_x, y = r->cam_y, w = r->cam_w, h = r->cam_h, side, gx, gy, k;

	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	cairo_set_source_rgb(cr, 0.02, 0.02, 0.02);
	cairo_fill(cr);
	if (f && convert_frame(r, f) == 0) {
		cairo_surface_t *src = cairo_image_surface_create_for_data(
			(unsigned char *)r->cam, CAIRO_FORMAT_RGB24, (int)f->width, (int)f->height,
			(int)f->width * 4);
		double sc = fmin(w / f->width, h / f->height);
		double dw = f->width * sc, dh = f->height * sc;

		cairo_surface_t *small = NULL;

		if (frozen && cairo_surface_status(src) == CAIRO_STATUS_SUCCESS) {
			/* The frame read stays, pixelated: no readable code on the screen. */
			int sw = (int)f->width / PIXELATE > 0 ? (int)f->width / PIXELATE : 1;
			int shh = (int)f->height / PIXELATE > 0 ? (int)f->height / PIXELATE : 1;
			cairo_t *c2;

			small = cairo_image_surface_create(CAIRO_FORMAT_RGB24, sw, shh);
			c2 = cairo_create(small);
			cairo_scale(c2, (double)sw / f->width, (double)shh / f->height);
			cairo_set_source_surface(c2, src, 0, 0);
			cairo_pattern_set_filter(cairo_get_source(c2), CAIRO_FILTER_GOOD);
			cairo_paint(c2);
			cairo_destroy(c2);
			cairo_surface_flush(small);
		}
		if (cairo_surface_status(src) == CAIRO_STATUS_SUCCESS) {
			cairo_rectangle(cr, x, y, w, h);
			cairo_clip(cr);
			/* Mirrored, as a mirror shows the visitor. */
			cairo_translate(cr, x + (w + dw) / 2, y + (h - dh) / 2);
			cairo_scale(cr, -sc, sc);
			if (small && cairo_surface_status(small) == CAIRO_STATUS_SUCCESS) {
				cairo_scale(cr, (double)f->width / cairo_image_surface_get_width(small),
					    (double)f->height / cairo_image_surface_get_height(small));
				cairo_set_source_surface(cr, small, 0, 0);
			} else {
				cairo_set_source_surface(cr, src, 0, 0);
			}
			cairo_pattern_set_filter(cairo_get_source(cr), small ? CAIRO_FILTER_NEAREST :
										CAIRO_FILTER_FAST);
			cairo_paint(cr);
		}
		cairo_surface_destroy(small);
		cairo_surface_destroy(src);
	}
	cairo_restore(cr);
	/* The code frame: corner brackets, green with a tick when the code was read. */
	side = fmin(w, h) * 0.62;
	gx = x + (w - side) / 2;
	gy = y + (h - side) / 2;
	k = side / 5;
	cairo_save(cr);
	if (frozen)
		cairo_set_source_rgb(cr, 0.2, 0.85, 0.35);
	else
		cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_set_line_width(cr, r->h / 90.0);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
	for (int i = 0; i < 4; i++) {
		double cx = gx + (i & 1 ? side : 0), cy = gy + (i & 2 ? side : 0);
		double dx = i & 1 ? -k : k, dy = i & 2 ? -k : k;

		cairo_move_to(cr, cx + dx, cy);
		cairo_line_to(cr, cx, cy);
		cairo_line_to(cr, cx, cy + dy);
	}
	cairo_stroke(cr);
	cairo_restore(cr);
}

static enum snt_screen_err draw(struct snt_screen_renderer *r, const struct snt_screen *s,
				cairo_t *cr, int *main_px)
{
	const struct look *l = &looks[s->state];
	const double W = r->w, H = r->h;
	const double head = H / 12, pad = W / 40;
	struct composed c;
	double tx, tw, y, rad, cy;
	int line_px = 0, marks = 0;
	const char *t1 = NULL, *t2 = NULL;
	double foot_y;

	if (compose(r->order, s, &c) < 0)
		return SNT_SCREEN_ERR_INVAL;
	memcpy(r->panel, l->bg, sizeof(r->panel));
	cairo_set_source_rgb(cr, l->bg[0], l->bg[1], l->bg[2]);
	cairo_paint(cr);
	/* Header: the home's name and the time on a darker band. */
	cairo_set_source_rgba(cr, 0, 0, 0, 0.25);
	cairo_rectangle(cr, 0, 0, W, head);
	cairo_fill(cr);
	for (int i = 0; i < c.n; i++) {
		const struct item *it = &c.items[i];

		if (it->role == R_HOME)
			text_at(cr, r, it->text, pad, head * 0.2, H / 28, false, W * 0.7, 1, l->fg);
		else if (it->role == R_CLOCK) {
			PangoLayout *lo = layout(r, it->text, H / 28, true, 0, 1);
			int w, h;

			if (lo) {
				pango_layout_get_pixel_size(lo, &w, &h);
				g_object_unref(lo);
				text_at(cr, r, it->text, W - pad - w, head * 0.2, H / 28, true, 0, 1, l->fg);
			}
		} else if (it->role == R_TITLE1)
			t1 = it->text;
		else if (it->role == R_TITLE2)
			t2 = it->text;
		else if (it->role == R_MARK)
			marks++;
	}

	/* Left: the icon, or the camera on a preview. */
	if (s->state == SNT_SCREEN_PREVIEW) {
		r->cam_x = pad;
		r->cam_y = head + pad;
		r->cam_h = H - head - 2 * pad;
		r->cam_w = fmin(W * 0.55, r->cam_h * 4 / 3);
		draw_camera(cr, r, s->frame, s->frozen);
		tx = r->cam_x + r->cam_w + pad;
	} else {
		rad = fmin(H * 0.2, W * 0.13);
		icon(cr, s->state, pad + rad + W * 0.02, head + (H - head) * 0.45, rad, l);
		tx = pad + 2 * rad + W * 0.06;
	}
	tw = W - tx - pad;

	/* Right: the titles, the temperature, the message, the duty phone. */
	y = head + H * 0.07;
	if (t1)
		y += main_line(cr, r, t1, tx, y, H / 9, tw, l->fg, &line_px);
	if (t2)
		y += text_at(cr, r, t2, tx, y, H / 15, true, tw, 2, l->fg) + H * 0.02;
	for (int i = 0; i < c.n; i++) {
		const struct item *it = &c.items[i];

		if (it->role == R_TEMP)
			y += text_at(cr, r, it->text, tx, y, H / 10, true, tw, 1, l->fg) + H * 0.01;
	}
	foot_y = marks ? H - H / 14 : H;
	for (int i = 0; i < c.n; i++) {
		const struct item *it = &c.items[i];

		if (it->role == R_MSG && y < foot_y - H / 8)
			y += text_at(cr, r, it->text, tx, y, H / 26, false, tw, 2, l->fg);
	}
	for (int i = 0; i < c.n; i++) {
		const struct item *it = &c.items[i];

		if (it->role == R_PHONE)
			text_at(cr, r, it->text, tx, fmax(y + H * 0.02, foot_y - H / 9), H / 20, true, tw, 1,
				l->fg);
	}
	/* Measuring: a progress bar under the text. */
	if ((s->state == SNT_SCREEN_MEASURING || s->state == SNT_SCREEN_REMEASURE) && s->progress >= 0) {
		int p = s->progress > 100 ? 100 : s->progress;

		cy = H - H / 8;
		cairo_set_source_rgba(cr, l->fg[0], l->fg[1], l->fg[2], 0.3);
		cairo_rectangle(cr, tx, cy, tw, H / 30);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, l->fg[0], l->fg[1], l->fg[2]);
		cairo_rectangle(cr, tx, cy, tw * p / 100, H / 30);
		cairo_fill(cr);
	}
	/* State marks along the bottom, each with a dot. */
	if (marks) {
		double mx = pad;

		cairo_set_source_rgba(cr, 0, 0, 0, 0.25);
		cairo_rectangle(cr, 0, foot_y, W, H - foot_y);
		cairo_fill(cr);
		for (int i = 0; i < c.n; i++) {
			const struct item *it = &c.items[i];
			PangoLayout *lo;
			int w, h;

			if (it->role != R_MARK)
				continue;
			lo = layout(r, it->text, H / 34, false, 0, 1);
			if (!lo)
				continue;
			pango_layout_get_pixel_size(lo, &w, &h);
			cairo_set_source_rgb(cr, l->fg[0], l->fg[1], l->fg[2]);
			cairo_arc(cr, mx + H / 120, foot_y + (H - foot_y) / 2, H / 120, 0, 2 * M_PI);
			cairo_fill(cr);
			cairo_move_to(cr, mx + H / 40, foot_y + (H - foot_y - h) / 2);
			pango_cairo_show_layout(cr, lo);
			g_object_unref(lo);
			mx += H / 40 + w + pad;
		}
	}
	if (main_px)
		*main_px = line_px;
	return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? SNT_SCREEN_OK : SNT_SCREEN_ERR_CAIRO;
}

static cairo_surface_t *surface_for(const struct snt_screen_renderer *r, uint32_t *pixels,
				    size_t stride)
{
	if (stride < (size_t)r->w * 4 || stride % 4 || stride > (size_t)SNT_SCREEN_MAX_SIDE * 16)
		return NULL;
	return cairo_image_surface_create_for_data((unsigned char *)pixels, CAIRO_FORMAT_RGB24, r->w, r->h,
						   (int)stride);
}

enum snt_screen_err snt_screen_render(struct snt_screen_renderer *r, const struct snt_screen *s,
				      uint32_t *pixels, size_t stride, int *main_px)
{
	enum snt_screen_err err;
	cairo_surface_t *sf;
	cairo_t *cr;

	if (!r || !s || !pixels || (unsigned int)s->state >= SNT_SCREEN_STATE_COUNT)
		return SNT_SCREEN_ERR_INVAL;
	sf = surface_for(r, pixels, stride);
	if (!sf)
		return SNT_SCREEN_ERR_INVAL;
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(sf);
		return SNT_SCREEN_ERR_CAIRO;
	}
	cr = cairo_create(sf);
	pango_cairo_update_context(cr, r->pango);
	err = draw(r, s, cr, main_px);
	cairo_destroy(cr);
	cairo_surface_flush(sf);
	cairo_surface_destroy(sf);
	return err;
}

enum snt_screen_err snt_screen_render_preview(struct snt_screen_renderer *r,
					      const struct snt_frame *frame, bool frozen,
					      uint32_t *pixels, size_t stride)
{
	enum snt_screen_err err = SNT_SCREEN_OK;
	cairo_surface_t *sf;
	cairo_t *cr;

	if (!r || !pixels || r->cam_w <= 0)
		return SNT_SCREEN_ERR_INVAL;
	sf = surface_for(r, pixels, stride);
	if (!sf)
		return SNT_SCREEN_ERR_INVAL;
	cr = cairo_create(sf);
	draw_camera(cr, r, frame, frozen);
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		err = SNT_SCREEN_ERR_CAIRO;
	cairo_destroy(cr);
	cairo_surface_flush(sf);
	cairo_surface_destroy(sf);
	return err;
}

enum snt_screen_err snt_screen_render_own(struct snt_screen_renderer *r, const struct snt_screen *s,
					  int *main_px)
{
	if (!r)
		return SNT_SCREEN_ERR_INVAL;
	return snt_screen_render(r, s, r->own, (size_t)r->w * 4, main_px);
}

uint32_t *snt_screen_pixels(struct snt_screen_renderer *r, size_t *stride)
{
	if (!r)
		return NULL;
	if (stride)
		*stride = (size_t)r->w * 4;
	return r->own;
}

enum snt_screen_err snt_screen_write_png(struct snt_screen_renderer *r, const char *path)
{
	cairo_surface_t *sf;
	cairo_status_t st;

	if (!r || !path || !path[0])
		return SNT_SCREEN_ERR_INVAL;
	sf = cairo_image_surface_create_for_data((unsigned char *)r->own, CAIRO_FORMAT_RGB24, r->w, r->h,
						 r->w * 4);
	errno = 0;
	st = cairo_surface_write_to_png(sf, path);
	cairo_surface_destroy(sf);
	if (st == CAIRO_STATUS_NO_MEMORY)
		return SNT_SCREEN_ERR_NOMEM;
	return st == CAIRO_STATUS_SUCCESS ? SNT_SCREEN_OK : SNT_SCREEN_ERR_IO;
}
