/*
 * Sent messages, deliveries and the bounce blacklist. Owns the messages,
 * deliveries and bounces tables (a delivery's unsubscribed and complained
 * flags are set later, through the control plane's routes); never builds
 * or parses MIME (server/mail).
 * Optional filters use "(?1 IS NULL OR col = ?1)" so that every query is
 * one prepared statement.
 */
#include "store_message.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static void bind_text_or_null(sqlite3_stmt *stmt, int col, const char *text)
{
	if (text && *text)
		sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, col);
}

const char *store_domain_of(const char *address)
{
	const char *at = strrchr(address, '@');
	return at ? at + 1 : "";
}

static enum store_status add_delivery(struct store *store, int64_t account, int64_t message, int64_t id,
				      const struct store_message_in *in, const struct store_delivery_in *d)
{
	static const char sql[] = "INSERT INTO deliveries (message, account_id, day, address, mailbox, send_status, "
				  "deliver_status, deliver_message, request_time, deliver_time, opened, clicked, "
				  "bounced, complained, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, message);
	sqlite3_bind_int64(stmt, 2, account);
	sqlite3_bind_text(stmt, 3, in->day, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, d->address, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, store_domain_of(d->address), -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 6, d->send_status);
	sqlite3_bind_int(stmt, 7, d->deliver_status);
	sqlite3_bind_text(stmt, 8, d->deliver_message ? d->deliver_message : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 9, in->created);
	sqlite3_bind_int64(stmt, 10, d->deliver_time);
	sqlite3_bind_int(stmt, 11, d->opened);
	sqlite3_bind_int(stmt, 12, d->clicked);
	sqlite3_bind_int(stmt, 13, d->bounced);
	sqlite3_bind_int(stmt, 14, d->complained);
	sqlite3_bind_int64(stmt, 15, id);
	return store_status_of(sqlite3_step(stmt));
}

int store_delivery_rank(const struct store_delivery_in *d)
{
	/* the CASE of migration 7, which ranked the messages stored before it */
	if (d->send_status != 0)
		return 3;
	if (d->bounced)
		return 5;
	switch (d->deliver_status) {
	case 1:
		return 0;
	case 8:
		return 2;
	case 2:
		return 3;
	case 3:
		return 4;
	default:
		return 1;
	}
}

static enum store_status add_message(struct store *store, int64_t account, const struct store_message_in *in,
				     int64_t *message, int64_t *first_delivery, int *outcome_rank)
{
	static const char sql[] =
		"INSERT INTO messages (account_id, message_id, task_id, template_id, from_address, "
		"from_domain, subject, recipients, reply_to, attachments, created, day, raw, outcome, "
		"first_delivery, delivery_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	/* the deliveries take the next ids, one after the other (migration 8) */
	static const char next_sql[] = "SELECT coalesce(max(id), 0) + 1 FROM deliveries";
	int64_t first = 0;
	if (in->delivery_count) {
		sqlite3_stmt *next = store_stmt(store, next_sql);
		if (!next)
			return STORE_ERROR;
		int rc = sqlite3_step(next);
		if (rc != SQLITE_ROW)
			return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
		first = sqlite3_column_int64(next, 0);
	}
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, in->message_id, -1, SQLITE_STATIC);
	if (in->task_id)
		sqlite3_bind_int64(stmt, 3, in->task_id);
	else
		sqlite3_bind_null(stmt, 3);
	if (in->template_id)
		sqlite3_bind_int64(stmt, 4, in->template_id);
	else
		sqlite3_bind_null(stmt, 4);
	sqlite3_bind_text(stmt, 5, in->from_address, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, in->from_domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, in->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, in->recipients_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, in->reply_to ? in->reply_to : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 10, in->attachments_json ? in->attachments_json : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, in->created);
	sqlite3_bind_text(stmt, 12, in->day, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(stmt, 13, in->raw, in->raw_len, SQLITE_STATIC);
	int outcome = -1;
	for (size_t i = 0; i < in->delivery_count; i++) {
		int rank = store_delivery_rank(&in->deliveries[i]);
		outcome = rank > outcome ? rank : outcome;
	}
	if (outcome >= 0)
		sqlite3_bind_int(stmt, 14, outcome);
	else
		sqlite3_bind_null(stmt, 14);
	if (first)
		sqlite3_bind_int64(stmt, 15, first);
	else
		sqlite3_bind_null(stmt, 15);
	sqlite3_bind_int64(stmt, 16, (sqlite3_int64)in->delivery_count);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	*message = sqlite3_last_insert_rowid(store->db);
	*first_delivery = first;
	*outcome_rank = outcome;
	for (size_t i = 0; i < in->delivery_count; i++) {
		enum store_status status =
			add_delivery(store, account, *message, first + (int64_t)i, in, &in->deliveries[i]);
		if (status != STORE_OK)
			return status;
	}
	return STORE_OK;
}

enum store_status store_message_add(struct store *store, int64_t account, const struct store_message_in *in)
{
	int64_t message = 0, first = 0;
	int outcome = -1;
	store_tally_adding(store, true);
	enum store_status status = add_message(store, account, in, &message, &first, &outcome);
	store_tally_adding(store, false);
	if (status == STORE_OK)
		store_tally_add(store, account, message, outcome, first, in);
	return status;
}

static enum store_status count_of(sqlite3_stmt *stmt, int64_t *count)
{
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*count = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

enum store_status store_delivery_count_day(struct store *store, int64_t account, const char *day, int64_t *count)
{
	static const char sql[] =
		"SELECT count(*) FROM deliveries WHERE account_id = ? AND day = ? AND send_status = 0";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, day, -1, SQLITE_STATIC);
	return count_of(stmt, count);
}

enum store_status store_delivery_count_since(struct store *store, int64_t account, const char *address, int64_t since,
					     const char *since_day, int64_t *count)
{
	/* deliveries_day from since_day (the CST date of `since`) on: an hour spans one or two days */
	static const char sql[] = "SELECT count(*) FROM deliveries WHERE account_id = ?1 AND day >= ?4 "
				  "AND address = ?2 AND request_time >= ?3 AND send_status = 0";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, since);
	sqlite3_bind_text(stmt, 4, since_day, -1, SQLITE_STATIC);
	return count_of(stmt, count);
}

static void delivery_finish(struct store_delivery *row)
{
	free(row->message_id);
	free(row->to);
	free(row->from);
	free(row->deliver_message);
	memset(row, 0, sizeof(*row));
}

static void delivery_finish_any(void *row)
{
	delivery_finish(row);
}

void store_delivery_list_free(struct store_delivery *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		delivery_finish(&rows[i]);
	free(rows);
}

#define DELIVERY_COLUMNS                                                                                               \
	"m.message_id, d.address, m.from_address, d.send_status, d.deliver_status, d.deliver_message, "                \
	"d.request_time, d.deliver_time, d.opened, d.clicked, d.unsubscribed, d.complained, d.bounced"

static bool read_delivery(sqlite3_stmt *stmt, void *row)
{
	struct store_delivery *out = row;
	out->message_id = store_column_dup(stmt, 0);
	out->to = store_column_dup(stmt, 1);
	out->from = store_column_dup(stmt, 2);
	out->send_status = sqlite3_column_int(stmt, 3);
	out->deliver_status = sqlite3_column_int(stmt, 4);
	out->deliver_message = store_column_dup(stmt, 5);
	out->request_time = sqlite3_column_int64(stmt, 6);
	out->deliver_time = sqlite3_column_int64(stmt, 7);
	out->opened = sqlite3_column_int(stmt, 8) != 0;
	out->clicked = sqlite3_column_int(stmt, 9) != 0;
	out->unsubscribed = sqlite3_column_int(stmt, 10) != 0;
	out->complained = sqlite3_column_int(stmt, 11) != 0;
	out->bounced = sqlite3_column_int(stmt, 12) != 0;
	if (out->message_id && out->to && out->from && out->deliver_message)
		return true;
	delivery_finish(out);
	return false;
}

enum store_status store_delivery_page(struct store *store, int64_t account, const char *day, const char *message_id,
				      const char *to, int64_t offset, int64_t limit, struct store_delivery **rows,
				      size_t *count)
{
	static const char sql[] = "SELECT " DELIVERY_COLUMNS " FROM deliveries d JOIN messages m ON m.id = d.message "
				  "WHERE d.account_id = ?1 AND d.day = ?2 AND (?3 IS NULL OR m.message_id = ?3) "
				  "AND (?4 IS NULL OR d.address = ?4) ORDER BY d.id LIMIT ?5 OFFSET ?6";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, day, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 3, message_id);
	bind_text_or_null(stmt, 4, to);
	sqlite3_bind_int64(stmt, 5, limit);
	sqlite3_bind_int64(stmt, 6, offset);
	void *items;
	enum store_status status =
		store_collect(stmt, sizeof(**rows), read_delivery, delivery_finish_any, &items, count);
	*rows = items;
	return status;
}

static bool read_volume(sqlite3_stmt *stmt, void *row)
{
	struct store_volume *out = row;
	const unsigned char *day = sqlite3_column_text(stmt, 0);
	size_t len = day ? strlen((const char *)day) : 0;
	if (len >= sizeof(out->day))
		len = sizeof(out->day) - 1;
	memcpy(out->day, day ? (const char *)day : "", len);
	out->day[len] = '\0';
	out->requests = sqlite3_column_int64(stmt, 1);
	out->accepted = sqlite3_column_int64(stmt, 2);
	out->delivered = sqlite3_column_int64(stmt, 3);
	out->opened = sqlite3_column_int64(stmt, 4);
	out->clicked = sqlite3_column_int64(stmt, 5);
	out->bounces = sqlite3_column_int64(stmt, 6);
	out->unsubscribes = sqlite3_column_int64(stmt, 7);
	return true;
}

static void volume_finish(void *row)
{
	(void)row;
}

enum store_status store_delivery_volumes(struct store *store, int64_t account, const char *start, const char *end,
					 const char *from_domain, const char *mailbox, struct store_volume **rows,
					 size_t *count)
{
	static const char sql[] =
		/* the counters, plus the deliveries the scheduler has not counted yet (a
		 * rowid range: the unary + keeps the planner off deliveries_day) */
		"SELECT day, sum(requests), sum(accepted), sum(delivered), sum(opened), sum(clicked), sum(bounced), "
		"sum(unsubscribed) FROM ("
		"SELECT day, requests, accepted, delivered, opened, clicked, bounced, unsubscribed FROM delivery_stats "
		"WHERE account_id = ?1 AND day BETWEEN ?2 AND ?3 AND (?4 IS NULL OR from_domain = ?4) "
		"AND (?5 IS NULL OR mailbox = ?5) "
		"UNION ALL "
		"SELECT d.day, 1, d.send_status = 0, d.deliver_status = 1, d.opened, d.clicked, d.bounced, "
		"d.unsubscribed FROM deliveries d JOIN messages m ON m.id = d.message "
		"WHERE d.id > coalesce((SELECT deliveries FROM stats_progress), 0) AND +d.account_id = ?1 "
		"AND +d.day BETWEEN ?2 AND ?3 AND (?4 IS NULL OR m.from_domain = ?4) AND (?5 IS NULL OR d.mailbox = ?5)"
		") GROUP BY day HAVING sum(requests) > 0 ORDER BY day";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, start, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, end, -1, SQLITE_STATIC);
	bind_text_or_null(stmt, 4, from_domain);
	bind_text_or_null(stmt, 5, mailbox);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_volume, volume_finish, &items, count);
	*rows = items;
	return status;
}

enum store_status store_bounce_add(struct store *store, int64_t account, const char *address, int64_t when,
				   int64_t task_id, const char *message_id, const char *isp_desc)
{
	static const char sql[] =
		"INSERT INTO bounces (account_id, address, bounce_time, isp_desc, task_id, message_id) "
		"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, address) DO UPDATE SET "
		"bounce_time = excluded.bounce_time, isp_desc = excluded.isp_desc, "
		"task_id = excluded.task_id, message_id = excluded.message_id";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, when);
	sqlite3_bind_text(stmt, 4, isp_desc ? isp_desc : "", -1, SQLITE_STATIC);
	if (task_id)
		sqlite3_bind_int64(stmt, 5, task_id);
	else
		sqlite3_bind_null(stmt, 5);
	sqlite3_bind_text(stmt, 6, message_id ? message_id : "", -1, SQLITE_STATIC);
	return store_status_of(sqlite3_step(stmt));
}

enum store_status store_bounce_delete(struct store *store, int64_t account, const char *address)
{
	static const char sql[] = "DELETE FROM bounces WHERE account_id = ? AND address = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	return store_status_of(sqlite3_step(stmt));
}

static void bounce_finish(void *row)
{
	struct store_bounce *b = row;
	free(b->address);
	free(b->isp_desc);
	b->address = b->isp_desc = NULL;
}

void store_bounce_list_free(struct store_bounce *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		bounce_finish(&rows[i]);
	free(rows);
}

static bool read_bounce(sqlite3_stmt *stmt, void *row)
{
	struct store_bounce *out = row;
	out->address = store_column_dup(stmt, 0);
	out->bounce_time = sqlite3_column_int64(stmt, 1);
	out->isp_desc = store_column_dup(stmt, 2);
	if (out->address && out->isp_desc)
		return true;
	bounce_finish(out);
	return false;
}

#define BOUNCE_FILTER "account_id = ?1 AND bounce_time >= ?2 AND bounce_time < ?3 AND (?4 IS NULL OR address = ?4)"

static void bind_bounce_filter(sqlite3_stmt *stmt, int64_t account, int64_t from, int64_t until, const char *address)
{
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_int64(stmt, 2, from);
	sqlite3_bind_int64(stmt, 3, until);
	bind_text_or_null(stmt, 4, address);
}

enum store_status store_bounce_page(struct store *store, int64_t account, int64_t from, int64_t until,
				    const char *address, int64_t offset, int64_t limit, int64_t *total,
				    struct store_bounce **rows, size_t *count)
{
	static const char count_sql[] = "SELECT count(*) FROM bounces WHERE " BOUNCE_FILTER;
	static const char sql[] = "SELECT address, bounce_time, isp_desc FROM bounces WHERE " BOUNCE_FILTER
				  " ORDER BY bounce_time, id LIMIT ?5 OFFSET ?6";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, count_sql);
	if (!stmt)
		return STORE_ERROR;
	bind_bounce_filter(stmt, account, from, until, address);
	enum store_status status = count_of(stmt, total);
	if (status != STORE_OK)
		return status;
	if (!(stmt = store_stmt(store, sql)))
		return STORE_ERROR;
	bind_bounce_filter(stmt, account, from, until, address);
	sqlite3_bind_int64(stmt, 5, limit);
	sqlite3_bind_int64(stmt, 6, offset);
	void *items;
	status = store_collect(stmt, sizeof(**rows), read_bounce, bounce_finish, &items, count);
	*rows = items;
	return status;
}

/* Set one flag column of a delivery; `sql` names it. */
static enum store_status mark_delivery(struct store *store, const char *sql, const char *message, const char *address)
{
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, message, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, address, -1, SQLITE_STATIC);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (status == STORE_OK && sqlite3_changes(store->db) == 0)
		return STORE_NOT_FOUND;
	return status;
}

/* The delivery to ?2 of message ?1 (a MessageId): a rowid range, no index on deliveries(message) (migration 8). */
#define OF_MESSAGE                                                                                                     \
	"address = ?2 AND id BETWEEN (SELECT first_delivery FROM messages WHERE message_id = ?1) "                     \
	"AND (SELECT first_delivery + delivery_count - 1 FROM messages WHERE message_id = ?1)"

enum store_status store_delivery_mark_unsubscribed(struct store *store, const char *message, const char *address)
{
	static const char sql[] = "UPDATE deliveries SET unsubscribed = 1 WHERE " OF_MESSAGE;
	return mark_delivery(store, sql, message, address);
}

enum store_status store_delivery_mark_complained(struct store *store, const char *message, const char *address)
{
	static const char sql[] = "UPDATE deliveries SET complained = 1 WHERE " OF_MESSAGE;
	return mark_delivery(store, sql, message, address);
}

enum store_status store_message_account(struct store *store, const char *message_id, int64_t *account)
{
	static const char sql[] = "SELECT account_id FROM messages WHERE message_id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*account = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

void store_message_finish(struct store_message *row)
{
	if (!row)
		return;
	free(row->message_id);
	free(row->from_address);
	free(row->subject);
	free(row->recipients_json);
	free(row->reply_to);
	free(row->attachments_json);
	free(row->raw);
	memset(row, 0, sizeof(*row));
}

static void message_finish_any(void *row)
{
	store_message_finish(row);
}

void store_message_list_free(struct store_message *rows, size_t count)
{
	for (size_t i = 0; i < count; i++)
		store_message_finish(&rows[i]);
	free(rows);
}

#define MESSAGE_COLUMNS                                                                                                \
	"a.app_id, m.message_id, coalesce(m.task_id, 0), coalesce(m.template_id, 0), m.from_address, m.subject, "      \
	"m.recipients, m.reply_to, m.attachments, m.created"

static bool read_message(sqlite3_stmt *stmt, void *row)
{
	struct store_message *out = row;
	out->account_app_id = sqlite3_column_int64(stmt, 0);
	out->message_id = store_column_dup(stmt, 1);
	out->task_id = sqlite3_column_int64(stmt, 2);
	out->template_id = sqlite3_column_int64(stmt, 3);
	out->from_address = store_column_dup(stmt, 4);
	out->subject = store_column_dup(stmt, 5);
	out->recipients_json = store_column_dup(stmt, 6);
	out->reply_to = store_column_dup(stmt, 7);
	out->attachments_json = store_column_dup(stmt, 8);
	out->created = sqlite3_column_int64(stmt, 9);
	if (out->message_id && out->from_address && out->subject && out->recipients_json && out->reply_to &&
	    out->attachments_json)
		return true;
	store_message_finish(out);
	return false;
}

enum store_status store_message_get(struct store *store, const char *message_id, bool with_raw,
				    struct store_message *out)
{
	static const char sql[] = "SELECT " MESSAGE_COLUMNS ", m.raw FROM messages m JOIN accounts a ON a.id = "
				  "m.account_id WHERE m.message_id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	if (!read_message(stmt, out))
		return STORE_NOMEM;
	if (with_raw) {
		size_t len = (size_t)sqlite3_column_bytes(stmt, 10);
		out->raw = malloc(len + 1);
		if (!out->raw) {
			store_message_finish(out);
			return STORE_NOMEM;
		}
		if (len)
			memcpy(out->raw, sqlite3_column_blob(stmt, 10), len);
		out->raw[len] = '\0';
		out->raw_len = len;
	}
	return STORE_OK;
}

enum store_status store_message_list(struct store *store, const struct store_message_filter *filter,
				     struct store_message **rows, size_t *count)
{
	static const char sql[] =
		"SELECT " MESSAGE_COLUMNS " FROM messages m JOIN accounts a ON a.id = m.account_id "
		"WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM deliveries d WHERE d.id BETWEEN m.first_delivery AND "
		"m.first_delivery + m.delivery_count - 1 AND d.address = ?1)) "
		"AND (?2 IS NULL OR m.from_address = ?2 COLLATE NOCASE) AND (?3 IS NULL OR instr(m.subject, ?3) > 0) "
		"AND (?4 IS NULL OR m.task_id = ?4) AND (?5 IS NULL OR a.app_id = ?5) ORDER BY m.id DESC LIMIT ?6";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	bind_text_or_null(stmt, 1, filter->to);
	bind_text_or_null(stmt, 2, filter->from);
	bind_text_or_null(stmt, 3, filter->subject);
	if (filter->task_id)
		sqlite3_bind_int64(stmt, 4, filter->task_id);
	else
		sqlite3_bind_null(stmt, 4);
	if (filter->app_id)
		sqlite3_bind_int64(stmt, 5, (sqlite3_int64)filter->app_id);
	else
		sqlite3_bind_null(stmt, 5);
	sqlite3_bind_int64(stmt, 6, filter->limit > 0 ? filter->limit : 50);
	void *items;
	enum store_status status = store_collect(stmt, sizeof(**rows), read_message, message_finish_any, &items, count);
	*rows = items;
	return status;
}

enum store_status store_message_deliveries(struct store *store, const char *message_id, struct store_delivery **rows,
					   size_t *count)
{
	static const char sql[] =
		"SELECT " DELIVERY_COLUMNS " FROM messages m JOIN deliveries d ON d.id BETWEEN m.first_delivery AND "
		"m.first_delivery + m.delivery_count - 1 "
		"WHERE m.message_id = ? ORDER BY d.id";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC);
	void *items;
	enum store_status status =
		store_collect(stmt, sizeof(**rows), read_delivery, delivery_finish_any, &items, count);
	*rows = items;
	return status;
}

enum store_status store_message_delete_all(struct store *store, int64_t *deleted)
{
	/* deliveries first: without an index on deliveries(message), the
	 * cascade of each message would read them all (migration 8) */
	static const char deliveries[] = "DELETE FROM deliveries";
	static const char sql[] = "DELETE FROM messages";
	/* the counters count what is gone with the messages; ids start again */
	static const char counters[] = "DELETE FROM delivery_stats";
	static const char outcomes[] = "DELETE FROM message_outcomes";
	static const char progress[] = "DELETE FROM stats_progress";
	*deleted = 0;
	sqlite3_stmt *stmt = store_stmt(store, deliveries);
	enum store_status status = stmt ? store_status_of(sqlite3_step(stmt)) : STORE_ERROR;
	stmt = status == STORE_OK ? store_stmt(store, sql) : NULL;
	if (!stmt)
		return STORE_ERROR;
	status = store_status_of(sqlite3_step(stmt));
	if (status != STORE_OK)
		return status;
	*deleted = sqlite3_changes(store->db);
	stmt = store_stmt(store, counters);
	status = stmt ? store_status_of(sqlite3_step(stmt)) : STORE_ERROR;
	stmt = status == STORE_OK ? store_stmt(store, outcomes) : NULL;
	status = stmt ? store_status_of(sqlite3_step(stmt)) : STORE_ERROR;
	stmt = status == STORE_OK ? store_stmt(store, progress) : NULL;
	return stmt ? store_status_of(sqlite3_step(stmt)) : STORE_ERROR;
}
