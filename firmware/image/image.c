// SPDX-License-Identifier: MIT
/*
 * image: PNG (libpng 1.6) and JPEG (libjpeg-turbo) decoding to RGB24.
 *
 * Both decoders report errors by longjmp() out of a handler; every resource
 * acquired while decoding lives in a struct owned by the caller of the
 * function that calls setjmp(), so nothing is lost or left indeterminate
 * when the jump lands.  Neither library may print: their message handlers
 * are replaced.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "common/i18n.h"
#include "image/image.h"

#define IMG_PNG_SIG_LEN 8
#define IMG_JPEG_SIG_LEN 3
#define IMG_JPEG_BUF_LEN 4096
/* Ancillary PNG chunks kept, and the most one chunk may allocate. */
#define IMG_PNG_MAX_CHUNKS 128
#define IMG_PNG_MAX_CHUNK_BYTES (8u * 1024u * 1024u)
/* A progressive JPEG with more scans than this is hostile (CPU exhaustion). */
#define IMG_JPEG_MAX_SCANS 500

static const uint8_t png_sig[IMG_PNG_SIG_LEN] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
static const uint8_t jpeg_sig[IMG_JPEG_SIG_LEN] = { 0xff, 0xd8, 0xff };

/* Where the encoded bytes come from: a stream or a memory buffer. */
struct img_src {
	FILE *f;		/* stream, or NULL for memory */
	const uint8_t *data;	/* memory buffer */
	size_t len;
	size_t pos;
	int io_failed;		/* a read of @f failed (not just EOF) */
	int sys_errno;		/* errno of that read */
};

/* Everything one decode owns; freed by decode_cleanup(). */
struct decode {
	struct img_src *src;
	uint8_t *pixels;	/* output, RGB24 (PNG: RGB or RGBA while decoding) */
	png_bytep *rows;	/* PNG row pointers */
	unsigned int width;
	unsigned int height;
	enum snt_image_err err;	/* error to report after a longjmp */
};

/* Read up to @n bytes; return how many were read, setting io_failed on error. */
static size_t src_read(struct img_src *src, uint8_t *out, size_t n)
{
	size_t got;

	if (src->f) {
		got = fread(out, 1, n, src->f);
		if (got < n && ferror(src->f)) {
			src->io_failed = 1;
			src->sys_errno = errno ? errno : EIO;
		}
		return got;
	}
	got = src->len - src->pos < n ? src->len - src->pos : n;
	if (got == 0)
		return 0;
	memcpy(out, src->data + src->pos, got);
	src->pos += got;
	return got;
}

static enum snt_image_err check_size(unsigned long width, unsigned long height)
{
	if (width == 0 || height == 0)
		return SNT_IMAGE_ERR_CORRUPT;
	if (width > SNT_IMAGE_MAX_SIDE || height > SNT_IMAGE_MAX_SIDE ||
	    (unsigned long long)width * height > SNT_IMAGE_MAX_PIXELS)
		return SNT_IMAGE_ERR_TOO_LARGE;
	return SNT_IMAGE_OK;
}

/* ---- PNG ---- */

/* Chunk names (4 letters and a NUL each) libpng is told to skip. */
static const png_byte png_skipped_chunks[] = "tEXt\0zTXt\0iTXt\0iCCP\0sPLT\0eXIf\0tIME\0pCAL\0sCAL\0"
					     "hIST\0pHYs\0oFFs\0sBIT\0bKGD\0cHRM\0gAMA\0sRGB";

static void png_error_cb(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void png_read_cb(png_structp png, png_bytep out, size_t n)
{
	struct img_src *src = png_get_io_ptr(png);

	if (src_read(src, out, n) != n)
		png_error(png, "truncated");
}

/* Composite RGBA on white, compacting to RGB in place. */
static void rgba_on_white(uint8_t *px, size_t npix)
{
	for (size_t i = 0; i < npix; i++) {
		const uint8_t *in = px + 4 * i;
		uint8_t *out = px + 3 * i;
		unsigned int a = in[3];
		unsigned int r = in[0], g = in[1], b = in[2];

		out[0] = (uint8_t)((r * a + 255u * (255u - a) + 127u) / 255u);
		out[1] = (uint8_t)((g * a + 255u * (255u - a) + 127u) / 255u);
		out[2] = (uint8_t)((b * a + 255u * (255u - a) + 127u) / 255u);
	}
}

/*
 * The setjmp() frame for libpng.  @png and @info are created by the caller;
 * everything allocated here is recorded in @d before it can be lost.
 */
static enum snt_image_err png_decode(struct decode *d, png_structp png, png_infop info)
{
	png_uint_32 w, h;
	int depth, ctype;
	size_t rowbytes, channels;

	if (setjmp(png_jmpbuf(png)))
		return d->err != SNT_IMAGE_OK ? d->err :
		       d->src->io_failed ? SNT_IMAGE_ERR_IO : SNT_IMAGE_ERR_CORRUPT;

	png_set_read_fn(png, d->src, png_read_cb);
	png_set_sig_bytes(png, IMG_PNG_SIG_LEN);
	/* Dimensions are judged by check_size(), not by libpng's 1e6 default. */
	png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
	/* Bound what ancillary chunks (zTXt, iCCP, ...) may cost. */
	png_set_chunk_cache_max(png, IMG_PNG_MAX_CHUNKS);
	png_set_chunk_malloc_max(png, IMG_PNG_MAX_CHUNK_BYTES);
	/*
	 * Ancillary chunks that do not change the pixels are skipped unread:
	 * libpng 1.6 allocates and zeroes a text chunk's declared length before
	 * reading it (a 199-byte file declaring a 600 MB tEXt cost seconds of
	 * memset, found by fuzz_image), and nothing here uses them.  tRNS
	 * (transparency) is kept; unknown chunks are skipped too.
	 */
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, png_skipped_chunks,
				    (int)(sizeof(png_skipped_chunks) / 5));
	png_read_info(png, info);
	if (!png_get_IHDR(png, info, &w, &h, &depth, &ctype, NULL, NULL, NULL))
		return SNT_IMAGE_ERR_CORRUPT;
	d->err = check_size(w, h);
	if (d->err != SNT_IMAGE_OK)
		return d->err;

	png_set_expand(png);
	png_set_strip_16(png);
	png_set_gray_to_rgb(png);
	(void)png_set_interlace_handling(png);
	png_read_update_info(png, info);

	channels = png_get_channels(png, info);
	rowbytes = png_get_rowbytes(png, info);
	if ((channels != 3 && channels != 4) || rowbytes != channels * w)
		return SNT_IMAGE_ERR_CORRUPT;

	d->pixels = malloc(rowbytes * h);
	d->rows = malloc(sizeof(*d->rows) * h);
	if (!d->pixels || !d->rows)
		return SNT_IMAGE_ERR_NOMEM;
	for (png_uint_32 y = 0; y < h; y++)
		d->rows[y] = d->pixels + (size_t)y * rowbytes;
	png_read_image(png, d->rows);
	png_read_end(png, NULL);

	if (channels == 4)
		rgba_on_white(d->pixels, (size_t)w * h);
	d->width = w;
	d->height = h;
	return SNT_IMAGE_OK;
}

static enum snt_image_err load_png(struct decode *d)
{
	png_structp png;
	png_infop info;
	enum snt_image_err err;

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, png_error_cb, png_warning_cb);
	if (!png)
		return SNT_IMAGE_ERR_NOMEM;
	info = png_create_info_struct(png);
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return SNT_IMAGE_ERR_NOMEM;
	}
	err = png_decode(d, png, info);
	png_destroy_read_struct(&png, &info, NULL);
	return err;
}

/* ---- JPEG ---- */

struct jpeg_err {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	struct jpeg_progress_mgr progress;
	enum snt_image_err err;
};

struct jpeg_src {
	struct jpeg_source_mgr pub;
	struct img_src *src;
	JOCTET buf[IMG_JPEG_BUF_LEN];
};

static void jpeg_error_exit_cb(j_common_ptr cinfo)
{
	struct jpeg_err *e = (struct jpeg_err *)cinfo->err;

	if (e->err == SNT_IMAGE_OK)
		e->err = cinfo->err->msg_code == JERR_OUT_OF_MEMORY ? SNT_IMAGE_ERR_NOMEM :
			 SNT_IMAGE_ERR_CORRUPT;
	longjmp(e->jb, 1);
}

/* Warnings that mean the entropy-coded data is damaged are fatal here. */
static void jpeg_emit_message_cb(j_common_ptr cinfo, int level)
{
	int code = cinfo->err->msg_code;

	if (level >= 0)
		return;
	cinfo->err->num_warnings++;
	if (code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_ARITH_BAD_CODE ||
	    code == JWRN_MUST_RESYNC || code == JWRN_NOT_SEQUENTIAL || code == JWRN_JPEG_EOF ||
	    code == JWRN_BOGUS_PROGRESSION)
		jpeg_error_exit_cb(cinfo);
}

static void jpeg_output_message_cb(j_common_ptr cinfo)
{
	(void)cinfo;
}

static void jpeg_progress_cb(j_common_ptr cinfo)
{
	j_decompress_ptr d = (j_decompress_ptr)cinfo;

	if (d->input_scan_number > IMG_JPEG_MAX_SCANS)
		jpeg_error_exit_cb(cinfo);
}

static void jpeg_src_init(j_decompress_ptr cinfo)
{
	(void)cinfo;
}

/* Refill from the source; running out of data is an error, not a fake EOI. */
static boolean jpeg_src_fill(j_decompress_ptr cinfo)
{
	struct jpeg_src *js = (struct jpeg_src *)cinfo->src;
	size_t n = src_read(js->src, js->buf, sizeof(js->buf));

	if (n == 0) {
		if (js->src->io_failed)
			((struct jpeg_err *)cinfo->err)->err = SNT_IMAGE_ERR_IO;
		ERREXIT(cinfo, JERR_INPUT_EOF);
	}
	js->pub.next_input_byte = js->buf;
	js->pub.bytes_in_buffer = n;
	return TRUE;
}

static void jpeg_src_skip(j_decompress_ptr cinfo, long n)
{
	struct jpeg_source_mgr *src = cinfo->src;

	if (n <= 0)
		return;
	while ((size_t)n > src->bytes_in_buffer) {
		n -= (long)src->bytes_in_buffer;
		(void)src->fill_input_buffer(cinfo);
	}
	src->next_input_byte += n;
	src->bytes_in_buffer -= (size_t)n;
}

static void jpeg_src_term(j_decompress_ptr cinfo)
{
	(void)cinfo;
}

/* The setjmp() frame for libjpeg; @cinfo is created by the caller. */
static enum snt_image_err jpeg_decode(struct decode *d, struct jpeg_decompress_struct *cinfo,
				      struct jpeg_err *jerr)
{
	size_t stride;

	if (setjmp(jerr->jb))
		return jerr->err != SNT_IMAGE_OK ? jerr->err : SNT_IMAGE_ERR_CORRUPT;

	jpeg_create_decompress(cinfo);
	/* jpeg_create_decompress() clears everything but err and client_data. */
	cinfo->progress = &jerr->progress;
	cinfo->src = (struct jpeg_source_mgr *)(*cinfo->mem->alloc_small)(
		(j_common_ptr)cinfo, JPOOL_PERMANENT, sizeof(struct jpeg_src));
	{
		struct jpeg_src *js = (struct jpeg_src *)cinfo->src;

		js->src = d->src;
		js->pub.init_source = jpeg_src_init;
		js->pub.fill_input_buffer = jpeg_src_fill;
		js->pub.skip_input_data = jpeg_src_skip;
		js->pub.resync_to_restart = jpeg_resync_to_restart;
		js->pub.term_source = jpeg_src_term;
		js->pub.bytes_in_buffer = 0;
		js->pub.next_input_byte = NULL;
	}

	if (jpeg_read_header(cinfo, TRUE) != JPEG_HEADER_OK)
		return SNT_IMAGE_ERR_CORRUPT;
	jerr->err = check_size(cinfo->image_width, cinfo->image_height);
	if (jerr->err != SNT_IMAGE_OK)
		return jerr->err;
	if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK ||
	    cinfo->num_components == 4) {
		jerr->err = SNT_IMAGE_ERR_CMYK;
		return jerr->err;
	}
	cinfo->out_color_space = JCS_RGB;
	jpeg_start_decompress(cinfo);
	if (cinfo->output_components != 3)
		return SNT_IMAGE_ERR_CORRUPT;

	stride = (size_t)cinfo->output_width * 3;
	d->pixels = malloc(stride * cinfo->output_height);
	if (!d->pixels)
		return SNT_IMAGE_ERR_NOMEM;
	while (cinfo->output_scanline < cinfo->output_height) {
		JSAMPROW row = d->pixels + (size_t)cinfo->output_scanline * stride;

		if (jpeg_read_scanlines(cinfo, &row, 1) != 1)
			return SNT_IMAGE_ERR_CORRUPT;
	}
	jpeg_finish_decompress(cinfo);
	d->width = cinfo->output_width;
	d->height = cinfo->output_height;
	return SNT_IMAGE_OK;
}

static enum snt_image_err load_jpeg(struct decode *d)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_err jerr;
	enum snt_image_err err;

	memset(&cinfo, 0, sizeof(cinfo));
	memset(&jerr, 0, sizeof(jerr));
	cinfo.err = jpeg_std_error(&jerr.pub);
	jerr.pub.error_exit = jpeg_error_exit_cb;
	jerr.pub.emit_message = jpeg_emit_message_cb;
	jerr.pub.output_message = jpeg_output_message_cb;
	jerr.err = SNT_IMAGE_OK;
	jerr.progress.progress_monitor = jpeg_progress_cb;
	err = jpeg_decode(d, &cinfo, &jerr);
	jpeg_destroy_decompress(&cinfo);
	return err;
}

/* ---- common ---- */

static enum snt_image_err load(struct img_src *src, struct snt_image *img)
{
	uint8_t sig[IMG_PNG_SIG_LEN];
	size_t n = src_read(src, sig, sizeof(sig));
	struct decode d = { .src = src };
	enum snt_image_err err;

	if (src->io_failed)
		return SNT_IMAGE_ERR_IO;
	if (n == 0)
		return SNT_IMAGE_ERR_FORMAT;
	if (!memcmp(sig, png_sig, n < IMG_PNG_SIG_LEN ? n : IMG_PNG_SIG_LEN)) {
		if (n < IMG_PNG_SIG_LEN)
			return SNT_IMAGE_ERR_CORRUPT;
		err = load_png(&d);
	} else if (!memcmp(sig, jpeg_sig, n < IMG_JPEG_SIG_LEN ? n : IMG_JPEG_SIG_LEN)) {
		if (n < IMG_JPEG_SIG_LEN)
			return SNT_IMAGE_ERR_CORRUPT;
		/* The JPEG decoder reads the signature again. */
		if (src->f) {
			if (fseek(src->f, 0, SEEK_SET) != 0) {
				src->sys_errno = errno;
				return SNT_IMAGE_ERR_IO;
			}
		} else {
			src->pos = 0;
		}
		err = load_jpeg(&d);
	} else {
		return SNT_IMAGE_ERR_FORMAT;
	}

	free(d.rows);
	if (err != SNT_IMAGE_OK) {
		free(d.pixels);
		return err;
	}
	img->width = d.width;
	img->height = d.height;
	img->stride = (size_t)d.width * 3;
	img->rgb = d.pixels;
	return SNT_IMAGE_OK;
}

enum snt_image_err snt_image_load(const char *path, struct snt_image *img)
{
	struct img_src src = { 0 };
	enum snt_image_err err;
	int rc;

	if (!img)
		return SNT_IMAGE_ERR_INVAL;
	memset(img, 0, sizeof(*img));
	if (!path)
		return SNT_IMAGE_ERR_INVAL;

	/* Regular files only: a FIFO or a device would block or never end. */
	rc = snt_fopen_regular(path, &src.f);
	if (rc == SNT_ENOTREG)
		return SNT_IMAGE_ERR_NOTREG;
	if (rc) {
		img->sys_errno = rc;
		return SNT_IMAGE_ERR_IO;
	}
	errno = 0;
	err = load(&src, img);
	if (err == SNT_IMAGE_ERR_IO)
		img->sys_errno = src.sys_errno ? src.sys_errno : EIO;
	fclose(src.f);
	return err;
}

enum snt_image_err snt_image_load_mem(const uint8_t *data, size_t len, struct snt_image *img)
{
	struct img_src src = { 0 };

	if (!img)
		return SNT_IMAGE_ERR_INVAL;
	memset(img, 0, sizeof(*img));
	if (!data && len > 0)
		return SNT_IMAGE_ERR_INVAL;
	src.data = data;
	src.len = len;
	return load(&src, img);
}

void snt_image_release(struct snt_image *img)
{
	if (!img)
		return;
	free(img->rgb);
	memset(img, 0, sizeof(*img));
}

static const char *const err_text[] = {
	[SNT_IMAGE_OK] = N_("success"),
	[SNT_IMAGE_ERR_INVAL] = N_("invalid argument"),
	[SNT_IMAGE_ERR_IO] = N_("cannot read file"),
	[SNT_IMAGE_ERR_FORMAT] = N_("not a PNG or JPEG image"),
	[SNT_IMAGE_ERR_CORRUPT] = N_("corrupt image data"),
	[SNT_IMAGE_ERR_TOO_LARGE] = N_("image too large"),
	[SNT_IMAGE_ERR_NOMEM] = N_("out of memory"),
	[SNT_IMAGE_ERR_NOTREG] = N_("not a regular file"),
	[SNT_IMAGE_ERR_CMYK] = N_("a CMYK JPEG: not supported (save it as an RGB or greyscale JPEG, or a PNG)"),
};

const char *snt_image_strerror(enum snt_image_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown image error"));
}
