/*
 * Suppression: whether mail from a sender may go to a recipient. One rule
 * for SendEmail (which refuses the call) and the batch fan-out (which
 * records the member with a forced SendStatus).
 *
 * A recipient is suppressed when it is on the account's bounce blacklist,
 * has an active entry in the account's custom blacklist (on the emulator's
 * CST date), or unsubscribed from the sender address. The caller holds the
 * store.
 */
#ifndef SERVER_MAIL_SUPPRESS_H
#define SERVER_MAIL_SUPPRESS_H

#include <stdint.h>

#include "../../storage/store.h"

enum suppress_reason {
	SUPPRESS_NONE = 0,
	SUPPRESS_BLACKLISTED,  /* bounce blacklist or active custom entry: SendStatus 1007 */
	SUPPRESS_UNSUBSCRIBED, /* unsubscribed from the sender: SendStatus 1013 */
};

/* The documented SendStatus of a recipient suppressed for `reason` (0 for SUPPRESS_NONE). */
int suppress_send_status(enum suppress_reason reason);

/*
 * Why `recipient` may not get mail from the sender address `sender` of
 * `account` at emulator time `now` (the blacklists win over an
 * unsubscribe). *reason is SUPPRESS_NONE when it may; on a store failure it
 * is unchanged and the status is returned.
 */
enum store_status suppress_check(struct store *store, int64_t account, const char *recipient, const char *sender,
				 int64_t now, enum suppress_reason *reason);

#endif
