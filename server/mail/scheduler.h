/*
 * The scheduler thread: the mail work that outlives a request. It runs the
 * recipient-group uploads and the batch tasks (immediate, scheduled on the
 * emulator's clock, recurring), a bounded chunk at a time, each chunk its
 * own transaction, so API requests interleave and stay fast.
 */
#ifndef SERVER_MAIL_SCHEDULER_H
#define SERVER_MAIL_SCHEDULER_H

#include <stdbool.h>

struct store;
struct config;
struct scheduler;

/* Start the thread. NULL when it cannot be started. */
struct scheduler *scheduler_create(struct store *store, const struct config *config);
/* Stop the thread (after its current chunk) and free. Accepts NULL. */
void scheduler_destroy(struct scheduler *scheduler);

/*
 * Tell the running scheduler there is new work now (a task was created, an
 * upload submitted, the clock moved). Safe from any thread; does nothing
 * when no scheduler runs.
 */
void scheduler_notify(void);

/*
 * Run every step that is due now on the calling thread until nothing is
 * left (for tests and for the control plane's synchronous mode).
 */
void scheduler_drain(struct store *store, const struct config *config);

#endif
