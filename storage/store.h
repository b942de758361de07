/*
 * The SQLite store: opening, pragmas, migrations, and the one transaction
 * an API call runs in.
 *
 * Contract for every storage function: the caller holds the store (between
 * store_begin() and store_commit()/store_rollback()); the account id comes
 * right after the store handle; strings returned in row structs are copies
 * owned by the struct (freed by its *_finish()).
 */
#ifndef STORAGE_STORE_H
#define STORAGE_STORE_H

#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND, /* no such row in this account */
	STORE_EXISTS,    /* a unique key is already taken */
	STORE_NOMEM,
	STORE_ERROR, /* SQLite failed; the transaction must be rolled back */
};

/*
 * Open (creating if needed) the store at `path` ("" or NULL: in memory),
 * set WAL and its pragmas, and run pending migrations. On failure returns
 * STORE_ERROR with one line in `err`, and *out is NULL.
 */
enum store_status store_open(struct store **out, const char *path, char *err, size_t err_size);
/* Close and free. Accepts NULL. */
void store_destroy(struct store *store);

/*
 * Take the store for one unit of work. Every store_begin() is followed by
 * exactly one store_commit() or store_rollback(), on the same thread.
 *
 * A read unit (`write` false) must not write. In a file store it runs on a
 * read-only connection of the calling thread, without the lock, and reads
 * the last committed state (a write fails with STORE_ERROR); in memory it
 * is a unit like any other.
 *
 * Group commit: each unit runs in a savepoint of a transaction that may be
 * shared with the units of other threads waiting for the store; the last
 * unit of a group (the one that finds nobody waiting, or the
 * STORE_GROUP_MAX-th) commits it. store_commit() returns only once the
 * unit's writes are committed, so an answer sent after it is durable.
 */
enum store_status store_begin(struct store *store, bool write);
/* Keep the unit's work and release the store; returns once it is committed
 * (STORE_ERROR when the group's COMMIT failed: the work is lost). */
enum store_status store_commit(struct store *store);
/* Undo the unit's work and release the store. */
void store_rollback(struct store *store);

/*
 * A write unit handed to the store whole: `run` makes its writes, using
 * only the store and `arg` (it may run on another caller's thread), and
 * returns STORE_OK to keep them; any other status undoes them.
 */
struct store_job {
	enum store_status (*run)(struct store *store, void *arg);
	void *arg;
	/* store_submit's: told the outcome (job->status) once the job is
	 * committed or undone; NULL for store_run */
	void (*finished)(struct store_job *job);
	/* the store's */
	enum store_status status;
	bool done;    /* run and committed (or undone): status is final */
	bool combine; /* handed the queue: its caller runs it */
	sem_t wake;   /* posted once, when done or combine is set */
	struct store_job *next;
};

/*
 * Run `job` as a unit of its own and return once it is committed (or
 * undone): run's status, or STORE_ERROR when the commit failed. Call it
 * outside any unit (inside a read unit it returns STORE_ERROR at once;
 * inside a write unit it would wait for itself). Jobs handed in while
 * another caller runs the queue are queued, and run by that caller, in
 * batches of one transaction each (flat combining), each job in its own
 * savepoint: one lock handover and one commit for a batch instead of one
 * each. After STORE_COMBINE_BATCHES batches (store.c) a caller hands the
 * rest of the queue over (see store_submit).
 */
enum store_status store_run(struct store *store, struct store_job *job);

/*
 * store_run without waiting: queue `job` (its `finished` set) and return.
 * job->finished(job) is called exactly once, with job->status final, from
 * whichever thread ran the job: the caller's own, before store_submit
 * returns, when it found nobody running the queue and ran it (up to
 * STORE_COMBINE_BATCHES batches, store.c); another caller's; or the
 * store's runner thread, started at the first store_submit, which takes
 * over a queue left after that many batches whose first job was
 * submitted. When the runner cannot be started, store_submit waits like
 * store_run (and calls `finished` itself before returning). The job must
 * stay valid until `finished`, which must not take the store. Call it
 * outside any unit, like store_run.
 */
void store_submit(struct store *store, struct store_job *job);

/*
 * store_run when nobody is running the queue: the caller runs it (its job
 * in the first batch) and true is returned, job->status final. False, with
 * nothing queued, when another thread is running it: the caller can then
 * hand the job over without waiting (store_submit) instead of waiting.
 */
bool store_run_if_free(struct store *store, struct store_job *job);

/* The number of accounts: 0 means a new store that fixtures may seed. */
enum store_status store_account_count(struct store *store, int64_t *count);

/*
 * Delete every row of every table (the schema stays) and restart the
 * AUTOINCREMENT counters, so that ids start at 1 again as in a new store.
 * Runs in the caller's unit of work: a rollback undoes it.
 */
enum store_status store_wipe(struct store *store);

/*
 * Copy the WAL back into the database file when it holds at least
 * `min_frames` frames (0: always), on the store's second connection, so
 * that neither the copy nor its fsync happens inside a request. Does not
 * take the store; call it from one thread (the scheduler). A no-op for an
 * in-memory store.
 */
enum store_status store_checkpoint(struct store *store, int min_frames);

/* The SQLite error text of the last failure, for logs. */
const char *store_last_error(struct store *store);

#endif
