/*
 * GET /_emulator/state?app_id=N: one account's resources at a glance, for
 * the web page's tabs and for tests: templates, sending domains with their
 * DNS records, sender addresses, recipient groups (with their first
 * members), tasks with their progress, the suppression lists (bounces,
 * the custom blacklist, unsubscribe settings, recorded unsubscribes) and
 * abuse reports. Without app_id: the first account.
 *
 * Owns: the JSON view of each resource (snake_case names, times as
 * "YYYY-MM-DD HH:MM:SS" China Standard Time, numbers next to their names)
 * and the ceilings of each list (STATE_LIST_MAX rows, STATE_MEMBERS_MAX
 * members per group). Never: writes, or calls the API handlers: it reads
 * through storage/ only, in one read unit (store_begin(false) ...
 * store_rollback), and never shows secrets (SMTP password hashes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_account.h"
#include "../../storage/store_blacklist.h"
#include "../../storage/store_complaint.h"
#include "../../storage/store_identity.h"
#include "../../storage/store_message.h"
#include "../../storage/store_receiver.h"
#include "../../storage/store_sender.h"
#include "../../storage/store_task.h"
#include "../../storage/store_template.h"
#include "../../storage/store_unsubscribe.h"
#include "../api/identity.h"
#include "../clock.h"
#include "../http.h"
#include "control.h"
#include "routes.h"

#define STATE_LIST_MAX 1000 /* rows of each list shown; the page is for people, not bulk export */
#define STATE_MEMBERS_MAX 20

/* ---- small JSON helpers: each false when out of memory ---- */

/* A new object appended to `list`, or NULL. */
static cJSON *new_item(cJSON *list)
{
	cJSON *item = cJSON_CreateObject();
	if (item && !cJSON_AddItemToArray(list, item)) {
		cJSON_Delete(item);
		item = NULL;
	}
	return item;
}

static bool add_text(cJSON *obj, const char *name, const char *text)
{
	return text ? cJSON_AddStringToObject(obj, name, text) != NULL : cJSON_AddNullToObject(obj, name) != NULL;
}

static bool add_number(cJSON *obj, const char *name, int64_t value)
{
	return cJSON_AddNumberToObject(obj, name, (double)value) != NULL;
}

/* A time as CST text; null for 0 (never). */
static bool add_time(cJSON *obj, const char *name, int64_t when)
{
	char text[32];
	if (!when)
		return cJSON_AddNullToObject(obj, name) != NULL;
	clock_format_datetime(when, text, sizeof(text));
	return cJSON_AddStringToObject(obj, name, text) != NULL;
}

/* A status number and its name from `names` (`count` of them, from `first`). */
static bool add_status(cJSON *obj, int status, const char *const *names, int first, int count)
{
	const char *name = status >= first && status < first + count ? names[status - first] : "unknown";
	return add_number(obj, "status", status) && cJSON_AddStringToObject(obj, "status_name", name);
}

/* The status of a store call that built JSON: `ok` false means out of memory. */
static enum store_status built(enum store_status status, bool ok)
{
	return status == STORE_OK && !ok ? STORE_NOMEM : status;
}

/* ---- one function per resource ---- */

static enum store_status add_templates(struct store *store, int64_t account, cJSON *list)
{
	static const char *const names[] = {"approved", "pending", "rejected"};
	struct store_template *rows = NULL;
	size_t count = 0;
	enum store_status status = store_template_list(store, account, 0, STATE_LIST_MAX, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		const struct store_template *t = &rows[i];
		cJSON *item = new_item(list);
		ok = item && add_number(item, "id", t->id) && cJSON_AddStringToObject(item, "name", t->name) &&
		     add_status(item, t->status, names, 0, 3) && add_text(item, "review_reason", t->review_reason) &&
		     add_text(item, "html", t->html) && add_text(item, "text", t->text) &&
		     add_time(item, "created_at", t->created) && add_time(item, "updated_at", t->updated);
	}
	store_template_list_free(rows, count);
	return built(status, ok);
}

static bool add_dns_records(cJSON *item, const struct store_identity *row)
{
	cJSON *records = cJSON_AddArrayToObject(item, "dns_records");
	struct identity_dns_record record;
	bool ok = records != NULL;
	for (size_t i = 0; ok && identity_dns_record(row->domain, row->dkim_key, i, &record); i++) {
		cJSON *r = new_item(records);
		ok = r && cJSON_AddStringToObject(r, "type", record.type) &&
		     cJSON_AddStringToObject(r, "host", record.host) &&
		     cJSON_AddStringToObject(r, "value", record.value);
	}
	return ok;
}

static enum store_status add_identities(struct store *store, int64_t account, cJSON *list)
{
	static const char *const names[] = {"pending", "verified", "failed"};
	struct store_identity *rows = NULL;
	size_t count = 0;
	enum store_status status = store_identity_list(store, account, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count && i < STATE_LIST_MAX; i++) {
		cJSON *item = new_item(list);
		ok = item && cJSON_AddStringToObject(item, "domain", rows[i].domain) &&
		     add_status(item, rows[i].status, names, 0, 3) &&
		     add_number(item, "dkim_option", rows[i].dkim_option) &&
		     add_time(item, "created_at", rows[i].created) && add_dns_records(item, &rows[i]);
	}
	store_identity_list_free(rows, count);
	return built(status, ok);
}

static enum store_status add_senders(struct store *store, int64_t account, cJSON *list)
{
	static const char *const names[] = {"pending", "approved", "rejected"};
	struct store_sender *rows = NULL;
	size_t count = 0;
	enum store_status status = store_sender_list(store, account, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count && i < STATE_LIST_MAX; i++) {
		cJSON *item = new_item(list);
		ok = item && cJSON_AddStringToObject(item, "address", rows[i].address) &&
		     add_text(item, "name", rows[i].name) && add_text(item, "domain", rows[i].domain) &&
		     add_status(item, rows[i].status, names, 0, 3) && add_time(item, "created_at", rows[i].created);
	}
	store_sender_list_free(rows, count);
	return built(status, ok);
}

/* The first STATE_MEMBERS_MAX members of group `id`. */
static enum store_status add_members(struct store *store, int64_t account, int64_t id, cJSON *item)
{
	static const char *const names[] = {"valid", "invalid"};
	struct store_receiver_member *rows = NULL;
	size_t count = 0;
	cJSON *list = cJSON_AddArrayToObject(item, "members");
	if (!list)
		return STORE_NOMEM;
	enum store_status status = store_receiver_members_page(store, account, id, 0, STATE_MEMBERS_MAX, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		cJSON *m = new_item(list);
		ok = m && cJSON_AddStringToObject(m, "email", rows[i].email) &&
		     add_status(m, rows[i].status, names, 1, 2) && add_text(m, "reason", rows[i].reason) &&
		     add_text(m, "template_data", rows[i].template_data);
	}
	store_receiver_members_free(rows, count);
	return built(status, ok);
}

static enum store_status add_receivers(struct store *store, int64_t account, cJSON *list)
{
	static const char *const names[] = {"pending", "uploading", "uploaded"};
	struct store_receiver_filter filter = {0};
	struct store_receiver *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_receiver_list(store, account, &filter, 0, STATE_LIST_MAX, &rows, &count, &total);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		const struct store_receiver *r = &rows[i];
		cJSON *item = new_item(list);
		ok = item && add_number(item, "id", r->id) && cJSON_AddStringToObject(item, "name", r->name) &&
		     add_text(item, "description", r->description) && add_status(item, r->status, names, 1, 3) &&
		     add_number(item, "member_count", r->member_count) &&
		     add_number(item, "invalid_count", r->invalid_count) && add_time(item, "created_at", r->created);
		if (ok)
			status = add_members(store, account, r->id, item);
	}
	store_receiver_list_free(rows, count);
	return built(status, ok);
}

/* A task's name for its status (enum store_task_status). */
static const char *task_status_name(int status)
{
	switch (status) {
	case STORE_TASK_TO_START:
		return "to_start";
	case STORE_TASK_SENDING:
		return "sending";
	case STORE_TASK_PAUSED_TODAY:
		return "paused_today";
	case STORE_TASK_ERROR:
		return "error";
	case STORE_TASK_DONE:
		return "done";
	default:
		return "unknown";
	}
}

/* What a task is: its kind, content and schedule. */
static bool task_identity(cJSON *item, const struct store_task *t)
{
	static const char *const types[] = {"immediate", "scheduled", "recurring"};
	const char *type = t->task_type >= 1 && t->task_type <= 3 ? types[t->task_type - 1] : "unknown";
	return add_number(item, "id", t->id) && add_number(item, "task_type", t->task_type) &&
	       cJSON_AddStringToObject(item, "task_type_name", type) && add_text(item, "from", t->from_address) &&
	       add_text(item, "subject", t->subject) && add_number(item, "receiver_id", t->receiver_id) &&
	       add_text(item, "receiver_name", t->receiver_name) &&
	       (t->template_id ? add_number(item, "template_id", t->template_id)
			       : cJSON_AddNullToObject(item, "template_id") != NULL) &&
	       add_time(item, "begin_time", t->begin_time) && add_number(item, "interval_hours", t->interval_hours) &&
	       add_number(item, "term_cycle", t->term_cycle);
}

/* Where a task stands: status, progress, the next run. */
static bool task_progress(cJSON *item, const struct store_task *t)
{
	return add_number(item, "status", t->status) &&
	       cJSON_AddStringToObject(item, "status_name", task_status_name(t->status)) &&
	       add_time(item, "next_run", t->next_run) && add_number(item, "runs", t->runs) &&
	       add_number(item, "request_count", t->request_count) && add_number(item, "send_count", t->send_count) &&
	       add_number(item, "cache_count", t->cache_count) && add_text(item, "err_msg", t->err_msg) &&
	       add_time(item, "created_at", t->created) && add_time(item, "updated_at", t->updated);
}

static enum store_status add_tasks(struct store *store, int64_t account, cJSON *list)
{
	struct store_task_filter filter = {.limit = STATE_LIST_MAX};
	struct store_task *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status = store_task_list(store, account, &filter, &rows, &count, &total);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		cJSON *item = new_item(list);
		ok = item && task_identity(item, &rows[i]) && task_progress(item, &rows[i]);
	}
	store_task_list_free(rows, count);
	return built(status, ok);
}

static enum store_status add_bounces(struct store *store, int64_t account, cJSON *list)
{
	struct store_bounce *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_bounce_page(store, account, INT64_MIN, INT64_MAX, NULL, 0, STATE_LIST_MAX, &total, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		cJSON *item = new_item(list);
		ok = item && cJSON_AddStringToObject(item, "address", rows[i].address) &&
		     add_time(item, "bounce_time", rows[i].bounce_time) && add_text(item, "reason", rows[i].isp_desc);
	}
	store_bounce_list_free(rows, count);
	return built(status, ok);
}

static enum store_status add_blacklist(struct store *store, int64_t account, cJSON *list)
{
	char today[16];
	clock_format_date(clock_now(), today, sizeof(today));
	struct store_blacklist_filter filter = {.today = today, .status = 2};
	struct store_blacklist_entry *rows = NULL;
	size_t count = 0;
	enum store_status status = store_blacklist_page(store, account, &filter, 0, STATE_LIST_MAX, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		const struct store_blacklist_entry *e = &rows[i];
		bool permanent = !e->expire_date || !e->expire_date[0];
		cJSON *item = new_item(list);
		ok = item && cJSON_AddStringToObject(item, "email", e->email) &&
		     add_text(item, "expire_date", permanent ? NULL : e->expire_date) &&
		     cJSON_AddBoolToObject(item, "active", permanent || strcmp(today, e->expire_date) < 0) &&
		     add_time(item, "created_at", e->created);
	}
	store_blacklist_list_free(rows, count);
	return built(status, ok);
}

static enum store_status add_unsubscribe_configs(struct store *store, int64_t account, cJSON *list)
{
	struct store_unsubscribe_config *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_unsubscribe_config_page(store, account, 0, STATE_LIST_MAX, &total, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		cJSON *item = new_item(list);
		ok = item && cJSON_AddStringToObject(item, "address", rows[i].address) &&
		     add_text(item, "config", rows[i].config) && add_number(item, "status", rows[i].status);
	}
	store_unsubscribe_config_list_free(rows, count);
	return built(status, ok);
}

static enum store_status add_unsubscribes(struct store *store, int64_t account, cJSON *list)
{
	struct store_unsubscribe *rows = NULL;
	size_t count = 0;
	enum store_status status = store_unsubscribe_page(store, account, 0, STATE_LIST_MAX, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		cJSON *item = new_item(list);
		ok = item && cJSON_AddStringToObject(item, "recipient", rows[i].recipient) &&
		     cJSON_AddStringToObject(item, "sender", rows[i].sender) &&
		     cJSON_AddStringToObject(item, "message_id", rows[i].message_id) &&
		     add_time(item, "created_at", rows[i].created);
	}
	store_unsubscribe_list_free(rows, count);
	return built(status, ok);
}

static enum store_status add_complaints(struct store *store, int64_t account, cJSON *list)
{
	struct store_complaint_filter filter = {.start_day = "0000-01-01", .end_day = "9999-12-31"}; /* every day */
	struct store_complaint *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_complaint_page(store, account, &filter, 0, STATE_LIST_MAX, &total, &rows, &count);
	bool ok = true;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		const struct store_complaint *c = &rows[i];
		cJSON *item = new_item(list);
		ok = item && cJSON_AddStringToObject(item, "recipient", c->recipient) &&
		     add_text(item, "from", c->from_address) && add_text(item, "subject", c->subject) &&
		     cJSON_AddStringToObject(item, "message_id", c->message_id) &&
		     add_time(item, "complain_time", c->complain_time);
	}
	store_complaint_list_free(rows, count);
	return built(status, ok);
}

/* ---- the account and the whole answer ---- */

/*
 * "accounts" (every app_id with its uin) into body, and the row id of the
 * account `app_id` asks for (0: the first) in *account, 0 when there is
 * none. STORE_NOT_FOUND when app_id names no account.
 */
static enum store_status add_accounts(struct store *store, uint64_t app_id, cJSON *body, int64_t *account,
				      uint64_t *chosen)
{
	struct store_account *rows = NULL;
	size_t count = 0;
	enum store_status status = store_account_list(store, &rows, &count);
	cJSON *list = cJSON_AddArrayToObject(body, "accounts");
	bool ok = list != NULL;
	*account = 0;
	for (size_t i = 0; status == STORE_OK && ok && i < count; i++) {
		cJSON *item = new_item(list);
		ok = item && add_number(item, "app_id", (int64_t)rows[i].app_id) &&
		     cJSON_AddStringToObject(item, "uin", rows[i].uin);
		if (!*account && (app_id == 0 || rows[i].app_id == app_id)) {
			*account = rows[i].id;
			*chosen = rows[i].app_id;
		}
	}
	free(rows);
	if (status == STORE_OK && ok && app_id && !*account)
		return STORE_NOT_FOUND;
	return built(status, ok);
}

/* Every section of one account into body; the first failure. */
static enum store_status add_sections(struct store *store, int64_t account, cJSON *body)
{
	static const struct {
		const char *name;
		enum store_status (*add)(struct store *store, int64_t account, cJSON *list);
	} sections[] = {
		{"templates", add_templates},
		{"identities", add_identities},
		{"senders", add_senders},
		{"receivers", add_receivers},
		{"tasks", add_tasks},
		{"bounces", add_bounces},
		{"blacklist", add_blacklist},
		{"unsubscribe_configs", add_unsubscribe_configs},
		{"unsubscribes", add_unsubscribes},
		{"complaints", add_complaints},
	};
	enum store_status status = STORE_OK;
	for (size_t i = 0; status == STORE_OK && i < sizeof(sections) / sizeof(sections[0]); i++) {
		cJSON *list = cJSON_AddArrayToObject(body, sections[i].name);
		status = !list ? STORE_NOMEM : account ? sections[i].add(store, account, list) : STORE_OK;
	}
	return status;
}

/* The app_id of the query (0 when absent); false with the 400 answer given. */
static bool read_app_id(const char *query, uint64_t *app_id, struct http_response *resp)
{
	static const char *const known[] = {"app_id", NULL};
	char name[64], number[32], message[128];
	*app_id = 0;
	if (control_query_unknown(query, known, name, sizeof(name))) {
		snprintf(message, sizeof(message), "unknown query parameter \"%s\"; use app_id", name);
		control_reply_error(resp, 400, message);
		return false;
	}
	if (!control_query_get(query, "app_id", number, sizeof(number), NULL))
		return true;
	char *end = NULL;
	unsigned long long v = strtoull(number, &end, 10);
	if (!number[0] || number[0] == '-' || *end || v == 0 || v > INT64_MAX) {
		control_reply_error(resp, 400, "\"app_id\" must be a whole number from 1");
		return false;
	}
	*app_id = (uint64_t)v;
	return true;
}

/* The body, built in one read unit; NULL with the answer given. */
static cJSON *build_state(const struct control_env *env, uint64_t app_id, struct http_response *resp)
{
	cJSON *body = cJSON_CreateObject();
	int64_t account = 0;
	uint64_t chosen = 0;
	char now[32];
	clock_format_datetime(clock_now(), now, sizeof(now));
	if (!body || store_begin(env->store, false) != STORE_OK) {
		cJSON_Delete(body);
		control_reply_error(resp, 500, body ? "the store is not available" : "out of memory");
		return NULL;
	}
	enum store_status status = cJSON_AddStringToObject(body, "clock", now) ? STORE_OK : STORE_NOMEM;
	if (status == STORE_OK)
		status = add_accounts(env->store, app_id, body, &account, &chosen);
	if (status == STORE_OK &&
	    !(chosen ? cJSON_AddNumberToObject(body, "app_id", (double)chosen) : cJSON_AddNullToObject(body, "app_id")))
		status = STORE_NOMEM;
	if (status == STORE_OK)
		status = add_sections(env->store, account, body);
	store_rollback(env->store);
	if (status == STORE_OK)
		return body;
	cJSON_Delete(body);
	if (status == STORE_NOT_FOUND)
		control_reply_error(resp, 404, "no account with this app_id");
	else
		control_reply_error(resp, 500, status == STORE_NOMEM ? "out of memory" : "the store failed");
	return NULL;
}

void control_state_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	uint64_t app_id;
	if (strcmp(http_request_method(http), "GET") != 0) {
		control_reply_error(resp, 405, "use GET for /_emulator/state");
		return;
	}
	if (!read_app_id(http_request_query(http), &app_id, resp))
		return;
	cJSON *body = build_state(env, app_id, resp);
	if (body)
		control_reply_json(resp, 200, body);
}
