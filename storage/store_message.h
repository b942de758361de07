/*
 * Sent messages and their per-recipient deliveries; the bounce blacklist.
 * Owns the messages, deliveries and bounces tables.
 */
#ifndef STORAGE_STORE_MESSAGE_H
#define STORAGE_STORE_MESSAGE_H

#include "store.h"

/* One recipient's outcome, as the API's SendEmailStatus reports it. */
struct store_delivery_in {
	const char *address;
	int send_status;    /* 0 accepted, else the documented failure code */
	int deliver_status; /* 0 queued, 1 delivered, 2 dropped, 3 rejected by the ESP, 8 delayed */
	const char *deliver_message;
	int64_t deliver_time; /* 0 while not delivered */
	bool opened, clicked, bounced, complained;
};

struct store_message_in {
	const char *message_id;
	int64_t task_id;     /* 0: SendEmail */
	int64_t template_id; /* 0: Simple content */
	const char *from_address;
	const char *from_domain;
	const char *subject;
	const char *recipients_json;  /* {"to":[],"cc":[],"bcc":[]} */
	const char *reply_to;         /* "" when none */
	const char *attachments_json; /* [{"file_name","content_type","size"}] */
	int64_t created;
	const char *day; /* CST date of created */
	const char *raw;
	size_t raw_len;
	const struct store_delivery_in *deliveries;
	size_t delivery_count;
};

/*
 * A delivery's outcome rank for the metrics (store_metrics.h): 0 delivered,
 * 1 queued, 2 delayed, 3 dropped or refused, 4 rejected, 5 bounced. A
 * message's outcome is the highest rank of its deliveries.
 */
int store_delivery_rank(const struct store_delivery_in *d);

/*
 * Count up to `limit` deliveries and messages stored since the last call
 * into the statistics and metrics counters (migration 7), in the caller's
 * unit; *more when it counted something (call again soon). Readers add what
 * is not counted yet, so calling it late only makes reports slower.
 */
enum store_status store_stats_catch_up(struct store *store, int64_t limit, bool *more);

/* Store one message and its deliveries. STORE_EXISTS when message_id is taken. */
enum store_status store_message_add(struct store *store, int64_t account, const struct store_message_in *in);

/* Deliveries (emails) accepted for the account on CST day `day`. */
enum store_status store_delivery_count_day(struct store *store, int64_t account, const char *day, int64_t *count);
/* Deliveries to `address` requested at or after `since`; since_day is the CST date of `since`. */
enum store_status store_delivery_count_since(struct store *store, int64_t account, const char *address, int64_t since,
					     const char *since_day, int64_t *count);

/* One row of GetSendEmailStatus. */
struct store_delivery {
	char *message_id;
	char *to;
	char *from;
	int send_status;
	int deliver_status;
	char *deliver_message;
	int64_t request_time;
	int64_t deliver_time;
	bool opened, clicked, unsubscribed, complained;
	bool bounced; /* a hard bounce (the address went to the bounce blacklist) */
};
void store_delivery_list_free(struct store_delivery *rows, size_t count);
/* A page of the day's deliveries, oldest first; message_id / to filter when not NULL. */
enum store_status store_delivery_page(struct store *store, int64_t account, const char *day, const char *message_id,
				      const char *to, int64_t offset, int64_t limit, struct store_delivery **rows,
				      size_t *count);

/* One day of GetStatisticsReport. */
struct store_volume {
	char day[11];
	int64_t requests, accepted, delivered, opened, clicked, bounces, unsubscribes;
};
/*
 * Volumes per day from `start` to `end` (CST dates, inclusive), only days
 * with mail; `from_domain` and `mailbox` filter when not NULL. Caller frees *rows.
 */
enum store_status store_delivery_volumes(struct store *store, int64_t account, const char *start, const char *end,
					 const char *from_domain, const char *mailbox, struct store_volume **rows,
					 size_t *count);

/*
 * The bounce blacklist: addresses that hard-bounced, one entry per address
 * (a later bounce replaces the entry's time, reason and cause).
 */
enum store_status store_bounce_add(struct store *store, int64_t account, const char *address, int64_t when,
				   int64_t task_id, const char *message_id, const char *isp_desc);
/* Remove `address` from the bounce blacklist (letter case ignored); absent is not an error. */
enum store_status store_bounce_delete(struct store *store, int64_t account, const char *address);

/* One entry of ListBlackEmailAddress. */
struct store_bounce {
	char *address;
	int64_t bounce_time; /* emulator clock, UNIX seconds */
	char *isp_desc;      /* the recipient server's answer */
};
void store_bounce_list_free(struct store_bounce *rows, size_t count);
/*
 * The entries that bounced at or after `from` and before `until` (UNIX
 * seconds), only `address` when not NULL or "" (exact, letter case
 * ignored): their number in *total and a page of them, oldest first, in
 * *rows (caller frees with store_bounce_list_free).
 */
enum store_status store_bounce_page(struct store *store, int64_t account, int64_t from, int64_t until,
				    const char *address, int64_t offset, int64_t limit, int64_t *total,
				    struct store_bounce **rows, size_t *count);

/*
 * Mark `address`'s delivery of message `message` (an API MessageId, any
 * account) unsubscribed or complained. STORE_NOT_FOUND when the message has
 * no delivery to that address.
 */
enum store_status store_delivery_mark_unsubscribed(struct store *store, const char *message, const char *address);
enum store_status store_delivery_mark_complained(struct store *store, const char *message, const char *address);
/* The account (row id) of message `message_id`; STORE_NOT_FOUND when unknown. */
enum store_status store_message_account(struct store *store, const char *message_id, int64_t *account);

/* Inspection (control plane): one message, any account. */
struct store_message {
	int64_t account_app_id;
	char *message_id;
	int64_t task_id, template_id;
	char *from_address;
	char *subject;
	char *recipients_json;
	char *reply_to;
	char *attachments_json;
	int64_t created;
	char *raw;
	size_t raw_len;
};
void store_message_finish(struct store_message *row);
void store_message_list_free(struct store_message *rows, size_t count);
/* with_raw: also read the raw message. STORE_NOT_FOUND when unknown. */
enum store_status store_message_get(struct store *store, const char *message_id, bool with_raw,
				    struct store_message *out);

/* Filters of the control plane's message list; NULL/0 fields are unset. */
struct store_message_filter {
	const char *to;      /* any recipient, exact, case-insensitive */
	const char *from;    /* sender address, exact, case-insensitive */
	const char *subject; /* substring */
	int64_t task_id;
	uint64_t app_id;
	int64_t limit;
};
/* Newest first, without raw. */
enum store_status store_message_list(struct store *store, const struct store_message_filter *filter,
				     struct store_message **rows, size_t *count);
/* The delivery rows of one message (for inspection). */
enum store_status store_message_deliveries(struct store *store, const char *message_id, struct store_delivery **rows,
					   size_t *count);
/* Remove every stored message and its deliveries (control plane); *deleted gets the number of messages. */
enum store_status store_message_delete_all(struct store *store, int64_t *deleted);

#endif
