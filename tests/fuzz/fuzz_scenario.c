// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the simulated board's scenario parser
 * (board/sim/scenario.h) on raw bytes as the scenario file.  Image lines
 * name paths relative to /proc/self/fd, which hold no images: the image
 * loader has its own target (fuzz_image).
 * Seeds: tests/fuzz/seeds/scenario/ (the demo scenario).
 */
#include <stdint.h>

#include "memfile.h"
#include "sim/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snt_scenario *scn = NULL;
	char err[512];

	if (snt_scenario_load(fuzz_memfile(data, size), &scn, err, sizeof(err)) == SNT_SCENARIO_OK)
		snt_scenario_free(scn);
	return 0;
}
