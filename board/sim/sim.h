/* SPDX-License-Identifier: MIT */
/*
 * sim: the simulated board.  Camera frames come from image files, the
 * thermometer and the inputs from a scenario (scenario.md), outputs go to
 * an output log in the format of interfaces.md ("Simulated board output
 * log"): one line per change, "<monotonic ms> <role> <0|1|"text">", written
 * with one write(2) each as it happens; a relay line that opens the door
 * carries " seq=N".  Beside the log, each screen change is drawn as
 * screens/NNNN-<state>.png and each voice prompt played ([audio] clips set)
 * is a line "<ms> audio "<clip>"" and goes into audio.wav (sim/screens.h).
 * Time is virtual (see scenario.md, "Timing").
 */
#ifndef SNT_SIM_H
#define SNT_SIM_H

#include <stddef.h>

#include "hal.h"

struct snt_config;

/*
 * snt_sim_open() - load @cfg->sim_scenario (images decoded up front), open
 * @cfg->sim_output for appending (when set), and set every output to 0.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_CONFIG with "FILE:LINE: why" in @errbuf
 * when the scenario does not load; SNT_HAL_ERR_IO when the output log cannot
 * be opened (errbuf names it); SNT_HAL_ERR_NOMEM.
 */
enum snt_hal_err snt_sim_open(const struct snt_config *cfg, struct snt_board **out,
			      char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_sim_check() - load and free the scenario (images included) and check
 * that the output log's directory exists and is writable; creates nothing.
 * Return: SNT_HAL_OK; SNT_HAL_ERR_CONFIG or SNT_HAL_ERR_IO with the reason
 * in @errbuf.
 */
enum snt_hal_err snt_sim_check(const struct snt_config *cfg, char *errbuf, size_t errlen) SNT_WUR;

/*
 * snt_sim_probe() - snt_board_probe() for the simulated board: the board
 * opened once; outputs set 1 then 0 (with @opts->drive), the display shown
 * @opts->display_text (with @opts->drive), inputs reported as scripted, one
 * thermometer sample and one camera frame taken.  All devices report
 * backend "sim"; when the board does not open, each role reports FAIL with
 * the reason.
 * Return: as snt_board_probe().
 */
enum snt_hal_err snt_sim_probe(const struct snt_config *cfg, const struct snt_probe_opts *opts,
			       snt_probe_fn *fn, void *arg) SNT_WUR;

#endif /* SNT_SIM_H */
