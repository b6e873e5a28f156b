/* SPDX-License-Identifier: MIT */
/*
 * i18n: the messages of sentinelctl, sentinel-bureau and sentineld's log in
 * the user's language (GNU gettext, domain "sentinel"; each po/<lang>.po compiled by the Makefile into
 * $(B)/locale/<lang>/LC_MESSAGES/sentinel.mo and installed under
 * $(PREFIX)/share/locale).  The language follows LANGUAGE, LC_ALL,
 * LC_MESSAGES and LANG as gettext(3) reads them; a locale that is not
 * generated on the machine gives English.
 *
 * Only human text is translated: JSON and CSV keys and values, decision,
 * reason and colour codes and every --json format stay as interfaces.md
 * gives them.  Mark text with _("...") where it is used, N_("...") in
 * static tables (translated with _() when printed), and text with a count
 * with P_("one", "many", n) (ngettext(3): the language's plural forms,
 * "1 entry" / "2 entries").  sentinelctl and sentinel-bureau share the
 * domain.
 */
#ifndef SNT_COMMON_I18N_H
#define SNT_COMMON_I18N_H

#include <glob.h>
#include <libintl.h>
#include <limits.h>
#include <stdio.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The gettext domain of every program's messages (the report's too: SNT_REPORT_TEXTDOMAIN). */
#define SNT_TEXTDOMAIN "sentinel"

/* Where the .mo files are: the build sets it to $(PREFIX)/share/locale. */
#ifndef SNT_LOCALEDIR
#define SNT_LOCALEDIR "/usr/local/share/locale"
#endif

#define _(s) dgettext(SNT_TEXTDOMAIN, s)
#define N_(s) s
#define P_(one, many, n) dngettext(SNT_TEXTDOMAIN, one, many, (unsigned long)(n))

/*
 * snt_i18n_exe_path() - "<directory of the running executable>@tail"
 * (readlink of /proc/self/exe, its last component replaced by @tail, which
 * begins with '/') into buf (size bytes, at least 2).
 * Returns buf, or NULL when the link cannot be read or the path does not
 * fit.
 */
static inline char *snt_i18n_exe_path(char *buf, size_t size, const char *tail)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0 || (size_t)n >= size - 1)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash || (size_t)(slash - buf) + strlen(tail) + 1 > size)
		return NULL;
	memcpy(slash, tail, strlen(tail) + 1);
	return buf;
}

/*
 * snt_i18n_exe_localedir() - "<directory of the running executable>/locale"
 * (readlink of /proc/self/exe) into buf (size bytes) when that directory
 * exists: a binary run from the build tree finds the build's catalogues.
 * Returns buf, or NULL when there is no such directory or the path does not
 * fit.
 */
static inline const char *snt_i18n_exe_localedir(char *buf, size_t size)
{
	struct stat st;

	if (size < 8 || !snt_i18n_exe_path(buf, size, "/locale"))
		return NULL;
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return buf;
}

/*
 * snt_i18n_exe_prefix_localedir() - "<directory of the executable>/../share/locale"
 * (readlink of /proc/self/exe) into buf when it holds a catalogue of this
 * domain for some language: an installed binary ($(PREFIX)/bin) finds
 * $(PREFIX)/share/locale whatever PREFIX the objects were compiled with.
 * snt_i18n_exe_pkg_localedir() is the same for
 * "<directory of the executable>/../share/<@pkg>/locale", a package's own
 * copy of the catalogue (sentinel-bureau's: the gate's package holds the
 * one in share/locale, and two packages may not hold the same file).
 * Returns buf, or NULL.
 */
static inline const char *snt_i18n_exe_localedir_at(char *buf, size_t size, const char *pkg)
{
	char tail[96];
	char probe[PATH_MAX + 64];
	glob_t g;
	int found;

	if ((size_t)snprintf(tail, sizeof(tail), "/../share%s%s/locale", pkg ? "/" : "", pkg ? pkg : "") >=
	    sizeof(tail) || size < strlen(tail) + 2 || !snt_i18n_exe_path(buf, size, tail))
		return NULL;
	if ((size_t)snprintf(probe, sizeof(probe), "%s/*/LC_MESSAGES/" SNT_TEXTDOMAIN ".mo", buf) >= sizeof(probe))
		return NULL;
	found = glob(probe, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return found ? buf : NULL;
}

static inline const char *snt_i18n_exe_prefix_localedir(char *buf, size_t size)
{
	return snt_i18n_exe_localedir_at(buf, size, NULL);
}

static inline const char *snt_i18n_exe_pkg_localedir(char *buf, size_t size, const char *pkg)
{
	return snt_i18n_exe_localedir_at(buf, size, pkg);
}

/*
 * snt_i18n_init() - for main(): take the character type and the message
 * language from the environment (LC_CTYPE, LC_MESSAGES only: numbers and
 * times stay in the C locale, so output formats never change), and find
 * the catalogue in $SENTINEL_LOCALEDIR (tests: the build's locale/), else
 * in <directory of the executable>/locale if that exists (a binary run from
 * the build tree), else (snt_i18n_init_pkg() with @pkg) in
 * <directory of the executable>/../share/<@pkg>/locale when a catalogue is
 * there (the package's own copy), else in
 * <directory of the executable>/../share/locale when a catalogue is there
 * (installed under any PREFIX), else in SNT_LOCALEDIR (the LOCALEDIR of the
 * build).
 * Messages come out in UTF-8 whatever the locale's codeset.
 * Failures leave the messages in English; there is nothing to report.
 */
static inline void snt_i18n_init_pkg(const char *pkg)
{
	const char *dir = getenv("SENTINEL_LOCALEDIR");
	char exe[PATH_MAX];

	if (!dir || !*dir)
		dir = snt_i18n_exe_localedir(exe, sizeof(exe));
	if (!dir && pkg)
		dir = snt_i18n_exe_pkg_localedir(exe, sizeof(exe), pkg);
	if (!dir)
		dir = snt_i18n_exe_prefix_localedir(exe, sizeof(exe));
	if (!dir)
		dir = SNT_LOCALEDIR;
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	bindtextdomain(SNT_TEXTDOMAIN, dir);
	bind_textdomain_codeset(SNT_TEXTDOMAIN, "UTF-8");
	textdomain(SNT_TEXTDOMAIN);
}

static inline void snt_i18n_init(void)
{
	snt_i18n_init_pkg(NULL);
}

#endif /* SNT_COMMON_I18N_H */
