/*
 * Focus: the SQLite store (storage/) through its public API only: opening
 * (in memory, a file kept across reopening, an unwritable path), the
 * transaction calls, accounts and credentials, and the CRUD of identities,
 * senders and templates with STORE_EXISTS / STORE_NOT_FOUND, the template
 * tombstone (deleted templates are still found, marked deleted) and account
 * isolation (no call of account 2 sees or changes a row of account 1);
 * the listings the control plane's page reads (every account, the
 * recorded unsubscribes).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_account.h"
#include "store_identity.h"
#include "store_message.h"
#include "store_metrics.h"
#include "store_sender.h"
#include "store_template.h"
#include "store_unsubscribe.h"
#include "unit.h"
#include "temp_file.h"

#define NOW 1700000000

static struct store *open_memory(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		fprintf(stderr, "  %s\n", err);
	return store;
}

/* Two accounts in a fresh store; their ids in a1, a2. */
static struct store *open_with_accounts(int64_t *a1, int64_t *a2)
{
	struct store *store = open_memory();
	if (!store)
		return NULL;
	struct store_account one = {.app_id = 1300000001, .uin = "100000000001", .enterprise_verified = true};
	struct store_account two = {.app_id = 1300000002, .uin = "100000000002"};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &one, NOW, a1), STORE_OK);
	CHECK_INT(store_account_create(store, &two, NOW, a2), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	CHECK(*a1 != *a2);
	return store;
}

static void test_open(void)
{
	struct store *store = open_memory();
	if (!store)
		return;
	int64_t count = -1;
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_account_count(store, &count), STORE_OK);
	CHECK_INT(count, 0);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);

	/* NULL is in memory too. */
	char err[256] = "";
	store = NULL;
	CHECK_INT(store_open(&store, NULL, err, sizeof(err)), STORE_OK);
	store_destroy(store);

	store_destroy(NULL);
	CHECK_STR(store_last_error(NULL), "no store");
}

static void test_open_unwritable(void)
{
	struct store *store = (struct store *)&store; /* must be reset to NULL */
	char err[256] = "";
	CHECK_INT(store_open(&store, "/nonexistent-dir/x.db", err, sizeof(err)), STORE_ERROR);
	CHECK(store == NULL);
	CHECK(err[0] != '\0');
	CHECK(strstr(err, "/nonexistent-dir/x.db") != NULL);
	CHECK(strchr(err, '\n') == NULL);
	/* A tiny buffer gets a cut, terminated message. */
	char small[8];
	CHECK_INT(store_open(&store, "/nonexistent-dir/x.db", small, sizeof(small)), STORE_ERROR);
	CHECK_INT(strlen(small), 7);
}

/* The page size of a store file, read with SQLite itself; -1 when it cannot be read. */
static int page_size_of(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int size = -1;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		size = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return size;
}

/* sqlite_master of a store file (but table `skip`) and its user_version, as one text. */
static void schema_of(const char *path, const char *skip, char *out, size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	size_t used = 0;
	out[0] = '\0';
	if (!CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK))
		return;
	if (CHECK_INT(sqlite3_prepare_v2(db,
					 "SELECT type || ' ' || name || ' ' || tbl_name || ': ' || coalesce(sql, '') "
					 "FROM sqlite_master WHERE name <> ?1 UNION ALL SELECT user_version FROM "
					 "pragma_user_version ORDER BY 1",
					 -1, &stmt, NULL),
		      SQLITE_OK)) {
		sqlite3_bind_text(stmt, 1, skip, -1, SQLITE_STATIC);
		while (sqlite3_step(stmt) == SQLITE_ROW && used < size)
			used += (size_t)snprintf(out + used, size - used, "%s\n",
						 (const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

/*
 * A new store starts from the schema the migrations leave (gen_schema.py
 * runs them at build time); it must be the schema that running them one
 * by one gives, which a store that already has a table gets.
 */
static void test_fresh_schema(void)
{
	static char fresh[32768], stepwise[32768];
	struct temp_file a, b;
	if (!temp_file_make(&a, "fresh") || !temp_file_make(&b, "stepwise"))
		return;
	char err[256] = "";
	struct store *store = NULL;
	if (CHECK_INT(store_open(&store, a.path, err, sizeof(err)), STORE_OK))
		store_destroy(store);
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open(b.path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE zz_before (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	store = NULL;
	if (CHECK_INT(store_open(&store, b.path, err, sizeof(err)), STORE_OK))
		store_destroy(store);
	schema_of(a.path, "zz_before", fresh, sizeof(fresh));
	schema_of(b.path, "zz_before", stepwise, sizeof(stepwise));
	CHECK(strlen(fresh) > 1000);
	CHECK(strstr(fresh, "CREATE TABLE messages") != NULL);
	CHECK_STR(fresh, stepwise);
	temp_file_remove(&a);
	temp_file_remove(&b);
}

/* A file store keeps its rows and is not migrated twice. */
static void test_file_reopen(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "store"))
		return;
	const char *path = tmp.path;
	char err[256] = "";
	struct store *store = NULL;
	int64_t id = 0, count = 0;
	if (CHECK_INT(store_open(&store, path, err, sizeof(err)), STORE_OK)) {
		struct store_account account = {.app_id = 42, .uin = "42"};
		CHECK_INT(store_begin(store, true), STORE_OK);
		CHECK_INT(store_account_create(store, &account, NOW, &id), STORE_OK);
		CHECK_INT(store_credential_add(store, id, "AKIDfile", "secret", ""), STORE_OK);
		CHECK_INT(store_commit(store), STORE_OK);
		store_destroy(store);
	}
	store = NULL;
	if (CHECK_INT(store_open(&store, path, err, sizeof(err)), STORE_OK)) {
		char key[64], allow[64];
		struct store_account account;
		CHECK_INT(store_begin(store, false), STORE_OK);
		CHECK_INT(store_account_count(store, &count), STORE_OK);
		CHECK_INT(count, 1);
		CHECK_INT(store_credential_find(store, "AKIDfile", key, sizeof(key), allow, sizeof(allow), &account),
			  STORE_OK);
		CHECK_STR(key, "secret");
		CHECK_INT(account.id, id);
		store_commit(store);
		store_destroy(store);
	}
	/* a new store file has 2 KB pages (store_open) */
	CHECK_INT(page_size_of(path), 2048);
	temp_file_remove(&tmp);
}

/* A store file made with another page size (4 KB: SQLite's default, and every store before 2 KB pages) keeps it. */
static void test_file_page_size(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "store"))
		return;
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open(tmp.path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE t (x)", NULL, NULL,
			       NULL),
		  SQLITE_OK);
	sqlite3_close(db);
	char err[256] = "";
	struct store *store = NULL;
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		struct store_account account = {.app_id = 43, .uin = "43"};
		int64_t id = 0;
		CHECK_INT(store_begin(store, true), STORE_OK);
		CHECK_INT(store_account_create(store, &account, NOW, &id), STORE_OK);
		CHECK_INT(store_commit(store), STORE_OK);
		store_destroy(store);
	}
	CHECK_INT(page_size_of(tmp.path), 4096);
	temp_file_remove(&tmp);
}

/*
 * A write unit held open on another thread: open_writer_start() runs
 * `write` in a unit and returns once it has, leaving the unit uncommitted;
 * open_writer_commit() lets it commit and waits for that.
 */
struct open_writer {
	struct store *store;
	void (*write)(struct store *store);
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool written, go;
};

static void *run_open_writer(void *arg)
{
	struct open_writer *w = arg;
	store_begin(w->store, true);
	w->write(w->store);
	pthread_mutex_lock(&w->lock);
	w->written = true;
	pthread_cond_broadcast(&w->cond);
	while (!w->go)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	store_commit(w->store);
	return NULL;
}

static void open_writer_start(struct open_writer *w, struct store *store, void (*write)(struct store *store))
{
	*w = (struct open_writer){.store = store, .write = write};
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	pthread_create(&w->thread, NULL, run_open_writer, w);
	pthread_mutex_lock(&w->lock);
	while (!w->written)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

static void open_writer_commit(struct open_writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->go = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

static void add_second_account(struct store *store)
{
	struct store_account account = {.app_id = 43, .uin = "43"};
	int64_t id = 0;
	store_account_create(store, &account, NOW, &id);
}

/*
 * Read units of a file store run on the thread's own read-only connection:
 * they do not wait for a writer holding the store (this test would hang),
 * they read the last commit (not the writer's work in progress), and they
 * cannot write.
 */
static void test_file_readers(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "readers"))
		return;
	const char *path = tmp.path;
	char err[256] = "";
	struct store *store = NULL;
	if (!CHECK_INT(store_open(&store, path, err, sizeof(err)), STORE_OK))
		return;
	struct store_account first = {.app_id = 42, .uin = "42"};
	int64_t id = 0, count = -1;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &first, NOW, &id), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);

	struct open_writer w;
	open_writer_start(&w, store, add_second_account);

	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_account_count(store, &count), STORE_OK);
	CHECK_INT(count, 1); /* the writer's account is not committed yet */
	struct store_account extra = {.app_id = 44, .uin = "44"};
	CHECK(store_account_create(store, &extra, NOW, &id) != STORE_OK);
	store_rollback(store);

	open_writer_commit(&w);

	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_account_count(store, &count), STORE_OK);
	CHECK_INT(count, 2);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);
	temp_file_remove(&tmp);
}

/* Replace every account and credential: the key of AKIDrekey becomes "new-key". */
static void rekey(struct store *store)
{
	struct store_account account = {.app_id = 42, .uin = "42"};
	int64_t id = 0;
	store_wipe(store);
	store_account_create(store, &account, NOW, &id);
	store_credential_add(store, id, "AKIDrekey", "new-key", "");
}

/*
 * The credential cache and lock-free readers: a lookup that reads a
 * snapshot from before a write that replaces the credential must not leave
 * the old key remembered once that write has committed.
 */
static void test_credential_cache_readers(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "rekey"))
		return;
	const char *path = tmp.path;
	char err[256] = "", key[64], allow[64];
	struct store *store = NULL;
	if (!CHECK_INT(store_open(&store, path, err, sizeof(err)), STORE_OK))
		return;
	struct store_account account = {.app_id = 42, .uin = "42"}, found;
	int64_t id = 0;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &account, NOW, &id), STORE_OK);
	CHECK_INT(store_credential_add(store, id, "AKIDrekey", "old-key", ""), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	CHECK_INT(store_credential_lookup(store, "AKIDrekey", key, sizeof(key), allow, sizeof(allow), &found),
		  STORE_OK);
	CHECK_STR(key, "old-key");

	struct open_writer w;
	open_writer_start(&w, store, rekey);
	/* the write is not committed: a reader still sees the old key */
	CHECK_INT(store_credential_lookup(store, "AKIDrekey", key, sizeof(key), allow, sizeof(allow), &found),
		  STORE_OK);
	CHECK_STR(key, "old-key");
	open_writer_commit(&w);
	/* committed: the old key is not remembered */
	CHECK_INT(store_credential_lookup(store, "AKIDrekey", key, sizeof(key), allow, sizeof(allow), &found),
		  STORE_OK);
	CHECK_STR(key, "new-key");
	store_destroy(store);
	temp_file_remove(&tmp);
}

/* Add a message from `from` on `day` with the given deliveries. */
static void add_message(struct store *store, int64_t account, const char *id, const char *from, const char *day,
			const struct store_delivery_in *rows, size_t count)
{
	const char *at = strchr(from, '@');
	struct store_message_in msg = {
		.message_id = id,
		.from_address = from,
		.from_domain = at ? at + 1 : "",
		.subject = "s",
		.recipients_json = "{}",
		.reply_to = "",
		.attachments_json = "[]",
		.created = NOW,
		.day = day,
		.raw = "raw",
		.raw_len = 3,
		.deliveries = rows,
		.delivery_count = count,
	};
	CHECK_INT(store_message_add(store, account, &msg), STORE_OK);
}

/*
 * A message's recipients as one line "a,b", then "|" and the ids of the
 * messages the list filter `to` finds, newest first (the deliveries of a
 * message are a rowid range since migration 8).
 */
static void recipients_of(struct store *store, const char *message_id, const char *to, char *out, size_t size)
{
	struct store_delivery *rows = NULL;
	struct store_message *found = NULL;
	size_t count = 0, n = 0, used = 0;
	out[0] = '\0';
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_message_deliveries(store, message_id, &rows, &count), STORE_OK);
	struct store_message_filter filter = {.to = to};
	CHECK_INT(store_message_list(store, &filter, &found, &n), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	for (size_t i = 0; i < count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "", rows[i].to);
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "|", found[i].message_id);
	store_delivery_list_free(rows, count);
	store_message_list_free(found, n);
}

/* The day's volumes as one line "requests accepted delivered opened clicked bounces unsubscribes". */
static void volumes_of(struct store *store, int64_t account, const char *domain, const char *mailbox, char *out,
		       size_t size)
{
	struct store_volume *rows = NULL;
	size_t count = 0;
	snprintf(out, size, "none");
	CHECK_INT(store_begin(store, false), STORE_OK);
	if (CHECK_INT(
		    store_delivery_volumes(store, account, "2026-01-01", "2026-12-31", domain, mailbox, &rows, &count),
		    STORE_OK) &&
	    count == 1)
		snprintf(out, size, "%s %lld %lld %lld %lld %lld %lld %lld", rows[0].day, (long long)rows[0].requests,
			 (long long)rows[0].accepted, (long long)rows[0].delivered, (long long)rows[0].opened,
			 (long long)rows[0].clicked, (long long)rows[0].bounces, (long long)rows[0].unsubscribes);
	else if (count > 1)
		snprintf(out, size, "%zu days", count);
	free(rows);
	store_commit(store);
}

/* The metrics' messages per outcome rank, "n0 n1 n2 n3 n4 n5". */
static void outcomes_of(struct store *store, char *out, size_t size)
{
	int64_t c[STORE_METRICS_MESSAGE_RANKS] = {0};
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_metrics_messages(store, c), STORE_OK);
	store_commit(store);
	snprintf(out, size, "%lld %lld %lld %lld %lld %lld", (long long)c[0], (long long)c[1], (long long)c[2],
		 (long long)c[3], (long long)c[4], (long long)c[5]);
}

/*
 * GetStatisticsReport's and the metrics' counters (migration 7): exact
 * whether the scheduler's step has counted the rows yet or not (readers add
 * the rows past the counters), moved by updates of counted deliveries,
 * filtered by sender and recipient domain, counted like new rows in a store
 * from before them, cleared with the messages.
 */
static void test_delivery_counters(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "stats"))
		return;
	const char *path = tmp.path;
	char err[256] = "", line[160];
	struct store *store = NULL;
	if (!CHECK_INT(store_open(&store, path, err, sizeof(err)), STORE_OK))
		return;
	struct store_account account = {.app_id = 42, .uin = "42"};
	int64_t id = 0;
	const struct store_delivery_in first[] = {
		{.address = "a@gmail.com", .deliver_status = 1, .opened = true},
		{.address = "b@qq.com", .deliver_status = 1, .clicked = true},
		{.address = "c@qq.com", .send_status = 1007, .deliver_status = 2},
	};
	const struct store_delivery_in second[] = {{.address = "d@QQ.com", .deliver_status = 3, .bounced = true}};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &account, NOW, &id), STORE_OK);
	add_message(store, id, "m1", "news@example.com", "2026-03-01", first, 3);
	add_message(store, id, "m2", "alerts@other.org", "2026-03-01", second, 1);
	CHECK_INT(store_delivery_mark_unsubscribed(store, "m1", "b@qq.com"), STORE_OK);
	CHECK_INT(store_delivery_mark_unsubscribed(store, "m2", "b@qq.com"), STORE_NOT_FOUND);
	CHECK_INT(store_commit(store), STORE_OK);
	recipients_of(store, "m1", "C@qq.com", line, sizeof(line));
	CHECK_STR(line, "a@gmail.com,b@qq.com,c@qq.com|m1");
	recipients_of(store, "m2", "a@gmail.com", line, sizeof(line));
	CHECK_STR(line, "d@QQ.com|m1");

	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 4 3 2 1 1 1 1");
	volumes_of(store, id, "EXAMPLE.com", NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 3 2 2 1 1 0 1");
	volumes_of(store, id, NULL, "qq.com", line, sizeof(line));
	CHECK_STR(line, "2026-03-01 3 2 1 0 1 1 1");
	volumes_of(store, id, "other.org", "gmail.com", line, sizeof(line));
	CHECK_STR(line, "none");
	outcomes_of(store, line, sizeof(line));
	CHECK_STR(line, "0 0 0 1 0 1"); /* m1: dropped (1007) is its worst; m2: bounced */

	/* counted by the scheduler's step: the same answers, from the counters */
	bool more = false;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_stats_catch_up(store, 3, &more), STORE_OK); /* a chunk: 3 of 4 deliveries */
	CHECK(more);
	CHECK_INT(store_commit(store), STORE_OK);
	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 4 3 2 1 1 1 1");
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_stats_catch_up(store, 3, &more), STORE_OK);
	CHECK(more);
	CHECK_INT(store_stats_catch_up(store, 3, &more), STORE_OK);
	CHECK(!more); /* nothing new */
	/* an update of a counted delivery moves the counters; a new message is read past them */
	CHECK_INT(store_delivery_mark_unsubscribed(store, "m1", "a@gmail.com"), STORE_OK);
	const struct store_delivery_in third[] = {{.address = "e@gmail.com", .deliver_status = 1}};
	add_message(store, id, "m3", "news@example.com", "2026-03-01", third, 1);
	CHECK_INT(store_commit(store), STORE_OK);
	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 5 4 3 1 1 1 2");
	volumes_of(store, id, NULL, "gmail.com", line, sizeof(line));
	CHECK_STR(line, "2026-03-01 2 2 2 1 0 0 1");
	outcomes_of(store, line, sizeof(line));
	CHECK_STR(line, "1 0 0 1 0 1");
	store_destroy(store);

	/* a store from before migrations 7 and 8: its counters are filled from
	 * the deliveries, and each message finds its deliveries by their ids */
	sqlite3 *db = NULL;
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db,
			       "DROP TRIGGER delivery_stats_update; DROP TABLE delivery_stats; "
			       "DROP TABLE message_outcomes; DROP TABLE stats_progress; "
			       "ALTER TABLE messages DROP COLUMN outcome; "
			       "ALTER TABLE messages DROP COLUMN first_delivery; "
			       "ALTER TABLE messages DROP COLUMN delivery_count; "
			       "CREATE INDEX deliveries_message ON deliveries(message); PRAGMA user_version = 6",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	sqlite3_close(db);
	store = NULL;
	if (!CHECK_INT(store_open(&store, path, err, sizeof(err)), STORE_OK))
		return;
	recipients_of(store, "m1", "d@qq.com", line, sizeof(line));
	CHECK_STR(line, "a@gmail.com,b@qq.com,c@qq.com|m2");
	recipients_of(store, "m3", "e@gmail.com", line, sizeof(line));
	CHECK_STR(line, "e@gmail.com|m3");
	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 5 4 3 1 1 1 2");
	volumes_of(store, id, NULL, "qq.com", line, sizeof(line));
	CHECK_STR(line, "2026-03-01 3 2 1 0 1 1 1");
	outcomes_of(store, line, sizeof(line));
	CHECK_STR(line, "1 0 0 1 0 1");
	/* and once the scheduler's step has counted them, the same from the counters */
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_stats_catch_up(store, 100, &more), STORE_OK);
	CHECK(more);
	CHECK_INT(store_commit(store), STORE_OK);
	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 5 4 3 1 1 1 2");
	volumes_of(store, id, NULL, "qq.com", line, sizeof(line));
	CHECK_STR(line, "2026-03-01 3 2 1 0 1 1 1");
	outcomes_of(store, line, sizeof(line));
	CHECK_STR(line, "1 0 0 1 0 1");

	int64_t deleted = 0;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_message_delete_all(store, &deleted), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	CHECK_INT(deleted, 3);
	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "none");
	outcomes_of(store, line, sizeof(line));
	CHECK_STR(line, "0 0 0 0 0 0");
	/* ids start again at 1 and are counted from there */
	CHECK_INT(store_begin(store, true), STORE_OK);
	add_message(store, id, "m4", "news@example.com", "2026-03-01", third, 1);
	CHECK_INT(store_commit(store), STORE_OK);
	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 1 1 1 0 0 0 0");
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_stats_catch_up(store, 100, &more), STORE_OK);
	CHECK(more);
	CHECK_INT(store_commit(store), STORE_OK);
	volumes_of(store, id, NULL, NULL, line, sizeof(line));
	CHECK_STR(line, "2026-03-01 1 1 1 0 0 0 0");
	outcomes_of(store, line, sizeof(line));
	CHECK_STR(line, "1 0 0 0 0 0");
	store_destroy(store);
	temp_file_remove(&tmp);
}

static void test_accounts(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	int64_t count = 0, id = 0;
	struct store_account account;
	char key[64], allow[64];

	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_count(store, &count), STORE_OK);
	CHECK_INT(count, 2);
	struct store_account again = {.app_id = 1300000001, .uin = "x"};
	CHECK_INT(store_account_create(store, &again, NOW, &id), STORE_EXISTS);

	CHECK_INT(store_credential_add(store, a1, "AKIDone", "key-one", "SendEmail"), STORE_OK);
	CHECK_INT(store_credential_add(store, a2, "AKIDtwo", "key-two", NULL), STORE_OK);
	CHECK_INT(store_credential_add(store, a2, "AKIDone", "other", ""), STORE_EXISTS);

	memset(&account, 0, sizeof(account));
	CHECK_INT(store_credential_find(store, "AKIDone", key, sizeof(key), allow, sizeof(allow), &account), STORE_OK);
	CHECK_STR(key, "key-one");
	CHECK_STR(allow, "SendEmail");
	CHECK_INT(account.id, a1);
	CHECK_INT(account.app_id, 1300000001);
	CHECK_STR(account.uin, "100000000001");
	CHECK(!account.suspended);
	CHECK(account.enterprise_verified);

	CHECK_INT(store_credential_find(store, "AKIDtwo", key, sizeof(key), allow, sizeof(allow), &account), STORE_OK);
	CHECK_STR(key, "key-two");
	CHECK_STR(allow, "");
	CHECK_INT(account.id, a2);
	CHECK(!account.enterprise_verified);

	/* Secret ids are exact. */
	CHECK_INT(store_credential_find(store, "akidone", key, sizeof(key), allow, sizeof(allow), &account),
		  STORE_NOT_FOUND);
	CHECK_INT(store_credential_find(store, "AKIDnone", key, sizeof(key), allow, sizeof(allow), &account),
		  STORE_NOT_FOUND);
	/* The key is cut to key_size and terminated. */
	CHECK_INT(store_credential_find(store, "AKIDone", key, 4, allow, sizeof(allow), &account), STORE_OK);
	CHECK_STR(key, "key");

	CHECK_INT(store_account_first(store, &account), STORE_OK);
	CHECK_INT(account.id, a1);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);

	/* No account at all. */
	store = open_memory();
	if (store) {
		CHECK_INT(store_begin(store, false), STORE_OK);
		CHECK_INT(store_account_first(store, &account), STORE_NOT_FOUND);
		store_rollback(store);
		store_destroy(store);
	}
}

static void test_identities(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_identity in = {
		.domain = "example.com", .dkim_option = 1, .status = STORE_IDENTITY_PENDING, .dkim_key = "KEY"};
	struct store_identity row = {0};
	int64_t count = -1;
	bool held = true;

	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_identity_create(store, a1, &in, NOW), STORE_OK);
	CHECK_INT(store_identity_create(store, a1, &in, NOW), STORE_EXISTS);
	/* Domains compare without case. */
	struct store_identity upper = in;
	upper.domain = "EXAMPLE.COM";
	CHECK_INT(store_identity_create(store, a1, &upper, NOW), STORE_EXISTS);

	if (CHECK_INT(store_identity_get(store, a1, "Example.Com", &row), STORE_OK)) {
		CHECK_STR(row.domain, "example.com");
		CHECK_INT(row.dkim_option, 1);
		CHECK_INT(row.status, STORE_IDENTITY_PENDING);
		CHECK_STR(row.tags, "[]");
		CHECK_STR(row.dkim_key, "KEY");
		CHECK_INT(row.created, NOW);
	}
	store_identity_finish(&row);
	store_identity_finish(&row); /* twice is harmless */

	/* Account 2 neither sees nor changes it, and may hold the same domain. */
	CHECK_INT(store_identity_get(store, a2, "example.com", &row), STORE_NOT_FOUND);
	CHECK_INT(store_identity_set_status(store, a2, "example.com", STORE_IDENTITY_VERIFIED), STORE_NOT_FOUND);
	CHECK_INT(store_identity_delete(store, a2, "example.com"), STORE_NOT_FOUND);
	CHECK_INT(store_identity_held_by_other(store, a2, "example.com", &held), STORE_OK);
	CHECK(held);
	CHECK_INT(store_identity_held_by_other(store, a1, "example.com", &held), STORE_OK);
	CHECK(!held);
	struct store_identity tagged = {.domain = "example.com",
					.status = STORE_IDENTITY_VERIFIED,
					.tags = "[{\"TagKey\":\"k\",\"TagValue\":\"v\"}]",
					.dkim_key = "K2"};
	CHECK_INT(store_identity_create(store, a2, &tagged, NOW + 1), STORE_OK);
	CHECK_INT(store_identity_held_by_other(store, a1, "example.com", &held), STORE_OK);
	CHECK(held);

	struct store_identity second = {.domain = "b.example.org", .status = STORE_IDENTITY_VERIFIED, .dkim_key = "K"};
	CHECK_INT(store_identity_create(store, a1, &second, NOW + 2), STORE_OK);
	CHECK_INT(store_identity_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 2);
	CHECK_INT(store_identity_count(store, a2, &count), STORE_OK);
	CHECK_INT(count, 1);

	struct store_identity *rows = NULL;
	size_t n = 0;
	if (CHECK_INT(store_identity_list(store, a1, &rows, &n), STORE_OK) && CHECK_INT(n, 2)) {
		CHECK_STR(rows[0].domain, "example.com"); /* oldest first */
		CHECK_STR(rows[1].domain, "b.example.org");
	}
	store_identity_list_free(rows, n);
	if (CHECK_INT(store_identity_list(store, a2, &rows, &n), STORE_OK) && CHECK_INT(n, 1))
		CHECK_STR(rows[0].tags, "[{\"TagKey\":\"k\",\"TagValue\":\"v\"}]");
	store_identity_list_free(rows, n);

	CHECK_INT(store_identity_set_status(store, a1, "example.com", STORE_IDENTITY_VERIFIED), STORE_OK);
	if (CHECK_INT(store_identity_get(store, a1, "example.com", &row), STORE_OK))
		CHECK_INT(row.status, STORE_IDENTITY_VERIFIED);
	store_identity_finish(&row);
	CHECK_INT(store_identity_set_status(store, a1, "none.com", STORE_IDENTITY_VERIFIED), STORE_NOT_FOUND);

	CHECK_INT(store_identity_delete(store, a1, "EXAMPLE.com"), STORE_OK);
	CHECK_INT(store_identity_delete(store, a1, "example.com"), STORE_NOT_FOUND);
	CHECK_INT(store_identity_get(store, a1, "example.com", &row), STORE_NOT_FOUND);
	/* Account 2's copy survives. */
	CHECK_INT(store_identity_get(store, a2, "example.com", &row), STORE_OK);
	store_identity_finish(&row);
	CHECK_INT(store_commit(store), STORE_OK);

	/* An account with none: an empty list. */
	CHECK_INT(store_begin(store, false), STORE_OK);
	rows = NULL;
	CHECK_INT(store_identity_list(store, 999, &rows, &n), STORE_OK);
	CHECK_INT(n, 0);
	store_identity_list_free(rows, n);
	store_rollback(store);
	store_destroy(store);
}

static void test_senders(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_sender row = {0};
	int64_t count = -1;

	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_sender_create(store, a1, "a@example.com", "Alice", "example.com", STORE_SENDER_APPROVED, NOW),
		  STORE_OK);
	CHECK_INT(store_sender_create(store, a1, "A@Example.com", "Other", "example.com", STORE_SENDER_APPROVED, NOW),
		  STORE_EXISTS);
	CHECK_INT(store_sender_create(store, a1, "b@example.com", NULL, "example.com", STORE_SENDER_PENDING, NOW + 1),
		  STORE_OK);
	CHECK_INT(store_sender_create(store, a1, "c@other.org", "", "other.org", STORE_SENDER_PENDING, NOW + 2),
		  STORE_OK);
	CHECK_INT(store_sender_create(store, a2, "a@example.com", "Bob", "example.com", STORE_SENDER_PENDING, NOW),
		  STORE_OK);

	if (CHECK_INT(store_sender_get(store, a1, "a@example.com", &row), STORE_OK)) {
		CHECK_STR(row.address, "a@example.com");
		CHECK_STR(row.name, "Alice");
		CHECK_STR(row.domain, "example.com");
		CHECK_STR(row.password_hash, "");
		CHECK_INT(row.status, STORE_SENDER_APPROVED);
		CHECK_INT(row.created, NOW);
	}
	store_sender_finish(&row);
	if (CHECK_INT(store_sender_get(store, a1, "b@example.com", &row), STORE_OK))
		CHECK_STR(row.name, "");
	store_sender_finish(&row);
	if (CHECK_INT(store_sender_get(store, a2, "a@example.com", &row), STORE_OK))
		CHECK_STR(row.name, "Bob");
	store_sender_finish(&row);
	CHECK_INT(store_sender_get(store, a2, "b@example.com", &row), STORE_NOT_FOUND);

	CHECK_INT(store_sender_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 3);
	CHECK_INT(store_sender_count_domain(store, a1, "example.com", &count), STORE_OK);
	CHECK_INT(count, 2);
	CHECK_INT(store_sender_count_domain(store, a1, "EXAMPLE.COM", &count), STORE_OK);
	CHECK_INT(count, 2);
	CHECK_INT(store_sender_count_domain(store, a2, "other.org", &count), STORE_OK);
	CHECK_INT(count, 0);

	struct store_sender *rows = NULL;
	size_t n = 0;
	if (CHECK_INT(store_sender_list(store, a1, &rows, &n), STORE_OK) && CHECK_INT(n, 3)) {
		CHECK_STR(rows[0].address, "a@example.com");
		CHECK_STR(rows[2].address, "c@other.org");
	}
	store_sender_list_free(rows, n);

	CHECK_INT(store_sender_set_password(store, a1, "a@example.com", "abc123"), STORE_OK);
	if (CHECK_INT(store_sender_get(store, a1, "a@example.com", &row), STORE_OK))
		CHECK_STR(row.password_hash, "abc123");
	store_sender_finish(&row);
	/* Account 2's sender of the same address keeps no password. */
	if (CHECK_INT(store_sender_get(store, a2, "a@example.com", &row), STORE_OK))
		CHECK_STR(row.password_hash, "");
	store_sender_finish(&row);
	CHECK_INT(store_sender_set_password(store, a1, "none@example.com", "x"), STORE_NOT_FOUND);
	CHECK_INT(store_sender_set_password(store, a2, "b@example.com", "x"), STORE_NOT_FOUND);

	CHECK_INT(store_sender_delete(store, a2, "b@example.com"), STORE_NOT_FOUND);
	CHECK_INT(store_sender_delete(store, a1, "b@example.com"), STORE_OK);
	CHECK_INT(store_sender_delete(store, a1, "b@example.com"), STORE_NOT_FOUND);
	CHECK_INT(store_sender_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 2);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);
}

static void check_template(struct store *store, int64_t account, int64_t id, const char *name, const char *html,
			   const char *text, bool deleted, int line)
{
	struct store_template row = {0};
	if (unit_check_int(store_template_get(store, account, id, &row), STORE_OK, "store_template_get", __FILE__,
			   line)) {
		unit_check_int(row.id, id, "id", __FILE__, line);
		unit_check_str(row.name, name, "name", __FILE__, line);
		unit_check_str(row.html, html, "html", __FILE__, line);
		unit_check_str(row.text, text, "text", __FILE__, line);
		unit_check(row.deleted == deleted, "deleted", __FILE__, line);
	}
	store_template_finish(&row);
}

static void test_templates(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	int64_t t1 = 0, t2 = 0, t3 = 0, count = -1;
	struct store_template row = {0};

	CHECK_INT(store_begin(store, true), STORE_OK);
	struct store_template in = {.name = "welcome", .html = "<p>hi</p>", .status = STORE_TEMPLATE_APPROVED};
	CHECK_INT(store_template_create(store, a1, &in, NOW, &t1), STORE_OK);
	in = (struct store_template){
		.name = "text only", .text = "hi", .status = STORE_TEMPLATE_PENDING, .review_reason = "waiting"};
	CHECK_INT(store_template_create(store, a1, &in, NOW + 1, &t2), STORE_OK);
	in = (struct store_template){.name = "both", .html = "<b>x</b>", .text = "x"};
	CHECK_INT(store_template_create(store, a1, &in, NOW + 2, &t3), STORE_OK);
	CHECK(t1 != t2 && t2 != t3);

	if (CHECK_INT(store_template_get(store, a1, t1, &row), STORE_OK)) {
		CHECK_STR(row.name, "welcome");
		CHECK_STR(row.html, "<p>hi</p>");
		CHECK(row.text == NULL);
		CHECK_INT(row.status, STORE_TEMPLATE_APPROVED);
		CHECK_STR(row.review_reason, "");
		CHECK_INT(row.created, NOW);
		CHECK_INT(row.updated, NOW);
		CHECK(!row.deleted);
	}
	store_template_finish(&row);
	if (CHECK_INT(store_template_get(store, a1, t2, &row), STORE_OK)) {
		CHECK(row.html == NULL);
		CHECK_STR(row.text, "hi");
		CHECK_INT(row.status, STORE_TEMPLATE_PENDING);
		CHECK_STR(row.review_reason, "waiting");
	}
	store_template_finish(&row);
	CHECK_INT(store_template_get(store, a1, t3 + 100, &row), STORE_NOT_FOUND);

	/* Isolation: account 2 cannot read, change or delete account 1's template. */
	CHECK_INT(store_template_get(store, a2, t1, &row), STORE_NOT_FOUND);
	struct store_template change = {.id = t1, .name = "stolen", .html = "x"};
	CHECK_INT(store_template_update(store, a2, &change, NOW + 5), STORE_NOT_FOUND);
	CHECK_INT(store_template_delete(store, a2, t1, NOW + 5), STORE_NOT_FOUND);
	CHECK_INT(store_template_count(store, a2, &count), STORE_OK);
	CHECK_INT(count, 0);
	check_template(store, a1, t1, "welcome", "<p>hi</p>", NULL, false, __LINE__);

	/* A page, newest first. */
	struct store_template *rows = NULL;
	size_t n = 0;
	CHECK_INT(store_template_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 3);
	if (CHECK_INT(store_template_list(store, a1, 0, 10, &rows, &n), STORE_OK) && CHECK_INT(n, 3)) {
		CHECK_INT(rows[0].id, t3);
		CHECK_INT(rows[2].id, t1);
	}
	store_template_list_free(rows, n);
	if (CHECK_INT(store_template_list(store, a1, 1, 1, &rows, &n), STORE_OK) && CHECK_INT(n, 1))
		CHECK_INT(rows[0].id, t2);
	store_template_list_free(rows, n);
	CHECK_INT(store_template_list(store, a1, 3, 10, &rows, &n), STORE_OK);
	CHECK_INT(n, 0);
	store_template_list_free(rows, n);

	/* Update: bodies replaced (NULL clears one), review reason cleared, updated moves. */
	change = (struct store_template){
		.id = t2, .name = "renamed", .html = "<i>new</i>", .text = NULL, .status = STORE_TEMPLATE_APPROVED};
	CHECK_INT(store_template_update(store, a1, &change, NOW + 10), STORE_OK);
	if (CHECK_INT(store_template_get(store, a1, t2, &row), STORE_OK)) {
		CHECK_STR(row.name, "renamed");
		CHECK_STR(row.html, "<i>new</i>");
		CHECK(row.text == NULL);
		CHECK_INT(row.status, STORE_TEMPLATE_APPROVED);
		CHECK_STR(row.review_reason, "");
		CHECK_INT(row.created, NOW + 1);
		CHECK_INT(row.updated, NOW + 10);
	}
	store_template_finish(&row);
	change.id = t3 + 100;
	CHECK_INT(store_template_update(store, a1, &change, NOW + 10), STORE_NOT_FOUND);

	/* Soft delete: still found, marked deleted, gone from count and list. */
	CHECK_INT(store_template_delete(store, a1, t1, NOW + 20), STORE_OK);
	check_template(store, a1, t1, "welcome", "<p>hi</p>", NULL, true, __LINE__);
	CHECK_INT(store_template_delete(store, a1, t1, NOW + 21), STORE_NOT_FOUND);
	change = (struct store_template){.id = t1, .name = "revived", .html = "x"};
	CHECK_INT(store_template_update(store, a1, &change, NOW + 22), STORE_NOT_FOUND);
	check_template(store, a1, t1, "welcome", "<p>hi</p>", NULL, true, __LINE__);
	CHECK_INT(store_template_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 2);
	if (CHECK_INT(store_template_list(store, a1, 0, 10, &rows, &n), STORE_OK) && CHECK_INT(n, 2)) {
		CHECK_INT(rows[0].id, t3);
		CHECK_INT(rows[1].id, t2);
	}
	store_template_list_free(rows, n);
	CHECK_INT(store_template_delete(store, a1, t3 + 100, NOW), STORE_NOT_FOUND);
	/* Account 2 cannot see the tombstone either. */
	CHECK_INT(store_template_get(store, a2, t1, &row), STORE_NOT_FOUND);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);
}

/* A rolled-back unit of work leaves nothing behind; the store keeps working. */
static void test_rollback(void)
{
	int64_t a1 = 0, a2 = 0, id = 0, count = -1;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_template in = {.name = "t", .html = "x"};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_template_create(store, a1, &in, NOW, &id), STORE_OK);
	CHECK_INT(store_sender_create(store, a1, "a@example.com", "", "example.com", 1, NOW), STORE_OK);
	store_rollback(store);

	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_template_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 0);
	CHECK_INT(store_sender_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 0);
	CHECK_INT(store_commit(store), STORE_OK);

	/* A failed statement inside a unit of work does not poison the next one. */
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_sender_create(store, a1, "a@example.com", "", "example.com", 1, NOW), STORE_OK);
	CHECK_INT(store_sender_create(store, a1, "a@example.com", "", "example.com", 1, NOW), STORE_EXISTS);
	CHECK_INT(store_commit(store), STORE_OK);
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_sender_count(store, a1, &count), STORE_OK);
	CHECK_INT(count, 1);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);
}

static void test_account_list(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_account *rows = (struct store_account *)1;
	size_t count = 99;
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_account_list(store, &rows, &count), STORE_OK);
	store_rollback(store);
	if (CHECK_INT(count, 2)) {
		CHECK_INT(rows[0].id, a1);
		CHECK_INT(rows[0].app_id, 1300000001);
		CHECK_STR(rows[0].uin, "100000000001");
		CHECK_INT(rows[1].id, a2);
		CHECK_INT(rows[1].app_id, 1300000002);
	}
	free(rows);
	store_destroy(store);

	store = open_memory(); /* no account: an empty list */
	if (!store)
		return;
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_account_list(store, &rows, &count), STORE_OK);
	store_rollback(store);
	CHECK(rows == NULL);
	CHECK_INT(count, 0);
	store_destroy(store);
}

static void test_unsubscribe_page(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_unsubscribe *rows = NULL;
	size_t count = 0;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_unsubscribe_add(store, a1, "ann@example.net", "news@example.com", "m1", NOW), STORE_OK);
	CHECK_INT(store_unsubscribe_add(store, a1, "bob@example.net", "news@example.com", "m2", NOW + 5), STORE_OK);
	/* again, in other letter case: the first link followed is kept */
	CHECK_INT(store_unsubscribe_add(store, a1, "ANN@example.net", "news@example.com", "m3", NOW + 9), STORE_OK);
	CHECK_INT(store_unsubscribe_add(store, a2, "cid@example.net", "other@example.org", "m4", NOW), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);

	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_unsubscribe_page(store, a1, 0, 10, &rows, &count), STORE_OK);
	if (CHECK_INT(count, 2)) { /* newest first */
		CHECK_STR(rows[0].recipient, "bob@example.net");
		CHECK_STR(rows[0].sender, "news@example.com");
		CHECK_STR(rows[0].message_id, "m2");
		CHECK_INT(rows[0].created, NOW + 5);
		CHECK_STR(rows[1].recipient, "ann@example.net");
		CHECK_STR(rows[1].message_id, "m1");
	}
	store_unsubscribe_list_free(rows, count);
	CHECK_INT(store_unsubscribe_page(store, a1, 1, 10, &rows, &count), STORE_OK);
	CHECK_INT(count, 1);
	store_unsubscribe_list_free(rows, count);
	CHECK_INT(store_unsubscribe_page(store, a2, 0, 10, &rows, &count), STORE_OK);
	if (CHECK_INT(count, 1))
		CHECK_STR(rows[0].recipient, "cid@example.net");
	store_unsubscribe_list_free(rows, count);
	CHECK_INT(store_unsubscribe_page(store, a1 + a2 + 1, 0, 10, &rows, &count), STORE_OK);
	CHECK(rows == NULL && count == 0);
	store_rollback(store);
	store_unsubscribe_list_free(NULL, 0);
	store_destroy(store);
}

int main(void)
{
	test_open();
	test_open_unwritable();
	test_file_reopen();
	test_file_page_size();
	test_fresh_schema();
	test_file_readers();
	test_credential_cache_readers();
	test_delivery_counters();
	test_accounts();
	test_identities();
	test_senders();
	test_templates();
	test_rollback();
	test_account_list();
	test_unsubscribe_page();
	return unit_finish("store");
}
