/*
 * The Tencent Cloud API road: protocol → auth → validate → handler →
 * envelope, in that fixed order, for every request that is not for
 * /_emulator/.
 */
#ifndef SERVER_API_DISPATCH_H
#define SERVER_API_DISPATCH_H

#include <stdbool.h>

struct config;
struct store;
struct http_request;
struct http_response;

struct dispatch_env {
	const struct config *config;
	struct store *store;
};

/* Whether the request carries an API marker (Authorization, X-TC-Action, Action). */
bool dispatch_is_api_call(const struct http_request *http);

/* Answer one API call into `resp` (always HTTP 200, application/json). */
void dispatch_api(const struct dispatch_env *env, const struct http_request *http, struct http_response *resp);

#endif
