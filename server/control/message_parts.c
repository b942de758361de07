/*
 * The parts of one stored message that a browser opens by themselves:
 *
 *   GET /_emulator/messages/{id}/html               the HTML body, sandboxed
 *   GET /_emulator/messages/{id}/attachments/{n}    attachment n (from 0), a download
 *
 * Owns: the headers that keep both contained. The HTML body carries
 * Content-Security-Policy "sandbox" (no script runs; an opaque origin that
 * cannot read the page around it) and reaches no network (default-src
 * 'none'; images only from data: URLs), so mail shown in the web page's
 * frame can neither act nor call home. Attachments are downloads
 * (Content-Disposition: attachment) that are never sniffed or rendered in
 * place. Never: writes; reads the store only while copying the message out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_message.h"
#include "../http.h"
#include "control.h"
#include "mime_read.h"
#include "routes.h"

#define HTML_POLICY "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
#define ATTACHMENT_POLICY "sandbox; default-src 'none'"
#define NAME_ASCII_MAX 150   /* characters of the plain filename= fallback */
#define NAME_ENCODED_MAX 450 /* bytes of the percent-encoded filename*= value */

/* The message `id` with its raw text into *m; false with the 404 or 500 answer given. */
static bool load(const struct control_env *env, const char *id, struct store_message *m, struct http_response *resp)
{
	if (store_begin(env->store, false) != STORE_OK) {
		control_reply_error(resp, 500, "the store is not available");
		return false;
	}
	enum store_status status = store_message_get(env->store, id, true, m);
	store_rollback(env->store);
	if (status == STORE_OK)
		return true;
	control_reply_error(resp, status == STORE_NOT_FOUND ? 404 : 500,
			    status == STORE_NOT_FOUND ? "no message with this id" : "the store failed");
	return false;
}

/* Headers every part carries; false when they do not fit (never with the fixed ones here). */
static bool contain(struct http_response *resp, const char *policy)
{
	return http_response_add_header(resp, "Content-Security-Policy", policy) &&
	       http_response_add_header(resp, "X-Content-Type-Options", "nosniff") &&
	       http_response_add_header(resp, "Cache-Control", "no-cache") &&
	       http_response_add_header(resp, "Referrer-Policy", "no-referrer");
}

static void serve_html(const struct store_message *m, struct http_response *resp)
{
	struct mime_read_result mime = {0};
	if (!mime_read_parse(m->raw, m->raw_len, &mime)) {
		control_reply_error(resp, 500, "out of memory");
		return;
	}
	if (!mime.html) {
		control_reply_error(resp, 404, "the message has no HTML part");
	} else if (contain(resp, HTML_POLICY)) {
		resp->status = 200;
		resp->content_type = "text/html; charset=utf-8";
		resp->body = mime.html;
		resp->body_len = strlen(mime.html);
		mime.html = NULL;
	} else {
		control_reply_error(resp, 500, "the answer's headers do not fit");
	}
	mime_read_finish(&mime);
}

/* Whether `type` is a plain "type/subtype" of token characters, safe to send as Content-Type. */
static bool media_type_safe(const char *type)
{
	size_t slashes = 0;
	if (!type[0] || type[0] == '/')
		return false;
	for (const char *p = type; *p; p++) {
		if (*p == '/')
			slashes++;
		else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("!#$&^_.+-", *p)))
			return false;
	}
	return slashes == 1 && type[strlen(type) - 1] != '/';
}

/* The byte length of the UTF-8 character starting with c (mime_read gives valid UTF-8). */
static size_t char_length(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
}

/* RFC 5987 attr-char: written as is in filename*=; everything else is %XX. */
static bool attr_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$&+-.^_`|~", c));
}

/* Percent-encode `name` into out (size > 0), whole characters only, as many as fit. */
static void encode_name(const char *name, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t e = 0;
	for (size_t i = 0; name[i];) {
		size_t n = char_length((unsigned char)name[i]), need = 0;
		for (size_t k = 0; k < n && name[i + k]; k++)
			need += attr_char((unsigned char)name[i + k]) ? 1 : 3;
		if (e + need >= size)
			break;
		for (size_t k = 0; k < n && name[i]; k++, i++) {
			unsigned char c = (unsigned char)name[i];
			if (attr_char(c)) {
				out[e++] = (char)c;
			} else {
				out[e++] = '%';
				out[e++] = hex[c >> 4];
				out[e++] = hex[c & 15];
			}
		}
	}
	out[e] = '\0';
}

/*
 * Content-Disposition for `name` (valid UTF-8): a plain ASCII filename= for
 * old clients (other bytes become '_') and the exact name as RFC 5987
 * filename*=, both cut to fit the header.
 */
static void disposition(const char *name, char *out, size_t size)
{
	char ascii[NAME_ASCII_MAX + 1], encoded[NAME_ENCODED_MAX + 1];
	size_t a = 0;
	for (size_t i = 0; name[i] && a < NAME_ASCII_MAX; i++) {
		unsigned char c = (unsigned char)name[i];
		ascii[a++] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '_';
	}
	ascii[a] = '\0';
	encode_name(name, encoded, sizeof(encoded));
	snprintf(out, size, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded);
}

static void serve_attachment(const struct store_message *m, size_t index, struct http_response *resp)
{
	struct mime_read_attachment a = {0};
	enum mime_read_status status = mime_read_attachment(m->raw, m->raw_len, index, &a);
	if (status != MIME_READ_OK) {
		control_reply_error(resp, status == MIME_READ_NOT_FOUND ? 404 : 500,
				    status == MIME_READ_NOT_FOUND ? "the message has no attachment with this number"
								  : "out of memory");
		return;
	}
	char fallback[32], value[HTTP_HEADER_VALUE_MAX];
	snprintf(fallback, sizeof(fallback), "attachment-%zu", index);
	disposition(a.file_name[0] ? a.file_name : fallback, value, sizeof(value));
	/* the type is the message's, not a static string: it goes with the other headers */
	const char *type = media_type_safe(a.content_type) ? a.content_type : "application/octet-stream";
	if (!http_response_add_header(resp, "Content-Type", type) ||
	    !http_response_add_header(resp, "Content-Disposition", value) || !contain(resp, ATTACHMENT_POLICY)) {
		control_reply_error(resp, 500, "the answer's headers do not fit");
	} else {
		resp->status = 200;
		resp->body = (char *)a.data;
		resp->body_len = a.len;
		a.data = NULL;
	}
	mime_read_attachment_finish(&a);
}

/* "{digits}" (no leading zero, at most 6 digits) as an attachment number; false for anything else. */
static bool parse_index(const char *text, size_t *index)
{
	size_t n = 0, digits = 0;
	for (; text[digits] >= '0' && text[digits] <= '9'; digits++) {
		if (digits >= 6)
			return false;
		n = n * 10 + (size_t)(text[digits] - '0');
	}
	*index = n;
	return digits > 0 && text[digits] == '\0' && (digits == 1 || text[0] != '0');
}

void control_message_part_handle(const struct control_env *env, const char *id, const char *part,
				 struct http_response *resp)
{
	static const char attachments[] = "/attachments/";
	size_t index = 0;
	bool html = strcmp(part, "/html") == 0;
	if (!html && (strncmp(part, attachments, sizeof(attachments) - 1) != 0 ||
		      !parse_index(part + sizeof(attachments) - 1, &index))) {
		control_reply_error(resp, 404, "no such route under /_emulator/messages");
		return;
	}
	struct store_message m = {0};
	if (!load(env, id, &m, resp))
		return;
	if (html)
		serve_html(&m, resp);
	else
		serve_attachment(&m, index, resp);
	store_message_finish(&m);
}
