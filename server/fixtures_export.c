/*
 * Exporting the store as a fixture.
 *
 * Owns: writing every key the loader (fixtures.c) accepts from the rows it
 * would create, so that export → load into an empty store → export gives
 * the same document. Template and recipient-group ids are written, so a
 * test that kept an id finds the same resource after the round trip.
 * Never: writes to the store; exports what the loader cannot load
 * (messages, tasks, statistics, recipients who unsubscribed, complaints:
 * history, not set-up), deleted templates, or rows of an upload still in
 * progress (only members the upload worker already added).
 */
#include "fixtures_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../storage/store_account.h"
#include "../storage/store_blacklist.h"
#include "../storage/store_identity.h"
#include "../storage/store_message.h"
#include "../storage/store_receiver.h"
#include "../storage/store_sender.h"
#include "../storage/store_template.h"
#include "../storage/store_unsubscribe.h"
#include "clock.h"

/* Rows read per storage call for the lists that are paged. */
#define EXPORT_PAGE 5000
/* "No limit" for the storage calls that take one. */
#define EXPORT_ALL 0x7fffffffffffffffLL

/* The export's state: the store and the first failure. */
struct exporter {
	struct store *store;
	enum store_status status;
};

/* Record a failure (the first one wins); always false. */
static bool failed(struct exporter *x, enum store_status status)
{
	if (x->status == STORE_OK)
		x->status = status == STORE_OK ? STORE_NOMEM : status;
	return false;
}

/* A new array named `name` in `obj`; NULL (failure recorded) when out of memory. */
static cJSON *add_array(struct exporter *x, cJSON *obj, const char *name)
{
	cJSON *list = cJSON_AddArrayToObject(obj, name);
	if (!list)
		failed(x, STORE_NOMEM);
	return list;
}

/* A new object appended to `list`; NULL (failure recorded) when out of memory. */
static cJSON *append_object(struct exporter *x, cJSON *list)
{
	cJSON *item = cJSON_CreateObject();
	if (!item || !cJSON_AddItemToArray(list, item)) {
		cJSON_Delete(item);
		failed(x, STORE_NOMEM);
		return NULL;
	}
	return item;
}

static bool add_string(struct exporter *x, cJSON *obj, const char *name, const char *value)
{
	return cJSON_AddStringToObject(obj, name, value) ? true : failed(x, STORE_NOMEM);
}

static bool add_number(struct exporter *x, cJSON *obj, const char *name, double value)
{
	return cJSON_AddNumberToObject(obj, name, value) ? true : failed(x, STORE_NOMEM);
}

static bool add_bool(struct exporter *x, cJSON *obj, const char *name, bool value)
{
	return cJSON_AddBoolToObject(obj, name, value) ? true : failed(x, STORE_NOMEM);
}

/* "allow": the comma-separated patterns as an array; nothing when every action is allowed. */
static bool add_allow(struct exporter *x, cJSON *obj, const char *allow)
{
	if (!allow[0])
		return true;
	cJSON *list = add_array(x, obj, "allow");
	const char *p = allow;
	while (list && *p) {
		size_t len = strcspn(p, ",");
		char pattern[256];
		snprintf(pattern, sizeof(pattern), "%.*s", (int)(len < sizeof(pattern) ? len : sizeof(pattern) - 1), p);
		cJSON *item = cJSON_CreateString(pattern);
		if (!item || !cJSON_AddItemToArray(list, item)) {
			cJSON_Delete(item);
			return failed(x, STORE_NOMEM);
		}
		p += len + (p[len] == ',');
	}
	return list != NULL;
}

static bool export_credentials(struct exporter *x, cJSON *out, int64_t account)
{
	struct store_credential *rows = NULL;
	size_t count = 0;
	enum store_status status = store_credential_list(x->store, account, &rows, &count);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = add_array(x, out, "credentials");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++) {
		cJSON *item = append_object(x, list);
		ok = item && add_string(x, item, "secret_id", rows[i].secret_id) &&
		     add_string(x, item, "secret_key", rows[i].secret_key) && add_allow(x, item, rows[i].allow);
	}
	store_credential_list_free(rows, count);
	return ok;
}

/* "tags": the stored TagList [{"TagKey","TagValue"}] as [{"key","value"}]; nothing when empty. */
static bool add_tags(struct exporter *x, cJSON *obj, const char *stored)
{
	cJSON *tags = cJSON_Parse(stored ? stored : "[]");
	bool ok = true;
	cJSON *list = cJSON_GetArraySize(tags) > 0 ? add_array(x, obj, "tags") : NULL;
	const cJSON *from = list ? tags : NULL, *tag;
	cJSON_ArrayForEach(tag, from)
	{
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(tag, "TagKey");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(tag, "TagValue");
		cJSON *item = cJSON_IsString(key) ? append_object(x, list) : NULL;
		ok = !cJSON_IsString(key) ||
		     (item && add_string(x, item, "key", key->valuestring) &&
		      add_string(x, item, "value", cJSON_IsString(value) ? value->valuestring : ""));
		if (!ok)
			break;
	}
	cJSON_Delete(tags);
	return ok && x->status == STORE_OK;
}

static bool export_identities(struct exporter *x, cJSON *out, int64_t account)
{
	/* indexed by enum store_identity_status */
	static const char *const states[] = {"pending", "verified", "failed"};
	struct store_identity *rows = NULL;
	size_t count = 0;
	enum store_status status = store_identity_list(x->store, account, &rows, &count);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = count ? add_array(x, out, "identities") : NULL;
	bool ok = !count || list;
	for (size_t i = 0; ok && i < count; i++) {
		int state = rows[i].status >= 0 && rows[i].status <= 2 ? rows[i].status : 0;
		cJSON *item = append_object(x, list);
		ok = item && add_string(x, item, "domain", rows[i].domain) &&
		     add_string(x, item, "status", states[state]) &&
		     (rows[i].dkim_option == 0 || add_number(x, item, "dkim_option", rows[i].dkim_option)) &&
		     add_tags(x, item, rows[i].tags);
	}
	store_identity_list_free(rows, count);
	return ok;
}

static bool export_senders(struct exporter *x, cJSON *out, int64_t account)
{
	/* indexed by enum store_sender_status */
	static const char *const states[] = {"pending", "approved", "rejected"};
	struct store_sender *rows = NULL;
	size_t count = 0;
	enum store_status status = store_sender_list(x->store, account, &rows, &count);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = count ? add_array(x, out, "senders") : NULL;
	bool ok = !count || list;
	for (size_t i = 0; ok && i < count; i++) {
		int state = rows[i].status >= 0 && rows[i].status <= 2 ? rows[i].status : 0;
		cJSON *item = append_object(x, list);
		ok = item && add_string(x, item, "address", rows[i].address) &&
		     (!rows[i].name[0] || add_string(x, item, "name", rows[i].name)) &&
		     add_string(x, item, "status", states[state]);
	}
	store_sender_list_free(rows, count);
	return ok;
}

static bool export_template(struct exporter *x, cJSON *list, const struct store_template *row)
{
	/* indexed by enum store_template_status */
	static const char *const states[] = {"approved", "pending", "rejected"};
	int state = row->status >= 0 && row->status <= 2 ? row->status : 1;
	cJSON *item = append_object(x, list);
	return item && add_number(x, item, "id", (double)row->id) && add_string(x, item, "name", row->name) &&
	       (!row->html || add_string(x, item, "html", row->html)) &&
	       (!row->text || add_string(x, item, "text", row->text)) && add_string(x, item, "status", states[state]) &&
	       (!row->review_reason[0] || add_string(x, item, "review_reason", row->review_reason));
}

static bool export_templates(struct exporter *x, cJSON *out, int64_t account)
{
	struct store_template *rows = NULL;
	size_t count = 0;
	enum store_status status = store_template_list(x->store, account, 0, EXPORT_ALL, &rows, &count);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = count ? add_array(x, out, "templates") : NULL;
	bool ok = !count || list;
	/* the list is newest first; a fixture lists them in creation order */
	for (size_t i = count; ok && i > 0; i--)
		ok = export_template(x, list, &rows[i - 1]);
	store_template_list_free(rows, count);
	return ok;
}

/* One member: its address and, when it has any, its template data as an object. */
static bool export_member(struct exporter *x, cJSON *list, const struct store_receiver_member *row)
{
	cJSON *item = append_object(x, list);
	if (!item || !add_string(x, item, "email", row->email))
		return false;
	if (!row->template_data || !row->template_data[0])
		return true;
	cJSON *data = cJSON_Parse(row->template_data);
	if (!cJSON_IsObject(data)) {
		cJSON_Delete(data); /* never stored by the API or the loader; left out rather than fail */
		return true;
	}
	return cJSON_AddItemToObject(item, "data", data) ? true : failed(x, STORE_NOMEM);
}

static bool export_members(struct exporter *x, cJSON *group, int64_t account, int64_t receiver)
{
	cJSON *list = add_array(x, group, "members");
	int64_t after = 0;
	bool ok = list != NULL, more = true;
	while (ok && more) {
		struct store_receiver_member *rows = NULL;
		size_t count = 0;
		enum store_status status =
			store_receiver_members_page(x->store, account, receiver, after, EXPORT_PAGE, &rows, &count);
		if (status != STORE_OK)
			return failed(x, status);
		for (size_t i = 0; ok && i < count; i++)
			ok = export_member(x, list, &rows[i]);
		more = count == EXPORT_PAGE;
		after = count ? rows[count - 1].id : after;
		store_receiver_members_free(rows, count);
	}
	return ok;
}

static bool export_receivers(struct exporter *x, cJSON *out, int64_t account)
{
	struct store_receiver_filter filter = {0};
	struct store_receiver *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_receiver_list(x->store, account, &filter, 0, EXPORT_ALL, &rows, &count, &total);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = count ? add_array(x, out, "receivers") : NULL;
	bool ok = !count || list;
	for (size_t i = count; ok && i > 0; i--) {
		const struct store_receiver *row = &rows[i - 1];
		cJSON *item = append_object(x, list);
		ok = item && add_number(x, item, "id", (double)row->id) && add_string(x, item, "name", row->name) &&
		     (!row->description[0] || add_string(x, item, "description", row->description)) &&
		     export_members(x, item, account, row->id);
	}
	store_receiver_list_free(rows, count);
	return ok;
}

static bool export_blacklist(struct exporter *x, cJSON *out, int64_t account)
{
	char today[16];
	clock_format_date(clock_now(), today, sizeof(today));
	struct store_blacklist_filter filter = {.today = today, .status = 2};
	struct store_blacklist_entry *rows = NULL;
	size_t count = 0;
	enum store_status status = store_blacklist_page(x->store, account, &filter, 0, EXPORT_ALL, &rows, &count);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = count ? add_array(x, out, "blacklist") : NULL;
	bool ok = !count || list;
	/* the page is newest first; keep the order they were added in */
	for (size_t i = count; ok && i > 0; i--) {
		cJSON *item = append_object(x, list);
		ok = item && add_string(x, item, "email", rows[i - 1].email) &&
		     (!rows[i - 1].expire_date[0] || add_string(x, item, "expire_date", rows[i - 1].expire_date));
	}
	store_blacklist_list_free(rows, count);
	return ok;
}

static bool export_bounces(struct exporter *x, cJSON *out, int64_t account)
{
	struct store_bounce *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_bounce_page(x->store, account, INT64_MIN, INT64_MAX, NULL, 0, EXPORT_ALL, &total, &rows, &count);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = count ? add_array(x, out, "bounces") : NULL;
	bool ok = !count || list;
	for (size_t i = 0; ok && i < count; i++) {
		char when[32];
		clock_format_datetime(rows[i].bounce_time, when, sizeof(when));
		cJSON *item = append_object(x, list);
		ok = item && add_string(x, item, "email", rows[i].address) &&
		     add_string(x, item, "bounce_time", when) && add_string(x, item, "reason", rows[i].isp_desc);
	}
	store_bounce_list_free(rows, count);
	return ok;
}

static bool export_unsubscribe_configs(struct exporter *x, cJSON *out, int64_t account)
{
	struct store_unsubscribe_config *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_unsubscribe_config_page(x->store, account, 0, EXPORT_ALL, &total, &rows, &count);
	if (status != STORE_OK)
		return failed(x, status);
	cJSON *list = count ? add_array(x, out, "unsubscribe_configs") : NULL;
	bool ok = !count || list;
	for (size_t i = 0; ok && i < count; i++) {
		cJSON *item = append_object(x, list);
		ok = item && add_string(x, item, "address", rows[i].address) &&
		     add_string(x, item, "unsubscribe_config", rows[i].config) &&
		     add_number(x, item, "status", rows[i].status);
	}
	store_unsubscribe_config_list_free(rows, count);
	return ok;
}

/* One account: its flags, then its resources in the loader's order (senders after their domains). */
static bool export_account(struct exporter *x, cJSON *accounts, const struct store_account *a)
{
	cJSON *out = append_object(x, accounts);
	return out && add_number(x, out, "app_id", (double)a->app_id) && add_string(x, out, "uin", a->uin) &&
	       add_bool(x, out, "suspended", a->suspended) &&
	       add_bool(x, out, "enterprise_verified", a->enterprise_verified) &&
	       add_number(x, out, "daily_quota", (double)a->daily_quota) &&
	       add_bool(x, out, "allow_simple", a->allow_simple) &&
	       add_bool(x, out, "allow_attachments", a->allow_attachments) && export_credentials(x, out, a->id) &&
	       export_identities(x, out, a->id) && export_senders(x, out, a->id) && export_templates(x, out, a->id) &&
	       export_receivers(x, out, a->id) && export_blacklist(x, out, a->id) && export_bounces(x, out, a->id) &&
	       export_unsubscribe_configs(x, out, a->id);
}

cJSON *fixtures_export_build(struct store *store, uint64_t app_id, enum store_status *status)
{
	struct exporter x = {.store = store, .status = STORE_OK};
	struct store_account *rows = NULL;
	size_t count = 0;
	*status = store_account_list(store, &rows, &count);
	if (*status != STORE_OK)
		return NULL;
	cJSON *doc = cJSON_CreateObject();
	cJSON *accounts = doc ? add_array(&x, doc, "accounts") : NULL;
	bool ok = accounts != NULL, found = app_id == 0;
	for (size_t i = 0; ok && i < count; i++) {
		if (app_id && rows[i].app_id != app_id)
			continue;
		found = true;
		ok = export_account(&x, accounts, &rows[i]);
	}
	free(rows);
	if (ok && found)
		return doc;
	cJSON_Delete(doc);
	*status = !found && ok ? STORE_NOT_FOUND : x.status == STORE_OK ? STORE_NOMEM : x.status;
	return NULL;
}
