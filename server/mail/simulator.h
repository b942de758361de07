/*
 * The mailbox simulator: recipient addresses at ses-simulator.test whose
 * local part (before any "+tag") names the outcome, so tests can exercise
 * every delivery path deterministically. Every other address is delivered.
 *
 *   success@  delivered (DeliverStatus 1)
 *   bounce@   hard bounce: rejected by the recipient's server (3), counted
 *             as a bounce, and the address lands in the bounce blacklist
 *   reject@   rejected by the recipient's provider (3), not blacklisted
 *   delay@    delayed by the recipient's provider (8)
 *   open@     delivered and opened
 *   click@    delivered, opened and a link clicked
 *   complaint@ delivered, then reported as spam (a complaint)
 */
#ifndef SERVER_MAIL_SIMULATOR_H
#define SERVER_MAIL_SIMULATOR_H

#include <stdbool.h>
#include <stdint.h>

#define SIMULATOR_DOMAIN "ses-simulator.test"

/* The documented DeliverStatus values. */
enum simulator_deliver_status {
	SIMULATOR_QUEUED = 0,
	SIMULATOR_DELIVERED = 1,
	SIMULATOR_DROPPED = 2,
	SIMULATOR_REJECTED = 3,
	SIMULATOR_DELAYED = 8,
};

struct simulator_outcome {
	int deliver_status;
	const char *deliver_message; /* static */
	bool delivered_now;          /* DeliverTime is the send time */
	bool opened, clicked, bounced, complained;
};

/* The outcome of mail to `address` (never fails). */
void simulator_outcome(const char *address, struct simulator_outcome *out);

#endif
