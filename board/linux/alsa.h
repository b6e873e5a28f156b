/* SPDX-License-Identifier: MIT */
/*
 * alsa: the voice prompts through ALSA (libasound2).  play() queues a clip
 * (voice/voice.h: <clips>/<clip id>.wav) and returns at once; a playback
 * thread opens the PCM for each clip (snd_pcm_open, S16_LE at the clip's
 * rate and channels through snd_pcm_set_params with resampling allowed),
 * writes it at the configured volume and drains it, so the door and the
 * screen never wait for sound.  A new message (another clip id before its
 * "-<lang>") replaces the clips queued and not yet started.  A playback
 * that fails (card gone, device busy) is reported by the next play() as
 * SNT_HAL_ERR_IO.
 */
#ifndef SNT_ALSA_H
#define SNT_ALSA_H

#include <stddef.h>

#include "hal.h"

enum snt_alsa_err {
	SNT_ALSA_OK = 0,
	SNT_ALSA_ERR_INVAL,
	SNT_ALSA_ERR_OPEN,	/* the PCM could not be opened for playback */
	SNT_ALSA_ERR_CLIPS,	/* the clips directory cannot be read */
	SNT_ALSA_ERR_NOMEM,
	SNT_ALSA_ERR_THREAD,	/* the playback thread could not be started */
};

struct snt_alsa;

/*
 * snt_alsa_open() - check that PCM @device (e.g. "default", "hw:0,0") opens
 * for playback and @clips is a readable directory, then start the playback
 * thread.  @volume: 0-100 percent.
 * @why: the reason on failure (device or directory, ALSA's or errno's text).
 * Return: SNT_ALSA_OK and *out; the errors above.
 */
enum snt_alsa_err snt_alsa_open(const char *device, const char *clips, int volume,
				struct snt_alsa **out, char *why, size_t whylen) SNT_WUR;

/* snt_alsa_close() - stop after the clip playing now, join the thread; NULL does nothing. */
void snt_alsa_close(struct snt_alsa *a);

/* snt_alsa_describe() - "<device> <clips dir> volume N%" into @buf. */
void snt_alsa_describe(const struct snt_alsa *a, char *buf, size_t size);

/* snt_alsa_strerror() - static text in the user's language (i18n.h); never NULL. */
const char *snt_alsa_strerror(enum snt_alsa_err err);

/* The audio ops over a struct snt_alsa context. */
extern const struct snt_audio_ops snt_alsa_ops;

#endif /* SNT_ALSA_H */
