/*
 * Signature checks.
 *
 * Owns: parsing the TC3 Authorization header, building canonical requests
 * and strings to sign, HMAC and SHA-256, the timestamp window, constant-time
 * comparison.
 * Never: decides which account a credential belongs to (dispatch asks the
 * keyring) and never loosens a check to let a client through: where an
 * official SDK signs something other than the wire bytes (the Node SDKs sign
 * the host without its port), that variant is tried as a second exact check.
 *
 * OpenSSL objects (the HMAC algorithm and the digests) are fetched once and
 * reused; the TC3 signing key is cached per thread for the last
 * (secret, date, service), as measured in DESIGN.md.
 */
#include "auth.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../clock.h"
#include "../http.h"

static EVP_MAC *hmac_algorithm;
static EVP_MD *sha256_md;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

/* The thread's HMAC contexts (hmac_context) and SHA-256 context (sha256_context), freed when the thread ends. */
struct thread_macs {
	EVP_MAC_CTX *ctx[2]; /* SHA1, SHA256 */
	EVP_MD_CTX *sha256;
};
static pthread_key_t macs_key;
static bool macs_key_ok;

static void free_macs(void *p)
{
	struct thread_macs *macs = p;
	EVP_MAC_CTX_free(macs->ctx[0]);
	EVP_MAC_CTX_free(macs->ctx[1]);
	EVP_MD_CTX_free(macs->sha256);
	free(macs);
}

static void fetch_algorithms(void)
{
	macs_key_ok = pthread_key_create(&macs_key, free_macs) == 0;
	hmac_algorithm = EVP_MAC_fetch(NULL, "HMAC", NULL);
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* The thread's contexts, created on first use; NULL when out of memory. */
static struct thread_macs *thread_macs(void)
{
	if (!macs_key_ok)
		return NULL;
	struct thread_macs *macs = pthread_getspecific(macs_key);
	if (!macs) {
		macs = calloc(1, sizeof(*macs));
		if (!macs || pthread_setspecific(macs_key, macs) != 0) {
			free(macs);
			return NULL;
		}
	}
	return macs;
}

/* An HMAC context with its digest already set, one per thread and digest:
 * EVP_MAC_init with a digest name looks the digest up again on every call
 * (a third of a signature check's HMAC, measured with callgrind). */
static EVP_MAC_CTX *hmac_context(const char *digest)
{
	struct thread_macs *macs = thread_macs();
	if (!macs)
		return NULL;
	size_t which = strcmp(digest, "SHA1") == 0 ? 0 : 1;
	if (macs->ctx[which])
		return macs->ctx[which];
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(hmac_algorithm);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	if (ctx && !EVP_MAC_CTX_set_params(ctx, params)) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	macs->ctx[which] = ctx;
	return ctx;
}

static bool hmac(const char *digest, const void *key, size_t key_len, const void *data, size_t len, unsigned char *out,
		 size_t *out_len)
{
	pthread_once(&fetch_once, fetch_algorithms);
	if (!hmac_algorithm)
		return false;
	EVP_MAC_CTX *ctx = hmac_context(digest);
	return ctx && EVP_MAC_init(ctx, key, key_len, NULL) && EVP_MAC_update(ctx, data, len) &&
	       EVP_MAC_final(ctx, out, out_len, EVP_MAX_MD_SIZE);
}

static void to_hex(const unsigned char *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

/*
 * The thread's SHA-256 context, ready for EVP_DigestInit_ex2: reusing it
 * keeps the provider's context, where EVP_Digest allocates, looks up and
 * frees one per call (two thirds of a signature check's hashing, measured
 * with callgrind).
 */
static EVP_MD_CTX *sha256_context(void)
{
	pthread_once(&fetch_once, fetch_algorithms);
	struct thread_macs *macs = thread_macs();
	if (!sha256_md || !macs)
		return NULL;
	if (!macs->sha256)
		macs->sha256 = EVP_MD_CTX_new();
	return macs->sha256;
}

/* SHA-256 of the concatenation of two pieces (either may be empty). */
static bool sha256_two(const void *a, size_t a_len, const void *b, size_t b_len, unsigned char out[32])
{
	EVP_MD_CTX *ctx = sha256_context();
	return ctx && EVP_DigestInit_ex2(ctx, sha256_md, NULL) && EVP_DigestUpdate(ctx, a, a_len) &&
	       EVP_DigestUpdate(ctx, b, b_len) && EVP_DigestFinal_ex(ctx, out, NULL);
}

void auth_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char digest[32];
	if (!sha256_two(data, len, "", 0, digest)) {
		out[0] = '\0';
		return;
	}
	to_hex(digest, 32, out);
}

/*
 * HMAC-SHA256 (RFC 2104) on the thread's SHA-256 context, for keys of at
 * most one block (TC3's are 32 bytes after the first): four compressions
 * and no allocation, against EVP_MAC's per-call setup.
 */
static bool hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, unsigned char out[32])
{
	enum { BLOCK = 64 };
	if (key_len > BLOCK)
		return false;
	unsigned char ipad[BLOCK], opad[BLOCK], inner[32];
	for (size_t i = 0; i < BLOCK; i++) {
		unsigned char k = i < key_len ? ((const unsigned char *)key)[i] : 0;
		ipad[i] = k ^ 0x36;
		opad[i] = k ^ 0x5c;
	}
	return sha256_two(ipad, BLOCK, data, len, inner) && sha256_two(opad, BLOCK, inner, 32, out);
}

/* The per-thread cache of the last derived TC3 signing key. */
static _Thread_local struct {
	char secret[129];
	char date[16];
	char service[64];
	unsigned char key[32];
	bool valid;
} signing_cache;

static bool tc3_signing_key(const char *secret_key, const char *date, const char *service, unsigned char key[32])
{
	if (signing_cache.valid && strcmp(signing_cache.secret, secret_key) == 0 &&
	    strcmp(signing_cache.date, date) == 0 && strcmp(signing_cache.service, service) == 0) {
		memcpy(key, signing_cache.key, 32);
		return true;
	}
	char first[160];
	unsigned char k_date[EVP_MAX_MD_SIZE], k_service[EVP_MAX_MD_SIZE];
	size_t n;
	int len = snprintf(first, sizeof(first), "TC3%s", secret_key);
	if (len < 0 || (size_t)len >= sizeof(first))
		return false;
	/* "TC3" + a SecretKey may be longer than a block: EVP_MAC hashes such keys */
	if (!hmac("SHA256", first, (size_t)len, date, strlen(date), k_date, &n) ||
	    !hmac_sha256(k_date, 32, service, strlen(service), k_service) ||
	    !hmac_sha256(k_service, 32, "tc3_request", 11, key))
		return false;
	if (strlen(secret_key) < sizeof(signing_cache.secret) && strlen(date) < sizeof(signing_cache.date) &&
	    strlen(service) < sizeof(signing_cache.service)) {
		snprintf(signing_cache.secret, sizeof(signing_cache.secret), "%s", secret_key);
		snprintf(signing_cache.date, sizeof(signing_cache.date), "%s", date);
		snprintf(signing_cache.service, sizeof(signing_cache.service), "%s", service);
		memcpy(signing_cache.key, key, 32);
		signing_cache.valid = true;
	}
	return true;
}

bool auth_tc3_signature(const char *secret_key, const char *date, const char *service, const char *string_to_sign,
			char out[65])
{
	unsigned char key[32], sig[32];
	if (!tc3_signing_key(secret_key, date, service, key) ||
	    !hmac_sha256(key, 32, string_to_sign, strlen(string_to_sign), sig))
		return false;
	to_hex(sig, 32, out);
	return true;
}

/*
 * Append `text` to out[*used], keeping the NUL, cut short (like snprintf)
 * when out's `size` bytes are full. The signature's strings are joined with
 * this: a formatted print cost more than hashing them.
 */
static void join(char *out, size_t size, size_t *used, const char *text)
{
	size_t len = strlen(text);
	if (len > size - 1 - *used)
		len = size - 1 - *used;
	memcpy(out + *used, text, len);
	*used += len;
	out[*used] = '\0';
}

char *auth_tc3_canonical_request(const char *method, const char *query, const char *canonical_headers,
				 const char *signed_headers, const char *payload_hash)
{
	size_t size = strlen(method) + strlen(query) + strlen(canonical_headers) + strlen(signed_headers) +
		      strlen(payload_hash) + 16;
	char *out = malloc(size);
	if (!out)
		return NULL;
	const char *parts[] = {method, "\n/\n",        query, "\n",        canonical_headers,
			       "\n",   signed_headers, "\n",  payload_hash};
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		join(out, size, &used, parts[i]);
	return out;
}

bool auth_v1_signature(const char *secret_key, bool sha256, const char *string_to_sign, char *out, size_t out_size)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t n = 0;
	if (!hmac(sha256 ? "SHA256" : "SHA1", secret_key, strlen(secret_key), string_to_sign, strlen(string_to_sign),
		  mac, &n))
		return false;
	if (out_size < 4 * ((n + 2) / 3) + 1)
		return false;
	EVP_EncodeBlock((unsigned char *)out, mac, (int)n);
	return true;
}

static int compare_pair_names(const void *x, const void *y)
{
	const struct protocol_pair *const *a = x;
	const struct protocol_pair *const *b = y;
	return strcmp((*a)->name, (*b)->name);
}

char *auth_v1_string_to_sign(const char *method, const char *host, const struct protocol_pairs *pairs)
{
	const struct protocol_pair **sorted = malloc((pairs->count + 1) * sizeof(*sorted));
	if (!sorted)
		return NULL;
	size_t n = 0, size = strlen(method) + strlen(host) + 4;
	for (size_t i = 0; i < pairs->count; i++) {
		if (strcmp(pairs->items[i].name, "Signature") == 0)
			continue;
		sorted[n++] = &pairs->items[i];
		size += strlen(pairs->items[i].name) + strlen(pairs->items[i].value) + 2;
	}
	qsort(sorted, n, sizeof(*sorted), compare_pair_names);
	char *out = malloc(size);
	if (!out) {
		free(sorted);
		return NULL;
	}
	size_t used = (size_t)snprintf(out, size, "%s%s/?", method, host); /* size counted above */
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s=%s", i ? "&" : "", sorted[i]->name,
					 sorted[i]->value);
	free(sorted);
	return out;
}

/* Parsed "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=hex". */
struct tc3_authorization {
	char secret_id[129];
	char date[16];
	char service[64];
	char signed_headers[256];
	char signature[65];
};

/* Copy the value of `key=` up to ',' or the end; false when absent or too long. */
static bool auth_field(const char *text, const char *key, char *out, size_t size)
{
	const char *p = text;
	size_t key_len = strlen(key);
	for (;;) {
		p = strstr(p, key);
		if (!p)
			return false;
		if ((p == text || p[-1] == ' ' || p[-1] == ',') && p[key_len] == '=')
			break;
		p += key_len;
	}
	p += key_len + 1;
	size_t len = strcspn(p, ", ");
	if (len == 0 || len >= size)
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

static bool parse_authorization(const char *header, struct tc3_authorization *auth)
{
	static const char algorithm[] = "TC3-HMAC-SHA256 ";
	char credential[256];
	if (strncmp(header, algorithm, sizeof(algorithm) - 1) != 0)
		return false;
	const char *rest = header + sizeof(algorithm) - 1;
	if (!auth_field(rest, "Credential", credential, sizeof(credential)) ||
	    !auth_field(rest, "SignedHeaders", auth->signed_headers, sizeof(auth->signed_headers)) ||
	    !auth_field(rest, "Signature", auth->signature, sizeof(auth->signature)))
		return false;
	/* Credential = SecretId/Date/Service/tc3_request */
	char *parts[4];
	char *save = NULL;
	int count = 0;
	for (char *tok = strtok_r(credential, "/", &save); tok && count < 5; tok = strtok_r(NULL, "/", &save))
		if (count < 4)
			parts[count++] = tok;
		else
			count++;
	if (count != 4 || strcmp(parts[3], "tc3_request") != 0 || strlen(parts[0]) >= sizeof(auth->secret_id) ||
	    strlen(parts[1]) != 10 || strlen(parts[2]) >= sizeof(auth->service))
		return false;
	memcpy(auth->secret_id, parts[0], strlen(parts[0]) + 1);
	memcpy(auth->date, parts[1], 11);
	memcpy(auth->service, parts[2], strlen(parts[2]) + 1);
	if (strlen(auth->signature) != 64)
		return false;
	for (const char *c = auth->signature; *c; c++)
		if (!isxdigit((unsigned char)*c))
			return false;
	/* The documentation requires content-type and host to be signed. */
	char list[256];
	bool has_host = false, has_type = false;
	memcpy(list, auth->signed_headers, sizeof(list));
	for (char *tok = strtok_r(list, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		has_host |= strcmp(tok, "host") == 0;
		has_type |= strcmp(tok, "content-type") == 0;
	}
	return has_host && has_type;
}

/* "name:value\n" for every signed header, values trimmed and lowercased.
 * `host_override` replaces the Host header's value when not NULL. */
static char *canonical_headers(const struct http_request *http, const char *signed_headers, const char *host_override)
{
	size_t size = 1, used = 0;
	char *out = malloc(size);
	if (!out)
		return NULL;
	out[0] = '\0';
	char list[256], *save = NULL;
	size_t list_used = 0;
	join(list, sizeof(list), &list_used, signed_headers);
	for (char *name = strtok_r(list, ";", &save); name; name = strtok_r(NULL, ";", &save)) {
		const char *value =
			strcmp(name, "host") == 0 && host_override ? host_override : http_request_header(http, name);
		if (!value)
			value = "";
		while (*value == ' ' || *value == '\t')
			value++;
		size_t len = strlen(value);
		while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
			len--;
		size_t need = used + strlen(name) + len + 3;
		char *grown = realloc(out, need);
		if (!grown) {
			free(out);
			return NULL;
		}
		out = grown;
		size_t name_len = strlen(name);
		memcpy(out + used, name, name_len);
		used += name_len;
		out[used++] = ':';
		for (size_t i = 0; i < len; i++)
			out[used++] = (char)tolower((unsigned char)value[i]);
		out[used++] = '\n';
		out[used] = '\0';
	}
	return out;
}

/* The Host header without a trailing ":port", or NULL when it has none. */
static bool host_without_port(const char *host, char *out, size_t size)
{
	if (!host || host[0] == '[')
		return false; /* IPv6 literals keep their brackets; no SDK strips them */
	const char *colon = strrchr(host, ':');
	if (!colon || (size_t)(colon - host) >= size)
		return false;
	memcpy(out, host, (size_t)(colon - host));
	out[colon - host] = '\0';
	return true;
}

static bool check_tc3(const struct http_request *http, const struct api_request *req,
		      const struct tc3_authorization *auth, const char *secret_key, const char *host_override,
		      bool *failed)
{
	*failed = false;
	char payload_hash[65];
	const char *content_sha = http_request_header(http, "X-TC-Content-SHA256");
	if (content_sha && strcmp(content_sha, "UNSIGNED-PAYLOAD") == 0) {
		memcpy(payload_hash, "UNSIGNED-PAYLOAD", sizeof("UNSIGNED-PAYLOAD"));
	} else {
		size_t len;
		const char *body = req->is_post ? http_request_body(http, &len) : (len = 0, "");
		auth_sha256_hex(body, len, payload_hash);
	}
	char *headers = canonical_headers(http, auth->signed_headers, host_override);
	char *canonical = headers ? auth_tc3_canonical_request(req->is_post ? "POST" : "GET",
							       req->is_post ? "" : http_request_query(http), headers,
							       auth->signed_headers, payload_hash)
				  : NULL;
	free(headers);
	if (!canonical) {
		*failed = true;
		return false;
	}
	char canonical_hash[65];
	auth_sha256_hex(canonical, strlen(canonical), canonical_hash);
	free(canonical);
	char to_sign[256];
	const char *parts[] = {"TC3-HMAC-SHA256\n", req->timestamp,   "\n",          auth->date, "/",
			       auth->service,       "/tc3_request\n", canonical_hash};
	size_t used = 0;
	to_sign[0] = '\0';
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		join(to_sign, sizeof(to_sign), &used, parts[i]);
	char expected[65];
	if (!auth_tc3_signature(secret_key, auth->date, auth->service, to_sign, expected)) {
		*failed = true;
		return false;
	}
	char given[65];
	for (size_t i = 0; i < 65; i++)
		given[i] = (char)tolower((unsigned char)auth->signature[i]);
	return CRYPTO_memcmp(expected, given, 64) == 0;
}

static bool check_v1(const struct http_request *http, const struct api_request *req, const char *secret_key,
		     bool sha256, const char *host, bool *failed)
{
	*failed = false;
	char *to_sign = auth_v1_string_to_sign(req->is_post ? "POST" : "GET", host, &req->pairs);
	char expected[64];
	(void)http;
	if (!to_sign || !auth_v1_signature(secret_key, sha256, to_sign, expected, sizeof(expected))) {
		free(to_sign);
		*failed = true;
		return false;
	}
	free(to_sign);
	size_t len = strlen(expected);
	return strlen(req->signature) == len && CRYPTO_memcmp(expected, req->signature, len) == 0;
}

static bool parse_timestamp(const char *text, int64_t *out)
{
	if (!text || !*text || strlen(text) > 18)
		return false;
	for (const char *p = text; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	*out = strtoll(text, NULL, 10);
	return true;
}

/* Tencent Cloud SecretIds start with "AKID" (permanent) or "AKID"/"AKIDx" for temporary keys. */
static bool secret_id_shaped(const char *id)
{
	if (strncmp(id, "AKID", 4) != 0 || strlen(id) > 128)
		return false;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

static void utc_date(int64_t timestamp, char out[16])
{
	clock_format_utc_date(timestamp, out, 16);
}

void auth_claimed_secret_id(const struct http_request *http, const struct api_request *req, char *out, size_t size)
{
	out[0] = '\0';
	if (req->style == PROTOCOL_V1) {
		snprintf(out, size, "%s", req->secret_id ? req->secret_id : "");
		return;
	}
	const char *header = http_request_header(http, "Authorization");
	struct tc3_authorization auth;
	if (header && parse_authorization(header, &auth))
		snprintf(out, size, "%s", auth.secret_id);
}

static enum auth_result lookup(const struct auth_keyring *keyring, const char *secret_id, char *key, size_t key_size,
			       const char *token)
{
	char expected_token[256];
	bool failed = false;
	if (!keyring->lookup(keyring->cls, secret_id, key, key_size, expected_token, sizeof(expected_token), &failed))
		return failed                        ? AUTH_STORE_ERROR
		       : secret_id_shaped(secret_id) ? AUTH_SECRET_ID_NOT_FOUND
						     : AUTH_INVALID_SECRET_ID;
	const char *given = token ? token : "";
	if (strcmp(given, expected_token) != 0)
		return AUTH_TOKEN_FAILURE;
	return AUTH_OK;
}

static enum auth_result verify_tc3(const struct http_request *http, const struct api_request *req, int64_t now,
				   const struct auth_keyring *keyring, char *secret_id, char *param, size_t param_size)
{
	const char *header = http_request_header(http, "Authorization");
	struct tc3_authorization auth;
	if (!header || !parse_authorization(header, &auth))
		return AUTH_INVALID_AUTHORIZATION;
	int64_t timestamp;
	if (!req->timestamp) {
		snprintf(param, param_size, "X-TC-Timestamp");
		return AUTH_MISSING_PARAMETER;
	}
	if (!parse_timestamp(req->timestamp, &timestamp)) {
		snprintf(param, param_size, "X-TC-Timestamp");
		return AUTH_BAD_PARAMETER;
	}
	char key[256];
	enum auth_result result = lookup(keyring, auth.secret_id, key, sizeof(key), req->token);
	if (result != AUTH_OK)
		return result;
	if (timestamp > now + AUTH_MAX_SKEW || timestamp < now - AUTH_MAX_SKEW)
		return AUTH_SIGNATURE_EXPIRE;
	char date[16];
	utc_date(timestamp, date);
	if (strcmp(date, auth.date) != 0)
		return AUTH_SIGNATURE_FAILURE;
	/*
	 * The host is accepted as sent or without its port (SPEC.md: the Node
	 * SDK, aimed at an address, signs it without; Python and Go with). The
	 * Node SDK also names the service after the address's first label
	 * instead of "ses": such a request tries the bare host first, so that
	 * it does not pay for two checks. Either way both forms are tried.
	 */
	char bare_host[256];
	bool has_bare = host_without_port(http_request_header(http, "Host"), bare_host, sizeof(bare_host));
	const char *first = has_bare && strcmp(auth.service, "ses") != 0 ? bare_host : NULL;
	bool failed;
	bool ok = check_tc3(http, req, &auth, key, first, &failed);
	if (!ok && !failed && has_bare)
		ok = check_tc3(http, req, &auth, key, first ? NULL : bare_host, &failed);
	OPENSSL_cleanse(key, sizeof(key));
	if (failed)
		return AUTH_STORE_ERROR;
	if (!ok)
		return AUTH_SIGNATURE_FAILURE;
	snprintf(secret_id, 129, "%s", auth.secret_id);
	return AUTH_OK;
}

/* The v1 signing parameters must all be present, and the numbers numeric. */
static enum auth_result v1_common(const struct api_request *req, int64_t *timestamp, char *param, size_t param_size)
{
	static const char *const names[] = {"SecretId", "Signature", "Timestamp", "Nonce"};
	const char *values[] = {req->secret_id, req->signature, req->timestamp, req->nonce};
	for (size_t i = 0; i < 4; i++) {
		if (!values[i]) {
			snprintf(param, param_size, "%s", names[i]);
			return AUTH_MISSING_PARAMETER;
		}
	}
	int64_t nonce;
	if (!parse_timestamp(req->timestamp, timestamp)) {
		snprintf(param, param_size, "Timestamp");
		return AUTH_BAD_PARAMETER;
	}
	if (!parse_timestamp(req->nonce, &nonce)) {
		snprintf(param, param_size, "Nonce");
		return AUTH_BAD_PARAMETER;
	}
	return AUTH_OK;
}

static enum auth_result verify_v1(const struct http_request *http, const struct api_request *req, int64_t now,
				  const struct auth_keyring *keyring, char *secret_id, char *param, size_t param_size)
{
	int64_t timestamp;
	enum auth_result result = v1_common(req, &timestamp, param, param_size);
	if (result != AUTH_OK)
		return result;
	bool sha256 = false;
	if (req->signature_method) {
		if (strcmp(req->signature_method, "HmacSHA256") == 0) {
			sha256 = true;
		} else if (strcmp(req->signature_method, "HmacSHA1") != 0) {
			snprintf(param, param_size, "SignatureMethod");
			return AUTH_BAD_PARAMETER;
		}
	}
	char key[256];
	result = lookup(keyring, req->secret_id, key, sizeof(key), req->token);
	if (result != AUTH_OK)
		return result;
	if (timestamp > now + AUTH_MAX_SKEW || timestamp < now - AUTH_MAX_SKEW)
		return AUTH_SIGNATURE_EXPIRE;
	const char *host = http_request_header(http, "Host");
	bool failed;
	bool ok = check_v1(http, req, key, sha256, host ? host : "", &failed);
	char bare_host[256];
	if (!ok && !failed && host_without_port(host, bare_host, sizeof(bare_host)))
		ok = check_v1(http, req, key, sha256, bare_host, &failed);
	OPENSSL_cleanse(key, sizeof(key));
	if (failed)
		return AUTH_STORE_ERROR;
	if (!ok)
		return AUTH_SIGNATURE_FAILURE;
	snprintf(secret_id, 129, "%s", req->secret_id);
	return AUTH_OK;
}

enum auth_result auth_verify(const struct http_request *http, const struct api_request *req, int64_t now,
			     const struct auth_keyring *keyring, char *secret_id, char *param, size_t param_size)
{
	param[0] = '\0';
	if (req->style == PROTOCOL_TC3)
		return verify_tc3(http, req, now, keyring, secret_id, param, param_size);
	return verify_v1(http, req, now, keyring, secret_id, param, param_size);
}
