/* SPDX-License-Identifier: MIT */
/*
 * What the sentinel-bureau commands kept in files of their own share
 * (issue.c: policy, badge, pass; enrol.c: enrol, enrol-import): their error
 * line, and running one when it is the command word of the arguments.
 */
#ifndef SNT_BUREAU_CLI_H
#define SNT_BUREAU_CLI_H

#include "common/common.h"

/* bureau_err() - "sentinel-bureau: @cmd: <message>\n" on stderr. */
void bureau_err(const char *cmd, const char *fmt, ...) SNT_PRINTF(2, 3);

/*
 * bureau_usage_error() - a usage error: bureau_err(@cmd, @fmt, ...), then
 * @hint (a whole line such as "Try 'sentinel-bureau --help'.\n"; NULL: none)
 * on stderr.
 * Return: 2, the exit status of a usage error.
 */
int bureau_usage_error(const char *cmd, const char *hint, const char *fmt, ...) SNT_PRINTF(3, 4);

/*
 * bureau_option_error() - bureau_usage_error() for what getopt_long() (with
 * opterr 0 and an optstring starting with ':') returned @c: ':' "option
 * '<word>' needs an argument", anything else "unknown option '<word>'".
 * Return: 2.
 */
int bureau_option_error(const char *cmd, const char *hint, int c, char **argv);

/*
 * bureau_command_word() - the command word of @argv (@argc words): its
 * first operand, past the options and the value of each option that takes
 * one given as the next word; "--" ends the options.
 * Return: the word (pointing into @argv), or NULL when there is none.
 */
const char *bureau_command_word(int argc, char **argv);

/*
 * bureau_dispatch() - when the command word of @argv (@argc words,
 * bureau_command_word()) is one of @names (NULL-terminated), run @run with
 * that word (@cmd: the command its messages name) on a copy of @argv
 * (getopt_long permutes it; @argv stays as given), its exit status into
 * *@status, then flush stdout; a failed write is reported naming the
 * command word and makes the status 2.
 * Return: 1 when the command was one of @names (run), else 0.
 */
int bureau_dispatch(int argc, char **argv, const char *const *names,
		    int (*run)(const char *cmd, int argc, char **argv), int *status);

/*
 * bureau_take_zone() - take the option --timezone ZONE (or --timezone=ZONE)
 * out of @argv (before "--"; the last one given counts) so that the
 * commands' own parsers never see it; *@argc shrinks by the words taken
 * (argv[*argc] stays NULL).  The zone is not checked here.
 * @zone: receives the zone (pointing into @argv), or NULL when not given.
 * Return: 0; -1 when --timezone is the last word (no value).
 */
int bureau_take_zone(int *argc, char **argv, const char **zone) SNT_WUR;

/*
 * bureau_take_option() - bureau_take_zone() for any option @opt that takes
 * a value ("--config": --config FILE or --config=FILE; @opt must be one of
 * the options whose value is the next word).
 * Return: 0 (*@value: the last one given, or NULL); -1 when @opt is the
 * last word (no value).
 */
int bureau_take_option(int *argc, char **argv, const char *opt, const char **value) SNT_WUR;

#endif /* SNT_BUREAU_CLI_H */
