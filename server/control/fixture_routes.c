/*
 * POST /_emulator/reset and GET/POST /_emulator/fixtures: put the whole
 * emulator back to a fixture, export its state as one, or load another.
 *
 * Owns: what a reset puts back besides the store (fault rules cleared, the
 * business clock back to real time, the scheduler told), and the request
 * rules of the three routes. The store part, in one transaction, is
 * fixtures_reset() / fixtures_load(); the export is fixtures_export_build().
 * Never: leaves the store half replaced: a fixture that does not load
 * changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../clock.h"
#include "../faults.h"
#include "../fixtures.h"
#include "../fixtures_export.h"
#include "../http.h"
#include "../mail/scheduler.h"
#include "control.h"
#include "routes.h"

/* The name a posted fixture has in error messages ("fixture body: $.accounts[0]...: ..."). */
#define FIXTURE_BODY_NAME "body"

/*
 * The business clock back to real time before the store is filled (so rows
 * get real times); returns the offset it had, for restore_clock() when the
 * store could not be replaced.
 */
static int64_t reset_clock(void)
{
	int64_t offset = clock_offset();
	clock_set(clock_real_now());
	return offset;
}

static void restore_clock(int64_t offset)
{
	clock_set(clock_real_now() + offset);
}

/* After the store was replaced: the rest of the process state, and the scheduler. */
static void reset_process(void)
{
	faults_clear();
	scheduler_notify(); /* tasks and uploads may be gone, or due by real time */
}

static void reply_replaced(struct http_response *resp, const char *flag, enum fixtures_status status, int64_t accounts,
			   const char *err)
{
	if (status == FIXTURES_INVALID)
		return control_reply_error(resp, 400, err);
	if (status != FIXTURES_OK)
		return control_reply_error(resp, 500, err);
	cJSON *body = cJSON_CreateObject();
	if (body && (!cJSON_AddBoolToObject(body, flag, true) ||
		     !cJSON_AddNumberToObject(body, "accounts", (double)accounts))) {
		cJSON_Delete(body);
		body = NULL;
	}
	control_reply_json(resp, 200, body);
}

/* Reset takes no body (or an empty object): a fixture posted here by mistake must not pass silently. */
static bool empty_body(const struct http_request *http)
{
	size_t len = 0;
	const char *text = http_request_body(http, &len);
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i == len)
		return !http_request_too_large(http);
	cJSON *body = cJSON_ParseWithLength(text, len);
	bool empty = cJSON_IsObject(body) && !body->child;
	cJSON_Delete(body);
	return empty;
}

void control_reset_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	if (strcmp(http_request_method(http), "POST") != 0)
		return control_reply_error(resp, 405, "use POST for /_emulator/reset");
	if (!empty_body(http))
		return control_reply_error(resp, 400,
					   "reset takes no body (or {}); to load a fixture, POST it to "
					   "/_emulator/fixtures");
	if (!env->fixtures)
		return control_reply_error(resp, 503, "this emulator keeps no fixture to reset to");
	char err[512] = "";
	int64_t accounts = 0;
	int64_t offset = reset_clock();
	enum fixtures_status status =
		fixtures_reset(env->store, env->config, env->fixtures, &accounts, err, sizeof(err));
	if (status == FIXTURES_OK)
		reset_process();
	else
		restore_clock(offset);
	reply_replaced(resp, "reset", status, accounts, err);
}

/* ?app_id=N: 0 when absent; false with the 400 answer given. */
static bool read_app_id(const char *query, uint64_t *app_id, struct http_response *resp)
{
	static const char *const known[] = {"app_id", NULL};
	char name[64], text[32], message[160];
	*app_id = 0;
	if (control_query_unknown(query, known, name, sizeof(name))) {
		snprintf(message, sizeof(message), "unknown query parameter \"%s\"; use app_id", name);
		control_reply_error(resp, 400, message);
		return false;
	}
	if (!control_query_get(query, "app_id", text, sizeof(text), NULL))
		return true;
	char *end = NULL;
	unsigned long long v = text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
	if (!end || *end || v < 1 || v > 9007199254740991ULL) {
		control_reply_error(resp, 400, "\"app_id\" must be a whole number from 1");
		return false;
	}
	*app_id = (uint64_t)v;
	return true;
}

static void export_fixture(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	uint64_t app_id;
	if (!read_app_id(http_request_query(http), &app_id, resp))
		return;
	if (store_begin(env->store, false) != STORE_OK)
		return control_reply_error(resp, 500, "the store is not available");
	enum store_status status = STORE_OK;
	cJSON *doc = fixtures_export_build(env->store, app_id, &status);
	store_rollback(env->store); /* read only */
	if (status == STORE_NOT_FOUND) {
		char message[96];
		snprintf(message, sizeof(message), "no account has app_id %llu", (unsigned long long)app_id);
		return control_reply_error(resp, 404, message);
	}
	if (!doc)
		return control_reply_error(resp, 500, "cannot read the store");
	control_reply_json(resp, 200, doc);
}

static void load_fixture(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	if (http_request_too_large(http))
		return control_reply_error(resp, 413, "the fixture is larger than the 8 MiB a request body may have");
	size_t len = 0;
	const char *text = http_request_body(http, &len);
	if (!text || !len)
		return control_reply_error(resp, 400, "the body must be a fixture: {\"accounts\": [...]}");
	if (!env->fixtures)
		return control_reply_error(resp, 503, "this emulator keeps no fixture to reset to");
	char err[512] = "";
	int64_t accounts = 0;
	int64_t offset = reset_clock();
	enum fixtures_status status = fixtures_load(env->store, env->config, env->fixtures, text, len,
						    FIXTURE_BODY_NAME, &accounts, err, sizeof(err));
	if (status == FIXTURES_OK)
		reset_process();
	else
		restore_clock(offset);
	reply_replaced(resp, "loaded", status, accounts, err);
}

void control_fixtures_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	const char *method = http_request_method(http);
	if (strcmp(method, "GET") == 0)
		return export_fixture(env, http, resp);
	if (strcmp(method, "POST") == 0)
		return load_fixture(env, http, resp);
	control_reply_error(resp, 405, "use GET or POST for /_emulator/fixtures");
}
