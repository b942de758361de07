/*
 * The control plane: JSON routes under /_emulator/.
 *
 * Owns: routing by path (this file), health, the answer helpers and query
 * parsing shared by the route files: clock_route.c (the business clock),
 * messages.c (stored mail), fault_routes.c (fault rules), feedback.c
 * (unsubscribe links, complaints), state.c (one account's resources, for
 * the page), message_parts.c (a message's HTML and attachments), ui.c (the
 * web page).
 * Never: calls API handlers; it reads and writes through storage. Bad input
 * is a 4xx answer {"error": "..."} (the unsubscribe page answers HTML),
 * never a crash.
 */
#include "control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../clock.h"
#include "../config.h"
#include "../http.h"
#include "../version.h"
#include "routes.h"

#define MESSAGES_PREFIX "/_emulator/messages"
#define UI_PREFIX "/_emulator/ui"
#define UNSUBSCRIBE_PREFIX "/_emulator/unsubscribe"

void control_reply_json(struct http_response *resp, unsigned status, cJSON *body)
{
	static const char fallback[] = "{\"error\":\"out of memory\"}";
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = body ? cJSON_PrintUnformatted(body) : NULL;
	cJSON_Delete(body);
	if (!resp->body) {
		resp->status = 500;
		resp->body = strdup(fallback);
	}
	resp->body_len = resp->body ? strlen(resp->body) : 0;
}

void control_reply_error(struct http_response *resp, unsigned status, const char *message)
{
	cJSON *body = cJSON_CreateObject();
	if (body && !cJSON_AddStringToObject(body, "error", message)) {
		cJSON_Delete(body);
		body = NULL;
	}
	control_reply_json(resp, status, body);
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode `len` bytes ('+' is a space) into out (size > 0, NUL-terminated); false when cut short. */
static bool url_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%' && i + 2 < len && hex_digit((unsigned char)s[i + 1]) >= 0 &&
			   hex_digit((unsigned char)s[i + 2]) >= 0) {
			c = (char)(hex_digit((unsigned char)s[i + 1]) * 16 + hex_digit((unsigned char)s[i + 2]));
			i += 2;
		}
		if (n + 1 >= size) {
			out[n] = '\0';
			return false;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

/* The next "name=value" pair of a query string at *at; false at its end. */
static bool next_pair(const char **at, const char **name, size_t *name_len, const char **value, size_t *value_len)
{
	const char *p = *at;
	while (*p == '&')
		p++;
	if (!*p)
		return false;
	const char *end = strchr(p, '&');
	if (!end)
		end = p + strlen(p);
	const char *eq = memchr(p, '=', (size_t)(end - p));
	*name = p;
	*name_len = (size_t)((eq ? eq : end) - p);
	*value = eq ? eq + 1 : end;
	*value_len = (size_t)(end - *value);
	*at = end;
	return true;
}

bool control_query_get(const char *query, const char *name, char *out, size_t size, bool *truncated)
{
	const char *at = query, *key, *value;
	size_t key_len, value_len;
	char decoded[128];
	while (next_pair(&at, &key, &key_len, &value, &value_len)) {
		if (!url_decode(key, key_len, decoded, sizeof(decoded)) || strcmp(decoded, name) != 0)
			continue;
		bool whole = url_decode(value, value_len, out, size);
		if (truncated)
			*truncated = !whole;
		return true;
	}
	return false;
}

bool control_query_unknown(const char *query, const char *const *known, char *out, size_t size)
{
	const char *at = query, *key, *value;
	size_t key_len, value_len;
	while (next_pair(&at, &key, &key_len, &value, &value_len)) {
		url_decode(key, key_len, out, size);
		bool found = false;
		for (const char *const *k = known; *k && !found; k++)
			found = strcmp(*k, out) == 0;
		if (!found)
			return true;
	}
	return false;
}

static void health(const struct control_env *env, struct http_response *resp)
{
	cJSON *body = cJSON_CreateObject();
	char now[32];
	clock_format_datetime(clock_now(), now, sizeof(now));
	cJSON_AddStringToObject(body, "status", "ok");
	cJSON_AddStringToObject(body, "version", SES_EMULATOR_VERSION);
	cJSON_AddStringToObject(body, "api_version", "2020-10-02");
	cJSON_AddStringToObject(body, "auth", config_auth_name(env->config->auth));
	cJSON_AddStringToObject(body, "review", config_review_name(env->config->review));
	cJSON_AddBoolToObject(body, "persistent", env->config->db_path[0] != '\0');
	cJSON_AddNumberToObject(body, "uptime_seconds", (double)(clock_real_now() - env->started));
	cJSON_AddStringToObject(body, "clock", now);
	control_reply_json(resp, 200, body);
}

void control_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	const char *path = http_request_path(http);
	const char *method = http_request_method(http);
	if (strcmp(path, "/_emulator/health") == 0) {
		if (strcmp(method, "GET") != 0)
			return control_reply_error(resp, 405, "use GET for /_emulator/health");
		return health(env, resp);
	}
	if (strcmp(path, "/_emulator/clock") == 0)
		return control_clock_handle(env, http, resp);
	if (strcmp(path, "/_emulator/faults") == 0)
		return control_faults_handle(env, http, resp);
	if (strcmp(path, "/_emulator/reset") == 0)
		return control_reset_handle(env, http, resp);
	if (strcmp(path, "/_emulator/fixtures") == 0)
		return control_fixtures_handle(env, http, resp);
	if (strcmp(path, "/_emulator/review") == 0)
		return control_review_handle(env, http, resp);
	if (strcmp(path, "/_emulator/metrics") == 0)
		return control_metrics_handle(env, http, resp);
	if (strcmp(path, "/_emulator/complaints") == 0)
		return control_complaints_handle(env, http, resp);
	if (strcmp(path, "/_emulator/state") == 0)
		return control_state_handle(env, http, resp);
	if (strncmp(path, UI_PREFIX, strlen(UI_PREFIX)) == 0 &&
	    (path[strlen(UI_PREFIX)] == '\0' || path[strlen(UI_PREFIX)] == '/'))
		return control_ui_handle(http, path + strlen(UI_PREFIX), resp);
	size_t prefix = strlen(MESSAGES_PREFIX);
	if (strncmp(path, MESSAGES_PREFIX, prefix) == 0 && (path[prefix] == '\0' || path[prefix] == '/'))
		return control_messages_handle(env, http, path + prefix, resp);
	prefix = strlen(UNSUBSCRIBE_PREFIX);
	if (strncmp(path, UNSUBSCRIBE_PREFIX, prefix) == 0 && (path[prefix] == '\0' || path[prefix] == '/'))
		return control_unsubscribe_handle(env, http, path + prefix, resp);
	control_reply_error(resp, 404, "no such route under /_emulator/");
}
