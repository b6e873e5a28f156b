/* SPDX-License-Identifier: MIT */
/*
 * idreader: the ID-card reader of the real board, a SAM reader module
 * (居民身份证阅读器 with its security access module) on a serial line:
 * typically USB-serial, 115200 baud, 8 data bits, no parity, 1 stop bit
 * (termios(3): raw mode).  One read is three exchanges, each a command
 * frame and the module's answer frame (idcard/idcard.h gives the frame
 * and the sources it follows): find card (20 01; 9F: found, 80: none),
 * select card (20 02; 90: done, 81: none) and read text (30 01; 90 with
 * the text and photo blocks, 41: the card left the field).
 *
 * Input waiting for an answer is read with poll(2): the whole answer must
 * come within the timeout, noise before a frame is skipped up to a bound,
 * and anything else is a fault named in one line.  The line is opened on
 * the first read (not when the reader is made), its stale input dropped
 * (tcflush), and closed again after every fault, so an unplugged reader
 * that comes back is found by the next read.
 */
#ifndef SNT_LINUX_IDREADER_H
#define SNT_LINUX_IDREADER_H

#include <stddef.h>
#include <stdint.h>

#include "hal.h"

struct snt_idreader;

/* How many bytes of noise are skipped while waiting for one answer. */
#define SNT_IDREADER_NOISE_MAX 8192

/*
 * snt_idreader_new() - a reader on the tty at @path (opened on first read).
 * @timeout_ms: how long one answer may take, 1-60000 ms.
 * @out: receives the reader; free with snt_idreader_free().
 * Return: SNT_HAL_OK; SNT_HAL_ERR_INVAL for NULL, an empty or too long
 * @path or a timeout out of range; SNT_HAL_ERR_NOMEM.
 */
enum snt_hal_err snt_idreader_new(const char *path, int timeout_ms, struct snt_idreader **out) SNT_WUR;

/* snt_idreader_free() - close the line; NULL does nothing. */
void snt_idreader_free(struct snt_idreader *r);

/*
 * The reader's role (hal.h snt_idreader_ops): read() with a struct
 * snt_idreader as its context.  Faults, in @why:
 *   "idreader PATH: cannot open: <strerror>"
 *   "idreader PATH: cannot set 115200 8N1: <strerror>"
 *   "idreader: no answer to <command> within N ms"
 *   "idreader: answer to <command> cut short after N bytes"
 *   "idreader: answer to <command> has a wrong checksum"
 *   "idreader: answer to <command> has a bad length"
 *   "idreader: line noise, no answer to <command> in N bytes"
 *   "idreader: reader unplugged"
 *   "idreader: card taken away during the read"
 *   "idreader: status 0xNN to <command>"
 *   "idreader: text block of a bad length"
 * <command> is "find card", "select card" or "read text".
 */
extern const struct snt_idreader_ops snt_idreader_tty_ops;

#endif /* SNT_LINUX_IDREADER_H */
