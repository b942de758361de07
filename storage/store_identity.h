/*
 * Sending domains (EmailIdentity). Owns the identities table.
 */
#ifndef STORAGE_STORE_IDENTITY_H
#define STORAGE_STORE_IDENTITY_H

#include "store.h"

enum store_identity_status {
	STORE_IDENTITY_PENDING = 0,
	STORE_IDENTITY_VERIFIED = 1,
	STORE_IDENTITY_FAILED = 2,
};

struct store_identity {
	int64_t id;
	char *domain;
	int dkim_option;
	int status;     /* enum store_identity_status */
	char *tags;     /* JSON array of {"TagKey","TagValue"} */
	char *dkim_key; /* base64 public key published in the DKIM record */
	int64_t created;
};

/* Free the strings of one row (accepts a zeroed row). */
void store_identity_finish(struct store_identity *row);
/* Free `count` rows and the array. */
void store_identity_list_free(struct store_identity *rows, size_t count);

/* STORE_EXISTS when the account already has the domain. */
enum store_status store_identity_create(struct store *store, int64_t account, const struct store_identity *in,
					int64_t now);
/* STORE_NOT_FOUND when the account has no such domain (case-insensitive). */
enum store_status store_identity_get(struct store *store, int64_t account, const char *domain,
				     struct store_identity *out);
/* Whether an account other than `account` holds `domain`. */
enum store_status store_identity_held_by_other(struct store *store, int64_t account, const char *domain, bool *held);
enum store_status store_identity_count(struct store *store, int64_t account, int64_t *count);
/* Every domain of the account, oldest first; caller frees with store_identity_list_free. */
enum store_status store_identity_list(struct store *store, int64_t account, struct store_identity **rows,
				      size_t *count);
enum store_status store_identity_set_status(struct store *store, int64_t account, const char *domain, int status);
enum store_status store_identity_delete(struct store *store, int64_t account, const char *domain);

#endif
