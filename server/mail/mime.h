/*
 * One RFC 5322 message out of a SendEmail call: headers, a text and/or
 * HTML body, attachments. CRLF line endings everywhere.
 *
 * Structure: text only → text/plain; HTML only → text/html; both →
 * multipart/alternative (text first); with attachments → multipart/mixed
 * holding that body, then each attachment (base64, 76 columns). Bodies are
 * UTF-8, quoted-printable. Header order: Date, From, To, Cc, Reply-To,
 * Subject, Message-ID, MIME-Version, List-Unsubscribe,
 * List-Unsubscribe-Post, the caller's extra headers, Content-Type,
 * Content-Transfer-Encoding. Bcc recipients are never written.
 *
 * No input can add a header line: human text (subject, display names,
 * extra header values, attachment names) that is not plain printable ASCII
 * is written as RFC 2047 encoded-words (or RFC 2231 parameters), and
 * structural input (addresses, header names, the message id, the
 * unsubscribe URL, content types) with a control character or a character
 * outside its syntax is refused with MIME_BAD_HEADER.
 */
#ifndef SERVER_MAIL_MIME_H
#define SERVER_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct mime_attachment {
	const char *file_name;    /* UTF-8; must pass mime_file_name_valid() */
	const char *content_type; /* "type/subtype", or NULL: from the name, else application/octet-stream */
	const unsigned char *data;
	size_t len;
};

struct mime_message {
	/* Required, a bare address: the From address and the envelope sender
	 * (checked even when header_from replaces it in the header). */
	const char *from_address;
	const char *from_name; /* display name, UTF-8, or NULL; no control characters */
	/* HeaderFrom: when set, replaces the From value. One address, bare or
	 * `Name <addr>` / `"Name" <addr>`; it is parsed and written again, never
	 * copied. */
	const char *header_from;
	const char *const *to; /* bare addresses */
	size_t to_count;
	const char *const *cc;
	size_t cc_count;
	const char *reply_to; /* a bare address, or NULL */
	const char *subject;  /* UTF-8; NULL counts as "" */
	const char *text;     /* text body, or NULL */
	const char *html;     /* HTML body, or NULL; neither → an empty text/plain body */
	const struct mime_attachment *attachments;
	size_t attachment_count;
	const char *message_id; /* without angle brackets ("id@domain"), or NULL for no Message-ID */
	/* SmtpHeaders: a JSON object of header name → string value, or NULL.
	 * At most 50 entries (our ceiling). Names must be RFC 5322 field names
	 * of at most 76 bytes, unique (ignoring case), and none of the headers
	 * written here: From, To, Cc, Bcc, Subject, Date, Message-ID,
	 * MIME-Version, Reply-To, Sender, Return-Path, List-Unsubscribe,
	 * List-Unsubscribe-Post, Content-*. Values: UTF-8 without control
	 * characters other than tab; non-ASCII ones become encoded-words. */
	const cJSON *extra_headers;
	const char *list_unsubscribe; /* URL for List-Unsubscribe (+ one-click Post), or NULL */
	int64_t date;                 /* UNIX seconds; written in China Standard Time, +0800 */
};

enum mime_status {
	MIME_OK = 0,
	MIME_TOO_LARGE,  /* the message would be longer than max_size */
	MIME_BAD_HEADER, /* an input cannot be written safely; `detail` says which */
	MIME_NOMEM,      /* out of memory, or no randomness for the boundaries */
};

/*
 * Build the message `m` describes. On MIME_OK, *out is a new NUL-terminated
 * message of *len bytes (*len <= max_size); caller frees. On failure *out
 * is NULL, *len 0, and `detail` (may be NULL when `detail_size` is 0) gets
 * a one-line English explanation naming the offending input ("" on
 * MIME_OK). Memory never grows past max_size + 1 bytes. `m` is not
 * changed. Multipart boundaries are random (server/random.h) and contain "=_",
 * which neither quoted-printable nor base64 output can contain.
 */
enum mime_status mime_build(const struct mime_message *m, size_t max_size, char **out, size_t *len, char *detail,
			    size_t detail_size);

/*
 * The Content-Type of an attachment named `file_name`, by its extension
 * (after the last '.', ignoring case), or NULL when the extension is
 * missing or not one the emulator accepts (executables and scripts never
 * are). The returned string is static.
 */
const char *mime_content_type(const char *file_name);

/*
 * Whether `file_name` may name an attachment: 1 to 255 bytes of valid
 * UTF-8, no '/' or '\\', no control character (C0, DEL or C1), and not
 * "." or "..". NULL is not valid.
 */
bool mime_file_name_valid(const char *file_name);

#endif
