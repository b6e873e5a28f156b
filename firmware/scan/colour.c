// SPDX-License-Identifier: MIT
/*
 * The colour a QR code is drawn in, judged the way a person at the gate
 * would: the dark modules against the white around the code.
 *
 * The quiet zone just outside zbar's corner polygon gives the local white
 * (or, when the frame shows none, the code's own light modules); dividing by
 * it cancels the camera's white balance and the tint of the light (von
 * Kries).  Inside the polygon, the samples furthest from that
 * white are the module cores; their mean colour is classified by hue and
 * chroma, and each core sample votes on its own so a mixed or doubtful
 * picture is reported as unknown.  Green is the one colour that opens the
 * door, so it needs the strongest evidence: its hue window is narrow and
 * any sizeable red or yellow vote vetoes it.
 */
#include <math.h>
#include <string.h>

#include "scan/scan_internal.h"

/* Gauge bounds (1.0 = zbar's polygon) of the inner and quiet-zone samples. */
#define INNER_MAX 0.96f
#define RING_MIN 1.05f
#define RING_MAX 1.18f
/* Samples per region, at most (the sampling step grows to keep to it). */
#define MAX_SAMPLES 40000.0f
#define HBINS 256

/* Thresholds on colours divided by the quiet zone's (0..1). */
#define MIN_RING 50		/* fewer quiet-zone samples: white from the code */
#define MIN_CORE 40		/* fewer module samples: unknown */
#define MIN_INNER_WHITE 400	/* samples of a code with no quiet zone to find its white */
#define MIN_BG_LEVEL 0.25f	/* quiet zone darker than this: no white to judge by */
#define MIN_BG_BALANCE 0.55f	/* quiet zone min/max channel under this: not white */
#define MIN_DARKNESS 0.30f	/* a module sample is at least this far from white */
#define NEUTRAL_CHROMA 0.18f	/* under this the modules are grey or black */
#define BLACK_MAX_VALUE 0.60f	/* neutral modules darker than this are black */
#define MIN_CHROMA 0.25f	/* a coloured code's cores at least this chromatic */
#define MIN_VOTE 0.55f		/* share of core samples that must agree */
#define GREEN_VETO 0.10f	/* red + yellow share that vetoes green */

/* Hue windows in degrees; the gaps between them are unknown. */
#define RED_LO 335.0f
#define RED_HI 18.0f
#define YELLOW_LO 30.0f
#define YELLOW_HI 68.0f
#define GREEN_LO 85.0f
#define GREEN_HI 170.0f
/*
 * A dark-mode code is judged negated (the phone inverts the whole screen),
 * but a screen that draws a red code light on black, not negated, would
 * read cyan and then green once negated.  So a dark-mode code whose modules
 * as shown are red (standard health-code reds are 350-5 degrees) or yellow
 * is never green.
 */
#define SHOWN_RED_LO 345.0f
#define SHOWN_RED_HI 20.0f
/*
 * A code drawn light on a dark ground (an app's dark theme draws the
 * modules in the code's own colour on black) is judged by its bright
 * modules as shown: their hue, and their saturation (chroma over the
 * brightest channel, as there is no white to divide by).  Windows as above,
 * green narrower on the cyan side, where a negated red screen lies
 * (standard reds negated: 175-185 degrees).
 */
#define DRAWN_MIN_LEVEL 0.25f	/* brightest channel of a bright module, at least */
#define DRAWN_MIN_SAT 0.45f	/* saturation of a coloured bright module, at least */
#define DRAWN_GREEN_LO 85.0f
#define DRAWN_GREEN_HI 165.0f
/*
 * A negated screen's red reads cyan as shown and red negated; a green drawn
 * on black reads green as shown and magenta (300-340 degrees) negated.  A
 * negated hue under this is the magenta of a drawn green, not a red.
 */
#define NEGATED_RED_FROM 345.0f

/* Minkowski gauge of a convex quadrilateral about its centroid. */
struct gauge {
	float cx, cy;
	float nx[4], ny[4];	/* outward edge normals divided by the edge's offset */
};

struct bin {
	unsigned int n;
	float sum[3];		/* normalised colour */
	float raw[3];		/* colour as displayed, not negated nor normalised */
	unsigned int vote[5];
	unsigned int drawn[5];	/* votes of the colour as shown (light on dark) */
};

static int gauge_init(struct gauge *g, const int pts[4][2])
{
	float cross_sign = 0;

	g->cx = (float)(pts[0][0] + pts[1][0] + pts[2][0] + pts[3][0]) / 4.0f;
	g->cy = (float)(pts[0][1] + pts[1][1] + pts[2][1] + pts[3][1]) / 4.0f;
	for (int i = 0; i < 4; i++) {
		const int *a = pts[i], *b = pts[(i + 1) % 4], *c = pts[(i + 2) % 4];
		float ex = (float)(b[0] - a[0]), ey = (float)(b[1] - a[1]);
		float fx = (float)(c[0] - b[0]), fy = (float)(c[1] - b[1]);
		float cr = ex * fy - ey * fx;
		float nx = ey, ny = -ex, d;

		/* Convex: every turn in the same direction. */
		if (cr == 0 || (cross_sign != 0 && (cr > 0) != (cross_sign > 0)))
			return -1;
		cross_sign = cr;
		d = nx * ((float)a[0] - g->cx) + ny * ((float)a[1] - g->cy);
		if (d < 0) {
			nx = -nx;
			ny = -ny;
			d = -d;
		}
		if (d < 1e-3f)
			return -1;
		g->nx[i] = nx / d;
		g->ny[i] = ny / d;
	}
	return 0;
}

/* Scale of the polygon (about the centroid) whose edge passes through (x, y). */
static float gauge_at(const struct gauge *g, float x, float y)
{
	float dx = x - g->cx, dy = y - g->cy, m = 0;

	for (int i = 0; i < 4; i++) {
		float v = g->nx[i] * dx + g->ny[i] * dy;

		m = v > m ? v : m;
	}
	return m;
}

/* Hue in degrees of an RGB triple, and its chroma. */
static float hue_of(const float c[3], float *chroma)
{
	float mx = fmaxf(c[0], fmaxf(c[1], c[2]));
	float mn = fminf(c[0], fminf(c[1], c[2]));
	float d = mx - mn, h;

	*chroma = d;
	if (d <= 0)
		return 0;
	if (mx == c[0])
		h = 60.0f * fmodf((c[1] - c[2]) / d + 6.0f, 6.0f);
	else if (mx == c[1])
		h = 60.0f * ((c[2] - c[0]) / d + 2.0f);
	else
		h = 60.0f * ((c[0] - c[1]) / d + 4.0f);
	return h;
}

/* Classify one colour as shown, a bright module on a dark ground. */
static enum snt_colour classify_drawn(const float c[3])
{
	float chroma, h = hue_of(c, &chroma);
	float mx = fmaxf(c[0], fmaxf(c[1], c[2]));

	if (mx < DRAWN_MIN_LEVEL || chroma < DRAWN_MIN_SAT * mx)
		return SNT_COLOUR_UNKNOWN;
	if (h >= SHOWN_RED_LO || h <= SHOWN_RED_HI)
		return SNT_COLOUR_RED;
	if (h >= YELLOW_LO && h <= YELLOW_HI)
		return SNT_COLOUR_YELLOW;
	if (h >= DRAWN_GREEN_LO && h <= DRAWN_GREEN_HI)
		return SNT_COLOUR_GREEN;
	return SNT_COLOUR_UNKNOWN;
}

/* Classify one normalised colour. */
static enum snt_colour classify(const float c[3])
{
	float chroma, h = hue_of(c, &chroma);
	float mx = fmaxf(c[0], fmaxf(c[1], c[2]));

	if (chroma < NEUTRAL_CHROMA)
		return mx < BLACK_MAX_VALUE ? SNT_COLOUR_BLACK : SNT_COLOUR_UNKNOWN;
	if (chroma < MIN_CHROMA)
		return SNT_COLOUR_UNKNOWN;
	if (h >= RED_LO || h <= RED_HI)
		return SNT_COLOUR_RED;
	if (h >= YELLOW_LO && h <= YELLOW_HI)
		return SNT_COLOUR_YELLOW;
	if (h >= GREEN_LO && h <= GREEN_HI)
		return SNT_COLOUR_GREEN;
	return SNT_COLOUR_UNKNOWN;
}

static void pixel(const struct scan__rgb *img, unsigned int x, unsigned int y, int inverted,
		  float c[3])
{
	const uint8_t *p = img->px + (size_t)y * img->stride + (size_t)x * 3;

	for (int k = 0; k < 3; k++)
		c[k] = (float)(inverted ? 255 - p[k] : p[k]) / 255.0f;
}

/*
 * Mean colour of the samples of luma histogram @h (@n samples) between the
 * fractions @lo and @hi of their count, darkest first.  0 on success.
 */
static int white_of(const struct bin *h, unsigned int n, float lo, float hi, float out[3])
{
	double from = (double)n * lo, to = (double)n * hi, acc = 0;
	unsigned int used = 0;

	out[0] = out[1] = out[2] = 0;
	for (unsigned int i = 0; i < HBINS; i++) {
		double start = acc;

		acc += h[i].n;
		/* Whole bins only: the bin that crosses @from is taken too. */
		if (acc <= from || start >= to || h[i].n == 0)
			continue;
		used += h[i].n;
		for (int k = 0; k < 3; k++)
			out[k] += h[i].sum[k];
	}
	if (used == 0)
		return -1;
	for (int k = 0; k < 3; k++)
		out[k] /= (float)used;
	return 0;
}

/* 1 if @bg can stand for white: light enough, and not strongly tinted. */
static int white_ok(const float bg[3])
{
	float mx = fmaxf(bg[0], fmaxf(bg[1], bg[2]));
	float mn = fminf(bg[0], fminf(bg[1], bg[2]));

	return mx >= MIN_BG_LEVEL && mn >= MIN_BG_BALANCE * mx;
}

/* Otsu's threshold of the samples' histogram @h (scan__otsu()); 0 when it has no split. */
static unsigned int otsu(const struct bin *h)
{
	unsigned int n[HBINS];

	for (unsigned int i = 0; i < HBINS; i++)
		n[i] = h[i].n;
	return scan__otsu(n, HBINS, 0);
}

void scan__colour_measure(const struct scan__rgb *img, const int pts[4][2], int inverted,
			  struct scan__colour_stats *st)
{
	struct bin ring[HBINS], inner[HBINS];
	struct gauge g;
	float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f, step;
	unsigned int want, acc, thr, core_from;

	memset(st, 0, sizeof(*st));
	if (gauge_init(&g, pts))
		return;
	for (int i = 0; i < 4; i++) {
		float x = g.cx + RING_MAX * ((float)pts[i][0] - g.cx);
		float y = g.cy + RING_MAX * ((float)pts[i][1] - g.cy);

		x0 = fminf(x0, x);
		x1 = fmaxf(x1, x);
		y0 = fminf(y0, y);
		y1 = fmaxf(y1, y);
	}
	x0 = fmaxf(x0, 0);
	y0 = fmaxf(y0, 0);
	x1 = fminf(x1, (float)img->width - 1);
	y1 = fminf(y1, (float)img->height - 1);
	if (x1 <= x0 || y1 <= y0)
		return;
	step = sqrtf((x1 - x0 + 1) * (y1 - y0 + 1) / MAX_SAMPLES);
	step = step < 1 ? 1 : step;

	/* Pass 1: the quiet zone and the code, histogrammed by luma. */
	memset(ring, 0, sizeof(ring));
	memset(inner, 0, sizeof(inner));
	for (float y = y0; y <= y1; y += step) {
		for (float x = x0; x <= x1; x += step) {
			float gv = gauge_at(&g, x, y), c[3];
			unsigned int l;
			struct bin *h;

			if (gv <= INNER_MAX) {
				h = inner;
				st->n_inner++;
			} else if (gv >= RING_MIN && gv <= RING_MAX) {
				h = ring;
				st->n_ring++;
			} else {
				continue;
			}
			pixel(img, (unsigned int)x, (unsigned int)y, inverted, c);
			l = (unsigned int)((0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2]) * 255.0f + 0.5f);
			l = l > 255 ? 255 : l;
			h[l].n++;
			for (int k = 0; k < 3; k++)
				h[l].sum[k] += c[k];
		}
	}
	/*
	 * White is the quiet zone's upper half, less its brightest 5% (glare).
	 * A code cropped without a quiet zone, or with one that is not white,
	 * has its own light modules: the lightest quarter of the code, less its
	 * brightest 3%.
	 */
	if (st->n_ring >= MIN_RING && !white_of(ring, st->n_ring, 0.50f, 0.95f, st->bg) &&
	    white_ok(st->bg)) {
		st->bg_inside = 0;
	} else if (st->n_inner >= MIN_INNER_WHITE &&
		   !white_of(inner, st->n_inner, 0.75f, 0.97f, st->bg) && white_ok(st->bg)) {
		st->bg_inside = 1;
	} else {
		return;
	}
	st->n_inner = 0;

	/* Pass 2: inside the code, histogrammed by distance from white. */
	memset(inner, 0, sizeof(inner));
	for (float y = y0; y <= y1; y += step) {
		for (float x = x0; x <= x1; x += step) {
			float gv = gauge_at(&g, x, y), c[3], raw[3], mn;
			unsigned int d;
			struct bin *b;

			if (gv > INNER_MAX)
				continue;
			pixel(img, (unsigned int)x, (unsigned int)y, inverted, c);
			for (int k = 0; k < 3; k++) {
				raw[k] = inverted ? 1.0f - c[k] : c[k];
				c[k] = fminf(c[k] / st->bg[k], 1.0f);
			}
			mn = fminf(c[0], fminf(c[1], c[2]));
			d = (unsigned int)((1.0f - mn) * 255.0f + 0.5f);
			b = &inner[d > 255 ? 255 : d];
			b->n++;
			for (int k = 0; k < 3; k++) {
				b->sum[k] += c[k];
				b->raw[k] += raw[k];
			}
			b->vote[classify(c)]++;
			if (inverted)
				b->drawn[classify_drawn(raw)]++;
			st->n_inner++;
		}
	}
	thr = otsu(inner);
	if (thr < (unsigned int)(MIN_DARKNESS * 255.0f))
		thr = (unsigned int)(MIN_DARKNESS * 255.0f);
	/* The core: the darker half of the samples past the threshold. */
	want = 0;
	for (unsigned int i = thr; i < HBINS; i++)
		want += inner[i].n;
	want = (want + 1) / 2;
	acc = 0;
	core_from = HBINS;
	while (core_from > thr && acc < want)
		acc += inner[--core_from].n;
	{
		float sum[3] = { 0, 0, 0 }, raw[3] = { 0, 0, 0 };
		unsigned int vote[5] = { 0 }, drawn[5] = { 0 };

		for (unsigned int i = core_from; i < HBINS; i++) {
			st->n_core += inner[i].n;
			for (int k = 0; k < 3; k++) {
				sum[k] += inner[i].sum[k];
				raw[k] += inner[i].raw[k];
			}
			for (int k = 0; k < 5; k++) {
				vote[k] += inner[i].vote[k];
				drawn[k] += inner[i].drawn[k];
			}
		}
		if (st->n_core < MIN_CORE)
			return;
		for (int k = 0; k < 3; k++) {
			st->fg[k] = sum[k] / (float)st->n_core;
			st->shown[k] = raw[k] / (float)st->n_core;
		}
		for (int k = 0; k < 5; k++) {
			st->vote[k] = (float)vote[k] / (float)st->n_core;
			st->drawn_vote[k] = (float)drawn[k] / (float)st->n_core;
		}
	}
	st->hue = hue_of(st->fg, &st->chroma);
	st->shown_hue = hue_of(st->shown, &st->shown_chroma);
	st->inverted = inverted;
	st->ok = 1;
}

/* The colour of the modules judged negated (a dark-mode screen inverts everything). */
static enum snt_colour decide_negated(const struct scan__colour_stats *st)
{
	enum snt_colour c = classify(st->fg);

	if (c == SNT_COLOUR_UNKNOWN || st->vote[c] < MIN_VOTE)
		return SNT_COLOUR_UNKNOWN;
	if (c != SNT_COLOUR_GREEN)
		return c;
	if (st->vote[SNT_COLOUR_RED] + st->vote[SNT_COLOUR_YELLOW] > GREEN_VETO)
		return SNT_COLOUR_UNKNOWN;
	return c;
}

/* The colour of a light-on-dark code's bright modules as shown. */
static enum snt_colour decide_drawn(const struct scan__colour_stats *st)
{
	enum snt_colour c = classify_drawn(st->shown);

	if (c == SNT_COLOUR_UNKNOWN || st->drawn_vote[c] < MIN_VOTE)
		return SNT_COLOUR_UNKNOWN;
	if (c == SNT_COLOUR_GREEN &&
	    st->drawn_vote[SNT_COLOUR_RED] + st->drawn_vote[SNT_COLOUR_YELLOW] > GREEN_VETO)
		return SNT_COLOUR_UNKNOWN;
	return c;
}

enum snt_colour scan__colour_decide(const struct scan__colour_stats *st)
{
	enum snt_colour neg, drawn;

	if (!st->ok)
		return SNT_COLOUR_UNKNOWN;
	neg = decide_negated(st);
	if (!st->inverted)
		return neg;
	/*
	 * Light on dark: either a negated screen (judged negated) or a code
	 * drawn in its colour on black (judged as shown).  Where only one
	 * reading names a colour it stands; where both do and differ, the code
	 * is unknown, except a drawn green whose negated reading is the
	 * magenta side of red (see NEGATED_RED_FROM).  A code whose modules
	 * are shown red or yellow is never green.
	 */
	drawn = decide_drawn(st);
	if (drawn == SNT_COLOUR_UNKNOWN) {
		if (neg == SNT_COLOUR_GREEN && st->shown_chroma >= MIN_CHROMA &&
		    (st->shown_hue >= SHOWN_RED_LO || st->shown_hue <= SHOWN_RED_HI ||
		     (st->shown_hue >= YELLOW_LO && st->shown_hue <= YELLOW_HI)))
			return SNT_COLOUR_UNKNOWN;
		return neg;
	}
	if (neg == SNT_COLOUR_UNKNOWN || neg == drawn)
		return drawn;
	if (drawn == SNT_COLOUR_GREEN && neg == SNT_COLOUR_RED && st->hue < NEGATED_RED_FROM &&
	    st->hue > 180.0f)
		return drawn;
	return SNT_COLOUR_UNKNOWN;
}

enum snt_colour scan__colour_classify(const struct scan__rgb *img, const int pts[4][2],
				      int inverted)
{
	struct scan__colour_stats st;

	scan__colour_measure(img, pts, inverted, &st);
	return scan__colour_decide(&st);
}
