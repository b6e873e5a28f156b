// SPDX-License-Identifier: MIT
/*
 * Unit tests of the ALSA voice prompt backend (board/linux/alsa.c), linked
 * against a stub of the libasound calls it uses, compiled against the real
 * <alsa/asoundlib.h>; the executable's definitions take the place of
 * libasound's.  The stub's writes can be held, so what is queued while a
 * clip plays is deterministic.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <alsa/asoundlib.h>

#include <cmocka.h>

#include "linux/alsa.h"
#include "voice/voice.h"

/* ---- the libasound stub ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open_fail;			/* snd_pcm_open() returns this (negative) */
	int write_fail;			/* snd_pcm_writei() returns this once (negative) */
	bool hold;			/* writes wait while set */
	bool writing;			/* a write is waiting (hold) */
	int opens, closes, drains;
	unsigned int rate, channels;
	char played[256];		/* the first sample of each clip, as "v " */
	int16_t last_sample;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

int snd_lib_error_set_handler(snd_lib_error_handler_t handler)
{
	(void)handler;
	return 0;
}

int snd_pcm_open(snd_pcm_t **pcm, const char *name, snd_pcm_stream_t stream, int mode)
{
	(void)mode;
	assert_int_equal(stream, SND_PCM_STREAM_PLAYBACK);
	if (strcmp(name, "default"))
		return -ENOENT;
	pthread_mutex_lock(&st.lock);
	if (st.open_fail) {
		int rc = st.open_fail;

		pthread_mutex_unlock(&st.lock);
		return rc;
	}
	st.opens++;
	pthread_mutex_unlock(&st.lock);
	*pcm = (snd_pcm_t *)(void *)&st;
	return 0;
}

int snd_pcm_close(snd_pcm_t *pcm)
{
	(void)pcm;
	pthread_mutex_lock(&st.lock);
	st.closes++;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	return 0;
}

int snd_pcm_set_params(snd_pcm_t *pcm, snd_pcm_format_t format, snd_pcm_access_t access, unsigned int channels,
		       unsigned int rate, int soft_resample, unsigned int latency)
{
	(void)pcm;
	(void)latency;
	assert_int_equal(format, SND_PCM_FORMAT_S16);
	assert_int_equal(access, SND_PCM_ACCESS_RW_INTERLEAVED);
	assert_int_equal(soft_resample, 1);
	st.rate = rate;
	st.channels = channels;
	return 0;
}

snd_pcm_sframes_t snd_pcm_writei(snd_pcm_t *pcm, const void *buffer, snd_pcm_uframes_t size)
{
	int16_t first;
	char one[16];

	(void)pcm;
	memcpy(&first, buffer, sizeof(first));
	pthread_mutex_lock(&st.lock);
	st.writing = true;
	pthread_cond_broadcast(&st.cond);
	while (st.hold)
		pthread_cond_wait(&st.cond, &st.lock);
	st.writing = false;
	if (st.write_fail) {
		int rc = st.write_fail;

		st.write_fail = 0;
		pthread_mutex_unlock(&st.lock);
		return rc;
	}
	snprintf(one, sizeof(one), "%d ", first);
	strncat(st.played, one, sizeof(st.played) - strlen(st.played) - 1);
	st.last_sample = first;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	return (snd_pcm_sframes_t)size;
}

int snd_pcm_recover(snd_pcm_t *pcm, int err, int silent)
{
	(void)pcm;
	(void)silent;
	return err;	/* the device is gone: not recoverable */
}

int snd_pcm_drain(snd_pcm_t *pcm)
{
	(void)pcm;
	pthread_mutex_lock(&st.lock);
	st.drains++;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	return 0;
}

/* ---- tests ---- */

static char dir[64];

/* A clip whose samples all hold @value. */
static void clip(const char *id, int16_t value)
{
	char path[128];
	uint8_t hdr[44];
	int16_t pcm[800];
	FILE *f;

	for (size_t i = 0; i < 800; i++)
		pcm[i] = value;
	snprintf(path, sizeof(path), "%s/%s.wav", dir, id);
	snt_voice_header(hdr, 16000, 1, sizeof(pcm));
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(hdr, 1, sizeof(hdr), f), sizeof(hdr));
	assert_int_equal(fwrite(pcm, 1, sizeof(pcm), f), sizeof(pcm));
	fclose(f);
}

/* Wait until a write is held (@writing), else until @drains clips were played to the end. */
static void wait_for(int drains, bool writing)
{
	pthread_mutex_lock(&st.lock);
	while (writing ? !st.writing : st.drains < drains)
		pthread_cond_wait(&st.cond, &st.lock);
	pthread_mutex_unlock(&st.lock);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/snt-alsa-XXXXXX");
	assert_non_null(mkdtemp(dir));
	clip("admit-zh", 1000);
	clip("admit-en", 2000);
	clip("deny-zh", 3000);
	clip("deny-en", 4000);
	pthread_mutex_lock(&st.lock);
	st.open_fail = st.write_fail = 0;
	st.hold = st.writing = false;
	st.opens = st.closes = st.drains = 0;
	st.played[0] = '\0';
	pthread_mutex_unlock(&st.lock);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_open_errors(void **state)
{
	struct snt_alsa *a;
	char why[256];

	(void)state;
	assert_int_equal(snt_alsa_open("default", "/nonexistent-clips", 80, &a, why, sizeof(why)),
			 SNT_ALSA_ERR_CLIPS);
	assert_null(a);
	assert_string_equal(why, "clips /nonexistent-clips: No such file or directory");
	assert_int_equal(snt_alsa_open("default", "", 80, &a, why, sizeof(why)), SNT_ALSA_ERR_CLIPS);
	assert_string_equal(why, "no clips directory ([audio] clips)");
	assert_int_equal(snt_alsa_open("hw:9,0", dir, 80, &a, why, sizeof(why)), SNT_ALSA_ERR_OPEN);
	assert_string_equal(why, "PCM hw:9,0: No such file or directory");
	assert_int_equal(snt_alsa_open(NULL, dir, 80, &a, why, sizeof(why)), SNT_ALSA_ERR_INVAL);
	assert_string_equal(snt_alsa_strerror(SNT_ALSA_ERR_OPEN), "the sound device could not be opened");
}

/* Clips in order at the clip's rate, at the volume; play() returns before the sound. */
static void test_plays_in_order_at_volume(void **state)
{
	struct snt_alsa *a;
	char why[256], desc[256];

	(void)state;
	assert_int_equal(snt_alsa_open("default", dir, 50, &a, why, sizeof(why)), SNT_ALSA_OK);
	snt_alsa_describe(a, desc, sizeof(desc));
	assert_non_null(strstr(desc, "default "));
	assert_non_null(strstr(desc, " volume 50%"));
	st.hold = true;
	assert_int_equal(snt_alsa_ops.play(a, "admit-zh"), SNT_HAL_OK);
	assert_int_equal(snt_alsa_ops.play(a, "admit-en"), SNT_HAL_OK);
	/* No such clip: nothing to say, no failure. */
	assert_int_equal(snt_alsa_ops.play(a, "admit-fr"), SNT_HAL_OK);
	wait_for(0, true);
	pthread_mutex_lock(&st.lock);
	st.hold = false;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	wait_for(2, false);
	snt_alsa_close(a);
	assert_string_equal(st.played, "500 1000 ");
	assert_int_equal(st.rate, 16000);
	assert_int_equal(st.channels, 1);
	/* One open at snt_alsa_open() (checked, closed), one per clip played. */
	assert_int_equal(st.opens, 3);
	assert_int_equal(st.closes, 3);
}

/* A new message replaces the clips queued and not yet started. */
static void test_new_message_replaces_queued(void **state)
{
	struct snt_alsa *a;
	char why[256];

	(void)state;
	assert_int_equal(snt_alsa_open("default", dir, 100, &a, why, sizeof(why)), SNT_ALSA_OK);
	st.hold = true;
	assert_int_equal(snt_alsa_ops.play(a, "admit-zh"), SNT_HAL_OK);
	wait_for(0, true);	/* admit-zh is playing */
	assert_int_equal(snt_alsa_ops.play(a, "admit-en"), SNT_HAL_OK);
	assert_int_equal(snt_alsa_ops.play(a, "deny-zh"), SNT_HAL_OK);
	assert_int_equal(snt_alsa_ops.play(a, "deny-en"), SNT_HAL_OK);
	pthread_mutex_lock(&st.lock);
	st.hold = false;
	pthread_cond_broadcast(&st.cond);
	pthread_mutex_unlock(&st.lock);
	wait_for(3, false);
	snt_alsa_close(a);
	assert_string_equal(st.played, "1000 3000 4000 ");
}

/* The card fails while playing: the next play() says so (a device fault), once. */
static void test_failure_reported_by_next_play(void **state)
{
	struct snt_alsa *a;
	char why[256];

	(void)state;
	assert_int_equal(snt_alsa_open("default", dir, 100, &a, why, sizeof(why)), SNT_ALSA_OK);
	st.write_fail = -ENODEV;
	assert_int_equal(snt_alsa_ops.play(a, "admit-zh"), SNT_HAL_OK);
	/* The failed clip's PCM closed (no drain after a failure): the failure is known by then. */
	pthread_mutex_lock(&st.lock);
	while (st.closes < 2)
		pthread_cond_wait(&st.cond, &st.lock);
	pthread_mutex_unlock(&st.lock);
	assert_int_equal(snt_alsa_ops.play(a, "admit-en"), SNT_HAL_ERR_IO);
	wait_for(1, false);
	assert_int_equal(snt_alsa_ops.play(a, "admit-en"), SNT_HAL_OK);
	wait_for(2, false);
	snt_alsa_close(a);
	assert_int_equal(snt_alsa_ops.play(NULL, "admit-en"), SNT_HAL_ERR_INVAL);
}

/* A test with a fresh fixture: setup() before it, teardown() after. */
#define WITH_FIXTURE(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_FIXTURE(test_open_errors),
		WITH_FIXTURE(test_plays_in_order_at_volume),
		WITH_FIXTURE(test_new_message_replaces_queued),
		WITH_FIXTURE(test_failure_reported_by_next_play),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
