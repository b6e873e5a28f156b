// SPDX-License-Identifier: MIT
/*
 * Bundles in (files on a stick, bodies of POST /v1/bundle), acknowledgements
 * and signed time out.  Formats: firmware/sync/bundle.h.
 *
 * A directory is hostile: every open is openat(2) relative to a directory
 * fd with O_NOFOLLOW (a symlink is refused by name, never followed), only
 * regular files of at most BUREAU_MAX_BUNDLE bytes are read, names are taken
 * as they are (no path is built from their content but for messages), and
 * every path handed back for printing has its control bytes escaped
 * (bureau_escape(): "\x0a", "\x1b").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock/clock.h"
#include "fss/fss.h"
#include "sync/bundle.h"
#include "tools/bureau/bureau.h"
#include "tools/bureau/issuers.h"
#include "tools/bureau/platform.h"
#include "common/i18n.h"

bool bureau_device_id_valid(const char *id)
{
	return snt_bundle_device_id_valid(id);
}

void bureau_escape(const char *s, char *out, size_t n)
{
	if (out && n)
		(void)snt_escape(s, s ? strlen(s) : 0, 0, out, n);
}

char *bureau_escape_dup(const char *s)
{
	return snt_escape_dup(s, 0);
}

struct lookup_ctx {
	struct bureau_db *db;
	char device[SNT_DEVICE_ID_LEN];		/* the last device looked up */
	uint8_t kid[SNT_SIGN_KID_LEN];		/* and the kid the bundle was signed with */
	enum bureau_err err;
	char why[BUREAU_WHY_LEN];
};

static int lookup_key(void *ctx, const char *device, const uint8_t kid[SNT_SIGN_KID_LEN], EVP_PKEY **key)
{
	struct lookup_ctx *lc = ctx;

	memcpy(lc->kid, kid, sizeof(lc->kid));
	snt_strlcpy(lc->device, device, sizeof(lc->device));
	lc->err = bureau_db_device_key(lc->db, device, key, lc->why, sizeof(lc->why));
	return lc->err ? -1 : 0;
}

/* Whether the bundle was signed with a key the device handed over (bureau_db_rekey()); @why says when. */
static bool replaced_key(struct bureau_db *db, const struct lookup_ctx *lc, char *why, size_t n)
{
	struct bureau_handover *h = NULL;
	size_t count = 0;
	char t[40], hex[17];
	bool found = false;

	if (bureau_db_handovers(db, lc->device, &h, &count, t, sizeof(t)))
		return false;
	for (size_t i = count; i-- > 0 && !found;) {
		if (memcmp(h[i].old_kid, lc->kid, sizeof(lc->kid)))
			continue;
		found = true;
		if (snt_clock_format_rfc3339(h[i].time_utc_ms, t, sizeof(t)))
			snt_strlcpy(t, "?", sizeof(t));
		snt_hex_encode(lc->kid, sizeof(lc->kid), hex);
		snprintf(why, n, _("signed with device %s's key kid %s, replaced at %s (%s): bundle refused"), lc->device,
			 hex, t, h[i].reason);
	}
	free(h);
	return found;
}

/* One line for a refused bundle, naming the stage and field or seq. */
static void bundle_why(enum snt_bundle_err err, const struct snt_bundle_diag *d, char *why, size_t n)
{
	switch (err) {
	case SNT_BUNDLE_ERR_UNSEAL:
		snprintf(why, n, _("cannot unseal (not sealed to this bureau's key, truncated or altered): %s"),
			 snt_sign_strerror(d->sign));
		return;
	case SNT_BUNDLE_ERR_SIGNATURE:
		snprintf(why, n, _("signature: %s"), snt_sign_strerror(d->sign));
		return;
	case SNT_BUNDLE_ERR_KID:
		snprintf(why, n, _("signed by a key that is not the one registered for the device named in it"));
		return;
	default:
		break;
	}
	if (d->msg[0])
		snprintf(why, n, _("%s: %s"), snt_bundle_strerror(err), d->msg);
	else if (d->field[0])
		snprintf(why, n, _("%s: field %s"), snt_bundle_strerror(err), d->field);
	else if (d->seq)
		snprintf(why, n, _("%s: entry seq %" PRId64), snt_bundle_strerror(err), d->seq);
	else
		snprintf(why, n, "%s", snt_bundle_strerror(err));
}

/* Ask the platform about the range's unverified health-code tokens. */
static void verify_online(const struct bureau_ctx *c, struct bureau_import_result *res)
{
	int64_t *seqs = NULL;
	size_t count = 0;
	char why[BUREAU_WHY_LEN];

	if (!c->platform)
		return;
	if (bureau_db_pending_verifications(c->db, res->m.device, res->m.first, res->m.last, &seqs, &count, why,
					    sizeof(why))) {
		res->platform_failures++;
		snt_strlcpy(res->platform_why, why, sizeof(res->platform_why));
		return;
	}
	for (size_t i = 0; i < count; i++) {
		struct bureau_verdict v = { .seq = seqs[i] };
		enum snt_colour read_colour;
		uint8_t *payload = NULL;
		size_t len = 0;
		bool contradiction = false;
		enum bureau_platform_err perr;

		if (bureau_db_payload(c->db, res->m.device, seqs[i], &payload, &len, &read_colour, why,
				      sizeof(why)) == BUREAU_OK) {
			perr = c->platform->verify(c->platform->ctx, payload, len, &v.colour, why, sizeof(why));
			free(payload);
			if (perr == BUREAU_PLATFORM_OK) {
				snt_strlcpy(v.platform, c->platform->name, sizeof(v.platform));
				if (bureau_db_verdict_add(c->db, res->m.device, &v, snt_clock_utc_ms(c->clk),
							  &contradiction, why, sizeof(why)) == BUREAU_OK) {
					res->verdicts++;
					res->contradictions += contradiction;
					continue;
				}
			}
		}
		if (res->platform_failures++ == 0) {
			int k = snprintf(res->platform_why, sizeof(res->platform_why), _("seq %" PRId64 ": "), seqs[i]);

			if (k > 0 && (size_t)k < sizeof(res->platform_why))
				snt_strlcpy(res->platform_why + k, why, sizeof(res->platform_why) - (size_t)k);
		}
	}
	free(seqs);
}

/*
 * A bundle's seals against the gate's first seal key, when the device has
 * one registered (fss.h): every entry from the key's first_seq on carries a
 * seal, epochs never go backwards along the bundle, each seal's epoch is the
 * one the gate gives the entry (snt_store_seal_epoch(): for a trusted clock
 * the epoch of its time; for another clock the epoch of the entry before
 * it, checked when that entry is the bundle's one before or the first one
 * sealed), and each tag is the one the key of its epoch makes (the key
 * evolved forward from k(0)).  So whoever took the gate with its key at
 * epoch E cannot rewrite an entry sealed before E and keep its time.
 * The key and the last seq checked carry over from batch to batch.
 */
struct seal_check {
	bool active;			/* a seal key is registered */
	struct snt_fss v;		/* evolved along the bundle */
	int64_t prev_seq;
	size_t sealed;			/* seals verified */
};

static enum bureau_err seals_begin(const struct bureau_ctx *c, const char *device, struct seal_check *sc, char *why,
				   size_t n)
{
	char text[SNT_FSS_FILE_MAX + 1];
	enum bureau_err err;

	memset(sc, 0, sizeof(*sc));
	sc->prev_seq = -1;
	err = bureau_db_seal_key(c->db, device, text, sizeof(text), why, n);
	if (err || !text[0])
		return err;
	if (snt_fss_parse(text, strlen(text), &sc->v) != SNT_FSS_OK || sc->v.epoch != 0) {
		snt_fss_wipe(&sc->v);
		snprintf(why, n, _("device %s: registered seal key unusable"), device);
		return BUREAU_ERR_DB;
	}
	sc->active = true;
	return BUREAU_OK;
}

static enum bureau_err seals_batch(struct seal_check *sc, const struct snt_bundle_batch *b, char *why, size_t n)
{
	enum snt_fss_err fe;

	for (size_t i = 0; sc->active && i < b->n; i++) {
		const struct snt_entry *e = &b->entries[i];
		const struct snt_bundle_seal *s = b->seals ? &b->seals[i] : NULL;

		if (e->seq < sc->v.first_seq)
			continue;
		if (!s || !s->present) {
			snprintf(why, n, _("entry seq %" PRId64 ": seal missing"), e->seq);
			return BUREAU_ERR_REJECT;
		}
		if ((e->clock == SNT_CLOCK_TRUSTED || e->seq == sc->prev_seq + 1 || e->seq == sc->v.first_seq) &&
		    s->epoch != snt_store_seal_epoch(&sc->v, e))
			fe = SNT_FSS_ERR_RANGE;
		else
			fe = snt_fss_check(&sc->v, s->epoch, e->seq, e->hash, s->tag);
		if (fe == SNT_FSS_ERR_RANGE || fe == SNT_FSS_ERR_MISMATCH) {
			snprintf(why, n, _("entry seq %" PRId64 ": %s"), e->seq,
				 fe == SNT_FSS_ERR_RANGE ? _("seal epoch out of order") : _("seal does not verify"));
			return BUREAU_ERR_REJECT;
		}
		if (fe) {
			snprintf(why, n, _("entry seq %" PRId64 ": seal: %s"), e->seq, snt_fss_strerror(fe));
			return BUREAU_ERR_NOMEM;
		}
		sc->sealed++;
		sc->prev_seq = e->seq;
	}
	return BUREAU_OK;
}

/* The bundle as the merge pulls it: batches from the reader, their seals checked, their records listed. */
struct import_src {
	struct snt_bundle_reader *rd;
	struct seal_check seals;
	struct bureau_record *records;	/* BUREAU_MERGE_BATCH */
	bool finished;			/* the last batch was handed out: the whole bundle checked */
};

static enum bureau_err import_next(void *ctx, const struct snt_entry **e, size_t *count,
				   const struct bureau_record **r, size_t *nr, char *why, size_t n)
{
	struct import_src *s = ctx;
	struct snt_bundle_batch b;
	struct snt_bundle_diag diag;
	enum snt_bundle_err berr;
	enum bureau_err err;
	size_t k = 0;

	*count = 0;
	*nr = 0;
	memset(&diag, 0, sizeof(diag));
	berr = snt_bundle_reader_next(s->rd, &b, &diag);
	if (berr) {
		bundle_why(berr, &diag, why, n);
		return berr == SNT_BUNDLE_ERR_NOMEM ? BUREAU_ERR_NOMEM : BUREAU_ERR_REJECT;
	}
	err = seals_batch(&s->seals, &b, why, n);
	if (err)
		return err;
	for (size_t i = 0; b.records && i < b.n; i++) {
		if (!b.records[i].sealed)
			continue;
		s->records[k].seq = b.entries[i].seq;
		s->records[k].time_utc_ms = b.entries[i].time_utc_ms;
		s->records[k].sealed = b.records[i].sealed;
		s->records[k].len = b.records[i].len;
		k++;
	}
	s->finished = s->finished || b.last;
	*e = b.entries;
	*count = b.n;
	*r = s->records;
	*nr = k;
	return BUREAU_OK;
}

static void import_times(void *ctx, void (*fn)(void *arg, int64_t time_utc_ms), void *arg)
{
	const struct import_src *s = ctx;

	snt_bundle_reader_times(s->rd, fn, arg);
}

/* A bundle in memory (@buf, @len) or read in pieces from @f into the merge: bureau_import_bundle(). */
static enum bureau_err import_reader(const struct bureau_ctx *c, uint8_t *buf, size_t len,
				     const struct snt_bundle_file *f, const char *source, const char *expect_device,
				     struct bureau_import_result *res, char *why, size_t n)
{
	struct lookup_ctx lc = { .db = c->db, .err = BUREAU_OK };
	struct import_src src = { 0 };
	struct bureau_merge_src msrc = { .next = import_next, .times = import_times, .ctx = &src };
	struct snt_bundle_diag diag;
	const struct snt_bundle_manifest *bm;
	struct bureau_manifest *m = &res->m;
	enum snt_bundle_err berr;
	enum bureau_err err;

	memset(res, 0, sizeof(*res));
	memset(&diag, 0, sizeof(diag));
	if ((f ? f->len : len) > BUREAU_MAX_BUNDLE) {
		snprintf(why, n, P_("larger than %zu byte", "larger than %zu bytes", BUREAU_MAX_BUNDLE), BUREAU_MAX_BUNDLE);
		return BUREAU_ERR_REJECT;
	}
	if (f)
		berr = snt_bundle_reader_open_file(c->key, lookup_key, &lc, f, SNT_BUNDLE_MAX_ACCEPT,
						   BUREAU_MERGE_BATCH, &src.rd, &diag);
	else
		berr = snt_bundle_reader_open(c->key, lookup_key, &lc, buf, len, SNT_BUNDLE_MAX_ACCEPT,
					      BUREAU_MERGE_BATCH, &src.rd, &diag);
	if (berr == SNT_BUNDLE_ERR_UNKNOWN_DEVICE) {
		if (lc.err == BUREAU_ERR_NOTFOUND) {
			snprintf(why, n, "%s", lc.why);
			return BUREAU_ERR_REJECT;
		}
		snprintf(why, n, "%s", lc.why[0] ? lc.why : _("device lookup failed"));
		return lc.err == BUREAU_ERR_NOMEM ? BUREAU_ERR_NOMEM : BUREAU_ERR_DB;
	}
	if (berr == SNT_BUNDLE_ERR_NOMEM)
		return BUREAU_ERR_NOMEM;
	if (berr == SNT_BUNDLE_ERR_KID) {
		if (!replaced_key(c->db, &lc, why, n))
			snprintf(why, n, _("signed by a key that is not the one registered for device %s"), lc.device);
		return BUREAU_ERR_REJECT;
	}
	/* A count over the limit, told by diag.limit (the message is in the user's language). */
	if (berr == SNT_BUNDLE_ERR_COUNT && diag.limit && !strcmp(diag.field, "count")) {
		snprintf(why, n, P_("%s (a bundle may hold at most %d entry; a gate writes at most %d)",
				    "%s (a bundle may hold at most %d entries; a gate writes at most %d)",
				    SNT_BUNDLE_MAX_ACCEPT), diag.msg,
			 SNT_BUNDLE_MAX_ACCEPT, SNT_BUNDLE_MAX_ENTRIES);
		return BUREAU_ERR_REJECT;
	}
	if (berr) {
		bundle_why(berr, &diag, why, n);
		return BUREAU_ERR_REJECT;
	}
	bm = snt_bundle_reader_manifest(src.rd);
	snt_strlcpy(m->device, bm->device, sizeof(m->device));
	m->priority = bm->kind == SNT_BUNDLE_PRIORITY;
	m->first = bm->first;
	m->last = bm->last;
	m->count = bm->count;
	memcpy(m->prev, bm->prev, SNT_HASH_LEN);
	memcpy(m->head, bm->head, SNT_HASH_LEN);
	m->created_utc_ms = bm->created_ms;
	if (expect_device && strcmp(expect_device, m->device) != 0) {
		snprintf(why, n, _("a bundle of device %s in the directory of device %s (replayed?)"), m->device,
			 expect_device);
		err = BUREAU_ERR_REJECT;
		goto out;
	}
	src.records = calloc(BUREAU_MERGE_BATCH, sizeof(*src.records));
	if (!src.records) {
		err = BUREAU_ERR_NOMEM;
		goto out;
	}
	err = seals_begin(c, m->device, &src.seals, why, n);
	if (err)
		goto out;
	/* The entries, their seals and the sealed personal records, batch by batch, in one transaction. */
	err = bureau_db_merge_stream(c->db, m, &msrc, source, snt_clock_utc_ms(c->clk), &res->merge, why, n);
	if (!err && !src.finished) {
		snprintf(why, n, _("bureau: the merge ended before the bundle's last entry"));
		err = BUREAU_ERR_DB;
	}
	res->sealed = src.seals.sealed;
	res->records = res->merge.records;
	if (!err)
		verify_online(c, res);
out:
	if (src.seals.active)
		snt_fss_wipe(&src.seals.v);
	free(src.records);
	snt_bundle_reader_free(src.rd);
	return err;
}

enum bureau_err bureau_import_bundle(const struct bureau_ctx *c, uint8_t *buf, size_t len, const char *source,
				     const char *expect_device, struct bureau_import_result *res, char *why, size_t n)
{
	return import_reader(c, buf, len, NULL, source, expect_device, res, why, n);
}

/* Open the regular file @name relative to @dirfd, refusing symlinks and big files. */
static enum bureau_err open_file_at(int dirfd, const char *name, int *fdp, size_t *size, char *why, size_t n)
{
	struct stat sb;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(why, n, _("a symbolic link: refused"));
		else
			snprintf(why, n, _("cannot open: %s"), strerror(errno));
		return BUREAU_ERR_REJECT;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(why, n, _("not a regular file: refused"));
		close(fd);
		return BUREAU_ERR_REJECT;
	}
	if ((uint64_t)sb.st_size > BUREAU_MAX_BUNDLE) {
		snprintf(why, n, P_("%lld byte, larger than the limit of %zu: refused",
				    "%lld bytes, larger than the limit of %zu: refused", sb.st_size), (long long)sb.st_size,
			 BUREAU_MAX_BUNDLE);
		close(fd);
		return BUREAU_ERR_REJECT;
	}
	*fdp = fd;
	*size = (size_t)sb.st_size;
	return BUREAU_OK;
}

/* The @size bytes of the open file @fd into *@out (free()); a file that grew is refused. */
static enum bureau_err read_whole(int fd, size_t size, uint8_t **out, char *why, size_t n)
{
	uint8_t *buf = malloc(size + 1);
	size_t got = 0;

	if (!buf)
		return BUREAU_ERR_NOMEM;
	/* Read one byte past the size: a file that grew is refused too. */
	for (;;) {
		ssize_t r = read(fd, buf + got, size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, n, _("read error: %s"), strerror(errno));
			break;
		}
		if (r == 0) {
			*out = buf;
			return BUREAU_OK;
		}
		got += (size_t)r;
		if (got > size) {
			snprintf(why, n, _("the file grew while being read: refused"));
			break;
		}
	}
	free(buf);
	return BUREAU_ERR_REJECT;
}

/*
 * The bundle file @name in @dirfd into the merge: up to
 * BUREAU_STREAM_ABOVE bytes read whole (bureau_import_bundle()), larger
 * ones in pieces (snt_bundle_reader_open_file(), snt_bundle_fd_new()), so
 * that an import's memory does not grow with the bundle.  A file of a
 * gate's usual size is read once and decrypted in place; reading a large
 * one in pieces costs a second reading, decrypted and hashed again.
 */
static enum bureau_err import_file_at(const struct bureau_ctx *c, int dirfd, const char *name,
				      const char *expect_device, struct bureau_import_result *res, char *why,
				      size_t n)
{
	struct snt_bundle_fd *fd = NULL;
	uint8_t *buf = NULL;
	size_t size = 0;
	int raw = -1;
	enum bureau_err err;

	memset(res, 0, sizeof(*res));
	err = open_file_at(dirfd, name, &raw, &size, why, n);
	if (err)
		return err;
	if (size <= BUREAU_STREAM_ABOVE) {
		err = read_whole(raw, size, &buf, why, n);
		close(raw);
		if (!err)
			err = bureau_import_bundle(c, buf, size, name, expect_device, res, why, n);
		free(buf);
		return err;
	}
	if (snt_bundle_fd_new(raw, size, &fd)) {
		close(raw);
		return BUREAU_ERR_NOMEM;
	}
	err = import_reader(c, NULL, 0, snt_bundle_fd_file(fd), name, expect_device, res, why, n);
	if (err && snt_bundle_fd_why(fd)[0])	/* the file's own failure says more than the reader's */
		snprintf(why, n, _("%s: refused"), snt_bundle_fd_why(fd));
	snt_bundle_fd_free(fd);
	close(raw);
	return err;
}

struct found {
	char *path;		/* for messages: DIR/..., control bytes escaped (bureau_escape()) */
	char *name;		/* the file's name within its directory */
	int dir_index;		/* which directory fd */
	char device[SNT_DEVICE_ID_LEN];	/* from the file name (sorting) or "" */
	int64_t first;
	int kind;
	bool hostile;		/* a symlink or non-regular entry: reported, not read */
	const char *expect;	/* the stick directory's device, or NULL */
};

static int found_cmp(const void *pa, const void *pb)
{
	const struct found *a = pa, *b = pb;
	int r = strcmp(a->device, b->device);

	if (r)
		return r;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	return strcmp(a->path, b->path);
}

struct walk {
	struct found *f;
	size_t count, cap;
	int *dirs;
	char **dir_devices;
	size_t ndirs, dirs_cap;
};

static bool has_ext(const char *name, const char *ext)
{
	size_t ln = strlen(name), le = strlen(ext);

	return ln > le && strcmp(name + ln - le, ext) == 0;
}

static int add_found(struct walk *w, const char *prefix, const char *name, int dir_index, bool hostile,
		     const char *expect)
{
	struct found *f;
	enum snt_bundle_kind kind = SNT_BUNDLE_REGULAR;
	char *raw = NULL;

	if (w->count == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		void *p = realloc(w->f, ncap * sizeof(*w->f));

		if (!p)
			return -1;
		w->f = p;
		w->cap = ncap;
	}
	f = &w->f[w->count];
	memset(f, 0, sizeof(*f));
	if (asprintf(&raw, "%s/%s", prefix, name) < 0)
		return -1;
	/* Names on a stick are hostile: a '\n' or an ESC must not forge a line when printed. */
	f->path = bureau_escape_dup(raw);
	free(raw);
	if (!f->path)
		return -1;
	f->name = strdup(name);
	if (!f->name) {
		free(f->path);
		return -1;
	}
	f->dir_index = dir_index;
	f->hostile = hostile;
	f->expect = expect;
	if (snt_bundle_file_name_parse(name, f->device, &f->first, NULL, &kind) != 0) {
		f->device[0] = '\0';
		f->first = 0;
	}
	f->kind = (int)kind;
	w->count++;
	return 0;
}

static int add_dir(struct walk *w, int fd, const char *device)
{
	if (w->ndirs == w->dirs_cap) {
		size_t ncap = w->dirs_cap ? w->dirs_cap * 2 : 16;
		void *p = realloc(w->dirs, ncap * sizeof(*w->dirs));
		void *q;

		if (!p)
			return -1;
		w->dirs = p;
		q = realloc(w->dir_devices, ncap * sizeof(*w->dir_devices));
		if (!q)
			return -1;
		w->dir_devices = q;
		w->dirs_cap = ncap;
	}
	w->dirs[w->ndirs] = fd;
	w->dir_devices[w->ndirs] = device ? strdup(device) : NULL;
	if (device && !w->dir_devices[w->ndirs])
		return -1;
	w->ndirs++;
	return 0;
}

/*
 * List *.snb of the directory @fd (taken over by the walk) as @prefix/<name>;
 * entries that are symlinks or not regular files are recorded as hostile.
 */
static int scan_dir(struct walk *w, int fd, const char *prefix, const char *device)
{
	int dup_fd, idx;
	DIR *d;
	struct dirent *de;

	if (add_dir(w, fd, device)) {
		close(fd);
		return -1;
	}
	idx = (int)w->ndirs - 1;
	dup_fd = dup(fd);
	if (dup_fd < 0)
		return -1;
	d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		bool hostile;

		if (de->d_name[0] == '.' || !has_ext(de->d_name, SNT_BUNDLE_EXT))
			continue;
		hostile = fstatat(fd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode);
		if (add_found(w, prefix, de->d_name, idx, hostile, w->dir_devices[idx])) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->count; i++) {
		free(w->f[i].path);
		free(w->f[i].name);
	}
	free(w->f);
	for (size_t i = 0; i < w->ndirs; i++) {
		close(w->dirs[i]);
		free(w->dir_devices[i]);
	}
	free(w->dirs);
	free(w->dir_devices);
}

/* Whether @name in the directory @fd is a symbolic link. */
static bool is_symlink_at(int fd, const char *name)
{
	struct stat sb;

	return fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode);
}

/* Record the symlink @prefix/@name (in the directory @fd, borrowed) to be reported as refused. */
static int refuse_link(struct walk *w, int fd, const char *prefix, const char *name)
{
	int dup_fd = dup(fd);

	if (dup_fd < 0)
		return -1;
	if (add_dir(w, dup_fd, NULL)) {
		close(dup_fd);
		return -1;
	}
	return add_found(w, prefix, name, (int)w->ndirs - 1, true, NULL);
}

/*
 * DIR/sentinel/<device>/out/: real directories only (O_NOFOLLOW), device
 * names valid; a symlink at any of these levels is reported as refused.
 */
static int scan_stick(struct walk *w, int top, const char *dir)
{
	int sfd = openat(top, "sentinel", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char *sprefix = NULL;
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (sfd < 0)
		return is_symlink_at(top, "sentinel") ? refuse_link(w, top, dir, "sentinel") : 0;
	if (asprintf(&sprefix, "%s/sentinel", dir) < 0) {
		close(sfd);
		return -1;
	}
	d = fdopendir(sfd);
	if (!d) {
		close(sfd);
		free(sprefix);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *prefix = NULL;
		int dfd, ofd;

		if (!snt_bundle_device_id_valid(de->d_name))
			continue;
		dfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0) {
			if (is_symlink_at(dirfd(d), de->d_name))
				rc = refuse_link(w, dirfd(d), sprefix, de->d_name);
			continue;
		}
		ofd = openat(dfd, "out", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (ofd < 0) {
			if (is_symlink_at(dfd, "out") && asprintf(&prefix, "%s/%s", sprefix, de->d_name) >= 0) {
				rc = refuse_link(w, dfd, prefix, "out");
				free(prefix);
			}
			close(dfd);
			continue;
		}
		close(dfd);
		if (asprintf(&prefix, "%s/%s/out", sprefix, de->d_name) < 0) {
			close(ofd);
			rc = -1;
			break;
		}
		rc = scan_dir(w, ofd, prefix, de->d_name);
		free(prefix);
	}
	closedir(d);
	free(sprefix);
	return rc;
}

enum bureau_err bureau_import_dir(const struct bureau_ctx *c, const char *dir, bureau_import_cb cb, void *arg,
				  char *why, size_t n)
{
	struct walk w;
	char shown[BUREAU_WHY_LEN - 64];	/* @dir for messages, escaped */
	int top, topdup;
	enum bureau_err err = BUREAU_OK;

	memset(&w, 0, sizeof(w));
	bureau_escape(dir, shown, sizeof(shown));
	top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0) {
		snprintf(why, n, _("cannot open %s: %s"), shown, strerror(errno));
		return BUREAU_ERR_IO;
	}
	topdup = dup(top);
	if (topdup < 0 || scan_dir(&w, topdup, dir, NULL) || scan_stick(&w, top, dir)) {
		snprintf(why, n, _("cannot list %s: %s"), shown, strerror(errno ? errno : ENOMEM));
		err = BUREAU_ERR_IO;
		goto out;
	}
	if (w.count > 1)	/* an empty directory: w.f is NULL, which qsort() may not take */
		qsort(w.f, w.count, sizeof(*w.f), found_cmp);
	for (size_t i = 0; i < w.count; i++) {
		struct found *f = &w.f[i];
		struct bureau_import_result res;
		char fwhy[BUREAU_WHY_LEN] = "";
		enum bureau_err ferr;

		memset(&res, 0, sizeof(res));
		if (f->hostile) {
			struct stat sb;

			if (fstatat(w.dirs[f->dir_index], f->name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(sb.st_mode))
				snprintf(fwhy, sizeof(fwhy), _("a symbolic link: refused"));
			else
				snprintf(fwhy, sizeof(fwhy), _("not a regular file: refused"));
			cb(arg, f->path, BUREAU_ERR_REJECT, NULL, fwhy);
			continue;
		}
		ferr = import_file_at(c, w.dirs[f->dir_index], f->name, f->expect, &res, fwhy, sizeof(fwhy));
		if (!ferr && f->device[0] &&
		    (strcmp(f->device, res.m.device) || f->first != res.m.first ||
		     f->kind != (res.m.priority ? SNT_BUNDLE_PRIORITY : SNT_BUNDLE_REGULAR))) {
			/* Merged already (content is what counts); the name is misleading: say so. */
			snprintf(fwhy, sizeof(fwhy), _("file name does not match the manifest (device %s seq %" PRId64
				 "): entries merged by content"), res.m.device, res.m.first);
		}
		cb(arg, f->path, ferr, &res, fwhy);
		if (ferr == BUREAU_ERR_DB || ferr == BUREAU_ERR_NOMEM) {
			snprintf(why, n, "%s: %s", f->path, fwhy);
			err = ferr;
			goto out;
		}
	}
out:
	walk_free(&w);
	close(top);
	return err;
}

enum bureau_err bureau_make_ack(const struct bureau_ctx *c, const char *device, uint8_t **out, size_t *len,
				int64_t *seq, uint64_t *rules_version, const uint8_t *trust, size_t trust_len, char *why,
				size_t n)
{
	struct bureau_device_info info;
	struct bureau_verdict *v = NULL;
	struct snt_bundle_ack a;
	struct snt_bundle_diag diag;
	size_t nv = 0;
	enum snt_bundle_err berr;
	enum bureau_err err;
	uint64_t iv = 0;

	err = bureau_db_device_info(c->db, device, &info, why, n);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	if (rules_version) {
		*rules_version = 0;
		err = bureau_db_rules_for(c->db, device, &a.rules, &a.rules_len, rules_version, why, n);
		if (err == BUREAU_ERR_NOTFOUND)
			err = BUREAU_OK;
		/* The home's issuer list: which gates sign passes, which keys are revoked. */
		if (!err)
			err = bureau_issuers_for(c->db, c->key, device, snt_clock_utc_ms(c->clk), &a.issuers,
						 &a.issuers_len, &iv, why, n);
		if (err == BUREAU_ERR_NOTFOUND)
			err = BUREAU_OK;
		if (err) {
			free(a.rules);
			return err;
		}
	}
	err = bureau_db_verdicts(c->db, device, &v, &nv, why, n);
	if (err) {
		free(a.rules);
		free(a.issuers);
		return err;
	}
	snt_strlcpy(a.device, device, sizeof(a.device));
	a.trust = (uint8_t *)(uintptr_t)trust;	/* only read by the signer */
	a.trust_len = trust ? trust_len : 0;
	a.seq = info.ack_seq;
	memcpy(a.head, info.ack_hash, SNT_HASH_LEN);
	a.time_ms = snt_clock_utc_ms(c->clk);
	if (nv > 0) {
		a.verdicts = calloc(nv, sizeof(*a.verdicts));
		if (!a.verdicts) {
			free(v);
			free(a.rules);
			free(a.issuers);
			return BUREAU_ERR_NOMEM;
		}
		for (size_t i = 0; i < nv; i++) {
			a.verdicts[i].seq = v[i].seq;
			a.verdicts[i].colour = v[i].colour;
			snt_strlcpy(a.verdicts[i].platform, v[i].platform, sizeof(a.verdicts[i].platform));
		}
		a.n_verdicts = nv;
	}
	free(v);
	memset(&diag, 0, sizeof(diag));
	berr = snt_bundle_ack_sign(c->key, &a, out, len, &diag);
	free(a.verdicts);
	free(a.rules);
	free(a.issuers);
	if (berr) {
		bundle_why(berr, &diag, why, n);
		return berr == SNT_BUNDLE_ERR_NOMEM ? BUREAU_ERR_NOMEM : BUREAU_ERR_IO;
	}
	*seq = info.ack_seq;
	return BUREAU_OK;
}

enum bureau_err bureau_make_time(const struct bureau_ctx *c, const char *device, uint8_t **out, size_t *len,
				 int64_t *now_ms, char *why, size_t n)
{
	struct snt_bundle_diag diag;
	enum snt_bundle_err berr;
	int64_t now = snt_clock_utc_ms(c->clk);

	memset(&diag, 0, sizeof(diag));
	berr = snt_bundle_time_sign(c->key, device, now, out, len, &diag);
	if (berr) {
		bundle_why(berr, &diag, why, n);
		return berr == SNT_BUNDLE_ERR_NOMEM ? BUREAU_ERR_NOMEM : BUREAU_ERR_IO;
	}
	*now_ms = now;
	return BUREAU_OK;
}

enum bureau_err bureau_write_file(int dirfd, const char *name, const uint8_t *buf, size_t len, char *why,
				  size_t n)
{
	char tmp[SNT_BUNDLE_NAME_LEN + 16];
	size_t off = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), ".tmp-%s", name);
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, n, _("cannot create %s: %s"), tmp, strerror(errno));
		return BUREAU_ERR_IO;
	}
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto err;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto err;
	if (close(fd) != 0) {
		fd = -1;
		goto err;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) != 0)
		goto err;
	if (fsync(dirfd) != 0) {
		snprintf(why, n, _("cannot fsync the directory of %s: %s"), name, strerror(errno));
		return BUREAU_ERR_IO;
	}
	return BUREAU_OK;
err:
	snt_msg(why, n, _("cannot write %s: %s"), name, strerror(errno));	/* snprintf: a false "null format string" at -O1 with UBSan */
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dirfd, tmp, 0);
	return BUREAU_ERR_IO;
}
