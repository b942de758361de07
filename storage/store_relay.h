/*
 * The SMTP relay's durable queue and each message's relay outcome. Owns
 * the relays table (migration 5). Rows are queued in the transaction that
 * stores their message and taken by the relay worker (server/mail/relay.c).
 * Times: *_ms are real time in UNIX milliseconds (retries wait real
 * seconds); relayed_at is the emulator's clock in UNIX seconds, like a
 * message's created time.
 */
#ifndef STORAGE_STORE_RELAY_H
#define STORAGE_STORE_RELAY_H

#include "store.h"

enum store_relay_status {
	STORE_RELAY_PENDING = 0, /* waiting for its first attempt, or for a retry */
	STORE_RELAY_SENT = 1,    /* the relay accepted the message */
	STORE_RELAY_FAILED = 2,  /* every attempt failed */
};

/*
 * Queue message `message_id` of `account`, due at once (after the messages
 * queued before it), when at least one of its recipients was accepted
 * (SendStatus 0); *queued says whether it was. A message that is already
 * queued is left as it is.
 */
enum store_status store_relay_enqueue(struct store *store, int64_t account, const char *message_id, bool *queued);

/* One message to hand to the relay, as stored. */
struct store_relay_job {
	int64_t message;   /* the message's row id, for store_relay_record() */
	char *message_id;  /* the API MessageId */
	char *from;        /* the envelope sender: the message's sender address */
	char **recipients; /* the accepted recipients (To, Cc and Bcc), in order */
	size_t recipient_count;
	char *raw; /* the RFC 5322 message as built (NUL-terminated copy) */
	size_t raw_len;
	int attempts; /* attempts made before this one */
};
/* Free what a job holds and zero it. Accepts NULL and zeroed jobs. */
void store_relay_job_finish(struct store_relay_job *job);

/*
 * Take the pending row due first (next_try_ms <= now_ms) into *job (caller
 * finishes it) and move its next try to now_ms + lease_ms, so that no one
 * takes it again while it is being sent. STORE_NOT_FOUND when none is due:
 * *next_ms then gets the earliest next try of a pending row, or -1 when
 * none is pending. On failure *job is zeroed.
 */
enum store_status store_relay_take(struct store *store, int64_t now_ms, int64_t lease_ms, struct store_relay_job *job,
				   int64_t *next_ms);

/*
 * Record an attempt on `message` (a job's row id): one more attempt and
 * `error` as the last error ("" when sent). sent: STORE_RELAY_SENT at
 * `relayed_at`; else pending until `retry_at_ms`, or STORE_RELAY_FAILED
 * when retry_at_ms < 0. STORE_NOT_FOUND when the row is gone (the message
 * was deleted meanwhile).
 */
enum store_status store_relay_record(struct store *store, int64_t message, bool sent, int64_t relayed_at,
				     int64_t retry_at_ms, const char *error);

/* Put `message` back to be tried at `at_ms` without counting an attempt (the worker stopped mid-send). */
enum store_status store_relay_reschedule(struct store *store, int64_t message, int64_t at_ms);

/* A message's relay state, for inspection. */
struct store_relay {
	enum store_relay_status status;
	int attempts;
	char *last_error;   /* "" when none */
	int64_t relayed_at; /* 0 until sent */
	int64_t next_try_ms;
};
/* Free and zero. Accepts NULL. */
void store_relay_finish(struct store_relay *relay);
/* The relay state of message `message_id` (any account); STORE_NOT_FOUND when it was never queued. */
enum store_status store_relay_get(struct store *store, const char *message_id, struct store_relay *out);

#endif
