// SPDX-License-Identifier: MIT
/*
 * Unit tests of the V4L2 camera (board/linux/v4l2.c) over a replayed
 * device: the system-call layer is a fake that offers a list of formats,
 * hands out scripted frames, EAGAIN, and ENODEV for an unplugged camera,
 * and records what was asked of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "linux/v4l2.h"

#define FD 42
#define NBUF 4
#define BUFLEN (640 * 480 * 2)

/* One scripted DQBUF: an errno, or a buffer with @used bytes. */
struct dq {
	int err;
	const uint8_t *data;
	size_t used;
};

struct fake_dev {
	/* what the device offers */
	int open_errno;
	uint32_t caps;
	uint32_t formats[4];
	int n_formats;
	int reqbufs_errno;
	const struct dq *dq;
	size_t n_dq, dq_pos;
	/* what was asked */
	uint32_t set_fmt, set_w, set_h;
	bool queued[NBUF];
	int qbufs, streamon, streamoff, reqbufs0, mapped, unmapped, closed;
	uint8_t mem[NBUF][BUFLEN];
};

static int f_open(void *ctx, const char *path, int flags)
{
	struct fake_dev *d = ctx;

	assert_true(flags & O_NONBLOCK);
	assert_string_equal(path, "/dev/video0");
	if (d->open_errno) {
		errno = d->open_errno;
		return -1;
	}
	return FD;
}

static int f_close(void *ctx, int fd)
{
	assert_int_equal(fd, FD);
	((struct fake_dev *)ctx)->closed++;
	return 0;
}

static int fail_errno(int e)
{
	errno = e;
	return -1;
}

static int f_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct fake_dev *d = ctx;

	assert_int_equal(fd, FD);
	if (req == VIDIOC_QUERYCAP) {
		struct v4l2_capability *c = arg;

		c->capabilities = d->caps | V4L2_CAP_DEVICE_CAPS;
		c->device_caps = d->caps;
		return 0;
	}
	if (req == VIDIOC_ENUM_FMT) {
		struct v4l2_fmtdesc *f = arg;

		if (f->index >= (uint32_t)d->n_formats)
			return fail_errno(EINVAL);
		f->pixelformat = d->formats[f->index];
		return 0;
	}
	if (req == VIDIOC_S_FMT) {
		struct v4l2_format *f = arg;

		d->set_fmt = f->fmt.pix.pixelformat;
		d->set_w = f->fmt.pix.width;
		d->set_h = f->fmt.pix.height;
		f->fmt.pix.bytesperline = f->fmt.pix.pixelformat == V4L2_PIX_FMT_YUYV ? 1280 : 0;
		return 0;
	}
	if (req == VIDIOC_REQBUFS) {
		struct v4l2_requestbuffers *r = arg;

		if (d->reqbufs_errno)
			return fail_errno(d->reqbufs_errno);
		if (r->count == 0)
			d->reqbufs0++;
		else
			r->count = NBUF;
		return 0;
	}
	if (req == VIDIOC_QUERYBUF) {
		struct v4l2_buffer *b = arg;

		b->length = BUFLEN;
		b->m.offset = b->index * 4096;
		return 0;
	}
	if (req == VIDIOC_QBUF) {
		struct v4l2_buffer *b = arg;

		assert_true(b->index < NBUF);
		assert_false(d->queued[b->index]);
		d->queued[b->index] = true;
		d->qbufs++;
		return 0;
	}
	if (req == VIDIOC_DQBUF) {
		struct v4l2_buffer *b = arg;
		const struct dq *q;
		uint32_t i;

		if (d->dq_pos >= d->n_dq)
			return fail_errno(EAGAIN);
		q = &d->dq[d->dq_pos++];
		if (q->err)
			return fail_errno(q->err);
		for (i = 0; i < NBUF && !d->queued[i]; i++)
			;
		assert_true(i < NBUF);
		d->queued[i] = false;
		memcpy(d->mem[i], q->data, q->used);
		b->index = i;
		b->bytesused = (uint32_t)q->used;
		return 0;
	}
	if (req == VIDIOC_STREAMON) {
		d->streamon++;
		return 0;
	}
	if (req == VIDIOC_STREAMOFF) {
		d->streamoff++;
		return 0;
	}
	return fail_errno(ENOTTY);
}

static void *f_mmap(void *ctx, size_t length, int prot, int flags, int fd, off_t offset)
{
	struct fake_dev *d = ctx;

	assert_int_equal(length, BUFLEN);
	assert_int_equal(prot, PROT_READ | PROT_WRITE);
	assert_int_equal(flags, MAP_SHARED);
	assert_int_equal(fd, FD);
	d->mapped++;
	return d->mem[offset / 4096];
}

static int f_munmap(void *ctx, void *addr, size_t length)
{
	(void)addr;
	(void)length;
	((struct fake_dev *)ctx)->unmapped++;
	return 0;
}

static const struct snt_v4l2_io fake_io = { f_open, f_close, f_ioctl, f_mmap, f_munmap };

static struct fake_dev *dev_new(void)
{
	struct fake_dev *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
	return d;
}

static void assert_undone(const struct fake_dev *d)
{
	assert_int_equal(d->mapped, d->unmapped);
	assert_int_equal(d->closed, 1);
}

static void test_yuyv_zero_copy(void **state)
{
	static uint8_t frame1[BUFLEN], frame2[BUFLEN];
	const struct dq script[] = {
		{ 0, frame1, BUFLEN }, { EAGAIN, NULL, 0 }, { 0, frame2, BUFLEN }, { ENODEV, NULL, 0 },
	};
	struct fake_dev *d = dev_new();
	struct snt_frame f;
	struct snt_v4l2 *v;
	char err[256];

	(void)state;
	memset(frame1, 0x11, sizeof(frame1));
	memset(frame2, 0x22, sizeof(frame2));
	d->formats[0] = V4L2_PIX_FMT_MJPEG;
	d->formats[1] = V4L2_PIX_FMT_YUYV;
	d->n_formats = 2;
	d->dq = script;
	d->n_dq = 4;
	assert_int_equal(snt_v4l2_open(&fake_io, d, "/dev/video0", &v, err, sizeof(err)),
			 SNT_V4L2_OK);
	assert_int_equal(d->set_fmt, V4L2_PIX_FMT_YUYV);	/* preferred over MJPEG */
	assert_int_equal(d->set_w, 640);
	assert_int_equal(d->set_h, 480);
	assert_int_equal(d->mapped, NBUF);
	assert_int_equal(d->qbufs, NBUF);
	assert_int_equal(d->streamon, 1);
	assert_string_equal(snt_v4l2_fourcc(v), "YUYV");

	assert_int_equal(snt_v4l2_grab(v, &f), SNT_V4L2_OK);
	assert_int_equal(f.fmt, SNT_PIXFMT_YUYV);
	assert_int_equal(f.width, 640);
	assert_int_equal(f.height, 480);
	assert_int_equal(f.stride, 1280);
	assert_ptr_equal(f.data, d->mem[0]);		/* the mapped buffer itself */
	assert_int_equal(f.data[0], 0x11);
	/* No frame ready: the lent buffer goes back, nothing new. */
	assert_int_equal(snt_v4l2_ops.grab(v, &f), SNT_HAL_ERR_NODATA);
	assert_true(d->queued[0]);
	assert_int_equal(snt_v4l2_grab(v, &f), SNT_V4L2_OK);
	assert_int_equal(f.data[0], 0x22);
	/* Unplugged. */
	assert_int_equal(snt_v4l2_grab(v, &f), SNT_V4L2_ERR_IO);
	assert_int_equal(snt_v4l2_last_errno(v), ENODEV);
	assert_int_equal(snt_v4l2_ops.grab(v, &f), SNT_HAL_ERR_NODATA);	/* EAGAIN after */
	snt_v4l2_close(v);
	assert_int_equal(d->streamoff, 1);
	assert_int_equal(d->reqbufs0, 1);
	assert_undone(d);
	free(d);
}

static void test_mjpeg(void **state)
{
	static const uint8_t garbage[] = { 0xff, 0xd8, 0x00, 0x01, 0x02 };
	struct dq script[2];
	struct fake_dev *d = dev_new();
	struct snt_frame f;
	struct snt_v4l2 *v;
	size_t len;
	uint8_t *jpeg = file_read("tests/fixtures/image/qr-ascii.jpg", &len);
	char err[256];

	(void)state;
	assert_true(len > 0 && len < BUFLEN);
	script[0] = (struct dq){ 0, garbage, sizeof(garbage) };
	script[1] = (struct dq){ 0, jpeg, len };
	d->formats[0] = V4L2_PIX_FMT_MJPEG;
	d->n_formats = 1;
	d->dq = script;
	d->n_dq = 2;
	assert_int_equal(snt_v4l2_open(&fake_io, d, "/dev/video0", &v, err, sizeof(err)),
			 SNT_V4L2_OK);
	assert_string_equal(snt_v4l2_fourcc(v), "MJPG");
	assert_int_equal(snt_v4l2_grab(v, &f), SNT_V4L2_ERR_DECODE);
	assert_true(d->queued[0]);			/* given back at once */
	assert_int_equal(snt_v4l2_grab(v, &f), SNT_V4L2_OK);
	assert_int_equal(f.fmt, SNT_PIXFMT_RGB24);
	assert_true(f.width > 0 && f.height > 0);
	assert_int_equal(f.stride, 3 * f.width);
	snt_v4l2_close(v);
	assert_undone(d);
	free(jpeg);
	free(d);
}

static void test_open_errors(void **state)
{
	struct fake_dev *d = dev_new();
	struct snt_v4l2 *v = (struct snt_v4l2 *)&v;
	char err[256];

	(void)state;
	d->open_errno = ENOENT;
	assert_int_equal(snt_v4l2_open(&fake_io, d, "/dev/video0", &v, err, sizeof(err)),
			 SNT_V4L2_ERR_OPEN);
	assert_string_equal(err, "/dev/video0: No such file or directory");
	assert_null(v);

	memset(d, 0, sizeof(*d));
	d->caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
	d->formats[0] = V4L2_PIX_FMT_RGB24;
	d->n_formats = 1;
	assert_int_equal(snt_v4l2_open(&fake_io, d, "/dev/video0", &v, err, sizeof(err)),
			 SNT_V4L2_ERR_FORMAT);
	assert_string_equal(err, "/dev/video0: offers neither YUYV nor MJPEG");
	assert_undone(d);

	memset(d, 0, sizeof(*d));
	d->caps = V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_STREAMING;
	assert_int_equal(snt_v4l2_open(&fake_io, d, "/dev/video0", &v, err, sizeof(err)),
			 SNT_V4L2_ERR_CAPS);
	assert_string_equal(err, "/dev/video0: not a streaming video capture device");
	assert_undone(d);

	memset(d, 0, sizeof(*d));
	d->caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
	d->formats[0] = V4L2_PIX_FMT_YUYV;
	d->n_formats = 1;
	d->reqbufs_errno = EBUSY;
	assert_int_equal(snt_v4l2_open(&fake_io, d, "/dev/video0", &v, err, sizeof(err)),
			 SNT_V4L2_ERR_BUSY);
	assert_string_equal(err, "/dev/video0: device busy: Device or resource busy");
	assert_undone(d);
	free(d);

	/*
	 * The real system calls on something that is not a video device:
	 * ENOTTY from the kernel (not V4L2); qemu-user answers an ioctl it
	 * does not know with ENOSYS, an I/O error.
	 */
	{
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		struct v4l2_capability cap;
		int e;

		memset(&cap, 0, sizeof(cap));
		assert_true(fd >= 0);
		assert_int_equal(ioctl(fd, VIDIOC_QUERYCAP, &cap), -1);
		e = errno;
		close(fd);
		assert_int_equal(snt_v4l2_open(&snt_v4l2_sys_io, NULL, "/dev/null", &v, err,
					       sizeof(err)),
				 e == ENOTTY ? SNT_V4L2_ERR_CAPS : SNT_V4L2_ERR_IO);
		if (e == ENOTTY)
			assert_string_equal(err, "/dev/null: not a streaming video capture device");
		else
			assert_string_equal(err, "/dev/null: V4L2 I/O error: Function not implemented");
	}
	assert_int_equal(snt_v4l2_open(&snt_v4l2_sys_io, NULL, "/nonexistent/video9", &v, err,
				       sizeof(err)),
			 SNT_V4L2_ERR_OPEN);
	snt_v4l2_close(NULL);
	assert_string_equal(snt_v4l2_strerror(SNT_V4L2_ERR_NODATA), "no frame ready");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yuyv_zero_copy),
		cmocka_unit_test(test_mjpeg),
		cmocka_unit_test(test_open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
