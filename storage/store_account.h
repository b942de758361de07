/*
 * Accounts and their credentials (SecretId/SecretKey pairs).
 */
#ifndef STORAGE_STORE_ACCOUNT_H
#define STORAGE_STORE_ACCOUNT_H

#include "store.h"

struct store_account {
	int64_t id;
	uint64_t app_id;
	char uin[32];
	bool suspended;           /* the account's API writes and reads are denied */
	bool enterprise_verified; /* may delete sending domains */
	int64_t daily_quota;      /* emails a CST day, enforced with --send-limits on */
	bool allow_simple;        /* may send Simple (non-template) content */
	bool allow_attachments;   /* may send attachments */
};

/* Create an account; STORE_EXISTS when the app_id is taken. */
enum store_status store_account_create(struct store *store, const struct store_account *account, int64_t now,
				       int64_t *id);

/* Add a credential to an account; STORE_EXISTS when the secret_id is taken. */
enum store_status store_credential_add(struct store *store, int64_t account, const char *secret_id,
				       const char *secret_key, const char *allow);

/*
 * Find a credential: fills the secret key (NUL-terminated, truncated to
 * key_size), its allow list and its account. STORE_NOT_FOUND when unknown.
 */
enum store_status store_credential_find(struct store *store, const char *secret_id, char *key, size_t key_size,
					char *allow, size_t allow_size, struct store_account *account);

/*
 * store_credential_find() for a caller that does NOT hold the store: served
 * from memory when the credential was looked up before (and nothing about
 * accounts or credentials changed since), else in a unit of its own.
 */
enum store_status store_credential_lookup(struct store *store, const char *secret_id, char *key, size_t key_size,
					  char *allow, size_t allow_size, struct store_account *account);

/* The account with row id `id`; STORE_NOT_FOUND when none. */
enum store_status store_account_get(struct store *store, int64_t id, struct store_account *account);

/* The account with the smallest id (for --auth off); STORE_NOT_FOUND when none. */
enum store_status store_account_first(struct store *store, struct store_account *account);

/*
 * Every account, by row id (the control plane's web page lists them). On
 * success *rows (caller frees, plain free()) holds *count accounts; on
 * failure *rows is NULL and *count 0.
 */
enum store_status store_account_list(struct store *store, struct store_account **rows, size_t *count);

/* One credential of an account (store_credential_list). */
struct store_credential {
	char *secret_id;
	char *secret_key;
	char *allow; /* comma-separated action names or patterns; "" allows every action */
};
/* The account with AppId `app_id`; STORE_NOT_FOUND when none. */
enum store_status store_account_by_app_id(struct store *store, uint64_t app_id, struct store_account *account);
/* Every credential of an account, oldest first; caller frees with store_credential_list_free(). */
enum store_status store_credential_list(struct store *store, int64_t account, struct store_credential **rows,
					size_t *count);
/* Free `count` credentials and the array (accepts NULL). */
void store_credential_list_free(struct store_credential *rows, size_t count);

#endif
