/*
 * Exporting the store as a fixture (GET /_emulator/fixtures): the inverse of
 * the loader in fixtures.c. The format is documented in docs/fixtures.md.
 */
#ifndef SERVER_FIXTURES_EXPORT_H
#define SERVER_FIXTURES_EXPORT_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "../storage/store.h"

/*
 * The store's accounts and their resources as a fixture document
 * {"accounts": [...]}, which loaded into an empty emulator gives the same
 * accounts, credentials, resources and resource ids. `app_id` 0 exports
 * every account, another value only that one. Runs in the caller's unit of
 * work (store_begin ... store_rollback); writes nothing.
 *
 * Returns the document (caller deletes), or NULL with *status:
 * STORE_NOT_FOUND when no account has `app_id`, STORE_NOMEM, STORE_ERROR.
 */
cJSON *fixtures_export_build(struct store *store, uint64_t app_id, enum store_status *status);

#endif
