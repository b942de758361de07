/*
 * GET /_emulator/metrics: the Prometheus text exposition (format 0.0.4).
 *
 * Owns: reading the store's counts (messages and tasks by status) at
 * scrape time and answering them with the in-memory counters
 * (server/metrics.c).
 * Never: changes anything; holds the store only while counting.
 */
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_metrics.h"
#include "../clock.h"
#include "../http.h"
#include "../metrics.h"
#include "control.h"
#include "routes.h"

_Static_assert(STORE_METRICS_MESSAGE_RANKS == METRICS_MESSAGE_STATUS_COUNT,
	       "the store ranks messages as the metrics name them");

static bool read_counts(struct store *store, struct metrics_store_counts *counts)
{
	if (store_begin(store, false) != STORE_OK)
		return false;
	bool ok =
		store_metrics_messages(store, counts->messages) == STORE_OK &&
		store_metrics_tasks(store, metrics_task_statuses, counts->tasks, METRICS_TASK_STATUS_COUNT) == STORE_OK;
	store_rollback(store);
	return ok;
}

void control_metrics_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	if (strcmp(http_request_method(http), "GET") != 0)
		return control_reply_error(resp, 405, "use GET for /_emulator/metrics");
	if (http_request_query(http)[0])
		return control_reply_error(resp, 400, "/_emulator/metrics takes no query parameters");
	if (!env->metrics)
		return control_reply_error(resp, 404, "metrics are not collected");
	struct metrics_store_counts counts = {0};
	if (!read_counts(env->store, &counts))
		return control_reply_error(resp, 500, "the store failed");
	size_t len = 0;
	char *text = metrics_render(env->metrics, &counts, (double)(clock_real_now() - env->started), &len);
	if (!text)
		return control_reply_error(resp, 500, "out of memory");
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->body = text;
	resp->body_len = len;
}
