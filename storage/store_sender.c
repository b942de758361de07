/*
 * Sender addresses. Owns the senders table; never checks address syntax
 * or domain verification (the handler does).
 */
#include "store_sender.h"

#include <stdlib.h>

#include "store_internal.h"

#define COLUMNS "id, address, name, domain, coalesce(smtp_password_hash, ''), status, created"

void store_sender_finish(struct store_sender *row)
{
	if (!row)
		return;
	free(row->address);
	free(row->name);
	free(row->domain);
	free(row->password_hash);
	row->address = row->name = row->domain = row->password_hash = NULL;
}

void store_sender_list_free(struct store_sender *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_sender_finish(&rows[i]);
	free(rows);
}

static bool read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_sender *out = row;
	out->id = sqlite3_column_int64(stmt, 0);
	out->address = store_column_dup(stmt, 1);
	out->name = store_column_dup(stmt, 2);
	out->domain = store_column_dup(stmt, 3);
	out->password_hash = store_column_dup(stmt, 4);
	out->status = sqlite3_column_int(stmt, 5);
	out->created = sqlite3_column_int64(stmt, 6);
	if (out->address && out->name && out->domain && out->password_hash)
		return true;
	store_sender_finish(out);
	return false;
}

static void finish_any(void *row)
{
	store_sender_finish(row);
}

enum store_status store_sender_create(struct store *store, int64_t account, const char *address, const char *name,
				      const char *domain, int status, int64_t now)
{
	static const char sql[] = "INSERT INTO senders (account_id, address, name, domain, status, created) "
				  "VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, name ? name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 5, status);
	sqlite3_bind_int64(stmt, 6, now);
	return store_status_of(sqlite3_step(stmt));
}

enum store_status store_sender_get(struct store *store, int64_t account, const char *address, struct store_sender *out)
{
	static const char sql[] = "SELECT " COLUMNS " FROM senders WHERE account_id = ? AND address = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	return read_row(stmt, out) ? STORE_OK : STORE_NOMEM;
}

/* The standing of a sender: its status and its domain's (-1 without one). */
struct standing_args {
	int64_t account;
	const char *address;
};

static enum store_status read_standing(struct store *store, const void *args, void *out)
{
	static const char sql[] = "SELECT s.status, coalesce(i.status, -1) FROM senders s LEFT JOIN identities i "
				  "ON i.account_id = s.account_id AND i.domain = s.domain "
				  "WHERE s.account_id = ? AND s.address = ?";
	const struct standing_args *a = args;
	int64_t *v = out;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, a->account);
	sqlite3_bind_text(stmt, 2, a->address, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	v[0] = sqlite3_column_int(stmt, 0);
	v[1] = sqlite3_column_int(stmt, 1);
	return STORE_OK;
}

static void encode_standing(struct store_memo_buf *value, enum store_status status, const void *out)
{
	const int64_t *v = out;
	store_memo_int(value, status == STORE_OK);
	store_memo_int(value, v[0]);
	store_memo_int(value, v[1]);
}

static bool decode_standing(struct store_memo_reader *value, enum store_status *status, void *out)
{
	int64_t *v = out, found = 0;
	if (!store_memo_read_int(value, &found) || !store_memo_read_int(value, &v[0]) ||
	    !store_memo_read_int(value, &v[1]))
		return false;
	*status = found ? STORE_OK : STORE_NOT_FOUND;
	return true;
}

static const struct store_memo_kind standing_kind = {read_standing, encode_standing, decode_standing};

enum store_status store_sender_standing(struct store *store, int64_t account, const char *address, int *status,
					int *domain_status)
{
	struct store_memo_buf key;
	struct standing_args args = {account, address};
	int64_t v[2] = {0};
	store_memo_key(&key, 'S', account);
	store_memo_text(&key, address);
	enum store_status result = store_memo_lookup(store, &standing_kind, &key, &args, v);
	store_memo_finish(&key);
	if (result == STORE_OK) {
		*status = (int)v[0];
		*domain_status = (int)v[1];
	}
	return result;
}

static enum store_status count_of(sqlite3_stmt *stmt, int64_t *count)
{
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*count = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

enum store_status store_sender_count(struct store *store, int64_t account, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM senders WHERE account_id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	return count_of(stmt, count);
}

enum store_status store_sender_count_domain(struct store *store, int64_t account, const char *domain, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM senders WHERE account_id = ? AND domain = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, domain, -1, SQLITE_STATIC);
	return count_of(stmt, count);
}

enum store_status store_sender_list(struct store *store, int64_t account, struct store_sender **rows, size_t *count)
{
	static const char sql[] = "SELECT " COLUMNS " FROM senders WHERE account_id = ? ORDER BY id";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_row, finish_any, &items, count);
	*rows = items;
	return status;
}

static enum store_status changed(struct store *store, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	return sqlite3_changes(store->db) ? STORE_OK : STORE_NOT_FOUND;
}

enum store_status store_sender_set_password(struct store *store, int64_t account, const char *address,
					    const char *password_hash)
{
	static const char sql[] = "UPDATE senders SET smtp_password_hash = ? WHERE account_id = ? AND address = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_text(stmt, 3, address, -1, SQLITE_STATIC);
	return changed(store, stmt);
}

enum store_status store_sender_delete(struct store *store, int64_t account, const char *address)
{
	static const char sql[] = "DELETE FROM senders WHERE account_id = ? AND address = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	return changed(store, stmt);
}

enum store_status store_sender_set_status(struct store *store, int64_t account, const char *address, int status)
{
	static const char sql[] = "UPDATE senders SET status = ? WHERE account_id = ? AND address = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, status);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_text(stmt, 3, address, -1, SQLITE_STATIC);
	return changed(store, stmt);
}
