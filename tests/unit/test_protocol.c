/*
 * Focus: server/api/protocol.c without HTTP: url-decoding of query strings
 * and form bodies (protocol_parse_pairs), the list of v1 common parameters,
 * and protocol_request_params rebuilding flattened names (Destination.0,
 * Template.TemplateID, Attachments.0.FileName) into nested, typed JSON by the
 * generated schemas of SendEmail and UpdateEmailIdentity: element order,
 * index gaps and forms, unknown names, wrong types, duplicates; and the
 * bytes every parameter must have (UTF-8, no NUL) in pairs and JSON bodies,
 * through requests made with http_request_create_detached().
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../server/http.h"
#include "api_gen.h"
#include "protocol.h"
#include "unit.h"

/* Parse `text` into a fresh pair list; false when the parser refused it. */
static bool parse(const char *text, struct protocol_pairs *pairs)
{
	memset(pairs, 0, sizeof(*pairs));
	return protocol_parse_pairs(text, strlen(text), pairs);
}

static void test_parse_pairs(void)
{
	struct protocol_pairs pairs;
	if (CHECK(parse("a=1&b=%20x&c=x+y+%2B", &pairs)) && CHECK_INT(pairs.count, 3)) {
		CHECK_STR(pairs.items[0].name, "a");
		CHECK_STR(pairs.items[0].value, "1");
		CHECK_STR(pairs.items[1].name, "b");
		CHECK_STR(pairs.items[1].value, " x");
		CHECK_STR(pairs.items[2].value, "x y +");
	}
	protocol_pairs_finish(&pairs);

	/* Hex digits in either case; names are decoded too; '=' may appear in a value. */
	if (CHECK(parse("n%2Em%2e=%41%4a%4A&k=a=b", &pairs)) && CHECK_INT(pairs.count, 2)) {
		CHECK_STR(pairs.items[0].name, "n.m.");
		CHECK_STR(pairs.items[0].value, "AJJ");
		CHECK_STR(pairs.items[1].value, "a=b");
	}
	protocol_pairs_finish(&pairs);

	/* Empty values, a missing '=', and empty segments between '&'. */
	if (CHECK(parse("&&e=&m&&x=1&", &pairs)) && CHECK_INT(pairs.count, 3)) {
		CHECK_STR(pairs.items[0].name, "e");
		CHECK_STR(pairs.items[0].value, "");
		CHECK_STR(pairs.items[1].name, "m");
		CHECK_STR(pairs.items[1].value, "");
		CHECK_STR(pairs.items[2].value, "1");
	}
	protocol_pairs_finish(&pairs);

	/* Order and duplicates are kept as sent. */
	if (CHECK(parse("b=2&a=1&b=3", &pairs)) && CHECK_INT(pairs.count, 3)) {
		CHECK_STR(pairs.items[0].value, "2");
		CHECK_STR(pairs.items[2].value, "3");
	}
	protocol_pairs_finish(&pairs);

	/* Only `len` bytes are read. */
	memset(&pairs, 0, sizeof(pairs));
	if (CHECK(protocol_parse_pairs("a=1&b=2", 3, &pairs)) && CHECK_INT(pairs.count, 1))
		CHECK_STR(pairs.items[0].value, "1");
	protocol_pairs_finish(&pairs);

	CHECK(parse("", &pairs));
	CHECK_INT(pairs.count, 0);
	protocol_pairs_finish(&pairs);

	/* Bad escapes, in values and names, at the end and in the middle. */
	static const char *const bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "a=x%", "%=1", "a%2=1", "a=1&b=%G0"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!CHECK(!parse(bad[i], &pairs)))
			fprintf(stderr, "  accepted: %s\n", bad[i]);
		protocol_pairs_finish(&pairs);
	}
}

static void test_is_common(void)
{
	static const char *const common[] = {"Action", "Version",  "Region",       "Timestamp",
					     "Nonce",  "SecretId", "Signature",    "SignatureMethod",
					     "Token",  "Language", "RequestClient"};
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		CHECK(protocol_is_common(common[i]));
	CHECK(!protocol_is_common("action"));
	CHECK(!protocol_is_common("Destination"));
	CHECK(!protocol_is_common("Subject"));
	CHECK(!protocol_is_common(""));
	CHECK(!protocol_is_common("Action.0"));
}

/*
 * The params of `action` for a request of `style` whose pairs are `query`,
 * printed unformatted (caller frees); NULL with `error` set on a refusal.
 */
static char *params_of(enum protocol_style style, const char *action, const char *query, struct protocol_error *error)
{
	struct api_request req;
	memset(&req, 0, sizeof(req));
	memset(error, 0, sizeof(*error));
	req.style = style;
	char *printed = NULL;
	const struct api_action *row = api_action_lookup(action);
	if (CHECK(row != NULL) && CHECK(parse(query, &req.pairs))) {
		cJSON *params = protocol_request_params(&req, row->input, error);
		if (params) {
			printed = cJSON_PrintUnformatted(params);
			CHECK(printed != NULL);
			cJSON_Delete(params);
		}
	}
	protocol_request_finish(&req);
	return printed;
}

/* Check that `query` gives exactly the JSON `want`. */
#define CHECK_PARAMS(action, query, want)                                                                              \
	do {                                                                                                           \
		struct protocol_error error_;                                                                          \
		char *got_ = params_of(PROTOCOL_V1, (action), (query), &error_);                                       \
		if (!CHECK_STR(got_, (want)))                                                                          \
			fprintf(stderr, "  error %d param \"%s\"\n", (int)error_.code, error_.param);                  \
		free(got_);                                                                                            \
	} while (0)

/* Check that `query` is refused with `want_code`, naming `want_param`. */
#define CHECK_REFUSED(action, query, want_code, want_param)                                                            \
	do {                                                                                                           \
		struct protocol_error error_;                                                                          \
		char *got_ = params_of(PROTOCOL_V1, (action), (query), &error_);                                       \
		if (!CHECK(got_ == NULL))                                                                              \
			fprintf(stderr, "  accepted: %s -> %s\n", (query), got_);                                      \
		CHECK_INT(error_.code, (want_code));                                                                   \
		CHECK_STR(error_.param, (want_param));                                                                 \
		free(got_);                                                                                            \
	} while (0)

static void test_arrays(void)
{
	CHECK_PARAMS("SendEmail", "Destination.0=a%40x.com&Destination.1=b%40x.com",
		     "{\"Destination\":[\"a@x.com\",\"b@x.com\"]}");
	/* Pairs in any order; elements in index order. */
	CHECK_PARAMS("SendEmail", "Destination.1=b&Cc.0=c&Destination.0=a",
		     "{\"Cc\":[\"c\"],\"Destination\":[\"a\",\"b\"]}");
	/* Natural order: .10 after .9, not after .1. */
	CHECK_PARAMS("SendEmail",
		     "Destination.10=k&Destination.2=c&Destination.9=j&Destination.1=b&Destination.0=a&Destination.3=d"
		     "&Destination.4=e&Destination.5=f&Destination.6=g&Destination.7=h&Destination.8=i",
		     "{\"Destination\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]}");
	/* Empty string elements are kept. */
	CHECK_PARAMS("SendEmail", "Destination.0=&Destination.1=x", "{\"Destination\":[\"\",\"x\"]}");

	/* A gap, or an index that does not start at 0. */
	CHECK_REFUSED("SendEmail", "Destination.1=b", ERR_INVALID_PARAMETER, "Destination.1");
	CHECK_REFUSED("SendEmail", "Destination.0=a&Destination.2=c", ERR_INVALID_PARAMETER, "Destination.2");
	/* The same element twice. */
	CHECK_REFUSED("SendEmail", "Destination.0=a&Destination.0=b", ERR_INVALID_PARAMETER, "Destination.0");
	/* Index forms that are not a plain decimal. */
	CHECK_REFUSED("SendEmail", "Destination.01=a", ERR_INVALID_PARAMETER, "Destination.01");
	CHECK_REFUSED("SendEmail", "Destination.x=a", ERR_INVALID_PARAMETER, "Destination.x");
	CHECK_REFUSED("SendEmail", "Destination.-1=a", ERR_INVALID_PARAMETER, "Destination.-1");
	CHECK_REFUSED("SendEmail", "Destination.=a", ERR_INVALID_PARAMETER, "Destination.");
	CHECK_REFUSED("SendEmail", "Destination.1a=a", ERR_INVALID_PARAMETER, "Destination.1a");
	/* An array given without an index. */
	CHECK_REFUSED("SendEmail", "Destination=a", ERR_INVALID_PARAMETER, "Destination");
	/* A string element has no members. */
	CHECK_REFUSED("SendEmail", "Destination.0.Name=a", ERR_UNKNOWN_PARAMETER, "Destination.0.Name");
}

static void test_structures(void)
{
	CHECK_PARAMS("SendEmail", "Template.TemplateID=5&Template.TemplateData=%7B%22a%22%3A1%7D",
		     "{\"Template\":{\"TemplateData\":\"{\\\"a\\\":1}\",\"TemplateID\":5}}");
	CHECK_PARAMS("SendEmail",
		     "Attachments.0.FileName=a.txt&Attachments.0.Content=QQ%3D%3D&Attachments.1.FileName=b",
		     "{\"Attachments\":[{\"Content\":\"QQ==\",\"FileName\":\"a.txt\"},{\"FileName\":\"b\"}]}");
	/* Structured elements in natural order too. */
	CHECK_PARAMS("SendEmail",
		     "Attachments.10.FileName=k&Attachments.0.FileName=a&Attachments.1.FileName=b"
		     "&Attachments.2.FileName=c&Attachments.3.FileName=d&Attachments.4.FileName=e"
		     "&Attachments.5.FileName=f&Attachments.6.FileName=g&Attachments.7.FileName=h"
		     "&Attachments.8.FileName=i&Attachments.9.FileName=j",
		     "{\"Attachments\":[{\"FileName\":\"a\"},{\"FileName\":\"b\"},{\"FileName\":\"c\"},"
		     "{\"FileName\":\"d\"},{\"FileName\":\"e\"},{\"FileName\":\"f\"},{\"FileName\":\"g\"},"
		     "{\"FileName\":\"h\"},{\"FileName\":\"i\"},{\"FileName\":\"j\"},{\"FileName\":\"k\"}]}");

	CHECK_REFUSED("SendEmail", "Attachments.1.FileName=b", ERR_INVALID_PARAMETER, "Attachments.1.FileName");
	CHECK_REFUSED("SendEmail", "Attachments.0=x", ERR_INVALID_PARAMETER, "Attachments.0");
	CHECK_REFUSED("SendEmail", "Attachments.0.FileName=a&Attachments.0.FileName=b", ERR_INVALID_PARAMETER,
		      "Attachments.0.FileName");
	CHECK_REFUSED("SendEmail", "Attachments.0.Size=1", ERR_UNKNOWN_PARAMETER, "Attachments.0.Size");
	CHECK_REFUSED("SendEmail", "Template=5", ERR_INVALID_PARAMETER, "Template");
	CHECK_REFUSED("SendEmail", "Template.Name=x", ERR_UNKNOWN_PARAMETER, "Template.Name");
	CHECK_REFUSED("SendEmail", "Subject.x=1", ERR_UNKNOWN_PARAMETER, "Subject.x");
}

static void test_types(void)
{
	CHECK_PARAMS("SendEmail", "TriggerType=1", "{\"TriggerType\":1}");
	CHECK_PARAMS("SendEmail", "TriggerType=0", "{\"TriggerType\":0}");
	CHECK_REFUSED("SendEmail", "TriggerType=abc", ERR_INVALID_PARAMETER, "TriggerType");
	CHECK_REFUSED("SendEmail", "TriggerType=-1", ERR_INVALID_PARAMETER, "TriggerType");
	CHECK_REFUSED("SendEmail", "TriggerType=1.5", ERR_INVALID_PARAMETER, "TriggerType");
	CHECK_REFUSED("SendEmail", "TriggerType=", ERR_INVALID_PARAMETER, "TriggerType");
	CHECK_REFUSED("SendEmail", "TriggerType=+1", ERR_INVALID_PARAMETER, "TriggerType");
	CHECK_REFUSED("SendEmail", "TriggerType=%201", ERR_INVALID_PARAMETER, "TriggerType");
	CHECK_REFUSED("SendEmail", "TriggerType=1e3", ERR_INVALID_PARAMETER, "TriggerType");
	CHECK_REFUSED("SendEmail", "Template.TemplateID=x", ERR_INVALID_PARAMETER, "Template.TemplateID");

	/* Both spellings of the SDKs (Node true/false, Python True/False), nothing else. */
	CHECK_PARAMS("UpdateEmailIdentity", "EmailIdentity=a.com&NewAPI=true",
		     "{\"EmailIdentity\":\"a.com\",\"NewAPI\":true}");
	CHECK_PARAMS("UpdateEmailIdentity", "NewAPI=True", "{\"NewAPI\":true}");
	CHECK_PARAMS("UpdateEmailIdentity", "NewAPI=false", "{\"NewAPI\":false}");
	CHECK_PARAMS("UpdateEmailIdentity", "NewAPI=False", "{\"NewAPI\":false}");
	CHECK_REFUSED("UpdateEmailIdentity", "NewAPI=yes", ERR_INVALID_PARAMETER, "NewAPI");
	CHECK_REFUSED("UpdateEmailIdentity", "NewAPI=", ERR_INVALID_PARAMETER, "NewAPI");
	CHECK_REFUSED("UpdateEmailIdentity", "NewAPI=TRUE", ERR_INVALID_PARAMETER, "NewAPI");

	/* Strings stay strings, whatever they look like. */
	CHECK_PARAMS("SendEmail", "Subject=5", "{\"Subject\":\"5\"}");
	CHECK_PARAMS("SendEmail", "Subject=", "{\"Subject\":\"\"}");
}

static void test_names(void)
{
	CHECK_REFUSED("SendEmail", "Foo=1", ERR_UNKNOWN_PARAMETER, "Foo");
	/* Names are case-sensitive. */
	CHECK_REFUSED("SendEmail", "subject=x", ERR_UNKNOWN_PARAMETER, "subject");
	CHECK_REFUSED("SendEmail", "Subject=a&Subject=b", ERR_INVALID_PARAMETER, "Subject");
	/* A parameter of another action. */
	CHECK_REFUSED("UpdateEmailIdentity", "Subject=x", ERR_UNKNOWN_PARAMETER, "Subject");

	/* The v1 common parameters are not action parameters. */
	CHECK_PARAMS("SendEmail",
		     "Action=SendEmail&Version=2020-10-02&Region=ap-guangzhou&Timestamp=1&Nonce=2&SecretId=AKIDx"
		     "&Signature=s&SignatureMethod=HmacSHA256&Token=t&Language=en-US&RequestClient=SDK&Subject=hi",
		     "{\"Subject\":\"hi\"}");
	CHECK_PARAMS("SendEmail", "Action=SendEmail", "{}");

	/* Under TC3 the common parameters travel in headers, so in a query they are unknown. */
	struct protocol_error error;
	char *got = params_of(PROTOCOL_TC3, "SendEmail", "Action=SendEmail&Subject=hi", &error);
	CHECK(got == NULL);
	CHECK_INT(error.code, ERR_UNKNOWN_PARAMETER);
	CHECK_STR(error.param, "Action");
	free(got);
	got = params_of(PROTOCOL_TC3, "SendEmail", "Destination.1=b&Destination.0=a", &error);
	CHECK_STR(got, "{\"Destination\":[\"a\",\"b\"]}");
	free(got);
}

/* A TC3 JSON body is handed over as is, once. */
static void test_json_body(void)
{
	struct api_request req;
	struct protocol_error error;
	memset(&req, 0, sizeof(req));
	memset(&error, 0, sizeof(error));
	req.style = PROTOCOL_TC3;
	req.is_post = true;
	req.json = cJSON_Parse("{\"Whatever\":[1,2]}");
	cJSON *body = req.json;
	cJSON *params = protocol_request_params(&req, api_action_lookup("SendEmail")->input, &error);
	CHECK(params == body);
	CHECK(req.json == NULL);
	cJSON_Delete(params);
	protocol_request_finish(&req);
}

/* Whether `query` is refused for SendEmail as InvalidParameter naming `param`. */
static bool refused(const char *query, const char *param)
{
	struct protocol_error error;
	char *got = params_of(PROTOCOL_V1, "SendEmail", query, &error);
	bool ok = got == NULL && error.code == ERR_INVALID_PARAMETER && strcmp(error.param, param) == 0;
	free(got);
	return ok;
}

/*
 * Index forms strtol() accepts but a flattened name never has: a sign or
 * leading white space. KNOWN BUG (protocol.c place_pair): they are taken
 * as index 0 instead of being refused like "Destination.01".
 */
static void test_index_forms(void)
{
	CHECK(refused("Destination.%2B0=a", "Destination.+0"));
	CHECK(refused("Destination.-0=a", "Destination.-0"));
	CHECK(refused("Destination.%200=a", "Destination. 0"));
	CHECK(refused("Attachments.%2B0.FileName=a", "Attachments.+0.FileName"));
}

/* Decoded pairs must be UTF-8 without NUL: %XX escapes are checked after decoding. */
static void test_pair_bytes(void)
{
	struct protocol_pairs pairs;
	static const char *const bad[] = {"a=%FF", "a=%C3%28", "a=%ED%A0%80", "a=%C0%AF", "a=%F4%90%80%80", "%FF=1",
					  "a=%00", "a=x%00y",  "a=%E2%82",    "a=%C3",    "b=1&a=%FE"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!CHECK(!parse(bad[i], &pairs)))
			fprintf(stderr, "  accepted: %s\n", bad[i]);
		protocol_pairs_finish(&pairs);
	}
	/* Two-, three- and four-byte characters, escaped or raw, are kept. */
	if (CHECK(parse("a=%C3%A9&b=%E5%90%8D&c=%F0%9F%98%80&d=\xc3\xa9", &pairs)) && CHECK_INT(pairs.count, 4)) {
		CHECK_STR(pairs.items[0].value, "\xc3\xa9");
		CHECK_STR(pairs.items[1].value, "\xe5\x90\x8d");
		CHECK_STR(pairs.items[2].value, "\xf0\x9f\x98\x80");
		CHECK_STR(pairs.items[3].value, "\xc3\xa9");
	}
	protocol_pairs_finish(&pairs);
}

/* The code protocol_request_init() gives a TC3 POST with this JSON body (ERR_NONE: accepted). */
static enum api_error_code json_body_code(const char *body, size_t len)
{
	static const char *const headers[] = {"X-TC-Action", "ListEmailTemplates", "Content-Type", "application/json",
					      NULL};
	struct http_request *http = http_request_create_detached("POST", "/", NULL, headers, body, len);
	struct api_request req;
	struct protocol_error error = {0};
	if (!http)
		return ERR_INTERNAL_ERROR;
	enum api_error_code code = protocol_request_init(&req, http, &error) ? ERR_NONE : error.code;
	protocol_request_finish(&req);
	http_request_destroy_detached(http);
	return code;
}

#define JSON_CODE(literal) json_body_code(literal, sizeof(literal) - 1)

/* A JSON body must be UTF-8, and no string may hold a NUL (cJSON would cut it short). */
static void test_json_bytes(void)
{
	CHECK_INT(JSON_CODE("{\"Limit\":1,\"KeyWord\":\"\xc3\xa9\xf0\x9f\x98\x80\"}"), ERR_NONE);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"a\xff\"}"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"\xed\xa0\x80\"}"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"\xc3\"}"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"a\\u0000b\"}"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"Key\\u0000\":1}"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"a\0b\"}"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"a\"}\0"), ERR_INVALID_PARAMETER);
	/* An escaped backslash before "u0000" is text, and so is \u0001. */
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"a\\\\u0000b\"}"), ERR_NONE);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"\\\\\\\\\\u0000\"}"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"a\\u0001\"}"), ERR_NONE);
	/* A truncated escape at the end is a syntax error, not a read past the body. */
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"\\u000"), ERR_INVALID_PARAMETER);
	CHECK_INT(JSON_CODE("{\"KeyWord\":\"\\"), ERR_INVALID_PARAMETER);
}

int main(void)
{
	test_parse_pairs();
	test_is_common();
	test_arrays();
	test_structures();
	test_types();
	test_names();
	test_json_body();
	test_index_forms();
	test_pair_bytes();
	test_json_bytes();
	return unit_finish("protocol");
}
