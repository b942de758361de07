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
 *
 * The tally: store_message_add() also adds each message and its deliveries
 * to sums kept in memory, so that a catch-up finding the counters exactly
 * where the tally starts, and the newest ids exactly where it ends, adds
 * those sums without reading a row (reading them back cost a twentieth of
 * SendEmail's server time: docs/performance.md, fourth round). The open
 * transaction's additions wait in `tx` until its group commits.
 *
 * Why the sums stay exact: message and delivery ids are the next after the
 * largest (rowid, and store_message_add's max(id) + 1), so ids undone by a
 * rollback or emptied by a deletion are taken again by the next rows, and
 * a tally holding them no longer follows on (part_add, part_append) or no
 * longer ends at the newest id (catch_up_from_tally): either way the rows
 * are read, as without a tally, until a catch-up has counted up to the
 * newest and the tally starts over there. What the ids cannot show, the
 * update hook reports (store_tally_row): a row stored by another statement,
 * or one not yet counted changed or deleted. More than TALLY_GROUPS_MAX
 * groups (a batch to recipients of many domains) also gives up the tally.
 */
#include "store_message.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store_internal.h"

enum { RANKS = 16 }; /* message outcome ranks are 0-5 (store_metrics.h); room to spare */

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

/* Add counts[rank] messages to each outcome rank's counter. */
static enum store_status add_outcomes(struct store *store, const int64_t counts[RANKS])
{
	static const char add_sql[] = "INSERT INTO message_outcomes (rank, count) VALUES (?1, ?2) "
				      "ON CONFLICT (rank) DO UPDATE SET count = count + excluded.count";
	for (int rank = 0; rank < RANKS; rank++) {
		if (!counts[rank])
			continue;
		sqlite3_stmt *stmt = store_stmt(store, add_sql);
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

/* Count the messages with ids in (from, through] by outcome rank. */
static enum store_status count_outcomes(struct store *store, int64_t from, int64_t through)
{
	static const char select_sql[] =
		"SELECT outcome FROM messages WHERE id > ?1 AND id <= ?2 AND outcome IS NOT NULL";
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
	return add_outcomes(store, counts);
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

/* ---- the tally ---------------------------------------------------------- */

/* Past this many groups the tally gives up and the catch-up reads the rows. */
#define TALLY_GROUPS_MAX 256

/* Messages and deliveries with consecutive ids, summed; ids 0 when it holds none. */
struct tally_part {
	int64_t first_d, last_d, first_m, last_m;
	struct stats_groups groups;
	int64_t outcomes[RANKS];
};

struct stats_tally {
	/* Committed: when valid, the counters stand at (base_d, base_m) and the
	 * rows stored after those ids are exactly `done`. */
	bool valid;
	int64_t base_d, base_m;
	struct tally_part done;
	/* The open transaction's additions, and what else happened in it. */
	struct tally_part tx;
	bool tx_broken;  /* something the tally cannot follow */
	bool tx_rebased; /* a catch-up in it counted every row: `done` restarts at rebase_* */
	int64_t rebase_d, rebase_m;
	bool adding;   /* inside store_message_add's inserts */
	uint64_t used; /* catch-ups served from the tally (store_stats_tally_used) */
};

static void part_clear(struct tally_part *p)
{
	groups_free(&p->groups);
	memset(p, 0, sizeof(*p));
}

bool store_tally_init(struct store *store)
{
	store->tally = calloc(1, sizeof(*store->tally));
	return store->tally != NULL;
}

void store_tally_destroy(struct store *store)
{
	if (!store->tally)
		return;
	part_clear(&store->tally->done);
	part_clear(&store->tally->tx);
	free(store->tally);
	store->tally = NULL;
}

void store_tally_adding(struct store *store, bool adding)
{
	if (store->tally)
		store->tally->adding = adding;
}

/* Add one stored message to `p`; false when its ids do not follow p's or there are too many groups. */
static bool part_add(struct tally_part *p, int64_t account, int64_t message, int outcome, int64_t first_delivery,
		     const struct store_message_in *in)
{
	if ((p->last_m && message != p->last_m + 1) ||
	    (in->delivery_count && p->last_d && first_delivery != p->last_d + 1))
		return false;
	for (size_t i = 0; i < in->delivery_count; i++) {
		const struct store_delivery_in *d = &in->deliveries[i];
		struct stats_group *item =
			group_of(&p->groups, account, in->day, in->from_domain, store_domain_of(d->address));
		if (!item || p->groups.count > TALLY_GROUPS_MAX)
			return false;
		/* the columns sum_deliveries reads; unsubscribed starts at 0 */
		int64_t row[7] = {1, d->send_status == 0, d->deliver_status == 1, d->opened, d->clicked, d->bounced, 0};
		for (int k = 0; k < 7; k++)
			item->sums[k] += row[k];
	}
	if (!p->first_m)
		p->first_m = message;
	p->last_m = message;
	if (in->delivery_count) {
		if (!p->first_d)
			p->first_d = first_delivery;
		p->last_d = first_delivery + (int64_t)in->delivery_count - 1;
	}
	if (outcome >= 0 && outcome < RANKS)
		p->outcomes[outcome]++;
	return true;
}

void store_tally_add(struct store *store, int64_t account, int64_t message, int outcome, int64_t first_delivery,
		     const struct store_message_in *in)
{
	struct stats_tally *t = store->tally;
	if (!t)
		return;
	if (!t->tx_broken && !part_add(&t->tx, account, message, outcome, first_delivery, in))
		t->tx_broken = true;
}

void store_tally_row(struct store *store, int op, const char *table, int64_t rowid)
{
	struct stats_tally *t = store->tally;
	if (!t || (t->adding && op == SQLITE_INSERT))
		return;
	bool deliveries = strcmp(table, "deliveries") == 0;
	if (!deliveries && strcmp(table, "messages") != 0)
		return;
	/* rows already counted are followed by the counters' trigger */
	int64_t counted =
		deliveries ? (t->tx_rebased ? t->rebase_d : t->base_d) : (t->tx_rebased ? t->rebase_m : t->base_m);
	if (op == SQLITE_INSERT || rowid > counted)
		t->tx_broken = true;
}

/* The next ids after `p`, which starts after (base_d, base_m) when empty. */
static void part_next(const struct tally_part *p, int64_t base_d, int64_t base_m, int64_t *next_d, int64_t *next_m)
{
	*next_d = (p->last_d ? p->last_d : base_d) + 1;
	*next_m = (p->last_m ? p->last_m : base_m) + 1;
}

/* Whether `src`'s ids (none counts) come right after `dst`'s, which starts after (base_d, base_m). */
static bool part_follows(const struct tally_part *dst, int64_t base_d, int64_t base_m, const struct tally_part *src)
{
	int64_t next_d, next_m;
	part_next(dst, base_d, base_m, &next_d, &next_m);
	return (!src->first_d || src->first_d == next_d) && (!src->first_m || src->first_m == next_m);
}

/* Move `src` to the end of `dst` (which starts after base_*); false when its ids do not follow. */
static bool part_append(struct tally_part *dst, struct tally_part *src, int64_t base_d, int64_t base_m)
{
	if (!part_follows(dst, base_d, base_m, src))
		return false;
	for (size_t i = 0; i < src->groups.count; i++) {
		const struct stats_group *g = &src->groups.items[i];
		struct stats_group *item = group_of(&dst->groups, g->account, g->day, g->from_domain, g->mailbox);
		if (!item || dst->groups.count > TALLY_GROUPS_MAX)
			return false;
		for (int k = 0; k < 7; k++)
			item->sums[k] += g->sums[k];
	}
	for (int r = 0; r < RANKS; r++)
		dst->outcomes[r] += src->outcomes[r];
	if (src->first_d) {
		dst->first_d = dst->first_d ? dst->first_d : src->first_d;
		dst->last_d = src->last_d;
	}
	if (src->first_m) {
		dst->first_m = dst->first_m ? dst->first_m : src->first_m;
		dst->last_m = src->last_m;
	}
	return true;
}

void store_tally_end(struct store *store, bool committed)
{
	struct stats_tally *t = store->tally;
	if (!t)
		return;
	if (committed) {
		if (t->tx_broken) {
			t->valid = false;
		} else if (t->tx_rebased) {
			part_clear(&t->done);
			t->valid = true;
			t->base_d = t->rebase_d;
			t->base_m = t->rebase_m;
		}
		if (t->valid && !t->tx_broken && !part_append(&t->done, &t->tx, t->base_d, t->base_m))
			t->valid = false;
		if (!t->valid)
			part_clear(&t->done);
	}
	part_clear(&t->tx);
	t->tx_broken = t->tx_rebased = false;
}

/* Counted everything up to (last_d, last_m) in the open transaction: the tally restarts there at commit. */
static void tally_rebase(struct stats_tally *t, int64_t last_d, int64_t last_m)
{
	if (!t)
		return;
	part_clear(&t->tx);
	t->tx_broken = false;
	t->tx_rebased = true;
	t->rebase_d = last_d;
	t->rebase_m = last_m;
}

uint64_t store_stats_tally_used(const struct store *store)
{
	return store->tally ? store->tally->used : 0;
}

/* The newest delivery and message ids (0 when none). */
static enum store_status newest_ids(struct store *store, int64_t *last_d, int64_t *last_m)
{
	static const char sql[] = "SELECT (SELECT coalesce(max(id), 0) FROM deliveries), "
				  "(SELECT coalesce(max(id), 0) FROM messages)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	*last_d = sqlite3_column_int64(stmt, 0);
	*last_m = sqlite3_column_int64(stmt, 1);
	return STORE_OK;
}

static enum store_status save_progress(struct store *store, int64_t deliveries, int64_t messages)
{
	static const char sql[] =
		"INSERT INTO stats_progress (id, deliveries, messages) VALUES (1, ?1, ?2) "
		"ON CONFLICT (id) DO UPDATE SET deliveries = excluded.deliveries, messages = excluded.messages";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, deliveries);
	sqlite3_bind_int64(stmt, 2, messages);
	return store_status_of(sqlite3_step(stmt));
}

/* Whether the tally, as the open transaction sees it, starts at (done_d, done_m); the last ids it holds. */
static bool tally_covers(const struct stats_tally *t, int64_t done_d, int64_t done_m, int64_t *last_d, int64_t *last_m)
{
	if (!t || !t->valid || t->tx_broken || t->tx_rebased || t->base_d != done_d || t->base_m != done_m)
		return false;
	if (!part_follows(&t->done, t->base_d, t->base_m, &t->tx))
		return false;
	int64_t next_d, next_m;
	part_next(&t->done, t->base_d, t->base_m, &next_d, &next_m);
	*last_d = t->tx.last_d ? t->tx.last_d : next_d - 1;
	*last_m = t->tx.last_m ? t->tx.last_m : next_m - 1;
	return true;
}

/*
 * The catch-up from the tally, when it holds exactly the rows after the
 * counters' progress (done_*): STORE_NOT_FOUND when it does not (the rows
 * are read instead).
 */
static enum store_status catch_up_from_tally(struct store *store, int64_t done_d, int64_t done_m, bool *more)
{
	struct stats_tally *t = store->tally;
	int64_t last_d = 0, last_m = 0;
	if (!tally_covers(t, done_d, done_m, &last_d, &last_m))
		return STORE_NOT_FOUND;
	int64_t newest_d = 0, newest_m = 0;
	enum store_status status = newest_ids(store, &newest_d, &newest_m);
	if (status != STORE_OK)
		return status;
	if (newest_d != last_d || newest_m != last_m)
		return STORE_NOT_FOUND;
	t->used++;
	if (last_d == done_d && last_m == done_m)
		return STORE_OK; /* nothing new */
	int64_t outcomes[RANKS];
	for (int r = 0; r < RANKS; r++)
		outcomes[r] = t->done.outcomes[r] + t->tx.outcomes[r];
	status = add_groups(store, &t->done.groups);
	if (status == STORE_OK)
		status = add_groups(store, &t->tx.groups);
	if (status == STORE_OK)
		status = add_outcomes(store, outcomes);
	if (status == STORE_OK)
		status = save_progress(store, last_d, last_m);
	if (status == STORE_OK) {
		tally_rebase(t, last_d, last_m);
		*more = true;
	}
	return status;
}

enum store_status store_stats_catch_up(struct store *store, int64_t limit, bool *more)
{
	static const char progress_sql[] = "SELECT coalesce((SELECT deliveries FROM stats_progress), 0), "
					   "coalesce((SELECT messages FROM stats_progress), 0)";
	static const char deliveries_through[] =
		"SELECT coalesce(max(id), 0) FROM (SELECT id FROM deliveries WHERE id > ?1 ORDER BY id LIMIT ?2)";
	static const char messages_through[] =
		"SELECT coalesce(max(id), 0) FROM (SELECT id FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2)";
	*more = false;
	sqlite3_stmt *stmt = store_stmt(store, progress_sql);
	if (!stmt)
		return STORE_ERROR;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	int64_t done_d = sqlite3_column_int64(stmt, 0), done_m = sqlite3_column_int64(stmt, 1);
	enum store_status status = catch_up_from_tally(store, done_d, done_m, more);
	if (status != STORE_NOT_FOUND)
		return status;
	int64_t to_d = 0, to_m = 0;
	status = count_through(store, deliveries_through, done_d, limit, &to_d);
	if (status == STORE_OK)
		status = count_through(store, messages_through, done_m, limit, &to_m);
	if (status == STORE_OK && to_d == 0 && to_m == 0)
		to_d = done_d, to_m = done_m; /* nothing new: the tally may start here */
	else if (status == STORE_OK) {
		if (to_d) {
			struct stats_groups groups = {0};
			status = sum_deliveries(store, done_d, to_d, &groups);
			if (status == STORE_OK)
				status = add_groups(store, &groups);
			groups_free(&groups);
		} else {
			to_d = done_d;
		}
		if (status == STORE_OK && to_m)
			status = count_outcomes(store, done_m, to_m);
		else if (!to_m)
			to_m = done_m;
		if (status == STORE_OK)
			status = save_progress(store, to_d, to_m);
		*more = status == STORE_OK;
	}
	/* every row is counted now: the tally starts over from here */
	int64_t newest_d = 0, newest_m = 0;
	if (status == STORE_OK && newest_ids(store, &newest_d, &newest_m) == STORE_OK && newest_d == to_d &&
	    newest_m == to_m)
		tally_rebase(store->tally, to_d, to_m);
	return status;
}
