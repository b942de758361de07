/*
 * The emulator's own routes under /_emulator/ (never the Tencent API).
 */
#ifndef SERVER_CONTROL_CONTROL_H
#define SERVER_CONTROL_CONTROL_H

struct config;
struct metrics;
struct fixtures_source;
struct store;
struct http_request;
struct http_response;

struct control_env {
	const struct config *config;
	struct store *store;
	long long started; /* UNIX seconds when serving began */
	/* request and relay counters; NULL: /_emulator/metrics answers 404 */
	struct metrics *metrics;
	/* the fixture /_emulator/reset returns to (owned by main; NULL: reset and
	 * fixture loading answer 503) */
	struct fixtures_source *fixtures;
	/*
	 * Called (when not NULL) right after the control plane moved the
	 * emulator's clock, with `on_clock_change_cls`, so that work that became
	 * due (scheduled tasks) runs at once. Runs on an HTTP worker thread.
	 */
	void (*on_clock_change)(void *cls);
	void *on_clock_change_cls;
};

/* Answer a request whose path starts with /_emulator/. */
void control_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp);

#endif
