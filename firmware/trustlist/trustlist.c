// SPDX-License-Identifier: MIT
/*
 * The bureau's signed trust list (trustlist.h): encoding and signing,
 * strict decoding, atomic installation.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cbor.h>

#include "common/i18n.h"
#include "cose/cose.h"
#include "sign/sign.h"
#include "trust/trust.h"
#include "trustlist/trustlist.h"

#define TYPE "trust"
#define NEW_DIR "trust.new"

static const char *const errors[] = {
	[SNT_TRUSTLIST_OK] = N_("success"),
	[SNT_TRUSTLIST_ERR_INVAL] = N_("invalid argument"),
	[SNT_TRUSTLIST_ERR_NOMEM] = N_("out of memory"),
	[SNT_TRUSTLIST_ERR_NONE] = N_("no trust list installed"),
	[SNT_TRUSTLIST_ERR_IO] = N_("cannot read or write the trust list"),
	[SNT_TRUSTLIST_ERR_TOO_LARGE] = N_("the trust list is too large"),
	[SNT_TRUSTLIST_ERR_SIGNATURE] = N_("not signed by the bureau's key"),
	[SNT_TRUSTLIST_ERR_PAYLOAD] = N_("not a valid trust list"),
	[SNT_TRUSTLIST_ERR_KEYS] = N_("a file of the list holds no issuer key"),
	[SNT_TRUSTLIST_ERR_OLD] = N_("not newer than the installed trust list"),
	[SNT_TRUSTLIST_ERR_ELSEWHERE] = N_("addressed to another home"),
};

const char *snt_trustlist_strerror(enum snt_trustlist_err err)
{
	return snt_table_msg(errors, SNT_ARRAY_SIZE(errors), err, N_("unknown error"));
}

bool snt_trustlist_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n >= SNT_TRUSTLIST_NAME_LEN || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

enum snt_trustlist_err snt_trustlist_check_file(const char *name, const uint8_t *data, size_t len, char *err,
						size_t errlen)
{
	struct snt_trust *t = NULL;
	enum snt_trust_err te;

	if (!name)
		return SNT_TRUSTLIST_ERR_INVAL;
	if (!data || !len)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_PAYLOAD, err, errlen, _("file '%s': empty"), name);
	if (snt_trust_new(&t))
		return SNT_TRUSTLIST_ERR_NOMEM;
	te = snt_trust_load_buffer(t, (const char *)data, len);
	snt_trust_free(t);
	if (te == SNT_TRUST_ERR_NOMEM)
		return SNT_TRUSTLIST_ERR_NOMEM;
	if (te == SNT_TRUST_ERR_FULL)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_KEYS, err, errlen, P_("file '%s': more than %d keys", "file '%s': more than %d keys", SNT_TRUST_MAX_KEYS), name,
				SNT_TRUST_MAX_KEYS);
	if (te)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_KEYS, err, errlen,
				_("file '%s': not a certificate, DCC trust list, DID document or JWK set"), name);
	return SNT_TRUSTLIST_OK;
}

/* Each file of @tl loads at least one key (trust.h); names valid and distinct. */
static enum snt_trustlist_err check_files(const struct snt_trustlist *tl, char *err, size_t errlen)
{
	if (tl->n_files < 1 || tl->n_files > SNT_TRUSTLIST_MAX_FILES)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_PAYLOAD, err, errlen, P_("field 'files': not 1 to %d files", "field 'files': not 1 to %d files", SNT_TRUSTLIST_MAX_FILES),
				SNT_TRUSTLIST_MAX_FILES);
	for (size_t i = 0; i < tl->n_files; i++) {
		const struct snt_trustlist_file *f = &tl->files[i];
		enum snt_trustlist_err e;

		if (!snt_trustlist_name_valid(f->name))
			return SNT_FAIL(SNT_TRUSTLIST_ERR_PAYLOAD, err, errlen,
					_("field 'files': a name that is not 1-63 of A-Z a-z 0-9 . _ - (not starting with '.')"));
		for (size_t j = 0; j < i; j++)
			if (!strcmp(tl->files[j].name, f->name))
				return SNT_FAIL(SNT_TRUSTLIST_ERR_PAYLOAD, err, errlen, _("field 'files': '%s' twice"),
						f->name);
		e = snt_trustlist_check_file(f->name, f->data, f->len, err, errlen);
		if (e)
			return e;
	}
	return SNT_TRUSTLIST_OK;
}

static bool home_valid(const char *home)
{
	size_t n = strlen(home);

	return n >= 1 && n < SNT_TRUSTLIST_HOME_LEN;
}

enum snt_trustlist_err snt_trustlist_sign(EVP_PKEY *key, const struct snt_trustlist *tl, uint8_t **out,
					  size_t *out_len, char *err, size_t errlen)
{
	cbor_item_t *root = NULL, *files = NULL;
	enum snt_trustlist_err e;
	unsigned char *payload = NULL;
	size_t plen = 0, cap = 0;
	bool ok = true;

	if (!key || !tl || !out || !out_len)
		return SNT_TRUSTLIST_ERR_INVAL;
	if (!home_valid(tl->home))
		return SNT_FAIL(SNT_TRUSTLIST_ERR_PAYLOAD, err, errlen, _("field 'home': not 1-127 bytes"));
	if (tl->version < 1 || tl->version > INT64_MAX)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_PAYLOAD, err, errlen, _("field 'version': not 1 or more"));
	e = check_files(tl, err, errlen);
	if (e)
		return e;
	root = cbor_new_definite_map(6);
	files = cbor_new_definite_map(tl->n_files);
	if (!root || !files) {
		ok = false;
		goto out;
	}
#define PAIR(m, k, v) ok = ok && cbor_map_add((m), (struct cbor_pair){ .key = cbor_move(k), .value = cbor_move(v) })
	PAIR(root, cbor_build_string("type"), cbor_build_string(TYPE));
	PAIR(root, cbor_build_string("v"), cbor_build_uint8(1));
	PAIR(root, cbor_build_string("home"), cbor_build_string(tl->home));
	PAIR(root, cbor_build_string("version"), cbor_build_uint64(tl->version));
	PAIR(root, cbor_build_string("issued"),
	     tl->issued_ms >= 0 ? cbor_build_uint64((uint64_t)tl->issued_ms) : cbor_build_negint64((uint64_t)(-1 - tl->issued_ms)));
	for (size_t i = 0; ok && i < tl->n_files; i++)
		PAIR(files, cbor_build_string(tl->files[i].name),
		     cbor_build_bytestring(tl->files[i].data, tl->files[i].len));
	ok = ok && cbor_map_add(root, (struct cbor_pair){ .key = cbor_move(cbor_build_string("files")),
							   .value = files });
#undef PAIR
	if (ok)
		plen = cbor_serialize_alloc(root, &payload, &cap);
out:
	if (files)
		cbor_decref(&files);
	if (root)
		cbor_decref(&root);
	if (!ok || !plen) {
		free(payload);
		return SNT_TRUSTLIST_ERR_NOMEM;
	}
	if (plen > SNT_TRUSTLIST_MAX - 256) {
		free(payload);
		return SNT_FAIL(SNT_TRUSTLIST_ERR_TOO_LARGE, err, errlen, P_("the list is over %d bytes", "the list is over %d bytes", SNT_TRUSTLIST_MAX), SNT_TRUSTLIST_MAX);
	}
	e = snt_sign1_es256(key, payload, plen, out, out_len) ? SNT_TRUSTLIST_ERR_SIGNATURE : SNT_TRUSTLIST_OK;
	free(payload);
	if (e)
		return SNT_FAIL(e, err, errlen, _("cannot sign the trust list with this key"));
	return SNT_TRUSTLIST_OK;
}

void snt_trustlist_free(struct snt_trustlist *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->n_files; i++)
		free(tl->files[i].data);
	free(tl);
}

/* The key of pair @i of @map is the text @name. */
static bool key_is(const struct cbor_pair *p, const char *name)
{
	size_t n = strlen(name);

	return cbor_isa_string(p->key) && cbor_string_is_definite(p->key) && cbor_string_length(p->key) == n &&
	       !memcmp(cbor_string_handle(p->key), name, n);
}

static enum snt_trustlist_err decode(const uint8_t *buf, size_t len, struct snt_trustlist *tl, char *err,
				     size_t errlen)
{
	static const char *const keys[] = { "type", "v", "home", "version", "issued", "files" };
	enum snt_trustlist_err e = SNT_TRUSTLIST_ERR_PAYLOAD;
	cbor_item_t *root = snt_cose_cbor_load(buf, len);
	struct cbor_pair *p, *fp;
	char type[16];
	int64_t v;

	if (!root)
		return SNT_FAIL(e, err, errlen, _("not one CBOR map"));
	if (!cbor_isa_map(root) || !cbor_map_is_definite(root) || cbor_map_size(root) != SNT_ARRAY_SIZE(keys)) {
		snt_msg(err, errlen, _("not a map of exactly the keys type, v, home, version, issued, files"));
		goto out;
	}
	p = cbor_map_handle(root);
	for (size_t i = 0; i < SNT_ARRAY_SIZE(keys); i++) {
		if (!key_is(&p[i], keys[i])) {
			snt_msg(err, errlen, _("field '%s': missing or out of order"), keys[i]);
			goto out;
		}
	}
	if (snt_cose_cbor_text_copy(p[0].value, type, sizeof(type)) || strcmp(type, TYPE)) {
		snt_msg(err, errlen, _("field 'type': not \"trust\""));
		goto out;
	}
	if (!cbor_isa_uint(p[1].value) || snt_cose_cbor_int(p[1].value, &v) || v != 1) {
		snt_msg(err, errlen, _("field 'v': not 1"));
		goto out;
	}
	if (snt_cose_cbor_text_copy(p[2].value, tl->home, sizeof(tl->home)) || !home_valid(tl->home)) {
		snt_msg(err, errlen, _("field 'home': not text of 1-127 bytes"));
		goto out;
	}
	if (!cbor_isa_uint(p[3].value) || snt_cose_cbor_int(p[3].value, &v) || v < 1) {
		snt_msg(err, errlen, _("field 'version': not an integer of 1 or more"));
		goto out;
	}
	tl->version = (uint64_t)v;
	if (!(cbor_isa_uint(p[4].value) || cbor_isa_negint(p[4].value)) || snt_cose_cbor_int(p[4].value, &tl->issued_ms)) {
		snt_msg(err, errlen, _("field 'issued': not an integer (ms since the epoch)"));
		goto out;
	}
	if (!cbor_isa_map(p[5].value) || !cbor_map_is_definite(p[5].value) || cbor_map_size(p[5].value) < 1 ||
	    cbor_map_size(p[5].value) > SNT_TRUSTLIST_MAX_FILES) {
		snt_msg(err, errlen, P_("field 'files': not a map of 1 to %d files", "field 'files': not a map of 1 to %d files", SNT_TRUSTLIST_MAX_FILES), SNT_TRUSTLIST_MAX_FILES);
		goto out;
	}
	fp = cbor_map_handle(p[5].value);
	for (size_t i = 0; i < cbor_map_size(p[5].value); i++) {
		struct snt_trustlist_file *f = &tl->files[i];

		if (snt_cose_cbor_text_copy(fp[i].key, f->name, sizeof(f->name)) || !snt_trustlist_name_valid(f->name)) {
			snt_msg(err, errlen, _("field 'files': a name that is not 1-63 of A-Z a-z 0-9 . _ - "
					     "(not starting with '.')"));
			goto out;
		}
		if (!cbor_isa_bytestring(fp[i].value) || !cbor_bytestring_is_definite(fp[i].value) ||
		    cbor_bytestring_length(fp[i].value) < 1) {
			snt_msg(err, errlen, _("file '%s': not a byte string of 1 byte or more"), f->name);
			goto out;
		}
		f->len = cbor_bytestring_length(fp[i].value);
		f->data = malloc(f->len);
		if (!f->data) {
			e = SNT_TRUSTLIST_ERR_NOMEM;
			goto out;
		}
		memcpy(f->data, cbor_bytestring_handle(fp[i].value), f->len);
		tl->n_files = i + 1;
	}
	e = check_files(tl, err, errlen);
out:
	cbor_decref(&root);
	return e;
}

enum snt_trustlist_err snt_trustlist_open(const uint8_t *buf, size_t len, EVP_PKEY *pub,
					  struct snt_trustlist **out, char *err, size_t errlen)
{
	struct snt_trustlist *tl;
	enum snt_trustlist_err e;
	enum snt_sign_err se;
	uint8_t *payload = NULL;
	size_t plen = 0;

	if (!buf || !pub || !out)
		return SNT_TRUSTLIST_ERR_INVAL;
	*out = NULL;
	if (len > SNT_TRUSTLIST_MAX)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_TOO_LARGE, err, errlen, P_("%zu bytes, over %d", "%zu bytes, over %d", len), len, SNT_TRUSTLIST_MAX);
	se = snt_sign1_open(buf, len, pub, &payload, &plen);
	if (se == SNT_SIGN_ERR_NOMEM)
		return SNT_TRUSTLIST_ERR_NOMEM;
	if (se)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_SIGNATURE, err, errlen, "%s", snt_sign_strerror(se));
	tl = calloc(1, sizeof(*tl));
	if (!tl) {
		free(payload);
		return SNT_TRUSTLIST_ERR_NOMEM;
	}
	e = decode(payload, plen, tl, err, errlen);
	free(payload);
	if (e) {
		snt_trustlist_free(tl);
		return e;
	}
	*out = tl;
	return SNT_TRUSTLIST_OK;
}

/* Read <dir>/trust.cose whole (snt_read_file()).  0, or an errno value (ENOENT: none). */
static int read_installed(const char *dir, uint8_t **buf, size_t *len)
{
	char path[4096];
	int rc;

	*buf = NULL;
	*len = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, SNT_TRUSTLIST_FILE) >= sizeof(path))
		return ENAMETOOLONG;
	rc = snt_read_file(path, SNT_TRUSTLIST_MAX, buf, len);
	return rc == SNT_ETOOBIG ? EFBIG : rc == SNT_ENOTREG ? EINVAL : rc == SNT_EREAD ? EIO : rc;
}

enum snt_trustlist_err snt_trustlist_installed(const char *dir, EVP_PKEY *pub, const char *home,
					       uint64_t *version, int64_t *issued_ms, char *path, size_t pathlen,
					       char *err, size_t errlen)
{
	struct snt_trustlist *tl = NULL;
	enum snt_trustlist_err e;
	uint8_t *buf;
	size_t len;
	int rc;

	if (!dir || !pub || !home || !version)
		return SNT_TRUSTLIST_ERR_INVAL;
	*version = 0;
	rc = read_installed(dir, &buf, &len);
	if (rc == ENOENT)
		return SNT_TRUSTLIST_ERR_NONE;
	if (rc) {
		errno = rc;
		return SNT_FAIL(SNT_TRUSTLIST_ERR_IO, err, errlen, "%s/%s: %s", dir, SNT_TRUSTLIST_FILE, strerror(rc));
	}
	e = snt_trustlist_open(buf, len, pub, &tl, err, errlen);
	free(buf);
	if (e)
		return e;
	if (strcmp(tl->home, home)) {
		e = SNT_FAIL(SNT_TRUSTLIST_ERR_ELSEWHERE, err, errlen, _("addressed to home '%s', this gate's home is '%s'"),
			     tl->home, home);
		snt_trustlist_free(tl);
		return e;
	}
	*version = tl->version;
	if (issued_ms)
		*issued_ms = tl->issued_ms;
	snt_trustlist_free(tl);
	if (path && (size_t)snprintf(path, pathlen, "%s/%s", dir, SNT_TRUSTLIST_DIR) >= pathlen)
		return SNT_FAIL(SNT_TRUSTLIST_ERR_INVAL, err, errlen, _("%s: path too long"), dir);
	return SNT_TRUSTLIST_OK;
}

/* Remove the plain files of @path and the directory itself (a missing one is fine).  0 or errno. */
static int remove_flat_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char full[4096];
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : errno;
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, de->d_name) >= sizeof(full) ||
		    unlink(full))
			rc = rc ? rc : (errno ? errno : ENAMETOOLONG);
	}
	closedir(d);
	if (rmdir(path) && !rc)
		rc = errno;
	return rc;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd))
		rc = errno;
	close(fd);
	return rc;
}

enum snt_trustlist_err snt_trustlist_install(const char *dir, EVP_PKEY *pub, const char *home,
					     const uint8_t *buf, size_t len,
					     struct snt_trustlist_install_result *res, char *err,
					     size_t errlen)
{
	char newdir[4096], cur[4096], path[4200], cose[4096];
	struct snt_trustlist *tl = NULL;
	enum snt_trustlist_err e;
	uint64_t prev = 0;
	struct stat sb;
	int rc;

	if (!dir || !pub || !home || !buf || !res)
		return SNT_TRUSTLIST_ERR_INVAL;
	memset(res, 0, sizeof(*res));
	e = snt_trustlist_open(buf, len, pub, &tl, err, errlen);
	if (e)
		return e;
	if (strcmp(tl->home, home)) {
		e = SNT_FAIL(SNT_TRUSTLIST_ERR_ELSEWHERE, err, errlen, _("addressed to home '%s', this gate's home is '%s'"),
			     tl->home, home);
		goto out;
	}
	/* The installed one: not verifying, or another home's, counts as none. */
	if (snt_trustlist_installed(dir, pub, home, &prev, NULL, NULL, 0, NULL, 0) != SNT_TRUSTLIST_OK)
		prev = 0;
	res->previous = prev;
	if (tl->version <= prev) {
		e = SNT_FAIL(SNT_TRUSTLIST_ERR_OLD, err, errlen, _("version %llu is not newer than the installed version %llu"),
			     (unsigned long long)tl->version, (unsigned long long)prev);
		goto out;
	}
	if ((size_t)snprintf(newdir, sizeof(newdir), "%s/%s", dir, NEW_DIR) >= sizeof(newdir) ||
	    (size_t)snprintf(cur, sizeof(cur), "%s/%s", dir, SNT_TRUSTLIST_DIR) >= sizeof(cur) ||
	    (size_t)snprintf(cose, sizeof(cose), "%s/%s", dir, SNT_TRUSTLIST_FILE) >= sizeof(cose)) {
		e = SNT_FAIL(SNT_TRUSTLIST_ERR_INVAL, err, errlen, _("%s: path too long"), dir);
		goto out;
	}
	/* A stale trust.new/ of an interrupted install goes first. */
	rc = remove_flat_dir(newdir);
	if (!rc && mkdir(newdir, 0755))
		rc = errno;
	if (rc) {
		errno = rc;
		e = SNT_FAIL(SNT_TRUSTLIST_ERR_IO, err, errlen, "%s: %s", newdir, strerror(rc));
		goto out;
	}
	for (size_t i = 0; i < tl->n_files; i++) {
		snprintf(path, sizeof(path), "%s/%s", newdir, tl->files[i].name);
		rc = snt_write_atomic(path, tl->files[i].data, tl->files[i].len, 0644);
		if (rc) {
			errno = rc;
			e = SNT_FAIL(SNT_TRUSTLIST_ERR_IO, err, errlen, "%s: %s", path, strerror(rc));
			(void)remove_flat_dir(newdir);
			goto out;
		}
	}
	rc = fsync_path(newdir);
	/* One atomic step when there is an old list; else a plain rename. */
	if (!rc) {
		if (lstat(cur, &sb) == 0) {
			if (!S_ISDIR(sb.st_mode))
				rc = ENOTDIR;
			else if (renameat2(AT_FDCWD, newdir, AT_FDCWD, cur, RENAME_EXCHANGE))
				rc = errno;
		} else if (errno != ENOENT || rename(newdir, cur)) {
			rc = errno;
		}
	}
	if (!rc)
		rc = fsync_path(dir);
	if (rc) {
		errno = rc;
		e = SNT_FAIL(SNT_TRUSTLIST_ERR_IO, err, errlen, "%s: %s", cur, strerror(rc));
		(void)remove_flat_dir(newdir);
		goto out;
	}
	/* The old files (now in trust.new/) go before trust.cose names the new list. */
	(void)remove_flat_dir(newdir);
	rc = snt_write_atomic(cose, buf, len, 0644);
	if (rc) {
		errno = rc;
		e = SNT_FAIL(SNT_TRUSTLIST_ERR_IO, err, errlen, "%s: %s", cose, strerror(rc));
		goto out;
	}
	res->version = tl->version;
	res->n_files = tl->n_files;
	e = SNT_TRUSTLIST_OK;
out:
	snt_trustlist_free(tl);
	return e;
}
