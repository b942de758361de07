/*
 * Unsubscribes: the address-level unsubscribe settings of sender addresses
 * (Create/List/Update/DeleteAddressUnsubscribeConfig) and the recipients who
 * followed an unsubscribe link. Owns the unsubscribe_configs and
 * unsubscribes tables. Addresses compare with letter case ignored.
 */
#ifndef STORAGE_STORE_UNSUBSCRIBE_H
#define STORAGE_STORE_UNSUBSCRIBE_H

#include "store.h"

/* The setting of one sender address. */
struct store_unsubscribe_config {
	char *address;
	char *config; /* the link language code as the API gives it, "0" to "12" */
	int status;   /* 0 off, 1 on */
};

/* Free the strings of one setting (accepts NULL and zeroed settings). */
void store_unsubscribe_config_finish(struct store_unsubscribe_config *row);
/* Free `count` settings and the array (accepts NULL). */
void store_unsubscribe_config_list_free(struct store_unsubscribe_config *rows, size_t count);

/* Create the setting of `address`, or replace the one it has. */
enum store_status store_unsubscribe_config_put(struct store *store, int64_t account, const char *address,
					       const char *config, int status, int64_t now);
/* Change the setting of `address`; STORE_NOT_FOUND (nothing changed) when it has none. */
enum store_status store_unsubscribe_config_update(struct store *store, int64_t account, const char *address,
						  const char *config, int status, int64_t now);
/* The setting of `address` into *out (caller finishes); STORE_NOT_FOUND when none. */
enum store_status store_unsubscribe_config_get(struct store *store, int64_t account, const char *address,
					       struct store_unsubscribe_config *out);
/* Remove the setting of `address`; STORE_NOT_FOUND when it has none. */
enum store_status store_unsubscribe_config_delete(struct store *store, int64_t account, const char *address);
/*
 * The number of settings in *total and a page of them, oldest first, in
 * *rows (caller frees with store_unsubscribe_config_list_free).
 */
enum store_status store_unsubscribe_config_page(struct store *store, int64_t account, int64_t offset, int64_t limit,
						int64_t *total, struct store_unsubscribe_config **rows, size_t *count);

/*
 * Record that `recipient` unsubscribed from the sender address `sender`
 * through the link of message `message_id`. Recording it again changes
 * nothing (the first link followed is kept).
 */
enum store_status store_unsubscribe_add(struct store *store, int64_t account, const char *recipient, const char *sender,
					const char *message_id, int64_t now);

/* One recorded unsubscribe, as listed (the control plane's page). */
struct store_unsubscribe {
	char *recipient;
	char *sender;     /* the sender address unsubscribed from */
	char *message_id; /* the API MessageId whose link was followed */
	int64_t created;  /* emulator clock, UNIX seconds */
};

/* Free `count` unsubscribes and the array (accepts NULL). */
void store_unsubscribe_list_free(struct store_unsubscribe *rows, size_t count);
/*
 * A page of the account's recorded unsubscribes, newest first, in *rows
 * (caller frees with store_unsubscribe_list_free); on failure *rows is NULL
 * and *count 0.
 */
enum store_status store_unsubscribe_page(struct store *store, int64_t account, int64_t offset, int64_t limit,
					 struct store_unsubscribe **rows, size_t *count);

#endif
