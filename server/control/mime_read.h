/*
 * A small, defensive reader of stored RFC 5322 / MIME messages, for the
 * control plane's message view: the top-level headers (unfolded, RFC 2047
 * encoded-words decoded) and the first text/plain and text/html bodies
 * (transfer encoding undone, converted to UTF-8).
 *
 * It reads anything without crashing: every loop is bounded by the input,
 * nesting by MIME_READ_MAX_DEPTH, the number of parts by
 * MIME_READ_MAX_PARTS and headers by MIME_READ_MAX_HEADERS; outputs are
 * always valid UTF-8 (bad bytes become U+FFFD) and never larger than three
 * times the input.
 */
#ifndef SERVER_CONTROL_MIME_READ_H
#define SERVER_CONTROL_MIME_READ_H

#include <stdbool.h>
#include <stddef.h>

#define MIME_READ_MAX_DEPTH 20    /* multiparts nested deeper are not entered */
#define MIME_READ_MAX_PARTS 1000  /* parts looked at in one message */
#define MIME_READ_MAX_HEADERS 256 /* top-level headers kept; more are ignored */
#define MIME_READ_MAX_VALUE 16384 /* bytes of one unfolded header value kept */

struct mime_read_header {
	char *name;  /* as written, NUL-terminated UTF-8 */
	char *value; /* unfolded, trimmed, encoded-words decoded, UTF-8 */
};

struct mime_read_result {
	struct mime_read_header *headers; /* top-level headers in order */
	size_t header_count;
	char *text; /* the first text/plain body that is not an attachment, or NULL */
	char *html; /* the first text/html body that is not an attachment, or NULL */
};

/*
 * Read `len` bytes of `raw` (need not be NUL-terminated; may contain NULs)
 * into *out, which the caller zeroes first and releases with
 * mime_read_finish(). False only when out of memory; then *out holds
 * nothing (already released).
 */
bool mime_read_parse(const char *raw, size_t len, struct mime_read_result *out);

/* Free what mime_read_parse() stored. Accepts NULL and zeroed results. */
void mime_read_finish(struct mime_read_result *result);

/*
 * Decode the RFC 2047 encoded-words (B and Q; UTF-8, US-ASCII and
 * ISO-8859-1) of one unfolded header value of `len` bytes. Words in other
 * charsets, or malformed ones, stay as written; white space between two
 * adjacent encoded-words is dropped. Returns a new NUL-terminated UTF-8
 * string (caller frees), or NULL when out of memory.
 */
char *mime_read_decode_header(const char *value, size_t len);

#endif
