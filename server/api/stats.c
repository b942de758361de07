/*
 * Status and statistics: GetSendEmailStatus, GetStatisticsReport.
 *
 * Owns: the date rules of both actions (strict YYYY-MM-DD, the 30-day
 * window of GetSendEmailStatus on the emulator's clock, the 30-day span of
 * GetStatisticsReport), the page limits, and the shape of SendEmailStatus
 * and Volume. Dates are China Standard Time calendar days, like the
 * deliveries' `day` column. Read-only: never writes the store.
 *
 * Check order (docs/errors.md): GetSendEmailStatus RequestDate format →
 * Limit over 100 → Limit 0 → RequestDate outside the window;
 * GetStatisticsReport StartDate format → EndDate format → EndDate before
 * StartDate → span over 30 days.
 */
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_message.h"
#include "../clock.h"
#include "api.h"

/* GetSendEmailStatus answers for today and the 30 days before it (docs/limits.md). */
#define STATS_STATUS_DAYS_KEPT 30
#define STATS_STATUS_LIST_MAX 100
/* EndDate may be at most this many days after StartDate (31 daily entries). */
#define STATS_REPORT_SPAN_MAX 30

/* The date parameter `name` as a calendar day; false with WrongDate recorded. */
static bool param_day(struct api_ctx *ctx, const cJSON *params, const char *name, int64_t *day)
{
	if (!clock_parse_date(api_param_string(params, name, ""), day))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_WRONG_DATE, name);
	return true;
}

static bool out_status(cJSON *list, const struct store_delivery *row)
{
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	/* UserComplainted is the retired spelling of UserComplained; both are sent. */
	return api_out_string(item, "MessageId", row->message_id) && api_out_string(item, "ToEmailAddress", row->to) &&
	       api_out_string(item, "FromEmailAddress", row->from) &&
	       api_out_int(item, "SendStatus", row->send_status) &&
	       api_out_int(item, "DeliverStatus", row->deliver_status) &&
	       api_out_string(item, "DeliverMessage", row->deliver_message) &&
	       api_out_int(item, "RequestTime", row->request_time) &&
	       api_out_int(item, "DeliverTime", row->deliver_time) && api_out_bool(item, "UserOpened", row->opened) &&
	       api_out_bool(item, "UserClicked", row->clicked) &&
	       api_out_bool(item, "UserUnsubscribed", row->unsubscribed) &&
	       api_out_bool(item, "UserComplainted", row->complained) &&
	       api_out_bool(item, "UserComplained", row->complained);
}

bool api_get_send_email_status(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t day;
	if (!param_day(ctx, params, "RequestDate", &day))
		return false;
	int64_t limit = api_param_int(params, "Limit", 0);
	int64_t offset = api_param_int(params, "Offset", 0);
	if (limit > STATS_STATUS_LIST_MAX)
		return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_LIMIT, "Limit");
	if (limit < 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	int64_t today = clock_day_of(ctx->now);
	if (day > today || day < today - STATS_STATUS_DAYS_KEPT)
		return api_fail(ctx, ERR_FAILED_OPERATION_NOT_SUPPORT_DATE, "RequestDate");

	char date[16];
	clock_format_day(day, date, sizeof(date));
	struct store_delivery *rows = NULL;
	size_t count = 0;
	enum store_status status =
		store_delivery_page(ctx->store, ctx->account.id, date, api_param_string(params, "MessageId", NULL),
				    api_param_string(params, "ToEmailAddress", NULL), offset, limit, &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "EmailStatusList");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++)
		ok = out_status(list, &rows[i]);
	store_delivery_list_free(rows, count);
	return ok;
}

static bool out_volume(cJSON *item, const char *date, const struct store_volume *v)
{
	return item && api_out_string(item, "SendDate", date) && api_out_int(item, "RequestCount", v->requests) &&
	       api_out_int(item, "AcceptedCount", v->accepted) && api_out_int(item, "DeliveredCount", v->delivered) &&
	       api_out_int(item, "OpenedCount", v->opened) && api_out_int(item, "ClickedCount", v->clicked) &&
	       api_out_int(item, "BounceCount", v->bounces) && api_out_int(item, "UnsubscribeCount", v->unsubscribes);
}

static void add_volume(struct store_volume *sum, const struct store_volume *v)
{
	sum->requests += v->requests;
	sum->accepted += v->accepted;
	sum->delivered += v->delivered;
	sum->opened += v->opened;
	sum->clicked += v->clicked;
	sum->bounces += v->bounces;
	sum->unsubscribes += v->unsubscribes;
}

/*
 * DailyVolumes: one Volume per day from `start` to `end`, days without mail
 * all zero; `rows` (days with mail, ascending) are merged in. *sum gets the
 * totals.
 */
static bool out_daily(cJSON *out, int64_t start, int64_t end, const struct store_volume *rows, size_t count,
		      struct store_volume *sum)
{
	cJSON *list = cJSON_AddArrayToObject(out, "DailyVolumes");
	if (!list)
		return false;
	size_t next = 0;
	for (int64_t day = start; day <= end; day++) {
		char date[16];
		clock_format_day(day, date, sizeof(date));
		static const struct store_volume zero;
		const struct store_volume *v = &zero;
		while (next < count && strcmp(rows[next].day, date) < 0)
			next++;
		if (next < count && strcmp(rows[next].day, date) == 0)
			v = &rows[next++];
		cJSON *item = cJSON_CreateObject();
		if (item)
			cJSON_AddItemToArray(list, item);
		if (!out_volume(item, date, v))
			return false;
		add_volume(sum, v);
	}
	return true;
}

bool api_get_statistics_report(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t start, end;
	if (!param_day(ctx, params, "StartDate", &start) || !param_day(ctx, params, "EndDate", &end))
		return false;
	if (end < start || end - start > STATS_REPORT_SPAN_MAX)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_WRONG_DATE, "EndDate");

	char first[16], last[16];
	clock_format_day(start, first, sizeof(first));
	clock_format_day(end, last, sizeof(last));
	struct store_volume *rows = NULL;
	size_t count = 0;
	enum store_status status = store_delivery_volumes(
		ctx->store, ctx->account.id, first, last, api_param_string(params, "Domain", NULL),
		api_param_string(params, "ReceivingMailboxType", NULL), &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	struct store_volume sum = {0};
	/* OverallVolume carries StartDate as its SendDate, like the official example. */
	bool ok = out_daily(out, start, end, rows, count, &sum) &&
		  out_volume(cJSON_AddObjectToObject(out, "OverallVolume"), first, &sum);
	free(rows);
	return ok;
}
