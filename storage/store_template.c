/*
 * Email templates. Owns the templates table; never validates content
 * (base64, size and names are the handler's rules).
 */
#include "store_template.h"

#include <stdlib.h>

#include "store_internal.h"

#define COLUMNS "id, name, html, text, status, review_reason, created, updated, deleted IS NOT NULL"

void store_template_finish(struct store_template *row)
{
	if (!row)
		return;
	free(row->name);
	free(row->html);
	free(row->text);
	free(row->review_reason);
	row->name = row->html = row->text = row->review_reason = NULL;
}

void store_template_list_free(struct store_template *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_template_finish(&rows[i]);
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
	struct store_template *out = row;
	bool nomem = false;
	out->id = sqlite3_column_int64(stmt, 0);
	out->name = store_column_dup(stmt, 1);
	out->html = nullable_dup(stmt, 2, &nomem);
	out->text = nullable_dup(stmt, 3, &nomem);
	out->status = sqlite3_column_int(stmt, 4);
	out->review_reason = store_column_dup(stmt, 5);
	out->created = sqlite3_column_int64(stmt, 6);
	out->updated = sqlite3_column_int64(stmt, 7);
	out->deleted = sqlite3_column_int(stmt, 8) != 0;
	if (!nomem && out->name && out->review_reason)
		return true;
	store_template_finish(out);
	return false;
}

static void finish_any(void *row)
{
	store_template_finish(row);
}

static void bind_nullable(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text)
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

enum store_status store_template_create(struct store *store, int64_t account, const struct store_template *in,
					int64_t now, int64_t *id)
{
	/* A NULL id lets SQLite pick the next one (AUTOINCREMENT). */
	static const char sql[] = "INSERT INTO templates (account_id, name, html, text, status, review_reason, "
				  "created, updated, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, in->name, -1, SQLITE_STATIC);
	bind_nullable(stmt, 3, in->html);
	bind_nullable(stmt, 4, in->text);
	sqlite3_bind_int(stmt, 5, in->status);
	sqlite3_bind_text(stmt, 6, in->review_reason ? in->review_reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, now);
	sqlite3_bind_int64(stmt, 8, now);
	if (in->id > 0)
		sqlite3_bind_int64(stmt, 9, in->id);
	else
		sqlite3_bind_null(stmt, 9);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	*id = sqlite3_last_insert_rowid(store->db);
	return STORE_OK;
}

struct template_args {
	int64_t account, id;
};

static enum store_status read_template(struct store *store, const void *args, void *out)
{
	static const char sql[] = "SELECT " COLUMNS " FROM templates WHERE account_id = ? AND id = ?";
	const struct template_args *a = args;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, a->account);
	sqlite3_bind_int64(stmt, 2, a->id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	return read_row(stmt, out) ? STORE_OK : STORE_NOMEM;
}

/* A remembered template: found, then its fields (absent when not found). */
static void encode_template(struct store_memo_buf *v, enum store_status status, const void *out)
{
	const struct store_template *t = out;
	store_memo_int(v, status == STORE_OK);
	if (status != STORE_OK)
		return;
	store_memo_int(v, t->id);
	store_memo_text(v, t->name);
	store_memo_text(v, t->html);
	store_memo_text(v, t->text);
	store_memo_int(v, t->status);
	store_memo_text(v, t->review_reason);
	store_memo_int(v, t->created);
	store_memo_int(v, t->updated);
	store_memo_int(v, t->deleted);
}

static bool decode_template(struct store_memo_reader *v, enum store_status *status, void *out)
{
	struct store_template *t = out;
	int64_t found = 0, state = 0, deleted = 0;
	if (!store_memo_read_int(v, &found))
		return false;
	*status = found ? STORE_OK : STORE_NOT_FOUND;
	if (!found)
		return true;
	if (store_memo_read_int(v, &t->id) && store_memo_read_text(v, &t->name) && store_memo_read_text(v, &t->html) &&
	    store_memo_read_text(v, &t->text) && store_memo_read_int(v, &state) &&
	    store_memo_read_text(v, &t->review_reason) && store_memo_read_int(v, &t->created) &&
	    store_memo_read_int(v, &t->updated) && store_memo_read_int(v, &deleted) && t->name && t->review_reason) {
		t->status = (int)state;
		t->deleted = deleted != 0;
		return true;
	}
	store_template_finish(t); /* out of memory: read it again */
	return false;
}

static const struct store_memo_kind template_kind = {read_template, encode_template, decode_template};

enum store_status store_template_get(struct store *store, int64_t account, int64_t id, struct store_template *out)
{
	struct store_memo_buf key;
	struct template_args args = {account, id};
	struct store_template t = {0};
	store_memo_key(&key, 'T', account);
	store_memo_int(&key, id);
	enum store_status status = store_memo_lookup(store, &template_kind, &key, &args, &t);
	store_memo_finish(&key);
	if (status == STORE_OK)
		*out = t;
	return status;
}

enum store_status store_template_count(struct store *store, int64_t account, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM templates WHERE account_id = ? AND deleted IS NULL";
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

enum store_status store_template_list(struct store *store, int64_t account, int64_t offset, int64_t limit,
				      struct store_template **rows, size_t *count)
{
	static const char sql[] = "SELECT " COLUMNS " FROM templates WHERE account_id = ? AND deleted IS NULL "
				  "ORDER BY id DESC LIMIT ? OFFSET ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, limit);
	sqlite3_bind_int64(stmt, 3, offset);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_row, finish_any, &items, count);
	*rows = items;
	return status;
}

enum store_status store_template_update(struct store *store, int64_t account, const struct store_template *in,
					int64_t now)
{
	static const char sql[] = "UPDATE templates SET name = ?, html = ?, text = ?, status = ?, review_reason = '', "
				  "updated = ? WHERE account_id = ? AND id = ? AND deleted IS NULL";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, in->name, -1, SQLITE_STATIC);
	bind_nullable(stmt, 2, in->html);
	bind_nullable(stmt, 3, in->text);
	sqlite3_bind_int(stmt, 4, in->status);
	sqlite3_bind_int64(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, account);
	sqlite3_bind_int64(stmt, 7, in->id);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	return sqlite3_changes(store->db) ? STORE_OK : STORE_NOT_FOUND;
}

enum store_status store_template_delete(struct store *store, int64_t account, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE templates SET deleted = ? WHERE account_id = ? AND id = ? AND deleted IS NULL";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_int64(stmt, 3, id);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	return sqlite3_changes(store->db) ? STORE_OK : STORE_NOT_FOUND;
}

enum store_status store_template_review(struct store *store, int64_t account, int64_t id, int status,
					const char *reason, int64_t now)
{
	static const char sql[] = "UPDATE templates SET status = ?, review_reason = ?, updated = ? "
				  "WHERE account_id = ? AND id = ? AND deleted IS NULL";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int(stmt, 1, status);
	sqlite3_bind_text(stmt, 2, reason ? reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	sqlite3_bind_int64(stmt, 4, account);
	sqlite3_bind_int64(stmt, 5, id);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	return sqlite3_changes(store->db) ? STORE_OK : STORE_NOT_FOUND;
}
