/* SPDX-License-Identifier: MIT */
/*
 * i18n: sentinelctl's messages in the user's language (GNU gettext, domain
 * "sentinel"; each po/<lang>.po compiled by the Makefile into
 * $(B)/locale/<lang>/LC_MESSAGES/sentinel.mo and installed under
 * $(PREFIX)/share/locale).  The language follows LANGUAGE, LC_ALL,
 * LC_MESSAGES and LANG as gettext(3) reads them; a locale that is not
 * generated on the machine gives English.
 *
 * Only human text is translated: JSON and CSV keys and values, decision,
 * reason and colour codes and every --json format stay as interfaces.md
 * gives them.  Mark text with _("...") where it is used, N_("...") in
 * static tables (translated with _() when printed).
 */
#ifndef SNT_TOOLS_I18N_H
#define SNT_TOOLS_I18N_H

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>

#include "report/report.h"

#define SNT_TEXTDOMAIN SNT_REPORT_TEXTDOMAIN

/* Where the .mo files are: the build sets it to $(PREFIX)/share/locale. */
#ifndef SNT_LOCALEDIR
#define SNT_LOCALEDIR "/usr/local/share/locale"
#endif

#define _(s) dgettext(SNT_TEXTDOMAIN, s)
#define N_(s) s

/*
 * ctl_i18n_init() - for main(): take the character type and the message
 * language from the environment (LC_CTYPE, LC_MESSAGES only: numbers and
 * times stay in the C locale, so output formats never change), and find
 * the catalogue in $SENTINEL_LOCALEDIR (tests: the build's locale/) or
 * SNT_LOCALEDIR.  Messages come out in UTF-8 whatever the locale's codeset.
 * Failures leave the messages in English; there is nothing to report.
 */
static inline void ctl_i18n_init(void)
{
	const char *dir = getenv("SENTINEL_LOCALEDIR");

	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	bindtextdomain(SNT_TEXTDOMAIN, dir && *dir ? dir : SNT_LOCALEDIR);
	bind_textdomain_codeset(SNT_TEXTDOMAIN, "UTF-8");
	textdomain(SNT_TEXTDOMAIN);
}

#endif /* SNT_TOOLS_I18N_H */
