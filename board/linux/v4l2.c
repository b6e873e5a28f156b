// SPDX-License-Identifier: MIT
/*
 * V4L2 memory-mapped capture (see v4l2.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/i18n.h"
#include "image/image.h"
#include "linux/v4l2.h"

struct buffer {
	void *start;
	size_t length;
};

struct snt_v4l2 {
	const struct snt_v4l2_io *io;
	void *ioctx;
	int fd;
	uint32_t pixfmt;
	unsigned int width, height, stride;
	struct buffer buf[SNT_V4L2_BUFFERS];
	unsigned int n_buf;
	int held;			/* index of the buffer lent out, or -1 */
	bool streaming;
	struct snt_image jpeg;		/* the last decoded MJPEG frame */
	int last_errno;
};

static const char *const err_text[] = {
	[SNT_V4L2_OK] = N_("success"),
	[SNT_V4L2_ERR_INVAL] = N_("invalid argument"),
	[SNT_V4L2_ERR_OPEN] = N_("cannot open the device"),
	[SNT_V4L2_ERR_BUSY] = N_("device busy"),
	[SNT_V4L2_ERR_CAPS] = N_("not a streaming video capture device"),
	[SNT_V4L2_ERR_FORMAT] = N_("offers neither YUYV nor MJPEG"),
	[SNT_V4L2_ERR_IO] = N_("V4L2 I/O error"),
	[SNT_V4L2_ERR_NODATA] = N_("no frame ready"),
	[SNT_V4L2_ERR_DECODE] = N_("MJPEG frame does not decode"),
	[SNT_V4L2_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_v4l2_strerror(enum snt_v4l2_err err)
{
	/* The text in the user's language: every caller shows it to a person. */
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

/* ---- the real system calls ---- */

static int sys_open(void *ctx, const char *path, int flags)
{
	(void)ctx;
	return open(path, flags);
}

static int sys_close(void *ctx, int fd)
{
	(void)ctx;
	return close(fd);
}

static int sys_ioctl(void *ctx, int fd, unsigned long request, void *arg)
{
	int rc;

	(void)ctx;
	do
		rc = ioctl(fd, request, arg);
	while (rc < 0 && errno == EINTR);
	return rc;
}

static void *sys_mmap(void *ctx, size_t length, int prot, int flags, int fd, off_t offset)
{
	(void)ctx;
	return mmap(NULL, length, prot, flags, fd, offset);
}

static int sys_munmap(void *ctx, void *addr, size_t length)
{
	(void)ctx;
	return munmap(addr, length);
}

const struct snt_v4l2_io snt_v4l2_sys_io = {
	.open = sys_open,
	.close = sys_close,
	.ioctl = sys_ioctl,
	.mmap = sys_mmap,
	.munmap = sys_munmap,
};

/* ---- capture ---- */

static int xioctl(struct snt_v4l2 *v, unsigned long req, void *arg)
{
	int rc = v->io->ioctl(v->ioctx, v->fd, req, arg);

	if (rc < 0)
		v->last_errno = errno;
	return rc;
}

void snt_v4l2_close(struct snt_v4l2 *v)
{
	if (!v)
		return;
	if (v->streaming) {
		int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

		(void)xioctl(v, VIDIOC_STREAMOFF, &type);
	}
	for (unsigned int i = 0; i < v->n_buf; i++)
		if (v->buf[i].start)
			(void)v->io->munmap(v->ioctx, v->buf[i].start, v->buf[i].length);
	if (v->n_buf) {
		/* Free the driver's buffers so another program may stream. */
		struct v4l2_requestbuffers rb = { .count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
						  .memory = V4L2_MEMORY_MMAP };

		(void)xioctl(v, VIDIOC_REQBUFS, &rb);
	}
	if (v->fd >= 0)
		(void)v->io->close(v->ioctx, v->fd);
	snt_image_release(&v->jpeg);
	free(v);
}

static enum snt_v4l2_err pick_format(struct snt_v4l2 *v)
{
	bool yuyv = false, mjpeg = false;

	for (uint32_t i = 0; i < 64; i++) {
		struct v4l2_fmtdesc fd = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };

		if (xioctl(v, VIDIOC_ENUM_FMT, &fd) < 0) {
			if (errno == EINVAL)
				break;	/* end of the list */
			return SNT_V4L2_ERR_IO;
		}
		yuyv |= fd.pixelformat == V4L2_PIX_FMT_YUYV;
		mjpeg |= fd.pixelformat == V4L2_PIX_FMT_MJPEG;
	}
	if (!yuyv && !mjpeg)
		return SNT_V4L2_ERR_FORMAT;
	v->pixfmt = yuyv ? V4L2_PIX_FMT_YUYV : V4L2_PIX_FMT_MJPEG;
	return SNT_V4L2_OK;
}

static enum snt_v4l2_err setup(struct snt_v4l2 *v)
{
	struct v4l2_capability cap;
	struct v4l2_format fmt;
	struct v4l2_requestbuffers rb;
	enum snt_v4l2_err err;
	uint32_t caps;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	memset(&cap, 0, sizeof(cap));
	if (xioctl(v, VIDIOC_QUERYCAP, &cap) < 0)
		return errno == ENOTTY || errno == EINVAL ? SNT_V4L2_ERR_CAPS : SNT_V4L2_ERR_IO;
	caps = cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities;
	if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING))
		return SNT_V4L2_ERR_CAPS;
	err = pick_format(v);
	if (err)
		return err;
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.width = SNT_V4L2_WIDTH;
	fmt.fmt.pix.height = SNT_V4L2_HEIGHT;
	fmt.fmt.pix.pixelformat = v->pixfmt;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(v, VIDIOC_S_FMT, &fmt) < 0)
		return errno == EBUSY ? SNT_V4L2_ERR_BUSY : SNT_V4L2_ERR_IO;
	if (fmt.fmt.pix.pixelformat != v->pixfmt || fmt.fmt.pix.width == 0 ||
	    fmt.fmt.pix.height == 0)
		return SNT_V4L2_ERR_FORMAT;
	v->width = fmt.fmt.pix.width;
	v->height = fmt.fmt.pix.height;
	v->stride = fmt.fmt.pix.bytesperline ? fmt.fmt.pix.bytesperline : 2 * v->width;
	if (v->pixfmt == V4L2_PIX_FMT_YUYV && v->stride < 2 * v->width)
		return SNT_V4L2_ERR_FORMAT;

	memset(&rb, 0, sizeof(rb));
	rb.count = SNT_V4L2_BUFFERS;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(v, VIDIOC_REQBUFS, &rb) < 0)
		return errno == EBUSY ? SNT_V4L2_ERR_BUSY : SNT_V4L2_ERR_IO;
	if (rb.count < 2 || rb.count > SNT_V4L2_BUFFERS) {
		v->last_errno = ENOMEM;
		return SNT_V4L2_ERR_IO;
	}
	for (unsigned int i = 0; i < rb.count; i++) {
		struct v4l2_buffer b = { .index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					 .memory = V4L2_MEMORY_MMAP };
		void *p;

		v->n_buf = i + 1;
		if (xioctl(v, VIDIOC_QUERYBUF, &b) < 0)
			return SNT_V4L2_ERR_IO;
		p = v->io->mmap(v->ioctx, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
				(off_t)b.m.offset);
		if (p == MAP_FAILED) {
			v->last_errno = errno;
			return SNT_V4L2_ERR_IO;
		}
		v->buf[i].start = p;
		v->buf[i].length = b.length;
		if (v->pixfmt == V4L2_PIX_FMT_YUYV && b.length < (size_t)v->stride * v->height)
			return SNT_V4L2_ERR_FORMAT;
		if (xioctl(v, VIDIOC_QBUF, &b) < 0)
			return SNT_V4L2_ERR_IO;
	}
	if (xioctl(v, VIDIOC_STREAMON, &type) < 0)
		return errno == EBUSY ? SNT_V4L2_ERR_BUSY : SNT_V4L2_ERR_IO;
	v->streaming = true;
	return SNT_V4L2_OK;
}

enum snt_v4l2_err snt_v4l2_open(const struct snt_v4l2_io *io, void *ioctx, const char *dev,
				struct snt_v4l2 **out, char *errbuf, size_t errlen)
{
	enum snt_v4l2_err err;
	struct snt_v4l2 *v;

	if (!io || !dev || !out || !errbuf || errlen == 0)
		return SNT_V4L2_ERR_INVAL;
	*out = NULL;
	errbuf[0] = '\0';
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(errbuf, errlen, _("%s: out of memory"), dev);
		return SNT_V4L2_ERR_NOMEM;
	}
	v->io = io;
	v->ioctx = ioctx;
	v->held = -1;
	v->fd = io->open(ioctx, dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (v->fd < 0) {
		int e = errno;

		snprintf(errbuf, errlen, "%s: %s", dev, strerror(e));
		free(v);
		return e == EBUSY ? SNT_V4L2_ERR_BUSY : SNT_V4L2_ERR_OPEN;
	}
	err = setup(v);
	if (err) {
		if (v->last_errno && err != SNT_V4L2_ERR_CAPS && err != SNT_V4L2_ERR_FORMAT)
			snprintf(errbuf, errlen, "%s: %s: %s", dev, _(err_text[err]),
				 strerror(v->last_errno));
		else
			snprintf(errbuf, errlen, "%s: %s", dev, _(err_text[err]));
		snt_v4l2_close(v);
		return err;
	}
	*out = v;
	return SNT_V4L2_OK;
}

static void give_back(struct snt_v4l2 *v)
{
	struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };

	if (v->held < 0)
		return;
	b.index = (uint32_t)v->held;
	v->held = -1;
	(void)xioctl(v, VIDIOC_QBUF, &b);
}

enum snt_v4l2_err snt_v4l2_grab(struct snt_v4l2 *v, struct snt_frame *frame)
{
	struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP };

	if (!v || !frame)
		return SNT_V4L2_ERR_INVAL;
	give_back(v);
	if (xioctl(v, VIDIOC_DQBUF, &b) < 0)
		return errno == EAGAIN ? SNT_V4L2_ERR_NODATA : SNT_V4L2_ERR_IO;
	if (b.index >= v->n_buf || b.bytesused > v->buf[b.index].length) {
		v->last_errno = EPROTO;
		return SNT_V4L2_ERR_IO;
	}
	v->held = (int)b.index;
	if (v->pixfmt == V4L2_PIX_FMT_YUYV) {
		frame->fmt = SNT_PIXFMT_YUYV;
		frame->width = v->width;
		frame->height = v->height;
		frame->stride = v->stride;
		frame->data = v->buf[b.index].start;
		return SNT_V4L2_OK;
	}
	snt_image_release(&v->jpeg);
	if (snt_image_load_mem(v->buf[b.index].start, b.bytesused, &v->jpeg) != SNT_IMAGE_OK) {
		give_back(v);
		return SNT_V4L2_ERR_DECODE;
	}
	give_back(v);	/* decoded: the driver may refill it now */
	frame->fmt = SNT_PIXFMT_RGB24;
	frame->width = v->jpeg.width;
	frame->height = v->jpeg.height;
	frame->stride = v->jpeg.stride;
	frame->data = v->jpeg.rgb;
	return SNT_V4L2_OK;
}

const char *snt_v4l2_fourcc(const struct snt_v4l2 *v)
{
	return v && v->pixfmt == V4L2_PIX_FMT_MJPEG ? "MJPG" : "YUYV";
}

int snt_v4l2_last_errno(const struct snt_v4l2 *v)
{
	return v ? v->last_errno : 0;
}

static enum snt_hal_err ops_grab(void *ctx, struct snt_frame *frame)
{
	enum snt_v4l2_err err = snt_v4l2_grab(ctx, frame);

	if (err == SNT_V4L2_OK)
		return SNT_HAL_OK;
	if (err == SNT_V4L2_ERR_NODATA || err == SNT_V4L2_ERR_DECODE)
		return SNT_HAL_ERR_NODATA;
	return SNT_HAL_ERR_IO;
}

const struct snt_camera_ops snt_v4l2_ops = {
	.grab = ops_grab,
};
