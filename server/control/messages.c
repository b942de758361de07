/*
 * /_emulator/messages: the mail the emulator accepted, for tests to inspect.
 *
 *   GET    /_emulator/messages            list (filters in the query), newest first
 *   DELETE /_emulator/messages            remove every message and its deliveries
 *   GET    /_emulator/messages/{id}       one message, bodies and headers read from its MIME
 *   GET    /_emulator/messages/{id}/raw   the stored RFC 5322 message
 *   GET    /_emulator/messages/{id}/html, /attachments/{n}   see message_parts.c
 *
 * Owns: the JSON view of a message, its overall status, the query rules.
 * Never: writes anything but the delete; reads hold the store only while
 * copying rows out (store_begin(false) ... store_rollback).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_message.h"
#include "../../storage/store_relay.h"
#include "../clock.h"
#include "../http.h"
#include "control.h"
#include "mime_read.h"
#include "routes.h"

#define MESSAGES_LIST_DEFAULT 50
#define MESSAGES_LIST_MAX 1000
#define MESSAGES_FILTER_MAX 512

/*
 * One recipient's outcome, and its rank: the message's status is the worst
 * rank among its recipients. A recipient the service refused (SendStatus
 * not 0) counts as dropped.
 */
static const char *outcome(const struct store_delivery *d, int *rank)
{
	static const char *const names[] = {"delivered", "queued", "delayed", "dropped", "rejected", "bounced"};
	int r;
	if (d->send_status != 0)
		r = 3;
	else if (d->bounced)
		r = 5;
	else if (d->deliver_status == 1)
		r = 0;
	else if (d->deliver_status == 8)
		r = 2;
	else if (d->deliver_status == 2)
		r = 3;
	else if (d->deliver_status == 3)
		r = 4;
	else
		r = 1;
	*rank = r;
	return names[r];
}

/* "recipients" and "status" from the delivery rows. */
static bool add_recipients(cJSON *view, const struct store_delivery *rows, size_t count)
{
	cJSON *list = cJSON_AddArrayToObject(view, "recipients");
	int worst = count ? 0 : 1; /* no delivery row yet: queued */
	const char *status = count ? "delivered" : "queued";
	for (size_t i = 0; list && i < count; i++) {
		int rank;
		const char *name = outcome(&rows[i], &rank);
		cJSON *item = cJSON_CreateObject();
		if (!item)
			return false;
		cJSON_AddItemToArray(list, item);
		if (!cJSON_AddStringToObject(item, "address", rows[i].to) ||
		    !cJSON_AddNumberToObject(item, "send_status", rows[i].send_status) ||
		    !cJSON_AddNumberToObject(item, "deliver_status", rows[i].deliver_status) ||
		    !cJSON_AddStringToObject(item, "deliver_message", rows[i].deliver_message) ||
		    !cJSON_AddStringToObject(item, "outcome", name))
			return false;
		if (rank > worst) {
			worst = rank;
			status = name;
		}
	}
	return list && cJSON_AddStringToObject(view, "status", status);
}

/* The member `name` of a stored JSON text, as a new item; `fallback` (an empty array) when absent or invalid. */
static cJSON *stored_json(const char *text, const char *name)
{
	cJSON *doc = cJSON_Parse(text ? text : "");
	cJSON *item = name ? cJSON_DetachItemFromObjectCaseSensitive(doc, name) : doc;
	if (name)
		cJSON_Delete(doc);
	if (cJSON_IsArray(item))
		return item;
	cJSON_Delete(item);
	return cJSON_CreateArray();
}

/* An id, or null for 0 (no template / not a batch task). */
static bool add_id(cJSON *view, const char *name, int64_t id)
{
	return id ? cJSON_AddNumberToObject(view, name, (double)id) != NULL : cJSON_AddNullToObject(view, name) != NULL;
}

/* The fields every view has (list and single). */
static bool add_summary(cJSON *view, const struct store_message *m)
{
	char created[32];
	clock_format_datetime(m->created, created, sizeof(created));
	bool ok = cJSON_AddStringToObject(view, "id", m->message_id) &&
		  cJSON_AddNumberToObject(view, "app_id", (double)m->account_app_id) &&
		  cJSON_AddStringToObject(view, "from", m->from_address);
	static const char *const kinds[] = {"to", "cc", "bcc"};
	for (size_t i = 0; ok && i < 3; i++) {
		cJSON *list = stored_json(m->recipients_json, kinds[i]);
		ok = list && cJSON_AddItemToObject(view, kinds[i], list);
	}
	cJSON *attachments = ok ? stored_json(m->attachments_json, NULL) : NULL;
	return ok && attachments && cJSON_AddStringToObject(view, "reply_to", m->reply_to) &&
	       cJSON_AddStringToObject(view, "subject", m->subject) &&
	       cJSON_AddItemToObject(view, "attachments", attachments) && add_id(view, "template_id", m->template_id) &&
	       add_id(view, "task_id", m->task_id) && cJSON_AddStringToObject(view, "created_at", created);
}

/*
 * "relay": how the SMTP relay took the message. status: "off" (never queued:
 * no --smtp-relay when it was stored, or no accepted recipient), "pending"
 * (no attempt yet), "retrying" (an attempt failed, another is due), "sent",
 * "failed" (no attempt left).
 */
static bool add_relay(cJSON *view, struct store *store, const char *message_id)
{
	struct store_relay relay;
	enum store_status status = store_relay_get(store, message_id, &relay);
	if (status != STORE_OK && status != STORE_NOT_FOUND)
		return false;
	const char *name = "off";
	if (status == STORE_OK && relay.status == STORE_RELAY_SENT)
		name = "sent";
	else if (status == STORE_OK && relay.status == STORE_RELAY_FAILED)
		name = "failed";
	else if (status == STORE_OK)
		name = relay.attempts ? "retrying" : "pending";
	char relayed_at[32];
	clock_format_datetime(relay.relayed_at, relayed_at, sizeof(relayed_at));
	cJSON *item = cJSON_AddObjectToObject(view, "relay");
	bool ok = item && cJSON_AddStringToObject(item, "status", name) &&
		  cJSON_AddNumberToObject(item, "attempts", relay.attempts) &&
		  cJSON_AddStringToObject(item, "last_error", relay.last_error ? relay.last_error : "") &&
		  (relay.relayed_at ? cJSON_AddStringToObject(item, "relayed_at", relayed_at)
				    : cJSON_AddNullToObject(item, "relayed_at"));
	store_relay_finish(&relay);
	return ok;
}

/* A view of `m` with its recipients (read from the store, which the caller holds). */
static cJSON *message_view(struct store *store, const struct store_message *m)
{
	struct store_delivery *rows = NULL;
	size_t count = 0;
	cJSON *view = cJSON_CreateObject();
	if (!view || !add_summary(view, m) ||
	    store_message_deliveries(store, m->message_id, &rows, &count) != STORE_OK ||
	    !add_recipients(view, rows, count) || !add_relay(view, store, m->message_id)) {
		cJSON_Delete(view);
		view = NULL;
	}
	store_delivery_list_free(rows, count);
	return view;
}

/* text, html and headers, read from the raw message. */
static bool add_content(cJSON *view, const struct store_message *m)
{
	struct mime_read_result mime = {0};
	if (!mime_read_parse(m->raw, m->raw_len, &mime))
		return false;
	cJSON *headers = cJSON_CreateObject();
	bool ok = headers && cJSON_AddItemToObject(view, "headers", headers);
	for (size_t i = 0; ok && i < mime.header_count; i++)
		if (!cJSON_GetObjectItem(headers, mime.headers[i].name)) /* the first of repeated fields */
			ok = cJSON_AddStringToObject(headers, mime.headers[i].name, mime.headers[i].value) != NULL;
	if (!ok && headers && !cJSON_GetObjectItem(view, "headers"))
		cJSON_Delete(headers);
	ok = ok && (mime.text ? cJSON_AddStringToObject(view, "text", mime.text) : cJSON_AddNullToObject(view, "text"));
	ok = ok && (mime.html ? cJSON_AddStringToObject(view, "html", mime.html) : cJSON_AddNullToObject(view, "html"));
	mime_read_finish(&mime);
	return ok;
}

/* The filters of the list; false with the 400 answer given. */
static bool read_filter(const char *query, struct store_message_filter *f, char (*text)[MESSAGES_FILTER_MAX],
			struct http_response *resp)
{
	static const char *const known[] = {"to", "from", "subject", "task_id", "app_id", "limit", NULL};
	static const char *const texts[] = {"to", "from", "subject"};
	char name[64], number[32], message[160];
	if (control_query_unknown(query, known, name, sizeof(name))) {
		snprintf(message, sizeof(message),
			 "unknown query parameter \"%s\"; use to, from, subject, task_id, "
			 "app_id or limit",
			 name);
		control_reply_error(resp, 400, message);
		return false;
	}
	for (size_t i = 0; i < 3; i++) {
		bool cut = false;
		text[i][0] = '\0';
		if (control_query_get(query, texts[i], text[i], MESSAGES_FILTER_MAX, &cut) && cut) {
			snprintf(message, sizeof(message), "\"%s\" is too long", texts[i]);
			control_reply_error(resp, 400, message);
			return false;
		}
	}
	f->to = text[0][0] ? text[0] : NULL;
	f->from = text[1][0] ? text[1] : NULL;
	f->subject = text[2][0] ? text[2] : NULL;
	static const char *const numbers[] = {"task_id", "app_id", "limit"};
	int64_t values[3] = {0, 0, MESSAGES_LIST_DEFAULT};
	for (size_t i = 0; i < 3; i++) {
		char *end = NULL;
		if (!control_query_get(query, numbers[i], number, sizeof(number), NULL))
			continue;
		long long v = strtoll(number, &end, 10);
		if (!number[0] || *end || v < 1 || (i == 2 && v > MESSAGES_LIST_MAX)) {
			snprintf(message, sizeof(message), "\"%s\" must be a whole number from 1%s", numbers[i],
				 i == 2 ? " to 1000" : "");
			control_reply_error(resp, 400, message);
			return false;
		}
		values[i] = v;
	}
	f->task_id = values[0];
	f->app_id = (uint64_t)values[1];
	f->limit = values[2];
	return true;
}

static void list_messages(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	struct store_message_filter filter = {0};
	char text[3][MESSAGES_FILTER_MAX];
	if (!read_filter(http_request_query(http), &filter, text, resp))
		return;
	struct store_message *rows = NULL;
	size_t count = 0;
	if (store_begin(env->store, false) != STORE_OK)
		return control_reply_error(resp, 500, "the store is not available");
	enum store_status status = store_message_list(env->store, &filter, &rows, &count);
	cJSON *body = status == STORE_OK ? cJSON_CreateObject() : NULL;
	cJSON *list = body ? cJSON_AddArrayToObject(body, "messages") : NULL;
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++) {
		cJSON *view = message_view(env->store, &rows[i]);
		ok = view && cJSON_AddItemToArray(list, view);
	}
	store_rollback(env->store);
	store_message_list_free(rows, count);
	if (!ok) {
		cJSON_Delete(body);
		return control_reply_error(resp, 500, status == STORE_OK ? "out of memory" : "the store failed");
	}
	control_reply_json(resp, 200, body);
}

static void delete_messages(const struct control_env *env, struct http_response *resp)
{
	int64_t deleted = 0;
	if (store_begin(env->store, true) != STORE_OK)
		return control_reply_error(resp, 500, "the store is not available");
	enum store_status status = store_message_delete_all(env->store, &deleted);
	if (status == STORE_OK)
		status = store_commit(env->store);
	else
		store_rollback(env->store);
	if (status != STORE_OK)
		return control_reply_error(resp, 500, "the store failed");
	cJSON *body = cJSON_CreateObject();
	if (body && !cJSON_AddNumberToObject(body, "deleted", (double)deleted)) {
		cJSON_Delete(body);
		body = NULL;
	}
	control_reply_json(resp, 200, body);
}

/* GET one message: `raw` answers the stored message itself. */
static void get_message(const struct control_env *env, const char *id, bool raw, struct http_response *resp)
{
	struct store_message m = {0};
	if (store_begin(env->store, false) != STORE_OK)
		return control_reply_error(resp, 500, "the store is not available");
	enum store_status status = store_message_get(env->store, id, true, &m);
	cJSON *view = status == STORE_OK && !raw ? message_view(env->store, &m) : NULL;
	store_rollback(env->store);
	if (status == STORE_NOT_FOUND)
		return control_reply_error(resp, 404, "no message with this id");
	if (status != STORE_OK)
		return control_reply_error(resp, 500, "the store failed");
	if (raw) {
		resp->status = 200;
		resp->content_type = "message/rfc822";
		resp->body = m.raw;
		resp->body_len = m.raw_len;
		m.raw = NULL;
	} else if (view && add_content(view, &m)) {
		control_reply_json(resp, 200, view);
		view = NULL;
	} else {
		control_reply_error(resp, 500, "out of memory");
	}
	cJSON_Delete(view);
	store_message_finish(&m);
}

void control_messages_handle(const struct control_env *env, const struct http_request *http, const char *rest,
			     struct http_response *resp)
{
	const char *method = http_request_method(http);
	if (rest[0] == '\0' || strcmp(rest, "/") == 0) {
		if (strcmp(method, "GET") == 0)
			return list_messages(env, http, resp);
		if (strcmp(method, "DELETE") == 0)
			return delete_messages(env, resp);
		return control_reply_error(resp, 405, "use GET or DELETE for /_emulator/messages");
	}
	char id[256];
	const char *start = rest + 1, *slash = strchr(start, '/');
	size_t len = slash ? (size_t)(slash - start) : strlen(start);
	bool raw = slash && strcmp(slash, "/raw") == 0;
	if (len == 0 || len >= sizeof(id))
		return control_reply_error(resp, 404, "no such route under /_emulator/messages");
	if (strcmp(method, "GET") != 0)
		return control_reply_error(resp, 405, "use GET for a message");
	memcpy(id, start, len);
	id[len] = '\0';
	if (slash && !raw) /* /html, /attachments/{n}: message_parts.c */
		return control_message_part_handle(env, id, slash, resp);
	get_message(env, id, raw, resp);
}
