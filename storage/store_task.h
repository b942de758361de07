/*
 * Batch sending tasks (BatchSendEmail). Owns the tasks table.
 */
#ifndef STORAGE_STORE_TASK_H
#define STORAGE_STORE_TASK_H

#include "store.h"

/* The API's TaskStatus values. */
enum store_task_status {
	STORE_TASK_TO_START = 1,
	STORE_TASK_SENDING = 5,
	STORE_TASK_PAUSED_TODAY = 6,
	STORE_TASK_ERROR = 7,
	STORE_TASK_DONE = 10,
};

struct store_task {
	int64_t id;
	int64_t account;
	int64_t receiver_id;
	char *receiver_name;
	char *from_address;
	char *subject;
	char *reply_to;
	int64_t template_id; /* 0 when Simple content is used */
	char *template_data; /* the task's Template.TemplateData, "" when none */
	char *simple_html;   /* decoded, NULL when none */
	char *simple_text;
	char *unsubscribe; /* language code string, "" when none */
	int ad_location;
	int task_type; /* 1 immediate, 2 scheduled, 3 recurring */
	int status;    /* enum store_task_status */
	int64_t begin_time;
	int64_t interval_hours;
	int term_cycle;
	int64_t next_run; /* 0 when no run is due any more */
	int64_t cursor;   /* the last member id handled in the current run */
	int64_t runs;
	int64_t request_count, send_count, cache_count;
	char *err_msg;
	int64_t created, updated;
};

void store_task_finish(struct store_task *row);
void store_task_list_free(struct store_task *rows, size_t count);

/* Create; in->id and the counters are ignored. */
enum store_status store_task_create(struct store *store, int64_t account, const struct store_task *in, int64_t *id);
/* STORE_NOT_FOUND when the account has no such task. */
enum store_status store_task_get(struct store *store, int64_t account, int64_t id, struct store_task *out);

struct store_task_filter {
	int status;          /* 0: any */
	int64_t receiver_id; /* 0: any */
	int task_type;       /* 0: any */
	int64_t offset, limit;
};
/* A page, newest first, and the number of matching tasks. */
enum store_status store_task_list(struct store *store, int64_t account, const struct store_task_filter *filter,
				  struct store_task **rows, size_t *count, int64_t *total);

/* The due task with the earliest next_run <= now, any account; STORE_NOT_FOUND when none. */
enum store_status store_task_next_due(struct store *store, int64_t now, struct store_task *out);
/* The earliest next_run of any task (0 when none). */
enum store_status store_task_earliest(struct store *store, int64_t *when);

/* Write back the scheduling state and counters of `task` (status, next_run,
 * cursor, runs, counts, err_msg, updated). */
enum store_status store_task_save(struct store *store, const struct store_task *task);

#endif
