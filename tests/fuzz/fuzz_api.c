/*
 * Focus: the whole API road, in process: an HTTP request (fuzz.h's text
 * form) goes through dispatch_api() (protocol, language, action, version,
 * region, credential, schema, handler, envelope) against an in-memory store
 * that is wiped and seeded with a small fixture before every input (up to
 * MAX_REQUESTS requests, separated by a line "~~~", run one after the
 * other on it, so that one can create what the next uses), with --auth off so that handlers are reached without a
 * signature (fuzz_auth covers signatures). No scheduler or network runs: batch tasks are only created, and FileURL
 * fetches are refused (no allowed host). FUZZ_DEBUG=1 in the environment prints each answer. Invariants: the answer is
 * HTTP 200, application/json, one object
 * {"Response": {...}} with a RequestId, and an Error (when present) with a
 * documented Code and a non-empty Message.
 */
#define _GNU_SOURCE /* memmem */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/api/api_gen.h"
#include "../../server/api/dispatch.h"
#include "../../server/config.h"
#include "../../server/fixtures.h"
#include "../../server/http.h"
#include "../../storage/store.h"
#include "fuzz.h"

/* The default fixture's account (template 1 "welcome" with {{name}}, the
 * sender noreply@example.com) plus a recipient group (ReceiverId 1) with
 * data, so that batch and receiver seeds reach their handlers. */
static const char fixture[] =
	"{\"accounts\":[{\"app_id\":1300000001,\"uin\":\"100000000001\",\"allow_simple\":true,"
	"\"credentials\":[{\"secret_id\":\"AKIDLOCALSESEMULATOR\",\"secret_key\":\"k\"}],"
	"\"identities\":[{\"domain\":\"example.com\",\"verified\":true}],"
	"\"senders\":[{\"address\":\"noreply@example.com\",\"name\":\"Example\"}],"
	"\"templates\":[{\"name\":\"welcome\",\"html\":\"<p>Hi {{name}}</p>\",\"text\":\"Hi {{name}}\","
	"\"status\":\"approved\"}],"
	"\"receivers\":[{\"name\":\"group\",\"members\":[{\"email\":\"a@example.net\",\"data\":{\"name\":\"A\"}},"
	"{\"email\":\"b@example.net\",\"data\":{\"name\":\"B\"}}]}]}]}";

/* Requests of one input are separated by this line. */
#define SEPARATOR "\n~~~\n"
#define MAX_REQUESTS 4

static struct store *store;
static struct config config;

static void reset_store(void)
{
	char err[512];
	if (!store) {
		if (store_open(&store, "", err, sizeof(err)) != STORE_OK) {
			fprintf(stderr, "fuzz_api: %s\n", err);
			abort();
		}
		config.auth = CONFIG_AUTH_OFF;
		config.review = CONFIG_REVIEW_AUTO;
		config.log_format = CONFIG_LOG_OFF;
		config.fetch_allow[0] = '\0';
	}
	if (store_begin(store, true) != STORE_OK || store_wipe(store) != STORE_OK ||
	    !fixtures_load_text(store, &config, fixture, "fuzz_api fixture", err, sizeof(err)) ||
	    store_commit(store) != STORE_OK) {
		fprintf(stderr, "fuzz_api: cannot seed the store: %s\n", err);
		abort();
	}
}

static void check_envelope(const struct http_response *resp)
{
	assert(resp->status == 200 && resp->body);
	assert(strcmp(resp->content_type, "application/json") == 0);
	cJSON *root = cJSON_ParseWithLength(resp->body, resp->body_len);
	assert(root && cJSON_IsObject(root) && cJSON_GetArraySize(root) == 1);
	const cJSON *response = cJSON_GetObjectItemCaseSensitive(root, "Response");
	assert(cJSON_IsObject(response));
	assert(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(response, "RequestId")));
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(response, "Error");
	if (error) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "Code");
		const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "Message");
		assert(cJSON_IsString(code) && api_error_lookup(code->valuestring) != ERR_NONE);
		assert(cJSON_IsString(message) && message->valuestring[0]);
	}
	cJSON_Delete(root);
}

static void run_one(const uint8_t *data, size_t size)
{
	struct fuzz_http h;
	if (!fuzz_http_init(&h, data, size))
		return;
	struct http_request *http =
		http_request_create_detached(h.method, h.path, h.query, h.headers, h.body, h.body_len);
	if (http) {
		struct dispatch_env env = {.config = &config, .store = store, .metrics = NULL};
		struct http_response resp = {0};
		dispatch_api(&env, http, &resp);
		if (getenv("FUZZ_DEBUG"))
			fprintf(stderr, "%.*s\n", (int)resp.body_len, resp.body ? resp.body : "");
		if (!resp.drop && resp.status < 500)
			check_envelope(&resp);
		free(resp.body);
		http_request_destroy_detached(http);
	}
	fuzz_http_finish(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reset_store();
	size_t sep_len = strlen(SEPARATOR);
	for (int i = 0; i < MAX_REQUESTS && size; i++) {
		const uint8_t *end = memmem(data, size, SEPARATOR, sep_len);
		size_t len = end && i < MAX_REQUESTS - 1 ? (size_t)(end - data) : size;
		run_one(data, len);
		if (len == size)
			break;
		data += len + sep_len;
		size -= len + sep_len;
	}
	return 0;
}
