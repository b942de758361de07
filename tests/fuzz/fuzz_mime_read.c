/*
 * Focus: the reader of stored messages (server/control/mime_read.h), which
 * the control plane runs on whatever is in the store. Input: a raw message,
 * NULs allowed. mime_read_parse(), then mime_read_attachment() for each
 * attachment it counted (at most 16) and one past the end, and
 * mime_read_decode_header() on the first line.
 * Invariants: every output string is NUL-terminated valid UTF-8 no larger
 * than three times the input; a counted attachment is found, the one past
 * the end is not.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/api/api.h"
#include "../../server/control/mime_read.h"
#include "fuzz.h"

static void check_text(const char *s, size_t input)
{
	if (!s)
		return;
	assert(api_utf8_valid((const unsigned char *)s, strlen(s)));
	assert(strlen(s) <= 3 * input + 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *raw = (const char *)data;
	struct mime_read_result r = {0};
	if (!mime_read_parse(raw, size, &r))
		return 0;
	for (size_t i = 0; i < r.header_count; i++) {
		check_text(r.headers[i].name, size);
		check_text(r.headers[i].value, size);
	}
	check_text(r.text, size);
	check_text(r.html, size);
	size_t count = r.attachment_count < 16 ? r.attachment_count : 16;
	for (size_t i = 0; i <= count; i++) {
		struct mime_read_attachment a = {0};
		enum mime_read_status status = mime_read_attachment(raw, size, i, &a);
		if (i < r.attachment_count)
			assert(status != MIME_READ_NOT_FOUND);
		else
			assert(status == MIME_READ_NOT_FOUND);
		if (status == MIME_READ_OK)
			check_text(a.file_name, size);
		mime_read_attachment_finish(&a);
	}
	mime_read_finish(&r);
	const char *eol = memchr(raw, '\n', size);
	char *decoded = mime_read_decode_header(raw, eol ? (size_t)(eol - raw) : size);
	check_text(decoded, size);
	free(decoded);
	return 0;
}
