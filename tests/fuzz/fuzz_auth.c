/*
 * Focus: the signature checks. An HTTP request (fuzz.h's text form) is
 * decoded, then auth_verify() runs against a keyring that knows one
 * credential (FUZZ_SECRET_ID / FUZZ_SECRET_KEY) at a fixed "now"
 * (FUZZ_NOW, 2023-11-14T22:13:20Z): the Authorization parser, the canonical
 * request and header list, the v1 string to sign, the timestamp window.
 * auth_claimed_secret_id() and auth_v1_string_to_sign() run on every input.
 * FUZZ_DEBUG=1 in the environment prints each result.
 * Invariants: the result is one of enum auth_result; AUTH_OK names the
 * credential; a missing or bad parameter is named.
 *
 * The seeds (corpus/auth/) are correctly signed requests made at FUZZ_NOW,
 * so the fuzzer starts past the parser, at the comparisons.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/api/auth.h"
#include "../../server/api/protocol.h"
#include "../../server/http.h"
#include "fuzz.h"

#define FUZZ_SECRET_ID "AKIDFUZZ0000000000000000"
#define FUZZ_SECRET_KEY "fuzz-secret-key"
#define FUZZ_NOW 1700000000

static bool lookup(void *cls, const char *secret_id, char *key, size_t key_size, char *token, size_t token_size,
		   bool *failed)
{
	(void)cls;
	*failed = false;
	snprintf(token, token_size, "%s", "");
	if (strcmp(secret_id, FUZZ_SECRET_ID) != 0)
		return false;
	snprintf(key, key_size, "%s", FUZZ_SECRET_KEY);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_http h;
	if (!fuzz_http_init(&h, data, size))
		return 0;
	struct http_request *http =
		http_request_create_detached(h.method, h.path, h.query, h.headers, h.body, h.body_len);
	if (!http) {
		fuzz_http_finish(&h);
		return 0;
	}
	struct api_request req;
	struct protocol_error error = {0};
	if (protocol_request_init(&req, http, &error)) {
		char claimed[129];
		auth_claimed_secret_id(http, &req, claimed, sizeof(claimed));
		assert(strlen(claimed) < sizeof(claimed));
		char *to_sign = auth_v1_string_to_sign(h.method, "example.com", &req.pairs);
		free(to_sign);

		struct auth_keyring ring = {.lookup = lookup, .cls = NULL};
		char secret_id[129] = "", param[64] = "x";
		enum auth_result result = auth_verify(http, &req, FUZZ_NOW, &ring, secret_id, param, sizeof(param));
		if (getenv("FUZZ_DEBUG"))
			fprintf(stderr, "auth_verify: %d %s\n", (int)result, param);
		assert(result <= AUTH_STORE_ERROR);
		if (result == AUTH_OK)
			assert(strcmp(secret_id, FUZZ_SECRET_ID) == 0);
		if (result == AUTH_MISSING_PARAMETER || result == AUTH_BAD_PARAMETER)
			assert(param[0]);
	}
	protocol_request_finish(&req);
	http_request_destroy_detached(http);
	fuzz_http_finish(&h);
	return 0;
}
