/*
 * The control plane: JSON routes under /_emulator/.
 *
 * Owns: health now; inspection, clock, faults and the web page in later
 * issues. Never: calls API handlers; it reads and writes through storage.
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

static void json_answer(struct http_response *resp, unsigned status, cJSON *body)
{
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = body ? cJSON_PrintUnformatted(body) : NULL;
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	cJSON_Delete(body);
}

static void error_answer(struct http_response *resp, unsigned status, const char *message)
{
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "error", message);
	json_answer(resp, status, body);
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
	json_answer(resp, 200, body);
}

void control_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	const char *path = http_request_path(http);
	const char *method = http_request_method(http);
	if (strcmp(path, "/_emulator/health") == 0) {
		if (strcmp(method, "GET") != 0)
			return error_answer(resp, 405, "use GET for /_emulator/health");
		return health(env, resp);
	}
	error_answer(resp, 404, "no such route under /_emulator/");
}
