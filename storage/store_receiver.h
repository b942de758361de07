/*
 * Recipient groups ("receivers"), their members, and the rows submitted for
 * upload that the upload worker (server/mail/upload.c) turns into members.
 *
 * Owns the receivers, receiver_members and receiver_uploads tables. Never
 * validates addresses or template data: those are the handlers' rules.
 *
 * Life of a group: created pending (status 1); a successful upload call adds
 * rows to receiver_uploads and sets it uploading (2); the worker moves the
 * rows into receiver_members in chunks and, once none is left and enough
 * real time has passed, sets it uploaded (3). An upload to an uploaded group
 * starts the cycle again. Deleting a group deletes its members and rows.
 */
#ifndef STORAGE_STORE_RECEIVER_H
#define STORAGE_STORE_RECEIVER_H

#include "store.h"

/* The API's ReceiversStatus. */
enum store_receiver_status {
	STORE_RECEIVER_PENDING = 1,
	STORE_RECEIVER_UPLOADING = 2,
	STORE_RECEIVER_UPLOADED = 3,
};

/* The API's ReceiverDetail.Status. */
enum store_member_status {
	STORE_MEMBER_VALID = 1,
	STORE_MEMBER_INVALID = 2,
};

struct store_receiver {
	int64_t id;
	char *name;
	char *description;
	int status;            /* enum store_receiver_status */
	int64_t member_count;  /* members, valid and invalid (rows still uploading not included) */
	int64_t invalid_count; /* members with STORE_MEMBER_INVALID */
	/* NULL while the group never had a member; "" when its members carry no
	 * template data; else the JSON array of the sorted keys of their data */
	char *data_keys;
	int64_t created; /* emulator time, UNIX seconds */
};

/* One member, or one submitted row. */
struct store_receiver_member {
	int64_t id; /* the API's EmailId (0 in a submitted row) */
	char *email;
	char *template_data; /* the TemplateData text as submitted; NULL when none */
	int status;          /* enum store_member_status */
	char *reason;        /* why it is invalid; "" when valid */
	int64_t created;     /* emulator time of the upload call, UNIX seconds */
};

/* ListReceivers filters. */
struct store_receiver_filter {
	int status;          /* 0: any */
	const char *keyword; /* substring of the name, ASCII case ignored; NULL or "": any */
};

/* ListReceiverDetails filters. */
struct store_member_filter {
	const char *email;    /* substring of the address, ASCII case ignored; NULL or "": any */
	int64_t created_from; /* inclusive; INT64_MIN: no bound */
	int64_t created_to;   /* inclusive; INT64_MAX: no bound */
	int status;           /* 0: any */
};

void store_receiver_finish(struct store_receiver *row);
void store_receiver_list_free(struct store_receiver *rows, size_t count);
void store_receiver_member_finish(struct store_receiver_member *row);
void store_receiver_members_free(struct store_receiver_member *rows, size_t count);

/* A new group, pending (status 1), no members. STORE_EXISTS when the account has the name. */
enum store_status store_receiver_create(struct store *store, int64_t account, const char *name, const char *description,
					int64_t now, int64_t *id);
/*
 * The same with the id `id` (> 0; fixtures keep their ids). STORE_EXISTS when
 * the id (in any account) or the name (in this account) is taken.
 */
enum store_status store_receiver_create_with_id(struct store *store, int64_t account, int64_t id, const char *name,
						const char *description, int64_t now);
/* The account's groups, whatever their status. */
enum store_status store_receiver_count(struct store *store, int64_t account, int64_t *count);
/* One group; STORE_NOT_FOUND when the account has no such group. Caller finishes *out. */
enum store_status store_receiver_get(struct store *store, int64_t account, int64_t id, struct store_receiver *out);
/*
 * A page of the account's groups matching `filter`, newest first, and in
 * *total the number matching. On failure *rows is NULL and *count 0. Caller
 * frees with store_receiver_list_free().
 */
enum store_status store_receiver_list(struct store *store, int64_t account, const struct store_receiver_filter *filter,
				      int64_t offset, int64_t limit, struct store_receiver **rows, size_t *count,
				      int64_t *total);
/* Delete a group with its members and submitted rows; STORE_NOT_FOUND when none. */
enum store_status store_receiver_delete(struct store *store, int64_t account, int64_t id);
/* Set a group's status (fixtures load uploaded groups); STORE_NOT_FOUND when none. */
enum store_status store_receiver_set_status(struct store *store, int64_t account, int64_t id, int status);

/*
 * Whether the group already holds `email` (ASCII case ignored), as a member
 * or as a row submitted and not yet processed.
 */
enum store_status store_receiver_has_email(struct store *store, int64_t account, int64_t receiver_id, const char *email,
					   bool *found);
/*
 * Submit one row for the upload worker (row->id is ignored). The caller
 * then calls store_receiver_start_upload() in the same transaction.
 */
enum store_status store_receiver_submit(struct store *store, int64_t account, int64_t receiver_id,
					const struct store_receiver_member *row);
/*
 * Mark the group uploading (status 2) for the worker; when `data_keys` is not
 * NULL it becomes the group's key set. STORE_NOT_FOUND when no such group.
 */
enum store_status store_receiver_start_upload(struct store *store, int64_t account, int64_t receiver_id,
					      const char *data_keys);
/*
 * Add a member directly, bypassing the upload (fixtures); counters follow.
 * STORE_EXISTS when the group already has the address.
 */
enum store_status store_receiver_add_member(struct store *store, int64_t account, int64_t receiver_id,
					    const struct store_receiver_member *row, const char *data_keys);

/*
 * Members of a group in upload order with id > `after_member_id`, at most
 * `limit` of them: the fan-out of a batch send reads a group page by page,
 * passing the last id it got. Only processed members are returned (never
 * rows still uploading). On failure *rows is NULL and *count 0. Caller frees
 * with store_receiver_members_free().
 */
enum store_status store_receiver_members_page(struct store *store, int64_t account, int64_t receiver_id,
					      int64_t after_member_id, int64_t limit,
					      struct store_receiver_member **rows, size_t *count);
/* A page (offset, limit) of a group's members matching `filter`, in upload order. */
enum store_status store_receiver_members_list(struct store *store, int64_t account, int64_t receiver_id,
					      const struct store_member_filter *filter, int64_t offset, int64_t limit,
					      struct store_receiver_member **rows, size_t *count);
/* How many members match `filter`: all, valid and invalid. */
enum store_status store_receiver_members_count(struct store *store, int64_t account, int64_t receiver_id,
					       const struct store_member_filter *filter, int64_t *total, int64_t *valid,
					       int64_t *invalid);

/*
 * The upload worker's steps, across all accounts; each runs inside the
 * caller's write transaction.
 *
 * store_upload_stamp: give every uploading group not seen yet the real time
 * `now_ms` as the time its upload was first seen.
 * store_upload_move: move the oldest `budget` submitted rows (at most) into
 * the members of their groups, in submission order, and recount those
 * groups; *moved gets the number of rows moved.
 * store_upload_finish: mark uploaded every uploading group with no row left
 * that was first seen at or before `seen_before_ms`; *finished gets how many.
 * store_upload_pending: whether any row or any uploading group remains.
 */
enum store_status store_upload_stamp(struct store *store, int64_t now_ms);
enum store_status store_upload_move(struct store *store, int64_t budget, int64_t *moved);
enum store_status store_upload_finish(struct store *store, int64_t seen_before_ms, int64_t *finished);
enum store_status store_upload_pending(struct store *store, bool *pending);

#endif
