/*
 * Focus: the SMTP relay's queue (storage/store_relay.c) and backoff
 * (server/mail/relay.c relay_backoff_ms): a message is queued only when a
 * recipient was accepted, only once, and only in its own account; a taken
 * row is leased and not taken again until due; outcomes (sent, retry,
 * failed) are recorded; deleting the message removes its row; the backoff
 * doubles from the first delay and stops at an hour.
 */
#include <stdlib.h>
#include <string.h>

#include "mail/relay.h"
#include "store.h"
#include "store_account.h"
#include "store_message.h"
#include "store_relay.h"
#include "unit.h"

#define NOW 1700000000

static struct store *open_with_account(int64_t *account, int64_t *other)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return NULL;
	struct store_account one = {.app_id = 1300000001, .uin = "100000000001"};
	struct store_account two = {.app_id = 1300000002, .uin = "100000000002"};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &one, NOW, account), STORE_OK);
	CHECK_INT(store_account_create(store, &two, NOW, other), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	return store;
}

/* Store message `id` with two recipients: the first accepted when `accepted`, the second always refused. */
static void add_message(struct store *store, int64_t account, const char *id, bool accepted)
{
	struct store_delivery_in rows[2] = {
		{.address = "a@example.net", .send_status = accepted ? 0 : 1007, .deliver_status = 1},
		{.address = "b@example.net", .send_status = 1007, .deliver_status = 2},
	};
	static const char raw[] = "Subject: hi\r\n\r\n.line\r\n";
	struct store_message_in in = {
		.message_id = id,
		.from_address = "noreply@example.com",
		.from_domain = "example.com",
		.subject = "hi",
		.recipients_json = "{\"to\":[],\"cc\":[],\"bcc\":[]}",
		.reply_to = "",
		.attachments_json = "[]",
		.created = NOW,
		.day = "2023-11-15",
		.raw = raw,
		.raw_len = sizeof(raw) - 1,
		.deliveries = rows,
		.delivery_count = 2,
	};
	CHECK_INT(store_message_add(store, account, &in), STORE_OK);
}

static void test_enqueue(void)
{
	int64_t account = 0, other = 0;
	struct store *store = open_with_account(&account, &other);
	if (!store)
		return;
	bool queued = true;
	CHECK_INT(store_begin(store, true), STORE_OK);
	add_message(store, account, "m1", true);
	add_message(store, account, "m2", false);
	CHECK_INT(store_relay_enqueue(store, account, "m1", &queued), STORE_OK);
	CHECK(queued);
	/* Twice: left as it is. */
	CHECK_INT(store_relay_enqueue(store, account, "m1", &queued), STORE_OK);
	CHECK(!queued);
	/* No accepted recipient: nothing to relay. */
	CHECK_INT(store_relay_enqueue(store, account, "m2", &queued), STORE_OK);
	CHECK(!queued);
	/* Another account's message, or none. */
	CHECK_INT(store_relay_enqueue(store, other, "m1", &queued), STORE_OK);
	CHECK(!queued);
	CHECK_INT(store_relay_enqueue(store, account, "nope", &queued), STORE_OK);
	CHECK(!queued);
	CHECK_INT(store_commit(store), STORE_OK);

	struct store_relay relay;
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_relay_get(store, "m2", &relay), STORE_NOT_FOUND);
	if (CHECK_INT(store_relay_get(store, "m1", &relay), STORE_OK)) {
		CHECK_INT(relay.status, STORE_RELAY_PENDING);
		CHECK_INT(relay.attempts, 0);
		CHECK_STR(relay.last_error, "");
		CHECK_INT(relay.relayed_at, 0);
	}
	store_relay_finish(&relay);
	store_rollback(store);
	store_destroy(store);
}

static void test_take_and_record(void)
{
	int64_t account = 0, other = 0;
	struct store *store = open_with_account(&account, &other);
	if (!store)
		return;
	bool queued;
	CHECK_INT(store_begin(store, true), STORE_OK);
	add_message(store, account, "m1", true);
	add_message(store, account, "m2", true);
	CHECK_INT(store_relay_enqueue(store, account, "m1", &queued), STORE_OK);
	CHECK_INT(store_relay_enqueue(store, account, "m2", &queued), STORE_OK);

	/* Queue order; the message as stored, with its accepted recipients only. */
	struct store_relay_job job;
	int64_t next = 0;
	if (CHECK_INT(store_relay_take(store, 1000, 500, &job, &next), STORE_OK)) {
		CHECK_STR(job.message_id, "m1");
		CHECK_STR(job.from, "noreply@example.com");
		CHECK_INT(job.recipient_count, 1);
		if (job.recipient_count == 1)
			CHECK_STR(job.recipients[0], "a@example.net");
		CHECK_INT(job.raw_len, strlen("Subject: hi\r\n\r\n.line\r\n"));
		CHECK_STR(job.raw, "Subject: hi\r\n\r\n.line\r\n");
		CHECK_INT(job.attempts, 0);
		/* A failed attempt, retried at 3000. */
		CHECK_INT(store_relay_record(store, job.message, false, 0, 3000, "Connection refused"), STORE_OK);
	}
	store_relay_job_finish(&job);
	store_relay_job_finish(&job); /* finish twice: safe */
	if (CHECK_INT(store_relay_take(store, 1000, 500, &job, &next), STORE_OK)) {
		CHECK_STR(job.message_id, "m2");
		CHECK_INT(store_relay_record(store, job.message, true, NOW + 5, -1, ""), STORE_OK);
	}
	store_relay_job_finish(&job);
	/* m2 is sent; m1 is due at 3000. */
	CHECK_INT(store_relay_take(store, 2999, 500, &job, &next), STORE_NOT_FOUND);
	CHECK_INT(next, 3000);
	CHECK(job.message_id == NULL);
	if (CHECK_INT(store_relay_take(store, 3000, 500, &job, &next), STORE_OK)) {
		CHECK_INT(job.attempts, 1);
		/* Leased: not taken again before 3500. */
		struct store_relay_job again;
		CHECK_INT(store_relay_take(store, 3499, 500, &again, &next), STORE_NOT_FOUND);
		CHECK_INT(next, 3500);
		/* The last attempt fails: given up. */
		CHECK_INT(store_relay_record(store, job.message, false, 0, -1, "timeout"), STORE_OK);
	}
	store_relay_job_finish(&job);
	CHECK_INT(store_relay_take(store, 99999, 500, &job, &next), STORE_NOT_FOUND);
	CHECK_INT(next, -1);

	struct store_relay relay;
	if (CHECK_INT(store_relay_get(store, "m1", &relay), STORE_OK)) {
		CHECK_INT(relay.status, STORE_RELAY_FAILED);
		CHECK_INT(relay.attempts, 2);
		CHECK_STR(relay.last_error, "timeout");
		CHECK_INT(relay.relayed_at, 0);
	}
	store_relay_finish(&relay);
	if (CHECK_INT(store_relay_get(store, "m2", &relay), STORE_OK)) {
		CHECK_INT(relay.status, STORE_RELAY_SENT);
		CHECK_INT(relay.attempts, 1);
		CHECK_INT(relay.relayed_at, NOW + 5);
	}
	store_relay_finish(&relay);
	store_relay_finish(NULL);

	/* Deleting the messages removes their rows. */
	int64_t deleted = 0;
	CHECK_INT(store_message_delete_all(store, &deleted), STORE_OK);
	CHECK_INT(store_relay_get(store, "m2", &relay), STORE_NOT_FOUND);
	CHECK_INT(store_relay_record(store, 1, true, NOW, -1, ""), STORE_NOT_FOUND);
	CHECK_INT(store_relay_reschedule(store, 1, 0), STORE_NOT_FOUND);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);
}

static void test_reschedule(void)
{
	int64_t account = 0, other = 0;
	struct store *store = open_with_account(&account, &other);
	if (!store)
		return;
	bool queued;
	struct store_relay_job job;
	int64_t next;
	CHECK_INT(store_begin(store, true), STORE_OK);
	add_message(store, account, "m1", true);
	CHECK_INT(store_relay_enqueue(store, account, "m1", &queued), STORE_OK);
	if (CHECK_INT(store_relay_take(store, 1000, 100000, &job, &next), STORE_OK)) {
		/* The worker stopped mid-send: back at once, no attempt counted. */
		CHECK_INT(store_relay_reschedule(store, job.message, 1000), STORE_OK);
		store_relay_job_finish(&job);
		if (CHECK_INT(store_relay_take(store, 1000, 100000, &job, &next), STORE_OK))
			CHECK_INT(job.attempts, 0);
	}
	store_relay_job_finish(&job);
	CHECK_INT(store_commit(store), STORE_OK);
	store_destroy(store);
}

static void test_backoff(void)
{
	CHECK_INT(relay_backoff_ms(1000, 1), 1000);
	CHECK_INT(relay_backoff_ms(1000, 2), 2000);
	CHECK_INT(relay_backoff_ms(1000, 5), 16000);
	CHECK_INT(relay_backoff_ms(100, 3), 400);
	/* At most an hour, however many attempts. */
	CHECK_INT(relay_backoff_ms(1000, 12), 2048000);
	CHECK_INT(relay_backoff_ms(1000, 13), 3600000);
	CHECK_INT(relay_backoff_ms(3600000, 1), 3600000);
	CHECK_INT(relay_backoff_ms(1000, 1000), 3600000);
	CHECK_INT(relay_backoff_ms(0, 1), 1);
}

int main(void)
{
	test_enqueue();
	test_take_and_record();
	test_reschedule();
	test_backoff();
	return unit_finish("relay");
}
