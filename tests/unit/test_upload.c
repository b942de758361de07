/*
 * Focus: the recipient-group upload worker (server/mail/upload.c) and the
 * receiver storage it drives (storage/store_receiver.c): submitted rows
 * become members in submission order, chunk by chunk within the budget; a
 * group stays uploading until no row is left AND UPLOAD_MIN_VISIBLE_MS of
 * real time passed since a step first saw it (both sides of the boundary);
 * the return value says whether work remains; deleting an uploading group
 * drops its rows; counters, filters, paging by member id and account
 * isolation of the storage calls the handlers and the batch fan-out use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_account.h"
#include "store_receiver.h"
#include "server/mail/upload.h"
#include "unit.h"

#define NOW 1700000000

static struct store *open_with_accounts(int64_t *a1, int64_t *a2)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK)) {
		fprintf(stderr, "  %s\n", err);
		return NULL;
	}
	struct store_account one = {.app_id = 1300000001, .uin = "100000000001"};
	struct store_account two = {.app_id = 1300000002, .uin = "100000000002"};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &one, NOW, a1), STORE_OK);
	CHECK_INT(store_account_create(store, &two, NOW, a2), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	return store;
}

/* A new group of `account` named `name`; its id. */
static int64_t new_group(struct store *store, int64_t account, const char *name)
{
	int64_t id = 0;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_receiver_create(store, account, name, "desc", NOW, &id), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	return id;
}

/* Submit `count` addresses "<prefix><i>@example.com" (every third invalid) and start the upload. */
static void submit(struct store *store, int64_t account, int64_t group, const char *prefix, int count)
{
	CHECK_INT(store_begin(store, true), STORE_OK);
	for (int i = 0; i < count; i++) {
		char email[64];
		snprintf(email, sizeof(email), "%s%d@example.com", prefix, i);
		bool invalid = i % 3 == 2;
		struct store_receiver_member row = {.email = email,
						    .status = invalid ? STORE_MEMBER_INVALID : STORE_MEMBER_VALID,
						    .reason = invalid ? "bad" : "",
						    .created = NOW + i};
		CHECK_INT(store_receiver_submit(store, account, group, &row), STORE_OK);
	}
	CHECK_INT(store_receiver_start_upload(store, account, group, ""), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
}

/* The group's status and member counters. */
static struct store_receiver group_of(struct store *store, int64_t account, int64_t id)
{
	struct store_receiver row = {0};
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_receiver_get(store, account, id, &row), STORE_OK);
	store_commit(store);
	store_receiver_finish(&row); /* the numbers stay */
	return row;
}

static void test_chunks_and_visibility(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	int64_t g = new_group(store, a1, "chunks");
	CHECK_INT(group_of(store, a1, g).status, STORE_RECEIVER_PENDING);
	CHECK(!upload_process_step(store, 1000, 100)); /* nothing to do */

	submit(store, a1, g, "m", 5);
	struct store_receiver row = group_of(store, a1, g);
	CHECK_INT(row.status, STORE_RECEIVER_UPLOADING);
	CHECK_INT(row.member_count, 0);

	/* A budget of 0 moves nothing but the group counts as seen at 1000. */
	CHECK(upload_process_step(store, 1000, 0));
	CHECK_INT(group_of(store, a1, g).member_count, 0);
	CHECK(upload_process_step(store, 1100, 2));
	row = group_of(store, a1, g);
	CHECK_INT(row.member_count, 2);
	CHECK_INT(row.invalid_count, 0);
	CHECK(upload_process_step(store, 1200, 2));
	CHECK(upload_process_step(store, 1300, 2));
	row = group_of(store, a1, g);
	CHECK_INT(row.member_count, 5);
	CHECK_INT(row.invalid_count, 1);
	/* All moved, but only 499 ms since it was first seen. */
	CHECK_INT(row.status, STORE_RECEIVER_UPLOADING);
	CHECK(upload_process_step(store, 1000 + UPLOAD_MIN_VISIBLE_MS - 1, 2));
	CHECK_INT(group_of(store, a1, g).status, STORE_RECEIVER_UPLOADING);
	CHECK(!upload_process_step(store, 1000 + UPLOAD_MIN_VISIBLE_MS, 2));
	CHECK_INT(group_of(store, a1, g).status, STORE_RECEIVER_UPLOADED);
	CHECK(!upload_process_step(store, 9000, 2));

	/* A new upload to an uploaded group is seen afresh. */
	submit(store, a1, g, "n", 1);
	CHECK_INT(group_of(store, a1, g).status, STORE_RECEIVER_UPLOADING);
	CHECK(upload_process_step(store, 20000, 100));
	CHECK_INT(group_of(store, a1, g).member_count, 6);
	CHECK(upload_process_step(store, 20000 + UPLOAD_MIN_VISIBLE_MS - 1, 100));
	CHECK(!upload_process_step(store, 20000 + UPLOAD_MIN_VISIBLE_MS, 100));
	CHECK_INT(group_of(store, a1, g).status, STORE_RECEIVER_UPLOADED);

	/* A huge budget is fine. */
	submit(store, a1, g, "o", 2);
	CHECK(upload_process_step(store, 30000, SIZE_MAX));
	CHECK_INT(group_of(store, a1, g).member_count, 8);
	store_destroy(store);
}

/* Rows of two groups, submitted one group after the other, keep that order. */
static void test_order_and_paging(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	int64_t g1 = new_group(store, a1, "first");
	int64_t g2 = new_group(store, a2, "second");
	submit(store, a1, g1, "a", 7);
	submit(store, a2, g2, "b", 3);
	int steps = 0;
	while (upload_process_step(store, 0, 3) && steps < 100)
		steps++;
	CHECK(steps >= 3);
	/* Seen at 0, finished once real time passes. */
	CHECK(!upload_process_step(store, UPLOAD_MIN_VISIBLE_MS, 3));

	struct store_receiver_member *rows = NULL;
	size_t count = 0;
	int64_t after = 0;
	int seen = 0;
	CHECK_INT(store_begin(store, false), STORE_OK);
	for (;;) {
		CHECK_INT(store_receiver_members_page(store, a1, g1, after, 3, &rows, &count), STORE_OK);
		if (count == 0)
			break;
		for (size_t i = 0; i < count; i++, seen++) {
			char want[64];
			snprintf(want, sizeof(want), "a%d@example.com", seen);
			CHECK_STR(rows[i].email, want);
			CHECK(rows[i].id > after);
			CHECK_INT(rows[i].created, NOW + seen);
			CHECK(rows[i].template_data == NULL);
			CHECK_STR(rows[i].reason, seen % 3 == 2 ? "bad" : "");
			after = rows[i].id;
		}
		store_receiver_members_free(rows, count);
	}
	CHECK_INT(seen, 7);
	/* Another account sees nothing of the group. */
	CHECK_INT(store_receiver_members_page(store, a2, g1, 0, 100, &rows, &count), STORE_OK);
	CHECK_INT(count, 0);
	struct store_receiver group = {0};
	CHECK_INT(store_receiver_get(store, a2, g1, &group), STORE_NOT_FOUND);
	store_commit(store);
	store_destroy(store);
}

static void test_delete_while_uploading(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	int64_t g = new_group(store, a1, "doomed");
	submit(store, a1, g, "d", 4);
	CHECK(upload_process_step(store, 0, 1));
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_receiver_delete(store, a2, g), STORE_NOT_FOUND);
	CHECK_INT(store_receiver_delete(store, a1, g), STORE_OK);
	CHECK_INT(store_receiver_delete(store, a1, g), STORE_NOT_FOUND);
	CHECK_INT(store_commit(store), STORE_OK);
	CHECK(!upload_process_step(store, 0, 100));
	store_destroy(store);
}

/* Duplicates (ASCII case ignored) among members and submitted rows, names, lists and filters. */
static void test_storage_rules(void)
{
	int64_t a1 = 0, a2 = 0;
	struct store *store = open_with_accounts(&a1, &a2);
	if (!store)
		return;
	int64_t g = new_group(store, a1, "Rules"), id = 0;
	bool found = true;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_receiver_create(store, a1, "Rules", "", NOW, &id), STORE_EXISTS);
	CHECK_INT(store_receiver_create(store, a2, "Rules", "", NOW, &id), STORE_OK);
	CHECK_INT(store_receiver_has_email(store, a1, g, "x@example.com", &found), STORE_OK);
	CHECK(!found);
	struct store_receiver_member row = {.email = "X@Example.com", .status = STORE_MEMBER_VALID, .created = NOW};
	CHECK_INT(store_receiver_submit(store, a1, g, &row), STORE_OK);
	CHECK_INT(store_receiver_has_email(store, a1, g, "x@example.com", &found), STORE_OK);
	CHECK(found);
	CHECK_INT(store_receiver_has_email(store, a2, g, "x@example.com", &found), STORE_OK);
	CHECK(!found);
	struct store_receiver_member direct = {.email = "y@example.com",
					       .template_data = "{\"k\":\"v\"}",
					       .status = STORE_MEMBER_VALID,
					       .created = NOW + 100};
	CHECK_INT(store_receiver_add_member(store, a1, g, &direct, "[\"k\"]"), STORE_OK);
	CHECK_INT(store_receiver_add_member(store, a1, g, &direct, "[\"k\"]"), STORE_EXISTS);
	CHECK_INT(store_commit(store), STORE_OK);

	struct store_receiver group = {0};
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_receiver_get(store, a1, g, &group), STORE_OK);
	CHECK_INT(group.member_count, 1);
	CHECK_STR(group.data_keys, "[\"k\"]");
	CHECK_STR(group.name, "Rules");
	CHECK_STR(group.description, "desc");
	store_receiver_finish(&group);
	store_receiver_finish(&group); /* twice is harmless */

	struct store_receiver *list = NULL;
	size_t count = 0;
	int64_t total = 0;
	struct store_receiver_filter filter = {.keyword = "rul"};
	CHECK_INT(store_receiver_list(store, a1, &filter, 0, 10, &list, &count, &total), STORE_OK);
	CHECK_INT(total, 1);
	CHECK_INT(count, 1);
	store_receiver_list_free(list, count);
	filter = (struct store_receiver_filter){.status = STORE_RECEIVER_UPLOADED};
	CHECK_INT(store_receiver_list(store, a1, &filter, 0, 10, &list, &count, &total), STORE_OK);
	CHECK_INT(total, 0);
	store_receiver_list_free(list, count);

	struct store_member_filter members = {.email = "Y@EX", .created_from = NOW + 100, .created_to = NOW + 100};
	int64_t valid = 0, invalid = 0;
	CHECK_INT(store_receiver_members_count(store, a1, g, &members, &total, &valid, &invalid), STORE_OK);
	CHECK_INT(total, 1);
	CHECK_INT(valid, 1);
	CHECK_INT(invalid, 0);
	members.created_to = NOW + 99;
	CHECK_INT(store_receiver_members_count(store, a1, g, &members, &total, &valid, &invalid), STORE_OK);
	CHECK_INT(total, 0);
	members = (struct store_member_filter){.created_from = INT64_MIN, .created_to = INT64_MAX, .status = 2};
	CHECK_INT(store_receiver_members_count(store, a1, g, &members, &total, &valid, &invalid), STORE_OK);
	CHECK_INT(total, 0);
	store_commit(store);
	store_destroy(store);
}

int main(void)
{
	test_chunks_and_visibility();
	test_order_and_paging();
	test_delete_while_uploading();
	test_storage_rules();
	return unit_finish("upload");
}
