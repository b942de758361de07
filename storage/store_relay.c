/*
 * The SMTP relay queue. Owns the relays table; reads a queued message's
 * raw bytes and accepted recipients from messages and deliveries. Never
 * talks to the network (server/mail/relay.c does, between two units).
 */
#include "store_relay.h"

#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

enum store_status store_relay_enqueue(struct store *store, int64_t account, const char *message_id, bool *queued)
{
	static const char sql[] =
		"INSERT INTO relays (message, next_try_ms) SELECT m.id, 0 FROM messages m WHERE m.account_id = ?1 "
		"AND m.message_id = ?2 AND EXISTS (SELECT 1 FROM deliveries d WHERE d.id BETWEEN m.first_delivery AND "
		"m.first_delivery + m.delivery_count - 1 "
		"AND d.send_status = 0) ON CONFLICT (message) DO NOTHING";
	*queued = false;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	sqlite3_bind_text(stmt, 2, message_id, -1, SQLITE_STATIC);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (status == STORE_OK)
		*queued = sqlite3_changes(store->db) > 0;
	return status;
}

void store_relay_job_finish(struct store_relay_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->recipient_count; i++)
		free(job->recipients[i]);
	free(job->recipients);
	free(job->message_id);
	free(job->from);
	free(job->raw);
	memset(job, 0, sizeof(*job));
}

/* The accepted recipients of job->message. */
static enum store_status read_recipients(struct store *store, struct store_relay_job *job)
{
	static const char sql[] = "SELECT d.address FROM messages m JOIN deliveries d ON d.id BETWEEN m.first_delivery "
				  "AND m.first_delivery + m.delivery_count - 1 "
				  "WHERE m.id = ? AND d.send_status = 0 ORDER BY d.id";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, job->message);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (job->recipient_count == cap) {
			cap = cap ? cap * 2 : 4;
			char **grown = realloc(job->recipients, cap * sizeof(*grown));
			if (!grown)
				return STORE_NOMEM;
			job->recipients = grown;
		}
		char *address = store_column_dup(stmt, 0);
		if (!address)
			return STORE_NOMEM;
		job->recipients[job->recipient_count++] = address;
	}
	return rc == SQLITE_DONE ? STORE_OK : store_status_of(rc);
}

/* The raw message of the current row of `stmt`, column `col`, as a NUL-terminated copy. */
static bool copy_raw(sqlite3_stmt *stmt, int col, struct store_relay_job *job)
{
	size_t len = (size_t)sqlite3_column_bytes(stmt, col);
	job->raw = malloc(len + 1);
	if (!job->raw)
		return false;
	if (len)
		memcpy(job->raw, sqlite3_column_blob(stmt, col), len);
	job->raw[len] = '\0';
	job->raw_len = len;
	return true;
}

static enum store_status next_try(struct store *store, int64_t *next_ms)
{
	static const char sql[] = "SELECT min(next_try_ms) FROM relays WHERE status = 0";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	*next_ms = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 0);
	return STORE_OK;
}

static enum store_status read_job(struct store *store, int64_t now_ms, struct store_relay_job *job)
{
	static const char sql[] = "SELECT r.message, r.attempts, m.message_id, m.from_address, m.raw FROM relays r "
				  "JOIN messages m ON m.id = r.message WHERE r.status = 0 AND r.next_try_ms <= ? "
				  "ORDER BY r.next_try_ms, r.message LIMIT 1";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, now_ms);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	job->message = sqlite3_column_int64(stmt, 0);
	job->attempts = sqlite3_column_int(stmt, 1);
	job->message_id = store_column_dup(stmt, 2);
	job->from = store_column_dup(stmt, 3);
	if (!job->message_id || !job->from || !copy_raw(stmt, 4, job))
		return STORE_NOMEM;
	sqlite3_reset(stmt);
	return read_recipients(store, job);
}

enum store_status store_relay_take(struct store *store, int64_t now_ms, int64_t lease_ms, struct store_relay_job *job,
				   int64_t *next_ms)
{
	memset(job, 0, sizeof(*job));
	*next_ms = -1;
	enum store_status status = read_job(store, now_ms, job);
	if (status == STORE_NOT_FOUND) {
		enum store_status found = next_try(store, next_ms);
		return found == STORE_OK ? STORE_NOT_FOUND : found;
	}
	if (status == STORE_OK)
		status = store_relay_reschedule(store, job->message, now_ms + lease_ms);
	if (status != STORE_OK)
		store_relay_job_finish(job);
	return status;
}

enum store_status store_relay_reschedule(struct store *store, int64_t message, int64_t at_ms)
{
	static const char sql[] = "UPDATE relays SET next_try_ms = ? WHERE message = ? AND status = 0";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, at_ms);
	sqlite3_bind_int64(stmt, 2, message);
	enum store_status status = store_status_of(sqlite3_step(stmt));
	if (status == STORE_OK && sqlite3_changes(store->db) == 0)
		return STORE_NOT_FOUND;
	return status;
}

enum store_status store_relay_record(struct store *store, int64_t message, bool sent, int64_t relayed_at,
				     int64_t retry_at_ms, const char *error)
{
	static const char sql[] = "UPDATE relays SET attempts = attempts + 1, status = ?2, last_error = ?3, "
				  "relayed_at = ?4, next_try_ms = coalesce(?5, next_try_ms) WHERE message = ?1";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int status = sent ? STORE_RELAY_SENT : retry_at_ms < 0 ? STORE_RELAY_FAILED : STORE_RELAY_PENDING;
	sqlite3_bind_int64(stmt, 1, message);
	sqlite3_bind_int(stmt, 2, status);
	sqlite3_bind_text(stmt, 3, error ? error : "", -1, SQLITE_STATIC);
	if (sent)
		sqlite3_bind_int64(stmt, 4, relayed_at);
	else
		sqlite3_bind_null(stmt, 4);
	if (status == STORE_RELAY_PENDING)
		sqlite3_bind_int64(stmt, 5, retry_at_ms);
	else
		sqlite3_bind_null(stmt, 5);
	enum store_status result = store_status_of(sqlite3_step(stmt));
	if (result == STORE_OK && sqlite3_changes(store->db) == 0)
		return STORE_NOT_FOUND;
	return result;
}

void store_relay_finish(struct store_relay *relay)
{
	if (!relay)
		return;
	free(relay->last_error);
	memset(relay, 0, sizeof(*relay));
}

enum store_status store_relay_get(struct store *store, const char *message_id, struct store_relay *out)
{
	static const char sql[] = "SELECT r.status, r.attempts, r.last_error, coalesce(r.relayed_at, 0), "
				  "r.next_try_ms FROM relays r JOIN messages m ON m.id = r.message "
				  "WHERE m.message_id = ?";
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, message_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	out->status = (enum store_relay_status)sqlite3_column_int(stmt, 0);
	out->attempts = sqlite3_column_int(stmt, 1);
	out->last_error = store_column_dup(stmt, 2);
	out->relayed_at = sqlite3_column_int64(stmt, 3);
	out->next_try_ms = sqlite3_column_int64(stmt, 4);
	return out->last_error ? STORE_OK : STORE_NOMEM;
}
