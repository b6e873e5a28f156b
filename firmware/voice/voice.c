// SPDX-License-Identifier: MIT
/*
 * Voice prompt clips: RIFF/WAVE 16-bit PCM (Microsoft's RIFF WAVE layout:
 * "RIFF" size "WAVE", then chunks; "fmt " and "data" are used, others
 * skipped).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/i18n.h"
#include "voice/voice.h"

static const char *const err_text[] = {
	[SNT_VOICE_OK] = N_("success"),
	[SNT_VOICE_ERR_INVAL] = N_("invalid argument or clip id"),
	[SNT_VOICE_ERR_NOCLIP] = N_("no such clip"),
	[SNT_VOICE_ERR_FORMAT] = N_("not a 16-bit PCM WAVE file"),
	[SNT_VOICE_ERR_IO] = N_("the clip could not be read"),
	[SNT_VOICE_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_voice_strerror(enum snt_voice_err err)
{
	return snt_table_msg(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error"));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

enum snt_voice_err snt_voice_parse(const uint8_t *data, size_t len, struct snt_wav *out)
{
	unsigned int rate = 0, channels = 0, bits = 0, fmt = 0;
	const uint8_t *pcm = NULL;
	size_t pcm_len = 0, off = 12;

	if (!data || !out)
		return SNT_VOICE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (len < 12 || memcmp(data, "RIFF", 4) || memcmp(data + 8, "WAVE", 4))
		return SNT_VOICE_ERR_FORMAT;
	while (off + 8 <= len) {
		uint32_t size = le32(data + off + 4);
		const uint8_t *body = data + off + 8;
		size_t avail = len - off - 8;

		if (!memcmp(data + off, "fmt ", 4)) {
			if (size < 16 || size > avail)
				return SNT_VOICE_ERR_FORMAT;
			fmt = le16(body);
			channels = le16(body + 2);
			rate = le32(body + 4);
			bits = le16(body + 14);
		} else if (!memcmp(data + off, "data", 4)) {
			/* espeak-ng writing to a pipe leaves the size at 0x7ffff...: take what is there. */
			pcm = body;
			pcm_len = size > avail ? avail : size;
			break;
		}
		if (size > avail)
			return SNT_VOICE_ERR_FORMAT;
		off += 8 + (size_t)size + (size & 1);
	}
	if (fmt != 1 || bits != 16 || channels < 1 || channels > 2 || rate < 8000 || rate > 48000 || !pcm)
		return SNT_VOICE_ERR_FORMAT;
	if (pcm_len > SNT_VOICE_MAX_BYTES)
		return SNT_VOICE_ERR_FORMAT;
	out->frames = pcm_len / (2 * channels);
	out->rate = rate;
	out->channels = channels;
	out->samples = malloc(out->frames * channels * sizeof(int16_t) + 1);
	if (!out->samples)
		return SNT_VOICE_ERR_NOMEM;
	for (size_t i = 0; i < out->frames * channels; i++)
		out->samples[i] = (int16_t)le16(pcm + 2 * i);
	return SNT_VOICE_OK;
}

static int valid_id(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n <= 40 && strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

enum snt_voice_err snt_voice_load(const char *dir, const char *clip_id, struct snt_wav *out)
{
	char path[PATH_MAX];
	enum snt_voice_err err;
	struct stat sb;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	if (!dir || !clip_id || !out || !valid_id(clip_id))
		return SNT_VOICE_ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (snprintf(path, sizeof(path), "%s/%s.wav", dir, clip_id) >= (int)sizeof(path))
		return SNT_VOICE_ERR_INVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? SNT_VOICE_ERR_NOCLIP : SNT_VOICE_ERR_IO;
	if (fstat(fd, &sb)) {
		close(fd);
		return SNT_VOICE_ERR_IO;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return SNT_VOICE_ERR_FORMAT;
	}
	if (sb.st_size > (off_t)SNT_VOICE_MAX_BYTES + 4096) {
		close(fd);
		return SNT_VOICE_ERR_FORMAT;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		return SNT_VOICE_ERR_NOMEM;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	err = snt_voice_parse(buf, got, out);
	free(buf);
	return err;
}

void snt_voice_scale(struct snt_wav *w, int volume)
{
	if (!w || !w->samples || volume >= 100)
		return;
	if (volume < 0)
		volume = 0;
	for (size_t i = 0; i < w->frames * w->channels; i++)
		w->samples[i] = (int16_t)(w->samples[i] * volume / 100);
}

void snt_voice_header(uint8_t hdr[44], unsigned int rate, unsigned int channels, uint32_t data_bytes)
{
	memcpy(hdr, "RIFF", 4);
	put32(hdr + 4, 36 + data_bytes);
	memcpy(hdr + 8, "WAVEfmt ", 8);
	put32(hdr + 16, 16);
	hdr[20] = 1;
	hdr[21] = 0;
	hdr[22] = (uint8_t)channels;
	hdr[23] = 0;
	put32(hdr + 24, rate);
	put32(hdr + 28, rate * channels * 2);
	hdr[32] = (uint8_t)(channels * 2);
	hdr[33] = 0;
	hdr[34] = 16;
	hdr[35] = 0;
	memcpy(hdr + 36, "data", 4);
	put32(hdr + 40, data_bytes);
}

void snt_wav_free(struct snt_wav *w)
{
	if (!w)
		return;
	free(w->samples);
	w->samples = NULL;
	w->frames = 0;
}
