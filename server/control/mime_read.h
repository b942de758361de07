/*
 * A small, defensive reader of stored RFC 5322 / MIME messages, for the
 * control plane's message view: the top-level headers (unfolded, RFC 2047
 * encoded-words decoded), the first text/plain and text/html bodies
 * (transfer encoding undone, converted to UTF-8), and the attachments
 * (counted; one at a time decoded to its bytes, with its file name).
 *
 * An attachment is a leaf part that is not text/plain or text/html, or
 * whose Content-Disposition is "attachment"; attachments are numbered from
 * 0 in the order they appear in the message.
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
#define MIME_READ_MAX_NAME 1024   /* bytes of an attachment's file name parameter kept, as written */
#define MIME_READ_TYPE_MAX 64     /* a media type longer than this counts as text/plain */

struct mime_read_header {
	char *name;  /* as written, NUL-terminated UTF-8 */
	char *value; /* unfolded, trimmed, encoded-words decoded, UTF-8 */
};

struct mime_read_result {
	struct mime_read_header *headers; /* top-level headers in order */
	size_t header_count;
	char *text;              /* the first text/plain body that is not an attachment, or NULL */
	char *html;              /* the first text/html body that is not an attachment, or NULL */
	size_t attachment_count; /* attachments in the message (see above) */
};

/* One attachment, decoded. */
struct mime_read_attachment {
	char *file_name;                       /* UTF-8, NUL-terminated; "" when the part names no file */
	char content_type[MIME_READ_TYPE_MAX]; /* lowercased "type/subtype" as declared, "text/plain" by default */
	unsigned char *data;                   /* the bytes, transfer encoding undone (never converted) */
	size_t len;
};

enum mime_read_status {
	MIME_READ_OK = 0,
	MIME_READ_NOT_FOUND, /* the message has no attachment with this number */
	MIME_READ_NOMEM,
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
 * Decode attachment number `index` (from 0, in message order) of the `len`
 * bytes of `raw` into *out, which the caller zeroes first and releases with
 * mime_read_attachment_finish(). The file name comes from the
 * Content-Disposition filename (RFC 2231 forms, continuations included),
 * else the Content-Type name (RFC 2047 encoded-words decoded). Returns
 * MIME_READ_OK, MIME_READ_NOT_FOUND or MIME_READ_NOMEM; on failure *out
 * holds nothing.
 */
enum mime_read_status mime_read_attachment(const char *raw, size_t len, size_t index, struct mime_read_attachment *out);

/* Free what mime_read_attachment() stored. Accepts NULL and zeroed attachments. */
void mime_read_attachment_finish(struct mime_read_attachment *attachment);

/*
 * Decode the RFC 2047 encoded-words (B and Q; UTF-8, US-ASCII and
 * ISO-8859-1) of one unfolded header value of `len` bytes. Words in other
 * charsets, or malformed ones, stay as written; white space between two
 * adjacent encoded-words is dropped. Returns a new NUL-terminated UTF-8
 * string (caller frees), or NULL when out of memory.
 */
char *mime_read_decode_header(const char *value, size_t len);

#endif
