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

#include "../../server/control/mime_read.h"
#include "fuzz.h"

/* Whether `s` is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		size_t n = c < 0x80                 ? 0
			   : c >= 0xc2 && c <= 0xdf ? 1
			   : c >= 0xe0 && c <= 0xef ? 2
			   : c >= 0xf0 && c <= 0xf4 ? 3
						    : 9;
		if (n == 9)
			return false;
		unsigned cp = n == 0 ? c : n == 1 ? c & 0x1f : n == 2 ? c & 0x0f : c & 0x07;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		p += n + 1;
	}
	return true;
}

static void check_text(const char *s, size_t input)
{
	if (!s)
		return;
	assert(utf8_valid(s));
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
