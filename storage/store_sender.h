/*
 * Sender addresses (EmailSender). Owns the senders table.
 */
#ifndef STORAGE_STORE_SENDER_H
#define STORAGE_STORE_SENDER_H

#include "store.h"

enum store_sender_status {
	STORE_SENDER_PENDING = 0,
	STORE_SENDER_APPROVED = 1,
	STORE_SENDER_REJECTED = 2,
};

struct store_sender {
	int64_t id;
	char *address;
	char *name;
	char *domain;
	char *password_hash; /* hex SHA-256 of the SMTP password, "" when none */
	int status;          /* enum store_sender_status */
	int64_t created;
};

void store_sender_finish(struct store_sender *row);
void store_sender_list_free(struct store_sender *rows, size_t count);

/* STORE_EXISTS when the account already has the address. */
enum store_status store_sender_create(struct store *store, int64_t account, const char *address, const char *name,
				      const char *domain, int status, int64_t now);
enum store_status store_sender_get(struct store *store, int64_t account, const char *address, struct store_sender *out);
/*
 * Whether `address` may send, in one lookup: its review status (enum
 * store_sender_status) and its domain's verification status (enum
 * store_identity_status, -1 when the account has no such domain).
 * STORE_NOT_FOUND when the account has no such sender.
 */
enum store_status store_sender_standing(struct store *store, int64_t account, const char *address, int *status,
					int *domain_status);
enum store_status store_sender_count(struct store *store, int64_t account, int64_t *count);
enum store_status store_sender_count_domain(struct store *store, int64_t account, const char *domain, int64_t *count);
/* Every sender of the account, oldest first. */
enum store_status store_sender_list(struct store *store, int64_t account, struct store_sender **rows, size_t *count);
enum store_status store_sender_set_password(struct store *store, int64_t account, const char *address,
					    const char *password_hash);
/* Set the review status (enum store_sender_status) of `address` (letter case ignored); STORE_NOT_FOUND when none. */
enum store_status store_sender_set_status(struct store *store, int64_t account, const char *address, int status);
enum store_status store_sender_delete(struct store *store, int64_t account, const char *address);

#endif
