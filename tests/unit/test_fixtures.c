/*
 * Focus: replacing the store's content by a fixture and exporting it back
 * (server/fixtures.c, server/fixtures_export.c) and the storage calls they
 * and the review route use: store_wipe (every row gone, ids from 1 again),
 * explicit template and group ids, store_template_review,
 * store_sender_set_status. A fixture that does not load leaves the store and
 * the reset target unchanged; export → load → export gives the same text.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fixtures.h"
#include "fixtures_export.h"
#include "store.h"
#include "store_account.h"
#include "store_receiver.h"
#include "store_sender.h"
#include "store_template.h"
#include "unit.h"

#define NOW 1700000000

static const char two_accounts[] =
	"{\"accounts\":[{\"app_id\":11,\"uin\":\"1\",\"credentials\":[{\"secret_id\":\"AKIDA\",\"secret_key\":\"a\"}],"
	"\"identities\":[{\"domain\":\"a.example\"},{\"domain\":\"f.example\",\"status\":\"failed\"},"
	"{\"domain\":\"w.example\",\"verified\":false,\"dkim_option\":2,\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}],"
	"\"senders\":[{\"address\":\"x@a.example\",\"name\":\"X\"},{\"address\":\"y@a.example\",\"status\":"
	"\"rejected\"}],"
	"\"templates\":[{\"id\":7,\"name\":\"t7\",\"text\":\"T {{v}}\"},{\"name\":\"t8\",\"html\":\"<p>h</p>\","
	"\"status\":\"rejected\",\"review_reason\":\"why\"}],"
	"\"receivers\":[{\"id\":4,\"name\":\"g\",\"description\":\"d\",\"members\":[{\"email\":\"m@b.example\","
	"\"data\":{\"k\":\"v\"}}]},{\"name\":\"empty\"}]},"
	"{\"app_id\":22,\"uin\":\"2\",\"suspended\":true,\"daily_quota\":3,\"credentials\":[{\"secret_id\":\"AKIDB\","
	"\"secret_key\":\"b\",\"allow\":[\"List*\",\"GetEmailTemplate\"]}]}]}";

static struct store *open_memory(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		fprintf(stderr, "  %s\n", err);
	return store;
}

/* A source holding `text` (NULL: none), as main() would have read it. */
static void source_with(struct fixtures_source *source, const char *text)
{
	*source = (struct fixtures_source){0};
	pthread_mutex_init(&source->lock, NULL);
	source->text = text ? strdup(text) : NULL;
	snprintf(source->name, sizeof(source->name), "test");
}

/* The export of `store` as compact JSON (caller frees); NULL on failure. */
static char *export_text(struct store *store, uint64_t app_id)
{
	enum store_status status = STORE_OK;
	CHECK_INT(store_begin(store, false), STORE_OK);
	cJSON *doc = fixtures_export_build(store, app_id, &status);
	store_rollback(store);
	CHECK_INT(status, STORE_OK);
	char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	return text;
}

static int64_t account_count(struct store *store)
{
	int64_t count = -1;
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_account_count(store, &count), STORE_OK);
	store_rollback(store);
	return count;
}

static void test_source_init(void)
{
	struct config config = {0};
	struct fixtures_source source;
	char err[256] = "";
	CHECK(fixtures_source_init(&source, &config, err, sizeof(err)));
	CHECK(source.text && strstr(source.text, "AKIDLOCALSESEMULATOR"));
	CHECK_STR(source.name, "fixtures/default.json (built in)");
	fixtures_source_finish(&source);

	snprintf(config.fixtures_path, sizeof(config.fixtures_path), "none");
	CHECK(fixtures_source_init(&source, &config, err, sizeof(err)));
	CHECK(source.text == NULL);
	fixtures_source_finish(&source);

	snprintf(config.fixtures_path, sizeof(config.fixtures_path), "/nonexistent/fixture.json");
	CHECK(!fixtures_source_init(&source, &config, err, sizeof(err)));
	CHECK(strstr(err, "/nonexistent/fixture.json") != NULL);
	fixtures_source_finish(&source);
	fixtures_source_finish(NULL);
}

static void test_reset_restarts_ids(void)
{
	struct config config = {0};
	struct store *store = open_memory();
	if (!store)
		return;
	struct fixtures_source source;
	source_with(&source, two_accounts);
	char err[256] = "";
	CHECK(fixtures_seed(store, &config, &source, err, sizeof(err)));
	char *before = export_text(store, 0);

	/* a new template and group take the next ids */
	struct store_account first = {0};
	int64_t id = 0;
	struct store_template row = {.name = "new", .text = "n", .status = STORE_TEMPLATE_APPROVED};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_first(store, &first), STORE_OK);
	CHECK_INT(store_template_create(store, first.id, &row, NOW, &id), STORE_OK);
	CHECK_INT(id, 9);
	CHECK_INT(store_template_create(store, first.id, &row, NOW, &id), STORE_OK);
	CHECK_INT(id, 10);
	CHECK_INT(store_commit(store), STORE_OK);

	int64_t accounts = 0;
	CHECK_INT(fixtures_reset(store, &config, &source, &accounts, err, sizeof(err)), FIXTURES_OK);
	CHECK_INT(accounts, 2);
	char *after = export_text(store, 0);
	CHECK_STR(after, before);

	/* the counters restarted: the highest loaded id is 8 again */
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_first(store, &first), STORE_OK);
	CHECK_INT(first.id, 1);
	CHECK_INT(store_template_create(store, first.id, &row, NOW, &id), STORE_OK);
	CHECK_INT(id, 9);
	CHECK_INT(store_commit(store), STORE_OK);

	free(before);
	free(after);
	fixtures_source_finish(&source);
	store_destroy(store);
}

static void test_invalid_load_changes_nothing(void)
{
	struct config config = {0};
	struct store *store = open_memory();
	if (!store)
		return;
	struct fixtures_source source;
	source_with(&source, two_accounts);
	char err[256] = "";
	CHECK(fixtures_seed(store, &config, &source, err, sizeof(err)));
	char *before = export_text(store, 0);
	static const char bad[] = "{\"accounts\":[{\"app_id\":5,\"uin\":\"5\",\"credentials\":[{\"secret_id\":\"S\","
				  "\"secret_key\":\"k\"}],\"templates\":[{\"id\":1,\"name\":\"a\",\"text\":\"x\"},"
				  "{\"id\":1,\"name\":\"b\",\"text\":\"x\"}]}]}";
	int64_t accounts = -1;
	CHECK_INT(fixtures_load(store, &config, &source, bad, strlen(bad), "body", &accounts, err, sizeof(err)),
		  FIXTURES_INVALID);
	CHECK_STR(err, "fixture body: $.accounts[0].templates[1]: template id 1 is used twice");
	char *after = export_text(store, 0);
	CHECK_STR(after, before);
	CHECK_STR(source.text, two_accounts);
	CHECK_STR(source.name, "test");

	/* a NUL byte inside the body is not JSON */
	static const char nul[] = "{\"accounts\":[]}\0{}";
	CHECK_INT(fixtures_load(store, &config, &source, nul, sizeof(nul) - 1, "body", &accounts, err, sizeof(err)),
		  FIXTURES_INVALID);
	CHECK_INT(account_count(store), 2);
	free(before);
	free(after);
	fixtures_source_finish(&source);
	store_destroy(store);
}

static void test_load_becomes_reset_target(void)
{
	struct config config = {0};
	struct store *store = open_memory();
	if (!store)
		return;
	struct fixtures_source source;
	source_with(&source, NULL);
	char err[256] = "";
	int64_t accounts = -1;
	CHECK(fixtures_seed(store, &config, &source, err, sizeof(err)));
	CHECK_INT(account_count(store), 0);
	CHECK_INT(fixtures_reset(store, &config, &source, &accounts, err, sizeof(err)), FIXTURES_OK);
	CHECK_INT(accounts, 0);
	CHECK_INT(fixtures_load(store, &config, &source, two_accounts, strlen(two_accounts), "body", &accounts, err,
				sizeof(err)),
		  FIXTURES_OK);
	CHECK_INT(accounts, 2);
	CHECK_STR(source.text, two_accounts);
	CHECK_STR(source.name, "body");
	CHECK_INT(fixtures_reset(store, &config, &source, &accounts, err, sizeof(err)), FIXTURES_OK);
	CHECK_INT(accounts, 2);
	fixtures_source_finish(&source);
	store_destroy(store);
}

static void test_export_round_trip(void)
{
	struct config config = {0};
	struct store *one = open_memory(), *two = open_memory();
	if (!one || !two)
		return;
	struct fixtures_source source;
	source_with(&source, two_accounts);
	char err[256] = "";
	int64_t accounts = 0;
	CHECK(fixtures_seed(one, &config, &source, err, sizeof(err)));
	char *first = export_text(one, 0);
	CHECK(first != NULL);
	if (first) {
		CHECK(strstr(first, "\"status\":\"failed\"") != NULL);
		CHECK(strstr(first, "\"dkim_option\":2,\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]") != NULL);
		CHECK(strstr(first, "{\"id\":7,\"name\":\"t7\",\"text\":\"T {{v}}\",\"status\":\"approved\"}") != NULL);
		CHECK(strstr(first, "\"id\":8,\"name\":\"t8\",\"html\":\"<p>h</p>\",\"status\":\"rejected\","
				    "\"review_reason\":\"why\"") != NULL);
		CHECK(strstr(first, "{\"id\":4,\"name\":\"g\",\"description\":\"d\",\"members\":[{\"email\":"
				    "\"m@b.example\",\"data\":{\"k\":\"v\"}}]},{\"id\":5,\"name\":\"empty\","
				    "\"members\":[]}") != NULL);
		CHECK(strstr(first, "\"allow\":[\"List*\",\"GetEmailTemplate\"]") != NULL);
		CHECK_INT(fixtures_load(two, &config, &source, first, strlen(first), "export", &accounts, err,
					sizeof(err)),
			  FIXTURES_OK);
		char *second = export_text(two, 0);
		CHECK_STR(second, first);
		free(second);
	}
	char *only = export_text(one, 22);
	CHECK(only && strncmp(only, "{\"accounts\":[{\"app_id\":22,", 26) == 0 && !strstr(only, "\"app_id\":11"));
	enum store_status status = STORE_OK;
	CHECK_INT(store_begin(one, false), STORE_OK);
	CHECK(fixtures_export_build(one, 33, &status) == NULL);
	CHECK_INT(status, STORE_NOT_FOUND);
	store_rollback(one);
	free(only);
	free(first);
	fixtures_source_finish(&source);
	store_destroy(one);
	store_destroy(two);
}

/* The review calls: found, not found, deleted, another account's. */
static void test_review_calls(void)
{
	struct config config = {0};
	struct store *store = open_memory();
	if (!store)
		return;
	struct fixtures_source source;
	source_with(&source, two_accounts);
	char err[256] = "";
	CHECK(fixtures_seed(store, &config, &source, err, sizeof(err)));
	struct store_account a = {0}, b = {0};
	struct store_template t = {0};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_by_app_id(store, 11, &a), STORE_OK);
	CHECK_INT(store_account_by_app_id(store, 22, &b), STORE_OK);
	CHECK_INT(store_account_by_app_id(store, 33, &b), STORE_NOT_FOUND);
	CHECK_INT(store_template_review(store, a.id, 7, STORE_TEMPLATE_REJECTED, "bad", NOW), STORE_OK);
	CHECK_INT(store_template_get(store, a.id, 7, &t), STORE_OK);
	CHECK_INT(t.status, STORE_TEMPLATE_REJECTED);
	CHECK_STR(t.review_reason, "bad");
	store_template_finish(&t);
	CHECK_INT(store_template_review(store, b.id, 7, STORE_TEMPLATE_APPROVED, NULL, NOW), STORE_NOT_FOUND);
	CHECK_INT(store_template_delete(store, a.id, 7, NOW), STORE_OK);
	CHECK_INT(store_template_review(store, a.id, 7, STORE_TEMPLATE_APPROVED, NULL, NOW), STORE_NOT_FOUND);
	CHECK_INT(store_sender_set_status(store, a.id, "Y@A.example", STORE_SENDER_APPROVED), STORE_OK);
	CHECK_INT(store_sender_set_status(store, a.id, "z@a.example", STORE_SENDER_APPROVED), STORE_NOT_FOUND);
	CHECK_INT(store_sender_set_status(store, b.id, "y@a.example", STORE_SENDER_APPROVED), STORE_NOT_FOUND);
	CHECK_INT(store_receiver_create_with_id(store, b.id, 4, "other", "", NOW), STORE_EXISTS);
	CHECK_INT(store_receiver_create_with_id(store, b.id, 40, "other", "", NOW), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	fixtures_source_finish(&source);
	store_destroy(store);
}

int main(void)
{
	test_source_init();
	test_reset_restarts_ids();
	test_invalid_load_changes_nothing();
	test_load_becomes_reset_target();
	test_export_round_trip();
	test_review_calls();
	return unit_finish("fixtures");
}
