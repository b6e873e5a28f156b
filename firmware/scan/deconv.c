// SPDX-License-Identifier: MIT
/*
 * Judging the modules of a sampled grid (grid.c) by deconvolution in module
 * space: for codes of about two pixels a module blurred over several
 * modules, where a module's sample holds as much of its neighbours as of
 * itself.
 *
 * Each module's sample is modelled as the background (a quadratic in the
 * module's row and column: glare and uneven lighting across the code) plus
 * a weighted sum of the shades of the 5x5 modules around it, one weight per
 * distance class (itself; edge and diagonal neighbours; two modules
 * straight, a knight's move and two diagonally away); modules outside the
 * code are light (the quiet zone, ISO/IEC 18004:2015 §6.3.8).  The
 * background and weights are fitted by least squares to the modules whose
 * shade the standard fixes and to the others as last judged; the shades are
 * then solved for, each held in [0, 1] (dark 1), by Gauss-Seidel sweeps, and
 * judged dark above one half.  Fitting and solving alternate a few rounds.
 * Fixed modules keep their standard shade throughout.
 */
#include <math.h>
#include <string.h>

#include "scan/scan_internal.h"

/* Background terms: 1, row, column, row^2, column^2, row x column. */
#define DEC_BG 6
/* Distance classes of the 5x5 kernel, and unknowns of the fit. */
#define DEC_CLASSES 6
#define DEC_UNKNOWNS (DEC_BG + DEC_CLASSES)
/* Rounds of fitting and solving, and Gauss-Seidel sweeps a round. */
#define DEC_ROUNDS 4
#define DEC_SWEEPS 4

/* The 5x5 neighbourhood: column and row offset, and distance class. */
static const int8_t dec_off[25][3] = {
	{ 0, 0, 0 },   { -1, 0, 1 },  { 1, 0, 1 },   { 0, -1, 1 },  { 0, 1, 1 },
	{ -1, -1, 2 }, { 1, -1, 2 },  { -1, 1, 2 },  { 1, 1, 2 },   { -2, 0, 3 },
	{ 2, 0, 3 },   { 0, -2, 3 },  { 0, 2, 3 },   { -2, -1, 4 }, { -2, 1, 4 },
	{ 2, -1, 4 },  { 2, 1, 4 },   { -1, -2, 4 }, { 1, -2, 4 },  { -1, 2, 4 },
	{ 1, 2, 4 },   { -2, -2, 5 }, { 2, -2, 5 },  { -2, 2, 5 },  { 2, 2, 5 },
};

int scan__solve(double *a, unsigned int n, double *x)
{
	size_t st = (size_t)n + 1;

	for (unsigned int c = 0; c < n; c++) {
		unsigned int p = c;

		for (unsigned int r = c + 1; r < n; r++)
			if (fabs(a[r * st + c]) > fabs(a[p * st + c]))
				p = r;
		if (fabs(a[p * st + c]) < 1e-9)
			return -1;
		if (p != c)
			for (size_t k = 0; k < st; k++) {
				double t = a[c * st + k];

				a[c * st + k] = a[p * st + k];
				a[p * st + k] = t;
			}
		for (unsigned int r = 0; r < n; r++) {
			double f;

			if (r == c)
				continue;
			f = a[r * st + c] / a[c * st + c];
			for (size_t k = c; k < st; k++)
				a[r * st + k] -= f * a[c * st + k];
		}
	}
	for (unsigned int i = 0; i < n; i++)
		x[i] = a[i * st + n] / a[i * st + i];
	return 0;
}

/* Shade of module (@r, @c) of @x (@n x @n); outside the code, light (the quiet zone). */
static float shade(const float *x, unsigned int n, int r, int c)
{
	return r < 0 || c < 0 || r >= (int)n || c >= (int)n ? 0 : x[(size_t)r * n + (size_t)c];
}

/* The background terms of module (@r, @c) of an @n-module code into @t. */
static void bg_terms(unsigned int n, unsigned int r, unsigned int c, float t[DEC_BG])
{
	float u = (float)r / (float)n - 0.5f, v = (float)c / (float)n - 0.5f;

	t[0] = 1;
	t[1] = u;
	t[2] = v;
	t[3] = u * u;
	t[4] = v * v;
	t[5] = u * v;
}

/*
 * The background and kernel weights (@b: DEC_BG background coefficients,
 * then one weight per distance class) fitted by least squares to @val with
 * the shades @x judged (above one half dark).  0, or -1 when the system is
 * singular.
 */
static int fit(const float *val, const float *x, unsigned int n, double b[DEC_UNKNOWNS])
{
	double a[DEC_UNKNOWNS * (DEC_UNKNOWNS + 1)] = { 0 };
	const size_t st = DEC_UNKNOWNS + 1;

	for (unsigned int r = 0; r < n; r++)
		for (unsigned int c = 0; c < n; c++) {
			float f[DEC_UNKNOWNS] = { 0 }, y = val[(size_t)r * n + c];

			bg_terms(n, r, c, f);
			for (int k = 0; k < 25; k++)
				f[DEC_BG + dec_off[k][2]] +=
					shade(x, n, (int)r + dec_off[k][1], (int)c + dec_off[k][0]) > 0.5f;
			for (int j = 0; j < DEC_UNKNOWNS; j++) {
				for (int q = 0; q < DEC_UNKNOWNS; q++)
					a[j * st + q] += (double)f[j] * f[q];
				a[j * st + DEC_UNKNOWNS] += (double)f[j] * y;
			}
		}
	return scan__solve(a, DEC_UNKNOWNS, b);
}

int scan__grid_deconvolve(const float *val, unsigned int v, unsigned int n, uint8_t *dark)
{
	float x[SCAN__GRID_MAX_N * SCAN__GRID_MAX_N], bg[SCAN__GRID_MAX_N * SCAN__GRID_MAX_N];
	uint8_t fix[SCAN__GRID_MAX_N * SCAN__GRID_MAX_N];

	for (unsigned int r = 0; r < n; r++)
		for (unsigned int c = 0; c < n; c++) {
			size_t i = (size_t)r * n + c;
			int d;

			fix[i] = (uint8_t)(scan__grid_fixed_module(n, r, c, &d) ||
					   scan__grid_align_module(v, n, r, c, &d));
			x[i] = fix[i] ? (float)d : (float)dark[i];
		}
	for (int round = 0; round < DEC_ROUNDS; round++) {
		double b[DEC_UNKNOWNS];
		float w[DEC_CLASSES];

		if (fit(val, x, n, b))
			return -1;
		/* A dark module must lower its own sample. */
		if (b[DEC_BG] >= 0)
			return -1;
		for (int k = 0; k < DEC_CLASSES; k++)
			w[k] = (float)b[DEC_BG + k];
		for (unsigned int r = 0; r < n; r++)
			for (unsigned int c = 0; c < n; c++) {
				float t[DEC_BG], sum = 0;

				bg_terms(n, r, c, t);
				for (int j = 0; j < DEC_BG; j++)
					sum += (float)b[j] * t[j];
				bg[(size_t)r * n + c] = sum;
			}
		for (int sweep = 0; sweep < DEC_SWEEPS; sweep++)
			for (unsigned int r = 0; r < n; r++)
				for (unsigned int c = 0; c < n; c++) {
					size_t i = (size_t)r * n + c;
					float rest = val[i] - bg[i], t;

					if (fix[i])
						continue;
					for (int k = 1; k < 25; k++)
						rest -= w[dec_off[k][2]] * shade(x, n, (int)r + dec_off[k][1],
										 (int)c + dec_off[k][0]);
					t = rest / w[0];
					x[i] = t < 0 ? 0 : t > 1 ? 1 : t;
				}
	}
	for (size_t i = 0; i < (size_t)n * n; i++)
		dark[i] = x[i] > 0.5f;
	return 0;
}
