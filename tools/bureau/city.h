/* SPDX-License-Identifier: MIT */
/*
 * The city report: one day of every gate the bureau holds, per home and for
 * the city, as a self-contained printable HTML page (HTML Living Standard,
 * UTF-8, inline SVG 1.1 charts) in the style of the gate's daily report
 * (firmware/report/report.h): no script, no style sheet, font, image or
 * link fetched from anywhere; inline CSS with an @media print block for A4;
 * every piece of text HTML-escaped (a hostile home name comes out inert);
 * labels in Chinese and English side by side.
 *
 * The page holds: a header (the day and its time zone, when it was made,
 * the numbers of homes and gates); the city's totals (table class
 * "totals": entries, fevers, denials, referrals, staff whose weekly test was
 * overdue when they came in, gates silent for more than a day, open
 * alerts); two charts, <svg class="chart" id="chart-hours"> (the city's
 * entries per local hour, 24 bars) and id="chart-homes" (fevers and denials
 * per home); and one row per home (table class "homes", tr class="home"
 * data-home="...") with the same figures and its silent gates by name.
 * Every bar is a <rect class="bar" data-key="..." data-count="N">.
 * Gates are grouped by their home (register --home); a gate without one is
 * its own home, named by its device id.  Silent: no bundle with new entries
 * for more than a day before the report was made, or none ever, or
 * revoked.  Open alerts: every alert of the home's gates (the bureau's
 * alerts are not closed).
 *
 * Times are local, in the process's zone (sentinel-bureau --timezone,
 * by default China Standard Time, set by main whatever TZ is inherited):
 * the day runs from local midnight to the next.
 */
#ifndef SNT_BUREAU_CITY_H
#define SNT_BUREAU_CITY_H

#include <stddef.h>
#include <stdint.h>

#include "tools/bureau/bureau.h"

#define BUREAU_CITY_SILENT_MS (24 * 3600 * 1000LL)	/* silent past a day */

/*
 * bureau_city_report() - the page for local day @day ("YYYY-MM-DD") from
 * @db, made at @now_ms: a new NUL-terminated string in *@html (free()),
 * *@len bytes without the NUL.
 * Return: BUREAU_OK; BUREAU_ERR_INVAL (@day not a valid date, why says so);
 * BUREAU_ERR_DB; BUREAU_ERR_NOMEM.
 */
enum bureau_err bureau_city_report(struct bureau_db *db, const char *day, int64_t now_ms, char **html,
				   size_t *len, char *why, size_t n) SNT_WUR;

#endif /* SNT_BUREAU_CITY_H */
