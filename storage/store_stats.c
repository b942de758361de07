/*
 * The statistics counters' catch-up (migration 7): delivery_stats and
 * message_outcomes take in the deliveries and messages stored since
 * stats_progress. Owns that counting; the tables' readers (store_metrics.c,
 * store_message.c) add the rows not counted yet.
 *
 * Rows are summed here, in C, into the few groups a chunk holds (usually
 * one: an account, a day, a sender domain and a recipient domain), and each
 * group is added to its counters with one upsert. An INSERT ... SELECT ...
 * GROUP BY did the same through a sorter at about 15,000 instructions a
 * row, under the store's lock, which SendEmail calls then waited for
 * (docs/performance.md, third round).
 */
#include "store_message.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_internal.h"

/* One group of delivery_stats: its key (NOCASE like the table's) and sums. */
struct stats_group {
	int64_t account;
	char *day, *from_domain, *mailbox;
	int64_t sums[7]; /* requests, accepted, delivered, opened, clicked, bounced, unsubscribed */
};

struct stats_groups {
	struct stats_group *items;
	size_t count, cap;
	size_t last; /* the group the previous row went to: rows come in runs */
};

static void groups_free(struct stats_groups *g)
{
	for (size_t i = 0; i < g->count; i++) {
		free(g->items[i].day);
		free(g->items[i].from_domain);
		free(g->items[i].mailbox);
	}
	free(g->items);
}

static bool same_group(const struct stats_group *item, int64_t account, const char *day, const char *from_domain,
		       const char *mailbox)
{
	return item->account == account && strcmp(item->day, day) == 0 &&
	       strcasecmp(item->from_domain, from_domain) == 0 && strcasecmp(item->mailbox, mailbox) == 0;
}

/* The group of a row, added when new; NULL when out of memory. */
static struct stats_group *group_of(struct stats_groups *g, int64_t account, const char *day, const char *from_domain,
				    const char *mailbox)
{
	if (g->count && same_group(&g->items[g->last], account, day, from_domain, mailbox))
		return &g->items[g->last];
	for (size_t i = 0; i < g->count; i++) {
		if (same_group(&g->items[i], account, day, from_domain, mailbox)) {
			g->last = i;
			return &g->items[i];
		}
	}
	if (g->count == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		struct stats_group *grown = realloc(g->items, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		g->items = grown;
		g->cap = cap;
	}
	struct stats_group *item = &g->items[g->count];
	*item = (struct stats_group){
		.account = account, .day = strdup(day), .from_domain = strdup(from_domain), .mailbox = strdup(mailbox)};
	if (!item->day || !item->from_domain || !item->mailbox) {
		free(item->day);
		free(item->from_domain);
		free(item->mailbox);
		return NULL;
	}
	g->last = g->count++;
	return item;
}

static const char *text_of(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	return text ? (const char *)text : "";
}

/* Sum the deliveries with ids in (from, through] into groups. */
static enum store_status sum_deliveries(struct store *store, int64_t from, int64_t through, struct stats_groups *g)
{
	static const char sql[] =
		"SELECT d.account_id, d.day, m.from_domain, d.mailbox, d.send_status = 0, d.deliver_status = 1, "
		"d.opened, d.clicked, d.bounced, d.unsubscribed "
		"FROM deliveries d JOIN messages m ON m.id = d.message WHERE d.id > ?1 AND d.id <= ?2";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, from);
	sqlite3_bind_int64(stmt, 2, through);
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct stats_group *item = group_of(g, sqlite3_column_int64(stmt, 0), text_of(stmt, 1),
						    text_of(stmt, 2), text_of(stmt, 3));
		if (!item)
			return STORE_NOMEM;
		item->sums[0]++;
		for (int i = 1; i < 7; i++)
			item->sums[i] += sqlite3_column_int64(stmt, 3 + i);
	}
	return rc == SQLITE_DONE ? STORE_OK : store_status_of(rc);
}

static enum store_status add_groups(struct store *store, const struct stats_groups *g)
{
	static const char sql[] =
		"INSERT INTO delivery_stats (account_id, day, from_domain, mailbox, requests, accepted, delivered, "
		"opened, clicked, bounced, unsubscribed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
		"ON CONFLICT (account_id, day, from_domain, mailbox) DO UPDATE SET "
		"requests = requests + excluded.requests, accepted = accepted + excluded.accepted, "
		"delivered = delivered + excluded.delivered, opened = opened + excluded.opened, "
		"clicked = clicked + excluded.clicked, bounced = bounced + excluded.bounced, "
		"unsubscribed = unsubscribed + excluded.unsubscribed";
	for (size_t i = 0; i < g->count; i++) {
		const struct stats_group *item = &g->items[i];
		sqlite3_stmt *stmt = store_stmt(store, sql);
		if (!stmt)
			return STORE_ERROR;
		sqlite3_bind_int64(stmt, 1, item->account);
		sqlite3_bind_text(stmt, 2, item->day, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, item->from_domain, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, item->mailbox, -1, SQLITE_STATIC);
		for (int s = 0; s < 7; s++)
			sqlite3_bind_int64(stmt, 5 + s, item->sums[s]);
		enum store_status status = store_status_of(sqlite3_step(stmt));
		if (status != STORE_OK)
			return status;
	}
	return STORE_OK;
}

/* Count the messages with ids in (from, through] by outcome rank. */
static enum store_status count_outcomes(struct store *store, int64_t from, int64_t through)
{
	static const char select_sql[] =
		"SELECT outcome FROM messages WHERE id > ?1 AND id <= ?2 AND outcome IS NOT NULL";
	static const char add_sql[] = "INSERT INTO message_outcomes (rank, count) VALUES (?1, ?2) "
				      "ON CONFLICT (rank) DO UPDATE SET count = count + excluded.count";
	enum { RANKS = 16 }; /* ranks are 0-5 (store_metrics.h); room to spare */
	int64_t counts[RANKS] = {0};
	sqlite3_stmt *stmt = store_stmt(store, select_sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, from);
	sqlite3_bind_int64(stmt, 2, through);
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t rank = sqlite3_column_int64(stmt, 0);
		if (rank < 0 || rank >= RANKS)
			return STORE_ERROR;
		counts[rank]++;
	}
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	for (int rank = 0; rank < RANKS; rank++) {
		if (!counts[rank])
			continue;
		stmt = store_stmt(store, add_sql);
		if (!stmt)
			return STORE_ERROR;
		sqlite3_bind_int(stmt, 1, rank);
		sqlite3_bind_int64(stmt, 2, counts[rank]);
		enum store_status status = store_status_of(sqlite3_step(stmt));
		if (status != STORE_OK)
			return status;
	}
	return STORE_OK;
}

/* The last id of `table` to count now: at most `limit` past `done`; 0 when nothing is new. */
static enum store_status count_through(struct store *store, const char *sql, int64_t done, int64_t limit,
				       int64_t *through)
{
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*through = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, done);
	sqlite3_bind_int64(stmt, 2, limit);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*through = sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

enum store_status store_stats_catch_up(struct store *store, int64_t limit, bool *more)
{
	static const char progress_sql[] = "SELECT coalesce((SELECT deliveries FROM stats_progress), 0), "
					   "coalesce((SELECT messages FROM stats_progress), 0)";
	static const char deliveries_through[] =
		"SELECT coalesce(max(id), 0) FROM (SELECT id FROM deliveries WHERE id > ?1 ORDER BY id LIMIT ?2)";
	static const char messages_through[] =
		"SELECT coalesce(max(id), 0) FROM (SELECT id FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2)";
	static const char save_progress[] =
		"INSERT INTO stats_progress (id, deliveries, messages) VALUES (1, ?1, ?2) "
		"ON CONFLICT (id) DO UPDATE SET deliveries = excluded.deliveries, messages = excluded.messages";
	*more = false;
	sqlite3_stmt *stmt = store_stmt(store, progress_sql);
	if (!stmt)
		return STORE_ERROR;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	int64_t done_d = sqlite3_column_int64(stmt, 0), done_m = sqlite3_column_int64(stmt, 1);
	int64_t to_d = 0, to_m = 0;
	enum store_status status = count_through(store, deliveries_through, done_d, limit, &to_d);
	if (status == STORE_OK)
		status = count_through(store, messages_through, done_m, limit, &to_m);
	if (status != STORE_OK || (to_d == 0 && to_m == 0))
		return status;
	if (to_d) {
		struct stats_groups groups = {0};
		status = sum_deliveries(store, done_d, to_d, &groups);
		if (status == STORE_OK)
			status = add_groups(store, &groups);
		groups_free(&groups);
	}
	if (status == STORE_OK && to_m)
		status = count_outcomes(store, done_m, to_m);
	stmt = status == STORE_OK ? store_stmt(store, save_progress) : NULL;
	if (stmt) {
		sqlite3_bind_int64(stmt, 1, to_d ? to_d : done_d);
		sqlite3_bind_int64(stmt, 2, to_m ? to_m : done_m);
		status = store_status_of(sqlite3_step(stmt));
	} else if (status == STORE_OK) {
		status = STORE_ERROR;
	}
	*more = status == STORE_OK;
	return status;
}
