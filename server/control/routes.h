/*
 * Shared by the files of the control plane only: the answer helpers and
 * one entry point per route family. control.c routes to them.
 */
#ifndef SERVER_CONTROL_ROUTES_H
#define SERVER_CONTROL_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct control_env;
struct http_request;
struct http_response;

/*
 * Answer `status` with `body` serialised as JSON; takes `body` (freed here).
 * A NULL body (out of memory while building it) answers 500.
 */
void control_reply_json(struct http_response *resp, unsigned status, cJSON *body);
/* Answer `status` with {"error": message}. */
void control_reply_error(struct http_response *resp, unsigned status, const char *message);

/*
 * The value of query parameter `name` in the raw query string `query`,
 * percent-decoded ('+' is a space) into out (NUL-terminated). False when
 * absent; "too long" values (size or more bytes) are cut and flagged by
 * *truncated (may be NULL).
 */
bool control_query_get(const char *query, const char *name, char *out, size_t size, bool *truncated);
/* The first query parameter whose name is not in the NULL-terminated `known`, copied into out; false when none. */
bool control_query_unknown(const char *query, const char *const *known, char *out, size_t size);

/* GET and POST /_emulator/clock. */
void control_clock_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp);
/* /_emulator/messages and below; `rest` is the path after "/_emulator/messages". */
void control_messages_handle(const struct control_env *env, const struct http_request *http, const char *rest,
			     struct http_response *resp);

/* GET and POST /_emulator/unsubscribe/{MessageId}; `rest` is the path after "/_emulator/unsubscribe". */
void control_unsubscribe_handle(const struct control_env *env, const struct http_request *http, const char *rest,
				struct http_response *resp);
/* POST /_emulator/complaints. */
void control_complaints_handle(const struct control_env *env, const struct http_request *http,
			       struct http_response *resp);

/* GET /_emulator/metrics. */
void control_metrics_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp);

/* POST /_emulator/reset (fixture_routes.c). */
void control_reset_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp);
/* GET and POST /_emulator/fixtures (fixture_routes.c). */
void control_fixtures_handle(const struct control_env *env, const struct http_request *http,
			     struct http_response *resp);
/* POST /_emulator/review (review.c). */
void control_review_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp);

/*
 * GET /_emulator/messages/{id}/html and /attachments/{n} (message_parts.c);
 * `part` is the path after the id ("/html", "/attachments/3").
 */
void control_message_part_handle(const struct control_env *env, const char *id, const char *part,
				 struct http_response *resp);
/* GET /_emulator/state (state.c). */
void control_state_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp);
/* GET /_emulator/ui and its files (ui.c); `rest` is the path after "/_emulator/ui". */
void control_ui_handle(const struct http_request *http, const char *rest, struct http_response *resp);

/* GET, POST and DELETE /_emulator/faults. */
void control_faults_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp);

#endif
