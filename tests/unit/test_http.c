/*
 * Focus: the response side of server/http.h that routes fill without MHD:
 * http_response_add_header() keeps at most HTTP_EXTRA_HEADERS fields,
 * refuses a value that does not fit HTTP_HEADER_VALUE_MAX (one byte under
 * it fits) or that holds a control character (any C0, tab, CR and LF
 * included, or DEL), and never changes the response when it refuses.
 */
#include <string.h>

#include "http.h"
#include "unit.h"

static void test_add_header(void)
{
	struct http_response resp = {0};
	CHECK(http_response_add_header(&resp, "Cache-Control", "no-cache"));
	CHECK_INT(resp.header_count, 1);
	CHECK_STR(resp.headers[0].name, "Cache-Control");
	CHECK_STR(resp.headers[0].value, "no-cache");
	CHECK(http_response_add_header(&resp, "X-Empty", ""));
	CHECK_STR(resp.headers[1].value, "");

	/* control characters would split the header: refused, nothing added */
	static const char *const bad[] = {"a\r\nSet-Cookie: x", "a\nb", "tab\there", "del\x7f", "bell\x07"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!http_response_add_header(&resp, "X-Bad", bad[i]));
	CHECK_INT(resp.header_count, 2);
	/* UTF-8 is not a control character */
	CHECK(http_response_add_header(&resp, "X-Name", "caf\xc3\xa9"));
	CHECK_INT(resp.header_count, 3);
}

static void test_limits(void)
{
	struct http_response resp = {0};
	char value[HTTP_HEADER_VALUE_MAX + 1];
	memset(value, 'v', sizeof(value) - 1);
	value[HTTP_HEADER_VALUE_MAX] = '\0';
	CHECK(!http_response_add_header(&resp, "X-Long", value)); /* HTTP_HEADER_VALUE_MAX bytes: one too many */
	CHECK_INT(resp.header_count, 0);
	value[HTTP_HEADER_VALUE_MAX - 1] = '\0';
	CHECK(http_response_add_header(&resp, "X-Long", value)); /* the longest that fits */
	CHECK_INT(strlen(resp.headers[0].value), HTTP_HEADER_VALUE_MAX - 1);
	for (size_t i = 1; i < HTTP_EXTRA_HEADERS; i++)
		CHECK(http_response_add_header(&resp, "X-More", "1"));
	CHECK_INT(resp.header_count, HTTP_EXTRA_HEADERS);
	CHECK(!http_response_add_header(&resp, "X-One-Too-Many", "1"));
	CHECK_INT(resp.header_count, HTTP_EXTRA_HEADERS);
}

int main(void)
{
	test_add_header();
	test_limits();
	return unit_finish("http");
}
