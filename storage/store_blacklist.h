/*
 * The custom blacklist: addresses an account blocks itself
 * (CreateCustomBlacklist, ListCustomBlacklist, UpdateCustomBlackList,
 * DeleteCustomBlackList). Owns the custom_blacklist table.
 *
 * An entry applies (is "active") on the CST date `today` while `today` is
 * before its expire date; from the first second of that date on it is
 * expired. An entry without an expire date is permanent. Dates are
 * "YYYY-MM-DD" strings, which compare in calendar order.
 */
#ifndef STORAGE_STORE_BLACKLIST_H
#define STORAGE_STORE_BLACKLIST_H

#include "store.h"

struct store_blacklist_entry {
	int64_t id;
	char *email;
	char *expire_date; /* "" when permanent */
	int64_t created;   /* emulator clock, UNIX seconds */
};

/* Free the strings of one entry (accepts NULL and zeroed entries). */
void store_blacklist_finish(struct store_blacklist_entry *row);
/* Free `count` entries and the array (accepts NULL). */
void store_blacklist_list_free(struct store_blacklist_entry *rows, size_t count);

/*
 * Add `email` with `expire_date` (NULL or "": permanent). STORE_EXISTS when
 * the account already lists the address (letter case ignored), which stays
 * unchanged. *id (may be NULL) gets the new entry's id.
 */
enum store_status store_blacklist_add(struct store *store, int64_t account, const char *email, const char *expire_date,
				      int64_t now, int64_t *id);

/* Whether the account has an entry for `email` that applies on `today`. */
/*
 * The three suppression lists of `recipient` in one lookup (the bounce
 * blacklist and the unsubscribes are read here too, so that a send pays one
 * statement per recipient): *blacklisted when on the bounce blacklist or
 * actively on the custom one on CST date `today`, *unsubscribed when the
 * recipient unsubscribed from the sender address `sender`.
 */
enum store_status store_suppression(struct store *store, int64_t account, const char *recipient, const char *sender,
				    const char *today, bool *blacklisted, bool *unsubscribed);

/* Which entries a list or count sees. */
struct store_blacklist_filter {
	const char *today; /* the CST date that decides expired or active */
	int status;        /* 0 expired, 1 active, 2 all */
	const char *email; /* a substring of the address, letter case ignored; NULL or "": any */
};

/* The number of entries the filter sees. */
enum store_status store_blacklist_count(struct store *store, int64_t account,
					const struct store_blacklist_filter *filter, int64_t *count);
/* A page of the entries the filter sees, newest first. Caller frees with store_blacklist_list_free. */
enum store_status store_blacklist_page(struct store *store, int64_t account,
				       const struct store_blacklist_filter *filter, int64_t offset, int64_t limit,
				       struct store_blacklist_entry **rows, size_t *count);

/*
 * Set entry `id`'s address and expire date (NULL or "": permanent).
 * STORE_NOT_FOUND when the account has no such entry; STORE_EXISTS when
 * another entry holds the address. Nothing changes on failure.
 */
enum store_status store_blacklist_update(struct store *store, int64_t account, int64_t id, const char *email,
					 const char *expire_date);

/* Remove the account's entry for `email` (letter case ignored); absent is not an error. */
enum store_status store_blacklist_delete(struct store *store, int64_t account, const char *email);

#endif
