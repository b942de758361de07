/*
 * Batch tasks. Owns the tasks table; never decides when a task runs (the
 * scheduler does) or what it sends (server/mail/batch.c).
 */
#include "store_task.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define COLUMNS                                                                                                        \
	"id, account_id, receiver_id, receiver_name, from_address, subject, reply_to, coalesce(template_id, 0), "      \
	"template_data, simple_html, simple_text, unsubscribe, ad_location, task_type, status, begin_time, "           \
	"interval_hours, term_cycle, coalesce(next_run, 0), cursor, runs, request_count, send_count, cache_count, "    \
	"err_msg, created, updated"

void store_task_finish(struct store_task *row)
{
	if (!row)
		return;
	free(row->receiver_name);
	free(row->from_address);
	free(row->subject);
	free(row->reply_to);
	free(row->template_data);
	free(row->simple_html);
	free(row->simple_text);
	free(row->unsubscribe);
	free(row->err_msg);
	memset(row, 0, sizeof(*row));
}

static void finish_any(void *row)
{
	store_task_finish(row);
}

void store_task_list_free(struct store_task *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_task_finish(&rows[i]);
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

static bool read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_task *t = row;
	bool nomem = false;
	t->id = sqlite3_column_int64(stmt, 0);
	t->account = sqlite3_column_int64(stmt, 1);
	t->receiver_id = sqlite3_column_int64(stmt, 2);
	t->receiver_name = store_column_dup(stmt, 3);
	t->from_address = store_column_dup(stmt, 4);
	t->subject = store_column_dup(stmt, 5);
	t->reply_to = store_column_dup(stmt, 6);
	t->template_id = sqlite3_column_int64(stmt, 7);
	t->template_data = store_column_dup(stmt, 8);
	t->simple_html = nullable_dup(stmt, 9, &nomem);
	t->simple_text = nullable_dup(stmt, 10, &nomem);
	t->unsubscribe = store_column_dup(stmt, 11);
	t->ad_location = sqlite3_column_int(stmt, 12);
	t->task_type = sqlite3_column_int(stmt, 13);
	t->status = sqlite3_column_int(stmt, 14);
	t->begin_time = sqlite3_column_int64(stmt, 15);
	t->interval_hours = sqlite3_column_int64(stmt, 16);
	t->term_cycle = sqlite3_column_int(stmt, 17);
	t->next_run = sqlite3_column_int64(stmt, 18);
	t->cursor = sqlite3_column_int64(stmt, 19);
	t->runs = sqlite3_column_int64(stmt, 20);
	t->request_count = sqlite3_column_int64(stmt, 21);
	t->send_count = sqlite3_column_int64(stmt, 22);
	t->cache_count = sqlite3_column_int64(stmt, 23);
	t->err_msg = store_column_dup(stmt, 24);
	t->created = sqlite3_column_int64(stmt, 25);
	t->updated = sqlite3_column_int64(stmt, 26);
	if (!nomem && t->receiver_name && t->from_address && t->subject && t->reply_to && t->template_data &&
	    t->unsubscribe && t->err_msg)
		return true;
	store_task_finish(t);
	return false;
}

static void bind_text_or_null(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text)
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

enum store_status store_task_create(struct store *store, int64_t account, const struct store_task *in, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO tasks (account_id, receiver_id, receiver_name, from_address, subject, reply_to, "
		"template_id, "
		"template_data, simple_html, simple_text, unsubscribe, ad_location, task_type, status, begin_time, "
		"interval_hours, term_cycle, next_run, request_count, cache_count, created, updated) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
		"?21, "
		"?21)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, in->receiver_id);
	sqlite3_bind_text(stmt, 3, in->receiver_name ? in->receiver_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, in->from_address, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, in->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, in->reply_to ? in->reply_to : "", -1, SQLITE_STATIC);
	if (in->template_id)
		sqlite3_bind_int64(stmt, 7, in->template_id);
	else
		sqlite3_bind_null(stmt, 7);
	sqlite3_bind_text(stmt, 8, in->template_data ? in->template_data : "", -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 9, in->simple_html);
	bind_text_or_null(stmt, 10, in->simple_text);
	sqlite3_bind_text(stmt, 11, in->unsubscribe ? in->unsubscribe : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 12, in->ad_location);
	sqlite3_bind_int(stmt, 13, in->task_type);
	sqlite3_bind_int(stmt, 14, in->status);
	sqlite3_bind_int64(stmt, 15, in->begin_time);
	sqlite3_bind_int64(stmt, 16, in->interval_hours);
	sqlite3_bind_int(stmt, 17, in->term_cycle);
	if (in->next_run)
		sqlite3_bind_int64(stmt, 18, in->next_run);
	else
		sqlite3_bind_null(stmt, 18);
	sqlite3_bind_int64(stmt, 19, in->request_count);
	sqlite3_bind_int64(stmt, 20, in->cache_count);
	sqlite3_bind_int64(stmt, 21, in->created);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	*id = sqlite3_last_insert_rowid(store->db);
	return STORE_OK;
}

static enum store_status one_row(sqlite3_stmt *stmt, struct store_task *out)
{
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	return read_row(stmt, out) ? STORE_OK : STORE_NOMEM;
}

enum store_status store_task_get(struct store *store, int64_t account, int64_t id, struct store_task *out)
{
	static const char sql[] = "SELECT " COLUMNS " FROM tasks WHERE account_id = ? AND id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, id);
	return one_row(stmt, out);
}

#define FILTER                                                                                                         \
	" WHERE account_id = ?1 AND (?2 = 0 OR status = ?2) AND (?3 = 0 OR receiver_id = ?3) AND (?4 = 0 OR "          \
	"task_type = ?4)"

static void bind_filter(sqlite3_stmt *stmt, int64_t account, const struct store_task_filter *filter)
{
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int(stmt, 2, filter->status);
	sqlite3_bind_int64(stmt, 3, filter->receiver_id);
	sqlite3_bind_int(stmt, 4, filter->task_type);
}

enum store_status store_task_list(struct store *store, int64_t account, const struct store_task_filter *filter,
				  struct store_task **rows, size_t *count, int64_t *total)
{
	static const char count_sql[] = "SELECT count(*) FROM tasks" FILTER;
	static const char sql[] = "SELECT " COLUMNS " FROM tasks" FILTER " ORDER BY id DESC LIMIT ?5 OFFSET ?6";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, count_sql);
	if (!stmt)
		return STORE_ERROR;
	bind_filter(stmt, account, filter);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*total = sqlite3_column_int64(stmt, 0);
	stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	bind_filter(stmt, account, filter);
	sqlite3_bind_int64(stmt, 5, filter->limit);
	sqlite3_bind_int64(stmt, 6, filter->offset);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_row, finish_any, &items, count);
	*rows = items;
	return status;
}

enum store_status store_task_next_due(struct store *store, int64_t now, struct store_task *out)
{
	static const char sql[] = "SELECT " COLUMNS " FROM tasks WHERE next_run IS NOT NULL AND next_run <= ? "
				  "ORDER BY next_run, id LIMIT 1";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now);
	return one_row(stmt, out);
}

enum store_status store_task_earliest(struct store *store, int64_t *when)
{
	static const char sql[] = "SELECT coalesce(min(next_run), 0) FROM tasks WHERE next_run IS NOT NULL";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*when = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

enum store_status store_task_save(struct store *store, const struct store_task *task)
{
	static const char sql[] = "UPDATE tasks SET status = ?, next_run = ?, cursor = ?, runs = ?, request_count = ?, "
				  "send_count = ?, cache_count = ?, err_msg = ?, updated = ? WHERE id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, task->status);
	if (task->next_run)
		sqlite3_bind_int64(stmt, 2, task->next_run);
	else
		sqlite3_bind_null(stmt, 2);
	sqlite3_bind_int64(stmt, 3, task->cursor);
	sqlite3_bind_int64(stmt, 4, task->runs);
	sqlite3_bind_int64(stmt, 5, task->request_count);
	sqlite3_bind_int64(stmt, 6, task->send_count);
	sqlite3_bind_int64(stmt, 7, task->cache_count);
	sqlite3_bind_text(stmt, 8, task->err_msg ? task->err_msg : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, task->updated);
	sqlite3_bind_int64(stmt, 10, task->id);
	return store_status_of(sqlite3_step(stmt));
}
