/* SPDX-License-Identifier: MIT */
/*
 * The plug-in point for the issuing platform's online verification of
 * health-code tokens the gate could not verify offline (entries with format
 * healthcode, verified unverified and a payload).  A platform answers the
 * colour it holds for a token: green, yellow or red (GB/T 38962-2020
 * colours).  One implementation: an external command (`--platform-cmd
 * PROG`), given the payload bytes on stdin, printing `green`, `yellow` or
 * `red` on stdout and exiting 0, within a timeout; tests use a shell script.
 */
#ifndef SNT_BUREAU_PLATFORM_H
#define SNT_BUREAU_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "entry/entry.h"

#define BUREAU_PLATFORM_NAME_LEN 33	/* 1-32 of [a-z0-9-] + NUL */

enum bureau_platform_err {
	BUREAU_PLATFORM_OK = 0,
	BUREAU_PLATFORM_ERR_INVAL,	/* NULL argument, empty payload */
	BUREAU_PLATFORM_ERR_START,	/* the command could not be started (fork, pipe, exec) */
	BUREAU_PLATFORM_ERR_TIMEOUT,	/* no answer, or no exit, within the timeout: the command was killed */
	BUREAU_PLATFORM_ERR_FAILED,	/* the command exited non-zero or was killed by a signal */
	BUREAU_PLATFORM_ERR_ANSWER,	/* the output was not exactly green, yellow or red */
};

/*
 * struct bureau_platform - one verifier.
 * @name: the platform's name recorded with each verdict (1-32 of [a-z0-9-]).
 * @verify: ask the platform about @payload (@len bytes, borrowed); on
 *     BUREAU_PLATFORM_OK *@colour is SNT_COLOUR_GREEN, _YELLOW or _RED; on
 *     error @why (may be NULL) gets one line without the payload.
 * @ctx: the implementation's state.
 */
struct bureau_platform {
	char name[BUREAU_PLATFORM_NAME_LEN];
	enum bureau_platform_err (*verify)(void *ctx, const uint8_t *payload, size_t len,
					   enum snt_colour *colour, char *why, size_t n);
	void *ctx;
};

/* State of the external-command platform. */
struct bureau_platform_cmd {
	const char *prog;	/* run with execvp(3), no shell, no arguments */
	int timeout_ms;		/* the whole run, from fork to exit (also after the command
				   closed its stdout); it is killed (SIGKILL) and reaped past it */
};

/*
 * bureau_platform_cmd_init() - make @p run @cmd->prog (borrowed, must outlive
 * @p).  The name is the program's base name reduced to [a-z0-9-] (at most
 * 32 characters; "platform" when nothing is left).  The command's stderr
 * goes to /dev/null (it might echo the token).
 * Return: BUREAU_PLATFORM_OK; BUREAU_PLATFORM_ERR_INVAL for NULL, an empty
 * program or a timeout <= 0.
 */
enum bureau_platform_err bureau_platform_cmd_init(struct bureau_platform *p,
						  struct bureau_platform_cmd *cmd) SNT_WUR;

/* bureau_platform_strerror() - static text; never NULL. */
const char *bureau_platform_strerror(enum bureau_platform_err err);

#endif /* SNT_BUREAU_PLATFORM_H */
