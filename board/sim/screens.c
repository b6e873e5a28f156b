// SPDX-License-Identifier: MIT
/*
 * The simulated board's screens as PNG files and its voice as a WAV file
 * (screens.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "sim/screens.h"
#include "voice/voice.h"

struct sim_screens {
	char dir[PATH_MAX];		/* <output dir>/screens */
	char wav[PATH_MAX];		/* <output dir>/audio.wav */
	char clips[PATH_MAX];		/* "" = no clips */
	int width, height, volume;
	enum snt_screen_order order;
	struct snt_screen_renderer *r;	/* made at the first screen */
	unsigned int next;		/* number of the next PNG; 0 = not yet counted */
	char last[PATH_MAX + 64];	/* the last PNG written */
	bool last_preview;
	int wav_fd;			/* -1 until the first clip */
	unsigned int wav_rate, wav_channels;
	uint32_t wav_bytes;
};

struct sim_screens *sim_screens_new(const struct snt_config *cfg)
{
	struct sim_screens *ss = calloc(1, sizeof(*ss));
	char base[PATH_MAX];

	if (!ss)
		return NULL;
	snt_dir_of(cfg->sim_output, base, sizeof(base));
	snprintf(ss->dir, sizeof(ss->dir), "%.*s/screens", PATH_MAX - 16, base);
	snprintf(ss->wav, sizeof(ss->wav), "%.*s/audio.wav", PATH_MAX - 16, base);
	snt_strlcpy(ss->clips, cfg->audio_clips, sizeof(ss->clips));
	ss->width = cfg->display_width;
	ss->height = cfg->display_height;
	ss->volume = cfg->audio_volume;
	if (snt_screen_order_from_name(cfg->display_languages, &ss->order))
		ss->order = SNT_SCREEN_ZH_FIRST;
	ss->wav_fd = -1;
	return ss;
}

void sim_screens_free(struct sim_screens *ss)
{
	if (!ss)
		return;
	snt_screen_renderer_free(ss->r);
	if (ss->wav_fd >= 0)
		close(ss->wav_fd);
	free(ss);
}

/* The number after the highest NNNN-*.png file (not directory) in @dir (1 when none). */
static unsigned int next_number(const char *dir)
{
	unsigned int max = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return 1;
	while ((de = readdir(d))) {
		unsigned int n;
		char dash;

		size_t len = strlen(de->d_name);

		if (de->d_type == DT_DIR || len < 4 || strcmp(de->d_name + len - 4, ".png"))
			continue;
		if (sscanf(de->d_name, "%4u%c", &n, &dash) == 2 && dash == '-' && n > max)
			max = n;
	}
	closedir(d);
	return max + 1;
}

static enum snt_hal_err write_all(int fd, const void *buf, size_t len)
{
	return snt_write_all(fd, buf, len) ? SNT_HAL_ERR_IO : SNT_HAL_OK;
}

enum snt_hal_err sim_screens_draw(struct sim_screens *ss, const struct snt_screen *scr)
{
	const char *state = snt_screen_state_name(scr ? scr->state : SNT_SCREEN_STATE_COUNT);
	enum snt_screen_err err;
	char path[PATH_MAX + 64];
	char texts[2048];
	unsigned int num;
	int n, fd;

	if (!ss || !scr)
		return SNT_HAL_ERR_INVAL;
	if (!ss->r) {
		err = snt_screen_renderer_new(ss->width, ss->height, ss->order, &ss->r);
		if (err)
			return err == SNT_SCREEN_ERR_NOMEM ? SNT_HAL_ERR_NOMEM : SNT_HAL_ERR_IO;
	}
	if (mkdir(ss->dir, 0755) != 0 && errno != EEXIST)
		return SNT_HAL_ERR_IO;
	if (ss->next == 0)
		ss->next = next_number(ss->dir);
	if (ss->next > 9999)
		return SNT_HAL_ERR_IO;
	/* Every screen change takes its number, also one that cannot be written. */
	num = ss->next++;
	ss->last_preview = false;
	/* What is given to the renderer, for checks that no name or token is shown. */
	n = snt_screen_texts(ss->r, scr, texts, sizeof(texts));
	if (n < 0)
		return SNT_HAL_ERR_INVAL;
	snprintf(path, sizeof(path), "%s/%04u-%s.txt", ss->dir, num, state);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return SNT_HAL_ERR_IO;
	if (write_all(fd, texts, strlen(texts)) != SNT_HAL_OK) {
		close(fd);
		return SNT_HAL_ERR_IO;
	}
	if (close(fd) != 0)
		return SNT_HAL_ERR_IO;
	err = snt_screen_render_own(ss->r, scr, NULL);
	if (err)
		return err == SNT_SCREEN_ERR_NOMEM ? SNT_HAL_ERR_NOMEM : SNT_HAL_ERR_IO;
	snprintf(path, sizeof(path), "%s/%04u-%s.png", ss->dir, num, state);
	if (snt_screen_write_png(ss->r, path) != SNT_SCREEN_OK)
		return SNT_HAL_ERR_IO;
	snt_strlcpy(ss->last, path, sizeof(ss->last));
	ss->last_preview = scr->state == SNT_SCREEN_PREVIEW;
	return SNT_HAL_OK;
}

enum snt_hal_err sim_screens_freeze(struct sim_screens *ss, const struct snt_frame *frame)
{
	size_t stride;
	uint32_t *px;

	if (!ss || !ss->r || !ss->last_preview || !frame)
		return SNT_HAL_ERR_INVAL;
	px = snt_screen_pixels(ss->r, &stride);
	if (snt_screen_render_preview(ss->r, frame, true, px, stride) != SNT_SCREEN_OK)
		return SNT_HAL_ERR_IO;
	return snt_screen_write_png(ss->r, ss->last) == SNT_SCREEN_OK ? SNT_HAL_OK : SNT_HAL_ERR_IO;
}

enum snt_hal_err sim_screens_play(struct sim_screens *ss, const char *clip_id)
{
	struct snt_wav w;
	enum snt_voice_err verr;
	enum snt_hal_err err;
	uint8_t hdr[44];
	size_t bytes;

	if (!ss || !clip_id)
		return SNT_HAL_ERR_INVAL;
	if (!ss->clips[0])
		return SNT_HAL_ERR_NODATA;
	verr = snt_voice_load(ss->clips, clip_id, &w);
	if (verr == SNT_VOICE_ERR_NOMEM)
		return SNT_HAL_ERR_NOMEM;
	if (verr)
		return SNT_HAL_ERR_NODATA;
	if (ss->wav_fd < 0) {
		ss->wav_fd = open(ss->wav, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (ss->wav_fd < 0) {
			snt_wav_free(&w);
			return SNT_HAL_ERR_IO;
		}
		ss->wav_rate = w.rate;
		ss->wav_channels = w.channels;
		ss->wav_bytes = 0;
		snt_voice_header(hdr, w.rate, w.channels, 0);
		if (write_all(ss->wav_fd, hdr, sizeof(hdr)) != SNT_HAL_OK) {
			snt_wav_free(&w);
			return SNT_HAL_ERR_IO;
		}
	}
	if (w.rate != ss->wav_rate || w.channels != ss->wav_channels) {
		/* One file, one format: a clip in another one is not written (it is still logged). */
		snt_wav_free(&w);
		return SNT_HAL_OK;
	}
	snt_voice_scale(&w, ss->volume);
	bytes = w.frames * w.channels * 2;
	/* RIFF is little-endian, whatever the host's order. */
	for (size_t i = 0; i < w.frames * w.channels; i++) {
		uint16_t u = (uint16_t)w.samples[i];
		uint8_t le[2] = { (uint8_t)u, (uint8_t)(u >> 8) };

		memcpy(&w.samples[i], le, 2);
	}
	err = lseek(ss->wav_fd, 0, SEEK_END) < 0 ? SNT_HAL_ERR_IO : write_all(ss->wav_fd, w.samples, bytes);
	snt_wav_free(&w);
	if (err)
		return err;
	ss->wav_bytes += (uint32_t)bytes;
	snt_voice_header(hdr, ss->wav_rate, ss->wav_channels, ss->wav_bytes);
	if (pwrite(ss->wav_fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return SNT_HAL_ERR_IO;
	return SNT_HAL_OK;
}
