/*
 * Fixtures: JSON that seeds accounts and their resources into a new store.
 * The format is documented in docs/fixtures.md.
 */
#ifndef SERVER_FIXTURES_H
#define SERVER_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct store;

/*
 * Load the fixture named by the config (the built-in default when
 * fixtures_path is "", nothing when "none") into `store` if the store holds
 * no account yet; a store with data is left alone. All or nothing: one
 * transaction. On failure returns false with one line in `err` naming the
 * file and the path of the offending field ("accounts[0].credentials[1].secret_id").
 */
bool fixtures_seed(struct store *store, const struct config *config, char *err, size_t err_size);

/* Parse and check a fixture text without loading it (used by the above). */
bool fixtures_load_text(struct store *store, const struct config *config, const char *text, const char *name, char *err,
			size_t err_size);

#endif
