/*
 * The RFC 5322 / MIME writer: a SendEmail call's addresses, subject,
 * bodies and attachments become one message with CRLF line endings.
 *
 * Owns: header syntax (folding, RFC 2047 encoded-words, RFC 2231
 * parameters), quoted-printable and base64 bodies, multipart boundaries,
 * and the attachment content types the emulator accepts. Never: decides
 * API errors (the caller maps a status to a code), lets input start a
 * header line, or grows its buffer past the caller's ceiling.
 *
 * Design: every input is checked first (check_message), so MIME_BAD_HEADER
 * does not depend on the ceiling; then the writers run on input already
 * known to be safe, appending to one bounded buffer whose first failure
 * (too large, out of memory) sticks and makes later appends no-ops.
 * Structural input with a character outside its syntax is refused; human
 * text is never refused for its characters but encoded, except display
 * names, which must not hold control characters.
 */
#include "mime.h"

#include "../clock.h"
#include "../random.h"

#include <openssl/evp.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_SOFT 78         /* RFC 5322 2.1.1: lines SHOULD be at most 78 characters */
#define WORD_LINE 76         /* RFC 2047 2: a line holding encoded-words is at most 76 */
#define WORD_MAX 75          /* RFC 2047 2: an encoded-word is at most 75 characters */
#define QP_LINE 76           /* RFC 2045 6.7: encoded lines at most 76 characters */
#define BASE64_LINE_BYTES 57 /* 57 bytes make one 76-column base64 line */
#define CHUNK_MAX 900        /* a word or URL longer than this could not stay under 998 */
#define ADDRESS_MAX 254      /* RFC 5321 4.5.3.1.3: a path holds at most 256 with the brackets */
#define NAME_MAX_PLAIN 60    /* longer display and file names are encoded, so lines stay short */
#define PERCENT_CHUNK 56     /* RFC 2231 text per line: " filename*0*=UTF-8''" + 56 + ";" fits in 78 */
#define FIELD_NAME_MAX 76    /* an extra header name must leave room for its value on the line */
#define EXTRA_HEADERS_MAX 50 /* our ceiling on SmtpHeaders entries (documented in mime.h) */
#define BOUNDARY_RANDOM 16   /* random bytes per boundary, written as hex */

/* The growing message: one ceiling, one sticky status, the current header column. */
struct builder {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	size_t col;
	enum mime_status status;
	char *detail;
	size_t detail_size;
	char mixed[48];       /* boundary of multipart/mixed */
	char alternative[48]; /* boundary of multipart/alternative */
};

/* From or HeaderFrom, parsed: the address and the display name ("" when none), both copies. */
struct sender {
	char *name;
	char *address;
};

/* Record the first failure and its detail. Always returns false, so a check can `return fail(...)`. */
static bool fail(struct builder *b, enum mime_status status, const char *what, const char *name)
{
	if (b->status != MIME_OK)
		return false;
	b->status = status;
	if (b->detail && b->detail_size)
		snprintf(b->detail, b->detail_size, "%s%s%s", what, name ? ": " : "", name ? name : "");
	return false;
}

/* Make room for `extra` more bytes plus the NUL, within the ceiling. */
static bool reserve(struct builder *b, size_t extra)
{
	if (b->status != MIME_OK)
		return false;
	if (extra > b->max - b->len) {
		fail(b, MIME_TOO_LARGE, "message larger than the limit", NULL);
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : b->max < 4096 ? b->max + 1 : 4096;
	while (cap < need)
		cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
	char *data = realloc(b->data, cap);
	if (!data) {
		fail(b, MIME_NOMEM, "out of memory", NULL);
		return false;
	}
	b->data = data;
	b->cap = cap;
	return true;
}

static void put(struct builder *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	b->col += n;
}

static void put_str(struct builder *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_crlf(struct builder *b)
{
	put(b, "\r\n", 2);
	b->col = 0;
}

/* Fold: the next text starts a continuation line after one space. */
static void put_fold(struct builder *b)
{
	put(b, "\r\n ", 3);
	b->col = 1;
}

/* ---- character classes ---- */

static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned cp, min;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, min = 0x80, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, min = 0x800, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if (n >= len - i)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* The length of the UTF-8 character led by `c` (input already validated). */
static size_t utf8_length(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* A C0 control (tab allowed on request), DEL, or a C1 control (U+0080..U+009F). */
static bool has_control(const char *s, bool allow_tab)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && !(allow_tab && *p == '\t')) || *p == 0x7f)
			return true;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true;
	}
	return false;
}

/* Printable ASCII with no "=?" (which a reader could take for an encoded-word). */
static bool plain_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || (c == '=' && i + 1 < len && s[i + 1] == '?'))
			return false;
	}
	return true;
}

/* Plain text that folds at spaces: no leading or trailing space, and no word too long to fold. */
static bool plain_unstructured(const char *s, size_t len)
{
	if (!plain_ascii(s, len) || (len && (s[0] == ' ' || s[len - 1] == ' ')))
		return false;
	size_t word = 0;
	for (size_t i = 0; i < len; i++) {
		word = s[i] == ' ' ? 0 : word + 1;
		if (word > CHUNK_MAX)
			return false;
	}
	return true;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool ascii_equal_nocase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

/* ---- checks of structural input ---- */

/*
 * A bare address we can write as is: 1..254 bytes of UTF-8 without space,
 * control or the specials that would end it (<>(),;:"\), exactly one '@'
 * with text on both sides. Not a full RFC 5322 check: the API layer
 * validates addresses; this only makes sure one cannot break the header.
 */
static bool address_valid(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	if (len == 0 || len > ADDRESS_MAX || !utf8_valid((const unsigned char *)s, len) || has_control(s, false))
		return false;
	if (strpbrk(s, " <>(),;:\"\\"))
		return false;
	const char *at = strchr(s, '@');
	return at && at != s && at[1] && !strchr(at + 1, '@');
}

/* RFC 5322 3.6.4 msg-id without brackets: printable ASCII, no <> or space, "left@right". */
static bool message_id_valid(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > CHUNK_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || c == '<' || c == '>')
			return false;
	}
	const char *at = strchr(s, '@');
	return at && at != s && at[1] && !strchr(at + 1, '@');
}

/* A URL written between angle brackets: printable ASCII without <>, comma (the list separator) or space. */
static bool url_valid(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > CHUNK_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x21 || c > 0x7e || c == '<' || c == '>' || c == ',')
			return false;
	}
	return true;
}

/* RFC 2045 token: printable ASCII without tspecials. */
static bool token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* "type/subtype", both tokens, at most 100 bytes. */
static bool content_type_valid(const char *s)
{
	size_t len = strlen(s), slash = 0, slashes = 0;
	if (len == 0 || len > 100)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '/') {
			slash = i;
			slashes++;
		} else if (!token_char((unsigned char)s[i])) {
			return false;
		}
	}
	return slashes == 1 && slash > 0 && slash < len - 1;
}

/* RFC 5322 3.6.8 field-name: 1*ftext, printable ASCII except ':'. */
static bool field_name_valid(const char *s)
{
	size_t len = strlen(s);
	if (len == 0 || len > FIELD_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 33 || c > 126 || c == ':')
			return false;
	}
	return true;
}

/* Headers this module writes (or must never be written, like Bcc): never taken from SmtpHeaders. */
static bool field_name_reserved(const char *s)
{
	static const char *const reserved[] = {
		"From",
		"To",
		"Cc",
		"Bcc",
		"Subject",
		"Date",
		"Message-ID",
		"MIME-Version",
		"Reply-To",
		"Sender",
		"Return-Path",
		"List-Unsubscribe",
		"List-Unsubscribe-Post",
	};
	size_t len = strlen(s);
	if (len >= 8 && ascii_equal_nocase(s, "Content-", 8))
		return true;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strlen(reserved[i]) == len && ascii_equal_nocase(s, reserved[i], len))
			return true;
	return false;
}

/* A display name: UTF-8 without control characters. */
static bool display_name_valid(const char *s)
{
	return utf8_valid((const unsigned char *)s, strlen(s)) && !has_control(s, false);
}

/* ---- the sender ---- */

static void sender_finish(struct sender *s)
{
	free(s->name);
	free(s->address);
	s->name = NULL;
	s->address = NULL;
}

static char *copy_span(const char *s, size_t n)
{
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

/* Remove surrounding quotes and backslash escapes, in place. */
static void unquote(char *s)
{
	size_t len = strlen(s);
	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return;
	size_t w = 0;
	for (size_t r = 1; r < len - 1; r++) {
		if (s[r] == '\\' && r + 1 < len - 1)
			r++;
		s[w++] = s[r];
	}
	s[w] = '\0';
}

/*
 * Split HeaderFrom ("addr", "Name <addr>" or "\"Name\" <addr>") into its
 * parts. MIME_OK, MIME_BAD_HEADER (not one address with an optional
 * name) or MIME_NOMEM.
 */
static enum mime_status sender_parse(struct sender *s, const char *text)
{
	size_t len = strlen(text);
	while (len && text[len - 1] == ' ')
		len--;
	while (len && text[0] == ' ')
		text++, len--;
	const char *lt = NULL;
	if (len && text[len - 1] == '>') {
		for (size_t i = 0; i < len; i++)
			if (text[i] == '<')
				lt = text + i;
		if (!lt)
			return MIME_BAD_HEADER;
	}
	size_t name_len = lt ? (size_t)(lt - text) : 0;
	while (name_len && text[name_len - 1] == ' ')
		name_len--;
	s->name = copy_span(text, name_len);
	s->address = lt ? copy_span(lt + 1, len - (size_t)(lt - text) - 2) : copy_span(text, len);
	if (!s->name || !s->address)
		return MIME_NOMEM;
	unquote(s->name);
	if (!address_valid(s->address) || !display_name_valid(s->name))
		return MIME_BAD_HEADER;
	return MIME_OK;
}

/* The sender to write: HeaderFrom when set, else FromEmailAddress and its alias (checked either way). */
static bool sender_init(struct builder *b, struct sender *s, const struct mime_message *m)
{
	memset(s, 0, sizeof(*s));
	if (!address_valid(m->from_address))
		return fail(b, MIME_BAD_HEADER, "invalid From address", NULL);
	if (m->header_from) {
		enum mime_status status = sender_parse(s, m->header_from);
		if (status == MIME_NOMEM)
			return fail(b, status, "out of memory", NULL);
		if (status != MIME_OK)
			return fail(b, status, "HeaderFrom is not one address with an optional display name", NULL);
		return true;
	}
	if (m->from_name && !display_name_valid(m->from_name))
		return fail(b, MIME_BAD_HEADER, "invalid From display name", NULL);
	s->name = copy_span(m->from_name ? m->from_name : "", m->from_name ? strlen(m->from_name) : 0);
	s->address = copy_span(m->from_address, strlen(m->from_address));
	if (!s->name || !s->address)
		return fail(b, MIME_NOMEM, "out of memory", NULL);
	return true;
}

/* ---- checks of the whole message, before anything is written ---- */

static bool check_addresses(struct builder *b, const char *const *list, size_t count, const char *field)
{
	for (size_t i = 0; i < count; i++)
		if (!address_valid(list[i]))
			return fail(b, MIME_BAD_HEADER, "invalid address in", field);
	return true;
}

static bool check_extra_headers(struct builder *b, const cJSON *headers)
{
	if (!headers)
		return true;
	if (!cJSON_IsObject(headers))
		return fail(b, MIME_BAD_HEADER, "SmtpHeaders is not an object", NULL);
	size_t count = 0;
	for (const cJSON *h = headers->child; h; h = h->next) {
		const char *name = h->string ? h->string : "";
		if (++count > EXTRA_HEADERS_MAX)
			return fail(b, MIME_BAD_HEADER, "too many SmtpHeaders", NULL);
		if (!field_name_valid(name))
			return fail(b, MIME_BAD_HEADER, "invalid header name", NULL);
		if (field_name_reserved(name))
			return fail(b, MIME_BAD_HEADER, "header may not be set by SmtpHeaders", name);
		for (const cJSON *o = headers->child; o != h; o = o->next)
			if (strlen(o->string) == strlen(name) && ascii_equal_nocase(o->string, name, strlen(name)))
				return fail(b, MIME_BAD_HEADER, "header repeated in SmtpHeaders", name);
		if (!cJSON_IsString(h) || !h->valuestring)
			return fail(b, MIME_BAD_HEADER, "header value is not a string", name);
		const char *v = h->valuestring;
		if (!utf8_valid((const unsigned char *)v, strlen(v)) || has_control(v, true))
			return fail(b, MIME_BAD_HEADER, "invalid character in header value", name);
	}
	return true;
}

static bool check_attachments(struct builder *b, const struct mime_message *m)
{
	for (size_t i = 0; i < m->attachment_count; i++) {
		const struct mime_attachment *a = &m->attachments[i];
		if (!mime_file_name_valid(a->file_name))
			return fail(b, MIME_BAD_HEADER, "invalid attachment file name", NULL);
		if (a->content_type && !content_type_valid(a->content_type))
			return fail(b, MIME_BAD_HEADER, "invalid attachment content type", a->file_name);
		if (a->len && !a->data)
			return fail(b, MIME_BAD_HEADER, "attachment without data", a->file_name);
	}
	return true;
}

static void check_message(struct builder *b, const struct mime_message *m)
{
	check_addresses(b, m->to, m->to_count, "To");
	check_addresses(b, m->cc, m->cc_count, "Cc");
	if (m->reply_to && !address_valid(m->reply_to))
		fail(b, MIME_BAD_HEADER, "invalid Reply-To address", NULL);
	if (m->subject && !utf8_valid((const unsigned char *)m->subject, strlen(m->subject)))
		fail(b, MIME_BAD_HEADER, "Subject is not UTF-8", NULL);
	if (m->message_id && !message_id_valid(m->message_id))
		fail(b, MIME_BAD_HEADER, "invalid Message-ID", NULL);
	if (m->list_unsubscribe && !url_valid(m->list_unsubscribe))
		fail(b, MIME_BAD_HEADER, "invalid List-Unsubscribe URL", NULL);
	check_extra_headers(b, m->extra_headers);
	check_attachments(b, m);
}

/* ---- header writers ---- */

/*
 * `len` bytes of UTF-8 as RFC 2047 B encoded-words, split on character
 * boundaries, folding so that no line passes `limit` columns (WORD_LINE,
 * less when the caller has a closing character to write). The first word
 * starts at the current column.
 */
static void put_encoded_words(struct builder *b, const char *text, size_t len, size_t limit)
{
	size_t at = 0;
	do {
		/* room for the prefix, the suffix and one 4-byte character */
		if (b->col + 20 > limit)
			put_fold(b);
		size_t room = limit - b->col < WORD_MAX ? limit - b->col : WORD_MAX;
		size_t max_bytes = (room - 12) / 4 * 3;
		size_t n = 0;
		while (at + n < len) {
			size_t c = utf8_length((unsigned char)text[at + n]);
			if (c > len - at - n)
				c = len - at - n;
			if (n + c > max_bytes)
				break;
			n += c;
		}
		char word[WORD_MAX + 1];
		int encoded = EVP_EncodeBlock((unsigned char *)word, (const unsigned char *)text + at, (int)n);
		put_str(b, "=?UTF-8?B?");
		put(b, word, encoded > 0 ? (size_t)encoded : 0);
		put_str(b, "?=");
		at += n;
		if (at < len)
			put_fold(b);
	} while (at < len);
}

/* Plain ASCII folded at spaces (before the space, so no line is only blanks). */
static void put_folded(struct builder *b, const char *text)
{
	const char *p = text;
	bool first = true;
	while (*p) {
		const char *q = p;
		while (*q == ' ')
			q++;
		while (*q && *q != ' ')
			q++;
		size_t n = (size_t)(q - p);
		bool word = p[n - 1] != ' ';
		if (first)
			put(b, " ", 1);
		else if (word && b->col + n > LINE_SOFT)
			put_crlf(b);
		put(b, p, n);
		first = false;
		p = q;
	}
}

/* An unstructured header (Subject, extra headers): plain when safe, else encoded-words. */
static void put_unstructured(struct builder *b, const char *name, const char *value)
{
	size_t len = strlen(value);
	put_str(b, name);
	put_str(b, ":");
	if (plain_unstructured(value, len)) {
		put_folded(b, value);
	} else {
		put_str(b, " ");
		put_encoded_words(b, value, len, WORD_LINE);
	}
	put_crlf(b);
}

/* Printable ASCII as a quoted-string, escaping quote and backslash. */
static void put_quoted(struct builder *b, const char *text)
{
	put_str(b, "\"");
	for (const char *p = text; *p; p++) {
		if (*p == '"' || *p == '\\')
			put_str(b, "\\");
		put(b, p, 1);
	}
	put_str(b, "\"");
}

/* A display name as a quoted-string when short printable ASCII, else encoded-words. */
static void put_display_name(struct builder *b, const char *name)
{
	size_t len = strlen(name);
	if (!plain_ascii(name, len) || len > NAME_MAX_PLAIN)
		put_encoded_words(b, name, len, WORD_LINE);
	else
		put_quoted(b, name);
}

static void put_from(struct builder *b, const struct sender *s)
{
	put_str(b, "From: ");
	if (!s->name[0]) {
		put_str(b, s->address);
		put_crlf(b);
		return;
	}
	put_display_name(b, s->name);
	if (b->col + strlen(s->address) + 3 > LINE_SOFT)
		put_fold(b);
	else
		put_str(b, " ");
	put_str(b, "<");
	put_str(b, s->address);
	put_str(b, ">");
	put_crlf(b);
}

static void put_address_list(struct builder *b, const char *name, const char *const *list, size_t count)
{
	if (count == 0)
		return;
	put_str(b, name);
	put_str(b, ":");
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			put_str(b, ",");
		if (i > 0 && b->col + 1 + strlen(list[i]) > LINE_SOFT)
			put_fold(b);
		else
			put_str(b, " ");
		put_str(b, list[i]);
	}
	put_crlf(b);
}

/* The Date header (clock_format_rfc5322). */
static void put_date(struct builder *b, int64_t when)
{
	char date[CLOCK_RFC5322_SIZE];
	clock_format_rfc5322(when, date);
	put_str(b, "Date: ");
	put_str(b, date);
	put_crlf(b);
}

static void put_angle_header(struct builder *b, const char *name, const char *value)
{
	put_str(b, name);
	put_str(b, ":");
	if (b->col + strlen(value) + 3 > LINE_SOFT)
		put_fold(b);
	else
		put_str(b, " ");
	put_str(b, "<");
	put_str(b, value);
	put_str(b, ">");
	put_crlf(b);
}

static void put_headers(struct builder *b, const struct mime_message *m, const struct sender *s)
{
	put_date(b, m->date);
	put_from(b, s);
	put_address_list(b, "To", m->to, m->to_count);
	put_address_list(b, "Cc", m->cc, m->cc_count);
	if (m->reply_to)
		put_address_list(b, "Reply-To", &m->reply_to, 1);
	put_unstructured(b, "Subject", m->subject ? m->subject : "");
	if (m->message_id)
		put_angle_header(b, "Message-ID", m->message_id);
	put_str(b, "MIME-Version: 1.0");
	put_crlf(b);
	if (m->list_unsubscribe) {
		put_angle_header(b, "List-Unsubscribe", m->list_unsubscribe);
		put_str(b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click");
		put_crlf(b);
	}
	for (const cJSON *h = m->extra_headers ? m->extra_headers->child : NULL; h; h = h->next)
		put_unstructured(b, h->string, h->valuestring);
}

/* ---- bodies ---- */

static bool line_end_at(const unsigned char *s, size_t len, size_t i)
{
	return i == len || s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n');
}

/*
 * Quoted-printable (RFC 2045 6.7) of text: CRLF and bare LF become CRLF
 * hard breaks (text's canonical form), a bare CR is =0D; '=', non-ASCII,
 * controls, blanks before a line end and '.' opening a line are escaped;
 * soft breaks keep lines at 76 columns and never split an escape.
 */
static void put_quoted_printable(struct builder *b, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	char line[QP_LINE + 4];
	size_t n = 0;
	for (size_t i = 0; i < len && b->status == MIME_OK; i++) {
		if (s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')) {
			i += s[i] == '\r';
			put(b, line, n);
			put(b, "\r\n", 2);
			n = 0;
			continue;
		}
		unsigned char c = s[i];
		bool blank = c == ' ' || c == '\t';
		bool literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && n == 0)) ||
			       (blank && !line_end_at(s, len, i + 1));
		size_t width = literal ? 1 : 3;
		if (n + width > QP_LINE - 1) {
			put(b, line, n);
			put(b, "=\r\n", 3);
			n = 0;
			literal = literal && c != '.';
			width = literal ? 1 : 3;
		}
		if (literal) {
			line[n++] = (char)c;
		} else {
			line[n++] = '=';
			line[n++] = hex[c >> 4];
			line[n++] = hex[c & 15];
		}
	}
	put(b, line, n);
}

/* Base64 in 76-column lines joined by CRLF (no CRLF after the last). */
static void put_base64(struct builder *b, const unsigned char *data, size_t len)
{
	size_t lines = (len + BASE64_LINE_BYTES - 1) / BASE64_LINE_BYTES;
	/* the first test keeps the size computation from overflowing */
	if (len / 3 > b->max / 4) {
		fail(b, MIME_TOO_LARGE, "message larger than the limit", NULL);
		return;
	}
	if (!reserve(b, (len + 2) / 3 * 4 + 2 * lines))
		return;
	for (size_t at = 0; at < len; at += BASE64_LINE_BYTES) {
		size_t n = len - at < BASE64_LINE_BYTES ? len - at : BASE64_LINE_BYTES;
		char text[80];
		int w = EVP_EncodeBlock((unsigned char *)text, data + at, (int)n);
		if (at > 0)
			put(b, "\r\n", 2);
		put(b, text, w > 0 ? (size_t)w : 0);
	}
}

/* A text part: its headers, the blank line, the encoded text (without a final CRLF). */
static void put_text_part(struct builder *b, const char *subtype, const char *text)
{
	put_str(b, "Content-Type: text/");
	put_str(b, subtype);
	put_str(b, "; charset=UTF-8");
	put_crlf(b);
	put_str(b, "Content-Transfer-Encoding: quoted-printable");
	put_crlf(b);
	put_crlf(b);
	put_quoted_printable(b, (const unsigned char *)text, strlen(text));
}

static void put_multipart_header(struct builder *b, const char *subtype, const char *boundary)
{
	put_str(b, "Content-Type: multipart/");
	put_str(b, subtype);
	put_str(b, ";");
	put_fold(b);
	put_str(b, "boundary=\"");
	put_str(b, boundary);
	put_str(b, "\"");
	put_crlf(b);
	put_crlf(b);
}

/* The delimiter before a part: CRLF (belongs to the delimiter, RFC 2046 5.1.1), "--", boundary. */
static void put_delimiter(struct builder *b, const char *boundary, bool first, bool close)
{
	if (!first)
		put_crlf(b);
	put_str(b, "--");
	put_str(b, boundary);
	if (close)
		put_str(b, "--");
	put_crlf(b);
}

/* The text and/or HTML body as one entity: a text part, or multipart/alternative. */
static void put_body(struct builder *b, const struct mime_message *m)
{
	if (!m->text || !m->html) {
		put_text_part(b, m->html ? "html" : "plain", m->html ? m->html : m->text ? m->text : "");
		return;
	}
	put_multipart_header(b, "alternative", b->alternative);
	put_delimiter(b, b->alternative, true, false);
	put_text_part(b, "plain", m->text);
	put_delimiter(b, b->alternative, false, false);
	put_text_part(b, "html", m->html);
	put_delimiter(b, b->alternative, false, true);
}

/* RFC 5987 attr-char: what an RFC 2231 value may hold unescaped. */
static bool attribute_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$&+-.^_`|~", c));
}

/* One line of an RFC 2231 filename: the whole value, or continuation `part`. */
static void put_filename_part(struct builder *b, bool single, size_t part, const char *chunk, size_t n)
{
	char label[48];
	if (single)
		snprintf(label, sizeof(label), "filename*=UTF-8''");
	else
		snprintf(label, sizeof(label), "filename*%zu*=%s", part, part ? "" : "UTF-8''");
	if (part)
		put_str(b, ";");
	put_fold(b);
	put_str(b, label);
	put(b, chunk, n);
}

/*
 * filename as RFC 2231 / 5987: one `filename*=UTF-8''...` when it fits a
 * line, else numbered continuations (`filename*0*=UTF-8''...;`), one per
 * line, never splitting a %XX escape (readers join the octets before
 * decoding, so a character may straddle two lines).
 */
static void put_rfc2231_filename(struct builder *b, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	char chunk[PERCENT_CHUNK + 4];
	size_t len = strlen(name), encoded = 0, n = 0, part = 0;
	for (size_t i = 0; i < len; i++)
		encoded += attribute_char((unsigned char)name[i]) ? 1 : 3;
	bool single = encoded <= PERCENT_CHUNK;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		bool literal = attribute_char(c);
		if (n + (literal ? 1 : 3) > PERCENT_CHUNK) {
			put_filename_part(b, single, part++, chunk, n);
			n = 0;
		}
		if (literal) {
			chunk[n++] = (char)c;
		} else {
			chunk[n++] = '%';
			chunk[n++] = hex[c >> 4];
			chunk[n++] = hex[c & 15];
		}
	}
	put_filename_part(b, single, part, chunk, n);
}

static void put_attachment(struct builder *b, const struct mime_attachment *a)
{
	const char *type = a->content_type ? a->content_type : mime_content_type(a->file_name);
	size_t len = strlen(a->file_name);
	bool plain = plain_ascii(a->file_name, len) && len <= NAME_MAX_PLAIN;
	put_str(b, "Content-Type: ");
	put_str(b, type ? type : "application/octet-stream");
	put_str(b, ";");
	put_fold(b);
	put_str(b, "name=");
	if (plain) {
		put_quoted(b, a->file_name);
	} else {
		put_str(b, "\"");
		put_encoded_words(b, a->file_name, len, WORD_LINE - 1);
		put_str(b, "\"");
	}
	put_crlf(b);
	put_str(b, "Content-Disposition: attachment;");
	if (plain) {
		put_fold(b);
		put_str(b, "filename=");
		put_quoted(b, a->file_name);
	} else {
		put_rfc2231_filename(b, a->file_name);
	}
	put_crlf(b);
	put_str(b, "Content-Transfer-Encoding: base64");
	put_crlf(b);
	put_crlf(b);
	put_base64(b, a->data, a->len);
}

static void put_entity(struct builder *b, const struct mime_message *m)
{
	if (m->attachment_count == 0) {
		put_body(b, m);
		/* end with CRLF; a soft break adds it without adding to the text */
		if (b->status == MIME_OK &&
		    !(b->len >= 2 && b->data[b->len - 2] == '\r' && b->data[b->len - 1] == '\n'))
			put_str(b, "=\r\n");
		return;
	}
	put_multipart_header(b, "mixed", b->mixed);
	put_delimiter(b, b->mixed, true, false);
	put_body(b, m);
	for (size_t i = 0; i < m->attachment_count; i++) {
		put_delimiter(b, b->mixed, false, false);
		put_attachment(b, &m->attachments[i]);
	}
	put_delimiter(b, b->mixed, false, true);
}

/* "=_" + a label + random hex: "=_" never occurs in quoted-printable or base64 output. */
static bool make_boundary(char *out, size_t size, const char *label)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char random[BOUNDARY_RANDOM];
	char hex[2 * BOUNDARY_RANDOM + 1];
	random_fill(random, sizeof(random));
	for (size_t i = 0; i < sizeof(random); i++) {
		hex[2 * i] = digits[random[i] >> 4];
		hex[2 * i + 1] = digits[random[i] & 15];
	}
	hex[2 * BOUNDARY_RANDOM] = '\0';
	/* "=_label_hex", written by hand: a formatted print cost as much as the rest of this */
	size_t label_len = strlen(label);
	if (label_len + sizeof(hex) + 3 > size)
		return false;
	out[0] = '=';
	out[1] = '_';
	memcpy(out + 2, label, label_len);
	out[2 + label_len] = '_';
	memcpy(out + 3 + label_len, hex, sizeof(hex));
	return true;
}

enum mime_status mime_build(const struct mime_message *m, size_t max_size, char **out, size_t *len, char *detail,
			    size_t detail_size)
{
	/* a ceiling near SIZE_MAX would overflow the size arithmetic; no message gets there anyway */
	struct builder b = {
		.max = max_size < SIZE_MAX / 4 ? max_size : SIZE_MAX / 4, .detail = detail, .detail_size = detail_size};
	struct sender sender;
	*out = NULL;
	*len = 0;
	if (detail && detail_size)
		detail[0] = '\0';
	sender_init(&b, &sender, m);
	check_message(&b, m);
	if (b.status == MIME_OK && (!make_boundary(b.mixed, sizeof(b.mixed), "mix") ||
				    !make_boundary(b.alternative, sizeof(b.alternative), "alt")))
		fail(&b, MIME_NOMEM, "no random bytes for the boundaries", NULL);
	if (b.status == MIME_OK)
		put_headers(&b, m, &sender);
	if (b.status == MIME_OK)
		put_entity(&b, m);
	sender_finish(&sender);
	if (b.status != MIME_OK) {
		free(b.data);
		return b.status;
	}
	if (!b.data && !reserve(&b, 0))
		return b.status;
	*out = b.data;
	*len = b.len;
	return MIME_OK;
}

/* ---- attachment names and types ---- */

/*
 * The attachment types the emulator accepts. Tencent's SES documentation
 * has an "Attachment Types" page (linked from the Attachment data type,
 * https://www.tencentcloud.com/document/api/1084/39418), but its list was
 * not found in our sources; its FAQ says documents, images, audio and video
 * are supported (https://www.tencentcloud.com/document/product/1084/42385).
 * So this list is OUR CHOICE: common office, image, audio, video, archive
 * and text types; executables and scripts (exe, bat, cmd, com, js, vbs,
 * jar, msi, ps1, scr, sh, ...) and svg (it can carry script) are absent.
 * Sorted by extension.
 */
static const struct {
	const char *extension;
	const char *type;
} content_types[] = {
	{"7z", "application/x-7z-compressed"},
	{"aac", "audio/aac"},
	{"avi", "video/x-msvideo"},
	{"bmp", "image/bmp"},
	{"csv", "text/csv"},
	{"doc", "application/msword"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"eml", "message/rfc822"},
	{"flac", "audio/flac"},
	{"gif", "image/gif"},
	{"gz", "application/gzip"},
	{"htm", "text/html"},
	{"html", "text/html"},
	{"ics", "text/calendar"},
	{"jpeg", "image/jpeg"},
	{"jpg", "image/jpeg"},
	{"json", "application/json"},
	{"log", "text/plain"},
	{"m4a", "audio/mp4"},
	{"md", "text/markdown"},
	{"mkv", "video/x-matroska"},
	{"mov", "video/quicktime"},
	{"mp3", "audio/mpeg"},
	{"mp4", "video/mp4"},
	{"odp", "application/vnd.oasis.opendocument.presentation"},
	{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{"odt", "application/vnd.oasis.opendocument.text"},
	{"ogg", "audio/ogg"},
	{"pdf", "application/pdf"},
	{"png", "image/png"},
	{"ppt", "application/vnd.ms-powerpoint"},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"rar", "application/vnd.rar"},
	{"rtf", "application/rtf"},
	{"tar", "application/x-tar"},
	{"tif", "image/tiff"},
	{"tiff", "image/tiff"},
	{"txt", "text/plain"},
	{"vcf", "text/vcard"},
	{"wav", "audio/wav"},
	{"webp", "image/webp"},
	{"wmv", "video/x-ms-wmv"},
	{"xls", "application/vnd.ms-excel"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"xml", "application/xml"},
	{"zip", "application/zip"},
};

const char *mime_content_type(const char *file_name)
{
	const char *dot = file_name ? strrchr(file_name, '.') : NULL;
	if (!dot || !dot[1])
		return NULL;
	size_t len = strlen(dot + 1);
	for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++)
		if (strlen(content_types[i].extension) == len &&
		    ascii_equal_nocase(dot + 1, content_types[i].extension, len))
			return content_types[i].type;
	return NULL;
}

bool mime_file_name_valid(const char *file_name)
{
	size_t len = file_name ? strlen(file_name) : 0;
	if (len == 0 || len > 255 || strcmp(file_name, ".") == 0 || strcmp(file_name, "..") == 0)
		return false;
	return utf8_valid((const unsigned char *)file_name, len) && !strpbrk(file_name, "/\\") &&
	       !has_control(file_name, false);
}
