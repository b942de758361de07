/*
 * The SQLite store.
 *
 * Owns: the writing connection, its pragmas, the migrations embedded from
 * schema.sql, the statement caches, the lock that serialises writes, and
 * the threads' read-only connections.
 * Never: knows HTTP, JSON envelopes or API error codes.
 *
 * Checkpoints: automatic checkpoints are off on the main connection; the
 * scheduler thread checkpoints on a second connection (store_checkpoint):
 * the bulk of the WAL copy and its fsync run without the store, and only
 * the final RESTART holds it, for the frames committed meanwhile. A WAL
 * that grows past STORE_WAL_EMERGENCY frames (the scheduler is stuck) is
 * checkpointed by the committing request itself.
 *
 * Design: writes go through one shared connection behind a mutex, chosen by
 * measurement (DESIGN.md: one writing connection per thread lost to
 * SQLite's busy-wait backoff, p99 70-160 ms, against 9 ms here), with group
 * commit. Each API call's writes are one unit, committed before the answer
 * is sent, so an acknowledged call survives a crash (WAL,
 * synchronous=NORMAL survives process crashes; FULL would be needed only
 * against power loss). Read units of a file store run on a read-only
 * connection of their own thread, without the mutex: WAL readers see the
 * last commit and never wait for the writer (docs/performance.md measured
 * the mixed workload at 3.5 times the calls a second). WAL writes go
 * through store_vfs.c, one write(2) per commit. A write unit that can be
 * handed over whole (a store job: SendEmail's message) is queued and run by
 * whichever caller finds nobody running the queue, with the others queued
 * meanwhile, in one transaction: flat combining, because handing the lock
 * from thread to thread for each unit left the two cores a quarter idle.
 * Its caller either waits for it (store_run) or is told when it is over
 * (store_submit: the HTTP request is set aside meanwhile, and its worker
 * serves other connections). A caller runs at most STORE_COMBINE_BATCHES
 * batches, then hands the rest of the queue to the caller of its first job
 * if that one waits, else to the runner thread, which the store owns too.
 */
#include "store_internal.h"
#include "store_vfs.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* storage/gen_schema.py: schema.sql's migrations, the schema they leave, the last one's number */
extern const char *const store_schema_sql;
extern const char *const store_schema_fresh;
extern const int store_schema_version;

#define STORE_WAL_EMERGENCY 100000
#define STORE_RESTART_WAIT_MS 20

static int on_wal_commit(void *cls, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	struct store *store = cls;
	atomic_store(&store->wal_frames, frames);
	if (frames > STORE_WAL_EMERGENCY)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/* The checkpoint connection of a file store; failure leaves automatic checkpoints on. */
static void open_checkpointer(struct store *store, const char *path)
{
	if (sqlite3_open_v2(path, &store->checkpointer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    store_vfs_register()) != SQLITE_OK) {
		sqlite3_close(store->checkpointer);
		store->checkpointer = NULL;
		return;
	}
	/* the RESTART waits this long for readers of the WAL, holding the store
	 * (store_checkpoint); past it, the next scheduler pass tries again */
	sqlite3_busy_timeout(store->checkpointer, STORE_RESTART_WAIT_MS);
	/* A connection only learns the journal mode when it first reads. */
	if (sqlite3_exec(store->checkpointer, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", NULL, NULL,
			 NULL) != SQLITE_OK) {
		sqlite3_close(store->checkpointer);
		store->checkpointer = NULL;
		return;
	}
	sqlite3_wal_autocheckpoint(store->db, 0);
	sqlite3_wal_hook(store->db, on_wal_commit, store);
}

static enum store_status commit_locked(struct store *store);

/* Passive rounds before the RESTART, each copying what the last one left, until fewer than REST frames are left. */
#define STORE_CHECKPOINT_ROUNDS 4
#define STORE_CHECKPOINT_REST 256

enum store_status store_checkpoint(struct store *store, int min_frames)
{
	if (!store->checkpointer || atomic_load(&store->wal_frames) < min_frames)
		return STORE_OK;
	/*
	 * PASSIVE copies the frames and syncs without blocking anyone, but under
	 * steady writes it never reaches the end of the WAL, so the WAL would
	 * never start over. The RESTART that follows lets the next writer start
	 * it over; it needs the WAL's write lock and no reader of frames it has
	 * not copied, so it runs holding the store (no writer can be in the
	 * way, and the open group is committed first): it only copies what was
	 * committed since the PASSIVE, and waits STORE_RESTART_WAIT_MS at most
	 * for readers still on the WAL (else the next pass tries again: waiting
	 * a second, every writer waited a second behind it). Taken by SQLite's busy handler instead,
	 * the write lock was caught between two groups after polling for tens
	 * of milliseconds, and the writer then polled for it back.
	 */
	int log_frames = -1, done_frames = -1, rc = SQLITE_OK;
	for (int round = 0; round < STORE_CHECKPOINT_ROUNDS; round++) {
		rc = sqlite3_wal_checkpoint_v2(store->checkpointer, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
					       &done_frames);
		if (rc != SQLITE_OK)
			return rc == SQLITE_BUSY ? STORE_OK : STORE_ERROR;
		if (atomic_load(&store->wal_frames) - done_frames < STORE_CHECKPOINT_REST)
			break;
	}
	atomic_fetch_add(&store->pending, 1);
	pthread_mutex_lock(&store->lock);
	atomic_fetch_sub(&store->pending, 1);
	if (store->tx_open)
		commit_locked(store);
	rc = sqlite3_wal_checkpoint_v2(store->checkpointer, NULL, SQLITE_CHECKPOINT_RESTART, &log_frames, &done_frames);
	if (rc == SQLITE_OK)
		atomic_store(&store->wal_frames, 0);
	pthread_mutex_unlock(&store->lock);
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? STORE_OK : STORE_ERROR;
}

enum store_status store_status_of(int rc)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return STORE_OK;
	case SQLITE_CONSTRAINT:
		return STORE_EXISTS;
	case SQLITE_NOMEM:
		return STORE_NOMEM;
	default:
		return STORE_ERROR;
	}
}

char *store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	return strdup(text ? (const char *)text : "");
}

const char *store_last_error(struct store *store)
{
	return store && store->db ? sqlite3_errmsg(store->db) : "no store";
}

static unsigned slot_of(const char *sql, unsigned cap)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> 32) & (cap - 1);
}

/* Double the statement table; false when out of memory (the table is unchanged). */
static bool grow_statements(struct store_statements *t)
{
	unsigned cap = t->cap ? t->cap * 2 : 256;
	const char **keys = calloc(cap, sizeof(*keys));
	sqlite3_stmt **stmts = calloc(cap, sizeof(*stmts));
	if (!keys || !stmts) {
		free(keys);
		free(stmts);
		return false;
	}
	for (unsigned i = 0; i < t->cap; i++) {
		if (!t->sql[i])
			continue;
		unsigned j = slot_of(t->sql[i], cap);
		while (keys[j])
			j = (j + 1) & (cap - 1);
		keys[j] = t->sql[i];
		stmts[j] = t->stmt[i];
	}
	free(t->sql);
	free(t->stmt);
	t->sql = keys;
	t->stmt = stmts;
	t->cap = cap;
	return true;
}

static sqlite3_stmt *statement(struct store_statements *t, sqlite3 *db, const char *sql)
{
	if (t->cap) {
		for (unsigned i = slot_of(sql, t->cap); t->sql[i]; i = (i + 1) & (t->cap - 1)) {
			if (t->sql[i] == sql) {
				sqlite3_reset(t->stmt[i]);
				sqlite3_clear_bindings(t->stmt[i]);
				return t->stmt[i];
			}
		}
	}
	if (2 * (t->count + 1) > t->cap && !grow_statements(t))
		return NULL;
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
		return NULL;
	unsigned i = slot_of(sql, t->cap);
	while (t->sql[i])
		i = (i + 1) & (t->cap - 1);
	t->sql[i] = sql;
	t->stmt[i] = stmt;
	t->count++;
	return stmt;
}

static void finalize_statements(struct store_statements *t)
{
	for (unsigned i = 0; i < t->cap; i++)
		if (t->stmt[i])
			sqlite3_finalize(t->stmt[i]);
	free(t->sql);
	free(t->stmt);
	memset(t, 0, sizeof(*t));
}

struct store_reader *store_active_reader(struct store *store)
{
	if (!store->reader_key_ok)
		return NULL;
	struct store_reader *r = pthread_getspecific(store->reader_key);
	return r && r->active ? r : NULL;
}

static bool begin_snapshot(struct store *store, struct store_reader *r);

sqlite3_stmt *store_stmt(struct store *store, const char *sql)
{
	struct store_reader *r = store_active_reader(store);
	if (r)
		return r->begun || begin_snapshot(store, r) ? statement(&r->statements, r->db, sql) : NULL;
	return statement(&store->statements, store->db, sql);
}

/* Reset every statement still stepping, so that none holds the transaction open. */
static void reset_busy(sqlite3 *db)
{
	for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s; s = sqlite3_next_stmt(db, s))
		if (sqlite3_stmt_busy(s))
			sqlite3_reset(s);
}

/* Run `len` bytes of `body` and set user_version to `version`, in one transaction. */
static bool run_schema(sqlite3 *db, const char *body, size_t len, int version, char *err, size_t err_size)
{
	char *sql = malloc(len + 64);
	if (!sql) {
		snprintf(err, err_size, "out of memory");
		return false;
	}
	snprintf(sql, len + 64, "BEGIN;\n%.*s\nPRAGMA user_version = %d;\nCOMMIT;", (int)len, body, version);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	free(sql);
	if (rc == SQLITE_OK)
		return true;
	snprintf(err, err_size, "migration %d failed: %s", version, msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return false;
}

/* Run the section of schema.sql for migration `n`; false when absent. */
static bool run_migration(sqlite3 *db, int n, bool *found, char *err, size_t err_size)
{
	char marker[32];
	snprintf(marker, sizeof(marker), "-- migration %d\n", n);
	const char *start = strstr(store_schema_sql, marker);
	*found = start != NULL;
	if (!start)
		return true;
	start += strlen(marker);
	/* the section ends where the next one starts, whatever its number */
	const char *end = strstr(start, "\n-- migration ");
	return run_schema(db, start, end ? (size_t)(end - start) : strlen(start), n, err, err_size);
}

/* The first column of the one-row query `sql` as an integer; -1 when it fails. */
static int query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int value = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

/*
 * A store without a table yet starts from the schema the migrations leave
 * (gen_schema.py), in one transaction; any other is brought up to date by
 * the migrations it has not run, one by one.
 */
static bool migrate(sqlite3 *db, char *err, size_t err_size)
{
	int version = query_int(db, "PRAGMA user_version");
	if (version < 0)
		version = 0;
	if (version == 0 && query_int(db, "SELECT count(*) FROM sqlite_master") == 0)
		return run_schema(db, store_schema_fresh, strlen(store_schema_fresh), store_schema_version, err,
				  err_size);
	for (int n = version + 1;; n++) {
		bool found;
		if (!run_migration(db, n, &found, err, err_size))
			return false;
		if (!found)
			break;
	}
	return true;
}

static bool exec_all(sqlite3 *db, const char *sql, char *err, size_t err_size)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return true;
	snprintf(err, err_size, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return false;
}

/*
 * Process-wide SQLite settings, before SQLite's first use: no memory
 * statistics (they take a global mutex around every allocation; nothing
 * here reads them).
 */
static void configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum store_status store_open(struct store **out, const char *path, char *err, size_t err_size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure_sqlite);
	*out = NULL;
	struct store *store = calloc(1, sizeof(*store));
	if (!store) {
		snprintf(err, err_size, "out of memory");
		return STORE_NOMEM;
	}
	pthread_mutex_init(&store->lock, NULL);
	pthread_mutex_init(&store->readers_lock, NULL);
	pthread_rwlock_init(&store->credentials_lock, NULL);
	pthread_cond_init(&store->committed, NULL);
	pthread_mutex_init(&store->waiters_lock, NULL);
	pthread_mutex_init(&store->jobs_lock, NULL);
	store->jobs_tail = &store->jobs;
	pthread_mutex_init(&store->runner_start_lock, NULL);
	pthread_cond_init(&store->runner_cond, NULL);
	store_memo_init(store);
	store_tally_init(store); /* without it every catch-up reads the rows */
	bool memory = !path || !*path;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(memory ? ":memory:" : path, &store->db, flags, memory ? NULL : store_vfs_register());
	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "cannot open database '%s': %s", memory ? ":memory:" : path,
			 store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 0);
	sqlite3_busy_timeout(store->db, 5000);
	char pragma_err[256];
	/*
	 * A new store gets 2 KB pages (a store made before keeps its own size:
	 * the pragma only applies before the first table). Every commit writes
	 * whole pages to the WAL, checksums them and later copies them back:
	 * a SendEmail dirties about five, each with one new row of tens to
	 * hundreds of bytes, so a smaller page is less of each. 2 KB still
	 * holds two stored messages a leaf (1 KB split on every one), and was
	 * the faster of the two (docs/performance.md, fourth round).
	 */
	if (!exec_all(store->db,
		      "PRAGMA page_size = 2048; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;"
		      "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;",
		      pragma_err, sizeof(pragma_err))) {
		snprintf(err, err_size, "cannot use database '%s': %s", memory ? ":memory:" : path, pragma_err);
		goto fail;
	}
	char migrate_err[256];
	if (!migrate(store->db, migrate_err, sizeof(migrate_err))) {
		snprintf(err, err_size, "cannot prepare database '%s': %s", memory ? ":memory:" : path, migrate_err);
		goto fail;
	}
	store_memo_watch(store);
	if (!memory) {
		open_checkpointer(store, path);
		/* absolute, so that a reader opened later finds the same file */
		store->path = realpath(path, NULL);
		store->reader_key_ok = store->path && pthread_key_create(&store->reader_key, NULL) == 0;
	}
	*out = store;
	return STORE_OK;
fail:
	store_destroy(store);
	return STORE_ERROR;
}

void store_destroy(struct store *store)
{
	if (!store)
		return;
	if (atomic_load(&store->runner_state) == 1) {
		pthread_mutex_lock(&store->jobs_lock);
		store->runner_stop = true;
		pthread_cond_signal(&store->runner_cond);
		pthread_mutex_unlock(&store->jobs_lock);
		pthread_join(store->runner, NULL);
	}
	finalize_statements(&store->statements);
	while (store->readers) {
		struct store_reader *r = store->readers;
		store->readers = r->next;
		finalize_statements(&r->statements);
		sqlite3_close(r->db);
		free(r);
	}
	if (store->reader_key_ok)
		pthread_key_delete(store->reader_key);
	pthread_mutex_destroy(&store->readers_lock);
	free(store->path);
	if (store->checkpointer)
		sqlite3_close(store->checkpointer);
	if (store->db)
		sqlite3_close(store->db);
	pthread_mutex_destroy(&store->lock);
	pthread_rwlock_destroy(&store->credentials_lock);
	store_memo_destroy(store);
	store_tally_destroy(store);
	pthread_cond_destroy(&store->committed);
	pthread_mutex_destroy(&store->waiters_lock);
	pthread_mutex_destroy(&store->jobs_lock);
	pthread_mutex_destroy(&store->runner_start_lock);
	pthread_cond_destroy(&store->runner_cond);
	free(store);
}

/* A group never holds more units than this, so waiting stays bounded. */
#define STORE_GROUP_MAX 32

static int step_static(struct store *store, const char *sql)
{
	sqlite3_stmt *stmt = store_stmt(store, sql);
	return stmt ? sqlite3_step(stmt) : SQLITE_ERROR;
}

/* The calling thread's reader, opened on first use; NULL when it cannot be (the caller then takes the lock). */
static struct store_reader *thread_reader(struct store *store)
{
	if (!store->reader_key_ok)
		return NULL;
	struct store_reader *r = pthread_getspecific(store->reader_key);
	if (r)
		return r;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (sqlite3_open_v2(store->path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, store_vfs_register()) !=
		    SQLITE_OK ||
	    pthread_setspecific(store->reader_key, r) != 0) {
		sqlite3_close(r->db);
		free(r);
		return NULL;
	}
	sqlite3_extended_result_codes(r->db, 0);
	sqlite3_busy_timeout(r->db, 5000);
	/* a small page cache: SQLite drops a reader's cache whenever another
	 * connection has committed, which under load is before almost every
	 * read unit; memory-mapping the file instead measured a fifth slower */
	sqlite3_exec(r->db, "PRAGMA cache_size = -256; PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	pthread_mutex_lock(&store->readers_lock);
	r->next = store->readers;
	store->readers = r;
	pthread_mutex_unlock(&store->readers_lock);
	return r;
}

/*
 * Begin the read unit's transaction, at its first statement: a unit whose
 * lookups were all remembered (store_memo.c) never touches its reader. The
 * memo's generation is taken before the snapshot, which SQLite takes at the
 * first read after BEGIN.
 */
static bool begin_snapshot(struct store *store, struct store_reader *r)
{
	static const char begin[] = "BEGIN";
	r->memo_tag = atomic_load(&store->memo_gen);
	sqlite3_stmt *stmt = statement(&r->statements, r->db, begin);
	if (!stmt || sqlite3_step(stmt) != SQLITE_DONE)
		return false;
	r->begun = true;
	return true;
}

/* End the thread's read unit (nothing to keep: it wrote nothing). */
static enum store_status end_read(struct store_reader *r)
{
	static const char commit[] = "COMMIT";
	r->active = false;
	if (!r->begun)
		return STORE_OK;
	r->begun = false;
	reset_busy(r->db);
	sqlite3_stmt *stmt = statement(&r->statements, r->db, commit);
	int rc = stmt ? sqlite3_step(stmt) : SQLITE_ERROR;
	if (rc == SQLITE_DONE)
		return STORE_OK;
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
	return STORE_ERROR;
}

enum store_status store_begin(struct store *store, bool write)
{
	if (!write) {
		/* a thread without a reader leaves the unit to the writing connection */
		struct store_reader *r = thread_reader(store);
		if (r) {
			r->active = true;
			return STORE_OK;
		}
	}
	/* IMMEDIATE: the write lock is taken (waiting on the busy timeout) before
	 * anything is read, so the checkpointer restarting the WAL can delay a
	 * group but never make it fail midway on a stale snapshot. */
	static const char begin[] = "BEGIN IMMEDIATE";
	static const char savepoint[] = "SAVEPOINT unit";
	atomic_fetch_add(&store->pending, 1);
	pthread_mutex_lock(&store->lock);
	atomic_fetch_sub(&store->pending, 1);
	if (!store->tx_open) {
		int rc = step_static(store, begin);
		if (rc != SQLITE_DONE) {
			pthread_mutex_unlock(&store->lock);
			return store_status_of(rc == SQLITE_ROW ? SQLITE_ERROR : rc);
		}
		store->tx_open = true;
		store->members = 0;
	}
	if (step_static(store, savepoint) != SQLITE_DONE) {
		store_rollback(store);
		pthread_mutex_lock(&store->lock); /* store_rollback released it */
		pthread_mutex_unlock(&store->lock);
		return STORE_ERROR;
	}
	store->members++;
	store->changes_at_begin = sqlite3_total_changes64(store->db);
	return STORE_OK;
}

/*
 * The open group has ended with `status` (lock held): forget what its
 * writes make stale and tell each of its waiting members how it ended.
 */
static void end_group(struct store *store, enum store_status status)
{
	store->tx_open = false;
	if (store->credentials_dirty) {
		/* readers may have remembered credentials from before this commit */
		store->credentials_dirty = false;
		store_credentials_clear(store);
	}
	store_memo_settle(store);
	store_tally_end(store, status == STORE_OK);
	pthread_mutex_lock(&store->waiters_lock);
	for (struct store_waiter *w = store->waiters; w; w = w->next) {
		w->status = status;
		w->done = true;
	}
	store->waiters = NULL;
	pthread_cond_broadcast(&store->committed);
	pthread_mutex_unlock(&store->waiters_lock);
}

/* Commit the shared transaction now and end the group (lock held, and kept). */
static enum store_status commit_locked(struct store *store)
{
	static const char commit[] = "COMMIT";
	reset_busy(store->db);
	enum store_status status = STORE_OK;
	if (step_static(store, commit) != SQLITE_DONE) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		status = STORE_ERROR;
	}
	end_group(store, status);
	return status;
}

/* Commit the shared transaction now and end the group (lock held; released here). */
static enum store_status commit_group(struct store *store)
{
	enum store_status status = commit_locked(store);
	pthread_mutex_unlock(&store->lock);
	return status;
}

/*
 * Release the store and wait for the open group to end (lock held). The
 * member waits on waiters_lock, not on the store's lock: woken members
 * would otherwise queue for the store behind the next group's units before
 * they could answer (a third of the threads' waits, measured with perf).
 */
static enum store_status await_group(struct store *store)
{
	struct store_waiter me = {0};
	pthread_mutex_lock(&store->waiters_lock);
	me.next = store->waiters;
	store->waiters = &me;
	pthread_mutex_unlock(&store->lock);
	while (!me.done)
		pthread_cond_wait(&store->committed, &store->waiters_lock);
	pthread_mutex_unlock(&store->waiters_lock);
	return me.status;
}

/*
 * End the caller's unit (its savepoint already released or rolled back):
 * leave the transaction open for a waiting caller, or commit the group.
 * A unit that wrote nothing does not wait for the commit.
 */
static enum store_status end_unit(struct store *store, bool wrote)
{
	if (atomic_load(&store->pending) == 0 || store->members >= STORE_GROUP_MAX)
		return commit_group(store);
	if (!wrote) {
		pthread_mutex_unlock(&store->lock);
		return STORE_OK;
	}
	return await_group(store);
}

enum store_status store_commit(struct store *store)
{
	struct store_reader *r = store_active_reader(store);
	if (r)
		return end_read(r);
	static const char release[] = "RELEASE unit";
	bool wrote = sqlite3_total_changes64(store->db) != store->changes_at_begin;
	if (step_static(store, release) != SQLITE_DONE) {
		store_rollback(store);
		return STORE_ERROR;
	}
	return end_unit(store, wrote);
}

void store_rollback(struct store *store)
{
	struct store_reader *r = store_active_reader(store);
	if (r) {
		end_read(r);
		return;
	}
	static const char undo[] = "ROLLBACK TO unit";
	static const char release[] = "RELEASE unit";
	reset_busy(store->db);
	if (step_static(store, undo) != SQLITE_DONE || step_static(store, release) != SQLITE_DONE) {
		/* the savepoint is gone: the whole group is lost */
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		end_group(store, STORE_ERROR);
		pthread_mutex_unlock(&store->lock);
		return;
	}
	end_unit(store, false);
}

/* ---- jobs: flat combining --------------------------------------------- */

/* A combiner runs at most this many batches (its own first) before handing over. */
#define STORE_COMBINE_BATCHES 2

/* Run one job in its own savepoint of the open transaction (lock held); false when the transaction is lost. */
static bool run_job(struct store *store, struct store_job *job)
{
	static const char savepoint[] = "SAVEPOINT unit";
	static const char release[] = "RELEASE unit";
	static const char undo[] = "ROLLBACK TO unit";
	if (step_static(store, savepoint) != SQLITE_DONE) {
		job->status = STORE_ERROR;
		return false;
	}
	job->status = job->run(store, job->arg);
	if (job->status == STORE_OK && step_static(store, release) == SQLITE_DONE)
		return true;
	if (job->status == STORE_OK)
		job->status = STORE_ERROR;
	reset_busy(store->db);
	if (step_static(store, undo) != SQLITE_DONE || step_static(store, release) != SQLITE_DONE)
		return false;
	return true;
}

/* Take the queued jobs (jobs_lock held); NULL when there are none. */
static struct store_job *take_jobs(struct store *store)
{
	struct store_job *batch = store->jobs;
	store->jobs = NULL;
	store->jobs_tail = &store->jobs;
	return batch;
}

/* A batch takes in jobs queued while it runs, up to about this many, before it commits. */
#define STORE_BATCH_MAX 32

/*
 * Run a batch of jobs in one transaction, joined with an open group if
 * any, and commit it. Jobs queued meanwhile join the batch before the
 * commit (appended to its list): a commit costs about as much as a job,
 * so sharing it is where combining saves.
 *
 * A batch in a transaction of its own runs its jobs without savepoints:
 * a job almost never fails, and a savepoint and its release cost a few
 * percent of a send (each page a job first changes is copied for the
 * savepoint; docs/performance.md, fifth round). When one does fail, the
 * batch so far is rolled back and run again, each job in its own
 * savepoint, so that the failure undoes only its own job. A batch joined
 * with an open group always uses savepoints: the group's units must not
 * be undone.
 */
static void run_batch(struct store *store, struct store_job *batch)
{
	static const char begin[] = "BEGIN IMMEDIATE";
	atomic_fetch_add(&store->pending, 1);
	pthread_mutex_lock(&store->lock);
	atomic_fetch_sub(&store->pending, 1);
	bool savepoints = store->tx_open;
again:;
	bool ok = store->tx_open || step_static(store, begin) == SQLITE_DONE;
	store->tx_open = ok;
	int count = 0;
	for (struct store_job *job = batch; job; job = job->next) {
		if (!ok) {
			job->status = STORE_ERROR;
		} else if (savepoints) {
			ok = run_job(store, job);
		} else if ((job->status = job->run(store, job->arg)) != STORE_OK || sqlite3_get_autocommit(store->db)) {
			/* failed, or it lost the transaction (SQLite rolls back on some errors): a job
			 * after it would write outside the batch, so it is undone and run again too */
			reset_busy(store->db);
			sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
			end_group(store, STORE_ERROR);
			savepoints = true;
			goto again;
		}
		if (++count < STORE_BATCH_MAX && ok && !job->next) {
			pthread_mutex_lock(&store->jobs_lock);
			job->next = take_jobs(store);
			pthread_mutex_unlock(&store->jobs_lock);
		}
	}
	enum store_status status = STORE_ERROR;
	if (ok) {
		status = commit_locked(store);
	} else if (store->tx_open) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		end_group(store, STORE_ERROR);
	}
	pthread_mutex_unlock(&store->lock);
	for (struct store_job *job = batch; job; job = job->next)
		if (status != STORE_OK)
			job->status = STORE_ERROR;
}

/* Tell each job of a finished batch its outcome: a waiting caller by its semaphore, a submitted job by its callback. */
static void finish_batch(struct store_job *batch)
{
	for (struct store_job *job = batch, *next; job; job = next) {
		next = job->next; /* its caller may return, and its job vanish, once told */
		if (job->finished) {
			job->finished(job);
			continue;
		}
		job->done = true;
		sem_post(&job->wake);
	}
}

/*
 * Hand the queue `batch` (jobs_lock held; it is put back at the head) to
 * another thread: the caller of its first job when that caller waits in
 * store_run, else the runner thread (there is one whenever a job was
 * submitted: store_submit).
 */
static void hand_over(struct store *store, struct store_job *batch)
{
	struct store_job *last = batch;
	while (last->next)
		last = last->next;
	store->jobs_tail = &last->next;
	store->jobs = batch;
	if (batch->finished) {
		store->runner_wanted = true;
		pthread_cond_signal(&store->runner_cond);
		return;
	}
	batch->combine = true;
}

/*
 * Run the queue in batches, the first holding the combiner's own job (it
 * is still queued: the queue changes hands only once a batch is done),
 * until it is empty or STORE_COMBINE_BATCHES ran; then hand the rest over
 * (hand_over), so that a combiner's own connections are not held up by
 * everyone else's writes. Each waiting caller is woken alone, by its own
 * semaphore: a broadcast had every waiter queue for one mutex to learn
 * whether it was its turn (a third of the threads' waits, measured).
 */
static void combine(struct store *store)
{
	for (int batches = 0;; batches++) {
		pthread_mutex_lock(&store->jobs_lock);
		struct store_job *batch = take_jobs(store);
		if (!batch) {
			store->combining = false;
			pthread_mutex_unlock(&store->jobs_lock);
			return;
		}
		/* a submitted job may be run, and vanish, as soon as the lock is let go */
		bool waiting = !batch->finished;
		if (batches >= STORE_COMBINE_BATCHES) {
			hand_over(store, batch);
			pthread_mutex_unlock(&store->jobs_lock);
			if (waiting)
				sem_post(&batch->wake);
			return;
		}
		pthread_mutex_unlock(&store->jobs_lock);
		run_batch(store, batch);
		finish_batch(batch);
	}
}

/* The runner thread: runs each queue a combiner hands it, until the store closes. */
static void *runner_main(void *arg)
{
	struct store *store = arg;
	pthread_mutex_lock(&store->jobs_lock);
	for (;;) {
		if (store->runner_wanted) {
			store->runner_wanted = false;
			pthread_mutex_unlock(&store->jobs_lock);
			combine(store);
			pthread_mutex_lock(&store->jobs_lock);
		} else if (store->runner_stop) {
			break;
		} else {
			pthread_cond_wait(&store->runner_cond, &store->jobs_lock);
		}
	}
	pthread_mutex_unlock(&store->jobs_lock);
	return NULL;
}

/* Start the runner thread once; without it (runner_state -1), combiners run whole queues. */
static void start_runner(struct store *store)
{
	pthread_mutex_lock(&store->runner_start_lock);
	if (atomic_load(&store->runner_state) == 0)
		atomic_store(&store->runner_state,
			     pthread_create(&store->runner, NULL, runner_main, store) == 0 ? 1 : -1);
	pthread_mutex_unlock(&store->runner_start_lock);
}

/* Queue `job`; true when the caller is to run the queue (nobody else is). */
static bool enqueue(struct store *store, struct store_job *job, bool only_if_free)
{
	job->done = job->combine = false;
	job->next = NULL;
	pthread_mutex_lock(&store->jobs_lock);
	if (only_if_free && store->combining) {
		pthread_mutex_unlock(&store->jobs_lock);
		return false;
	}
	*store->jobs_tail = job;
	store->jobs_tail = &job->next;
	bool combiner = !store->combining;
	store->combining = true;
	pthread_mutex_unlock(&store->jobs_lock);
	return combiner;
}

void store_submit(struct store *store, struct store_job *job)
{
	if (store_active_reader(store)) {
		/* inside a read unit the job would run on its read-only connection */
		job->status = STORE_ERROR;
		job->finished(job);
		return;
	}
	if (atomic_load(&store->runner_state) == 0)
		start_runner(store);
	if (atomic_load(&store->runner_state) != 1) {
		/* without a runner a queue left after a few batches could only go
		 * to a waiting caller: this one waits, so that no combiner ever
		 * has to run a whole queue while its own connections wait */
		void (*finished)(struct store_job *) = job->finished;
		job->status = store_run(store, job);
		job->finished = finished;
		finished(job);
		return;
	}
	if (enqueue(store, job, false))
		combine(store);
}

bool store_run_if_free(struct store *store, struct store_job *job)
{
	if (store_active_reader(store)) {
		job->status = STORE_ERROR;
		return true;
	}
	job->finished = NULL;
	if (sem_init(&job->wake, 0, 0) != 0) {
		job->status = STORE_ERROR;
		return true;
	}
	bool combiner = enqueue(store, job, true);
	if (combiner)
		combine(store);
	sem_destroy(&job->wake);
	return combiner;
}

enum store_status store_run(struct store *store, struct store_job *job)
{
	/* inside a read unit the jobs would run on its read-only connection */
	if (store_active_reader(store))
		return STORE_ERROR;
	job->finished = NULL;
	if (sem_init(&job->wake, 0, 0) != 0)
		return STORE_ERROR;
	bool combiner = enqueue(store, job, false);
	while (!combiner) {
		while (sem_wait(&job->wake) != 0)
			; /* EINTR */
		if (job->done)
			break;
		combiner = job->combine;
	}
	if (combiner)
		combine(store);
	sem_destroy(&job->wake);
	return job->status;
}

enum store_status store_account_count(struct store *store, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM accounts";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*count = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

enum store_status store_collect(sqlite3_stmt *stmt, size_t size, bool (*read)(sqlite3_stmt *stmt, void *row),
				void (*finish)(void *row), void **rows, size_t *count)
{
	char *items = NULL;
	size_t n = 0, cap = 0;
	enum store_status status = STORE_OK;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			char *grown = realloc(items, cap * size);
			if (!grown) {
				status = STORE_NOMEM;
				break;
			}
			items = grown;
		}
		memset(items + n * size, 0, size);
		if (!read(stmt, items + n * size)) {
			status = STORE_NOMEM;
			break;
		}
		n++;
	}
	if (status == STORE_OK && rc != SQLITE_DONE)
		status = store_status_of(rc);
	if (status != STORE_OK) {
		for (size_t i = 0; i < n; i++)
			finish(items + i * size);
		free(items);
		items = NULL;
		n = 0;
	}
	*rows = items;
	*count = n;
	return status;
}

enum store_status store_wipe(struct store *store)
{
	store_credentials_forget(store);
	/* DELETE without WHERE may truncate (a table no foreign key involves), unseen by the update hook */
	store_memo_forget(store);
	/* Newest tables first (children before their parents), the AUTOINCREMENT
	 * counters last; names come from the schema, never from a request. */
	static const char list_sql[] = "SELECT name FROM sqlite_master WHERE type = 'table' AND "
				       "(name NOT LIKE 'sqlite%' OR name = 'sqlite_sequence') "
				       "ORDER BY name = 'sqlite_sequence', rowid DESC";
	sqlite3_stmt *list = NULL;
	int rc = sqlite3_prepare_v2(store->db, list_sql, -1, &list, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(list)) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("DELETE FROM \"%w\"", (const char *)sqlite3_column_text(list, 0));
		rc = sql ? sqlite3_exec(store->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
	}
	sqlite3_finalize(list);
	return rc == SQLITE_DONE ? STORE_OK : store_status_of(rc == SQLITE_OK ? SQLITE_ERROR : rc);
}
