/*
 * Abuse reports. Owns the complaints table; never decides who complains
 * (the mailbox simulator and the control plane do).
 */
#include "store_complaint.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define COLUMNS                                                                                                        \
	"message_id, header_id, recipient, mta, from_address, from_domain, subject, coalesce(template_id, 0), "        \
	"coalesce(task_id, 0), deliver_time, complain_time"
#define FILTER                                                                                                         \
	"account_id = ?1 AND day BETWEEN ?2 AND ?3 AND (?4 IS NULL OR from_domain = ?4) AND "                          \
	"(?5 IS NULL OR from_address = ?5) AND (?6 IS NULL OR mta = ?6) AND (?7 IS NULL OR recipient = ?7) AND "       \
	"(?8 IS NULL OR CAST(template_id AS TEXT) = ?8)"

static void bind_text_or_null(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text && *text)
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

static void bind_id_or_null(sqlite3_stmt *stmt, int col, int64_t id)
{
	if (id)
		sqlite3_bind_int64(stmt, col, id);
	else
		sqlite3_bind_null(stmt, col);
}

void store_complaint_finish(struct store_complaint *row)
{
	if (!row)
		return;
	free(row->message_id);
	free(row->header_id);
	free(row->recipient);
	free(row->mta);
	free(row->from_address);
	free(row->from_domain);
	free(row->subject);
	memset(row, 0, sizeof(*row));
}

void store_complaint_list_free(struct store_complaint *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_complaint_finish(&rows[i]);
	free(rows);
}

static bool read_row(sqlite3_stmt *stmt, void *row)
{
	struct store_complaint *out = row;
	out->message_id = store_column_dup(stmt, 0);
	out->header_id = store_column_dup(stmt, 1);
	out->recipient = store_column_dup(stmt, 2);
	out->mta = store_column_dup(stmt, 3);
	out->from_address = store_column_dup(stmt, 4);
	out->from_domain = store_column_dup(stmt, 5);
	out->subject = store_column_dup(stmt, 6);
	out->template_id = sqlite3_column_int64(stmt, 7);
	out->task_id = sqlite3_column_int64(stmt, 8);
	out->deliver_time = sqlite3_column_int64(stmt, 9);
	out->complain_time = sqlite3_column_int64(stmt, 10);
	if (out->message_id && out->header_id && out->recipient && out->mta && out->from_address && out->from_domain &&
	    out->subject)
		return true;
	store_complaint_finish(out);
	return false;
}

static void finish_any(void *row)
{
	store_complaint_finish(row);
}

enum store_status store_complaint_add(struct store *store, int64_t account, const struct store_complaint *in,
				      const char *day, bool *added)
{
	static const char sql[] =
		"INSERT INTO complaints (account_id, message_id, header_id, recipient, mta, from_address, from_domain, "
		"template_id, task_id, subject, deliver_time, complain_time, day) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, recipient) DO NOTHING";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	const char *at = strrchr(in->recipient, '@');
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, in->message_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, in->header_id ? in->header_id : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, in->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, at ? at + 1 : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, in->from_address, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, in->from_domain, -1, SQLITE_STATIC);
	bind_id_or_null(stmt, 8, in->template_id);
	bind_id_or_null(stmt, 9, in->task_id);
	sqlite3_bind_text(stmt, 10, in->subject ? in->subject : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, in->deliver_time);
	sqlite3_bind_int64(stmt, 12, in->complain_time);
	sqlite3_bind_text(stmt, 13, day, -1, SQLITE_STATIC);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (added)
		*added = status == STORE_OK && sqlite3_changes(store->db) > 0;
	return status;
}

static void bind_filter(sqlite3_stmt *stmt, int64_t account, const struct store_complaint_filter *f)
{
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, f->start_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, f->end_day, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 4, f->from_domain);
	bind_text_or_null(stmt, 5, f->from_address);
	bind_text_or_null(stmt, 6, f->mta);
	bind_text_or_null(stmt, 7, f->to_address);
	bind_text_or_null(stmt, 8, f->template_id);
}

enum store_status store_complaint_page(struct store *store, int64_t account,
				       const struct store_complaint_filter *filter, int64_t offset, int64_t limit,
				       int64_t *total, struct store_complaint **rows, size_t *count)
{
	static const char count_sql[] = "SELECT count(*) FROM complaints WHERE " FILTER;
	static const char sql[] = "SELECT " COLUMNS " FROM complaints WHERE " FILTER " ORDER BY id LIMIT ?9 OFFSET ?10";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, count_sql);
	if (!stmt)
		return STORE_ERROR;
	bind_filter(stmt, account, filter);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	*total = sqlite3_column_int64(stmt, 0);
	if (!(stmt = store_stmt(store, sql)))
		return STORE_ERROR;
	bind_filter(stmt, account, filter);
	sqlite3_bind_int64(stmt, 9, limit);
	sqlite3_bind_int64(stmt, 10, offset);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_row, finish_any, &items, count);
	*rows = items;
	return status;
}
