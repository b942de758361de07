/*
 * Request signatures: TC3-HMAC-SHA256 (v3) and HmacSHA1/HmacSHA256 (v1),
 * exactly as SPEC.md §2.3-2.4 and as the official SDKs really sign.
 */
#ifndef SERVER_API_AUTH_H
#define SERVER_API_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

struct http_request;

/* The largest clock skew accepted, in seconds (the documented five minutes). */
#define AUTH_MAX_SKEW 300

enum auth_result {
	AUTH_OK,
	AUTH_INVALID_AUTHORIZATION, /* the Authorization header is malformed */
	AUTH_INVALID_SECRET_ID,     /* not shaped like a Tencent Cloud API key */
	AUTH_SECRET_ID_NOT_FOUND,
	AUTH_SIGNATURE_EXPIRE,
	AUTH_SIGNATURE_FAILURE,
	AUTH_TOKEN_FAILURE,
	AUTH_MISSING_PARAMETER, /* a signing parameter is absent: see `param` */
	AUTH_BAD_PARAMETER,     /* a signing parameter has a bad value: see `param` */
	AUTH_STORE_ERROR,
};

/*
 * Finds a credential: writes its secret key and token ("" when none) and
 * returns true, or returns false when unknown (sets *failed on a store
 * error). `cls` is the caller's.
 */
struct auth_keyring {
	bool (*lookup)(void *cls, const char *secret_id, char *key, size_t key_size, char *token, size_t token_size,
		       bool *failed);
	void *cls;
};

/*
 * Check the signature of `req` against real time `now`. On AUTH_OK,
 * `secret_id` (size >= 129) holds the credential that signed. On
 * AUTH_MISSING_PARAMETER / AUTH_BAD_PARAMETER `param` names the parameter.
 */
enum auth_result auth_verify(const struct http_request *http, const struct api_request *req, int64_t now,
			     const struct auth_keyring *keyring, char *secret_id, char *param, size_t param_size);

/* The SecretId a request names without checking anything ("" when none). */
void auth_claimed_secret_id(const struct http_request *http, const struct api_request *req, char *out, size_t size);

/* Lowercase hex SHA-256 of `len` bytes. */
void auth_sha256_hex(const void *data, size_t len, char out[65]);

/* TC3: hex HMAC chain over secret → date → service → "tc3_request" → string. */
bool auth_tc3_signature(const char *secret_key, const char *date, const char *service, const char *string_to_sign,
			char out[65]);

/*
 * TC3 canonical request (SPEC.md §2.3 step 1), malloc'd; NULL when out of
 * memory. `canonical_headers` is the "name:value\n" lines already built.
 */
char *auth_tc3_canonical_request(const char *method, const char *query, const char *canonical_headers,
				 const char *signed_headers, const char *payload_hash);

/* v1: Base64(HMAC-SHA1 or -SHA256(key, string)) into out (>= 45 bytes). */
bool auth_v1_signature(const char *secret_key, bool sha256, const char *string_to_sign, char *out, size_t out_size);

/*
 * v1 string to sign: METHOD host "/?" and the sorted name=value pairs, raw,
 * without Signature. malloc'd; NULL when out of memory.
 */
char *auth_v1_string_to_sign(const char *method, const char *host, const struct protocol_pairs *pairs);

#endif
