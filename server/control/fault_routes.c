/*
 * /_emulator/faults: add (POST), list (GET) and clear (DELETE) fault rules.
 * The rules themselves live in server/faults.c, which the API road asks.
 */
#include <stdio.h>
#include <string.h>

#include "../api/api_gen.h"
#include "../faults.h"
#include "../http.h"
#include "control.h"
#include "routes.h"

static bool catalogue_code(const char *code)
{
	return api_error_lookup(code) != ERR_NONE;
}

/* One rule or a list of rules; all or none are added. */
static void add_rules(const struct http_request *http, struct http_response *resp)
{
	size_t len;
	const char *text = http_request_body(http, &len);
	cJSON *doc = len ? cJSON_ParseWithLength(text, len) : NULL;
	if (!doc || !(cJSON_IsObject(doc) || cJSON_IsArray(doc))) {
		cJSON_Delete(doc);
		return control_reply_error(resp, 400, "the body must be a JSON rule object or an array of rules");
	}
	cJSON *added = cJSON_CreateArray();
	char err[200], message[260];
	const cJSON *rule = cJSON_IsArray(doc) ? doc->child : doc;
	int index = 0;
	for (; rule; rule = cJSON_IsArray(doc) ? rule->next : NULL, index++) {
		cJSON *stored = NULL;
		if (!faults_add(rule, catalogue_code, &stored, err, sizeof(err))) {
			faults_clear_ids(added);
			cJSON_Delete(added);
			cJSON_Delete(doc);
			snprintf(message, sizeof(message), "rule %d: %s", index, err);
			return control_reply_error(resp, 400, message);
		}
		cJSON_AddItemToArray(added, stored);
	}
	cJSON_Delete(doc);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "rules", added);
	control_reply_json(resp, 201, body);
}

void control_faults_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	(void)env;
	const char *method = http_request_method(http);
	if (strcmp(method, "POST") == 0)
		return add_rules(http, resp);
	if (strcmp(method, "GET") == 0) {
		cJSON *body = cJSON_CreateObject();
		cJSON_AddItemToObject(body, "rules", faults_list());
		return control_reply_json(resp, 200, body);
	}
	if (strcmp(method, "DELETE") == 0) {
		cJSON *body = cJSON_CreateObject();
		cJSON_AddNumberToObject(body, "deleted", (double)faults_clear());
		return control_reply_json(resp, 200, body);
	}
	control_reply_error(resp, 405, "use GET, POST or DELETE for /_emulator/faults");
}
