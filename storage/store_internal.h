/*
 * Shared between the storage files only: the connection and the cached
 * prepared statements. Nothing outside storage/ includes this.
 */
#ifndef STORAGE_STORE_INTERNAL_H
#define STORAGE_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

#define STORE_STMT_CACHE 128

struct store {
	sqlite3 *db;
	pthread_mutex_t lock;
	/* statements keyed by the address of their static SQL text */
	const char *stmt_sql[STORE_STMT_CACHE];
	sqlite3_stmt *stmt[STORE_STMT_CACHE];
	unsigned stmt_count;
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

#endif
