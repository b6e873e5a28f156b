// SPDX-License-Identifier: MIT
/*
 * Voice prompts through ALSA on a playback thread (alsa.h).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <alsa/asoundlib.h>

#include "common/i18n.h"
#include "linux/alsa.h"
#include "voice/voice.h"

#define QUEUE 4
#define CLIP_ID 48
#define LATENCY_US 100000

struct snt_alsa {
	char device[64];
	char clips[PATH_MAX];
	int volume;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	char queue[QUEUE][CLIP_ID];	/* clip ids waiting, oldest first */
	int queued;
	bool stop;
	bool failed;			/* a playback failed since the last play() (which reports it) */
};

static const char *const err_text[] = {
	[SNT_ALSA_OK] = N_("success"),
	[SNT_ALSA_ERR_INVAL] = N_("invalid argument"),
	[SNT_ALSA_ERR_OPEN] = N_("the sound device could not be opened"),
	[SNT_ALSA_ERR_CLIPS] = N_("the clips directory cannot be read"),
	[SNT_ALSA_ERR_NOMEM] = N_("out of memory"),
	[SNT_ALSA_ERR_THREAD] = N_("the playback thread could not be started"),
};

const char *snt_alsa_strerror(enum snt_alsa_err err)
{
	/* The text in the user's language: every caller shows it to a person. */
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

/* Play one clip to the end; false when the device failed. */
static bool play_clip(struct snt_alsa *a, const char *id)
{
	struct snt_wav w;
	snd_pcm_t *pcm;
	size_t done = 0;
	bool ok = true;

	if (snt_voice_load(a->clips, id, &w) != SNT_VOICE_OK)
		return true;	/* no such clip: nothing to say, the device is fine */
	snt_voice_scale(&w, a->volume);
	if (snd_pcm_open(&pcm, a->device, SND_PCM_STREAM_PLAYBACK, 0) < 0) {
		snt_wav_free(&w);
		pthread_mutex_lock(&a->lock);
		a->failed = true;
		pthread_mutex_unlock(&a->lock);
		return false;
	}
	if (snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16, SND_PCM_ACCESS_RW_INTERLEAVED, w.channels, w.rate,
			       1, LATENCY_US) < 0) {
		ok = false;
		goto out;
	}
	while (done < w.frames) {
		snd_pcm_sframes_t n = snd_pcm_writei(pcm, w.samples + done * w.channels, w.frames - done);

		if (n < 0)
			n = snd_pcm_recover(pcm, (int)n, 1);
		if (n < 0) {
			ok = false;
			break;
		}
		done += (size_t)n;
	}
	if (ok)
		(void)snd_pcm_drain(pcm);
out:
	if (!ok) {
		/* Known to the next play() from now on, before the device is let go. */
		pthread_mutex_lock(&a->lock);
		a->failed = true;
		pthread_mutex_unlock(&a->lock);
	}
	snd_pcm_close(pcm);
	snt_wav_free(&w);
	return ok;
}

static void *player(void *arg)
{
	struct snt_alsa *a = arg;
	char id[CLIP_ID];

	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->stop && a->queued == 0)
			pthread_cond_wait(&a->wake, &a->lock);
		if (a->stop)
			break;
		memcpy(id, a->queue[0], sizeof(id));
		memmove(a->queue[0], a->queue[1], (size_t)(QUEUE - 1) * CLIP_ID);
		a->queued--;
		pthread_mutex_unlock(&a->lock);
		(void)play_clip(a, id);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* The message of a clip id: what comes before its last '-'. */
static size_t message_len(const char *id)
{
	const char *dash = strrchr(id, '-');

	return dash ? (size_t)(dash - id) : strlen(id);
}

static enum snt_hal_err alsa_play(void *ctx, const char *clip_id)
{
	struct snt_alsa *a = ctx;
	enum snt_hal_err err;

	if (!a || !clip_id || strlen(clip_id) >= CLIP_ID)
		return SNT_HAL_ERR_INVAL;
	pthread_mutex_lock(&a->lock);
	err = a->failed ? SNT_HAL_ERR_IO : SNT_HAL_OK;
	a->failed = false;
	if (a->queued > 0) {
		const char *last = a->queue[a->queued - 1];
		size_t n = message_len(clip_id);

		/* Another message: what was waiting is stale. */
		if (message_len(last) != n || strncmp(last, clip_id, n))
			a->queued = 0;
	}
	if (a->queued == QUEUE) {
		memmove(a->queue[0], a->queue[1], (size_t)(QUEUE - 1) * CLIP_ID);
		a->queued--;
	}
	snt_strlcpy(a->queue[a->queued++], clip_id, CLIP_ID);
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	return err;
}

const struct snt_audio_ops snt_alsa_ops = {
	.play = alsa_play,
};

static void quiet(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)function;
	(void)err;
	(void)fmt;
}

enum snt_alsa_err snt_alsa_open(const char *device, const char *clips, int volume,
				struct snt_alsa **out, char *why, size_t whylen)
{
	struct snt_alsa *a;
	snd_pcm_t *pcm;
	int rc;

	if (!device || !clips || !out || !why || whylen == 0)
		return SNT_ALSA_ERR_INVAL;
	*out = NULL;
	/* libasound reports errors on stderr unless told otherwise: they come back as codes here. */
	snd_lib_error_set_handler(quiet);
	if (!clips[0]) {
		snprintf(why, whylen, "%s", _("no clips directory ([audio] clips)"));
		return SNT_ALSA_ERR_CLIPS;
	}
	if (access(clips, R_OK | X_OK) != 0) {
		snprintf(why, whylen, _("clips %s: %s"), clips, strerror(errno));
		return SNT_ALSA_ERR_CLIPS;
	}
	rc = snd_pcm_open(&pcm, device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
	if (rc < 0) {
		snprintf(why, whylen, "PCM %s: %s", device, snd_strerror(rc));
		return SNT_ALSA_ERR_OPEN;
	}
	snd_pcm_close(pcm);
	a = calloc(1, sizeof(*a));
	if (!a)
		return SNT_ALSA_ERR_NOMEM;
	snt_strlcpy(a->device, device, sizeof(a->device));
	snt_strlcpy(a->clips, clips, sizeof(a->clips));
	a->volume = volume < 0 ? 0 : volume > 100 ? 100 : volume;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	if (pthread_create(&a->thread, NULL, player, a) != 0) {
		pthread_cond_destroy(&a->wake);
		pthread_mutex_destroy(&a->lock);
		free(a);
		snprintf(why, whylen, "%s", snt_alsa_strerror(SNT_ALSA_ERR_THREAD));
		return SNT_ALSA_ERR_THREAD;
	}
	*out = a;
	return SNT_ALSA_OK;
}

void snt_alsa_close(struct snt_alsa *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	a->queued = 0;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_cond_destroy(&a->wake);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

void snt_alsa_describe(const struct snt_alsa *a, char *buf, size_t size)
{
	if (a && buf && size)
		snprintf(buf, size, _("%s %s volume %d%%"), a->device, a->clips, a->volume);
}
