/* SPDX-License-Identifier: MIT */
/*
 * backend: what a board backend (linux/linux.h, sim/sim.h) gives board.c,
 * which picks one by the configuration's `board` key and calls it for
 * snt_board_open(), snt_board_check() and snt_board_probe() (hal.h).
 */
#ifndef SNT_BACKEND_H
#define SNT_BACKEND_H

#include <stddef.h>

#include "hal.h"

struct snt_config;

struct snt_board_backend {
	/*
	 * open() - open every device of @cfg; a failure releases everything
	 * opened before it.
	 * Return: SNT_HAL_OK (*@out the board); SNT_HAL_ERR_CONFIG for what
	 * the configuration names wrongly; SNT_HAL_ERR_IO for a device or file
	 * that exists but fails; SNT_HAL_ERR_NOMEM; the reason in @errbuf.
	 */
	enum snt_hal_err (*open)(const struct snt_config *cfg, struct snt_board **out, char *errbuf,
				 size_t errlen);
	/*
	 * check() - for `sentineld -n`: what @cfg names exists; opens no
	 * device and creates nothing.
	 * Return: SNT_HAL_OK; SNT_HAL_ERR_CONFIG or SNT_HAL_ERR_IO with the
	 * reason in @errbuf.
	 */
	enum snt_hal_err (*check)(const struct snt_config *cfg, char *errbuf, size_t errlen);
	/* probe() - snt_board_probe() for this board.  Return: as snt_board_probe(). */
	enum snt_hal_err (*probe)(const struct snt_config *cfg, const struct snt_probe_opts *opts,
				  snt_probe_fn *fn, void *arg);
};

#endif /* SNT_BACKEND_H */
