/*
 * Unsubscribe settings and recorded unsubscribes. Owns the
 * unsubscribe_configs and unsubscribes tables; never checks that a sender
 * exists or that a code is valid (the handlers do).
 */
#include "store_unsubscribe.h"

#include <stdlib.h>

#include "store_internal.h"

void store_unsubscribe_config_finish(struct store_unsubscribe_config *row)
{
	if (!row)
		return;
	free(row->address);
	free(row->config);
	row->address = row->config = NULL;
}

void store_unsubscribe_config_list_free(struct store_unsubscribe_config *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_unsubscribe_config_finish(&rows[i]);
	free(rows);
}

static bool read_config(sqlite3_stmt *stmt, void *row)
{
	struct store_unsubscribe_config *out = row;
	out->address = store_column_dup(stmt, 0);
	out->config = store_column_dup(stmt, 1);
	out->status = sqlite3_column_int(stmt, 2);
	if (out->address && out->config)
		return true;
	store_unsubscribe_config_finish(out);
	return false;
}

static void finish_any(void *row)
{
	store_unsubscribe_config_finish(row);
}

/* Bind (account, address, config, status, now) as ?1..?5 and run `sql`. */
static enum store_status write_config(struct store *store, const char *sql, int64_t account, const char *address,
				      const char *config, int status, int64_t now)
{
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, config, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, status);
	sqlite3_bind_int64(stmt, 5, now);
	enum store_status result = store_status_of(sqlite3_step(stmt));
	if (result == STORE_OK && sqlite3_changes(store->db) == 0)
		return STORE_NOT_FOUND;
	return result;
}

enum store_status store_unsubscribe_config_put(struct store *store, int64_t account, const char *address,
					       const char *config, int status, int64_t now)
{
	static const char sql[] =
		"INSERT INTO unsubscribe_configs (account_id, address, config, status, created, updated) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (account_id, address) DO UPDATE SET "
		"config = excluded.config, status = excluded.status, updated = excluded.updated";
	return write_config(store, sql, account, address, config, status, now);
}

enum store_status store_unsubscribe_config_update(struct store *store, int64_t account, const char *address,
						  const char *config, int status, int64_t now)
{
	static const char sql[] = "UPDATE unsubscribe_configs SET config = ?3, status = ?4, updated = ?5 "
				  "WHERE account_id = ?1 AND address = ?2";
	return write_config(store, sql, account, address, config, status, now);
}

struct config_args {
	int64_t account;
	const char *address;
};

static enum store_status read_config_of(struct store *store, const void *args, void *out)
{
	static const char sql[] =
		"SELECT address, config, status FROM unsubscribe_configs WHERE account_id = ? AND address = ?";
	const struct config_args *a = args;
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
	return read_config(stmt, out) ? STORE_OK : STORE_NOMEM;
}

static void encode_config(struct store_memo_buf *value, enum store_status status, const void *out)
{
	const struct store_unsubscribe_config *c = out;
	store_memo_int(value, status == STORE_OK);
	if (status != STORE_OK)
		return;
	store_memo_text(value, c->address);
	store_memo_text(value, c->config);
	store_memo_int(value, c->status);
}

static bool decode_config(struct store_memo_reader *v, enum store_status *status, void *out)
{
	struct store_unsubscribe_config *c = out;
	int64_t found = 0, state = 0;
	if (!store_memo_read_int(v, &found))
		return false;
	*status = found ? STORE_OK : STORE_NOT_FOUND;
	if (!found)
		return true;
	if (store_memo_read_text(v, &c->address) && store_memo_read_text(v, &c->config) &&
	    store_memo_read_int(v, &state) && c->address && c->config) {
		c->status = (int)state;
		return true;
	}
	store_unsubscribe_config_finish(c);
	return false;
}

static const struct store_memo_kind config_kind = {read_config_of, encode_config, decode_config};

enum store_status store_unsubscribe_config_get(struct store *store, int64_t account, const char *address,
					       struct store_unsubscribe_config *out)
{
	struct store_memo_buf key;
	struct config_args args = {account, address};
	struct store_unsubscribe_config c = {0};
	store_memo_key(&key, 'U', account);
	store_memo_text(&key, address);
	enum store_status status = store_memo_lookup(store, &config_kind, &key, &args, &c);
	store_memo_finish(&key);
	if (status == STORE_OK)
		*out = c;
	return status;
}

enum store_status store_unsubscribe_config_delete(struct store *store, int64_t account, const char *address)
{
	static const char sql[] = "DELETE FROM unsubscribe_configs WHERE account_id = ? AND address = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (status == STORE_OK && sqlite3_changes(store->db) == 0)
		return STORE_NOT_FOUND;
	return status;
}

enum store_status store_unsubscribe_config_page(struct store *store, int64_t account, int64_t offset, int64_t limit,
						int64_t *total, struct store_unsubscribe_config **rows, size_t *count)
{
	static const char count_sql[] = "SELECT count(*) FROM unsubscribe_configs WHERE account_id = ?";
	static const char sql[] = "SELECT address, config, status FROM unsubscribe_configs WHERE account_id = ? "
				  "ORDER BY id LIMIT ? OFFSET ?";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, count_sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	*total = sqlite3_column_int64(stmt, 0);
	if (!(stmt = store_stmt(store, sql)))
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, limit);
	sqlite3_bind_int64(stmt, 3, offset);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_config, finish_any, &items, count);
	*rows = items;
	return status;
}

enum store_status store_unsubscribe_add(struct store *store, int64_t account, const char *recipient, const char *sender,
					const char *message_id, int64_t now)
{
	static const char sql[] = "INSERT INTO unsubscribes (account_id, recipient, sender, message_id, created) "
				  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, recipient, sender) DO NOTHING";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, message_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, now);
	return store_status_of(sqlite3_step(stmt));
}

static void finish_unsubscribe(void *row)
{
	struct store_unsubscribe *u = row;
	free(u->recipient);
	free(u->sender);
	free(u->message_id);
	u->recipient = u->sender = u->message_id = NULL;
}

void store_unsubscribe_list_free(struct store_unsubscribe *rows, size_t count)
{
	for (size_t i = 0; rows && i < count; i++)
		finish_unsubscribe(&rows[i]);
	free(rows);
}

static bool read_unsubscribe(sqlite3_stmt *stmt, void *row)
{
	struct store_unsubscribe *out = row;
	out->recipient = store_column_dup(stmt, 0);
	out->sender = store_column_dup(stmt, 1);
	out->message_id = store_column_dup(stmt, 2);
	out->created = sqlite3_column_int64(stmt, 3);
	if (out->recipient && out->sender && out->message_id)
		return true;
	finish_unsubscribe(out);
	return false;
}

enum store_status store_unsubscribe_page(struct store *store, int64_t account, int64_t offset, int64_t limit,
					 struct store_unsubscribe **rows, size_t *count)
{
	static const char sql[] = "SELECT recipient, sender, message_id, created FROM unsubscribes "
				  "WHERE account_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, limit);
	sqlite3_bind_int64(stmt, 3, offset);
	void *items;
	enum store_status status =
		store_collect(stmt, sizeof(**rows), read_unsubscribe, finish_unsubscribe, &items, count);
	*rows = items;
	return status;
}
