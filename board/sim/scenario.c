// SPDX-License-Identifier: MIT
/*
 * Parser of the simulated board's scenario files (grammar: scenario.md).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "idcard/idcard.h"
#include "sim/scenario.h"

#define MAX_WORDS 64

struct parser {
	const char *file;
	char dir[PATH_MAX];
	int line;
	struct snt_scenario *scn;
	size_t cap_steps, cap_images;
	size_t image_bytes;		/* decoded pixels kept so far */
	char *errbuf;
	size_t errlen;
};

static const char *const err_text[] = {
	[SNT_SCENARIO_OK] = N_("success"),
	[SNT_SCENARIO_ERR_INVAL] = N_("invalid argument"),
	[SNT_SCENARIO_ERR_IO] = N_("cannot read the scenario"),
	[SNT_SCENARIO_ERR_SYNTAX] = N_("syntax error"),
	[SNT_SCENARIO_ERR_VALUE] = N_("bad value"),
	[SNT_SCENARIO_ERR_IMAGE] = N_("bad image"),
	[SNT_SCENARIO_ERR_NOMEM] = N_("out of memory"),
};

const char *snt_scenario_strerror(enum snt_scenario_err err)
{
	/* The text in the user's language: every caller shows it to a person. */
	return _(snt_table_text(err_text, SNT_ARRAY_SIZE(err_text), err, N_("unknown error")));
}

static enum snt_scenario_err fail(struct parser *p, enum snt_scenario_err err, const char *fmt, ...)
	SNT_PRINTF(3, 4);

static enum snt_scenario_err fail(struct parser *p, enum snt_scenario_err err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(p->errbuf, p->errlen, "%s:%d: %s", p->file, p->line, msg);
	else
		snprintf(p->errbuf, p->errlen, "%s: %s", p->file, msg);
	return err;
}

void snt_scenario_free(struct snt_scenario *scn)
{
	if (!scn)
		return;
	for (size_t i = 0; i < scn->n_steps; i++) {
		if (scn->steps[i].op == SNT_SCN_SHOW)
			free(scn->steps[i].u.show.image);
		else if (scn->steps[i].op == SNT_SCN_TEMP)
			free(scn->steps[i].u.temp.mdc);
		else if (scn->steps[i].op == SNT_SCN_CARD && scn->steps[i].u.card.data) {
			explicit_bzero(scn->steps[i].u.card.data, scn->steps[i].u.card.len);
			free(scn->steps[i].u.card.data);
		}
	}
	free(scn->steps);
	for (size_t i = 0; i < scn->n_images; i++) {
		free(scn->images[i].path);
		snt_image_release(&scn->images[i].img);
	}
	free(scn->images);
	free(scn);
}

static struct snt_scenario_step *new_step(struct parser *p, enum snt_scenario_op op)
{
	struct snt_scenario *scn = p->scn;
	struct snt_scenario_step *st;

	if (scn->n_steps == p->cap_steps) {
		size_t cap = p->cap_steps ? 2 * p->cap_steps : 32;
		void *n = realloc(scn->steps, cap * sizeof(*scn->steps));

		if (!n)
			return NULL;
		scn->steps = n;
		p->cap_steps = cap;
	}
	st = &scn->steps[scn->n_steps++];
	memset(st, 0, sizeof(*st));
	st->op = op;
	st->line = p->line;
	return st;
}

static enum snt_scenario_err image_index(struct parser *p, const char *word, size_t *idx)
{
	struct snt_scenario *scn = p->scn;
	char path[PATH_MAX];
	enum snt_image_err ie;
	struct snt_scenario_image *si;
	int n;

	n = snprintf(path, sizeof(path), "%s%s", word[0] == '/' ? "" : p->dir, word);
	if (n < 0 || (size_t)n >= sizeof(path))
		return fail(p, SNT_SCENARIO_ERR_VALUE, "%s", _("image path too long"));
	for (size_t i = 0; i < scn->n_images; i++)
		if (!strcmp(scn->images[i].path, path)) {
			*idx = i;
			return SNT_SCENARIO_OK;
		}
	if (scn->n_images == p->cap_images) {
		size_t cap = p->cap_images ? 2 * p->cap_images : 16;
		void *nw = realloc(scn->images, cap * sizeof(*scn->images));

		if (!nw)
			return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
		scn->images = nw;
		p->cap_images = cap;
	}
	si = &scn->images[scn->n_images];
	memset(si, 0, sizeof(*si));
	ie = snt_image_load(path, &si->img);
	if (ie == SNT_IMAGE_ERR_IO)
		return fail(p, SNT_SCENARIO_ERR_IMAGE, _("image %s: %s"), path, strerror(si->img.sys_errno));
	if (ie != SNT_IMAGE_OK)
		return fail(p, SNT_SCENARIO_ERR_IMAGE, _("image %s: %s"), path, snt_image_strerror(ie));
	if (si->img.stride * si->img.height > SNT_SCENARIO_MAX_IMAGE_BYTES - p->image_bytes) {
		snt_image_release(&si->img);
		return fail(p, SNT_SCENARIO_ERR_IMAGE,
			    _("image %s: the scenario's images would take more than %d MB decoded"),
			    path, SNT_SCENARIO_MAX_IMAGE_BYTES >> 20);
	}
	p->image_bytes += si->img.stride * si->img.height;
	si->path = strdup(path);
	if (!si->path) {
		snt_image_release(&si->img);
		return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
	}
	*idx = scn->n_images++;
	return SNT_SCENARIO_OK;
}

static int parse_level(const char *s, int *v)
{
	if (!strcmp(s, "0") || !strcmp(s, "1")) {
		*v = s[0] - '0';
		return 0;
	}
	return -1;
}

static enum snt_scenario_err parse_temp(struct parser *p, const char *w, int32_t *mdc)
{
	char *end;
	double v;

	if (!strcmp(w, "fault")) {
		*mdc = SNT_SCENARIO_TEMP_FAULT;
		return SNT_SCENARIO_OK;
	}
	errno = 0;
	v = strtod(w, &end);
	if (errno || end == w || *end || !isfinite(v))
		return fail(p, SNT_SCENARIO_ERR_VALUE, _("temperature '%s' is not a number"), w);
	if (v < -273.15 || v > 1000.0)
		return fail(p, SNT_SCENARIO_ERR_VALUE, _("temperature %s °C is outside -273.15-1000"), w);
	*mdc = (int32_t)lround(v * 1000.0);
	return SNT_SCENARIO_OK;
}

/* The bytes of a `card frames` file, relative to the scenario's directory. */
static enum snt_scenario_err read_frames(struct parser *p, const char *word, uint8_t **data, size_t *len)
{
	char path[PATH_MAX];
	int rc, k;

	k = snprintf(path, sizeof(path), "%s%s", word[0] == '/' ? "" : p->dir, word);
	if (k < 0 || (size_t)k >= sizeof(path))
		return fail(p, SNT_SCENARIO_ERR_VALUE, "%s", _("frames path too long"));
	rc = snt_read_file(path, SNT_SCENARIO_MAX_FRAMES_BYTES, data, len);
	if (rc == ENOMEM)
		return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
	if (rc)
		return fail(p, SNT_SCENARIO_ERR_VALUE, _("frames %s: %s"), path,
			    rc == SNT_ETOOBIG ? _("larger than 1 MiB") : snt_open_strerror(rc));
	if (*len == 0) {
		free(*data);
		*data = NULL;
		return fail(p, SNT_SCENARIO_ERR_VALUE, _("frames %s: empty"), path);
	}
	return SNT_SCENARIO_OK;
}

/*
 * A card's fields from KEY=VALUE words into its text block.  Errors name
 * the key, never the value (it is personal).
 */
static enum snt_scenario_err card_fields(struct parser *p, char **w, int nw, uint8_t **data)
{
	static const struct {
		const char *key;
		size_t off, cap;
	} keys[] = {
#define K(k, m) { k, offsetof(struct snt_idcard_text, m), sizeof(((struct snt_idcard_text *)0)->m) }
		K("name", name), K("sex", sex), K("nation", nation), K("birth", birth), K("address", address),
		K("number", number), K("authority", authority), K("from", valid_from), K("to", valid_to),
#undef K
	};
	struct snt_idcard_text t = { .nation = "01", .address = "-", .authority = "-", .valid_from = "20200101",
				     .valid_to = "长期" };
	const char *field = NULL;
	bool seen[SNT_ARRAY_SIZE(keys)] = { false };

	for (int i = 1; i < nw; i++) {
		char *eq = strchr(w[i], '=');
		size_t k;

		if (!eq)
			return fail(p, SNT_SCENARIO_ERR_SYNTAX, _("card: word %d is not KEY=VALUE"), i + 1);
		*eq = '\0';
		for (k = 0; k < SNT_ARRAY_SIZE(keys) && strcmp(keys[k].key, w[i]); k++)
			;
		if (k == SNT_ARRAY_SIZE(keys))
			return fail(p, SNT_SCENARIO_ERR_SYNTAX,
				    _("card: unknown key '%.20s' (known: name, sex, nation, birth, address, number, "
				      "authority, from, to)"), w[i]);
		if (seen[k])
			return fail(p, SNT_SCENARIO_ERR_SYNTAX, _("card: key '%s' given twice"), keys[k].key);
		seen[k] = true;
		if (snt_strlcpy((char *)&t + keys[k].off, eq + 1, keys[k].cap) >= keys[k].cap)
			return fail(p, SNT_SCENARIO_ERR_VALUE, _("card: %s too long"), keys[k].key);
	}
	if (!t.name[0] || !t.number[0])
		return fail(p, SNT_SCENARIO_ERR_SYNTAX, "%s", _("card: name= and number= are needed"));
	/* By default the birth date and sex are those the number holds (GB 11643 4.1). */
	if (!t.birth[0] && strlen(t.number) >= 14) {
		memcpy(t.birth, t.number + 6, 8);
		t.birth[8] = '\0';
	}
	if (!t.sex[0] && strlen(t.number) >= 17)
		t.sex[0] = (char)((t.number[16] - '0') % 2 ? '1' : '2');
	*data = malloc(SNT_IDCARD_TEXT_LEN);
	if (!*data)
		return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
	if (snt_idcard_text_build(&t, *data, &field) != SNT_IDCARD_OK) {
		free(*data);
		*data = NULL;
		explicit_bzero(&t, sizeof(t));
		return fail(p, SNT_SCENARIO_ERR_VALUE, _("card: %s is not text that fits the card"), field);
	}
	explicit_bzero(&t, sizeof(t));
	return SNT_SCENARIO_OK;
}

static enum snt_scenario_err parse_card(struct parser *p, char **w, int nw)
{
	enum snt_scenario_card what;
	uint8_t *data = NULL;
	size_t len = 0;
	enum snt_scenario_err err;
	struct snt_scenario_step *st;

	if (nw == 2 && !strcmp(w[1], "none")) {
		what = SNT_SCN_CARD_NONE;
	} else if (nw == 2 && !strcmp(w[1], "pulled")) {
		what = SNT_SCN_CARD_PULLED;
	} else if (nw == 2 && !strcmp(w[1], "unplugged")) {
		what = SNT_SCN_CARD_UNPLUGGED;
	} else if (nw == 3 && !strcmp(w[1], "frames")) {
		what = SNT_SCN_CARD_FRAMES;
		err = read_frames(p, w[2], &data, &len);
		if (err)
			return err;
	} else if (nw >= 2 && strchr(w[1], '=')) {
		what = SNT_SCN_CARD_TEXT;
		err = card_fields(p, w, nw, &data);
		if (err)
			return err;
		len = SNT_IDCARD_TEXT_LEN;
	} else {
		return fail(p, SNT_SCENARIO_ERR_SYNTAX,
			    "%s", _("'card' takes none, pulled, unplugged, frames FILE or KEY=VALUE..."));
	}
	st = new_step(p, SNT_SCN_CARD);
	if (!st) {
		free(data);
		return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
	}
	st->u.card.what = what;
	st->u.card.data = data;
	st->u.card.len = len;
	return SNT_SCENARIO_OK;
}

static enum snt_scenario_err parse_line(struct parser *p, char **w, int nw)
{
	struct snt_scenario_step *st;
	enum snt_scenario_err err;
	int v;

	if (!strcmp(w[0], "presence") || !strcmp(w[0], "button")) {
		enum snt_role role = SNT_ROLE_PRESENCE;
		int want = w[0][0] == 'p' ? 2 : 3;

		if (nw != want)
			return fail(p, SNT_SCENARIO_ERR_SYNTAX, want == 2 ? _("'%s' takes 1 word (0 or 1)") :
				    _("'%s' takes 2 words (ROLE and 0 or 1)"), w[0]);
		if (want == 3 && (snt_role_from_name(w[1], &role) ||
				  (role != SNT_ROLE_BUTTON && role != SNT_ROLE_EXIT_BUTTON &&
				   role != SNT_ROLE_FIRE_ALARM)))
			return fail(p, SNT_SCENARIO_ERR_VALUE,
				    _("'%s' is not button, exit-button or fire-alarm"), w[1]);
		if (parse_level(w[nw - 1], &v))
			return fail(p, SNT_SCENARIO_ERR_VALUE, _("level '%s' is not 0 or 1"), w[nw - 1]);
		st = new_step(p, SNT_SCN_INPUT);
		if (!st)
			return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
		st->u.input.role = role;
		st->u.input.value = v;
		return SNT_SCENARIO_OK;
	}
	if (!strcmp(w[0], "wait")) {
		char *end;
		long long ms;

		if (nw != 2)
			return fail(p, SNT_SCENARIO_ERR_SYNTAX, "%s", _("'wait' takes 1 word (milliseconds)"));
		errno = 0;
		ms = strtoll(w[1], &end, 10);
		if (errno || end == w[1] || *end)
			return fail(p, SNT_SCENARIO_ERR_VALUE, _("wait '%s' is not a number of milliseconds"),
				    w[1]);
		if (ms < 0 || ms > SNT_SCENARIO_MAX_WAIT_MS)
			return fail(p, SNT_SCENARIO_ERR_VALUE, _("wait %lld ms is outside 0-%d"), ms,
				    SNT_SCENARIO_MAX_WAIT_MS);
		st = new_step(p, SNT_SCN_WAIT);
		if (!st)
			return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
		st->u.wait_ms = ms;
		return SNT_SCENARIO_OK;
	}
	if (!strcmp(w[0], "show")) {
		size_t *idx = NULL;
		size_t n = 0;

		if (nw < 2)
			return fail(p, SNT_SCENARIO_ERR_SYNTAX, "%s", _("'show' takes IMAGE... or none"));
		if (!(nw == 2 && !strcmp(w[1], "none"))) {
			idx = calloc((size_t)nw - 1, sizeof(*idx));
			if (!idx)
				return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
			for (int i = 1; i < nw; i++) {
				err = image_index(p, w[i], &idx[n]);
				if (err) {
					free(idx);
					return err;
				}
				n++;
			}
		}
		st = new_step(p, SNT_SCN_SHOW);
		if (!st) {
			free(idx);
			return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
		}
		st->u.show.n = n;
		st->u.show.image = idx;
		return SNT_SCENARIO_OK;
	}
	if (!strcmp(w[0], "temp")) {
		int32_t *mdc = NULL;
		size_t n = 0;

		if (nw < 2)
			return fail(p, SNT_SCENARIO_ERR_SYNTAX, "%s", _("'temp' takes SAMPLE... or none"));
		if (!(nw == 2 && !strcmp(w[1], "none"))) {
			mdc = calloc((size_t)nw - 1, sizeof(*mdc));
			if (!mdc)
				return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
			for (int i = 1; i < nw; i++) {
				err = parse_temp(p, w[i], &mdc[n]);
				if (err) {
					free(mdc);
					return err;
				}
				n++;
			}
		}
		st = new_step(p, SNT_SCN_TEMP);
		if (!st) {
			free(mdc);
			return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
		}
		st->u.temp.n = n;
		st->u.temp.mdc = mdc;
		return SNT_SCENARIO_OK;
	}
	if (!strcmp(w[0], "card"))
		return parse_card(p, w, nw);
	if (!strcmp(w[0], "signal")) {
		int signo;

		if (nw != 2)
			return fail(p, SNT_SCENARIO_ERR_SYNTAX, "%s", _("'signal' takes 1 word (hup, int, term or stop)"));
		if (!strcmp(w[1], "hup"))
			signo = SIGHUP;
		else if (!strcmp(w[1], "int"))
			signo = SIGINT;
		else if (!strcmp(w[1], "term"))
			signo = SIGTERM;
		else if (!strcmp(w[1], "stop"))
			signo = SIGSTOP;
		else
			return fail(p, SNT_SCENARIO_ERR_VALUE, _("signal '%s' is not hup, int, term or stop"), w[1]);
		st = new_step(p, SNT_SCN_SIGNAL);
		if (!st)
			return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
		st->u.signo = signo;
		return SNT_SCENARIO_OK;
	}
	if (!strcmp(w[0], "clock")) {
		st = NULL;
		if (nw == 2 && (!strcmp(w[1], "trusted") || !strcmp(w[1], "untrusted"))) {
			st = new_step(p, SNT_SCN_CLOCK);
			if (st)
				st->u.clock.state = w[1][0] == 't' ? SNT_CLOCK_TRUSTED : SNT_CLOCK_UNTRUSTED;
		} else if (nw == 3 && !strcmp(w[1], "set")) {
			int64_t t;

			if (snt_clock_parse_rfc3339(w[2], &t))
				return fail(p, SNT_SCENARIO_ERR_VALUE, _("'%s' is not an RFC 3339 time"), w[2]);
			st = new_step(p, SNT_SCN_CLOCK);
			if (st) {
				st->u.clock.set = 1;
				st->u.clock.utc_ms = t;
			}
		} else {
			return fail(p, SNT_SCENARIO_ERR_SYNTAX,
				    "%s", _("'clock' takes trusted, untrusted or set TIME"));
		}
		if (!st)
			return fail(p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
		return SNT_SCENARIO_OK;
	}
	return fail(p, SNT_SCENARIO_ERR_SYNTAX,
		    _("unknown command '%.40s' (known: presence, button, wait, show, temp, card, signal, clock)"),
		    w[0]);
}

/*
 * Read one line (without its newline) into @buf of SNT_SCENARIO_MAX_LINE + 1
 * bytes.  Return its length, -1 at the end of the file, -2 for a line too
 * long, -3 for a NUL byte, -4 for a read error.
 */
static long read_line(FILE *f, char *buf)
{
	long n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0')
			return -3;
		if (n == SNT_SCENARIO_MAX_LINE)
			return -2;
		buf[n++] = (char)c;
	}
	if (c == EOF && ferror(f))
		return -4;
	if (c == EOF && n == 0)
		return -1;
	buf[n] = '\0';
	return n;
}

static enum snt_scenario_err parse_stream(struct parser *p, FILE *f)
{
	char buf[SNT_SCENARIO_MAX_LINE + 1];
	long len;

	while ((len = read_line(f, buf)) >= 0) {
		char *w[MAX_WORDS], *save = NULL, *tok, *hash;
		enum snt_scenario_err err;
		int nw = 0;

		p->line++;
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		for (tok = strtok_r(buf, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
			if (nw == MAX_WORDS)
				break;
			w[nw++] = tok;
		}
		if (tok)
			return fail(p, SNT_SCENARIO_ERR_SYNTAX,
				    P_("more than %d word", "more than %d words", MAX_WORDS), MAX_WORDS);
		if (nw == 0)
			continue;
		err = parse_line(p, w, nw);
		if (err)
			return err;
	}
	p->line++;
	if (len == -2)
		return fail(p, SNT_SCENARIO_ERR_SYNTAX,
			    P_("line longer than %d byte", "line longer than %d bytes", SNT_SCENARIO_MAX_LINE),
			    SNT_SCENARIO_MAX_LINE);
	if (len == -3)
		return fail(p, SNT_SCENARIO_ERR_SYNTAX, "%s", _("NUL byte in line"));
	if (len == -4) {
		p->line = 0;
		return fail(p, SNT_SCENARIO_ERR_IO, _("read error: %s"), strerror(errno));
	}
	return SNT_SCENARIO_OK;
}

enum snt_scenario_err snt_scenario_load(const char *path, struct snt_scenario **out, char *errbuf,
					size_t errlen)
{
	struct parser p;
	enum snt_scenario_err err;
	const char *slash;
	FILE *f;
	int rc;

	if (!path || !out || !errbuf || errlen == 0)
		return SNT_SCENARIO_ERR_INVAL;
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.file = path;
	p.errbuf = errbuf;
	p.errlen = errlen;
	errbuf[0] = '\0';
	slash = strrchr(path, '/');
	if (slash) {
		size_t n = (size_t)(slash - path) + 1;

		if (n >= sizeof(p.dir))
			return fail(&p, SNT_SCENARIO_ERR_INVAL, "%s", _("path too long"));
		memcpy(p.dir, path, n);
	}
	rc = snt_fopen_regular(path, &f);
	if (rc)
		return fail(&p, SNT_SCENARIO_ERR_IO, "%s", snt_open_strerror(rc));
	p.scn = calloc(1, sizeof(*p.scn));
	if (!p.scn) {
		fclose(f);
		return fail(&p, SNT_SCENARIO_ERR_NOMEM, "%s", _("out of memory"));
	}
	err = parse_stream(&p, f);
	fclose(f);
	if (err) {
		snt_scenario_free(p.scn);
		return err;
	}
	*out = p.scn;
	return SNT_SCENARIO_OK;
}
