/*
 * The recipient-group upload worker.
 *
 * Owns: turning submitted rows (storage's receiver_uploads) into members,
 * and the uploading → uploaded transition of groups. Never: validates
 * addresses or template data (the handlers did, before submitting), or
 * sleeps (the scheduler thread decides when to call).
 *
 * Design: the upload calls answer at once with counters computed from the
 * request, like the real service, and leave the rows pending. Each step
 * moves one bounded chunk in one transaction, so API calls waiting for the
 * store's lock wait for one chunk at most. A group is shown uploading for
 * at least UPLOAD_MIN_VISIBLE_MS of real time after a step first saw it,
 * measured by the step itself, so the handlers need no real clock and tests
 * drive time through `real_now_ms`.
 */
#include "upload.h"

#include "../../storage/store.h"
#include "../../storage/store_receiver.h"

bool upload_process_step(struct store *store, int64_t real_now_ms, size_t budget)
{
	if (store_begin(store, true) != STORE_OK)
		return false;
	int64_t moved = 0, finished = 0;
	bool pending = false;
	int64_t chunk = budget > (size_t)INT64_MAX ? INT64_MAX : (int64_t)budget;
	enum store_status status = store_upload_stamp(store, real_now_ms);
	if (status == STORE_OK && chunk > 0)
		status = store_upload_move(store, chunk, &moved);
	if (status == STORE_OK)
		status = store_upload_finish(store, real_now_ms - UPLOAD_MIN_VISIBLE_MS, &finished);
	if (status == STORE_OK)
		status = store_upload_pending(store, &pending);
	if (status != STORE_OK) {
		store_rollback(store);
		return false;
	}
	if (store_commit(store) != STORE_OK)
		return false;
	return pending;
}
