/*
 * The SMTP relay worker (--smtp-relay): its own thread hands each queued
 * message, exactly as stored, to the configured SMTP server through
 * libcurl, retrying with exponential backoff, and records each message's
 * outcome in the store. A relay that is down never blocks an API call:
 * requests only queue rows (storage/store_relay.h) in their transaction.
 */
#ifndef SERVER_MAIL_RELAY_H
#define SERVER_MAIL_RELAY_H

#include <stdint.h>

struct config;
struct metrics;
struct relay;
struct store;

/*
 * Start the worker for config->smtp_relay (set), counting outcomes in
 * `metrics` (may be NULL). NULL when the thread or libcurl handles cannot
 * be created. curl_global_init() must have run.
 */
struct relay *relay_create(struct store *store, const struct config *config, struct metrics *metrics);
/*
 * Stop the worker, within a second even in the middle of a transfer (that
 * attempt is not counted: the message is tried again at the next start),
 * and free. Accepts NULL.
 */
void relay_destroy(struct relay *relay);

/* Tell the running worker a message was queued. Safe from any thread; does nothing when none runs. */
void relay_notify(void);

/*
 * The wait before the retry that follows failed attempt number `attempts`
 * (1 for the first): `first_ms` doubled (attempts - 1) times, at most an
 * hour.
 */
int64_t relay_backoff_ms(unsigned first_ms, int attempts);

#endif
