/*
 * Suppression. Owns the order of the lists (bounce blacklist, custom
 * blacklist, unsubscribes) and their SendStatus codes. Never writes the
 * store.
 */
#include "suppress.h"

#include <stdbool.h>

#include "../../storage/store_blacklist.h"
#include "../clock.h"

/* SendEmailStatus.SendStatus: 1007 "the address is in the blocklist", 1013 "unsubscribed". */
#define SUPPRESS_STATUS_BLACKLISTED 1007
#define SUPPRESS_STATUS_UNSUBSCRIBED 1013

int suppress_send_status(enum suppress_reason reason)
{
	switch (reason) {
	case SUPPRESS_BLACKLISTED:
		return SUPPRESS_STATUS_BLACKLISTED;
	case SUPPRESS_UNSUBSCRIBED:
		return SUPPRESS_STATUS_UNSUBSCRIBED;
	case SUPPRESS_NONE:
		break;
	}
	return 0;
}

enum store_status suppress_check(struct store *store, int64_t account, const char *recipient, const char *sender,
				 int64_t now, enum suppress_reason *reason)
{
	char today[16];
	bool blacklisted = false, unsubscribed = false;
	clock_format_date(now, today, sizeof(today));
	enum store_status status =
		store_suppression(store, account, recipient, sender, today, &blacklisted, &unsubscribed);
	if (status != STORE_OK)
		return status;
	*reason = blacklisted ? SUPPRESS_BLACKLISTED : unsubscribed ? SUPPRESS_UNSUBSCRIBED : SUPPRESS_NONE;
	return STORE_OK;
}
