/*
 * Counts for the metrics route, across every account: messages by status
 * and batch tasks by status. Read-only.
 */
#ifndef STORAGE_STORE_METRICS_H
#define STORAGE_STORE_METRICS_H

#include "store.h"

/* The number of message statuses store_metrics_messages() tells apart. */
#define STORE_METRICS_MESSAGE_RANKS 6

/*
 * Messages by the worst outcome among their recipients, ranked as the
 * control plane's message view ranks them (server/control/messages.c
 * outcome()): 0 delivered, 1 queued, 2 delayed, 3 dropped (or refused by
 * the service), 4 rejected, 5 bounced (store_delivery_rank). counts[rank]
 * gets the number of messages; unchanged on failure. Reads the counters the
 * scheduler keeps (store_stats_catch_up) and the messages not counted yet.
 */
enum store_status store_metrics_messages(struct store *store, int64_t counts[STORE_METRICS_MESSAGE_RANKS]);

/*
 * Tasks with each of the `n` statuses in `statuses` (the API's TaskStatus
 * numbers) into counts[i]; unchanged on failure.
 */
enum store_status store_metrics_tasks(struct store *store, const int *statuses, int64_t *counts, size_t n);

#endif
