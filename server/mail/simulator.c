/*
 * The mailbox simulator. Owns the table of special addresses; never touches
 * the store (compose.c records what it says).
 */
#include "simulator.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

struct special {
	const char *local;
	struct simulator_outcome outcome;
};

static const struct special specials[] = {
	{"success", {SIMULATOR_DELIVERED, "", true, false, false, false, false}},
	{"bounce",
	 {SIMULATOR_REJECTED, "550 5.1.1 The email account that you tried to reach does not exist.", false, false,
	  false, true, false}},
	{"reject",
	 {SIMULATOR_REJECTED, "554 5.7.1 Message rejected by the recipient's mail provider (policy).", false, false,
	  false, false, false}},
	{"delay",
	 {SIMULATOR_DELAYED, "421 4.7.0 Try again later: the recipient's provider deferred delivery.", false, false,
	  false, false, false}},
	{"open", {SIMULATOR_DELIVERED, "", true, true, false, false, false}},
	{"click", {SIMULATOR_DELIVERED, "", true, true, true, false, false}},
	{"complaint", {SIMULATOR_DELIVERED, "", true, false, false, false, true}},
};

void simulator_outcome(const char *address, struct simulator_outcome *out)
{
	static const struct simulator_outcome delivered = {SIMULATOR_DELIVERED, "", true, false, false, false, false};
	*out = delivered;
	const char *at = strrchr(address, '@');
	if (!at || strcasecmp(at + 1, SIMULATOR_DOMAIN) != 0)
		return;
	size_t local = strcspn(address, "+@");
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		if (strlen(specials[i].local) == local && strncasecmp(address, specials[i].local, local) == 0) {
			*out = specials[i].outcome;
			return;
		}
	}
}
