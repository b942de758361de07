/*
 * Templates: CreateEmailTemplate, GetEmailTemplate, ListEmailTemplates,
 * UpdateEmailTemplate, DeleteEmailTemplate.
 *
 * Owns: name and content rules (base64 of UTF-8, size ceiling, per-account
 * limit) and review state (approved at once with --review auto, pending
 * otherwise; an update goes back to review). Bodies are stored decoded and
 * encoded again on the way out.
 */
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_template.h"
#include "../config.h"
#include "api.h"

/* Limits this emulator enforces (docs/limits.md). */
#define TEMPLATE_MAX_PER_ACCOUNT 100
#define TEMPLATE_NAME_MAX 100
#define TEMPLATE_CONTENT_MAX (1024 * 1024)
#define TEMPLATE_LIST_MAX 100

/* Decode one base64 body; false with the error recorded. */
static bool decode_part(struct api_ctx *ctx, const char *encoded, const char *param, char **out, size_t *total)
{
	*out = NULL;
	if (!encoded || !encoded[0])
		return true;
	size_t len = 0;
	unsigned char *decoded = api_base64_decode(encoded, &len);
	if (!decoded || !api_utf8_valid(decoded, len) || memchr(decoded, '\0', len)) {
		free(decoded);
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_CONTENT_IS_WRONG, param);
	}
	*total += len;
	if (*total > TEMPLATE_CONTENT_MAX) {
		free(decoded);
		return api_fail(ctx, ERR_FAILED_OPERATION_TEMPLATE_CONTENT_TOOLARGE, "TemplateContent");
	}
	*out = (char *)decoded;
	return true;
}

/* Fill html/text of `row` from TemplateContent; false with the error recorded. */
static bool read_content(struct api_ctx *ctx, const cJSON *params, struct store_template *row)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(params, "TemplateContent");
	const char *html = api_param_string(content, "Html", NULL);
	const char *text = api_param_string(content, "Text", NULL);
	if ((!html || !html[0]) && (!text || !text[0]))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_CONTENT_IS_NULL, "TemplateContent");
	size_t total = 0;
	if (!decode_part(ctx, html, "TemplateContent.Html", &row->html, &total) ||
	    !decode_part(ctx, text, "TemplateContent.Text", &row->text, &total)) {
		free(row->html);
		row->html = NULL;
		return false;
	}
	return true;
}

static bool name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > TEMPLATE_NAME_MAX || !api_utf8_valid((const unsigned char *)name, len))
		return false;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int review_status(const struct api_ctx *ctx)
{
	return ctx->config->review == CONFIG_REVIEW_AUTO ? STORE_TEMPLATE_APPROVED : STORE_TEMPLATE_PENDING;
}

bool api_create_email_template(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	const char *name = api_param_string(params, "TemplateName", "");
	if (!name_valid(name))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_NAME_ILLEGAL, "TemplateName");
	struct store_template row = {.name = (char *)name, .status = review_status(ctx)};
	if (!read_content(ctx, params, &row))
		return false;
	int64_t count = 0, id = 0;
	enum store_status status = store_template_count(ctx->store, ctx->account.id, &count);
	bool ok;
	if (status != STORE_OK)
		ok = api_fail_store(ctx, status);
	else if (count >= TEMPLATE_MAX_PER_ACCOUNT)
		ok = api_fail(ctx, ERR_FAILED_OPERATION_EXCEED_TEMPLATE_LIMIT, NULL);
	else if ((status = store_template_create(ctx->store, ctx->account.id, &row, ctx->now, &id)) != STORE_OK)
		ok = api_fail_store(ctx, status);
	else
		ok = api_out_int(out, "TemplateID", id);
	free(row.html);
	free(row.text);
	return ok;
}

static bool out_body(cJSON *content, const char *name, const char *body)
{
	if (!body)
		return api_out_string(content, name, "");
	char *encoded = api_base64_encode(body, strlen(body));
	bool ok = encoded && api_out_string(content, name, encoded);
	free(encoded);
	return ok;
}

bool api_get_email_template(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	struct store_template row = {0};
	int64_t id = api_param_int(params, "TemplateID", 0);
	enum store_status status = store_template_get(ctx->store, ctx->account.id, id, &row);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_NOT_EXIST, "TemplateID");
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	bool ok;
	if (row.deleted) {
		ok = api_fail(ctx, ERR_RESOURCE_NOT_FOUND, "TemplateID");
	} else {
		cJSON *content = cJSON_AddObjectToObject(out, "TemplateContent");
		ok = content && out_body(content, "Html", row.html) && out_body(content, "Text", row.text) &&
		     api_out_int(out, "TemplateStatus", row.status) && api_out_string(out, "TemplateName", row.name);
	}
	store_template_finish(&row);
	return ok;
}

bool api_list_email_templates(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t limit = api_param_int(params, "Limit", 0);
	int64_t offset = api_param_int(params, "Offset", 0);
	if (limit > TEMPLATE_LIST_MAX)
		return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_LIMIT, "Limit");
	if (limit < 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	struct store_template *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status = store_template_count(ctx->store, ctx->account.id, &total);
	if (status == STORE_OK)
		status = store_template_list(ctx->store, ctx->account.id, offset, limit, &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "TemplatesMetadata");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++) {
		cJSON *item = cJSON_CreateObject();
		ok = item != NULL;
		if (!ok)
			break;
		cJSON_AddItemToArray(list, item);
		ok = api_out_int(item, "CreatedTimestamp", rows[i].created) &&
		     api_out_string(item, "TemplateName", rows[i].name) &&
		     api_out_int(item, "TemplateStatus", rows[i].status) &&
		     api_out_int(item, "TemplateID", rows[i].id) &&
		     api_out_string(item, "ReviewReason", rows[i].review_reason);
	}
	store_template_list_free(rows, count);
	return ok && api_out_int(out, "TotalCount", total);
}

bool api_update_email_template(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	const char *name = api_param_string(params, "TemplateName", "");
	if (!name[0])
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_NAME_IS_NULL, "TemplateName");
	if (!name_valid(name))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_NAME_ILLEGAL, "TemplateName");
	struct store_template row = {
		.id = api_param_int(params, "TemplateID", 0), .name = (char *)name, .status = review_status(ctx)};
	struct store_template existing = {0};
	enum store_status status = store_template_get(ctx->store, ctx->account.id, row.id, &existing);
	bool live = status == STORE_OK && !existing.deleted;
	store_template_finish(&existing);
	if (status != STORE_OK && status != STORE_NOT_FOUND)
		return api_fail_store(ctx, status);
	if (!live)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_NOT_EXIST, "TemplateID");
	if (!read_content(ctx, params, &row))
		return false;
	status = store_template_update(ctx->store, ctx->account.id, &row, ctx->now);
	free(row.html);
	free(row.text);
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}

bool api_delete_email_template(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	enum store_status status =
		store_template_delete(ctx->store, ctx->account.id, api_param_int(params, "TemplateID", 0), ctx->now);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "TemplateID");
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}
