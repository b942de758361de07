/*
 * Focus: the fixture loader (server/fixtures.h). Input: a fixture text,
 * loaded by fixtures_load_text() into one in-memory store inside a unit of
 * work that is always rolled back, so every input starts from an empty
 * store. Invariants: a refusal always explains itself in one line naming
 * the fixture; the store stays usable (the next begin succeeds).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/config.h"
#include "../../server/fixtures.h"
#include "../../storage/store.h"
#include "fuzz.h"

static struct store *store;
static struct config config;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store) {
		char err[256];
		if (store_open(&store, "", err, sizeof(err)) != STORE_OK) {
			fprintf(stderr, "fuzz_fixtures: %s\n", err);
			abort();
		}
		config.review = CONFIG_REVIEW_AUTO;
	}
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char err[512] = "";
	assert(store_begin(store, true) == STORE_OK);
	if (!fixtures_load_text(store, &config, text, "fuzz.json", err, sizeof(err))) {
		assert(err[0] && strchr(err, '\n') == NULL);
		assert(strstr(err, "fuzz.json") || strstr(err, "database"));
	}
	store_rollback(store);
	free(text);
	return 0;
}
