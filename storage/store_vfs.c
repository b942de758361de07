/*
 * A SQLite VFS over the default one that gathers each transaction's WAL
 * writes into one write(2).
 *
 * Why: SQLite writes a WAL frame as two writes, its 24-byte header and its
 * page, so a commit of ten pages costs twenty pwrite(2) calls, made while
 * the store is held (store.c). Measured under 32 SendEmail connections
 * (docs/performance.md): about six pwrite calls per request and a commit of
 * 60 µs, a fifth of the time the store was held.
 *
 * How: writes that extend a WAL file (its header at offset 0, then each
 * frame appended after the last) are appended to a buffer of the file; the
 * buffer goes to the file in one write when the page of a commit frame
 * arrives (a frame header whose "database size after commit" field is not
 * zero marks it), so the commit's xWrite returns the real outcome (a full
 * disk fails the COMMIT as before) and the frames are in the file before
 * SQLite publishes them in the WAL index. A write anywhere else (SQLite
 * rewrites checksums and pages in place below the end) goes through at
 * once, after the buffer; any other use of the file (a read, sync,
 * truncate, size, close) and a buffer past STORE_VFS_BUFFER_MAX write the
 * buffer out first, so what SQLite reads is always what it wrote and
 * nothing of a commit is still in memory when COMMIT returns. Durability is
 * unchanged: the data reaches the operating system within the COMMIT, as
 * before (synchronous = NORMAL).
 *
 * Owns: the VFS named STORE_VFS_NAME, registered once (store_vfs_register).
 * Never: changes a byte SQLite writes, or touches files other than WALs.
 */
#include "store_vfs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define STORE_VFS_BUFFER_MAX (4 * 1024 * 1024)
#define WAL_HEADER 32
#define WAL_FRAME_HEADER 24

/* An open file: the default VFS's file follows this struct in the same block. */
struct shim_file {
	sqlite3_file base;
	sqlite3_file *real;
	bool wal;
	bool after_commit;  /* the last frame header written was a commit frame's */
	unsigned char *buf; /* pending WAL bytes for offsets [start, start + len) */
	size_t len, cap;
	sqlite3_int64 start;
	/* the end of what the current WAL generation has written (-1: not known
	 * yet); only writes there, which extend the log, are held back */
	sqlite3_int64 end;
};

static sqlite3_vfs shim_vfs;
static sqlite3_vfs *real_vfs;

/* The unix VFS writes at most 128 KB less one byte a call (its
 * seekAndWriteFd masks the length with 0x1ffff), so write in chunks. */
#define STORE_VFS_WRITE_MAX (64 * 1024)

/* Write the pending bytes; on failure they are dropped (see wal_write). */
static int flush(struct shim_file *f)
{
	int rc = SQLITE_OK;
	for (size_t done = 0; rc == SQLITE_OK && done < f->len; done += STORE_VFS_WRITE_MAX) {
		size_t n = f->len - done < STORE_VFS_WRITE_MAX ? f->len - done : STORE_VFS_WRITE_MAX;
		rc = f->real->pMethods->xWrite(f->real, f->buf + done, (int)n, f->start + (sqlite3_int64)done);
	}
	f->len = 0;
	if (rc != SQLITE_OK)
		f->end = -1; /* where the log ends is not known any more */
	return rc;
}

static bool reserve(struct shim_file *f, size_t more)
{
	if (f->len + more <= f->cap)
		return true;
	size_t cap = f->cap ? f->cap : 64 * 1024;
	while (cap < f->len + more)
		cap *= 2;
	unsigned char *buf = realloc(f->buf, cap);
	if (!buf)
		return false;
	f->buf = buf;
	f->cap = cap;
	return true;
}

static bool commit_frame_header(const void *data, int amt)
{
	static const unsigned char zero[4] = {0};
	/* bytes 4-7 of a frame header: the database size after a commit, else 0 */
	return amt == WAL_FRAME_HEADER && memcmp((const unsigned char *)data + 4, zero, 4) != 0;
}

/*
 * Only writes that extend the log are held back: the WAL header that starts
 * a generation (offset 0) and the frames appended after it. A write below
 * the end (SQLite rewriting a frame's checksum after the commit frame, or a
 * page in place) goes to the file at once, after what is pending, so that
 * COMMIT never returns with a byte of it still in memory. From a commit
 * frame's header on, every write is flushed as it comes (its page, and the
 * padding frames synchronous = FULL may add) until the next frame header
 * that is not a commit's.
 *
 * Pending bytes always belong to the transaction being written (a commit
 * is flushed within its own xWrite), and any failed WAL write makes SQLite
 * roll that transaction back whole: so a failed write drops what is
 * pending, which must never reach the file afterwards as if committed.
 */
static int wal_write(struct shim_file *f, const void *data, int amt, sqlite3_int64 offset)
{
	bool starts = offset == 0 && amt == WAL_HEADER;
	bool commit_header = commit_frame_header(data, amt);
	if (starts)
		f->after_commit = false;
	else if (amt == WAL_FRAME_HEADER)
		f->after_commit = commit_header;
	bool flush_now = f->after_commit && !commit_header;
	bool extends = starts || (f->end >= 0 && offset == f->end);
	int rc;
	if (!extends || (f->len && offset != f->start + (sqlite3_int64)f->len) ||
	    f->len + (size_t)amt > STORE_VFS_BUFFER_MAX || !reserve(f, (size_t)amt)) {
		rc = flush(f);
		if (rc == SQLITE_OK)
			rc = f->real->pMethods->xWrite(f->real, data, amt, offset);
		if (rc == SQLITE_OK && (starts || offset + amt > f->end))
			f->end = offset + amt;
		else if (rc != SQLITE_OK)
			f->end = -1;
		return rc;
	}
	if (f->len == 0)
		f->start = offset;
	memcpy(f->buf + f->len, data, (size_t)amt);
	f->len += (size_t)amt;
	f->end = offset + amt;
	return flush_now ? flush(f) : SQLITE_OK;
}

/* ---- the io methods: WAL files buffer, everything else passes through ---- */

static int x_close(sqlite3_file *file)
{
	struct shim_file *f = (struct shim_file *)file;
	int rc = flush(f);
	int closed = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	return rc != SQLITE_OK ? rc : closed;
}

static int x_read(sqlite3_file *file, void *data, int amt, sqlite3_int64 offset)
{
	struct shim_file *f = (struct shim_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, data, amt, offset);
}

static int x_write(sqlite3_file *file, const void *data, int amt, sqlite3_int64 offset)
{
	struct shim_file *f = (struct shim_file *)file;
	if (f->wal)
		return wal_write(f, data, amt, offset);
	return f->real->pMethods->xWrite(f->real, data, amt, offset);
}

static int x_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct shim_file *f = (struct shim_file *)file;
	int rc = flush(f);
	if (rc == SQLITE_OK && f->end > size)
		f->end = size;
	return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int x_sync(sqlite3_file *file, int flags)
{
	struct shim_file *f = (struct shim_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int x_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct shim_file *f = (struct shim_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int x_lock(sqlite3_file *file, int level)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xLock(f->real, level);
}

static int x_unlock(sqlite3_file *file, int level)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xUnlock(f->real, level);
}

static int x_check_reserved_lock(sqlite3_file *file, int *out)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int x_file_control(sqlite3_file *file, int op, void *arg)
{
	struct shim_file *f = (struct shim_file *)file;
	int rc = flush(f);
	return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int x_sector_size(sqlite3_file *file)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int x_device_characteristics(sqlite3_file *file)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int x_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int x_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void x_shm_barrier(sqlite3_file *file)
{
	struct shim_file *f = (struct shim_file *)file;
	f->real->pMethods->xShmBarrier(f->real);
}

static int x_shm_unmap(sqlite3_file *file, int delete_flag)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int x_fetch(sqlite3_file *file, sqlite3_int64 offset, int amt, void **out)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xFetch(f->real, offset, amt, out);
}

static int x_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *page)
{
	struct shim_file *f = (struct shim_file *)file;
	return f->real->pMethods->xUnfetch(f->real, offset, page);
}

static const sqlite3_io_methods shim_methods = {
	.iVersion = 3,
	.xClose = x_close,
	.xRead = x_read,
	.xWrite = x_write,
	.xTruncate = x_truncate,
	.xSync = x_sync,
	.xFileSize = x_file_size,
	.xLock = x_lock,
	.xUnlock = x_unlock,
	.xCheckReservedLock = x_check_reserved_lock,
	.xFileControl = x_file_control,
	.xSectorSize = x_sector_size,
	.xDeviceCharacteristics = x_device_characteristics,
	.xShmMap = x_shm_map,
	.xShmLock = x_shm_lock,
	.xShmBarrier = x_shm_barrier,
	.xShmUnmap = x_shm_unmap,
	.xFetch = x_fetch,
	.xUnfetch = x_unfetch,
};

static int x_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	struct shim_file *f = (struct shim_file *)file;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	/* the shim's methods stand in only for a file the default VFS opened
	 * with methods of the same generation (the unix VFS: version 3) */
	if (rc != SQLITE_OK || !f->real->pMethods || f->real->pMethods->iVersion < 3) {
		if (rc == SQLITE_OK && f->real->pMethods)
			f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	f->wal = (flags & SQLITE_OPEN_WAL) != 0;
	f->end = -1;
	f->base.pMethods = &shim_methods;
	return SQLITE_OK;
}

static void register_once(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs)
		return;
	/* Everything but opening files is the default VFS's own (its functions
	 * read only mxPathname and their arguments from the VFS they are given). */
	shim_vfs = *real_vfs;
	shim_vfs.zName = STORE_VFS_NAME;
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = x_open;
	shim_vfs.pNext = NULL;
	if (sqlite3_vfs_register(&shim_vfs, 0) != SQLITE_OK)
		real_vfs = NULL;
}

const char *store_vfs_register(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, register_once);
	return real_vfs ? STORE_VFS_NAME : NULL;
}
