/*
 * Focus: the remembered lookups of the store (storage/store_memo.c): the
 * sender's standing, templates, the suppression lists and unsubscribe
 * settings answer from memory until a table they read is written, and then
 * never answer stale — after each kind of write, in memory and on a file,
 * after a rolled-back unit, after a wipe, and when a reader's snapshot
 * predates a write that commits while it reads. A write unit whose group
 * has written those tables neither uses nor offers remembered answers:
 * its view is not the last commit (these tests came from a review that
 * found the unit served the answer from before its own write).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_account.h"
#include "store_blacklist.h"
#include "store_internal.h" /* test_rollback_in_group holds a group open */
#include "store_identity.h"
#include "store_message.h"
#include "store_sender.h"
#include "store_template.h"
#include "store_unsubscribe.h"
#include "unit.h"
#include "temp_file.h"

#define NOW 1700000000
#define TODAY "2023-11-15"
#define FROM "a@example.com"
#define TO "user@example.net"

struct fixture {
	struct store *store;
	int64_t account;
	int64_t template_id;
};

/* An account with a verified domain, an approved sender and an approved template. */
static bool fixture_open(struct fixture *f, const char *path)
{
	char err[256] = "";
	memset(f, 0, sizeof(*f));
	if (!CHECK_INT(store_open(&f->store, path, err, sizeof(err)), STORE_OK))
		return false;
	struct store_account account = {.app_id = 1300000001, .uin = "100000000001"};
	struct store_identity domain = {
		.domain = "example.com", .status = STORE_IDENTITY_VERIFIED, .tags = "[]", .dkim_key = "k"};
	struct store_template template = {.name = "t", .html = "<p>{{code}}</p>", .text = "v1"};
	CHECK_INT(store_begin(f->store, true), STORE_OK);
	CHECK_INT(store_account_create(f->store, &account, NOW, &f->account), STORE_OK);
	CHECK_INT(store_identity_create(f->store, f->account, &domain, NOW), STORE_OK);
	CHECK_INT(store_sender_create(f->store, f->account, FROM, "A", "example.com", STORE_SENDER_APPROVED, NOW),
		  STORE_OK);
	CHECK_INT(store_template_create(f->store, f->account, &template, NOW, &f->template_id), STORE_OK);
	CHECK_INT(store_commit(f->store), STORE_OK);
	return true;
}

/* The standing of FROM in a read unit: "sender/domain", or "none". */
static void standing(struct fixture *f, char *out, size_t size)
{
	int sender = -9, domain = -9;
	CHECK_INT(store_begin(f->store, false), STORE_OK);
	enum store_status status = store_sender_standing(f->store, f->account, FROM, &sender, &domain);
	CHECK_INT(store_commit(f->store), STORE_OK);
	if (status == STORE_NOT_FOUND)
		snprintf(out, size, "none");
	else
		snprintf(out, size, "%d/%d", sender, domain);
}

/* The template in a read unit: "status deleted text", or "none". */
static void template_of(struct fixture *f, char *out, size_t size)
{
	struct store_template t = {0};
	CHECK_INT(store_begin(f->store, false), STORE_OK);
	enum store_status status = store_template_get(f->store, f->account, f->template_id, &t);
	CHECK_INT(store_commit(f->store), STORE_OK);
	if (status == STORE_NOT_FOUND)
		snprintf(out, size, "none");
	else
		snprintf(out, size, "%d %d %s", t.status, t.deleted, t.text ? t.text : "NULL");
	store_template_finish(&t);
}

/* TO's suppression from FROM in a read unit: "blacklisted unsubscribed". */
static void suppression(struct fixture *f, char *out, size_t size)
{
	bool blacklisted = true, unsubscribed = true;
	CHECK_INT(store_begin(f->store, false), STORE_OK);
	CHECK_INT(store_suppression(f->store, f->account, TO, FROM, TODAY, &blacklisted, &unsubscribed), STORE_OK);
	CHECK_INT(store_commit(f->store), STORE_OK);
	snprintf(out, size, "%d %d", blacklisted, unsubscribed);
}

/* FROM's unsubscribe setting in a read unit: "config status", or "none". */
static void config_of(struct fixture *f, char *out, size_t size)
{
	struct store_unsubscribe_config c = {0};
	CHECK_INT(store_begin(f->store, false), STORE_OK);
	enum store_status status = store_unsubscribe_config_get(f->store, f->account, FROM, &c);
	CHECK_INT(store_commit(f->store), STORE_OK);
	if (status == STORE_NOT_FOUND)
		snprintf(out, size, "none");
	else
		snprintf(out, size, "%s %d", c.config, c.status);
	store_unsubscribe_config_finish(&c);
}

/* Each answer twice (the second from memory), compared with what is expected. */
static void expect(struct fixture *f, const char *want_standing, const char *want_template,
		   const char *want_suppression, const char *want_config)
{
	char got[128];
	for (int i = 0; i < 2; i++) {
		standing(f, got, sizeof(got));
		CHECK_STR(got, want_standing);
		template_of(f, got, sizeof(got));
		CHECK_STR(got, want_template);
		suppression(f, got, sizeof(got));
		CHECK_STR(got, want_suppression);
		config_of(f, got, sizeof(got));
		CHECK_STR(got, want_config);
	}
}

/* Every write that changes an answer is seen by the next lookup. */
static void run_follows_writes(const char *path)
{
	struct fixture f;
	if (!fixture_open(&f, path))
		return;
	struct store *s = f.store;
	expect(&f, "1/1", "0 0 v1", "0 0", "none");

	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_sender_set_status(s, f.account, FROM, STORE_SENDER_PENDING), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "0/1", "0 0 v1", "0 0", "none");

	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_identity_set_status(s, f.account, "example.com", STORE_IDENTITY_FAILED), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "0/2", "0 0 v1", "0 0", "none");

	struct store_template t = {.id = f.template_id, .name = "t", .html = "<p>{{code}}</p>", .text = "v2"};
	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_template_update(s, f.account, &t, NOW + 1), STORE_OK);
	CHECK_INT(store_template_review(s, f.account, f.template_id, STORE_TEMPLATE_REJECTED, "no", NOW + 1), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "0/2", "2 0 v2", "0 0", "none");

	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_unsubscribe_add(s, f.account, TO, FROM, "m1", NOW), STORE_OK);
	CHECK_INT(store_unsubscribe_config_put(s, f.account, FROM, "3", 1, NOW), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "0/2", "2 0 v2", "0 1", "3 1");

	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_blacklist_add(s, f.account, TO, NULL, NOW, NULL), STORE_OK);
	CHECK_INT(store_unsubscribe_config_delete(s, f.account, FROM), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "0/2", "2 0 v2", "1 1", "none");

	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_blacklist_delete(s, f.account, TO), STORE_OK);
	CHECK_INT(store_bounce_add(s, f.account, TO, NOW, 0, "m2", "bounced"), STORE_OK);
	CHECK_INT(store_template_delete(s, f.account, f.template_id, NOW + 2), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "0/2", "2 1 v2", "1 1", "none");

	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_bounce_delete(s, f.account, TO), STORE_OK);
	CHECK_INT(store_sender_delete(s, f.account, FROM), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "none", "2 1 v2", "0 1", "none");

	/* a wipe deletes without WHERE, which SQLite's update hook does not report */
	CHECK_INT(store_begin(s, true), STORE_OK);
	CHECK_INT(store_wipe(s), STORE_OK);
	CHECK_INT(store_commit(s), STORE_OK);
	expect(&f, "none", "none", "0 0", "none");
	store_destroy(s);
}

static void test_follows_writes_memory(void)
{
	run_follows_writes("");
}

static void test_follows_writes_file(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	const char *path = tmp.path;
	run_follows_writes(path);
	temp_file_remove(&tmp);
}

/* A unit rolled back: what it wrote, and what was read after it wrote, is not remembered. */
static void test_rollback(void)
{
	struct fixture f;
	if (!fixture_open(&f, ""))
		return;
	char got[64];
	int sender = 0, domain = 0;
	expect(&f, "1/1", "0 0 v1", "0 0", "none");
	CHECK_INT(store_begin(f.store, true), STORE_OK);
	CHECK_INT(store_sender_delete(f.store, f.account, FROM), STORE_OK);
	CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_NOT_FOUND);
	CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_NOT_FOUND);
	store_rollback(f.store);
	standing(&f, got, sizeof(got));
	CHECK_STR(got, "1/1");
	store_destroy(f.store);
}

/*
 * A reader whose snapshot predates a write that commits while it reads
 * answers from its snapshot, and that answer is not remembered past the
 * commit. The write runs on another thread; the reader is this thread's.
 */
static void *write_pending(void *p)
{
	struct fixture *f = p;
	CHECK_INT(store_begin(f->store, true), STORE_OK);
	CHECK_INT(store_sender_set_status(f->store, f->account, FROM, STORE_SENDER_PENDING), STORE_OK);
	CHECK_INT(store_commit(f->store), STORE_OK);
	return NULL;
}

static void test_snapshot_race(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	const char *path = tmp.path;
	struct fixture f;
	if (fixture_open(&f, path)) {
		int64_t count = 0;
		int sender = -1, domain = -1;
		char got[64];
		CHECK_INT(store_begin(f.store, false), STORE_OK);
		CHECK_INT(store_account_count(f.store, &count), STORE_OK); /* the snapshot starts here */
		pthread_t thread;
		pthread_create(&thread, NULL, write_pending, &f);
		pthread_join(thread, NULL);
		CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_OK);
		CHECK_INT(sender, STORE_SENDER_APPROVED); /* the snapshot's answer */
		CHECK_INT(store_commit(f.store), STORE_OK);
		standing(&f, got, sizeof(got));
		CHECK_STR(got, "0/1");
		store_destroy(f.store);
	}
	temp_file_remove(&tmp);
}

/*
 * A reader that begins after a write but before its commit reads the old
 * answer, when the write has already moved the generation: remembered then,
 * it must be forgotten again once the write commits.
 */
struct held_write {
	struct fixture *f;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool written, go;
};

static void *hold_write(void *p)
{
	struct held_write *h = p;
	CHECK_INT(store_begin(h->f->store, true), STORE_OK);
	CHECK_INT(store_sender_set_status(h->f->store, h->f->account, FROM, STORE_SENDER_REJECTED), STORE_OK);
	pthread_mutex_lock(&h->lock);
	h->written = true;
	pthread_cond_broadcast(&h->cond);
	while (!h->go)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	CHECK_INT(store_commit(h->f->store), STORE_OK);
	return NULL;
}

static void test_reader_during_write(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	struct fixture f;
	if (fixture_open(&f, tmp.path)) {
		char got[64];
		struct held_write h = {.f = &f};
		pthread_mutex_init(&h.lock, NULL);
		pthread_cond_init(&h.cond, NULL);
		pthread_t thread;
		pthread_create(&thread, NULL, hold_write, &h);
		pthread_mutex_lock(&h.lock);
		while (!h.written)
			pthread_cond_wait(&h.cond, &h.lock);
		pthread_mutex_unlock(&h.lock);
		standing(&f, got, sizeof(got)); /* twice: the second from memory */
		CHECK_STR(got, "1/1");
		standing(&f, got, sizeof(got));
		CHECK_STR(got, "1/1");
		pthread_mutex_lock(&h.lock);
		h.go = true;
		pthread_cond_broadcast(&h.cond);
		pthread_mutex_unlock(&h.lock);
		pthread_join(thread, NULL);
		standing(&f, got, sizeof(got));
		CHECK_STR(got, "2/1");
		pthread_mutex_destroy(&h.lock);
		pthread_cond_destroy(&h.cond);
		store_destroy(f.store);
	}
	temp_file_remove(&tmp);
}

/*
 * A unit rolled back while its group goes on (another caller is waiting
 * for the store, so the transaction stays open for it): what the unit read
 * after its write is not remembered, though the group has not ended.
 */
static void test_rollback_in_group(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	struct fixture f;
	if (fixture_open(&f, tmp.path)) {
		char got[64];
		int sender = 0, domain = 0;
		standing(&f, got, sizeof(got));
		CHECK_STR(got, "1/1");
		CHECK_INT(store_begin(f.store, true), STORE_OK);
		CHECK_INT(store_sender_delete(f.store, f.account, FROM), STORE_OK);
		CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_NOT_FOUND);
		atomic_fetch_add(&f.store->pending, 1); /* as if a caller were waiting in store_begin() */
		store_rollback(f.store);
		CHECK(f.store->tx_open);        /* the group goes on */
		standing(&f, got, sizeof(got)); /* this thread's reader, beside the open group */
		CHECK_STR(got, "1/1");
		atomic_fetch_sub(&f.store->pending, 1);
		CHECK_INT(store_begin(f.store, true), STORE_OK); /* the waiting caller: ends the group */
		CHECK_INT(store_commit(f.store), STORE_OK);
		CHECK(!f.store->tx_open);
		standing(&f, got, sizeof(got));
		CHECK_STR(got, "1/1");
		store_destroy(f.store);
	}
	temp_file_remove(&tmp);
}

/* ---- the writing connection's view --------------------------------------- */

/* A lookup in a read unit of another thread (its own reader), as a concurrent call's. */
struct lookup {
	struct fixture *f;
	enum store_status status;
	int sender;
	int template_status;
};

static void *lookup_in_reader(void *p)
{
	struct lookup *l = p;
	int domain = 0;
	struct store_template t = {0};
	CHECK_INT(store_begin(l->f->store, false), STORE_OK);
	CHECK(store_active_reader(l->f->store) != NULL);
	l->status = store_sender_standing(l->f->store, l->f->account, FROM, &l->sender, &domain);
	CHECK_INT(store_template_get(l->f->store, l->f->account, l->f->template_id, &t), STORE_OK);
	l->template_status = t.status;
	CHECK_INT(store_commit(l->f->store), STORE_OK);
	store_template_finish(&t);
	return NULL;
}

static void lookup_elsewhere(struct fixture *f, struct lookup *l)
{
	*l = (struct lookup){.f = f};
	pthread_t thread;
	pthread_create(&thread, NULL, lookup_in_reader, l);
	pthread_join(thread, NULL);
}

/* A unit reads its own writes, though a reader remembered the last commit meanwhile. */
static void test_unit_reads_own_writes(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	struct fixture f;
	if (fixture_open(&f, tmp.path)) {
		int sender = -1, domain = -1;
		struct store_template row = {0};
		struct lookup l;
		CHECK_INT(store_begin(f.store, true), STORE_OK);
		CHECK_INT(store_sender_set_status(f.store, f.account, FROM, STORE_SENDER_REJECTED), STORE_OK);
		CHECK_INT(store_template_review(f.store, f.account, f.template_id, STORE_TEMPLATE_REJECTED, "no", NOW),
			  STORE_OK);
		lookup_elsewhere(&f, &l);
		CHECK_INT(l.sender, STORE_SENDER_APPROVED); /* the reader: the last commit */
		CHECK_INT(l.template_status, STORE_TEMPLATE_APPROVED);
		CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_OK);
		CHECK_INT(sender, STORE_SENDER_REJECTED); /* the unit: its own writes */
		CHECK_INT(store_template_get(f.store, f.account, f.template_id, &row), STORE_OK);
		CHECK_INT(row.status, STORE_TEMPLATE_REJECTED);
		store_template_finish(&row);
		CHECK_INT(store_commit(f.store), STORE_OK);
		store_destroy(f.store);
	}
	temp_file_remove(&tmp);
}

/* A unit whose group holds another unit's write reads that write, not what a reader remembered. */
static void *delete_sender_in_open_group(void *p)
{
	struct fixture *f = p;
	atomic_fetch_add(&f->store->pending, 1); /* as if a caller were waiting: the group stays open */
	CHECK_INT(store_begin(f->store, true), STORE_OK);
	CHECK_INT(store_sender_delete(f->store, f->account, FROM), STORE_OK);
	CHECK_INT(store_commit(f->store), STORE_OK); /* returns once the group is committed */
	return NULL;
}

static void test_group_mate_reads_group_writes(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	struct fixture f;
	if (fixture_open(&f, tmp.path)) {
		pthread_t a;
		pthread_create(&a, NULL, delete_sender_in_open_group, &f);
		for (;;) { /* until A waits for its group */
			pthread_mutex_lock(&f.store->waiters_lock);
			bool waiting = f.store->waiters != NULL;
			pthread_mutex_unlock(&f.store->waiters_lock);
			if (waiting)
				break;
			sched_yield();
		}
		atomic_fetch_sub(&f.store->pending, 1);
		struct lookup l;
		lookup_elsewhere(&f, &l);
		CHECK_INT(l.status, STORE_OK); /* the last commit still has the sender */
		int sender = -1, domain = -1;
		CHECK_INT(store_begin(f.store, true), STORE_OK); /* B, in A's transaction */
		CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_NOT_FOUND);
		CHECK_INT(store_commit(f.store), STORE_OK);
		pthread_join(a, NULL);
		store_destroy(f.store);
	}
	temp_file_remove(&tmp);
}

/* What a unit read after its own write is not offered to readers: it is not committed (here never). */
static void test_uncommitted_not_shared(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	struct fixture f;
	if (fixture_open(&f, tmp.path)) {
		int sender = -1, domain = -1;
		struct lookup l;
		CHECK_INT(store_begin(f.store, true), STORE_OK);
		CHECK_INT(store_sender_delete(f.store, f.account, FROM), STORE_OK);
		CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_NOT_FOUND);
		lookup_elsewhere(&f, &l);
		CHECK_INT(l.status, STORE_OK);
		store_rollback(f.store);
		lookup_elsewhere(&f, &l);
		CHECK_INT(l.status, STORE_OK);
		store_destroy(f.store);
	}
	temp_file_remove(&tmp);
}

/*
 * Answers do come from memory: a change made behind the emulator's back (by
 * another program on the file, which its update hook cannot see) is not
 * read until the emulator itself writes one of the tables.
 */
static void test_remembered(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "memo"))
		return;
	const char *path = tmp.path;
	struct fixture f;
	if (fixture_open(&f, path)) {
		char got[64];
		struct store_template t = {0};
		int sender = -1, domain = -1;
		/* the second lookup of a unit is remembered under the unit's snapshot */
		CHECK_INT(store_begin(f.store, false), STORE_OK);
		CHECK_INT(store_template_get(f.store, f.account, f.template_id, &t), STORE_OK);
		CHECK_INT(store_sender_standing(f.store, f.account, FROM, &sender, &domain), STORE_OK);
		CHECK_INT(store_commit(f.store), STORE_OK);
		store_template_finish(&t);
		sqlite3 *other = NULL;
		CHECK_INT(sqlite3_open(path, &other), SQLITE_OK);
		CHECK_INT(sqlite3_exec(other, "UPDATE senders SET status = 2", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(other);
		standing(&f, got, sizeof(got));
		CHECK_STR(got, "1/1");
		CHECK_INT(store_begin(f.store, true), STORE_OK);
		CHECK_INT(store_identity_set_status(f.store, f.account, "example.com", STORE_IDENTITY_VERIFIED),
			  STORE_OK);
		CHECK_INT(store_commit(f.store), STORE_OK);
		standing(&f, got, sizeof(got));
		CHECK_STR(got, "2/1");
		store_destroy(f.store);
	}
	temp_file_remove(&tmp);
}

int main(void)
{
	test_follows_writes_memory();
	test_follows_writes_file();
	test_rollback();
	test_snapshot_race();
	test_reader_during_write();
	test_rollback_in_group();
	test_unit_reads_own_writes();
	test_group_mate_reads_group_writes();
	test_uncommitted_not_shared();
	test_remembered();
	return unit_finish("store_memo");
}
