/* SPDX-License-Identifier: MIT */
/*
 * image: PNG and JPEG files to RGB24 frames, for the simulated camera and
 * `sentinelctl scan`.  Files are hostile input: decoding goes through libpng
 * (1.6, W3C PNG 2nd ed.) and libjpeg-turbo (ITU-T T.81 / JFIF 1.02) with
 * their error handlers trapped, dimensions are bounded before any pixel
 * buffer is allocated, and the type is taken from the file's signature, not
 * its name.
 */
#ifndef SNT_IMAGE_H
#define SNT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

/* Largest image accepted, per side and in total pixels. */
#define SNT_IMAGE_MAX_SIDE 8192
#define SNT_IMAGE_MAX_PIXELS (40u * 1000u * 1000u)

enum snt_image_err {
	SNT_IMAGE_OK = 0,
	SNT_IMAGE_ERR_INVAL,	/* NULL argument */
	SNT_IMAGE_ERR_IO,	/* open/read failed; errno is kept in the image's sys_errno */
	SNT_IMAGE_ERR_FORMAT,	/* neither a PNG nor a JPEG signature */
	SNT_IMAGE_ERR_CORRUPT,	/* the decoder rejected the data (truncated, bad CRC, ...) */
	SNT_IMAGE_ERR_TOO_LARGE,/* a side over SNT_IMAGE_MAX_SIDE or too many pixels */
	SNT_IMAGE_ERR_NOMEM,	/* allocation failed */
	SNT_IMAGE_ERR_NOTREG,	/* the path is not a regular file (FIFO, device, ...) */
	SNT_IMAGE_ERR_CMYK,	/* a JPEG in CMYK or YCCK (4 components): not supported */
};

/* An RGB24 image.  rgb is owned by the image; release with snt_image_release(). */
struct snt_image {
	unsigned int width;
	unsigned int height;
	size_t stride;		/* bytes per row == 3 * width */
	uint8_t *rgb;		/* height * stride bytes */
	int sys_errno;		/* errno of the failing call for SNT_IMAGE_ERR_IO */
};

/*
 * snt_image_load() - decode a PNG or JPEG file to RGB24.
 * @path: file to read.
 * @img: receives the image (zeroed first).  Grey, palette, 16-bit and alpha
 *       PNGs are converted (alpha composited on white); CMYK JPEGs are refused
 *       as SNT_IMAGE_ERR_CMYK.
 * Return: SNT_IMAGE_OK; SNT_IMAGE_ERR_INVAL for a NULL argument;
 * SNT_IMAGE_ERR_IO if the file cannot be opened or read, or is a directory
 * (img->sys_errno, e.g. ENOENT, EACCES, EISDIR); SNT_IMAGE_ERR_FORMAT for an
 * empty file or an unknown signature; SNT_IMAGE_ERR_CMYK for a CMYK or
 * YCCK JPEG (4 components; "not supported", with what to save it as);
 * SNT_IMAGE_ERR_CORRUPT for data the decoder rejects: a file cut short
 * anywhere (even inside the signature), a bad CRC in a critical PNG chunk,
 * damaged JPEG entropy-coded data, more than 500 progressive JPEG scans;
 * SNT_IMAGE_ERR_TOO_LARGE when the header's width or height exceeds
 * SNT_IMAGE_MAX_SIDE or their product SNT_IMAGE_MAX_PIXELS (judged before
 * any pixel buffer is allocated); SNT_IMAGE_ERR_NOMEM; SNT_IMAGE_ERR_NOTREG
 * when @path is a FIFO, device or socket (a directory is SNT_IMAGE_ERR_IO
 * with EISDIR).  On error @img is
 * zeroed (but for sys_errno) and nothing needs releasing.
 */
enum snt_image_err snt_image_load(const char *path, struct snt_image *img) SNT_WUR;

/*
 * snt_image_load_mem() - as snt_image_load() from a memory buffer.
 * @data, @len: the encoded file; borrowed for the call.  @data may be NULL
 *              only when @len is 0 (an empty file: SNT_IMAGE_ERR_FORMAT).
 * Return: as snt_image_load(), without SNT_IMAGE_ERR_IO.
 */
enum snt_image_err snt_image_load_mem(const uint8_t *data, size_t len,
				      struct snt_image *img) SNT_WUR;

/* snt_image_release() - free the pixels and zero @img; NULL does nothing. */
void snt_image_release(struct snt_image *img);

/* snt_image_strerror() - static English text for @err; never NULL. */
const char *snt_image_strerror(enum snt_image_err err);

#endif /* SNT_IMAGE_H */
