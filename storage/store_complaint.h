/*
 * Abuse reports (GetAbuseReport): a recipient who reported a message as
 * spam. Owns the complaints table. A report copies what GetAbuseReport shows
 * of its message, so it outlives the message (DELETE /_emulator/messages).
 */
#ifndef STORAGE_STORE_COMPLAINT_H
#define STORAGE_STORE_COMPLAINT_H

#include "store.h"

/* One report, as recorded and as listed. */
struct store_complaint {
	char *message_id;   /* the API MessageId */
	char *header_id;    /* the Message-ID header, without angle brackets */
	char *recipient;    /* who complained */
	char *mta;          /* the recipient's domain (filled in by the store) */
	char *from_address; /* the sender address */
	char *from_domain;
	char *subject;
	int64_t template_id;   /* 0: Simple content */
	int64_t task_id;       /* 0: SendEmail */
	int64_t deliver_time;  /* when the message was accepted, UNIX seconds */
	int64_t complain_time; /* when the complaint arrived, UNIX seconds */
};

/* Free the strings of one report (accepts NULL and zeroed reports). */
void store_complaint_finish(struct store_complaint *row);
/* Free `count` reports and the array (accepts NULL). */
void store_complaint_list_free(struct store_complaint *rows, size_t count);

/*
 * Record `in` (its mta is ignored); `day` is the CST date of its
 * complain_time. A recipient reports a message once: a second report of the
 * same one changes nothing, and *added (may be NULL) says which happened.
 */
enum store_status store_complaint_add(struct store *store, int64_t account, const struct store_complaint *in,
				      const char *day, bool *added);

/* What GetAbuseReport filters on; NULL or "" strings match everything. */
struct store_complaint_filter {
	const char *start_day, *end_day;                           /* CST dates of the complaint, inclusive */
	const char *from_domain, *from_address, *mta, *to_address; /* exact, letter case ignored */
	const char *template_id;                                   /* the decimal template id */
};

/*
 * The number of matching reports in *total and a page of them, oldest
 * first, in *rows (caller frees with store_complaint_list_free).
 */
enum store_status store_complaint_page(struct store *store, int64_t account,
				       const struct store_complaint_filter *filter, int64_t offset, int64_t limit,
				       int64_t *total, struct store_complaint **rows, size_t *count);

#endif
