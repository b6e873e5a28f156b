// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the configuration file parser and validation
 * (firmware/config/config.h, inih underneath) on raw bytes as the file.
 * Seeds: tests/fuzz/seeds/config/ (the sim and Pi configurations).
 */
#include <stdint.h>

#include "config/config.h"
#include "memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snt_config cfg;
	char err[512];

	(void)snt_config_load(fuzz_memfile(data, size), &cfg, err, sizeof(err));
	return 0;
}
