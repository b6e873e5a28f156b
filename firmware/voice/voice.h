/* SPDX-License-Identifier: MIT */
/*
 * voice: the voice prompts' clips.  A clip is a RIFF/WAVE file of 16-bit
 * little-endian PCM (WAVE_FORMAT_PCM, 1 or 2 channels, 8000-48000 Hz: what
 * espeak-ng writes, and what a home's recorded clips must be), named
 * "<clips dir>/<clip id>.wav", the clip id being "<message>-<lang>"
 * (checkin.h: the screen state and "zh" or "en").  The audio backends
 * (board/linux/alsa.c, the simulated board's WAV writer) load them here.
 */
#ifndef SNT_VOICE_H
#define SNT_VOICE_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

enum snt_voice_err {
	SNT_VOICE_OK = 0,
	SNT_VOICE_ERR_INVAL,	/* NULL argument, or a clip id that is not [a-z0-9-]{1,40} */
	SNT_VOICE_ERR_NOCLIP,	/* no such file */
	SNT_VOICE_ERR_FORMAT,	/* not RIFF/WAVE 16-bit PCM, or truncated */
	SNT_VOICE_ERR_IO,	/* the file could not be read (errno set) */
	SNT_VOICE_ERR_NOMEM,
};

#define SNT_VOICE_MAX_BYTES (8u << 20)	/* a clip's samples: at most 8 MiB */

struct snt_wav {
	unsigned int rate;	/* samples per second per channel */
	unsigned int channels;	/* 1 or 2 */
	int16_t *samples;	/* interleaved, host order; owned (snt_wav_free()) */
	size_t frames;		/* samples per channel */
};

/*
 * snt_voice_load() - read the clip @clip_id from directory @dir into @out.
 * Return: SNT_VOICE_OK; SNT_VOICE_ERR_INVAL; SNT_VOICE_ERR_NOCLIP;
 * SNT_VOICE_ERR_FORMAT (naming nothing: the file is not a clip this reads);
 * SNT_VOICE_ERR_IO; SNT_VOICE_ERR_NOMEM.
 */
enum snt_voice_err snt_voice_load(const char *dir, const char *clip_id, struct snt_wav *out) SNT_WUR;

/*
 * snt_voice_parse() - a WAVE file's bytes (@len bytes at @data, borrowed)
 * into @out (samples copied).
 * Return: SNT_VOICE_OK; SNT_VOICE_ERR_INVAL; SNT_VOICE_ERR_FORMAT;
 * SNT_VOICE_ERR_NOMEM.
 */
enum snt_voice_err snt_voice_parse(const uint8_t *data, size_t len, struct snt_wav *out) SNT_WUR;

/* snt_voice_scale() - multiply every sample by @volume percent (0-100). */
void snt_voice_scale(struct snt_wav *w, int volume);

/*
 * snt_voice_header() - the 44-byte canonical WAVE header for @data_bytes of
 * 16-bit PCM at @rate and @channels, into @hdr.
 */
void snt_voice_header(uint8_t hdr[44], unsigned int rate, unsigned int channels, uint32_t data_bytes);

/* snt_wav_free() - release @w's samples; NULL does nothing. */
void snt_wav_free(struct snt_wav *w);

/* snt_voice_strerror() - static English text; never NULL. */
const char *snt_voice_strerror(enum snt_voice_err err);

#endif /* SNT_VOICE_H */
