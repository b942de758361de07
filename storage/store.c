/*
 * The SQLite store.
 *
 * Owns: the one connection, its pragmas, the migrations embedded from
 * schema.sql, the statement cache, and the lock that serialises work.
 * Never: knows HTTP, JSON envelopes or API error codes.
 *
 * Design: one shared connection behind a mutex, chosen by measurement
 * (DESIGN.md: one connection per thread lost to SQLite's busy-wait backoff,
 * p99 70-160 ms, against 9 ms here). Each API call is one transaction,
 * committed before the answer is sent, so an acknowledged call survives a
 * crash (WAL, synchronous=NORMAL survives process crashes; FULL would be
 * needed only against power loss).
 */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char *const store_schema_sql;

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

sqlite3_stmt *store_stmt(struct store *store, const char *sql)
{
	for (unsigned i = 0; i < store->stmt_count; i++) {
		if (store->stmt_sql[i] == sql) {
			sqlite3_reset(store->stmt[i]);
			sqlite3_clear_bindings(store->stmt[i]);
			return store->stmt[i];
		}
	}
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
		return NULL;
	if (store->stmt_count < STORE_STMT_CACHE) {
		store->stmt_sql[store->stmt_count] = sql;
		store->stmt[store->stmt_count++] = stmt;
	}
	/* The cache is sized above the number of statements in storage/; an
	 * overflow would leak the statement, so it is a programming error. */
	return stmt;
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
	size_t len = end ? (size_t)(end - start) : strlen(start);
	char *sql = malloc(len + 64);
	if (!sql) {
		snprintf(err, err_size, "out of memory");
		return false;
	}
	snprintf(sql, len + 64, "BEGIN;\n%.*s\nPRAGMA user_version = %d;\nCOMMIT;", (int)len, start, n);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	free(sql);
	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "migration %d failed: %s", n, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return false;
	}
	return true;
}

static bool migrate(sqlite3 *db, char *err, size_t err_size)
{
	sqlite3_stmt *stmt = NULL;
	int version = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
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

enum store_status store_open(struct store **out, const char *path, char *err, size_t err_size)
{
	*out = NULL;
	struct store *store = calloc(1, sizeof(*store));
	if (!store) {
		snprintf(err, err_size, "out of memory");
		return STORE_NOMEM;
	}
	pthread_mutex_init(&store->lock, NULL);
	bool memory = !path || !*path;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(memory ? ":memory:" : path, &store->db, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, err_size, "cannot open database '%s': %s", memory ? ":memory:" : path,
			 store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(store->db, 0);
	sqlite3_busy_timeout(store->db, 5000);
	char pragma_err[256];
	if (!exec_all(store->db,
		      "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		      "PRAGMA temp_store = MEMORY;",
		      pragma_err, sizeof(pragma_err))) {
		snprintf(err, err_size, "cannot use database '%s': %s", memory ? ":memory:" : path, pragma_err);
		goto fail;
	}
	char migrate_err[256];
	if (!migrate(store->db, migrate_err, sizeof(migrate_err))) {
		snprintf(err, err_size, "cannot prepare database '%s': %s", memory ? ":memory:" : path, migrate_err);
		goto fail;
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
	for (unsigned i = 0; i < store->stmt_count; i++)
		sqlite3_finalize(store->stmt[i]);
	if (store->db)
		sqlite3_close(store->db);
	pthread_mutex_destroy(&store->lock);
	free(store);
}

enum store_status store_begin(struct store *store, bool write)
{
	static const char begin_write[] = "BEGIN IMMEDIATE";
	static const char begin_read[] = "BEGIN";
	pthread_mutex_lock(&store->lock);
	sqlite3_stmt *stmt = store_stmt(store, write ? begin_write : begin_read);
	int rc = stmt ? sqlite3_step(stmt) : SQLITE_ERROR;
	if (rc != SQLITE_DONE) {
		pthread_mutex_unlock(&store->lock);
		return store_status_of(rc == SQLITE_ROW ? SQLITE_ERROR : rc);
	}
	return STORE_OK;
}

enum store_status store_commit(struct store *store)
{
	static const char commit[] = "COMMIT";
	for (unsigned i = 0; i < store->stmt_count; i++)
		sqlite3_reset(store->stmt[i]);
	sqlite3_stmt *stmt = store_stmt(store, commit);
	int rc = stmt ? sqlite3_step(stmt) : SQLITE_ERROR;
	if (rc != SQLITE_DONE) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		pthread_mutex_unlock(&store->lock);
		return STORE_ERROR;
	}
	pthread_mutex_unlock(&store->lock);
	return STORE_OK;
}

void store_rollback(struct store *store)
{
	static const char rollback[] = "ROLLBACK";
	for (unsigned i = 0; i < store->stmt_count; i++)
		sqlite3_reset(store->stmt[i]);
	sqlite3_stmt *stmt = store_stmt(store, rollback);
	if (!stmt || sqlite3_step(stmt) != SQLITE_DONE)
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&store->lock);
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
