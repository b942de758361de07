/*
 * Focus: the request decoder. An HTTP request (fuzz.h's text form) goes
 * through protocol_request_init() (TC3 headers, v1 pairs, query strings,
 * form bodies, JSON bodies), then protocol_request_params() with the real
 * schema of the action it names (an unknown action picks one of the table
 * by a hash of its name, so every schema gets fuzzed), then
 * validate_params(). Invariants checked: a failure always names a
 * documented code; parameters are always a JSON object.
 */
#include <assert.h>
#include <string.h>

#include "../../server/api/protocol.h"
#include "../../server/api/validate.h"
#include "../../server/http.h"
#include "fuzz.h"

static const struct api_action *pick_action(const char *name)
{
	const struct api_action *action = name ? api_action_lookup(name) : NULL;
	if (action)
		return action;
	unsigned hash = 5381;
	for (const char *p = name ? name : ""; *p; p++)
		hash = hash * 33 + (unsigned char)*p;
	return &api_actions[hash % API_ACTION_COUNT];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_http h;
	if (!fuzz_http_init(&h, data, size))
		return 0;
	struct http_request *http =
		http_request_create_detached(h.method, h.path, h.query, h.headers, h.body, h.body_len);
	if (!http) {
		fuzz_http_finish(&h);
		return 0;
	}
	struct api_request req;
	struct protocol_error error = {0};
	if (protocol_request_init(&req, http, &error)) {
		const struct api_action *action = pick_action(req.action);
		cJSON *params = protocol_request_params(&req, action->input, &error);
		if (params) {
			assert(cJSON_IsObject(params));
			char path[256];
			enum api_error_code code = validate_params(params, action->input, path, sizeof(path));
			assert(code < ERR_COUNT);
			cJSON_Delete(params);
		} else {
			assert(error.code != ERR_NONE && error.code < ERR_COUNT);
		}
	} else {
		assert(error.code != ERR_NONE && error.code < ERR_COUNT);
	}
	protocol_request_finish(&req);
	http_request_destroy_detached(http);
	fuzz_http_finish(&h);
	return 0;
}
