/*
 * The store's VFS (storage/store_vfs.c): WAL writes gathered per commit.
 * Each check would fail if a commit's frames stayed in the buffer (another
 * connection, on SQLite's own VFS, would not see the rows), if a flush of
 * more than the unix VFS's 128 KB write limit were cut short (the COMMIT
 * fails with SQLITE_FULL), or if frames SQLite reads back or rewrites in
 * place were read before being written (integrity_check fails).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../storage/store_vfs.h"
#include "unit.h"

static sqlite3 *open_db(const char *path, const char *vfs)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
	CHECK_INT(rc, SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", NULL, NULL, NULL),
		  SQLITE_OK);
	sqlite3_wal_autocheckpoint(db, 0);
	return db;
}

static long long scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	long long value = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

static char *text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	char *value = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
		value = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return value;
}

/* Insert `rows` rows of `size` random bytes in one transaction. */
static int insert(sqlite3 *db, int rows, int size)
{
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
		 "INSERT INTO t (data) SELECT randomblob(%d) FROM n",
		 rows, size);
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void test_registered(void)
{
	const char *name = store_vfs_register();
	CHECK(name != NULL);
	CHECK(name && strcmp(name, STORE_VFS_NAME) == 0);
	CHECK(sqlite3_vfs_find(STORE_VFS_NAME) != NULL);
	/* registering twice is harmless and does not make it the default */
	CHECK(store_vfs_register() == name);
	CHECK(sqlite3_vfs_find(NULL) != sqlite3_vfs_find(STORE_VFS_NAME));
}

static void test_commits_reach_the_file(const char *path)
{
	sqlite3 *writer = open_db(path, store_vfs_register());
	CHECK_INT(sqlite3_exec(writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)", NULL, NULL, NULL),
		  SQLITE_OK);
	/* a reader on SQLite's own VFS sees every commit at once */
	sqlite3 *reader = open_db(path, NULL);
	for (int i = 1; i <= 50; i++) {
		CHECK_INT(insert(writer, 1, 700), SQLITE_OK);
		if (!CHECK_INT(scalar(reader, "SELECT count(*) FROM t"), i))
			break;
	}
	/* one commit of ~1 MB: several flushes of the unix VFS's largest write */
	CHECK_INT(insert(writer, 300, 3000), SQLITE_OK);
	CHECK_INT(scalar(reader, "SELECT count(*) FROM t"), 350);
	CHECK_INT(scalar(reader, "SELECT sum(length(data)) FROM t"), 50 * 700 + 300 * 3000);
	sqlite3_close(reader);
	sqlite3_close(writer);
}

/* Copy the file `from` to `to` as it is on disk now; false when it cannot. */
static bool copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	bool ok = in && out;
	char buf[65536];
	size_t n;
	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ok = false;
	return ok;
}

/* Copy a database and its WAL as they are on disk now (what a crash would leave). */
static bool copy_db(const char *from, const char *to)
{
	char from_wal[160], to_wal[160];
	snprintf(from_wal, sizeof(from_wal), "%s-wal", from);
	snprintf(to_wal, sizeof(to_wal), "%s-wal", to);
	return copy_file(from, to) && copy_file(from_wal, to_wal);
}

/* Delete a database with its WAL and shared-memory files. */
static void remove_db(const char *path)
{
	const char *suffixes[] = {"-wal", "-shm", ""};
	for (size_t i = 0; i < 3; i++) {
		char file[160];
		snprintf(file, sizeof(file), "%s%s", path, suffixes[i]);
		unlink(file);
	}
}

/*
 * What a crash right after COMMIT would leave: the files as they are on
 * disk while the writer is still open, opened elsewhere on SQLite's own VFS.
 * A transaction that spills its cache and then changes spilled pages makes
 * SQLite rewrite frame checksums below the end of the log after the commit
 * frame; those writes must not wait in the buffer.
 */
static void test_commit_on_disk_at_once(const char *dir)
{
	char path[128], copy[140];
	snprintf(path, sizeof(path), "%s/crash.db", dir);
	snprintf(copy, sizeof(copy), "%s/copy.db", dir);
	sqlite3 *db = open_db(path, store_vfs_register());
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(insert(db, 50, 100), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "PRAGMA cache_size = 5; BEGIN", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(insert(db, 300, 400), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "UPDATE t SET data = zeroblob(50) WHERE id <= 60", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	/* the writer stays open: nothing else would make the shim write */
	CHECK(copy_db(path, copy));
	sqlite3 *other = open_db(copy, NULL);
	CHECK_INT(scalar(other, "SELECT count(*) FROM t"), 350);
	CHECK_INT(scalar(other, "SELECT count(*) FROM t WHERE id <= 60 AND length(data) = 50"), 60);
	char *check = text(other, "PRAGMA integrity_check");
	CHECK_STR(check ? check : "(none)", "ok");
	free(check);
	sqlite3_close(other);
	sqlite3_close(db);
	remove_db(path);
	remove_db(copy);
}

static void test_spills_and_rewrites(const char *path)
{
	sqlite3 *db = open_db(path, store_vfs_register());
	/* a tiny page cache spills uncommitted frames into the WAL mid-transaction;
	 * SQLite then rewrites those frames in place and reads them back */
	CHECK_INT(sqlite3_exec(db, "PRAGMA cache_size = 2; BEGIN", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(insert(db, 200, 500), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "UPDATE t SET data = zeroblob(600) WHERE id % 3 = 0", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "DELETE FROM t WHERE id % 7 = 0", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	long long rows = scalar(db, "SELECT count(*) FROM t");
	sqlite3_close(db);
	/* reopened on SQLite's own VFS: the WAL replays to the same, sound state */
	db = open_db(path, NULL);
	CHECK_INT(scalar(db, "SELECT count(*) FROM t"), rows);
	char *check = text(db, "PRAGMA integrity_check");
	CHECK_STR(check ? check : "(none)", "ok");
	free(check);
	/* and a checkpoint moves it all into the database file */
	CHECK_INT(sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_OK);
	CHECK_INT(scalar(db, "SELECT count(*) FROM t"), rows);
	sqlite3_close(db);
}

/*
 * A default VFS whose WAL writes can be made to fail (a full disk): SQLite's
 * own, with the WAL files' xWrite swapped. Made the default before the
 * store's VFS is registered, so that the store's VFS wraps it.
 */
static bool wal_writes_fail;
static sqlite3_vfs failing_vfs;
static sqlite3_vfs *unix_vfs;
static sqlite3_io_methods failing_methods;
static int (*unix_write)(sqlite3_file *, const void *, int, sqlite3_int64);

static int failing_write(sqlite3_file *file, const void *data, int amt, sqlite3_int64 offset)
{
	return wal_writes_fail ? SQLITE_FULL : unix_write(file, data, amt, offset);
}

static int failing_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	int rc = unix_vfs->xOpen(unix_vfs, name, file, flags, out_flags);
	if (rc == SQLITE_OK && file->pMethods && (flags & SQLITE_OPEN_WAL)) {
		if (!unix_write) {
			failing_methods = *file->pMethods;
			unix_write = failing_methods.xWrite;
			failing_methods.xWrite = failing_write;
		}
		file->pMethods = &failing_methods;
	}
	return rc;
}

static void install_failing_vfs(void)
{
	unix_vfs = sqlite3_vfs_find(NULL);
	failing_vfs = *unix_vfs;
	failing_vfs.zName = "failing-wal";
	failing_vfs.xOpen = failing_open;
	failing_vfs.pNext = NULL;
	sqlite3_vfs_register(&failing_vfs, 1);
}

/*
 * A COMMIT whose WAL write fails is gone for good: once space returns, no
 * later read, sync or checkpoint may write its frames after all (they would
 * come back as a committed transaction after a crash).
 */
static void test_failed_commit_stays_failed(const char *dir)
{
	char path[128], copy[140];
	snprintf(path, sizeof(path), "%s/full.db", dir);
	snprintf(copy, sizeof(copy), "%s/full-copy.db", dir);
	sqlite3 *db = open_db(path, store_vfs_register());
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(insert(db, 1, 100), SQLITE_OK);
	wal_writes_fail = true;
	CHECK(insert(db, 1, 100) != SQLITE_OK);
	wal_writes_fail = false;
	/* the writer goes on: a read, then a size query by a checkpoint */
	CHECK_INT(scalar(db, "SELECT count(*) FROM t"), 1);
	CHECK_INT(sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL), SQLITE_OK);
	CHECK(copy_db(path, copy));
	sqlite3 *other = open_db(copy, "unix");
	CHECK_INT(scalar(other, "SELECT count(*) FROM t"), 1);
	sqlite3_close(other);
	/* and the writer still works */
	CHECK_INT(insert(db, 2, 100), SQLITE_OK);
	CHECK_INT(scalar(db, "SELECT count(*) FROM t"), 3);
	sqlite3_close(db);
	remove_db(path);
	remove_db(copy);
}

/*
 * synchronous = FULL without power-safe overwrite pads each commit to a
 * sector with copies of the commit frame, split around a sync: all of it
 * must be in the file when the commit is published to other connections.
 * (The store runs NORMAL; the VFS must not depend on it.)
 */
static void test_padded_commits(const char *dir)
{
	char path[128], uri[160];
	snprintf(path, sizeof(path), "%s/padded.db", dir);
	snprintf(uri, sizeof(uri), "file:%s?psow=0", path);
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
				  store_vfs_register()),
		  SQLITE_OK);
	CHECK_INT(sqlite3_exec(db,
			       "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
			       "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	sqlite3_wal_autocheckpoint(db, 0);
	sqlite3 *reader = open_db(path, "unix");
	for (int i = 1; i <= 200; i++) {
		CHECK_INT(insert(db, 1, 100 + i), SQLITE_OK);
		if (!CHECK_INT(scalar(reader, "SELECT count(*) FROM t"), i))
			break;
	}
	sqlite3_close(reader);
	sqlite3_close(db);
	remove_db(path);
}

int main(void)
{
	char dir[] = "/tmp/ses-vfs-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[64];
	snprintf(path, sizeof(path), "%s/store.db", dir);
	install_failing_vfs();
	test_registered();
	test_commits_reach_the_file(path);
	test_spills_and_rewrites(path);
	test_commit_on_disk_at_once(dir);
	test_failed_commit_stays_failed(dir);
	test_padded_commits(dir);
	remove_db(path);
	rmdir(dir);
	return unit_finish("store_vfs");
}
