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

#include "backend.h"

/*
 * snt_sim_backend - the simulated board (backend.h).
 * open(): load @cfg->sim_scenario (images decoded up front), open
 *   @cfg->sim_output for appending (when set), and set every output to 0;
 *   SNT_HAL_ERR_CONFIG with "FILE:LINE: why" in @errbuf when the scenario
 *   does not load; SNT_HAL_ERR_IO when the output log cannot be opened.
 * check(): load and free the scenario (images included) and check that the
 *   output log's directory exists and is writable.
 * probe(): the board opened once; outputs set 1 then 0 (with @opts->drive),
 *   the display shown @opts->display_text (with @opts->drive), inputs
 *   reported as scripted, one thermometer sample and one camera frame
 *   taken.  All devices report backend "sim"; when the board does not open,
 *   each role reports FAIL with the reason.
 */
extern const struct snt_board_backend snt_sim_backend;

#endif /* SNT_SIM_H */
