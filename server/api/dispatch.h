/*
 * The Tencent Cloud API road: protocol → auth → validate → handler →
 * envelope, in that fixed order, for every request that is not for
 * /_emulator/.
 */
#ifndef SERVER_API_DISPATCH_H
#define SERVER_API_DISPATCH_H

#include <stdbool.h>

struct config;
struct metrics;
struct request_log;
struct store;
struct http_request;
struct http_response;

struct dispatch_env {
	const struct config *config;
	struct store *store;
	struct metrics *metrics;         /* counts every answered call; may be NULL */
	struct request_log *request_log; /* a line per answered call; NULL: none (--log-format off) */
};

/* Whether the request carries an API marker (Authorization, X-TC-Action, Action). */
bool dispatch_is_api_call(const struct http_request *http);

/*
 * Answer one API call into `resp` (always HTTP 200, application/json, unless
 * a fault rule drops it or answers 5xx), count it in env->metrics and queue
 * its line in env->request_log.
 */
void dispatch_api(const struct dispatch_env *env, const struct http_request *http, struct http_response *resp);

#endif
