/*
 * Recipient groups, their members and the rows waiting for upload. Owns the
 * receivers, receiver_members and receiver_uploads tables; never validates
 * addresses or template data (the handlers' rules) and never reads a clock
 * (callers pass the times).
 */
#include "store_receiver.h"

#include <stdlib.h>

#include "store_internal.h"

#define RECEIVER_COLUMNS "id, name, description, status, member_count, invalid_count, data_keys, created"
#define MEMBER_COLUMNS "id, email, template_data, status, reason, created"

void store_receiver_finish(struct store_receiver *row)
{
	if (!row)
		return;
	free(row->name);
	free(row->description);
	free(row->data_keys);
	row->name = row->description = row->data_keys = NULL;
}

void store_receiver_list_free(struct store_receiver *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_receiver_finish(&rows[i]);
	free(rows);
}

void store_receiver_member_finish(struct store_receiver_member *row)
{
	if (!row)
		return;
	free(row->email);
	free(row->template_data);
	free(row->reason);
	row->email = row->template_data = row->reason = NULL;
}

void store_receiver_members_free(struct store_receiver_member *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_receiver_member_finish(&rows[i]);
	free(rows);
}

static char *nullable_dup(sqlite3_stmt *stmt, int col, bool *nomem)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return NULL;
	char *s = store_column_dup(stmt, col);
	*nomem |= s == NULL;
	return s;
}

static void bind_nullable(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text)
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

static bool read_receiver(sqlite3_stmt *stmt, void *row)
{
	struct store_receiver *out = row;
	bool nomem = false;
	out->id = sqlite3_column_int64(stmt, 0);
	out->name = store_column_dup(stmt, 1);
	out->description = store_column_dup(stmt, 2);
	out->status = sqlite3_column_int(stmt, 3);
	out->member_count = sqlite3_column_int64(stmt, 4);
	out->invalid_count = sqlite3_column_int64(stmt, 5);
	out->data_keys = nullable_dup(stmt, 6, &nomem);
	out->created = sqlite3_column_int64(stmt, 7);
	if (!nomem && out->name && out->description)
		return true;
	store_receiver_finish(out);
	return false;
}

static void finish_receiver(void *row)
{
	store_receiver_finish(row);
}

static bool read_member(sqlite3_stmt *stmt, void *row)
{
	struct store_receiver_member *out = row;
	bool nomem = false;
	out->id = sqlite3_column_int64(stmt, 0);
	out->email = store_column_dup(stmt, 1);
	out->template_data = nullable_dup(stmt, 2, &nomem);
	out->status = sqlite3_column_int(stmt, 3);
	out->reason = store_column_dup(stmt, 4);
	out->created = sqlite3_column_int64(stmt, 5);
	if (!nomem && out->email && out->reason)
		return true;
	store_receiver_member_finish(out);
	return false;
}

static void finish_member(void *row)
{
	store_receiver_member_finish(row);
}

/* Step a statement that returns no row; STORE_NOT_FOUND when it changed nothing. */
static enum store_status step_change(struct store *store, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	return sqlite3_changes(store->db) ? STORE_OK : STORE_NOT_FOUND;
}

/* Step a statement whose one row holds one integer. */
static enum store_status step_int(sqlite3_stmt *stmt, int64_t *value)
{
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	*value = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

/* Insert a pending group; `wanted` 0 lets SQLite pick the id (AUTOINCREMENT). */
static enum store_status create_group(struct store *store, int64_t account, int64_t wanted, const char *name,
				      const char *description, int64_t now, int64_t *id)
{
	static const char sql[] = "INSERT INTO receivers (account_id, name, description, status, created, id) "
				  "VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, description ? description : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, STORE_RECEIVER_PENDING);
	sqlite3_bind_int64(stmt, 5, now);
	if (wanted > 0)
		sqlite3_bind_int64(stmt, 6, wanted);
	else
		sqlite3_bind_null(stmt, 6);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	*id = sqlite3_last_insert_rowid(store->db);
	return STORE_OK;
}

enum store_status store_receiver_create(struct store *store, int64_t account, const char *name, const char *description,
					int64_t now, int64_t *id)
{
	return create_group(store, account, 0, name, description, now, id);
}

enum store_status store_receiver_create_with_id(struct store *store, int64_t account, int64_t id, const char *name,
						const char *description, int64_t now)
{
	int64_t created;
	return create_group(store, account, id, name, description, now, &created);
}

enum store_status store_receiver_count(struct store *store, int64_t account, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM receivers WHERE account_id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	return step_int(stmt, count);
}

enum store_status store_receiver_get(struct store *store, int64_t account, int64_t id, struct store_receiver *out)
{
	static const char sql[] = "SELECT " RECEIVER_COLUMNS " FROM receivers WHERE account_id = ? AND id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	return read_receiver(stmt, out) ? STORE_OK : STORE_NOMEM;
}

/* The WHERE clause of ListReceivers: ?1 account, ?2 status (0 any), ?3 keyword ("" any). */
#define RECEIVER_FILTER                                                                                                \
	"WHERE account_id = ?1 AND (?2 = 0 OR status = ?2) AND (?3 = '' OR instr(lower(name), lower(?3)) > 0)"

static void bind_receiver_filter(sqlite3_stmt *stmt, int64_t account, const struct store_receiver_filter *filter)
{
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int(stmt, 2, filter->status);
	sqlite3_bind_text(stmt, 3, filter->keyword ? filter->keyword : "", -1, SQLITE_STATIC);
}

enum store_status store_receiver_list(struct store *store, int64_t account, const struct store_receiver_filter *filter,
				      int64_t offset, int64_t limit, struct store_receiver **rows, size_t *count,
				      int64_t *total)
{
	static const char count_sql[] = "SELECT count(*) FROM receivers " RECEIVER_FILTER;
	static const char sql[] =
		"SELECT " RECEIVER_COLUMNS " FROM receivers " RECEIVER_FILTER " ORDER BY id DESC LIMIT ?4 OFFSET ?5";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, count_sql);
	if (!stmt)
		return STORE_ERROR;
	bind_receiver_filter(stmt, account, filter);
	enum store_status status = step_int(stmt, total);
	if (status != STORE_OK)
		return status;
	stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	bind_receiver_filter(stmt, account, filter);
	sqlite3_bind_int64(stmt, 4, limit);
	sqlite3_bind_int64(stmt, 5, offset);
	void *items;
	status = store_collect(stmt, sizeof(**rows), read_receiver, finish_receiver, &items, count);
	*rows = items;
	return status;
}

enum store_status store_receiver_delete(struct store *store, int64_t account, int64_t id)
{
	/* Foreign keys cascade to receiver_members and receiver_uploads. */
	static const char sql[] = "DELETE FROM receivers WHERE account_id = ? AND id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, id);
	return step_change(store, stmt);
}

enum store_status store_receiver_set_status(struct store *store, int64_t account, int64_t id, int status)
{
	static const char sql[] = "UPDATE receivers SET status = ? WHERE account_id = ? AND id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, status);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_int64(stmt, 3, id);
	return step_change(store, stmt);
}

enum store_status store_receiver_has_email(struct store *store, int64_t account, int64_t receiver_id, const char *email,
					   bool *found)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM receiver_members WHERE receiver_id = ?1 AND email = ?3 AND account_id = "
		"?2)"
		" OR EXISTS (SELECT 1 FROM receiver_uploads WHERE receiver_id = ?1 AND email = ?3 AND account_id = ?2)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, receiver_id);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_text(stmt, 3, email, -1, SQLITE_STATIC);
	int64_t value = 0;
	enum store_status status = step_int(stmt, &value);
	*found = value != 0;
	return status;
}

/* Bind the member columns (receiver_id, account_id, email, template_data, status, reason, created) from ?1. */
static void bind_member(sqlite3_stmt *stmt, int64_t account, int64_t receiver_id,
			const struct store_receiver_member *row)
{
	sqlite3_bind_int64(stmt, 1, receiver_id);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_text(stmt, 3, row->email, -1, SQLITE_STATIC);
	bind_nullable(stmt, 4, row->template_data);
	sqlite3_bind_int(stmt, 5, row->status);
	sqlite3_bind_text(stmt, 6, row->reason ? row->reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, row->created);
}

enum store_status store_receiver_submit(struct store *store, int64_t account, int64_t receiver_id,
					const struct store_receiver_member *row)
{
	static const char sql[] = "INSERT INTO receiver_uploads (receiver_id, account_id, email, template_data, "
				  "status, reason, created) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	bind_member(stmt, account, receiver_id, row);
	return store_status_of(sqlite3_step(stmt));
}

enum store_status store_receiver_start_upload(struct store *store, int64_t account, int64_t receiver_id,
					      const char *data_keys)
{
	static const char sql[] = "UPDATE receivers SET status = ?, upload_seen_ms = NULL, "
				  "data_keys = coalesce(?, data_keys) WHERE account_id = ? AND id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, STORE_RECEIVER_UPLOADING);
	bind_nullable(stmt, 2, data_keys);
	sqlite3_bind_int64(stmt, 3, account);
	sqlite3_bind_int64(stmt, 4, receiver_id);
	return step_change(store, stmt);
}

enum store_status store_receiver_add_member(struct store *store, int64_t account, int64_t receiver_id,
					    const struct store_receiver_member *row, const char *data_keys)
{
	static const char insert_sql[] = "INSERT INTO receiver_members (receiver_id, account_id, email, "
					 "template_data, status, reason, created) VALUES (?, ?, ?, ?, ?, ?, ?)";
	static const char count_sql[] = "UPDATE receivers SET member_count = member_count + 1, "
					"invalid_count = invalid_count + ?, data_keys = coalesce(data_keys, ?) "
					"WHERE account_id = ? AND id = ?";
	sqlite3_stmt *stmt = store_stmt(store, insert_sql);
	if (!stmt)
		return STORE_ERROR;
	bind_member(stmt, account, receiver_id, row);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (status != STORE_OK)
		return status;
	stmt = store_stmt(store, count_sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, row->status == STORE_MEMBER_INVALID);
	bind_nullable(stmt, 2, data_keys);
	sqlite3_bind_int64(stmt, 3, account);
	sqlite3_bind_int64(stmt, 4, receiver_id);
	return step_change(store, stmt);
}

enum store_status store_receiver_members_page(struct store *store, int64_t account, int64_t receiver_id,
					      int64_t after_member_id, int64_t limit,
					      struct store_receiver_member **rows, size_t *count)
{
	static const char sql[] = "SELECT " MEMBER_COLUMNS " FROM receiver_members WHERE receiver_id = ? AND "
				  "account_id = ? AND id > ? ORDER BY id LIMIT ?";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, receiver_id);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_int64(stmt, 3, after_member_id);
	sqlite3_bind_int64(stmt, 4, limit);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_member, finish_member, &items, count);
	*rows = items;
	return status;
}

/* The WHERE clause of ListReceiverDetails: ?1 group, ?2 account, ?3 email substring
 * ("" any), ?4 and ?5 the creation bounds, ?6 status (0 any). */
#define MEMBER_FILTER                                                                                                  \
	"WHERE receiver_id = ?1 AND account_id = ?2 AND (?3 = '' OR instr(lower(email), lower(?3)) > 0) AND "          \
	"created BETWEEN ?4 AND ?5 AND (?6 = 0 OR status = ?6)"

static void bind_member_filter(sqlite3_stmt *stmt, int64_t account, int64_t receiver_id,
			       const struct store_member_filter *filter)
{
	sqlite3_bind_int64(stmt, 1, receiver_id);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_text(stmt, 3, filter->email ? filter->email : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, filter->created_from);
	sqlite3_bind_int64(stmt, 5, filter->created_to);
	sqlite3_bind_int(stmt, 6, filter->status);
}

enum store_status store_receiver_members_list(struct store *store, int64_t account, int64_t receiver_id,
					      const struct store_member_filter *filter, int64_t offset, int64_t limit,
					      struct store_receiver_member **rows, size_t *count)
{
	static const char sql[] =
		"SELECT " MEMBER_COLUMNS " FROM receiver_members " MEMBER_FILTER " ORDER BY id LIMIT ?7 OFFSET ?8";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	bind_member_filter(stmt, account, receiver_id, filter);
	sqlite3_bind_int64(stmt, 7, limit);
	sqlite3_bind_int64(stmt, 8, offset);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_member, finish_member, &items, count);
	*rows = items;
	return status;
}

enum store_status store_receiver_members_count(struct store *store, int64_t account, int64_t receiver_id,
					       const struct store_member_filter *filter, int64_t *total, int64_t *valid,
					       int64_t *invalid)
{
	static const char sql[] = "SELECT count(*), coalesce(sum(status = 1), 0), coalesce(sum(status = 2), 0) "
				  "FROM receiver_members " MEMBER_FILTER;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	bind_member_filter(stmt, account, receiver_id, filter);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	*total = sqlite3_column_int64(stmt, 0);
	*valid = sqlite3_column_int64(stmt, 1);
	*invalid = sqlite3_column_int64(stmt, 2);
	return STORE_OK;
}

/*
 * The upload worker's statements name the uploading status as the literal
 * UPLOADING, not a bound parameter: a parameter compared with the column of
 * a partial index (receivers_uploading, WHERE status = 2) makes SQLite
 * prepare the statement again at every bind, which cost each idle scheduler
 * pass about 190,000 instructions (callgrind).
 */
#define UPLOADING "2"
#define UPLOADED "3"
_Static_assert(STORE_RECEIVER_UPLOADING == 2 && STORE_RECEIVER_UPLOADED == 3, "UPLOADING and UPLOADED in SQL");

enum store_status store_upload_stamp(struct store *store, int64_t now_ms)
{
	static const char sql[] =
		"UPDATE receivers SET upload_seen_ms = ? WHERE status = " UPLOADING " AND upload_seen_ms IS NULL";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now_ms);
	return store_status_of(sqlite3_step(stmt));
}

/* Run `sql` with the one parameter `last` (the last submitted row to move). */
static enum store_status run_with_last(struct store *store, const char *sql, int64_t last)
{
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, last);
	return store_status_of(sqlite3_step(stmt));
}

enum store_status store_upload_move(struct store *store, int64_t budget, int64_t *moved)
{
	static const char last_sql[] =
		"SELECT count(*), coalesce(max(id), 0) FROM (SELECT id FROM receiver_uploads ORDER BY id LIMIT ?)";
	/* A duplicate cannot reach here (the handlers drop them, and a group
	 * takes no new rows while uploading); OR IGNORE keeps the worker from
	 * wedging on one if it ever did, and the recount stays exact. */
	static const char insert_sql[] =
		"INSERT OR IGNORE INTO receiver_members (receiver_id, account_id, email, template_data, status, "
		"reason, created) SELECT receiver_id, account_id, email, template_data, status, reason, created "
		"FROM receiver_uploads WHERE id <= ?1 ORDER BY id";
	static const char recount_sql[] =
		"UPDATE receivers SET member_count = (SELECT count(*) FROM receiver_members m WHERE m.receiver_id = "
		"receivers.id), invalid_count = (SELECT count(*) FROM receiver_members m WHERE m.receiver_id = "
		"receivers.id AND m.status = 2) WHERE id IN (SELECT receiver_id FROM receiver_uploads WHERE id <= ?1)";
	static const char delete_sql[] = "DELETE FROM receiver_uploads WHERE id <= ?1";
	*moved = 0;
	sqlite3_stmt *stmt = store_stmt(store, last_sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, budget);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	int64_t rows = sqlite3_column_int64(stmt, 0);
	int64_t last = sqlite3_column_int64(stmt, 1);
	if (rows == 0)
		return STORE_OK;
	enum store_status status = run_with_last(store, insert_sql, last);
	if (status == STORE_OK)
		status = run_with_last(store, recount_sql, last);
	if (status == STORE_OK)
		status = run_with_last(store, delete_sql, last);
	if (status == STORE_OK)
		*moved = rows;
	return status;
}

enum store_status store_upload_finish(struct store *store, int64_t seen_before_ms, int64_t *finished)
{
	static const char sql[] =
		"UPDATE receivers SET status = " UPLOADED " WHERE status = " UPLOADING " AND upload_seen_ms <= ?1 AND "
		"NOT EXISTS (SELECT 1 FROM receiver_uploads u WHERE u.receiver_id = receivers.id)";
	*finished = 0;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, seen_before_ms);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	*finished = sqlite3_changes(store->db);
	return STORE_OK;
}

enum store_status store_upload_pending(struct store *store, bool *pending)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM receivers WHERE status = " UPLOADING ") OR "
				  "EXISTS (SELECT 1 FROM receiver_uploads)";
	*pending = false;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int64_t value = 0;
	enum store_status status = step_int(stmt, &value);
	*pending = value != 0;
	return status;
}
