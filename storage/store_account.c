/*
 * Accounts and credentials. Owns the accounts and credentials tables.
 */
#include "store_account.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

enum store_status store_account_create(struct store *store, const struct store_account *account, int64_t now,
				       int64_t *id)
{
	static const char sql[] = "INSERT INTO accounts (app_id, uin, suspended, enterprise_verified, created, "
				  "daily_quota, allow_simple, allow_attachments) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)account->app_id);
	sqlite3_bind_text(stmt, 2, account->uin, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, account->suspended);
	sqlite3_bind_int(stmt, 4, account->enterprise_verified);
	store_credentials_forget(store);
	sqlite3_bind_int64(stmt, 5, now);
	sqlite3_bind_int64(stmt, 6, account->daily_quota);
	sqlite3_bind_int(stmt, 7, account->allow_simple);
	sqlite3_bind_int(stmt, 8, account->allow_attachments);
	int rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return store_status_of(rc);
	*id = sqlite3_last_insert_rowid(store->db);
	return STORE_OK;
}

enum store_status store_credential_add(struct store *store, int64_t account, const char *secret_id,
				       const char *secret_key, const char *allow)
{
	static const char sql[] = "INSERT INTO credentials (secret_id, secret_key, account_id, allow) "
				  "VALUES (?, ?, ?, ?)";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, secret_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, secret_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, account);
	sqlite3_bind_text(stmt, 4, allow ? allow : "", -1, SQLITE_STATIC);
	store_credentials_forget(store);
	return store_status_of(sqlite3_step(stmt));
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);
	snprintf(dst, size, "%s", text ? (const char *)text : "");
}

static void read_account(sqlite3_stmt *stmt, int col, struct store_account *account)
{
	account->id = sqlite3_column_int64(stmt, col);
	account->app_id = (uint64_t)sqlite3_column_int64(stmt, col + 1);
	copy_text(account->uin, sizeof(account->uin), stmt, col + 2);
	account->suspended = sqlite3_column_int(stmt, col + 3) != 0;
	account->enterprise_verified = sqlite3_column_int(stmt, col + 4) != 0;
	account->daily_quota = sqlite3_column_int64(stmt, col + 5);
	account->allow_simple = sqlite3_column_int(stmt, col + 6) != 0;
	account->allow_attachments = sqlite3_column_int(stmt, col + 7) != 0;
}

enum store_status store_credential_find(struct store *store, const char *secret_id, char *key, size_t key_size,
					char *allow, size_t allow_size, struct store_account *account)
{
	static const char sql[] = "SELECT c.secret_key, c.allow, a.id, a.app_id, a.uin, a.suspended, "
				  "a.enterprise_verified, a.daily_quota, a.allow_simple, a.allow_attachments FROM "
				  "credentials c JOIN accounts a ON a.id = c.account_id "
				  "WHERE c.secret_id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, secret_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	copy_text(key, key_size, stmt, 0);
	copy_text(allow, allow_size, stmt, 1);
	read_account(stmt, 2, account);
	return STORE_OK;
}

enum store_status store_account_first(struct store *store, struct store_account *account)
{
	static const char sql[] = "SELECT id, app_id, uin, suspended, enterprise_verified, daily_quota, "
				  "allow_simple, allow_attachments FROM accounts "
				  "ORDER BY id LIMIT 1";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	read_account(stmt, 0, account);
	return STORE_OK;
}

enum store_status store_account_get(struct store *store, int64_t id, struct store_account *account)
{
	static const char sql[] = "SELECT id, app_id, uin, suspended, enterprise_verified, daily_quota, "
				  "allow_simple, allow_attachments FROM accounts WHERE id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	read_account(stmt, 0, account);
	return STORE_OK;
}

static bool read_account_row(sqlite3_stmt *stmt, void *row)
{
	read_account(stmt, 0, row);
	return true;
}

static void finish_account_row(void *row)
{
	(void)row; /* nothing allocated inside */
}

enum store_status store_account_list(struct store *store, struct store_account **rows, size_t *count)
{
	static const char sql[] = "SELECT id, app_id, uin, suspended, enterprise_verified, daily_quota, "
				  "allow_simple, allow_attachments FROM accounts ORDER BY id";
	*rows = NULL;
	*count = 0;
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	return store_collect(stmt, sizeof(**rows), read_account_row, finish_account_row, (void **)rows, count);
}

#define ACCOUNT_COLUMNS "id, app_id, uin, suspended, enterprise_verified, daily_quota, allow_simple, allow_attachments"

enum store_status store_account_by_app_id(struct store *store, uint64_t app_id, struct store_account *account)
{
	static const char sql[] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE app_id = ?";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)app_id);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	if (rc != SQLITE_ROW)
		return store_status_of(rc);
	read_account(stmt, 0, account);
	return STORE_OK;
}

static void finish_credential(void *row)
{
	struct store_credential *c = row;
	free(c->secret_id);
	free(c->secret_key);
	free(c->allow);
	c->secret_id = c->secret_key = c->allow = NULL;
}

static bool read_credential(sqlite3_stmt *stmt, void *row)
{
	struct store_credential *c = row;
	c->secret_id = store_column_dup(stmt, 0);
	c->secret_key = store_column_dup(stmt, 1);
	c->allow = store_column_dup(stmt, 2);
	if (c->secret_id && c->secret_key && c->allow)
		return true;
	finish_credential(c);
	return false;
}

void store_credential_list_free(struct store_credential *rows, size_t count)
{
	for (size_t i = 0; rows && i < count; i++)
		finish_credential(&rows[i]);
	free(rows);
}

enum store_status store_credential_list(struct store *store, int64_t account, struct store_credential **rows,
					size_t *count)
{
	static const char sql[] = "SELECT secret_id, secret_key, allow FROM credentials WHERE account_id = ? "
				  "ORDER BY rowid";
	sqlite3_stmt *stmt = store_stmt(store, sql);
	*rows = NULL;
	*count = 0;
	if (!stmt)
		return STORE_ERROR;
	sqlite3_bind_int64(stmt, 1, account);
	void *items;
	enum store_status status =
		store_collect(stmt, sizeof(**rows), read_credential, finish_credential, &items, count);
	*rows = items;
	return status;
}

void store_credentials_clear(struct store *store)
{
	pthread_rwlock_wrlock(&store->credentials_lock);
	for (size_t i = 0; i < STORE_CREDENTIAL_CACHE; i++)
		store->credentials[i].used = false;
	store->credentials_gen++;
	pthread_rwlock_unlock(&store->credentials_lock);
}

void store_credentials_forget(struct store *store)
{
	store_credentials_clear(store);
	store->credentials_dirty = true; /* the caller holds the store: cleared again after the commit */
}

static size_t credential_slot(const char *secret_id)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)secret_id; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)(h % STORE_CREDENTIAL_CACHE);
}

static bool cached(struct store *store, const char *secret_id, char *key, size_t key_size, char *allow,
		   size_t allow_size, struct store_account *account, uint64_t *gen)
{
	bool hit = false;
	const struct store_cached_credential *c = &store->credentials[credential_slot(secret_id)];
	pthread_rwlock_rdlock(&store->credentials_lock);
	*gen = store->credentials_gen;
	if (c->used && strcmp(c->secret_id, secret_id) == 0) {
		snprintf(key, key_size, "%s", c->key);
		snprintf(allow, allow_size, "%s", c->allow);
		*account = c->account;
		hit = true;
	}
	pthread_rwlock_unlock(&store->credentials_lock);
	return hit;
}

enum store_status store_credential_lookup(struct store *store, const char *secret_id, char *key, size_t key_size,
					  char *allow, size_t allow_size, struct store_account *account)
{
	if (strlen(secret_id) >= sizeof(store->credentials[0].secret_id))
		return STORE_NOT_FOUND;
	uint64_t gen = 0;
	if (cached(store, secret_id, key, key_size, allow, allow_size, account, &gen))
		return STORE_OK;
	struct store_cached_credential fresh = {0};
	if (store_begin(store, false) != STORE_OK)
		return STORE_ERROR;
	enum store_status status = store_credential_find(store, secret_id, fresh.key, sizeof(fresh.key), fresh.allow,
							 sizeof(fresh.allow), &fresh.account);
	/* Remembered only if the cache was not cleared since this lookup began
	 * (its answer may predate the write that cleared it); a clear after this
	 * point removes it again (store_credentials_forget). */
	if (status == STORE_OK) {
		snprintf(fresh.secret_id, sizeof(fresh.secret_id), "%s", secret_id);
		fresh.used = true;
		pthread_rwlock_wrlock(&store->credentials_lock);
		if (store->credentials_gen == gen)
			store->credentials[credential_slot(secret_id)] = fresh;
		pthread_rwlock_unlock(&store->credentials_lock);
	}
	store_rollback(store);
	if (status != STORE_OK)
		return status;
	snprintf(key, key_size, "%s", fresh.key);
	snprintf(allow, allow_size, "%s", fresh.allow);
	*account = fresh.account;
	return STORE_OK;
}
