/*
 * The custom blacklist. Owns the custom_blacklist table; never checks
 * address or date syntax (the handlers do). "Active on today" is one SQL
 * expression, ACTIVE, so that sending, listing and counting agree.
 */
#include "store_blacklist.h"

#include <stdlib.h>

#include "store_internal.h"

#define COLUMNS "id, email, coalesce(expire_date, ''), created"
/* ?3 is today's CST date */
#define ACTIVE "(expire_date IS NULL OR expire_date > ?3)"
#define FILTER                                                                                                         \
	"account_id = ?1 AND (?2 = 2 OR (?2 = 1) = " ACTIVE ") AND (?4 IS NULL OR instr(lower(email), lower(?4)) > 0)"

static void bind_text_or_null(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text && *text)
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

void store_blacklist_finish(struct store_blacklist_entry *row)
{
	if (!row)
		return;
	free(row->email);
	free(row->expire_date);
	row->email = row->expire_date = NULL;
}

void store_blacklist_list_free(struct store_blacklist_entry *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_blacklist_finish(&rows[i]);
	free(rows);
}

static bool read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_blacklist_entry *out = row;
	out->id = sqlite3_column_int64(stmt, 0);
	out->email = store_column_dup(stmt, 1);
	out->expire_date = store_column_dup(stmt, 2);
	out->created = sqlite3_column_int64(stmt, 3);
	if (out->email && out->expire_date)
		return true;
	store_blacklist_finish(out);
	return false;
}

static void finish_any(void *row)
{
	store_blacklist_finish(row);
}

enum store_status store_blacklist_add(struct store *store, int64_t account, const char *email, const char *expire_date,
				      int64_t now, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO custom_blacklist (account_id, email, expire_date, created) VALUES (?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, email, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 3, expire_date);
	sqlite3_bind_int64(stmt, 4, now);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (status == STORE_OK && id)
		*id = sqlite3_last_insert_rowid(store->db);
	return status;
}

struct suppression_args {
	int64_t account;
	const char *recipient, *sender, *today;
};

/* out: blacklisted, unsubscribed (0 or 1). */
static enum store_status read_suppression(struct store *store, const void *args, void *out)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM bounces WHERE account_id = ?1 AND address = ?2) "
		"OR EXISTS (SELECT 1 FROM custom_blacklist WHERE account_id = ?1 AND email = ?2 AND " ACTIVE "), "
		"EXISTS (SELECT 1 FROM unsubscribes WHERE account_id = ?1 AND recipient = ?2 AND sender = ?4)";
	const struct suppression_args *a = args;
	int64_t *v = out;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, a->account);
	sqlite3_bind_text(stmt, 2, a->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, a->today, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, a->sender, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	v[0] = sqlite3_column_int(stmt, 0) != 0;
	v[1] = sqlite3_column_int(stmt, 1) != 0;
	return STORE_OK;
}

static void encode_suppression(struct store_memo_buf *value, enum store_status status, const void *out)
{
	(void)status;
	const int64_t *v = out;
	store_memo_int(value, v[0]);
	store_memo_int(value, v[1]);
}

static bool decode_suppression(struct store_memo_reader *value, enum store_status *status, void *out)
{
	int64_t *v = out;
	*status = STORE_OK;
	return store_memo_read_int(value, &v[0]) && store_memo_read_int(value, &v[1]);
}

static const struct store_memo_kind suppression_kind = {read_suppression, encode_suppression, decode_suppression};

enum store_status store_suppression(struct store *store, int64_t account, const char *recipient, const char *sender,
				    const char *today, bool *blacklisted, bool *unsubscribed)
{
	struct store_memo_buf key;
	struct suppression_args args = {account, recipient, sender, today};
	int64_t v[2] = {0};
	store_memo_key(&key, 'B', account);
	store_memo_text(&key, recipient);
	store_memo_text(&key, sender);
	store_memo_text(&key, today);
	enum store_status status = store_memo_lookup(store, &suppression_kind, &key, &args, v);
	store_memo_finish(&key);
	*blacklisted = status == STORE_OK && v[0];
	*unsubscribed = status == STORE_OK && v[1];
	return status;
}

static void bind_filter(sqlite3_stmt *stmt, int64_t account, const struct store_blacklist_filter *filter)
{
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int(stmt, 2, filter->status);
	sqlite3_bind_text(stmt, 3, filter->today, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 4, filter->email);
}

enum store_status store_blacklist_count(struct store *store, int64_t account,
					const struct store_blacklist_filter *filter, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM custom_blacklist WHERE " FILTER;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	bind_filter(stmt, account, filter);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	*count = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

enum store_status store_blacklist_page(struct store *store, int64_t account,
				       const struct store_blacklist_filter *filter, int64_t offset, int64_t limit,
				       struct store_blacklist_entry **rows, size_t *count)
{
	static const char sql[] =
		"SELECT " COLUMNS " FROM custom_blacklist WHERE " FILTER " ORDER BY id DESC LIMIT ?5 OFFSET ?6";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	bind_filter(stmt, account, filter);
	sqlite3_bind_int64(stmt, 5, limit);
	sqlite3_bind_int64(stmt, 6, offset);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_row, finish_any, &items, count);
	*rows = items;
	return status;
}

enum store_status store_blacklist_update(struct store *store, int64_t account, int64_t id, const char *email,
					 const char *expire_date)
{
	static const char sql[] = "UPDATE custom_blacklist SET email = ?3, expire_date = ?4 "
				  "WHERE account_id = ?1 AND id = ?2";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, id);
	sqlite3_bind_text(stmt, 3, email, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 4, expire_date);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (status == STORE_OK && sqlite3_changes(store->db) == 0)
		return STORE_NOT_FOUND;
	return status;
}

enum store_status store_blacklist_delete(struct store *store, int64_t account, const char *email)
{
	static const char sql[] = "DELETE FROM custom_blacklist WHERE account_id = ? AND email = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, email, -1, SQLITE_STATIC);
	return store_status_of(sqlite3_step(stmt));
}
