// SPDX-License-Identifier: MIT
/*
 * sentinelctl scan [--json] IMAGE...: decode the QR codes in image files the
 * way the gate does (interfaces.md, "sentinelctl scan").
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "image/image.h"
#include "scan/scan.h"
#include "tools/common.h"
#include "common/i18n.h"

static const char *const cmd = "scan";

struct config {
	int json;
	int help;
	char **images;
	int nimages;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: sentinelctl scan [--json] IMAGE...\n"
		   "Decode the QR codes in PNG or JPEG images the way the gate does.\n\n"
		   "  -j, --json   one JSON object per image and line\n"
		   "  -h, --help   show this help\n\n"
		   "Exit status: 0 every image was read, 1 some image could not be read,\n"
		   "2 usage error.\n"));
}

static int parse_config(int argc, char **argv, struct config *cfg)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		CTL_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	ctl_getopt_start(cfg, sizeof(*cfg));
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cfg->json = 1;
			break;
		case 'h':
			cfg->help = 1;
			return 0;
		default:
			if (!strncmp(argv[optind - 1], "--", 2) || !optopt)
				ctl_err(cmd, _("unknown option '%s'"), argv[optind - 1]);
			else
				ctl_err(cmd, _("unknown option '-%c'"), optopt);
			return -1;
		}
	}
	if (optind >= argc) {
		ctl_err(cmd, _("no image given"));
		return -1;
	}
	cfg->images = argv + optind;
	cfg->nimages = argc - optind;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Why an image could not be read, for the "error" member and stderr. */
static void load_error(enum snt_image_err err, const struct snt_image *img, char *buf,
		       size_t size)
{
	if (err == SNT_IMAGE_ERR_IO)
		snprintf(buf, size, _("cannot open: %s"), strerror(img->sys_errno));
	else
		snprintf(buf, size, "%s", snt_image_strerror(err));
}

/* Print one JSON object on its own line; 0 on success. */
static int print_json(json_t *obj, int precision)
{
	char *s;
	size_t flags = JSON_PRESERVE_ORDER;	/* ", " and ": " as interfaces.md writes it */

	if (precision > 0)
		flags |= JSON_REAL_PRECISION(precision);
	s = json_dumps(obj, flags);
	if (!s)
		return -1;
	puts(s);
	free(s);
	return 0;
}

/* A JSON string of a file name as given; invalid UTF-8 bytes become '?'. */
static json_t *file_string(const char *file)
{
	json_t *j = json_string(file);
	char *copy;

	if (j)
		return j;
	copy = strdup(file);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static int json_error_line(const char *file, const char *why)
{
	json_t *o = json_pack("{s:o, s:s}", "file", file_string(file), "error", why);
	int rc;

	if (!o)
		return -1;
	rc = print_json(o, 0);
	json_decref(o);
	return rc;
}

static json_t *code_json(const struct snt_scan_code *c)
{
	char hex[2 * SNT_SCAN_MAX_PAYLOAD + 1];
	json_t *o, *pts;

	snt_hex_encode(c->bytes, c->len, hex);
	pts = json_pack("[[i,i],[i,i],[i,i],[i,i]]", c->points[0][0], c->points[0][1],
			c->points[1][0], c->points[1][1], c->points[2][0], c->points[2][1],
			c->points[3][0], c->points[3][1]);
	if (!pts)
		return NULL;
	o = json_pack("{s:s, s:s%, s:s, s:s, s:o}", "format", "qr", "text", c->text,
		      c->text_len, "bytes_hex", hex, "colour", snt_colour_name(c->colour),
		      "points", pts);
	return o;
}

/* Digits of precision that print @ms with one decimal. */
static int ms_precision(double ms)
{
	int p = 2;

	for (double v = 10; ms >= v && p < 17; v *= 10)
		p++;
	return ms < 1 ? 1 : p;
}

static int result_json(const char *file, const struct snt_scan_result *r, double ms)
{
	json_t *o, *codes;
	int rc;

	codes = json_array();
	if (!codes)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		json_t *c = code_json(&r->codes[i]);

		if (!c || json_array_append_new(codes, c)) {
			json_decref(codes);
			return -1;
		}
	}
	ms = round(ms * 10) / 10;
	o = json_pack("{s:o, s:o, s:f}", "file", file_string(file), "codes", codes, "ms", ms);
	if (!o)
		return -1;
	rc = print_json(o, ms_precision(ms));
	json_decref(o);
	return rc;
}

/*
 * Print @len bytes of @s with every control (C0, DEL, C1, bidi) escaped
 * (snt_escape(), C style), NUL bytes included, so a payload cannot drive
 * the terminal or hide its end: payloads are hostile input.
 */
static void print_safe(const char *s, size_t len)
{
	size_t n = snt_escape(s, len, SNT_ESCAPE_C, NULL, 0) + 1;
	char *e = malloc(n);

	if (!e) {
		fputs(_("(out of memory)"), stdout);
		return;
	}
	(void)snt_escape(s, len, SNT_ESCAPE_C, e, n);
	fputs(e, stdout);
	free(e);
}

static void result_text(const char *file, const struct snt_scan_result *r, double ms)
{
	if (r->n == 0) {
		print_safe(file, strlen(file));
		printf(_(": no QR code found (%.1f ms)\n"), ms);
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		print_safe(file, strlen(file));
		printf(": %s: ", snt_colour_name(r->codes[i].colour));
		print_safe(r->codes[i].text, r->codes[i].text_len);
		putchar('\n');
	}
}

int cmd_scan(int argc, char **argv)
{
	struct config cfg;
	struct snt_scanner *s;
	enum snt_scan_err serr;
	int status = SNT_EXIT_OK;

	if (parse_config(argc, argv, &cfg))
		return ctl_usage_hint(cmd);
	if (cfg.help) {
		usage(stdout);
		return SNT_EXIT_OK;
	}
	serr = snt_scanner_new(&s);
	if (serr != SNT_SCAN_OK) {
		ctl_err(cmd, "%s", snt_scan_strerror(serr));
		return SNT_EXIT_FAIL;
	}
	for (int i = 0; i < cfg.nimages; i++) {
		const char *file = cfg.images[i];
		struct snt_image img;
		enum snt_image_err ierr = snt_image_load(file, &img);
		const struct snt_scan_result *r;
		struct snt_frame frame;
		char why[256];
		double t0, ms;

		if (ierr != SNT_IMAGE_OK) {
			load_error(ierr, &img, why, sizeof(why));
			status = SNT_EXIT_FAIL;
			if (cfg.json)
				(void)json_error_line(file, why);
			else
				ctl_err(cmd, "%s: %s", file, why);
			continue;
		}
		frame.fmt = SNT_PIXFMT_RGB24;
		frame.width = img.width;
		frame.height = img.height;
		frame.stride = img.stride;
		frame.data = img.rgb;
		t0 = now_ms();
		serr = snt_scanner_scan(s, &frame, &r);
		ms = now_ms() - t0;
		snt_image_release(&img);
		if (serr != SNT_SCAN_OK) {
			status = SNT_EXIT_FAIL;
			if (cfg.json)
				(void)json_error_line(file, snt_scan_strerror(serr));
			else
				ctl_err(cmd, "%s: %s", file, snt_scan_strerror(serr));
			continue;
		}
		if (cfg.json) {
			if (result_json(file, r, ms)) {
				ctl_err(cmd, _("%s: cannot format result"), file);
				status = SNT_EXIT_FAIL;
			}
		} else {
			result_text(file, r, ms);
		}
	}
	snt_scanner_free(s);
	if (fflush(stdout) != 0) {
		ctl_err(cmd, _("write error: %s"), strerror(errno));
		return SNT_EXIT_FAIL;
	}
	return status;
}
