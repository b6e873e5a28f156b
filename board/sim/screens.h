/* SPDX-License-Identifier: MIT */
/*
 * The simulated board's visitor screen and voice (interfaces.md, "Visitor
 * screen on the simulated board"): beside the output log, each screen
 * change is drawn (screen/screen.h) as "screens/NNNN-<state>.png" (NNNN
 * from 0001, going on after the highest number already there, as the log
 * goes on), with the texts given to the renderer in "NNNN-<state>.txt";
 * each voice prompt played is appended, at the configured volume, to
 * "audio.wav" (16-bit PCM in the clips' format).  The output log lines
 * themselves are written by sim.c.
 */
#ifndef SNT_SIM_SCREENS_H
#define SNT_SIM_SCREENS_H

#include "hal.h"
#include "screen/screen.h"

struct snt_config;
struct sim_screens;

/*
 * sim_screens_new() - the writer for @cfg (borrowed for the call): the
 * directory of @cfg->sim_output, the display size and language order, the
 * clips directory and volume.  Nothing is created before the first screen.
 * Return: the writer, or NULL when out of memory.
 */
struct sim_screens *sim_screens_new(const struct snt_config *cfg);

/* sim_screens_free() - NULL does nothing. */
void sim_screens_free(struct sim_screens *ss);

/*
 * sim_screens_draw() - draw @scr as the next numbered PNG (and its .txt).
 * Return: SNT_HAL_OK; SNT_HAL_ERR_IO when the directory or file cannot be
 * written; SNT_HAL_ERR_NOMEM.
 */
enum snt_hal_err sim_screens_draw(struct sim_screens *ss, const struct snt_screen *scr) SNT_WUR;

/*
 * sim_screens_freeze() - redraw the last screen, a preview, frozen on
 * @frame (pixelated: no readable code on the image), over the same file.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_INVAL when the last screen is no preview;
 * SNT_HAL_ERR_IO.
 */
enum snt_hal_err sim_screens_freeze(struct sim_screens *ss, const struct snt_frame *frame) SNT_WUR;

/*
 * sim_screens_play() - append the clip @clip_id from the clips directory to
 * audio.wav.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_NODATA when no clips directory is set or
 * it has no such clip (nothing is played); SNT_HAL_ERR_IO.
 */
enum snt_hal_err sim_screens_play(struct sim_screens *ss, const char *clip_id) SNT_WUR;

#endif /* SNT_SIM_SCREENS_H */
