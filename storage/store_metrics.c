/*
 * Counts for GET /_emulator/metrics. Owns no table; reads messages,
 * deliveries and tasks. Never writes.
 */
#include "store_metrics.h"

#include "store_internal.h"

enum store_status store_metrics_messages(struct store *store, int64_t counts[STORE_METRICS_MESSAGE_RANKS])
{
	/* the counters (migration 7), plus the messages not counted yet */
	static const char sql[] =
		"SELECT rank, sum(n) FROM (SELECT rank, count AS n FROM message_outcomes "
		"UNION ALL SELECT outcome, count(*) FROM messages "
		"WHERE id > coalesce((SELECT messages FROM stats_progress), 0) AND outcome IS NOT NULL "
		"GROUP BY outcome) GROUP BY rank";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int64_t found[STORE_METRICS_MESSAGE_RANKS] = {0};
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int rank = sqlite3_column_int(stmt, 0);
		if (rank >= 0 && rank < STORE_METRICS_MESSAGE_RANKS)
			found[rank] = sqlite3_column_int64(stmt, 1);
	}
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	for (size_t i = 0; i < STORE_METRICS_MESSAGE_RANKS; i++)
		counts[i] = found[i];
	return STORE_OK;
}

enum store_status store_metrics_tasks(struct store *store, const int *statuses, int64_t *counts, size_t n)
{
	static const char sql[] = "SELECT status, count(*) FROM tasks GROUP BY status";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int64_t found[16] = {0};
	if (n > 16)
		n = 16;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int status = sqlite3_column_int(stmt, 0);
		for (size_t i = 0; i < n; i++)
			if (statuses[i] == status)
				found[i] = sqlite3_column_int64(stmt, 1);
	}
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	for (size_t i = 0; i < n; i++)
		counts[i] = found[i];
	return STORE_OK;
}
