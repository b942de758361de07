/*
 * Abuse reports: GetAbuseReport.
 *
 * Owns: the time range (StartTime and EndTime are CST dates "YYYY-MM-DD" of
 * the complaint, both inclusive, on the emulator's clock), the page rules
 * (Limit 1000 when absent, at most 1000), the filters, and the shape of
 * AbuseReport. Complaints are recorded elsewhere: by compose.c when mail
 * reaches complaint@ses-simulator.test, and by the control plane's
 * POST /_emulator/complaints. Read-only.
 *
 * Check order (docs/errors.md): StartTime → EndTime → Offset → Limit.
 */
#include <stdio.h>

#include "../../storage/store_complaint.h"
#include "../clock.h"
#include "api.h"

/* The documented default of Limit, also its maximum (docs/limits.md). */
#define ABUSE_LIST_DEFAULT 1000
#define ABUSE_LIST_MAX 1000

static bool out_report(cJSON *list, const struct store_complaint *row)
{
	char delivered[32], complained[32], template_id[24] = "", bulk_id[24] = "";
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	clock_format_datetime(row->deliver_time, delivered, sizeof(delivered));
	clock_format_datetime(row->complain_time, complained, sizeof(complained));
	if (row->template_id)
		snprintf(template_id, sizeof(template_id), "%lld", (long long)row->template_id);
	if (row->task_id)
		snprintf(bulk_id, sizeof(bulk_id), "%lld", (long long)row->task_id);
	/* ComplainTime, AbuseTime and InsertTime: the emulator records a complaint when it arrives. */
	return api_out_string(item, "DeliverTime", delivered) &&
	       api_out_string(item, "OriginalMailFrom", row->from_address) &&
	       api_out_string(item, "OriginalRcptTo", row->recipient) &&
	       api_out_string(item, "FromDomain", row->from_domain) &&
	       api_out_string(item, "ComplainTime", complained) && api_out_string(item, "Mta", row->mta) &&
	       api_out_string(item, "SourceIp", "") && api_out_string(item, "InsertTime", complained) &&
	       api_out_string(item, "TemplateId", template_id) && api_out_string(item, "BulkId", bulk_id) &&
	       api_out_string(item, "MessageId", row->header_id) && api_out_string(item, "AbuseTime", complained) &&
	       api_out_string(item, "Subject", row->subject);
}

bool api_get_abuse_report(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t start, end;
	if (!clock_parse_date(api_param_string(params, "StartTime", ""), &start))
		return api_fail(ctx, ERR_INVALID_PARAMETER_INVALID_START_TIME_FORMAT, "StartTime");
	if (!clock_parse_date(api_param_string(params, "EndTime", ""), &end))
		return api_fail(ctx, ERR_INVALID_PARAMETER_INVALID_END_TIME_FORMAT, "EndTime");
	int64_t offset = api_param_int(params, "Offset", 0);
	int64_t limit = api_param_int(params, "Limit", ABUSE_LIST_DEFAULT);
	if (offset < 0)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Offset");
	if (limit > ABUSE_LIST_MAX)
		return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_LIMIT, "Limit");
	if (limit < 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	char first[16], last[16];
	clock_format_day(start, first, sizeof(first));
	clock_format_day(end, last, sizeof(last));
	struct store_complaint_filter filter = {
		.start_day = first,
		.end_day = last,
		.from_domain = api_param_string(params, "FromDomain", NULL),
		.from_address = api_param_string(params, "FromAddress", NULL),
		.mta = api_param_string(params, "Mta", NULL),
		.to_address = api_param_string(params, "ToAddress", NULL),
		.template_id = api_param_string(params, "TemplateId", NULL),
	};
	struct store_complaint *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status =
		store_complaint_page(ctx->store, ctx->account.id, &filter, offset, limit, &total, &rows, &count);
	if (status != STORE_OK)
		return api_fail(ctx, ERR_INTERNAL_ERROR_QUERY_DATA_BASE_FAILED, NULL);
	cJSON *list = cJSON_AddArrayToObject(out, "Data");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++)
		ok = out_report(list, &rows[i]);
	store_complaint_list_free(rows, count);
	return ok && api_out_int(out, "TotalCount", total);
}
