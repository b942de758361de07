/*
 * The emulator's counters for GET /_emulator/metrics: API requests by
 * action and result code, their latency, and the SMTP relay's outcomes, in
 * fixed tables of C11 atomics (no lock on the request path). The store's
 * own numbers (messages and tasks by status) are read by the control plane
 * at scrape time and handed to metrics_render().
 */
#ifndef SERVER_METRICS_H
#define SERVER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api_gen.h"

/* The action index of a request whose action is absent or unknown (label "-"). */
#define METRICS_ACTION_NONE ((unsigned)API_ACTION_COUNT)

/*
 * Result codes: an enum api_error_code (ERR_NONE is "OK"), or one of these
 * two for answers a fault rule made without an envelope.
 */
enum metrics_code {
	METRICS_CODE_HTTP_ERROR = ERR_COUNT, /* an injected HTTP 5xx: label "HTTP5xx" */
	METRICS_CODE_DROPPED,                /* an injected dropped connection: label "Dropped" */
	METRICS_CODE_COUNT
};

enum metrics_relay_outcome {
	METRICS_RELAY_SENT,   /* the relay accepted a message */
	METRICS_RELAY_FAILED, /* a message was given up after its last attempt */
	METRICS_RELAY_RETRY,  /* an attempt failed and another is scheduled */
	METRICS_RELAY_OUTCOME_COUNT
};

/*
 * Messages by status, in the ranks of the message view
 * (server/control/messages.c outcome(): a message's status is the worst
 * outcome among its recipients).
 */
enum metrics_message_status {
	METRICS_MESSAGE_DELIVERED,
	METRICS_MESSAGE_QUEUED,
	METRICS_MESSAGE_DELAYED,
	METRICS_MESSAGE_DROPPED,
	METRICS_MESSAGE_REJECTED,
	METRICS_MESSAGE_BOUNCED,
	METRICS_MESSAGE_STATUS_COUNT
};

/* Batch task statuses as the API numbers them: 1, 5, 6, 7, 10. */
#define METRICS_TASK_STATUS_COUNT 5
extern const int metrics_task_statuses[METRICS_TASK_STATUS_COUNT];

/* What the store holds, read at scrape time. */
struct metrics_store_counts {
	int64_t messages[METRICS_MESSAGE_STATUS_COUNT];
	int64_t tasks[METRICS_TASK_STATUS_COUNT]; /* in the order of metrics_task_statuses */
};

struct metrics;

/* A zeroed set of counters; NULL when out of memory. */
struct metrics *metrics_create(void);
/* Accepts NULL. */
void metrics_destroy(struct metrics *metrics);

/*
 * Count one answered API request: `action` an enum api_action_id or
 * METRICS_ACTION_NONE, `code` an enum api_error_code or enum metrics_code,
 * `elapsed_ns` from its arrival to its answer. Lock-free; safe from any
 * thread; does nothing when `metrics` is NULL or an index is out of range.
 */
void metrics_record_request(struct metrics *metrics, unsigned action, unsigned code, uint64_t elapsed_ns);
/* Count one relay outcome. Lock-free; NULL does nothing. */
void metrics_record_relay(struct metrics *metrics, enum metrics_relay_outcome outcome);

/* The label of result code `code` ("OK", an error code, "HTTP5xx", "Dropped"); "-" when out of range. */
const char *metrics_code_label(unsigned code);

/*
 * The Prometheus text exposition (format 0.0.4) of everything: request
 * counters and latency histograms (only series seen at least once), the
 * store's `counts` (omitted when NULL), relay outcomes, uptime and build
 * information. Returns a new NUL-terminated text and its length in *len
 * (caller frees); NULL when out of memory.
 */
char *metrics_render(const struct metrics *metrics, const struct metrics_store_counts *counts, double uptime_seconds,
		     size_t *len);

#endif
