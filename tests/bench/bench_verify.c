// SPDX-License-Identifier: MIT
/*
 * One HC1 verification (base45, zlib, COSE_Sign1, ES256 or PS256, CWT,
 * key usage, dates) timed N times: prints the median and p99 in µs.
 * usage: bench_verify PAYLOAD_FILE CERT_DER RFC3339 [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock/clock.h"
#include "codes/verify.h"
#include "trust/trust.h"
#include "bench_util.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	static char payload[SNT_VERIFY_MAX_PAYLOAD + 1];
	struct snt_trust *trust = NULL;
	struct snt_verify_info info;
	size_t len;
	int64_t at;
	double *t;
	int n;
	FILE *f;

	if (argc < 4 || snt_clock_parse_rfc3339(argv[3], &at)) {
		fprintf(stderr, "usage: bench_verify PAYLOAD_FILE CERT_DER RFC3339 [N]\n");
		return 2;
	}
	n = argc > 4 ? atoi(argv[4]) : 2000;
	if (n < 1)
		n = 1;
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	len = fread(payload, 1, sizeof(payload) - 1, f);
	fclose(f);
	while (len && (payload[len - 1] == '\n' || payload[len - 1] == '\r'))
		len--;
	if (snt_trust_new(&trust) || snt_trust_load(trust, argv[2])) {
		fprintf(stderr, "bench_verify: cannot load %s\n", argv[2]);
		snt_trust_free(trust);
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 2;
	for (int i = 0; i < n; i++) {
		double t0 = now_us();

		if (snt_verify_payload((const uint8_t *)payload, len, trust, at, SNT_VCLOCK_GIVEN, &info) != SNT_VERIFY_OK ||
		    info.result != SNT_RESULT_VALID) {
			fprintf(stderr, "bench_verify: not valid: %s\n", snt_verify_strerror(info.stage));
			return 1;
		}
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("verify hc1 n=%d median_us=%.1f p99_us=%.1f\n", n, t[n / 2], t[(size_t)n * 99 / 100]);
	free(t);
	snt_trust_free(trust);
	return 0;
}
