// SPDX-License-Identifier: MIT
/*
 * Bundle export throughput (issue 7): N chained entries (made in memory,
 * hashed with snt_store_entry_hash(), not timed) exported as bundles of
 * 5,000: snt_bundle_manifest_fill() + snt_bundle_encode() (which re-checks
 * every hash) + snt_bundle_seal() (COSE_Sign1 ES256, then ECDH/HKDF/AES-GCM),
 * timed.  Then every bundle is opened again (snt_bundle_open(): unseal,
 * verify, decode, every hash recomputed), timed, and compared with what
 * was exported.  Prints
 *   bundle export entries=N seconds=S entries_per_s=R bytes=B
 *   bundle open entries=N seconds=S entries_per_s=R
 * usage: bench_bundle [ENTRIES]   (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sign/sign.h"
#include "store/store.h"
#include "sync/bundle.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the process: the figure that does not depend on the machine's load. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int lookup(void *ctx, const char *device, const uint8_t kid[SNT_SIGN_KID_LEN], EVP_PKEY **key)
{
	EVP_PKEY *k = ctx;

	(void)kid;
	if (strcmp(device, "bench-gate") || EVP_PKEY_up_ref(k) != 1)
		return -1;
	*key = k;
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	struct snt_entry *e = calloc(n ? n : 1, sizeof(*e));
	uint8_t (*payload)[48] = calloc(n ? n : 1, sizeof(*payload));
	uint8_t **files;
	size_t *file_lens, nb = (n + SNT_BUNDLE_MAX_ENTRIES - 1) / SNT_BUNDLE_MAX_ENTRIES, bytes = 0, opened = 0;
	EVP_PKEY *dev = NULL, *bureau = NULL;
	double t0, t1, t2, c0, c1, c2;

	files = calloc(nb ? nb : 1, sizeof(*files));
	file_lens = calloc(nb ? nb : 1, sizeof(*file_lens));
	if (!e || !payload || !files || !file_lens || n == 0 || snt_sign_key_generate(&dev) ||
	    snt_sign_key_generate(&bureau)) {
		fprintf(stderr, "bench_bundle: setup failed\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct snt_entry *x = &e[i];

		x->seq = (int64_t)i + 1;
		snprintf(x->boot_id, sizeof(x->boot_id), "6c1e8d52-5d9c-4b8e-9a59-%012u", (unsigned)(i / 1000));
		x->mono_ms = 5000 + (int64_t)i * 3000;
		x->time_utc_ms = 1700000000000LL + (int64_t)i * 3000;
		x->clock = SNT_CLOCK_TRUSTED;
		x->kind = i % 10 ? SNT_KIND_VISITOR : SNT_KIND_STAFF;
		x->format = SNT_FORMAT_HEALTHCODE;
		x->colour = i % 50 ? SNT_COLOUR_GREEN : SNT_COLOUR_YELLOW;
		x->verified = SNT_VERIFIED_UNVERIFIED;
		x->has_temp = true;
		x->temp_dc = 360 + (int)(i % 12);
		x->decision = i % 50 ? SNT_DECISION_ADMIT : SNT_DECISION_REFER;
		x->reasons = i % 50 ? (SNT_REASON_BIT(SNT_REASON_CODE_GREEN) | SNT_REASON_BIT(SNT_REASON_TEMP_NORMAL))
				    : SNT_REASON_BIT(SNT_REASON_CODE_YELLOW);
		x->door = i % 50 ? SNT_DOOR_OPENED : SNT_DOOR_SHUT;
		snprintf(x->subject, sizeof(x->subject), "W** L**");
		snprintf((char *)payload[i], sizeof(payload[i]), "HC:110101:%020zu:bench", i);
		x->payload = payload[i];
		x->payload_len = strlen((char *)payload[i]);
		snprintf(x->detail, sizeof(x->detail),
			 "{\"measure\":{\"skin_mdc\":%d,\"ambient_mdc\":22410,\"samples\":5,\"used\":5},"
			 "\"rules\":{\"version\":3,\"stale\":false}}",
			 34100 + (int)(i % 900));
		if (i > 0)
			memcpy(x->prev_hash, e[i - 1].hash, SNT_HASH_LEN);
		if (snt_store_entry_hash(x, x->hash)) {
			fprintf(stderr, "bench_bundle: entry %zu invalid\n", i);
			return 1;
		}
	}

	t0 = now_s();
	c0 = cpu_s();
	for (size_t k = 0; k < nb; k++) {
		size_t from = k * SNT_BUNDLE_MAX_ENTRIES, cnt = n - from < SNT_BUNDLE_MAX_ENTRIES ? n - from
												   : SNT_BUNDLE_MAX_ENTRIES;
		struct snt_bundle_manifest m;
		struct snt_bundle_diag d;
		uint8_t *cbor;
		size_t len;

		if (snt_bundle_manifest_fill("bench-gate", SNT_BUNDLE_REGULAR, e + from, cnt, 1700000000000LL, &m) ||
		    snt_bundle_encode(&m, e + from, cnt, &cbor, &len, &d) ||
		    snt_bundle_seal(dev, bureau, cbor, len, &files[k], &file_lens[k], &d)) {
			fprintf(stderr, "bench_bundle: export failed: %s\n", d.msg);
			return 1;
		}
		free(cbor);
		bytes += file_lens[k];
	}
	t1 = now_s();
	c1 = cpu_s();
	for (size_t k = 0; k < nb; k++) {
		struct snt_bundle *b;
		struct snt_bundle_diag d;

		if (snt_bundle_open(bureau, lookup, dev, files[k], file_lens[k], &b, &d)) {
			fprintf(stderr, "bench_bundle: open failed: %s\n", d.msg);
			return 1;
		}
		for (size_t i = 0; i < b->n; i++)
			if (memcmp(b->entries[i].hash, e[opened + i].hash, SNT_HASH_LEN)) {
				fprintf(stderr, "bench_bundle: entry %zu differs\n", opened + i);
				return 1;
			}
		opened += b->n;
		snt_bundle_free(b);
	}
	t2 = now_s();
	c2 = cpu_s();
	if (opened != n) {
		fprintf(stderr, "bench_bundle: opened %zu of %zu entries\n", opened, n);
		return 1;
	}
	printf("bundle open entries=%zu seconds=%.3f entries_per_s=%.0f cpu_seconds=%.3f\n", n, t2 - t1,
	       (double)n / (t2 - t1), c2 - c1);
	printf("bundle export entries=%zu seconds=%.3f entries_per_s=%.0f cpu_seconds=%.3f bytes=%zu\n", n, t1 - t0,
	       (double)n / (t1 - t0), c1 - c0, bytes);
	for (size_t k = 0; k < nb; k++)
		free(files[k]);
	free(files);
	free(file_lens);
	free(payload);
	free(e);
	EVP_PKEY_free(dev);
	EVP_PKEY_free(bureau);
	return 0;
}
