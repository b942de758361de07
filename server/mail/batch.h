/*
 * The fan-out of batch tasks: one step takes the due task with the
 * earliest next run and sends the next chunk of its recipient group.
 */
#ifndef SERVER_MAIL_BATCH_H
#define SERVER_MAIL_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct config;

/*
 * One chunk of at most `budget` members of the earliest due task (next run
 * at or before `now`, the emulator clock), in one write transaction of its
 * own: each member gets one message (or a dropped delivery row, for a
 * suppressed address), and the task's cursor and counters move in the same
 * transaction, so a crash resumes without losing or doubling a message.
 * Returns true when a task was worked on (call again), false when no task
 * is due or the store failed (rolled back; retried later).
 */
bool batch_step(struct store *store, const struct config *config, int64_t now, size_t budget);

/* The next run of any task (emulator time), 0 when none is scheduled. */
int64_t batch_next_run(struct store *store);

#endif
