/*
 * GET and POST /_emulator/clock: read, set, advance or reset the emulator's
 * business clock (server/clock.h).
 *
 * Owns: the request body rules (exactly one of "now", "advance_seconds",
 * "reset"), the clock's allowed range (1970-01-01 00:00:00 UTC to
 * 9999-12-31 23:59:59 CST), and telling the scheduler through
 * env->on_clock_change after every move. Never: touches the store.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../clock.h"
#include "../http.h"
#include "control.h"
#include "routes.h"

/* 9999-12-31 23:59:59 China Standard Time. */
#define CLOCK_ROUTE_MAX 253402271999LL

static void reply_clock(struct http_response *resp)
{
	int64_t offset = clock_offset();
	int64_t now = clock_real_now() + offset;
	char text[32];
	clock_format_datetime(now, text, sizeof(text));
	cJSON *body = cJSON_CreateObject();
	if (body &&
	    (!cJSON_AddStringToObject(body, "now", text) || !cJSON_AddNumberToObject(body, "timestamp", (double)now) ||
	     !cJSON_AddNumberToObject(body, "offset_seconds", (double)offset))) {
		cJSON_Delete(body);
		body = NULL;
	}
	control_reply_json(resp, 200, body);
}

/* Apply one member of the body; false with the 400 answer given. */
static bool apply(const cJSON *item, struct http_response *resp)
{
	if (strcmp(item->string, "now") == 0) {
		int64_t when;
		if (!cJSON_IsString(item) || !clock_parse_datetime(item->valuestring, &when)) {
			control_reply_error(resp, 400,
					    "\"now\" must be a string \"YYYY-MM-DD HH:MM:SS\" (China Standard "
					    "Time) naming a real date and time");
			return false;
		}
		if (when < 0) {
			control_reply_error(resp, 400, "\"now\" must not be before 1970-01-01 08:00:00");
			return false;
		}
		clock_set(when);
		return true;
	}
	if (strcmp(item->string, "advance_seconds") == 0) {
		double v = cJSON_IsNumber(item) ? item->valuedouble : NAN;
		if (!isfinite(v) || floor(v) != v || fabs(v) > (double)CLOCK_ROUTE_MAX) {
			control_reply_error(resp, 400, "\"advance_seconds\" must be an integer number of seconds");
			return false;
		}
		int64_t target = clock_now() + (int64_t)v;
		if (target < 0 || target > CLOCK_ROUTE_MAX) {
			control_reply_error(resp, 400, "\"advance_seconds\" would move the clock outside 1970 to 9999");
			return false;
		}
		clock_advance((int64_t)v);
		return true;
	}
	if (!cJSON_IsTrue(item)) {
		control_reply_error(resp, 400, "\"reset\" must be true");
		return false;
	}
	clock_set(clock_real_now());
	return true;
}

/* The one member of a POST body; NULL with the 400 answer given. */
static const cJSON *body_member(const cJSON *body, struct http_response *resp)
{
	static const char usage[] = "the body must be a JSON object with exactly one of "
				    "{\"now\":\"YYYY-MM-DD HH:MM:SS\"}, {\"advance_seconds\":N}, {\"reset\":true}";
	if (!cJSON_IsObject(body) || cJSON_GetArraySize(body) != 1) {
		control_reply_error(resp, 400, usage);
		return NULL;
	}
	const cJSON *item = body->child;
	if (strcmp(item->string, "now") != 0 && strcmp(item->string, "advance_seconds") != 0 &&
	    strcmp(item->string, "reset") != 0) {
		char message[200];
		snprintf(message, sizeof(message), "unknown member \"%.60s\"; %s", item->string,
			 "use now, "
			 "advance_seconds or reset");
		control_reply_error(resp, 400, message);
		return NULL;
	}
	return item;
}

void control_clock_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	const char *method = http_request_method(http);
	if (strcmp(method, "GET") == 0)
		return reply_clock(resp);
	if (strcmp(method, "POST") != 0)
		return control_reply_error(resp, 405, "use GET or POST for /_emulator/clock");
	size_t len = 0;
	const char *text = http_request_body(http, &len);
	cJSON *body = text && len ? cJSON_ParseWithLength(text, len) : NULL;
	const cJSON *item = body_member(body, resp);
	bool moved = item && apply(item, resp);
	cJSON_Delete(body);
	if (!moved)
		return;
	if (env->on_clock_change)
		env->on_clock_change(env->on_clock_change_cls);
	reply_clock(resp);
}
