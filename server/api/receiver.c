/*
 * Recipient groups: CreateReceiver, CreateReceiverDetail,
 * CreateReceiverDetailWithData, ListReceivers, ListReceiverDetails,
 * DeleteReceiver.
 *
 * Owns: name and description rules, the per-account group limit, the
 * classification of submitted addresses into the upload counters (empty,
 * too long, repeated, stored), the TemplateData rules (a JSON object of
 * plain values, at most 800 bytes, the same keys for every member of a
 * group), and the list filters. Never: moves submitted rows into members
 * (server/mail/upload.c does, off the request path).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_receiver.h"
#include "../clock.h"
#include "../mail/scheduler.h"
#include "address.h"
#include "api.h"
#include "receiver.h"

/* Limits this emulator enforces (docs/limits.md). */
#define RECEIVER_MAX_PER_ACCOUNT 20  /* emulator choice: no published number */
#define RECEIVER_NAME_MAX 200        /* characters; emulator choice */
#define RECEIVER_DESC_MAX 300        /* characters; the ReceiverDescIllegal description */
#define RECEIVER_REQUEST_MAX 20000   /* addresses in one call; documented */
#define RECEIVER_MEMBERS_MAX 50000   /* addresses in one group; documented */
#define RECEIVER_EMAIL_MAX 128       /* bytes; longer ones count as TooLongCount */
#define RECEIVER_DATA_MAX 800        /* bytes of one TemplateData; documented */
#define RECEIVER_LIST_MAX 100        /* Limit of the two list actions; documented */
#define RECEIVER_EMAIL_FILTER_MAX 50 /* characters of ListReceiverDetails.Email; documented */

/* The number of UTF-8 characters of `text`; -1 when it holds a control character. */
static long plain_length(const char *text)
{
	long chars = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		chars += (*p & 0xc0) != 0x80;
	}
	return chars;
}

static bool name_valid(const char *name)
{
	long len = plain_length(name);
	return len >= 1 && len <= RECEIVER_NAME_MAX && api_utf8_valid((const unsigned char *)name, strlen(name));
}

static bool desc_valid(const char *desc)
{
	long len = plain_length(desc);
	return len >= 0 && len <= RECEIVER_DESC_MAX && !strpbrk(desc, "<>") &&
	       api_utf8_valid((const unsigned char *)desc, strlen(desc));
}

bool api_create_receiver(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	const char *name = api_param_string(params, "ReceiversName", "");
	const char *desc = api_param_string(params, "Desc", "");
	if (!name_valid(name))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_RECEIVER_NAME_ILLEGAL, "ReceiversName");
	if (!desc_valid(desc))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_RECEIVER_DESC_ILLEGAL, "Desc");
	int64_t id = 0, count = 0;
	enum store_status status = store_receiver_create(ctx->store, ctx->account.id, name, desc, ctx->now, &id);
	if (status == STORE_EXISTS)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_REPEAT_RECEIVER_NAME, "ReceiversName");
	if (status == STORE_OK)
		status = store_receiver_count(ctx->store, ctx->account.id, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	/* Counted after the insert, which dispatch rolls back on failure. */
	if (count > RECEIVER_MAX_PER_ACCOUNT)
		return api_fail(ctx, ERR_LIMIT_EXCEEDED_EXCEED_RECEIVER_LIMIT, NULL);
	return api_out_int(out, "ReceiverId", id);
}

/* ---- uploads --------------------------------------------------------------------------- */

/* One upload call in progress. */
struct upload {
	struct api_ctx *ctx;
	int64_t receiver_id;
	struct store_receiver group;
	/* the key set every stored row must have: the group's, else the first
	 * stored row's (then owned here); NULL until known */
	const char *keys;
	char *owned_keys;
	int64_t total, valid, too_long, empty, repeat;
};

enum entry_kind {
	ENTRY_EMPTY,
	ENTRY_TOO_LONG,
	ENTRY_ADDRESS,
};

/* Trim `raw` into `email` (RECEIVER_EMAIL_MAX + 1 bytes) and say what it is. */
static enum entry_kind classify(const char *raw, char *email)
{
	const char *end = raw + strlen(raw);
	while (*raw && isspace((unsigned char)*raw))
		raw++;
	while (end > raw && isspace((unsigned char)end[-1]))
		end--;
	size_t len = (size_t)(end - raw);
	if (len == 0)
		return ENTRY_EMPTY;
	if (len > RECEIVER_EMAIL_MAX)
		return ENTRY_TOO_LONG;
	memcpy(email, raw, len);
	email[len] = '\0';
	return ENTRY_ADDRESS;
}

/*
 * Open an upload of the entries of `list` (the parameter `list_name`) to the
 * group `ReceiverId`: the request-size rules, then the group's existence and
 * state. False with the error recorded; *up can always be finished.
 */
static bool upload_open(struct api_ctx *ctx, const cJSON *params, const cJSON *list, const char *list_name,
			struct upload *up)
{
	*up = (struct upload){.ctx = ctx, .receiver_id = api_param_int(params, "ReceiverId", 0)};
	int entries = cJSON_GetArraySize(list);
	if (entries == 0)
		return api_fail(ctx, ERR_MISSING_PARAMETER_EMAILS_NECESSARY, list_name);
	if (entries > RECEIVER_REQUEST_MAX)
		return api_fail(ctx, ERR_LIMIT_EXCEEDED_RECEIVER_DETAIL_REQUEST_LIMIT, list_name);
	enum store_status status = store_receiver_get(ctx->store, ctx->account.id, up->receiver_id, &up->group);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_OPERATION_DENIED_RECEIVER_NOT_EXIST, "ReceiverId");
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (up->group.status == STORE_RECEIVER_UPLOADING)
		return api_fail(ctx, ERR_OPERATION_DENIED_RECEIVER_IS_OPERATING, "ReceiverId");
	up->keys = up->group.data_keys;
	up->total = entries;
	return true;
}

static void upload_finish(struct upload *up)
{
	store_receiver_finish(&up->group);
	free(up->owned_keys);
}

/*
 * Store one address of the call unless it repeats one of the group (or of
 * this call): its data's key set `keys` must be the group's. False with the
 * error recorded.
 */
static bool upload_add(struct upload *up, const char *email, const char *data, const char *keys, bool address_ok,
		       const char *param)
{
	struct api_ctx *ctx = up->ctx;
	if (up->keys && strcmp(up->keys, keys) != 0)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_DATA_INCONSISTENT, param);
	bool found = false;
	enum store_status status =
		store_receiver_has_email(ctx->store, ctx->account.id, up->receiver_id, email, &found);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (found) {
		up->repeat++;
		return true;
	}
	struct store_receiver_member row = {
		.email = (char *)email,
		.template_data = (char *)data,
		.status = address_ok ? STORE_MEMBER_VALID : STORE_MEMBER_INVALID,
		.reason = address_ok ? "" : RECEIVER_INVALID_REASON,
		.created = ctx->now,
	};
	status = store_receiver_submit(ctx->store, ctx->account.id, up->receiver_id, &row);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (!up->keys) {
		up->owned_keys = strdup(keys);
		if (!up->owned_keys)
			return api_fail_store(ctx, STORE_NOMEM);
		up->keys = up->owned_keys;
	}
	up->valid++;
	return true;
}

/* The group-size rule, the group's new state, and the counters. */
static bool upload_close(struct upload *up, cJSON *out)
{
	struct api_ctx *ctx = up->ctx;
	if (up->group.member_count + up->valid > RECEIVER_MEMBERS_MAX)
		return api_fail(ctx, ERR_LIMIT_EXCEEDED_RECEIVER_DETAIL_COUNT_LIMIT, "ReceiverId");
	enum store_status status =
		store_receiver_start_upload(ctx->store, ctx->account.id, up->receiver_id, up->valid ? up->keys : NULL);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	/* The worker waits for this transaction's commit before it sees the rows. */
	scheduler_notify();
	return api_out_int(out, "TotalCount", up->total) && api_out_int(out, "ValidCount", up->valid) &&
	       api_out_int(out, "TooLongCount", up->too_long) && api_out_int(out, "EmptyEmailCount", up->empty) &&
	       api_out_int(out, "RepeatCount", up->repeat);
}

/* Count an entry that is not an address; true when `kind` is an address. */
static bool upload_count(struct upload *up, enum entry_kind kind)
{
	up->empty += kind == ENTRY_EMPTY;
	up->too_long += kind == ENTRY_TOO_LONG;
	return kind == ENTRY_ADDRESS;
}

bool api_create_receiver_detail(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	if (api_param_int(params, "ReceiverId", 0) == 0)
		return api_fail(ctx, ERR_MISSING_PARAMETER_RECEIVER_ID_NECESSARY, "ReceiverId");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(params, "Emails");
	struct upload up;
	bool ok = upload_open(ctx, params, list, "Emails", &up);
	const cJSON *entries = ok ? list : NULL, *item;
	cJSON_ArrayForEach(item, entries)
	{
		char email[RECEIVER_EMAIL_MAX + 1];
		if (!upload_count(&up, classify(item->valuestring, email)))
			continue;
		/* Addresses without template data have the key set "". */
		if (!(ok = upload_add(&up, email, NULL, "", address_valid(email), "Emails")))
			break;
	}
	ok = ok && upload_close(&up, out);
	upload_finish(&up);
	return ok;
}

/* Whether a TemplateData value is plain: no object or array, no HTML tag. */
static bool value_plain(const cJSON *value)
{
	if (cJSON_IsObject(value) || cJSON_IsArray(value))
		return false;
	if (!cJSON_IsString(value))
		return true;
	const char *open = strchr(value->valuestring, '<');
	return !open || !strchr(open, '>');
}

bool receiver_data_plain(const cJSON *data)
{
	const cJSON *member;
	cJSON_ArrayForEach(member, data)
	{
		if (!value_plain(member))
			return false;
	}
	return true;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *receiver_data_keys(const cJSON *data)
{
	int count = cJSON_GetArraySize(data);
	const char **names = malloc(sizeof(*names) * (size_t)(count ? count : 1));
	if (!names)
		return NULL;
	int i = 0;
	const cJSON *member;
	cJSON_ArrayForEach(member, data)
	{
		names[i++] = member->string;
	}
	qsort(names, (size_t)count, sizeof(names[0]), compare_keys);
	cJSON *array = cJSON_CreateStringArray(names, count);
	char *keys = array ? cJSON_PrintUnformatted(array) : NULL;
	cJSON_Delete(array);
	free(names);
	return keys;
}

/* The TemplateData rules for one entry; *keys gets its key set (caller frees). */
static bool data_check(struct api_ctx *ctx, const char *text, const char *param, char **keys)
{
	*keys = NULL;
	cJSON *data = cJSON_ParseWithOpts(text, NULL, true);
	bool ok;
	if (!cJSON_IsObject(data))
		ok = api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_DATA_ERROR, param);
	else if (strlen(text) > RECEIVER_DATA_MAX)
		ok = api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_DATA_LEN_LIMIT, param);
	else if (!receiver_data_plain(data))
		ok = api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_IN_VALID_TEMPLATE_DATA, param);
	else if (!(*keys = receiver_data_keys(data)))
		ok = api_fail_store(ctx, STORE_NOMEM);
	else
		ok = true;
	cJSON_Delete(data);
	return ok;
}

/* One entry of Datas: {Email, TemplateData}. */
static bool add_with_data(struct upload *up, const cJSON *entry, size_t index)
{
	char email[RECEIVER_EMAIL_MAX + 1], param[64];
	if (!upload_count(up, classify(api_param_string(entry, "Email", ""), email)))
		return true;
	snprintf(param, sizeof(param), "Datas.%zu.Email", index);
	if (!address_valid(email))
		return api_fail(up->ctx, ERR_INVALID_PARAMETER_VALUE_RECEIVER_EMAIL_INVALID, param);
	snprintf(param, sizeof(param), "Datas.%zu.TemplateData", index);
	const char *text = api_param_string(entry, "TemplateData", "");
	char *keys = NULL;
	bool ok = data_check(up->ctx, text, param, &keys) && upload_add(up, email, text, keys, true, param);
	free(keys);
	return ok;
}

bool api_create_receiver_detail_with_data(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(params, "Datas");
	struct upload up;
	bool ok = upload_open(ctx, params, list, "Datas", &up);
	size_t index = 0;
	const cJSON *entries = ok ? list : NULL, *entry;
	cJSON_ArrayForEach(entry, entries)
	{
		if (!(ok = add_with_data(&up, entry, index++)))
			break;
	}
	ok = ok && upload_close(&up, out);
	upload_finish(&up);
	return ok;
}

/* ---- lists ----------------------------------------------------------------------------- */

/* Limit of the list actions: at most 100 (FailedOperation.InvalidLimit), at least 1. */
static bool limit_valid(struct api_ctx *ctx, int64_t limit)
{
	if (limit > RECEIVER_LIST_MAX)
		return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_LIMIT, "Limit");
	if (limit < 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	return true;
}

static bool out_receiver(cJSON *list, const struct store_receiver *row)
{
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	char created[32];
	clock_format_datetime(row->created, created, sizeof(created));
	return api_out_int(item, "ReceiverId", row->id) && api_out_string(item, "ReceiversName", row->name) &&
	       api_out_int(item, "Count", row->member_count) && api_out_string(item, "Desc", row->description) &&
	       api_out_int(item, "ReceiversStatus", row->status) && api_out_string(item, "CreateTime", created) &&
	       api_out_int(item, "InvalidCount", row->invalid_count);
}

bool api_list_receivers(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t limit = api_param_int(params, "Limit", 0);
	int64_t offset = api_param_int(params, "Offset", 0);
	int64_t state = api_param_int(params, "Status", 0);
	if (!limit_valid(ctx, limit))
		return false;
	if (api_param_has(params, "Status") && (state < STORE_RECEIVER_PENDING || state > STORE_RECEIVER_UPLOADED))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Status");
	struct store_receiver_filter filter = {.status = (int)state,
					       .keyword = api_param_string(params, "KeyWord", "")};
	struct store_receiver *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_receiver_list(ctx->store, ctx->account.id, &filter, offset, limit, &rows, &count, &total);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = NULL;
	bool ok = api_out_int(out, "TotalCount", total) && (list = cJSON_AddArrayToObject(out, "Data")) != NULL;
	for (size_t i = 0; ok && i < count; i++)
		ok = out_receiver(list, &rows[i]);
	store_receiver_list_free(rows, count);
	return ok;
}

/* The optional datetime parameter `name` into *when (unchanged when absent or ""). */
static bool param_datetime(struct api_ctx *ctx, const cJSON *params, const char *name, int64_t *when)
{
	const char *text = api_param_string(params, name, "");
	if (text[0] && !clock_parse_datetime(text, when))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, name);
	return true;
}

/* The filters of ListReceiverDetails; false with the error recorded. */
static bool member_filter(struct api_ctx *ctx, const cJSON *params, struct store_member_filter *filter)
{
	*filter = (struct store_member_filter){
		.email = api_param_string(params, "Email", ""), .created_from = INT64_MIN, .created_to = INT64_MAX};
	long email_len = plain_length(filter->email);
	if (email_len < 0 || email_len > RECEIVER_EMAIL_FILTER_MAX)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Email");
	if (!param_datetime(ctx, params, "CreateTimeBegin", &filter->created_from) ||
	    !param_datetime(ctx, params, "CreateTimeEnd", &filter->created_to))
		return false;
	int64_t state = api_param_int(params, "Status", 0);
	if (api_param_has(params, "Status") && state != STORE_MEMBER_VALID && state != STORE_MEMBER_INVALID)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Status");
	filter->status = (int)state;
	return true;
}

static bool out_member(cJSON *list, const struct store_receiver_member *row)
{
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	char created[32];
	clock_format_datetime(row->created, created, sizeof(created));
	return api_out_string(item, "Email", row->email) && api_out_string(item, "CreateTime", created) &&
	       api_out_string(item, "TemplateData", row->template_data) &&
	       api_out_string(item, "Reason", row->reason) && api_out_int(item, "Status", row->status) &&
	       api_out_int(item, "EmailId", row->id);
}

/* The matching members' counts and one page of them into `out`. */
static bool out_members(struct api_ctx *ctx, int64_t receiver_id, const struct store_member_filter *filter,
			int64_t offset, int64_t limit, cJSON *out)
{
	int64_t total = 0, valid = 0, invalid = 0;
	struct store_receiver_member *rows = NULL;
	size_t count = 0;
	enum store_status status = store_receiver_members_count(ctx->store, ctx->account.id, receiver_id, filter,
								&total, &valid, &invalid);
	if (status == STORE_OK)
		status = store_receiver_members_list(ctx->store, ctx->account.id, receiver_id, filter, offset, limit,
						     &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = NULL;
	bool ok = api_out_int(out, "TotalCount", total) && (list = cJSON_AddArrayToObject(out, "Data")) != NULL &&
		  api_out_int(out, "ValidCount", valid) && api_out_int(out, "InvalidCount", invalid);
	for (size_t i = 0; ok && i < count; i++)
		ok = out_member(list, &rows[i]);
	store_receiver_members_free(rows, count);
	return ok;
}

bool api_list_receiver_details(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t receiver_id = api_param_int(params, "ReceiverId", 0);
	int64_t limit = api_param_int(params, "Limit", 0);
	int64_t offset = api_param_int(params, "Offset", 0);
	struct store_member_filter filter;
	if (!limit_valid(ctx, limit) || !member_filter(ctx, params, &filter))
		return false;
	struct store_receiver group = {0};
	enum store_status status = store_receiver_get(ctx->store, ctx->account.id, receiver_id, &group);
	store_receiver_finish(&group);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_OPERATION_DENIED_RECEIVER_NOT_EXIST, "ReceiverId");
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	return out_members(ctx, receiver_id, &filter, offset, limit, out);
}

bool api_delete_receiver(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	int64_t receiver_id = api_param_int(params, "ReceiverId", 0);
	if (receiver_id == 0)
		return api_fail(ctx, ERR_MISSING_PARAMETER_RECEIVER_ID_NECESSARY, "ReceiverId");
	enum store_status status = store_receiver_delete(ctx->store, ctx->account.id, receiver_id);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_OPERATION_DENIED_RECEIVER_NOT_EXIST, "ReceiverId");
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}
