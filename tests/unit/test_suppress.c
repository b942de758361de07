/*
 * Focus: suppression and complaints below the API: the custom blacklist's
 * expiry boundary (an entry applies up to the last second before its
 * expire date, CST), its filters and unique addresses; unsubscribe settings
 * and recorded unsubscribes; abuse reports; the bounce list's page and
 * delete; the delivery flags; and suppress_check(), the one rule SendEmail
 * and batches share (blacklists win over an unsubscribe). Every list is
 * checked for account isolation.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/suppress.h"
#include "store.h"
#include "store_account.h"
#include "store_blacklist.h"
#include "store_complaint.h"
#include "store_message.h"
#include "store_unsubscribe.h"
#include "unit.h"

/* 2023-11-15 06:13:20 China Standard Time */
#define NOW 1700000000
#define TODAY "2023-11-15"

static struct store *open_with_accounts(int64_t *a1, int64_t *a2)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return NULL;
	struct store_account one = {.app_id = 1300000001, .uin = "1"};
	struct store_account two = {.app_id = 1300000002, .uin = "2"};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &one, NOW, a1), STORE_OK);
	CHECK_INT(store_account_create(store, &two, NOW, a2), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	return store;
}

/* Whether `email` is on a blacklist of `account` on `today` (store_suppression). */
static bool active(struct store *store, int64_t account, const char *email, const char *today)
{
	bool listed = false, unsubscribed = false;
	CHECK_INT(store_suppression(store, account, email, "sender@example.com", today, &listed, &unsubscribed),
		  STORE_OK);
	return listed;
}

/* Whether `recipient` unsubscribed from `sender` (store_suppression). */
static bool unsubscribed_from(struct store *store, int64_t account, const char *recipient, const char *sender)
{
	bool listed = false, unsubscribed = false;
	CHECK_INT(store_suppression(store, account, recipient, sender, TODAY, &listed, &unsubscribed), STORE_OK);
	return unsubscribed;
}

static int64_t count_of(struct store *store, int64_t account, int status, const char *email)
{
	struct store_blacklist_filter filter = {.today = TODAY, .status = status, .email = email};
	int64_t count = -1;
	CHECK_INT(store_blacklist_count(store, account, &filter, &count), STORE_OK);
	return count;
}

static void test_custom_blacklist(void)
{
	int64_t a1, a2, id = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_blacklist_add(store, a1, "until@example.net", "2023-11-16", NOW, &id), STORE_OK);
	CHECK(id > 0);
	CHECK_INT(store_blacklist_add(store, a1, "UNTIL@example.net", NULL, NOW, NULL), STORE_EXISTS);
	CHECK_INT(store_blacklist_add(store, a1, "forever@example.net", "", NOW, NULL), STORE_OK);
	CHECK_INT(store_blacklist_add(store, a1, "old@example.net", "2000-01-01", NOW, NULL), STORE_OK);
	CHECK_INT(store_blacklist_add(store, a2, "until@example.net", NULL, NOW, NULL), STORE_OK);

	/* the boundary: active the day before the expire date, expired on it */
	CHECK(active(store, a1, "until@example.net", "2023-11-15"));
	CHECK(!active(store, a1, "until@example.net", "2023-11-16"));
	CHECK(active(store, a1, "Forever@Example.net", "9999-12-31"));
	CHECK(!active(store, a1, "old@example.net", TODAY));
	CHECK(!active(store, a1, "nobody@example.net", TODAY));

	CHECK_INT(count_of(store, a1, 2, NULL), 3);
	CHECK_INT(count_of(store, a1, 1, NULL), 2);
	CHECK_INT(count_of(store, a1, 0, NULL), 1);
	CHECK_INT(count_of(store, a1, 2, "EVER@"), 1);
	CHECK_INT(count_of(store, a1, 0, "ever"), 0);
	CHECK_INT(count_of(store, a2, 2, NULL), 1);

	struct store_blacklist_filter all = {.today = TODAY, .status = 2};
	struct store_blacklist_entry *rows = NULL;
	size_t n = 0;
	CHECK_INT(store_blacklist_page(store, a1, &all, 1, 5, &rows, &n), STORE_OK);
	if (CHECK_INT(n, 2)) {
		CHECK_STR(rows[0].email, "forever@example.net"); /* newest first, after the offset */
		CHECK_STR(rows[0].expire_date, "");
		CHECK_STR(rows[1].email, "until@example.net");
		CHECK_STR(rows[1].expire_date, "2023-11-16");
		CHECK_INT(rows[1].created, NOW);
	}
	store_blacklist_list_free(rows, n);

	CHECK_INT(store_blacklist_update(store, a1, id, "moved@example.net", NULL), STORE_OK);
	CHECK(active(store, a1, "moved@example.net", "2100-01-01"));
	CHECK(!active(store, a1, "until@example.net", TODAY));
	CHECK_INT(store_blacklist_update(store, a1, id, "FOREVER@example.net", NULL), STORE_EXISTS);
	CHECK_INT(store_blacklist_update(store, a2, id, "x@example.net", NULL), STORE_NOT_FOUND);
	CHECK_INT(store_blacklist_update(store, a1, 987654, "x@example.net", NULL), STORE_NOT_FOUND);
	CHECK_INT(store_blacklist_delete(store, a2, "moved@example.net"), STORE_OK);
	CHECK(active(store, a1, "moved@example.net", TODAY));
	CHECK_INT(store_blacklist_delete(store, a1, "MOVED@example.net"), STORE_OK);
	CHECK(!active(store, a1, "moved@example.net", TODAY));
	CHECK_INT(store_blacklist_delete(store, a1, "never@example.net"), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	store_blacklist_finish(NULL);
	store_blacklist_list_free(NULL, 0);
	store_destroy(store);
}

static void test_unsubscribe_configs(void)
{
	int64_t a1, a2, total = -1;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_unsubscribe_config row = {0};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_unsubscribe_config_update(store, a1, "news@example.com", "2", 1, NOW), STORE_NOT_FOUND);
	CHECK_INT(store_unsubscribe_config_put(store, a1, "news@example.com", "2", 1, NOW), STORE_OK);
	CHECK_INT(store_unsubscribe_config_put(store, a1, "NEWS@example.com", "7", 0, NOW), STORE_OK);
	CHECK_INT(store_unsubscribe_config_put(store, a1, "info@example.com", "1", 1, NOW), STORE_OK);
	CHECK_INT(store_unsubscribe_config_get(store, a1, "news@example.com", &row), STORE_OK);
	CHECK_STR(row.config, "7");
	CHECK_INT(row.status, 0);
	store_unsubscribe_config_finish(&row);
	CHECK_INT(store_unsubscribe_config_get(store, a2, "news@example.com", &row), STORE_NOT_FOUND);
	CHECK_INT(store_unsubscribe_config_update(store, a1, "news@example.com", "12", 1, NOW), STORE_OK);
	CHECK_INT(store_unsubscribe_config_update(store, a2, "news@example.com", "12", 1, NOW), STORE_NOT_FOUND);

	struct store_unsubscribe_config *rows = NULL;
	size_t n = 0;
	CHECK_INT(store_unsubscribe_config_page(store, a1, 0, 10, &total, &rows, &n), STORE_OK);
	CHECK_INT(total, 2);
	if (CHECK_INT(n, 2)) {
		CHECK_STR(rows[0].address, "news@example.com"); /* oldest first; a replaced one keeps its place */
		CHECK_STR(rows[0].config, "12");
		CHECK_INT(rows[0].status, 1);
		CHECK_STR(rows[1].address, "info@example.com");
	}
	store_unsubscribe_config_list_free(rows, n);
	CHECK_INT(store_unsubscribe_config_page(store, a1, 1, 10, &total, &rows, &n), STORE_OK);
	CHECK_INT(n, 1);
	store_unsubscribe_config_list_free(rows, n);
	CHECK_INT(store_unsubscribe_config_page(store, a2, 0, 10, &total, &rows, &n), STORE_OK);
	CHECK_INT(total, 0);
	store_unsubscribe_config_list_free(rows, n);

	CHECK_INT(store_unsubscribe_config_delete(store, a2, "info@example.com"), STORE_NOT_FOUND);
	CHECK_INT(store_unsubscribe_config_delete(store, a1, "Info@example.com"), STORE_OK);
	CHECK_INT(store_unsubscribe_config_delete(store, a1, "info@example.com"), STORE_NOT_FOUND);
	CHECK_INT(store_commit(store), STORE_OK);
	store_unsubscribe_config_finish(NULL);
	store_unsubscribe_config_list_free(NULL, 0);
	store_destroy(store);
}

/* One message of account `account` from `from` to `to`, stored under `id`. */
static void add_message(struct store *store, int64_t account, const char *id, const char *from, const char *to)
{
	struct store_delivery_in delivery = {.address = to, .deliver_status = 1};
	struct store_message_in msg = {
		.message_id = id,
		.from_address = from,
		.from_domain = strrchr(from, '@') + 1,
		.subject = "s",
		.recipients_json = "{\"to\":[],\"cc\":[],\"bcc\":[]}",
		.reply_to = "",
		.attachments_json = "[]",
		.created = NOW,
		.day = TODAY,
		.raw = "x",
		.raw_len = 1,
		.deliveries = &delivery,
		.delivery_count = 1,
	};
	CHECK_INT(store_message_add(store, account, &msg), STORE_OK);
}

static void test_unsubscribes_and_suppress(void)
{
	int64_t a1, a2, owner = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	enum suppress_reason reason = SUPPRESS_BLACKLISTED;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(suppress_check(store, a1, "r@example.net", "news@example.com", NOW, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_NONE);

	CHECK_INT(store_unsubscribe_add(store, a1, "r@example.net", "news@example.com", "m1", NOW), STORE_OK);
	CHECK_INT(store_unsubscribe_add(store, a1, "R@example.net", "NEWS@example.com", "m2", NOW), STORE_OK);
	CHECK(unsubscribed_from(store, a1, "r@EXAMPLE.net", "news@example.com"));
	CHECK(!unsubscribed_from(store, a1, "r@example.net", "info@example.com"));
	CHECK(!unsubscribed_from(store, a2, "r@example.net", "news@example.com"));

	CHECK_INT(suppress_check(store, a1, "r@example.net", "news@example.com", NOW, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_UNSUBSCRIBED);
	CHECK_INT(suppress_send_status(reason), 1013);
	CHECK_INT(suppress_check(store, a1, "r@example.net", "info@example.com", NOW, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_NONE);
	CHECK_INT(suppress_send_status(reason), 0);
	CHECK_INT(suppress_check(store, a2, "r@example.net", "news@example.com", NOW, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_NONE);

	/* the blacklists win over an unsubscribe; an expired entry does not count */
	CHECK_INT(store_blacklist_add(store, a1, "r@example.net", "2023-11-16", NOW, NULL), STORE_OK);
	CHECK_INT(suppress_check(store, a1, "r@example.net", "news@example.com", NOW, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_BLACKLISTED);
	CHECK_INT(suppress_send_status(reason), 1007);
	CHECK_INT(suppress_check(store, a1, "r@example.net", "news@example.com", NOW + 86400, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_UNSUBSCRIBED);
	CHECK_INT(store_bounce_add(store, a1, "b@example.net", NOW, 0, "m", "550 gone"), STORE_OK);
	CHECK_INT(suppress_check(store, a1, "B@example.net", "info@example.com", NOW, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_BLACKLISTED);
	CHECK_INT(suppress_check(store, a2, "b@example.net", "info@example.com", NOW, &reason), STORE_OK);
	CHECK_INT(reason, SUPPRESS_NONE);

	/* the delivery flags and the message's account */
	add_message(store, a1, "msg-1", "news@example.com", "r@example.net");
	CHECK_INT(store_delivery_mark_unsubscribed(store, "msg-1", "R@example.net"), STORE_OK);
	CHECK_INT(store_delivery_mark_complained(store, "msg-1", "r@example.net"), STORE_OK);
	CHECK_INT(store_delivery_mark_unsubscribed(store, "msg-1", "other@example.net"), STORE_NOT_FOUND);
	CHECK_INT(store_delivery_mark_complained(store, "msg-2", "r@example.net"), STORE_NOT_FOUND);
	CHECK_INT(store_message_account(store, "msg-1", &owner), STORE_OK);
	CHECK_INT(owner, a1);
	CHECK_INT(store_message_account(store, "msg-2", &owner), STORE_NOT_FOUND);
	struct store_delivery *rows = NULL;
	size_t n = 0;
	CHECK_INT(store_delivery_page(store, a1, TODAY, "msg-1", NULL, 0, 10, &rows, &n), STORE_OK);
	if (CHECK_INT(n, 1)) {
		CHECK(rows[0].unsubscribed);
		CHECK(rows[0].complained);
	}
	store_delivery_list_free(rows, n);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);
}

static void test_bounces(void)
{
	int64_t a1, a2, total = -1;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_bounce *rows = NULL;
	size_t n = 0;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_bounce_add(store, a1, "late@example.net", NOW + 100, 0, "m2", "550 b"), STORE_OK);
	CHECK_INT(store_bounce_add(store, a1, "early@example.net", NOW, 7, "m1", "550 a"), STORE_OK);
	CHECK_INT(store_bounce_add(store, a2, "other@example.net", NOW, 0, "m3", "550 c"), STORE_OK);
	/* [from, until): the first second is in, the last is out */
	CHECK_INT(store_bounce_page(store, a1, NOW, NOW + 100, NULL, 0, 10, &total, &rows, &n), STORE_OK);
	CHECK_INT(total, 1);
	if (CHECK_INT(n, 1)) {
		CHECK_STR(rows[0].address, "early@example.net");
		CHECK_INT(rows[0].bounce_time, NOW);
		CHECK_STR(rows[0].isp_desc, "550 a");
	}
	store_bounce_list_free(rows, n);
	CHECK_INT(store_bounce_page(store, a1, 0, NOW + 101, NULL, 1, 10, &total, &rows, &n), STORE_OK);
	CHECK_INT(total, 2);
	if (CHECK_INT(n, 1))
		CHECK_STR(rows[0].address, "late@example.net"); /* oldest first, after the offset */
	store_bounce_list_free(rows, n);
	CHECK_INT(store_bounce_page(store, a1, 0, NOW + 101, "LATE@example.net", 0, 10, &total, &rows, &n), STORE_OK);
	CHECK_INT(total, 1);
	store_bounce_list_free(rows, n);
	CHECK_INT(store_bounce_delete(store, a2, "late@example.net"), STORE_OK);
	CHECK(active(store, a1, "late@example.net", TODAY));
	CHECK_INT(store_bounce_delete(store, a1, "Late@example.net"), STORE_OK);
	CHECK(!active(store, a1, "late@example.net", TODAY));
	CHECK_INT(store_commit(store), STORE_OK);
	store_bounce_list_free(NULL, 0);
	store_destroy(store);
}

static int64_t complaints(struct store *store, int64_t account, const struct store_complaint_filter *filter)
{
	struct store_complaint *rows = NULL;
	size_t n = 0;
	int64_t total = -1;
	CHECK_INT(store_complaint_page(store, account, filter, 0, 10, &total, &rows, &n), STORE_OK);
	CHECK_INT((int64_t)n, total);
	store_complaint_list_free(rows, n);
	return total;
}

static void test_complaints(void)
{
	int64_t a1, a2;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	struct store_complaint in = {
		.message_id = "msg-1",
		.header_id = "msg-1@ses-emulator.local",
		.recipient = "Someone@Gmail.com",
		.from_address = "news@example.com",
		.from_domain = "example.com",
		.subject = "Deals",
		.template_id = 12,
		.task_id = 0,
		.deliver_time = NOW - 60,
		.complain_time = NOW,
	};
	bool added = false;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_complaint_add(store, a1, &in, TODAY, &added), STORE_OK);
	CHECK(added);
	CHECK_INT(store_complaint_add(store, a1, &in, TODAY, &added), STORE_OK);
	CHECK(!added);
	in.recipient = "two@example.net";
	in.template_id = 0;
	CHECK_INT(store_complaint_add(store, a1, &in, "2023-11-16", NULL), STORE_OK);

	struct store_complaint_filter f = {.start_day = TODAY, .end_day = TODAY};
	CHECK_INT(complaints(store, a1, &f), 1);
	CHECK_INT(complaints(store, a2, &f), 0);
	f.end_day = "2023-11-16";
	CHECK_INT(complaints(store, a1, &f), 2);
	f.mta = "GMAIL.com";
	CHECK_INT(complaints(store, a1, &f), 1);
	f.mta = NULL;
	f.template_id = "12";
	CHECK_INT(complaints(store, a1, &f), 1);
	f.template_id = "";
	f.to_address = "TWO@example.net";
	CHECK_INT(complaints(store, a1, &f), 1);
	f.to_address = NULL;
	f.from_address = "other@example.com";
	CHECK_INT(complaints(store, a1, &f), 0);
	f.from_address = NULL;
	f.from_domain = "Example.COM";
	CHECK_INT(complaints(store, a1, &f), 2);

	struct store_complaint *rows = NULL;
	size_t n = 0;
	int64_t total = 0;
	CHECK_INT(store_complaint_page(store, a1, &f, 0, 1, &total, &rows, &n), STORE_OK);
	CHECK_INT(total, 2);
	if (CHECK_INT(n, 1)) {
		CHECK_STR(rows[0].recipient, "Someone@Gmail.com");
		CHECK_STR(rows[0].mta, "Gmail.com");
		CHECK_STR(rows[0].header_id, "msg-1@ses-emulator.local");
		CHECK_INT(rows[0].template_id, 12);
		CHECK_INT(rows[0].task_id, 0);
		CHECK_INT(rows[0].deliver_time, NOW - 60);
		CHECK_INT(rows[0].complain_time, NOW);
	}
	store_complaint_list_free(rows, n);
	CHECK_INT(store_commit(store), STORE_OK);
	store_complaint_finish(NULL);
	store_destroy(store);
}

int main(void)
{
	test_custom_blacklist();
	test_unsubscribe_configs();
	test_unsubscribes_and_suppress();
	test_bounces();
	test_complaints();
	return unit_finish("suppress");
}
