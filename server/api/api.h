/*
 * What every API handler sees: one validated call, and the way to answer.
 *
 * A handler of action FooBar is `api_foo_bar()`, named by the generator
 * (server/api/gen_api.py) from ses_api.json. It receives parameters that
 * already passed the action's schema (required present, no unknown names,
 * JSON types right), fills `out` with the action's output fields (never
 * RequestId: dispatch adds it) and returns true; or records one error with
 * api_fail() and returns false. It never writes the envelope itself.
 */
#ifndef SERVER_API_API_H
#define SERVER_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "api_gen.h"
#include "../../storage/store_account.h"

struct store;
struct config;

enum api_language {
	API_LANG_ZH_CN, /* the real service's default */
	API_LANG_EN_US,
};

struct api_ctx;

/*
 * The steps after a handler's unit (api_ctx.then): build without the store,
 * save in a unit of its own (a store job: it may run on another call's
 * thread, so it touches only the store and `state`), then answer from the
 * save's outcome (`status`: the job's, or STORE_ERROR when its commit
 * failed). build and answer return true, or false with the error recorded
 * (InternalError when none is).
 */
struct api_then {
	bool (*build)(struct api_ctx *ctx, void *state);
	enum store_status (*save)(struct store *store, void *state);
	bool (*answer)(struct api_ctx *ctx, void *state, enum store_status status, cJSON *out);
	void (*free)(void *state);
};

/* One API call on its way through dispatch. */
struct api_ctx {
	const struct config *config;
	struct store *store;
	struct store_account account;
	enum api_language language;
	const char *region;
	char request_id[37];
	int64_t now; /* the emulator's clock, UNIX seconds, when the call arrived */

	/* what an action's prepare step hands to its handler; dispatch frees it
	 * with prepared_free after the handler */
	void *prepared;
	void (*prepared_free)(void *prepared);

	/* A handler with work that needs no store after its checks sets `then`
	 * (and then_state, which dispatch frees with then->free): dispatch ends
	 * the handler's unit, runs then->build without the store, then
	 * then->save in a second unit, so the store is not held meanwhile. */
	const struct api_then *then;
	void *then_state;

	/* the error recorded by api_fail(); ERR_NONE while none */
	enum api_error_code error;
	char error_param[96];    /* the offending parameter, "" when none */
	char error_message[256]; /* a message replacing the catalogue's (fault injection), "" when none */
};

/*
 * Record the call's error: `code` from the catalogue, `param` the name of
 * the offending parameter (copied; NULL or "" when none). The first error
 * recorded wins. Always returns false, so a handler can
 * `return api_fail(...)`.
 */
bool api_fail(struct api_ctx *ctx, enum api_error_code code, const char *param);

/* Map a storage failure that no handler rule explains to InternalError. */
bool api_fail_store(struct api_ctx *ctx, int store_status);

/*
 * Typed reads of validated parameters. `params` is the action's input object.
 * Each returns `fallback` when the member is absent (or JSON null).
 * Returned strings belong to `params`.
 */
const char *api_param_string(const cJSON *params, const char *name, const char *fallback);
int64_t api_param_int(const cJSON *params, const char *name, int64_t fallback);
bool api_param_bool(const cJSON *params, const char *name, bool fallback);
bool api_param_has(const cJSON *params, const char *name);

/* Add members to an output object; each returns false when out of memory. */
bool api_out_string(cJSON *out, const char *name, const char *value);
bool api_out_int(cJSON *out, const char *name, int64_t value);
bool api_out_bool(cJSON *out, const char *name, bool value);

/*
 * Strict base64 (RFC 4648, padding required, line breaks allowed) of
 * `text` into a new NUL-terminated buffer; *len gets the decoded length.
 * NULL when the text is not base64 or out of memory. Caller frees.
 */
unsigned char *api_base64_decode(const char *text, size_t *len);
/* Base64 of `len` bytes as a new string; NULL when out of memory. Caller frees. */
char *api_base64_encode(const void *data, size_t len);
/* Whether `len` bytes are well-formed UTF-8. */
bool api_utf8_valid(const unsigned char *data, size_t len);

#endif
