// SPDX-License-Identifier: MIT
/*
 * For the fuzz targets whose parser takes a path: the input written to one
 * anonymous in-memory file (memfd_create(2)), named /proc/self/fd/N.
 */
#ifndef SNT_FUZZ_MEMFILE_H
#define SNT_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* fuzz_memfile() - @data, @size as the whole of the file; returns its path (static). */
static inline const char *fuzz_memfile(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	size_t done = 0;

	if (fd < 0) {
		fd = memfd_create("fuzz", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	return path;
}

#endif /* SNT_FUZZ_MEMFILE_H */
