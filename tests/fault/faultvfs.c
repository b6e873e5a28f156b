// SPDX-License-Identifier: MIT
/*
 * An error-injecting SQLite VFS for the fault test (`make crashtest`): it
 * wraps the default VFS ("unix") and makes writes, syncs and truncates of
 * the database and its WAL fail the way a full disk (SQLITE_FULL), a
 * read-only remount (SQLITE_READONLY, as EROFS) or a dying SD card
 * (SQLITE_IOERR_WRITE / SQLITE_IOERR_FSYNC) does.  It is linked into a test
 * build of sentineld (build/.../sentineld-faultvfs) and registers itself as
 * the default VFS before main() runs: production code is not changed
 * (style.md, link-time stubs).  See "The OS Interface Object" and
 * "sqlite3_io_methods" in the SQLite C interface documentation.
 *
 * Environment:
 *   SENTINEL_FAULT_SEED   seed of the fault schedule (default 1)
 *   SENTINEL_FAULT_RATE   percent of write/sync/truncate calls that fail (0-100)
 *   SENTINEL_FAULT_KIND   full | io | readonly | mixed (default mixed)
 * Every failure is counted; nothing is printed.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

struct fault_file {
	sqlite3_file base;	/* must be first */
	sqlite3_file *real;	/* the wrapped file, allocated after this struct */
};

struct fault_state {
	sqlite3_vfs vfs;
	sqlite3_vfs *real;
	sqlite3_io_methods methods;
	unsigned long long rng;
	int rate;
	int kind;	/* 0 full, 1 io, 2 readonly, 3 mixed */
};

/* The one instance: SQLite's VFS registry holds a pointer to it. */
static struct fault_state fs;

static unsigned int next_rand(void)
{
	/* xorshift64*: reproducible from the seed. */
	fs.rng ^= fs.rng >> 12;
	fs.rng ^= fs.rng << 25;
	fs.rng ^= fs.rng >> 27;
	return (unsigned int)((fs.rng * 2685821657736338717ULL) >> 33);
}

/* SQLITE_OK, or the error this call fails with. */
static int inject(int io_code)
{
	int kind;

	if (fs.rate <= 0 || (int)(next_rand() % 100) >= fs.rate)
		return SQLITE_OK;
	kind = fs.kind == 3 ? (int)(next_rand() % 3) : fs.kind;
	switch (kind) {
	case 0:
		return SQLITE_FULL;
	case 2:
		return SQLITE_READONLY;
	default:
		return io_code;
	}
}

#define REAL(f) (((struct fault_file *)(f))->real)

static int f_close(sqlite3_file *f)
{
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;

	return rc;
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	int rc = inject(SQLITE_IOERR_WRITE);

	return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = inject(SQLITE_IOERR_TRUNCATE);

	return rc ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
	int rc = inject(SQLITE_IOERR_FSYNC);

	return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xLock(REAL(f), lock);
}

static int f_unlock(sqlite3_file *f, int lock)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), lock);
}

static int f_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	struct fault_file *ff = (struct fault_file *)file;
	int rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = fs.real->xOpen(fs.real, name, ff->real, flags, out_flags);
	/* Without methods SQLite will not call xClose: leave ours unset too. */
	ff->base.pMethods = ff->real->pMethods ? &fs.methods : NULL;
	return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return fs.real->xDelete(fs.real, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return fs.real->xAccess(fs.real, name, flags, out);
}

static int v_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return fs.real->xFullPathname(fs.real, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fs.real->xDlOpen(fs.real, name);
}

static void v_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	fs.real->xDlError(fs.real, n, out);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return fs.real->xDlSym(fs.real, h, sym);
}

static void v_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	fs.real->xDlClose(fs.real, h);
}

static int v_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fs.real->xRandomness(fs.real, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return fs.real->xSleep(fs.real, us);
}

static int v_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return fs.real->xCurrentTime(fs.real, out);
}

static int v_lasterr(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fs.real->xGetLastError(fs.real, n, out);
}

static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return fs.real->xCurrentTimeInt64(fs.real, out);
}

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : dflt;
}

__attribute__((constructor)) static void fault_vfs_register(void)
{
	const char *kind = getenv("SENTINEL_FAULT_KIND");

	fs.real = sqlite3_vfs_find(NULL);
	if (!fs.real)
		return;
	fs.rng = (unsigned long long)env_int("SENTINEL_FAULT_SEED", 1) * 0x9E3779B97F4A7C15ULL + 1;
	fs.rate = env_int("SENTINEL_FAULT_RATE", 0);
	fs.kind = !kind || !strcmp(kind, "mixed") ? 3 : !strcmp(kind, "full") ? 0 :
		  !strcmp(kind, "readonly") ? 2 : 1;

	fs.methods.iVersion = 3;
	fs.methods.xClose = f_close;
	fs.methods.xRead = f_read;
	fs.methods.xWrite = f_write;
	fs.methods.xTruncate = f_truncate;
	fs.methods.xSync = f_sync;
	fs.methods.xFileSize = f_size;
	fs.methods.xLock = f_lock;
	fs.methods.xUnlock = f_unlock;
	fs.methods.xCheckReservedLock = f_check_lock;
	fs.methods.xFileControl = f_control;
	fs.methods.xSectorSize = f_sector;
	fs.methods.xDeviceCharacteristics = f_device;
	fs.methods.xShmMap = f_shm_map;
	fs.methods.xShmLock = f_shm_lock;
	fs.methods.xShmBarrier = f_shm_barrier;
	fs.methods.xShmUnmap = f_shm_unmap;
	fs.methods.xFetch = f_fetch;
	fs.methods.xUnfetch = f_unfetch;

	fs.vfs.iVersion = 2;
	fs.vfs.szOsFile = (int)sizeof(struct fault_file) + fs.real->szOsFile;
	fs.vfs.mxPathname = fs.real->mxPathname;
	fs.vfs.zName = "sentinel-fault";
	fs.vfs.xOpen = v_open;
	fs.vfs.xDelete = v_delete;
	fs.vfs.xAccess = v_access;
	fs.vfs.xFullPathname = v_full;
	fs.vfs.xDlOpen = v_dlopen;
	fs.vfs.xDlError = v_dlerror;
	fs.vfs.xDlSym = v_dlsym;
	fs.vfs.xDlClose = v_dlclose;
	fs.vfs.xRandomness = v_random;
	fs.vfs.xSleep = v_sleep;
	fs.vfs.xCurrentTime = v_time;
	fs.vfs.xGetLastError = v_lasterr;
	fs.vfs.xCurrentTimeInt64 = v_time64;
	(void)sqlite3_vfs_register(&fs.vfs, 1);
}
