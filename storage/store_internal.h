/*
 * Shared between the storage files only: the connection and the cached
 * prepared statements. Nothing outside storage/ includes this.
 */
#ifndef STORAGE_STORE_INTERNAL_H
#define STORAGE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>

#include "store.h"
#include "store_account.h"

/* Prepared statements, an open-addressing table keyed by the address of
 * their static SQL text; cap is a power of two, at most half full. */
struct store_statements {
	const char **sql;
	sqlite3_stmt **stmt;
	unsigned count, cap;
};

/* A thread's read-only connection (store.c). */
struct store_reader {
	sqlite3 *db;
	struct store_statements statements;
	bool active; /* inside a read unit */
	struct store_reader *next;
};

/* One remembered credential (store_account.c). */
struct store_cached_credential {
	char secret_id[129];
	char key[256];
	char allow[256];
	struct store_account account;
	bool used;
};

#define STORE_CREDENTIAL_CACHE 64

struct store {
	sqlite3 *db;
	/* Credentials already looked up, so that a signature check needs no
	 * unit of the store; cleared by every write to accounts or credentials
	 * (store_account.c) and by store_wipe(). Its own lock, never held while
	 * taking the store's. */
	pthread_rwlock_t credentials_lock;
	struct store_cached_credential credentials[STORE_CREDENTIAL_CACHE];
	/* Bumped (under credentials_lock) whenever the cache is cleared: a
	 * lookup on a reader remembers its answer only if no clear happened
	 * since it began. A write unit that clears sets credentials_dirty (under
	 * the store's lock), and the cache is cleared again once its group has
	 * committed, so a snapshot taken before the commit cannot outlive it. */
	uint64_t credentials_gen;
	bool credentials_dirty;
	/*
	 * Group commit (store.c): the connection's transaction may hold the work
	 * of several callers, each in its own savepoint; it is committed by the
	 * caller that finds nobody waiting, and the others wait for that.
	 */
	pthread_cond_t committed;
	_Atomic int pending;            /* callers waiting in store_begin() for the lock */
	bool tx_open;                   /* the shared transaction is open */
	uint64_t group;                 /* the number of the open (or last) group */
	uint64_t done_group;            /* the last group that ended */
	int done_status;                /* how it ended (enum store_status) */
	unsigned members;               /* callers in the open group so far */
	sqlite3_int64 changes_at_begin; /* total changes when the current caller began */
	/* A second connection, only for WAL checkpoints off the request path
	 * (file stores only; NULL in memory). Used by one thread at a time. */
	sqlite3 *checkpointer;
	/* frames in the WAL after the last commit (from the WAL hook) */
	_Atomic int wal_frames;
	pthread_mutex_t lock;
	struct store_statements statements; /* of db */
	/*
	 * Read units (store_begin(store, false)) of a file store run on a
	 * read-only connection of their thread, without the lock: SQLite's WAL
	 * lets them read the last commit while the writer works. Each thread's
	 * reader is found through reader_key; every reader is on the `readers`
	 * list (under readers_lock) and closed by store_destroy().
	 */
	char *path; /* NULL for an in-memory store, which has no readers */
	pthread_key_t reader_key;
	bool reader_key_ok;
	pthread_mutex_t readers_lock;
	struct store_reader *readers;
};

/*
 * The prepared statement for the static string `sql`, reset and with its
 * bindings cleared; NULL on failure. Owned by the store.
 */
sqlite3_stmt *store_stmt(struct store *store, const char *sql);

/* Map a SQLite result code to a store status. */
enum store_status store_status_of(int rc);

/* A malloc'd copy of column `col` as text ("" for NULL); NULL when out of memory. */
char *store_column_dup(sqlite3_stmt *stmt, int col);

/*
 * Step `stmt` to the end, reading each row with `read` into a growing
 * array of `size`-byte elements. On success *rows and *count hold them (caller
 * frees each with `finish`, then the array); on failure everything read is
 * freed and *rows is NULL.
 */
enum store_status store_collect(sqlite3_stmt *stmt, size_t size, bool (*read)(sqlite3_stmt *stmt, void *row),
				void (*finish)(void *row), void **rows, size_t *count);

/* Forget every remembered credential, now and again once the caller's
 * group has committed (the caller holds the store for writing). */
void store_credentials_forget(struct store *store);
/* Forget every remembered credential now. */
void store_credentials_clear(struct store *store);

#endif
