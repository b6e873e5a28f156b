/* SPDX-License-Identifier: MIT */
/*
 * checkin: one visit at the gate, from "someone is here" to the door.
 *
 *   scan frames until a code is read or the scan timeout passes
 *   -> a repeat of a payload seen within the de-duplication window repeats
 *      the first decision and makes no entry (domain.md lesson 4)
 *   -> the temperature procedure (below)
 *   -> policy (policy.h) -> one entry, committed (store.h)
 *   -> outputs: display message, LEDs, buzzer, and the relay pulse, which
 *      comes only after the entry is committed and carries its sequence
 *      number.  A visit whose entry cannot be written keeps the door shut
 *      and refers to staff with store-fault.
 *
 * Temperature procedure (interfaces.md, "Decisions and reasons"): a read
 * error or a reading outside the sensor's range (-40.0 to 85.0 °C: e.g.
 * -178 °C is a fault, domain.md lesson 9) counts as a fault, and temp_tries
 * faults give SNT_TEMP_FAULT; a skin reading outside 34.0-43.0 °C asks the
 * visitor to measure again, up to temp_tries readings, then
 * SNT_TEMP_IMPLAUSIBLE; a reading at or above the fever threshold is
 * measured once more and gives SNT_TEMP_FEVER only if the second reading
 * holds.  All waiting goes through the board's clock.
 */
#ifndef SNT_CHECKIN_H
#define SNT_CHECKIN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "hal.h"
#include "policy/policy.h"
#include "scan/scan.h"
#include "store/store.h"

#define SNT_TEMP_PLAUSIBLE_MIN_MDC 34000
#define SNT_TEMP_PLAUSIBLE_MAX_MDC 43000
#define SNT_TEMP_SENSOR_MIN_MDC (-40000)
#define SNT_TEMP_SENSOR_MAX_MDC 85000
#define SNT_DEDUP_SLOTS 32

enum snt_checkin_err {
	SNT_CHECKIN_OK = 0,
	SNT_CHECKIN_ERR_INVAL,	/* NULL argument or bad configuration value */
	SNT_CHECKIN_ERR_NOMEM,
	SNT_CHECKIN_ERR_SCAN,	/* the scanner failed internally */
};

struct snt_config;

struct snt_checkin_cfg {
	int64_t scan_timeout_ms;
	int64_t frame_interval_ms;
	int64_t dedup_window_ms;
	int64_t temp_retry_ms;
	int64_t relay_pulse_ms;
	int64_t alert_ms;
	int temp_tries;
	int32_t fever_threshold_mdc;
	char duty_phone[32];
};

struct snt_temp_result {
	enum snt_temp_status status;
	bool has_value;		/* a reading was taken (the last one is kept) */
	int32_t mdc;		/* last reading used, milli-°C */
	int readings;		/* plausible-range readings taken */
	int faults;		/* failed reads and far-off-range readings */
};

/* What one visit did; filled by snt_checkin_visit(). */
struct snt_visit {
	bool code_read;
	bool duplicate;			/* repeat scan: no entry, first decision repeated */
	enum snt_code_format format;
	enum snt_colour colour;
	struct snt_temp_result temp;
	struct snt_policy_result result;
	enum snt_door door;
	int64_t seq;			/* entry written (or repeated); 0 when none */
	enum snt_store_err store_err;	/* SNT_STORE_OK unless the entry failed */
	int camera_faults;		/* frames the camera could not deliver */
	int output_faults;		/* outputs that could not be driven */
	int64_t duration_ms;
};

struct snt_checkin;

/*
 * snt_checkin_cfg_from_config() - the visit settings of a loaded config
 * (units converted to milliseconds / milli-°C).
 */
void snt_checkin_cfg_from_config(const struct snt_config *cfg, struct snt_checkin_cfg *out);

/*
 * snt_checkin_new() - a check-in context over @board and @store (both
 * borrowed; they must outlive it), with its own scanner.
 * Return: SNT_CHECKIN_OK and *out; SNT_CHECKIN_ERR_INVAL for a NULL
 * argument or temp_tries < 1; SNT_CHECKIN_ERR_NOMEM; SNT_CHECKIN_ERR_SCAN
 * when the scanner cannot be made.
 */
enum snt_checkin_err snt_checkin_new(const struct snt_checkin_cfg *cfg, struct snt_board *board,
				     struct snt_store *store, struct snt_checkin **out) SNT_WUR;

/*
 * snt_checkin_set_cfg() - replace the visit settings (after a configuration
 * reload); takes effect from the next visit.  The de-duplication memory is
 * kept.
 * Return: SNT_CHECKIN_OK; SNT_CHECKIN_ERR_INVAL for a NULL argument or
 * temp_tries < 1 (then nothing changes).
 */
enum snt_checkin_err snt_checkin_set_cfg(struct snt_checkin *ci,
					 const struct snt_checkin_cfg *cfg) SNT_WUR;

/* snt_checkin_free() - NULL does nothing. */
void snt_checkin_free(struct snt_checkin *ci);

/*
 * snt_checkin_visit() - run one visit (see the top of this file).
 * @out: receives what happened, also on error.
 * Return: SNT_CHECKIN_OK when the visit ran to a decision (whatever it was,
 * including a store fault, which out->store_err reports);
 * SNT_CHECKIN_ERR_INVAL; SNT_CHECKIN_ERR_SCAN when the scanner failed (the
 * door stays shut and no entry is written).
 */
enum snt_checkin_err snt_checkin_visit(struct snt_checkin *ci, struct snt_visit *out) SNT_WUR;

/*
 * snt_temp_measure() - the temperature procedure alone, on @board's
 * thermometer, display and clock.
 * Return: SNT_CHECKIN_OK and *out; SNT_CHECKIN_ERR_INVAL.
 */
enum snt_checkin_err snt_temp_measure(const struct snt_checkin_cfg *cfg, struct snt_board *board,
				      struct snt_temp_result *out) SNT_WUR;

/* snt_checkin_strerror() - static English text; never NULL. */
const char *snt_checkin_strerror(enum snt_checkin_err err);

#endif /* SNT_CHECKIN_H */
