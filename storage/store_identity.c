/*
 * Sending domains. Owns the identities table; never decides verification
 * (the handler and the review mode do).
 */
#include "store_identity.h"

#include <stdlib.h>

#include "store_internal.h"

#define COLUMNS "id, domain, dkim_option, status, tags, dkim_key, created"

void store_identity_finish(struct store_identity *row)
{
	if (!row)
		return;
	free(row->domain);
	free(row->tags);
	free(row->dkim_key);
	row->domain = row->tags = row->dkim_key = NULL;
}

void store_identity_list_free(struct store_identity *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_identity_finish(&rows[i]);
	free(rows);
}

static bool read_row(sqlite3_stmt *stmt, struct store_identity *out)
{
	out->id = sqlite3_column_int64(stmt, 0);
	out->domain = store_column_dup(stmt, 1);
	out->dkim_option = sqlite3_column_int(stmt, 2);
	out->status = sqlite3_column_int(stmt, 3);
	out->tags = store_column_dup(stmt, 4);
	out->dkim_key = store_column_dup(stmt, 5);
	out->created = sqlite3_column_int64(stmt, 6);
	if (out->domain && out->tags && out->dkim_key)
		return true;
	store_identity_finish(out);
	return false;
}

enum store_status store_identity_create(struct store *store, int64_t account, const struct store_identity *in,
					int64_t now)
{
	static const char sql[] = "INSERT INTO identities (account_id, domain, dkim_option, status, tags, "
				  "dkim_key, created) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, in->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, in->dkim_option);
	sqlite3_bind_int(stmt, 4, in->status);
	sqlite3_bind_text(stmt, 5, in->tags ? in->tags : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, in->dkim_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, now);
	return store_status_of(sqlite3_step(stmt));
}

enum store_status store_identity_get(struct store *store, int64_t account, const char *domain,
				     struct store_identity *out)
{
	static const char sql[] = "SELECT " COLUMNS " FROM identities WHERE account_id = ? AND domain = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, domain, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	return read_row(stmt, out) ? STORE_OK : STORE_NOMEM;
}

enum store_status store_identity_held_by_other(struct store *store, int64_t account, const char *domain, bool *held)
{
	static const char sql[] = "SELECT 1 FROM identities WHERE domain = ? AND account_id <> ? LIMIT 1";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, account);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_status_of(rc);
	*held = rc == SQLITE_ROW;
	return STORE_OK;
}

enum store_status store_identity_count(struct store *store, int64_t account, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM identities WHERE account_id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*count = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

static bool read_any(sqlite3_stmt *stmt, void *row)
{
	return read_row(stmt, row);
}

static void finish_any(void *row)
{
	store_identity_finish(row);
}

enum store_status store_identity_list(struct store *store, int64_t account, struct store_identity **rows, size_t *count)
{
	static const char sql[] = "SELECT " COLUMNS " FROM identities WHERE account_id = ? ORDER BY id";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_any, finish_any, &items, count);
	*rows = items;
	return status;
}

enum store_status store_identity_set_status(struct store *store, int64_t account, const char *domain, int status)
{
	static const char sql[] = "UPDATE identities SET status = ? WHERE account_id = ? AND domain = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, status);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_text(stmt, 3, domain, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	return sqlite3_changes(store->db) ? STORE_OK : STORE_NOT_FOUND;
}

enum store_status store_identity_delete(struct store *store, int64_t account, const char *domain)
{
	static const char sql[] = "DELETE FROM identities WHERE account_id = ? AND domain = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, domain, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	return sqlite3_changes(store->db) ? STORE_OK : STORE_NOT_FOUND;
}
