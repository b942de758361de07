/*
 * Blacklists: DeleteBlackList and ListBlackEmailAddress (the bounce
 * blacklist, filled by hard bounces), CreateCustomBlacklist,
 * ListCustomBlacklist, UpdateCustomBlackList and DeleteCustomBlackList (the
 * account's own list).
 *
 * Owns: the date rules (strict YYYY-MM-DD on the emulator's clock, China
 * Standard Time; a custom entry's expire date must be after today and the
 * entry stops applying on that date), the page limits, the classification
 * of submitted addresses into CreateCustomBlacklist's counters, and the
 * shapes of BlackEmailAddress and BlackAddressDetail.
 * Never: decides what a send does with a listed address (server/mail/
 * suppress.c does, for SendEmail and batches alike).
 *
 * Check order (docs/errors.md): ListBlackEmailAddress StartDate → EndDate →
 * their order → Limit; CreateCustomBlacklist Emails count → ExpireDate →
 * each address; UpdateCustomBlackList Email → ExpireDate → Id.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../../storage/store_blacklist.h"
#include "../../storage/store_message.h"
#include "../clock.h"
#include "address.h"
#include "api.h"

/* Limits this emulator enforces (docs/limits.md). */
#define BLACKLIST_LIST_MAX 100      /* Limit of the list actions; documented */
#define BLACKLIST_REQUEST_MAX 20000 /* addresses in one CreateCustomBlacklist; emulator choice */
#define BLACKLIST_EMAIL_MAX 128     /* bytes; longer ones count as TooLongCount */
#define BLACKLIST_FILTER_MAX 128    /* bytes of ListCustomBlacklist.Email */

/* Limit within 1..BLACKLIST_LIST_MAX; false with the error recorded. */
static bool check_limit(struct api_ctx *ctx, int64_t limit)
{
	if (limit > BLACKLIST_LIST_MAX)
		return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_LIMIT, "Limit");
	if (limit < 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	return true;
}

/*
 * An expire date: "" or absent is permanent (out gets ""); else a real
 * YYYY-MM-DD after today's CST date, normalised into out (>= 11 bytes).
 * False with WrongDate recorded.
 */
static bool read_expire_date(struct api_ctx *ctx, const char *text, const char *param, char *out, size_t size)
{
	out[0] = '\0';
	if (!text || !text[0])
		return true;
	int64_t day;
	if (!clock_parse_date(text, &day) || day <= clock_day_of(ctx->now))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_WRONG_DATE, param);
	clock_format_day(day, out, size);
	return true;
}

/* ---- the bounce blacklist ------------------------------------------------------------- */

bool api_delete_black_list(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(params, "EmailAddressList");
	if (cJSON_GetArraySize(list) == 0)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "EmailAddressList");
	size_t i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[48];
		snprintf(at, sizeof(at), "EmailAddressList.%zu", i++);
		if (!address_valid(item->valuestring))
			return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, at);
		/* an address that is not listed is simply not there afterwards either */
		enum store_status status = store_bounce_delete(ctx->store, ctx->account.id, item->valuestring);
		if (status != STORE_OK)
			return api_fail_store(ctx, status);
	}
	return true;
}

static bool out_bounce(cJSON *list, const struct store_bounce *row)
{
	char when[32];
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	clock_format_datetime(row->bounce_time, when, sizeof(when));
	return api_out_string(item, "BounceTime", when) && api_out_string(item, "EmailAddress", row->address) &&
	       api_out_string(item, "IspDesc", row->isp_desc);
}

bool api_list_black_email_address(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t start, end;
	if (!clock_parse_date(api_param_string(params, "StartDate", ""), &start))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_WRONG_DATE, "StartDate");
	if (!clock_parse_date(api_param_string(params, "EndDate", ""), &end) || end < start)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_WRONG_DATE, "EndDate");
	int64_t limit = api_param_int(params, "Limit", 0);
	if (!check_limit(ctx, limit))
		return false;
	/* the CST calendar days start..end as UNIX seconds [from, until) */
	int64_t from = start * 86400 - CLOCK_CST_OFFSET, until = (end + 1) * 86400 - CLOCK_CST_OFFSET;
	struct store_bounce *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status = store_bounce_page(ctx->store, ctx->account.id, from, until,
						     api_param_string(params, "EmailAddress", NULL),
						     api_param_int(params, "Offset", 0), limit, &total, &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "BlackList");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++)
		ok = out_bounce(list, &rows[i]);
	store_bounce_list_free(rows, count);
	return ok && api_out_int(out, "TotalCount", total);
}

/* ---- the custom blacklist ------------------------------------------------------------- */

/* CreateCustomBlacklist's counters; TotalCount is always the sum of the other four. */
struct upload_counts {
	int64_t total, valid, too_long, repeat, invalid;
};

/* One submitted entry: trimmed, classified, stored when it is a new address. */
static enum store_status add_entry(struct api_ctx *ctx, const char *raw, const char *expire_date,
				   struct upload_counts *counts)
{
	char email[BLACKLIST_EMAIL_MAX + 1];
	const char *end = raw + strlen(raw);
	while (*raw && isspace((unsigned char)*raw))
		raw++;
	while (end > raw && isspace((unsigned char)end[-1]))
		end--;
	size_t len = (size_t)(end - raw);
	if (len > BLACKLIST_EMAIL_MAX) {
		counts->too_long++;
		return STORE_OK;
	}
	memcpy(email, raw, len);
	email[len] = '\0';
	if (!address_valid(email)) {
		counts->invalid++;
		return STORE_OK;
	}
	enum store_status status = store_blacklist_add(ctx->store, ctx->account.id, email, expire_date, ctx->now, NULL);
	if (status == STORE_EXISTS) {
		counts->repeat++; /* listed already, or earlier in this call: unchanged */
		return STORE_OK;
	}
	if (status == STORE_OK)
		counts->valid++;
	return status;
}

bool api_create_custom_blacklist(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(params, "Emails");
	int entries = cJSON_GetArraySize(list);
	if (entries == 0)
		return api_fail(ctx, ERR_MISSING_PARAMETER_EMAILS_NECESSARY, "Emails");
	if (entries > BLACKLIST_REQUEST_MAX)
		return api_fail(ctx, ERR_LIMIT_EXCEEDED_RECEIVER_DETAIL_REQUEST_LIMIT, "Emails");
	char expire_date[16];
	if (!read_expire_date(ctx, api_param_string(params, "ExpireDate", ""), "ExpireDate", expire_date,
			      sizeof(expire_date)))
		return false;
	struct upload_counts counts = {.total = entries};
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		enum store_status status = add_entry(ctx, item->valuestring, expire_date, &counts);
		if (status != STORE_OK)
			return api_fail_store(ctx, status);
	}
	return api_out_int(out, "TotalCount", counts.total) && api_out_int(out, "ValidCount", counts.valid) &&
	       api_out_int(out, "TooLongCount", counts.too_long) && api_out_int(out, "RepeatCount", counts.repeat) &&
	       api_out_int(out, "InvalidCount", counts.invalid);
}

static bool out_entry(cJSON *list, const struct store_blacklist_entry *row, const char *today)
{
	char created[32];
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	clock_format_datetime(row->created, created, sizeof(created));
	bool active = !row->expire_date[0] || strcmp(row->expire_date, today) > 0;
	return api_out_int(item, "Id", row->id) && api_out_string(item, "Email", row->email) &&
	       api_out_string(item, "CreateTime", created) && api_out_string(item, "ExpireDate", row->expire_date) &&
	       api_out_int(item, "Status", active ? 1 : 0);
}

bool api_list_custom_blacklist(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t limit = api_param_int(params, "Limit", 0);
	int64_t status_filter = api_param_int(params, "Status", 2);
	const char *email = api_param_string(params, "Email", NULL);
	if (!check_limit(ctx, limit))
		return false;
	if (status_filter < 0 || status_filter > 2)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Status");
	if (email && strlen(email) > BLACKLIST_FILTER_MAX)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Email");
	char today[16];
	clock_format_date(ctx->now, today, sizeof(today));
	struct store_blacklist_filter filter = {.today = today, .status = (int)status_filter, .email = email};
	struct store_blacklist_entry *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status = store_blacklist_count(ctx->store, ctx->account.id, &filter, &total);
	if (status == STORE_OK)
		status = store_blacklist_page(ctx->store, ctx->account.id, &filter, api_param_int(params, "Offset", 0),
					      limit, &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "Data");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++)
		ok = out_entry(list, &rows[i], today);
	store_blacklist_list_free(rows, count);
	return ok && api_out_int(out, "TotalCount", total);
}

bool api_update_custom_black_list(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	const char *email = api_param_string(params, "Email", "");
	if (!address_valid(email))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_ILLEGAL_EMAIL_ADDRESS, "Email");
	char expire_date[16];
	if (!read_expire_date(ctx, api_param_string(params, "ExpireDate", ""), "ExpireDate", expire_date,
			      sizeof(expire_date)))
		return false;
	enum store_status status =
		store_blacklist_update(ctx->store, ctx->account.id, api_param_int(params, "Id", 0), email, expire_date);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_RESOURCE_NOT_FOUND, "Id");
	if (status == STORE_EXISTS)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Email");
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}

bool api_delete_custom_black_list(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(params, "Emails");
	if (cJSON_GetArraySize(list) == 0)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Emails");
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		/* an address that is not listed is simply not there afterwards either */
		enum store_status status = store_blacklist_delete(ctx->store, ctx->account.id, item->valuestring);
		if (status != STORE_OK)
			return api_fail_store(ctx, status);
	}
	return true;
}
