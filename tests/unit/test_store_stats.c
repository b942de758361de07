/*
 * Focus: the statistics counters' tally (storage/store_stats.c). Random
 * runs of what changes messages and deliveries (units that store messages
 * and commit or roll back, a unit rolled back after storing inside a group
 * another unit commits, deliveries marked unsubscribed before and after
 * they are counted, catch-ups with small and large limits, deleting every
 * message) on a file store and in memory; random groups of several units
 * in one transaction (each unit released or rolled back to its savepoint,
 * catch-ups among the sends, one group in ten lost whole); three fixed
 * cases (a catch-up rolled back, an id reused inside a group, a reused id
 * caught up in its own group) and more groups than the tally keeps. After
 * each, the counters (delivery_stats, message_outcomes) must equal a
 * recount of the rows by SQL, and the tally must have served catch-ups,
 * not only the rows read back. Each of the tally's checks (ids following
 * on, the newest id, the counters' progress, the update hook) has a case
 * here that fails without it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"
#include "store_account.h"
#include "store_internal.h" /* the writing connection, for the recount */
#include "store_message.h"
#include "unit.h"
#include "temp_file.h"

#define NOW 1767225600 /* 2026-01-01 08:00:00 CST */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Two accounts, app ids `first` and `first` + 1. */
static void make_accounts(struct store *store, uint64_t first, int64_t accounts[2])
{
	for (int a = 0; a < 2; a++) {
		struct store_account account = {.app_id = first + (uint64_t)a, .uin = "500"};
		CHECK_INT(store_begin(store, true), STORE_OK);
		CHECK_INT(store_account_create(store, &account, NOW, &accounts[a]), STORE_OK);
		CHECK_INT(store_commit(store), STORE_OK);
	}
}

static int message_serial;

/* Store one message of 1-3 deliveries with random outcomes (inside the caller's unit). */
static void add_random_message(struct store *store, const int64_t accounts[2])
{
	static const char *const froms[] = {"a@Example.com", "b@example.COM", "c@other.net"};
	static const char *const tos[] = {"x@qq.com", "y@QQ.com", "z@gmail.com", "w@mail.example"};
	static const char *const days[] = {"2026-01-01", "2026-01-02"};
	struct store_delivery_in rows[3];
	size_t count = rnd(4); /* none at all too */
	for (size_t i = 0; i < count; i++) {
		rows[i] = (struct store_delivery_in){
			.address = tos[rnd(4)],
			.send_status = rnd(5) == 0 ? 1002 : 0,
			.deliver_status = (int[]){0, 1, 1, 2, 3, 8}[rnd(6)],
			.opened = rnd(3) == 0,
			.clicked = rnd(4) == 0,
			.bounced = rnd(6) == 0,
		};
	}
	char id[32];
	snprintf(id, sizeof(id), "m%d", ++message_serial);
	const char *from = froms[rnd(3)];
	struct store_message_in msg = {
		.message_id = id,
		.from_address = from,
		.from_domain = strchr(from, '@') + 1,
		.subject = "s",
		.recipients_json = "{}",
		.reply_to = "",
		.attachments_json = "[]",
		.created = NOW,
		.day = days[rnd(2)],
		.raw = "raw",
		.raw_len = 3,
		.deliveries = rows,
		.delivery_count = count,
	};
	CHECK_INT(store_message_add(store, accounts[rnd(2)], &msg), STORE_OK);
}

/* Mark one random stored delivery unsubscribed (it may be counted already or not). */
static void unsubscribe_random(struct store *store)
{
	if (!message_serial)
		return;
	char id[32];
	snprintf(id, sizeof(id), "m%u", 1 + rnd((unsigned)message_serial));
	struct store_delivery *rows = NULL;
	size_t count = 0;
	if (store_message_deliveries(store, id, &rows, &count) == STORE_OK && count)
		store_delivery_mark_unsubscribed(store, id, rows[rnd((unsigned)count)].to);
	store_delivery_list_free(rows, count);
}

static void catch_up(struct store *store, int64_t limit)
{
	bool more = true;
	for (int i = 0; i < 1000 && more; i++) {
		CHECK_INT(store_begin(store, true), STORE_OK);
		CHECK_INT(store_stats_catch_up(store, limit, &more), STORE_OK);
		CHECK_INT(store_commit(store), STORE_OK);
	}
}

/* The rows of `sql` as one text, "|"-separated columns, ";" after each row. */
static void rows_text(struct store *store, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *stmt = NULL;
	size_t used = 0;
	out[0] = '\0';
	CHECK_INT(store_begin(store, true), STORE_OK);
	if (CHECK_INT(sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL), SQLITE_OK)) {
		while (sqlite3_step(stmt) == SQLITE_ROW && used < size)
			for (int c = 0; c < sqlite3_column_count(stmt) && used < size; c++)
				used += (size_t)snprintf(out + used, size - used, "%s%s",
							 (const char *)sqlite3_column_text(stmt, c),
							 c + 1 == sqlite3_column_count(stmt) ? ";" : "|");
	}
	sqlite3_finalize(stmt);
	store_commit(store);
}

/* The counters equal a recount of every row (after a full catch-up). */
static void check_counters(struct store *store, const char *label)
{
	static char counted[65536], recount[65536];
	catch_up(store, 1000000);
	rows_text(store,
		  "SELECT account_id, day, lower(from_domain), lower(mailbox), sum(requests), sum(accepted), "
		  "sum(delivered), sum(opened), sum(clicked), sum(bounced), sum(unsubscribed) FROM delivery_stats "
		  "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
		  counted, sizeof(counted));
	rows_text(store,
		  "SELECT d.account_id, d.day, lower(m.from_domain), lower(d.mailbox), count(*), "
		  "sum(d.send_status = 0), sum(d.deliver_status = 1), sum(d.opened), sum(d.clicked), sum(d.bounced), "
		  "sum(d.unsubscribed) FROM deliveries d JOIN messages m ON m.id = d.message "
		  "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
		  recount, sizeof(recount));
	if (!CHECK_STR(counted, recount))
		fprintf(stderr, "  (%s: delivery counters)\n", label);
	rows_text(store, "SELECT rank, count FROM message_outcomes WHERE count > 0 ORDER BY rank", counted,
		  sizeof(counted));
	rows_text(store,
		  "SELECT outcome, count(*) FROM messages WHERE outcome IS NOT NULL GROUP BY outcome ORDER BY outcome",
		  recount, sizeof(recount));
	if (!CHECK_STR(counted, recount))
		fprintf(stderr, "  (%s: outcome counters)\n", label);
}

/* A unit on another thread that stores one message and, when told, commits (its group then stays open). */
struct held_unit {
	struct store *store;
	const int64_t *accounts;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool written, go;
};

static void *run_held_unit(void *arg)
{
	struct held_unit *h = arg;
	store_begin(h->store, true);
	add_random_message(h->store, h->accounts);
	pthread_mutex_lock(&h->lock);
	h->written = true;
	pthread_cond_broadcast(&h->cond);
	while (!h->go)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	store_commit(h->store); /* waits for the group, which the main thread commits */
	return NULL;
}

/*
 * One transaction holding a unit that stores a message and commits, and a
 * unit that stores one and rolls back (ROLLBACK TO its savepoint): the
 * tally must count the first and not the second.
 */
static void group_with_rollback(struct store *store, const int64_t accounts[2])
{
	struct held_unit h = {.store = store, .accounts = accounts};
	pthread_t thread;
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	atomic_fetch_add(&store->pending, 1); /* a caller seems to wait: the group stays open */
	pthread_create(&thread, NULL, run_held_unit, &h);
	pthread_mutex_lock(&h.lock);
	while (!h.written)
		pthread_cond_wait(&h.cond, &h.lock);
	h.go = true;
	pthread_cond_broadcast(&h.cond);
	pthread_mutex_unlock(&h.lock);
	CHECK_INT(store_begin(store, true), STORE_OK); /* joins the held unit's transaction */
	add_random_message(store, accounts);
	store_rollback(store);
	atomic_fetch_sub(&store->pending, 1);
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK); /* commits the group */
	pthread_join(thread, NULL);
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
}

static void random_run(struct store *store, const char *label, int steps)
{
	int64_t accounts[2];
	make_accounts(store, 1300000500, accounts);
	uint64_t used_before = store_stats_tally_used(store);
	int catch_ups = 0;
	for (int step = 0; step < steps; step++) {
		unsigned what = rnd(100);
		if (what < 55) { /* a unit storing 1-3 messages, rolled back one time in five */
			CHECK_INT(store_begin(store, true), STORE_OK);
			for (unsigned n = 1 + rnd(3); n > 0; n--)
				add_random_message(store, accounts);
			if (rnd(5) == 0)
				store_rollback(store);
			else
				CHECK_INT(store_commit(store), STORE_OK);
		} else if (what < 65) {
			CHECK_INT(store_begin(store, true), STORE_OK);
			unsubscribe_random(store);
			CHECK_INT(store_commit(store), STORE_OK);
		} else if (what < 90) {
			catch_up(store, rnd(2) ? 2 : 100000);
			catch_ups++;
		} else if (what < 97) {
			group_with_rollback(store, accounts);
		} else if (what < 98) {
			int64_t deleted = 0;
			CHECK_INT(store_begin(store, true), STORE_OK);
			CHECK_INT(store_message_delete_all(store, &deleted), STORE_OK);
			CHECK_INT(store_commit(store), STORE_OK);
		}
		if (step % 97 == 96)
			check_counters(store, label);
	}
	check_counters(store, label);
	uint64_t used = store_stats_tally_used(store) - used_before;
	/* most catch-ups found the tally usable (the rest read the rows back) */
	if (!CHECK(used * 2 > (uint64_t)catch_ups))
		fprintf(stderr, "  (%s: tally used %llu times in %d catch-ups)\n", label, (unsigned long long)used,
			catch_ups);
}

/* ---- units sharing one group's transaction, in one thread ---- */

/* End the caller's unit but leave the group open, as store.c's end_unit does while others wait. */
static void unit_keep(struct store *store, bool commit)
{
	sqlite3_exec(store->db, commit ? "RELEASE unit" : "ROLLBACK TO unit; RELEASE unit", NULL, NULL, NULL);
	pthread_mutex_unlock(&store->lock);
}

/* Commit the open group (an empty unit, nobody waiting), or lose it whole (as after SQLite's own rollback). */
static void group_end(struct store *store, bool commit)
{
	CHECK_INT(store_begin(store, true), STORE_OK);
	if (commit) {
		CHECK_INT(store_commit(store), STORE_OK);
	} else {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		store_rollback(store); /* ROLLBACK TO fails: end_group(STORE_ERROR) */
	}
}

static void group_run(struct store *store, const char *label, int groups)
{
	int64_t accounts[2];
	make_accounts(store, 1300000600, accounts);
	uint64_t used_before = store_stats_tally_used(store);
	for (int g = 0; g < groups; g++) {
		for (unsigned units = 1 + rnd(6); units > 0; units--) {
			CHECK_INT(store_begin(store, true), STORE_OK);
			unsigned what = rnd(100);
			bool more = false;
			if (what < 50) {
				for (unsigned n = 1 + rnd(2); n > 0; n--)
					add_random_message(store, accounts);
			} else if (what < 60) {
				unsubscribe_random(store);
			} else if (what < 97) {
				CHECK_INT(store_stats_catch_up(store, rnd(2) ? 2 : 100000, &more), STORE_OK);
			} else {
				int64_t deleted = 0;
				CHECK_INT(store_message_delete_all(store, &deleted), STORE_OK);
			}
			unit_keep(store, rnd(5) != 0);
		}
		group_end(store, rnd(10) != 0);
		if (g % 50 == 49)
			check_counters(store, label);
	}
	check_counters(store, label);
	/* the tally served catch-ups here too, not only the rows */
	if (!CHECK(store_stats_tally_used(store) - used_before > (uint64_t)groups / 10))
		fprintf(stderr, "  (%s: tally used %llu times)\n", label,
			(unsigned long long)(store_stats_tally_used(store) - used_before));
}

/* Store one message with `count` deliveries to domains d<first>.. (distinct groups). */
static void add_domains_message(struct store *store, int64_t account, int first, int count)
{
	static char addresses[64][40];
	struct store_delivery_in rows[64];
	for (int i = 0; i < count; i++) {
		snprintf(addresses[i], sizeof(addresses[i]), "u@d%d.example", first + i);
		rows[i] = (struct store_delivery_in){.address = addresses[i], .deliver_status = 1, .opened = i & 1};
	}
	char id[32];
	snprintf(id, sizeof(id), "m%d", ++message_serial);
	struct store_message_in msg = {.message_id = id,
				       .from_address = "a@example.com",
				       .from_domain = "example.com",
				       .subject = "s",
				       .recipients_json = "{}",
				       .reply_to = "",
				       .attachments_json = "[]",
				       .created = NOW,
				       .day = "2026-01-01",
				       .raw = "raw",
				       .raw_len = 3,
				       .deliveries = rows,
				       .delivery_count = (size_t)count};
	CHECK_INT(store_message_add(store, account, &msg), STORE_OK);
}

static void overflow_run(struct store *store)
{
	int64_t account = 0;
	struct store_account acc = {.app_id = 1300000700, .uin = "700"};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &acc, NOW, &account), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	catch_up(store, 1000000);
	/* one unit past TALLY_GROUPS_MAX */
	CHECK_INT(store_begin(store, true), STORE_OK);
	for (int i = 0; i < 6; i++)
		add_domains_message(store, account, i * 50, 50);
	CHECK_INT(store_commit(store), STORE_OK);
	check_counters(store, "overflow tx");
	/* groups past it only once committed units are merged */
	for (int u = 0; u < 4; u++) {
		CHECK_INT(store_begin(store, true), STORE_OK);
		for (int i = 0; i < 2; i++)
			add_domains_message(store, account, 1000 + u * 100 + i * 50, 50);
		CHECK_INT(store_commit(store), STORE_OK);
	}
	check_counters(store, "overflow done");
	/* a catch-up between, in one group */
	CHECK_INT(store_begin(store, true), STORE_OK);
	for (int i = 0; i < 4; i++)
		add_domains_message(store, account, 2000 + i * 50, 50);
	unit_keep(store, true);
	bool more = false;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_stats_catch_up(store, 1000000, &more), STORE_OK);
	unit_keep(store, true);
	CHECK_INT(store_begin(store, true), STORE_OK);
	for (int i = 0; i < 4; i++)
		add_domains_message(store, account, 3000 + i * 50, 50);
	unit_keep(store, true);
	group_end(store, true);
	check_counters(store, "overflow group");
}

/* Deterministic cases the single-threaded random run cannot reach (each checked against a recount). */
static void group_cases(struct store *store)
{
	int64_t accounts[2];
	make_accounts(store, 1300000800, accounts);
	bool more = false;
	/* 1. a catch-up rolled back: the tally restarts at ids the counters never reached (base check) */
	CHECK_INT(store_begin(store, true), STORE_OK);
	add_random_message(store, accounts);
	CHECK_INT(store_commit(store), STORE_OK);
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_stats_catch_up(store, 1000000, &more), STORE_OK);
	store_rollback(store);
	check_counters(store, "rolled-back catch-up");
	/* 2. one group: a unit stores, one stores and rolls back, one stores again (part_add's check) */
	for (int unit = 0; unit < 3; unit++) {
		CHECK_INT(store_begin(store, true), STORE_OK);
		add_random_message(store, accounts);
		unit_keep(store, unit != 1);
	}
	group_end(store, true);
	check_counters(store, "rollback between stores in a group");
	/* 3. a store rolled back alone, then one group storing the same id and catching up (tally_covers' check) */
	CHECK_INT(store_begin(store, true), STORE_OK);
	add_domains_message(store, accounts[0], 0, 2);
	store_rollback(store);
	CHECK_INT(store_begin(store, true), STORE_OK);
	add_domains_message(store, accounts[0], 0, 2);
	unit_keep(store, true);
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_stats_catch_up(store, 1000000, &more), STORE_OK);
	unit_keep(store, true);
	group_end(store, true);
	check_counters(store, "catch-up after a reused id in its group");
}

int main(void)
{
	struct temp_file tmp;
	char err[256] = "";
	struct store *store = NULL;
	if (temp_file_make(&tmp, "stats")) {
		if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
			random_run(store, "file store", 2000);
			store_destroy(store);
		}
		temp_file_remove(&tmp);
	}
	store = NULL;
	if (CHECK_INT(store_open(&store, NULL, err, sizeof(err)), STORE_OK)) {
		random_run(store, "memory store", 2000);
		store_destroy(store);
	}
	store = NULL;
	if (CHECK_INT(store_open(&store, NULL, err, sizeof(err)), STORE_OK)) {
		group_run(store, "memory store, groups", 3000);
		store_destroy(store);
	}
	if (temp_file_make(&tmp, "stats2")) {
		store = NULL;
		if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
			group_run(store, "file store, groups", 3000);
			store_destroy(store);
		}
		temp_file_remove(&tmp);
	}
	store = NULL;
	if (CHECK_INT(store_open(&store, NULL, err, sizeof(err)), STORE_OK)) {
		group_cases(store);
		store_destroy(store);
	}
	store = NULL;
	if (CHECK_INT(store_open(&store, NULL, err, sizeof(err)), STORE_OK)) {
		overflow_run(store);
		store_destroy(store);
	}
	return unit_finish("store_stats");
}
