/*
 * The recipient-group upload worker: what CreateReceiverDetail and
 * CreateReceiverDetailWithData leave pending, made into members.
 */
#ifndef SERVER_MAIL_UPLOAD_H
#define SERVER_MAIL_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* How long a group stays "uploading" at least, in real milliseconds from
 * the first step that saw its upload, so that clients can observe it. */
#define UPLOAD_MIN_VISIBLE_MS 500

/*
 * One step of the upload, in one write transaction of its own (the caller
 * must not hold the store): move the oldest `budget` submitted rows (at
 * most; 0 moves none) into the members of their groups, and mark uploaded
 * (ReceiversStatus 3) every uploading group with no row left whose upload
 * was first seen by a step at least UPLOAD_MIN_VISIBLE_MS before
 * `real_now_ms` (real time, not the emulator's clock: UNIX milliseconds).
 *
 * Returns true while work remains (rows to move, or groups still
 * uploading): call again, soon when rows remain. Returns false when there
 * is nothing left, and also when the store failed; then the step was rolled
 * back, nothing is lost, and a later call retries it.
 */
bool upload_process_step(struct store *store, int64_t real_now_ms, size_t budget);

#endif
