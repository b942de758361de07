/*
 * Address-level unsubscribe settings: CreateAddressUnsubscribeConfig,
 * ListAddressUnsubscribeConfig, UpdateAddressUnsubscribeConfig,
 * DeleteAddressUnsubscribeConfig.
 *
 * Owns: the setting's rules (a sender address of the account, Status 0 or
 * 1, UnsubscribeConfig a language code "0" to "12" in the China numbering of
 * server/mail/compose.c) and which code of each action's published list
 * answers what. The published lists are copies of other actions' lists
 * (SPEC.md §6), so each failure takes the closest code of its own action's
 * list: docs/errors.md names them.
 * Never: adds the link to mail (server/mail/compose.c reads the setting) or
 * records unsubscribes (the control plane's /_emulator/unsubscribe route).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_sender.h"
#include "../../storage/store_unsubscribe.h"
#include "address.h"
#include "api.h"
#include "send.h"

/* ListAddressUnsubscribeConfig: Limit at most 100 (documented), 100 when absent (emulator choice). */
#define UNSUBSCRIBE_LIST_MAX 100

/* The codes one action answers for its address and setting failures. */
struct address_codes {
	enum api_error_code empty;     /* Address "" */
	enum api_error_code malformed; /* not an address */
	enum api_error_code unknown;   /* not a sender address of the account */
};

/* Address: given, well-formed, a sender of the account; false with the error recorded. */
static bool check_address(struct api_ctx *ctx, const char *address, const struct address_codes *codes)
{
	if (!address[0])
		return api_fail(ctx, codes->empty, "Address");
	if (!address_valid(address))
		return api_fail(ctx, codes->malformed, "Address");
	struct store_sender sender = {0};
	enum store_status status = store_sender_get(ctx->store, ctx->account.id, address, &sender);
	store_sender_finish(&sender);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, codes->unknown, "Address");
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}

/* Status and UnsubscribeConfig; the code normalised into `code` (>= 4 bytes). False with InvalidParameterValue. */
static bool read_setting(struct api_ctx *ctx, const cJSON *params, char *code, size_t size, int *status)
{
	int64_t value = api_param_int(params, "Status", -1);
	const char *text = api_param_string(params, "UnsubscribeConfig", "");
	int language = 0;
	if (!text[0] || !send_unsubscribe_code(text, &language))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "UnsubscribeConfig");
	if (value != 0 && value != 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Status");
	snprintf(code, size, "%d", language);
	*status = (int)value;
	return true;
}

bool api_create_address_unsubscribe_config(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	/* BatchSendEmail's list: the sender codes of a batch */
	static const struct address_codes codes = {ERR_MISSING_PARAMETER_SEND_PARAM_NECESSARY,
						   ERR_OPERATION_DENIED_SEND_ADDRESS_STATUS_ERROR,
						   ERR_OPERATION_DENIED_SEND_ADDRESS_STATUS_ERROR};
	const char *address = api_param_string(params, "Address", "");
	char code[8];
	int status = 0;
	if (!check_address(ctx, address, &codes) || !read_setting(ctx, params, code, sizeof(code), &status))
		return false;
	/* a second Create replaces the setting (docs/limits.md) */
	enum store_status stored =
		store_unsubscribe_config_put(ctx->store, ctx->account.id, address, code, status, ctx->now);
	return stored == STORE_OK ? true : api_fail_store(ctx, stored);
}

bool api_update_address_unsubscribe_config(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	/* SendEmail's list: the sender codes of SendEmail */
	static const struct address_codes codes = {ERR_INVALID_PARAMETER_VALUE_EMAIL_ADDRESS_IS_NULL,
						   ERR_FAILED_OPERATION_INCORRECT_SENDER,
						   ERR_FAILED_OPERATION_NOT_AUTHENTICATED_SENDER};
	const char *address = api_param_string(params, "Address", "");
	char code[8];
	int status = 0;
	if (!check_address(ctx, address, &codes) || !read_setting(ctx, params, code, sizeof(code), &status))
		return false;
	enum store_status stored =
		store_unsubscribe_config_update(ctx->store, ctx->account.id, address, code, status, ctx->now);
	if (stored == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_RESOURCE_NOT_FOUND, "Address");
	return stored == STORE_OK ? true : api_fail_store(ctx, stored);
}

bool api_delete_address_unsubscribe_config(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	/* CreateReceiverDetailWithData's list: its address codes; the sender need not exist any more */
	const char *address = api_param_string(params, "Address", "");
	if (!address[0])
		return api_fail(ctx, ERR_MISSING_PARAMETER_EMAILS_NECESSARY, "Address");
	if (!address_valid(address))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_RECEIVER_EMAIL_INVALID, "Address");
	enum store_status status = store_unsubscribe_config_delete(ctx->store, ctx->account.id, address);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_RESOURCE_NOT_FOUND, "Address");
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}

/* Limit, a string parameter: absent or "" is the maximum; else 1 to 100 in decimal digits. */
static bool read_limit(struct api_ctx *ctx, const cJSON *params, int64_t *limit)
{
	const char *text = api_param_string(params, "Limit", "");
	*limit = UNSUBSCRIBE_LIST_MAX;
	if (!text[0])
		return true;
	size_t len = strlen(text);
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)text[i]))
			return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	*limit = len > 4 ? UNSUBSCRIBE_LIST_MAX + 1 : strtol(text, NULL, 10);
	if (*limit < 1 || *limit > UNSUBSCRIBE_LIST_MAX)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	return true;
}

bool api_list_address_unsubscribe_config(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t limit;
	if (!read_limit(ctx, params, &limit))
		return false;
	struct store_unsubscribe_config *rows = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_status status = store_unsubscribe_config_page(
		ctx->store, ctx->account.id, api_param_int(params, "Offset", 0), limit, &total, &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "AddressUnsubscribeConfigList");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++) {
		cJSON *item = cJSON_CreateObject();
		ok = item != NULL;
		if (!ok)
			break;
		cJSON_AddItemToArray(list, item);
		ok = api_out_string(item, "Address", rows[i].address) &&
		     api_out_string(item, "UnsubscribeConfig", rows[i].config) &&
		     api_out_int(item, "Status", rows[i].status);
	}
	store_unsubscribe_config_list_free(rows, count);
	return ok && api_out_int(out, "Total", total);
}
