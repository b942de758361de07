/*
 * The wire protocols of Tencent Cloud API 3.0 → one api_request.
 *
 * TC3 (signature v3): common parameters in X-TC-* headers, action
 * parameters in a JSON body (POST) or a flattened query string (GET).
 * v1 (HmacSHA1/HmacSHA256): everything in a flattened query string (GET)
 * or form body (POST). Flattened keys (`Destination.0`,
 * `Template.TemplateID`) are rebuilt into nested JSON by the action's schema,
 * and their string values converted to the schema's types, so validation
 * and handlers see one shape whatever the protocol.
 */
#ifndef SERVER_API_PROTOCOL_H
#define SERVER_API_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "api_gen.h"
#include "schema.h"

struct http_request;

enum protocol_style {
	PROTOCOL_TC3, /* Authorization / X-TC-Action headers */
	PROTOCOL_V1,  /* Action, SecretId, Signature ... parameters */
};

/* One decoded name=value pair of a query string or form body. */
struct protocol_pair {
	char *name;
	char *value;
};

struct protocol_pairs {
	struct protocol_pair *items;
	size_t count, cap;
};

struct api_request {
	enum protocol_style style;
	bool is_post;
	/* Common parameters; NULL when absent. They point into headers or pairs. */
	const char *action;
	const char *version;
	const char *region;
	const char *timestamp;
	const char *language;
	const char *token;
	/* v1 only */
	const char *secret_id;
	const char *signature;
	const char *signature_method;
	const char *nonce;

	/* every pair of the query string (GET) or form body (v1 POST), decoded */
	struct protocol_pairs pairs;
	/* the parsed JSON body of a TC3 POST, else NULL */
	cJSON *json;
};

/* The first error found while decoding. */
struct protocol_error {
	enum api_error_code code;
	char param[96];
};

/*
 * Decode the common parts of `http` into `req`. Returns false with `error`
 * set when the request cannot be an API call (method, size, body syntax).
 * `req` must be released with protocol_request_finish() either way.
 */
bool protocol_request_init(struct api_request *req, const struct http_request *http, struct protocol_error *error);
void protocol_request_finish(struct api_request *req);

/*
 * The action's parameters as one JSON object shaped by `schema`: the JSON
 * body as is (TC3 POST), or the pairs without the common parameters,
 * unflattened and typed. NULL with `error` set on an unknown name, a bad
 * index, a value of the wrong type, or no memory. Caller frees (cJSON_Delete).
 * A JSON body is handed over, not copied: call this once.
 */
cJSON *protocol_request_params(struct api_request *req, const struct schema_struct *schema,
			       struct protocol_error *error);

/*
 * Parse "a=1&b=%20x" into pairs ('+' is a space; %XX decoded). `len` bytes
 * of `text`. Returns false when out of memory, on a bad escape, on %00 (a
 * NUL would cut the value short) or when a decoded name or value is not
 * UTF-8.
 */
bool protocol_parse_pairs(const char *text, size_t len, struct protocol_pairs *pairs);
void protocol_pairs_finish(struct protocol_pairs *pairs);

/* Whether `name` is a common (not action) parameter of the v1 protocol. */
bool protocol_is_common(const char *name);

#endif
