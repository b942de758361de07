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

/* A member of the open group waiting for it to end (store.c), on its stack. */
struct store_waiter {
	int status; /* enum store_status, once done */
	bool done;
	struct store_waiter *next;
};

/* A thread's read-only connection (store.c). */
struct store_reader {
	sqlite3 *db;
	struct store_statements statements;
	bool active;       /* inside a read unit */
	bool begun;        /* its transaction has begun: BEGIN waits for the unit's first statement */
	uint64_t memo_tag; /* store->memo_gen just before that BEGIN (store_memo.c) */
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

/* Remembered lookups (store_memo.c): a direct-mapped table of key and value bytes. */
#define STORE_MEMO_SLOTS 1024
#define STORE_MEMO_MAX (64 * 1024) /* larger keys or values are not remembered */

struct store_memo_slot {
	unsigned char *bytes; /* the key, then the value; NULL when empty */
	size_t key_len, value_len;
	uint64_t hash;
	uint64_t gen; /* memo_gen it was read under */
};

struct store_memo_table {
	pthread_mutex_t lock;
	struct store_memo_slot slots[STORE_MEMO_SLOTS];
};

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
	/* Remembered lookups and their generation (store_memo.c); memo_dirty
	 * (under the store's lock) says the open group wrote a table they read. */
	struct store_memo_table memo;
	_Atomic uint64_t memo_gen;
	bool memo_dirty;
	/* The statistics counters' sums of what was stored since their last
	 * catch-up (store_stats.c), all under the store's lock; NULL when
	 * out of memory at open (the catch-up then always reads the rows). */
	struct stats_tally *tally;
	/*
	 * Group commit (store.c): the connection's transaction may hold the work
	 * of several callers, each in its own savepoint; it is committed by the
	 * caller that finds nobody waiting, and the others wait for that.
	 */
	_Atomic int pending; /* callers waiting in store_begin() for the lock */
	bool tx_open;        /* the shared transaction is open */
	/* The open group's members waiting for it to end: added under both
	 * locks, told and emptied under both when it ends (end_group). They
	 * wait on `committed` with only waiters_lock. */
	pthread_mutex_t waiters_lock;
	pthread_cond_t committed;
	struct store_waiter *waiters;
	/* Jobs (store_run, store_submit) waiting to be run, in order, and
	 * whether a thread is running them (the combiner); all under jobs_lock,
	 * which is never held while running them. A store_run caller waits on
	 * its job's own semaphore; a submitted job is told by its callback. */
	pthread_mutex_t jobs_lock;
	struct store_job *jobs, **jobs_tail;
	bool combining;
	/* The runner thread (store_submit): started once (runner_state 1, or
	 * -1 when it could not be), it runs the queue a combiner left to it
	 * (runner_wanted), until runner_stop; under jobs_lock, signalled on
	 * runner_cond. */
	pthread_t runner;
	pthread_mutex_t runner_start_lock;
	_Atomic int runner_state;
	bool runner_wanted, runner_stop;
	pthread_cond_t runner_cond;
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

/* The calling thread's reader while it is inside a read unit, else NULL. */
struct store_reader *store_active_reader(struct store *store);

/*
 * Remembered lookups (store_memo.c). A lookup builds its key with
 * store_memo_key() and the appenders, and calls store_memo_lookup() with
 * its kind: how to read the answer from the store, encode it into bytes and
 * decode it back. Buffers start inline and must be finished.
 */
struct store_memo_buf {
	unsigned char *bytes;
	size_t len, cap;
	bool ok; /* false once an append failed: never remembered */
	unsigned char inline_bytes[256];
};

void store_memo_init(struct store *store);
/* Watch the writing connection's writes (after the migrations). */
void store_memo_watch(struct store *store);
void store_memo_destroy(struct store *store);
void store_memo_key(struct store_memo_buf *b, char kind, int64_t account);
void store_memo_int(struct store_memo_buf *b, int64_t value);
void store_memo_text(struct store_memo_buf *b, const char *text); /* NULL allowed */
void store_memo_finish(struct store_memo_buf *b);

/* A remembered value being decoded. */
struct store_memo_reader {
	const unsigned char *bytes;
	size_t len, at;
};
bool store_memo_read_int(struct store_memo_reader *r, int64_t *value);
bool store_memo_read_text(struct store_memo_reader *r, char **text); /* malloc'd, NULL for NULL */

struct store_memo_kind {
	/* Read the answer into `out`: STORE_OK and STORE_NOT_FOUND are answers (remembered), anything else an error. */
	enum store_status (*read)(struct store *store, const void *args, void *out);
	/* Append the answer (`status` STORE_OK or STORE_NOT_FOUND, and `out`) to a value. */
	void (*encode)(struct store_memo_buf *value, enum store_status status, const void *out);
	/* Fill *status and `out` from a value; false (nothing left to free in `out`) when it cannot. */
	bool (*decode)(struct store_memo_reader *value, enum store_status *status, void *out);
};

/*
 * The answer for `key`: remembered if it is current, else read (and offered
 * to memory if nothing it depends on was written since before the read
 * began). Returns the answer's status or the read's error.
 */
enum store_status store_memo_lookup(struct store *store, const struct store_memo_kind *kind,
				    const struct store_memo_buf *key, const void *args, void *out);
/* Make every remembered answer stale, now and again when the caller's group
 * ends (the caller holds the store for writing). */
void store_memo_forget(struct store *store);
/* At the end of a group (commit or rollback): stale again if the group
 * wrote a table the lookups read. A unit rolled back inside a group needs
 * nothing: while the group is dirty the writing connection neither uses nor
 * offers remembered answers, so none was read from its writes. */
void store_memo_settle(struct store *store);

/*
 * The statistics tally (store_stats.c): store_message_add() adds each
 * message and its deliveries as it stores them, so that the catch-up can
 * count them without reading them back. All calls hold the store's lock.
 * What the open transaction added counts only once its group commits
 * (store_tally_end).
 */
struct store_message_in;
/* The part of an address after its last '@' ("" without one): a delivery's mailbox. */
const char *store_domain_of(const char *address);
bool store_tally_init(struct store *store);
void store_tally_destroy(struct store *store);
/* around store_message_add's own inserts, which the update hook then ignores */
void store_tally_adding(struct store *store, bool adding);
void store_tally_add(struct store *store, int64_t account, int64_t message, int outcome, int64_t first_delivery,
		     const struct store_message_in *in);
/* from the update hook: a row of `table` inserted, changed or deleted */
void store_tally_row(struct store *store, int op, const char *table, int64_t rowid);
/* catch-ups served from the tally so far (for the tests) */
uint64_t store_stats_tally_used(const struct store *store);
/* the open group ended: committed, or rolled back */
void store_tally_end(struct store *store, bool committed);

#endif
