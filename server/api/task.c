/*
 * Batch tasks: BatchSendEmail and ListSendTasks.
 *
 * Owns: BatchSendEmail's checks (docs/errors.md lists each code and its
 * trigger) and creating the task with its first run time; the scheduler
 * thread does the sending (server/mail/batch.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_identity.h"
#include "../../storage/store_receiver.h"
#include "../../storage/store_task.h"
#include "../../storage/store_template.h"
#include "../clock.h"
#include "../mail/compose.h"
#include "../mail/render.h"
#include "../mail/scheduler.h"
#include "address.h"
#include "send.h"

#define TASK_LIST_MAX 100

/* BeginTime of TimedParam/CycleParam: a CST datetime not before now. */
static bool read_begin(struct api_ctx *ctx, const cJSON *param, const char *name, int64_t *begin)
{
	char at[48];
	snprintf(at, sizeof(at), "%s.BeginTime", name);
	if (!clock_parse_datetime(api_param_string(param, "BeginTime", ""), begin))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, at);
	if (*begin < ctx->now)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_BEGIN_TIME_BEFORE_NOW, at);
	return true;
}

static bool read_schedule(struct api_ctx *ctx, const cJSON *params, struct store_task *task)
{
	task->task_type = (int)api_param_int(params, "TaskType", 0);
	const cJSON *timed = cJSON_GetObjectItemCaseSensitive(params, "TimedParam");
	const cJSON *cycle = cJSON_GetObjectItemCaseSensitive(params, "CycleParam");
	task->begin_time = ctx->now;
	switch (task->task_type) {
	case 1:
		return true;
	case 2:
		if (!timed)
			return api_fail(ctx, ERR_MISSING_PARAMETER_TIMED_PARAM_NECESSARY, "TimedParam");
		return read_begin(ctx, timed, "TimedParam", &task->begin_time);
	case 3:
		if (!cycle || api_param_int(cycle, "IntervalTime", 0) < 1)
			return api_fail(ctx, ERR_MISSING_PARAMETER_CYCLE_PARAM_NECESSARY, "CycleParam");
		task->interval_hours = api_param_int(cycle, "IntervalTime", 0);
		task->term_cycle = (int)api_param_int(cycle, "TermCycle", 0);
		if (task->term_cycle != 0 && task->term_cycle != 1)
			return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "CycleParam.TermCycle");
		return read_begin(ctx, cycle, "CycleParam", &task->begin_time);
	default:
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "TaskType");
	}
}

static bool check_sender(struct api_ctx *ctx, const char *from_text)
{
	char from[256], alias[256];
	if (!send_parse_from(from_text, from, sizeof(from), alias, sizeof(alias)) || !address_valid(from))
		return api_fail(ctx, ERR_OPERATION_DENIED_SEND_ADDRESS_STATUS_ERROR, "FromEmailAddress");
	int sender = 0, domain = 0;
	enum store_status status = store_sender_standing(ctx->store, ctx->account.id, from, &sender, &domain);
	if (status != STORE_OK && status != STORE_NOT_FOUND)
		return api_fail_store(ctx, status);
	if (status == STORE_NOT_FOUND || sender != STORE_SENDER_APPROVED || domain != STORE_IDENTITY_VERIFIED)
		return api_fail(ctx, ERR_OPERATION_DENIED_SEND_ADDRESS_STATUS_ERROR, "FromEmailAddress");
	return true;
}

/* The group must exist, be uploaded and hold at least one valid member. */
static bool check_group(struct api_ctx *ctx, int64_t id, struct store_receiver *group)
{
	enum store_status status = store_receiver_get(ctx->store, ctx->account.id, id, group);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_OPERATION_DENIED_RECEIVER_NOT_EXIST, "ReceiverId");
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (group->status != STORE_RECEIVER_UPLOADED || group->member_count - group->invalid_count < 1)
		return api_fail(ctx, ERR_OPERATION_DENIED_RECEIVER_STATUS_ERROR, "ReceiverId");
	return true;
}

/* The data every member will render with: the group's keys, or TemplateData. */
static cJSON *sample_data(const struct store_receiver *group, const char *template_data)
{
	if (group->data_keys && group->data_keys[0]) {
		cJSON *keys = cJSON_Parse(group->data_keys);
		cJSON *data = cJSON_CreateObject();
		const cJSON *key;
		cJSON_ArrayForEach(key, keys)
		{
			if (cJSON_IsString(key))
				cJSON_AddStringToObject(data, key->valuestring, "x");
		}
		cJSON_Delete(keys);
		return data;
	}
	return cJSON_Parse(template_data[0] ? template_data : "{}");
}

static bool check_template(struct api_ctx *ctx, const cJSON *params, const struct store_receiver *group,
			   struct store_task *task)
{
	const cJSON *template = cJSON_GetObjectItemCaseSensitive(params, "Template");
	task->template_id = api_param_int(template, "TemplateID", 0);
	const char *data_text = api_param_string(template, "TemplateData", "");
	cJSON *parsed = data_text[0] ? cJSON_Parse(data_text) : cJSON_CreateObject();
	bool object = cJSON_IsObject(parsed);
	cJSON_Delete(parsed);
	if (!object)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_DATA_ERROR, "Template.TemplateData");
	struct store_template row = {0};
	enum store_status status = store_template_get(ctx->store, ctx->account.id, task->template_id, &row);
	if (status != STORE_OK && status != STORE_NOT_FOUND)
		return api_fail_store(ctx, status);
	bool ok = true;
	if (status == STORE_NOT_FOUND || row.deleted || row.status != STORE_TEMPLATE_APPROVED) {
		ok = api_fail(ctx, ERR_OPERATION_DENIED_TEMPLATE_STATUS_ERROR, "Template.TemplateID");
	} else if ((row.html ? strlen(row.html) : 0) + (row.text ? strlen(row.text) : 0) > SEND_MAX_EMAIL) {
		ok = api_fail(ctx, ERR_FAILED_OPERATION_EMAIL_CONTENT_TOOLARGE, NULL);
	} else {
		cJSON *data = sample_data(group, data_text);
		const char *parts[] = {task->subject, row.html, row.text};
		char name[96] = "";
		enum render_status fit = render_check(parts, 3, data, name, sizeof(name));
		cJSON_Delete(data);
		if (fit != RENDER_OK)
			ok = api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_NOT_MATCH_DATA,
				      name[0] ? name : "Template.TemplateData");
	}
	store_template_finish(&row);
	task->template_data = strdup(data_text);
	return ok && (task->template_data ? true : api_fail(ctx, ERR_INTERNAL_ERROR, NULL));
}

static bool check_simple(struct api_ctx *ctx, const cJSON *params, struct store_task *task)
{
	const cJSON *simple = cJSON_GetObjectItemCaseSensitive(params, "Simple");
	/* Template is required unless the account keeps the legacy Simple permission. */
	if (!simple || !ctx->account.allow_simple)
		return api_fail(ctx, ERR_MISSING_PARAMETER_SEND_PARAM_NECESSARY, "Template");
	size_t html_len = 0, text_len = 0;
	if (!send_decode_body(api_param_string(simple, "Html", NULL), &task->simple_html, &html_len))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_CONTENT_IS_WRONG, "Simple.Html");
	if (!send_decode_body(api_param_string(simple, "Text", NULL), &task->simple_text, &text_len))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_CONTENT_IS_WRONG, "Simple.Text");
	if (!task->simple_html && !task->simple_text)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_CONTENT_IS_WRONG, "Simple");
	if (html_len + text_len > SEND_MAX_EMAIL)
		return api_fail(ctx, ERR_FAILED_OPERATION_EMAIL_CONTENT_TOOLARGE, NULL);
	return true;
}

static bool read_options(struct api_ctx *ctx, const cJSON *params, struct store_task *task)
{
	int code;
	const char *unsubscribe = api_param_string(params, "Unsubscribe", "");
	if (!send_unsubscribe_code(unsubscribe, &code))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Unsubscribe");
	task->unsubscribe = strdup(unsubscribe);
	task->ad_location = (int)api_param_int(params, "ADLocation", 0);
	if (task->ad_location < 0 || task->ad_location > 2)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "ADLocation");
	const char *reply_to = api_param_string(params, "ReplyToAddresses", "");
	if (reply_to[0] && !address_valid(reply_to))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "ReplyToAddresses");
	task->reply_to = strdup(reply_to);
	return task->unsubscribe && task->reply_to ? true : api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
}

static bool create(struct api_ctx *ctx, const cJSON *params, struct store_task *task, cJSON *out)
{
	struct store_receiver group = {0};
	bool ok = read_schedule(ctx, params, task) && check_sender(ctx, task->from_address) &&
		  check_group(ctx, task->receiver_id, &group);
	if (ok)
		task->receiver_name = strdup(group.name);
	if (ok && cJSON_GetObjectItemCaseSensitive(params, "Template"))
		ok = check_template(ctx, params, &group, task);
	else if (ok)
		ok = check_simple(ctx, params, task);
	store_receiver_finish(&group);
	ok = ok && read_options(ctx, params, task);
	if (!ok)
		return false;
	task->status = STORE_TASK_TO_START;
	task->next_run = task->begin_time;
	task->created = ctx->now;
	int64_t id = 0;
	enum store_status status = store_task_create(ctx->store, ctx->account.id, task, &id);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	scheduler_notify(); /* the scheduler may run it before the commit; it then finds it next pass */
	return api_out_int(out, "TaskId", id);
}

bool api_batch_send_email(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	const char *from = api_param_string(params, "FromEmailAddress", "");
	int64_t receiver = api_param_int(params, "ReceiverId", 0);
	if (!from[0] || receiver == 0)
		return api_fail(ctx, ERR_MISSING_PARAMETER_SEND_PARAM_NECESSARY,
				!from[0] ? "FromEmailAddress" : "ReceiverId");
	const char *subject = api_param_string(params, "Subject", "");
	size_t length = send_subject_length(subject);
	if (length < 1 || length > SEND_SUBJECT_MAX)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_SUBJECT_LENGTH_ERROR, "Subject");
	struct store_task task = {.receiver_id = receiver};
	task.from_address = strdup(from);
	task.subject = strdup(subject);
	bool ok = task.from_address && task.subject ? create(ctx, params, &task, out)
						    : api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
	store_task_finish(&task);
	return ok;
}

/* Template, CycleParam and TimedParam of one listed task. */
static bool describe_params(cJSON *item, const struct store_task *t)
{
	char begin[24];
	clock_format_datetime(t->begin_time, begin, sizeof(begin));
	cJSON *template = cJSON_AddObjectToObject(item, "Template");
	bool ok = template && api_out_int(template, "TemplateID", t->template_id) &&
		  api_out_string(template, "TemplateData", t->template_data);
	if (t->task_type == 3) {
		cJSON *cycle = cJSON_AddObjectToObject(item, "CycleParam");
		ok = ok && cycle && api_out_string(cycle, "BeginTime", begin) &&
		     api_out_int(cycle, "IntervalTime", t->interval_hours) &&
		     api_out_int(cycle, "TermCycle", t->term_cycle);
	} else {
		ok = ok && cJSON_AddNullToObject(item, "CycleParam");
	}
	if (t->task_type == 2) {
		cJSON *timed = cJSON_AddObjectToObject(item, "TimedParam");
		ok = ok && timed && api_out_string(timed, "BeginTime", begin);
	} else {
		ok = ok && cJSON_AddNullToObject(item, "TimedParam");
	}
	return ok;
}

static bool describe(cJSON *list, const struct store_task *t)
{
	char created[24], updated[24];
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	clock_format_datetime(t->created, created, sizeof(created));
	clock_format_datetime(t->updated, updated, sizeof(updated));
	return api_out_int(item, "TaskId", t->id) && api_out_string(item, "FromEmailAddress", t->from_address) &&
	       api_out_int(item, "ReceiverId", t->receiver_id) && api_out_int(item, "TaskStatus", t->status) &&
	       api_out_int(item, "TaskType", t->task_type) && api_out_int(item, "RequestCount", t->request_count) &&
	       api_out_int(item, "SendCount", t->send_count) && api_out_int(item, "CacheCount", t->cache_count) &&
	       api_out_string(item, "CreateTime", created) && api_out_string(item, "UpdateTime", updated) &&
	       api_out_string(item, "Subject", t->subject) && describe_params(item, t) &&
	       api_out_string(item, "ErrMsg", t->err_msg) && api_out_string(item, "ReceiversName", t->receiver_name);
}

bool api_list_send_tasks(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	struct store_task_filter filter = {
		.status = (int)api_param_int(params, "Status", 0),
		.receiver_id = api_param_int(params, "ReceiverId", 0),
		.task_type = (int)api_param_int(params, "TaskType", 0),
		.offset = api_param_int(params, "Offset", 0),
		.limit = api_param_int(params, "Limit", 0),
	};
	if (filter.limit > TASK_LIST_MAX)
		return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_LIMIT, "Limit");
	if (filter.limit < 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	struct store_task *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status = store_task_list(ctx->store, ctx->account.id, &filter, &rows, &count, &total);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "Data");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++)
		ok = describe(list, &rows[i]);
	store_task_list_free(rows, count);
	return ok && api_out_int(out, "TotalCount", total);
}
