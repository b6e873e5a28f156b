/* SPDX-License-Identifier: MIT */
/*
 * codes: what a scanned payload is.  The format is chosen by prefix:
 *   "HC1:"     EU Digital COVID Certificate (eHealth Network, DCC technical
 *              specifications v1.3, §3 "HC1:" prefix)
 *   "LT1:"     Swiss COVID certificate light
 *   "NZCP:/"   New Zealand COVID Pass (NZCP spec v1, §"QR code encoding")
 *   "shc:/"    SMART Health Card (SMART Health Cards framework, numeric mode)
 * anything else is an opaque health-code token (GB/T 38962-2020): it can only
 * be resolved online by its issuing platform.  The formats and their names
 * are the entry module's (enum snt_code_format, entry.h).  Signature verification of the
 * signed formats lives in its own files of this module (separate issue).
 */
#ifndef SNT_CODES_H
#define SNT_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "entry/entry.h"

/* Administrative division code (GB/T 2260): six ASCII digits + NUL. */
#define SNT_REGION_LEN 7

/*
 * snt_code_classify() - format of a payload, by its prefix.
 * @bytes, @len: raw payload (may contain NUL bytes; not NUL-terminated).
 * Return: SNT_FORMAT_NONE when @len is 0, else the format; never fails.
 */
enum snt_code_format snt_code_classify(const uint8_t *bytes, size_t len);

/*
 * snt_code_region() - the issuing region a health-code token names, if any:
 * "HC:<6 digits>:..." or a URL query parameter "region=<6 digits>".
 * @bytes, @len: raw payload.
 * @region: receives six digits and a NUL (SNT_REGION_LEN bytes).
 * Return: 0 when a region was found, -1 otherwise (then @region is "").
 */
int snt_code_region(const uint8_t *bytes, size_t len, char region[SNT_REGION_LEN]);

/*
 * snt_code_is_text() - whether a payload is non-empty printable text: valid
 * UTF-8 (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF)
 * without C0 control characters, DEL or C1 controls.  Health-code tokens
 * are URLs or "HC:" strings; anything else cannot be one.
 * @bytes, @len: raw payload.
 * Return: 1 or 0.
 */
int snt_code_is_text(const uint8_t *bytes, size_t len);

#endif /* SNT_CODES_H */
