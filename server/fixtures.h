/*
 * Fixtures: JSON that seeds accounts and their resources into a new store.
 * The format is documented in docs/fixtures.md.
 */
#ifndef SERVER_FIXTURES_H
#define SERVER_FIXTURES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct store;

/*
 * The fixture the emulator resets to: read once at start, replaced by a
 * successful fixtures_load(). `lock` serialises resets and loads, so the
 * store and `text` always agree.
 */
struct fixtures_source {
	pthread_mutex_t lock;
	char *text;     /* the fixture JSON; NULL for --fixtures none (reset empties the store) */
	char name[300]; /* how messages name it: the file, "fixtures/default.json (built in)", "body" */
};

/*
 * Read the fixture the config names (the built-in default when
 * fixtures_path is "", nothing when "none") into `source` (finish it with
 * fixtures_source_finish, also after a failure). False with one line in `err` when the file cannot
 * be read; its content is only checked when loaded.
 */
bool fixtures_source_init(struct fixtures_source *source, const struct config *config, char *err, size_t err_size);
/* Free the text and the lock. Accepts NULL and a zeroed source. */
void fixtures_source_finish(struct fixtures_source *source);

/*
 * Load `source` into `store` if the store holds no account yet; a store
 * with data is left alone. All or nothing: one transaction. On failure
 * returns false with one line in `err` naming the fixture and the path of
 * the offending field ("$.accounts[0].credentials[1].secret_id").
 */
bool fixtures_seed(struct store *store, const struct config *config, struct fixtures_source *source, char *err,
		   size_t err_size);

/* Check a fixture text and load it into the caller's unit of work (used by the above and below). */
bool fixtures_load_text(struct store *store, const struct config *config, const char *text, const char *name, char *err,
			size_t err_size);

enum fixtures_status {
	FIXTURES_OK = 0,
	FIXTURES_INVALID,     /* the fixture does not match the format; `err` names the field */
	FIXTURES_STORE_ERROR, /* the database failed, or out of memory */
};

/*
 * Empty the store (every row of every table; ids start at 1 again) and load
 * `source` into it, in one unit of work; *accounts gets the number of
 * accounts loaded. On failure nothing changed and `err` has one line.
 */
enum fixtures_status fixtures_reset(struct store *store, const struct config *config, struct fixtures_source *source,
				    int64_t *accounts, char *err, size_t err_size);
/*
 * The same with the fixture `text` (`len` bytes, not NUL-terminated,
 * called `name` in messages), which on success becomes `source`: later
 * resets return to it. On failure (FIXTURES_INVALID: with the path of the
 * offending field) the store and `source` are unchanged.
 */
enum fixtures_status fixtures_load(struct store *store, const struct config *config, struct fixtures_source *source,
				   const char *text, size_t len, const char *name, int64_t *accounts, char *err,
				   size_t err_size);

#endif
