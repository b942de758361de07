/*
 * Focus: the signature primitives of server/api/auth.c against the vectors
 * of SPEC.md §2.3 (TC3-HMAC-SHA256) and §2.4 (HmacSHA1/HmacSHA256): SHA-256
 * hex, the TC3 canonical request and HMAC chain, the v1 string to sign
 * (ASCII order, raw values, Signature left out) and the v1 Base64 HMAC.
 *
 * The constants are copied here from the spec (the repository never reads
 * ../shared); where the spec gives no vector (HmacSHA256 v1, the signing-key
 * cache) the expected value was recomputed with Python's hmac/hashlib.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "protocol.h"
#include "unit.h"

/* SPEC.md §2.3, "Documented (key-independent part)". The body holds the
 * literal six-character escapes \uXXXX, as on the signature-v3 page. */
static const char doc_body[] =
	"{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}";
static const char doc_payload_hash[] = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064";
static const char doc_canonical_hash[] = "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84";

/* SPEC.md §2.3, "SDK-checked vector". */
static const char sdk_secret_key[] = "EXAMPLEsecretKEY0123456789";
static const char sdk_body[] = "{\"Limit\": 10, \"Offset\": 0}";
static const char sdk_payload_hash[] = "97da0f0198f9a81de57b659f3a1e4b900eaf3b09af8db528a6b03865b64fe4f6";
static const char sdk_canonical_hash[] = "1d8ac95cf7bd1dc6829a1f96ea7e955a8e4f34a8b7bbecc9837bba40401b56f6";
static const char sdk_signature[] = "7ad00c60efb309405b1ba6ba334b5f92316d4af5a07d519e461a084253ae3ce3";
static const char sdk_string_to_sign[] = "TC3-HMAC-SHA256\n1700000000\n2023-11-14/ses/tc3_request\n"
					 "1d8ac95cf7bd1dc6829a1f96ea7e955a8e4f34a8b7bbecc9837bba40401b56f6";

/* SPEC.md §2.4 step 3 and 4. */
static const char v1_secret_key[] = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
static const char v1_string_to_sign[] =
	"GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886"
	"&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768"
	"&Version=2017-03-12";
static const char v1_sha1_signature[] = "EliP9YW3pW28FpsEdkXt/+WcGeI=";
/* Recomputed (Python hmac, SHA-256) over the same string and key. */
static const char v1_sha256_signature[] = "bR/zQ3QqOmcEYeRv71IzG/NxfisUDgy9cqRMQC+UB5g=";

static void test_sha256(void)
{
	char hex[65];
	auth_sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	auth_sha256_hex(doc_body, strlen(doc_body), hex);
	CHECK_STR(hex, doc_payload_hash);
	auth_sha256_hex(sdk_body, strlen(sdk_body), hex);
	CHECK_STR(hex, sdk_payload_hash);
}

static void test_tc3_documented_canonical_request(void)
{
	char *canonical = auth_tc3_canonical_request(
		"POST", "",
		"content-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n"
		"x-tc-action:describeinstances\n",
		"content-type;host;x-tc-action", doc_payload_hash);
	if (!CHECK(canonical != NULL))
		return;
	char hex[65];
	auth_sha256_hex(canonical, strlen(canonical), hex);
	CHECK_STR(hex, doc_canonical_hash);
	free(canonical);
}

static void test_tc3_sdk_vector(void)
{
	char *canonical =
		auth_tc3_canonical_request("POST", "", "content-type:application/json\nhost:127.0.0.1:18765\n",
					   "content-type;host", sdk_payload_hash);
	if (!CHECK(canonical != NULL))
		return;
	/* Six parts joined by \n, no trailing newline (SPEC.md §2.3 step 1). */
	CHECK_STR(canonical, "POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1:18765\n\ncontent-type;host\n"
			     "97da0f0198f9a81de57b659f3a1e4b900eaf3b09af8db528a6b03865b64fe4f6");
	char hex[65];
	auth_sha256_hex(canonical, strlen(canonical), hex);
	CHECK_STR(hex, sdk_canonical_hash);
	free(canonical);

	char signature[65];
	CHECK(auth_tc3_signature(sdk_secret_key, "2023-11-14", "ses", sdk_string_to_sign, signature));
	CHECK_STR(signature, sdk_signature);
}

/* The GET form: the query string sits in the third part, the empty-body hash in the last. */
static void test_tc3_get_canonical_request(void)
{
	char *canonical = auth_tc3_canonical_request(
		"GET", "Limit=10&Offset=0", "content-type:application/x-www-form-urlencoded\nhost:h\n",
		"content-type;host", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	if (!CHECK(canonical != NULL))
		return;
	CHECK_STR(canonical, "GET\n/\nLimit=10&Offset=0\ncontent-type:application/x-www-form-urlencoded\nhost:h\n\n"
			     "content-type;host\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	free(canonical);
}

/* The per-thread signing-key cache must never answer for another secret or date. */
static void test_tc3_signing_key_cache(void)
{
	char signature[65];
	CHECK(auth_tc3_signature(sdk_secret_key, "2023-11-14", "ses", sdk_string_to_sign, signature));
	CHECK_STR(signature, sdk_signature);
	CHECK(auth_tc3_signature("otherKEY", "2023-11-14", "ses", sdk_string_to_sign, signature));
	CHECK_STR(signature, "07b0adf3c2a2c43930e28e7e31067975880afcca266900c82afa87c7346eb822");
	CHECK(auth_tc3_signature(sdk_secret_key, "2023-11-15", "ses", sdk_string_to_sign, signature));
	CHECK_STR(signature, "24b40b51c58189ed564fa444c5bae4b3b91741e0fb714613614ae43d88cb0aaa");
	CHECK(auth_tc3_signature(sdk_secret_key, "2023-11-14", "ses", sdk_string_to_sign, signature));
	CHECK_STR(signature, sdk_signature);
	CHECK(auth_tc3_signature(sdk_secret_key, "2023-11-14", "cvm", sdk_string_to_sign, signature));
	CHECK(strcmp(signature, sdk_signature) != 0);
}

static void test_v1_signature(void)
{
	char out[64];
	CHECK(auth_v1_signature(v1_secret_key, false, v1_string_to_sign, out, sizeof(out)));
	CHECK_STR(out, v1_sha1_signature);
	CHECK(auth_v1_signature(v1_secret_key, true, v1_string_to_sign, out, sizeof(out)));
	CHECK_STR(out, v1_sha256_signature);
	/* 28 characters + NUL for SHA-1, 44 + NUL for SHA-256: one byte less is refused. */
	CHECK(auth_v1_signature(v1_secret_key, false, v1_string_to_sign, out, 29));
	CHECK(!auth_v1_signature(v1_secret_key, false, v1_string_to_sign, out, 28));
	CHECK(auth_v1_signature(v1_secret_key, true, v1_string_to_sign, out, 45));
	CHECK(!auth_v1_signature(v1_secret_key, true, v1_string_to_sign, out, 44));
}

static char *string_to_sign_of(const char *method, const char *host, const char *query)
{
	struct protocol_pairs pairs = {0};
	char *out = NULL;
	if (CHECK(protocol_parse_pairs(query, strlen(query), &pairs)))
		out = auth_v1_string_to_sign(method, host, &pairs);
	protocol_pairs_finish(&pairs);
	return out;
}

static void test_v1_string_to_sign(void)
{
	/* The documented parameters, shuffled, percent-encoded as sent, with the signature. */
	char *s =
		string_to_sign_of("GET", "cvm.tencentcloudapi.com",
				  "Version=2017-03-12&Signature=EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D&Nonce=11886"
				  "&Region=ap-guangzhou&Timestamp=1465185768&Offset=0&Action=DescribeInstances"
				  "&InstanceIds.0=ins-09dx96dg&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Limit=20");
	CHECK_STR(s, v1_string_to_sign);
	char out[64];
	if (s && CHECK(auth_v1_signature(v1_secret_key, false, s, out, sizeof(out))))
		CHECK_STR(out, v1_sha1_signature);
	free(s);

	/* ASCII order, not natural order: InstanceIds.12 before InstanceIds.2 (§2.4 step 1). */
	s = string_to_sign_of("GET", "h", "InstanceIds.2=b&InstanceIds.12=a&Action=X");
	CHECK_STR(s, "GETh/?Action=X&InstanceIds.12=a&InstanceIds.2=b");
	free(s);

	/* Raw, decoded values (step 2); the host keeps its port; POST in capitals. */
	s = string_to_sign_of("POST", "127.0.0.1:4590", "Subject=a+b%26c%3Dd&Action=SendEmail&Signature=x");
	CHECK_STR(s, "POST127.0.0.1:4590/?Action=SendEmail&Subject=a b&c=d");
	free(s);

	/* Only the Signature pair: nothing after "?". */
	s = string_to_sign_of("GET", "h", "Signature=abc");
	CHECK_STR(s, "GETh/?");
	free(s);

	/* Empty values keep their '='. */
	s = string_to_sign_of("GET", "h", "B=&A=1");
	CHECK_STR(s, "GETh/?A=1&B=");
	free(s);
}

int main(void)
{
	test_sha256();
	test_tc3_documented_canonical_request();
	test_tc3_sdk_vector();
	test_tc3_get_canonical_request();
	test_tc3_signing_key_cache();
	test_v1_signature();
	test_v1_string_to_sign();
	return unit_finish("auth");
}
