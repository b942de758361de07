/*
 * What recipients say back: unsubscribes and complaints.
 *
 *   GET  /_emulator/unsubscribe/{MessageId}  a small HTML page with a button
 *   POST /_emulator/unsubscribe/{MessageId}  the button (a form POST), or a
 *        mail client's RFC 8058 one-click POST (List-Unsubscribe=One-Click):
 *        every To recipient of the message is unsubscribed from its sender
 *   POST /_emulator/complaints  {"message_id": "...", "address": "..."}:
 *        a recipient (all of them when "address" is absent) reports the
 *        message as spam; GetAbuseReport lists it
 *
 * The unsubscribe URL is the one compose.c writes into mail (the footer link
 * and List-Unsubscribe), so a browser or a test can follow it. Both routes
 * are idempotent: a second unsubscribe or complaint changes nothing.
 *
 * Owns: the page, the one-message-many-recipients rules above, and setting
 * the delivery's unsubscribed / complained flags that GetSendEmailStatus and
 * GetStatisticsReport read. Never: calls API handlers; sends mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../storage/store_complaint.h"
#include "../../storage/store_message.h"
#include "../../storage/store_unsubscribe.h"
#include "../clock.h"
#include "../http.h"
#include "control.h"
#include "mime_read.h"
#include "routes.h"

#define FEEDBACK_ID_MAX 256
#define FEEDBACK_PAGE_MAX (256u * 1024u) /* the page lists at most 50 To recipients */

/* ---- a small HTML page ---------------------------------------------------------------- */

struct page {
	char *buf;
	size_t len;
	bool failed; /* out of memory or over FEEDBACK_PAGE_MAX */
};

static void put_raw(struct page *p, const char *text, size_t n)
{
	if (p->failed || p->len + n + 1 > FEEDBACK_PAGE_MAX) {
		p->failed = true;
		return;
	}
	char *grown = realloc(p->buf, p->len + n + 1);
	if (!grown) {
		p->failed = true;
		return;
	}
	memcpy(grown + p->len, text, n);
	p->len += n;
	grown[p->len] = '\0';
	p->buf = grown;
}

static void put(struct page *p, const char *text)
{
	put_raw(p, text, strlen(text));
}

/* `text` with & < > " ' escaped. */
static void put_escaped(struct page *p, const char *text)
{
	for (const char *s = text; *s; s++) {
		const char *entity = *s == '&'    ? "&amp;"
				     : *s == '<'  ? "&lt;"
				     : *s == '>'  ? "&gt;"
				     : *s == '"'  ? "&quot;"
				     : *s == '\'' ? "&#39;"
						  : NULL;
		if (entity)
			put(p, entity);
		else
			put_raw(p, s, 1);
	}
}

static void page_open(struct page *p, const char *title)
{
	put(p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	put_escaped(p, title);
	put(p, "</title><style>body{font-family:system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;"
	       "color:#222}button{font-size:1em;padding:.5em 1.5em}small{color:#777}</style></head><body><h1>");
	put_escaped(p, title);
	put(p, "</h1>\n");
}

/* Close the page and answer it with `status`. */
static void page_reply(struct page *p, unsigned status, struct http_response *resp)
{
	put(p, "<p><small>ses-emulator: nothing here leaves this machine.</small></p></body></html>\n");
	if (p->failed) {
		free(p->buf);
		return control_reply_error(resp, 500, "out of memory");
	}
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	resp->body = p->buf;
	resp->body_len = p->len;
}

static void page_message(unsigned status, const char *title, const char *text, struct http_response *resp)
{
	struct page p = {0};
	page_open(&p, title);
	put(&p, "<p>");
	put_escaped(&p, text);
	put(&p, "</p>\n");
	page_reply(&p, status, resp);
}

/* ---- unsubscribe ---------------------------------------------------------------------- */

/* The To addresses of a stored message (its recipients JSON); NULL when out of memory. */
static cJSON *to_addresses(const struct store_message *m)
{
	cJSON *doc = cJSON_Parse(m->recipients_json ? m->recipients_json : "");
	cJSON *to = cJSON_DetachItemFromObjectCaseSensitive(doc, "to");
	cJSON_Delete(doc);
	if (cJSON_IsArray(to))
		return to;
	cJSON_Delete(to);
	return cJSON_CreateArray();
}

static void unsubscribe_page(const struct store_message *m, const cJSON *to, struct http_response *resp)
{
	struct page p = {0};
	page_open(&p, "Unsubscribe");
	put(&p, "<p>Stop receiving emails from <b>");
	put_escaped(&p, m->from_address);
	put(&p, "</b> at:</p>\n<ul>");
	const cJSON *item;
	cJSON_ArrayForEach(item, to)
	{
		if (!cJSON_IsString(item))
			continue;
		put(&p, "<li>");
		put_escaped(&p, item->valuestring);
		put(&p, "</li>");
	}
	put(&p, "</ul>\n<form method=\"post\" action=\"/_emulator/unsubscribe/");
	put_escaped(&p, m->message_id);
	put(&p, "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
		"<button type=\"submit\">Unsubscribe</button></form>\n");
	page_reply(&p, 200, resp);
}

/* Unsubscribe every To recipient of `m` (of `account`) from its sender. */
static enum store_status unsubscribe_all(struct store *store, int64_t account, const struct store_message *m,
					 const cJSON *to)
{
	int64_t now = clock_now();
	const cJSON *item;
	cJSON_ArrayForEach(item, to)
	{
		if (!cJSON_IsString(item))
			continue;
		enum store_status status =
			store_unsubscribe_add(store, account, item->valuestring, m->from_address, m->message_id, now);
		if (status == STORE_OK)
			status = store_delivery_mark_unsubscribed(store, m->message_id, item->valuestring);
		if (status != STORE_OK && status != STORE_NOT_FOUND)
			return status;
	}
	return STORE_OK;
}

/* GET shows the page, POST unsubscribes; the store is held for the whole answer. */
static void unsubscribe(const struct control_env *env, const char *id, bool post, struct http_response *resp)
{
	struct store_message m = {0};
	int64_t account = 0;
	cJSON *to = NULL;
	if (store_begin(env->store, post) != STORE_OK)
		return page_message(500, "Unsubscribe", "The store is not available.", resp);
	enum store_status status = store_message_get(env->store, id, false, &m);
	if (status == STORE_OK)
		status = store_message_account(env->store, id, &account);
	if (status == STORE_OK && !(to = to_addresses(&m)))
		status = STORE_NOMEM;
	if (status == STORE_OK && post)
		status = unsubscribe_all(env->store, account, &m, to);
	if (status == STORE_OK && post)
		status = store_commit(env->store);
	else
		store_rollback(env->store);
	if (status == STORE_NOT_FOUND)
		page_message(404, "Unsubscribe", "This unsubscribe link does not belong to any message.", resp);
	else if (status != STORE_OK)
		page_message(500, "Unsubscribe", "The store failed; try again.", resp);
	else if (post)
		page_message(200, "Unsubscribed", "You will not receive these emails any more.", resp);
	else
		unsubscribe_page(&m, to, resp);
	cJSON_Delete(to);
	store_message_finish(&m);
}

void control_unsubscribe_handle(const struct control_env *env, const struct http_request *http, const char *rest,
				struct http_response *resp)
{
	const char *method = http_request_method(http);
	size_t len = rest[0] == '/' ? strlen(rest + 1) : 0;
	if (len == 0 || len >= FEEDBACK_ID_MAX || strchr(rest + 1, '/'))
		return page_message(404, "Unsubscribe", "This unsubscribe link does not belong to any message.", resp);
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		return control_reply_error(resp, 405, "use GET or POST for an unsubscribe link");
	unsubscribe(env, rest + 1, strcmp(method, "POST") == 0, resp);
}

/* ---- complaints ----------------------------------------------------------------------- */

/* The Message-ID header of a stored message, without <> ("" when it has none). */
static bool header_id_of(const struct store_message *m, char *out, size_t size)
{
	struct mime_read_result mime = {0};
	out[0] = '\0';
	if (!mime_read_parse(m->raw, m->raw_len, &mime))
		return false;
	for (size_t i = 0; i < mime.header_count; i++) {
		if (strcasecmp(mime.headers[i].name, "Message-ID") != 0)
			continue;
		const char *v = mime.headers[i].value;
		size_t n = strlen(v);
		if (n > 2 && v[0] == '<' && v[n - 1] == '>')
			snprintf(out, size, "%.*s", (int)(n - 2), v + 1);
		else
			snprintf(out, size, "%s", v);
		break;
	}
	mime_read_finish(&mime);
	return true;
}

/* One complaint of `address` about `m`; adds {"address","recorded"} to `list`. */
static enum store_status complain(struct store *store, int64_t account, const struct store_message *m,
				  const char *header_id, const char *address, cJSON *list)
{
	int64_t now = clock_now();
	char day[16];
	clock_format_date(now, day, sizeof(day));
	const char *at = strrchr(m->from_address, '@');
	struct store_complaint in = {
		.message_id = m->message_id,
		.header_id = (char *)header_id,
		.recipient = (char *)address,
		.from_address = m->from_address,
		.from_domain = at ? (char *)at + 1 : "",
		.subject = m->subject,
		.template_id = m->template_id,
		.task_id = m->task_id,
		.deliver_time = m->created,
		.complain_time = now,
	};
	bool added = false;
	enum store_status status = store_complaint_add(store, account, &in, day, &added);
	if (status == STORE_OK)
		status = store_delivery_mark_complained(store, m->message_id, address);
	if (status != STORE_OK)
		return status;
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return STORE_NOMEM;
	cJSON_AddItemToArray(list, item);
	return cJSON_AddStringToObject(item, "address", address) && cJSON_AddBoolToObject(item, "recorded", added)
		       ? STORE_OK
		       : STORE_NOMEM;
}

/* The body: {"message_id": string, "address": string (optional)}; false with the 400 answer given. */
static bool read_complaint(const cJSON *body, const char **id, const char **address, struct http_response *resp)
{
	const cJSON *item;
	if (!cJSON_IsObject(body)) {
		control_reply_error(resp, 400,
				    "the body must be a JSON object {\"message_id\": ..., \"address\": ...}");
		return false;
	}
	cJSON_ArrayForEach(item, body)
	{
		if (strcmp(item->string, "message_id") != 0 && strcmp(item->string, "address") != 0) {
			char message[160];
			snprintf(message, sizeof(message), "unknown member \"%.60s\"; use message_id and address",
				 item->string);
			control_reply_error(resp, 400, message);
			return false;
		}
		if (!cJSON_IsString(item) || !item->valuestring[0] || strlen(item->valuestring) >= FEEDBACK_ID_MAX) {
			control_reply_error(resp, 400, "message_id and address must be non-empty strings");
			return false;
		}
	}
	*id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "message_id"));
	*address = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "address"));
	if (!*id) {
		control_reply_error(resp, 400, "\"message_id\" is required");
		return false;
	}
	return true;
}

/* Every recipient of `m`, or only `address`; *matched says whether `address` is one of them. */
static enum store_status complain_all(struct store *store, const struct store_message *m, const char *address,
				      cJSON *list, bool *matched)
{
	int64_t account = 0;
	struct store_delivery *rows = NULL;
	size_t count = 0;
	char header_id[256];
	enum store_status status = store_message_account(store, m->message_id, &account);
	if (status == STORE_OK)
		status = store_message_deliveries(store, m->message_id, &rows, &count);
	if (status == STORE_OK && !header_id_of(m, header_id, sizeof(header_id)))
		status = STORE_NOMEM;
	*matched = false;
	for (size_t i = 0; status == STORE_OK && i < count; i++) {
		if (address && strcasecmp(address, rows[i].to) != 0)
			continue;
		*matched = true;
		status = complain(store, account, m, header_id, rows[i].to, list);
		if (address)
			break;
	}
	store_delivery_list_free(rows, count);
	return status;
}

/* Record the complaints of message `id` (all recipients, or `address`) in one unit of work. */
static enum store_status complain_message(struct store *store, const char *id, const char *address, cJSON *list,
					  bool *matched)
{
	struct store_message m = {0};
	*matched = false;
	if (store_begin(store, true) != STORE_OK)
		return STORE_ERROR;
	enum store_status status = store_message_get(store, id, true, &m);
	if (status == STORE_OK)
		status = complain_all(store, &m, address, list, matched);
	if (status == STORE_OK && *matched)
		status = store_commit(store);
	else
		store_rollback(store);
	store_message_finish(&m);
	return status;
}

static void record_complaint(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	size_t len = 0;
	const char *text = http_request_body(http, &len);
	cJSON *body = text && len ? cJSON_ParseWithLength(text, len) : NULL;
	const char *id = NULL, *address = NULL;
	cJSON *answer = NULL;
	if (!read_complaint(body, &id, &address, resp))
		goto done;
	answer = cJSON_CreateObject();
	cJSON *list = answer ? cJSON_AddArrayToObject(answer, "complaints") : NULL;
	bool matched = false;
	enum store_status status = list ? complain_message(env->store, id, address, list, &matched) : STORE_NOMEM;
	if (status == STORE_OK && matched && !cJSON_AddStringToObject(answer, "message_id", id))
		status = STORE_NOMEM;
	if (status == STORE_OK && matched) {
		control_reply_json(resp, 200, answer);
		answer = NULL;
	} else if (status == STORE_NOT_FOUND) {
		control_reply_error(resp, 404, "no message with this id");
	} else if (status == STORE_OK) {
		control_reply_error(resp, 400, "\"address\" is not a recipient of this message");
	} else {
		control_reply_error(resp, 500, status == STORE_NOMEM ? "out of memory" : "the store failed");
	}
done:
	cJSON_Delete(answer);
	cJSON_Delete(body);
}

void control_complaints_handle(const struct control_env *env, const struct http_request *http,
			       struct http_response *resp)
{
	if (strcmp(http_request_method(http), "POST") != 0)
		return control_reply_error(resp, 405, "use POST for /_emulator/complaints");
	record_complaint(env, http, resp);
}
