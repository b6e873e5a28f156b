/* SPDX-License-Identifier: MIT */
/*
 * v4l2: the gate camera through the V4L2 streaming-I/O API (memory-mapped
 * buffers; Linux Media Infrastructure userspace API, "Streaming I/O (Memory
 * Mapping)": VIDIOC_QUERYCAP, VIDIOC_ENUM_FMT, VIDIOC_S_FMT, VIDIOC_REQBUFS,
 * VIDIOC_QUERYBUF, mmap, VIDIOC_QBUF/DQBUF, VIDIOC_STREAMON/STREAMOFF).
 *
 * Capture is 640x480 (the driver may adjust; the size it returns is used),
 * YUYV when the device offers it, else MJPEG.  YUYV frames are handed to the
 * scanner straight from the mapped buffer (no copy); MJPEG frames are
 * decoded (image.h) into a buffer owned by the handle.  The frame of one
 * grab stays valid until the next grab or close; its buffer is queued back
 * to the driver then.
 *
 * Every system call goes through struct snt_v4l2_io, so tests replay a
 * recorded device (formats offered, frames, EAGAIN, unplug = ENODEV).
 */
#ifndef SNT_V4L2_H
#define SNT_V4L2_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/common.h"
#include "hal.h"

#define SNT_V4L2_WIDTH 640
#define SNT_V4L2_HEIGHT 480
#define SNT_V4L2_BUFFERS 4

enum snt_v4l2_err {
	SNT_V4L2_OK = 0,
	SNT_V4L2_ERR_INVAL,	/* NULL argument */
	SNT_V4L2_ERR_OPEN,	/* open(2) failed (ENOENT, EACCES, ...) */
	SNT_V4L2_ERR_BUSY,	/* another program streams from it (EBUSY) */
	SNT_V4L2_ERR_CAPS,	/* not a streaming video capture device */
	SNT_V4L2_ERR_FORMAT,	/* offers neither YUYV nor MJPEG */
	SNT_V4L2_ERR_IO,	/* an ioctl or mmap failed; ENODEV: unplugged */
	SNT_V4L2_ERR_NODATA,	/* no frame ready yet (EAGAIN) */
	SNT_V4L2_ERR_DECODE,	/* an MJPEG frame did not decode */
	SNT_V4L2_ERR_NOMEM,
};

/* The system calls used; snt_v4l2_sys_io is the real one. */
struct snt_v4l2_io {
	int (*open)(void *ctx, const char *path, int flags);
	int (*close)(void *ctx, int fd);
	/* ioctl() - as ioctl(2): 0 or -1 with errno. */
	int (*ioctl)(void *ctx, int fd, unsigned long request, void *arg);
	void *(*mmap)(void *ctx, size_t length, int prot, int flags, int fd, off_t offset);
	int (*munmap)(void *ctx, void *addr, size_t length);
};

extern const struct snt_v4l2_io snt_v4l2_sys_io;

struct snt_v4l2;

/*
 * snt_v4l2_open() - open @dev, pick the format, map the buffers, start
 * streaming.
 * @io, @ioctx: the system-call layer (snt_v4l2_sys_io, NULL); borrowed.
 * @out: receives the handle; release with snt_v4l2_close().
 * @errbuf, @errlen: on failure one line "DEV: why".
 * Return: SNT_V4L2_OK; SNT_V4L2_ERR_INVAL; SNT_V4L2_ERR_OPEN;
 * SNT_V4L2_ERR_BUSY; SNT_V4L2_ERR_CAPS; SNT_V4L2_ERR_FORMAT;
 * SNT_V4L2_ERR_IO; SNT_V4L2_ERR_NOMEM.  On failure everything is undone.
 */
enum snt_v4l2_err snt_v4l2_open(const struct snt_v4l2_io *io, void *ioctx, const char *dev,
				struct snt_v4l2 **out, char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_v4l2_grab() - the next frame, without waiting.
 * @frame: receives a frame borrowed from the handle (see above).
 * Return: SNT_V4L2_OK; SNT_V4L2_ERR_NODATA (EAGAIN); SNT_V4L2_ERR_DECODE
 * (the buffer is given back); SNT_V4L2_ERR_IO (snt_v4l2_last_errno():
 * ENODEV when the camera was unplugged).
 */
enum snt_v4l2_err snt_v4l2_grab(struct snt_v4l2 *v, struct snt_frame *frame) SNT_WUR;

/* snt_v4l2_fourcc() - the pixel format in use: "YUYV" or "MJPG"; owned by @v. */
const char *snt_v4l2_fourcc(const struct snt_v4l2 *v);

/* snt_v4l2_last_errno() - errno of the last failed call (0: none). */
int snt_v4l2_last_errno(const struct snt_v4l2 *v);

/* snt_v4l2_close() - stop streaming, unmap, close; NULL does nothing. */
void snt_v4l2_close(struct snt_v4l2 *v);

/* The hal.h camera ops over a struct snt_v4l2 (NODATA, DECODE -> NODATA; IO -> IO). */
extern const struct snt_camera_ops snt_v4l2_ops;

/* snt_v4l2_strerror() - static text in the user's language (i18n.h); never NULL. */
const char *snt_v4l2_strerror(enum snt_v4l2_err err);

#endif /* SNT_V4L2_H */
