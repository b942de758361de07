/*
 * Sender addresses: CreateEmailAddress, ListEmailAddress,
 * DeleteEmailAddress, UpdateEmailSmtpPassWord.
 *
 * Owns: address and sender-name rules, the per-account sender limit, and
 * the SMTP password rule. Never stores a password: only a salted SHA-256,
 * enough to refuse the same password twice.
 */
#include "address.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../../storage/store_identity.h"
#include "../../storage/store_sender.h"
#include "../config.h"
#include "api.h"
#include "auth.h"
#include "identity.h"

/* The China edition's documented limit: 10 sender addresses per account. */
#define ADDRESS_MAX_PER_ACCOUNT 10
#define ADDRESS_MAX_LENGTH 128
#define SENDER_NAME_MAX_LENGTH 64

bool address_valid(const char *address)
{
	size_t len = strlen(address);
	const char *at = strrchr(address, '@');
	if (len == 0 || len > ADDRESS_MAX_LENGTH || !at || at == address || at - address > 64)
		return false;
	for (const char *p = address; p < at; p++) {
		unsigned char c = (unsigned char)*p;
		if (!isalnum(c) && !strchr("._%+-=", c))
			return false;
	}
	if (address[0] == '.' || at[-1] == '.' || strstr(address, ".."))
		return false;
	char domain[256];
	snprintf(domain, sizeof(domain), "%s", at + 1);
	return identity_domain_valid(domain);
}

static bool sender_name_valid(const char *name)
{
	size_t len = strlen(name);
	if (len > SENDER_NAME_MAX_LENGTH)
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || strchr("<>:\"", c))
			return false;
	}
	return true;
}

bool api_create_email_address(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	const char *address = api_param_string(params, "EmailAddress", "");
	const char *name = api_param_string(params, "EmailSenderName", "");
	if (!address_valid(address))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_ILLEGAL_EMAIL_ADDRESS, "EmailAddress");
	if (!sender_name_valid(name))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_ILLEGAL_SENDER_NAME, "EmailSenderName");

	struct store_sender existing = {0};
	enum store_status status = store_sender_get(ctx->store, ctx->account.id, address, &existing);
	store_sender_finish(&existing);
	if (status == STORE_OK)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_REPEAT_EMAIL_ADDRESS, "EmailAddress");
	if (status != STORE_NOT_FOUND)
		return api_fail_store(ctx, status);

	char domain[256];
	snprintf(domain, sizeof(domain), "%s", strrchr(address, '@') + 1);
	for (char *p = domain; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	struct store_identity identity = {0};
	status = store_identity_get(ctx->store, ctx->account.id, domain, &identity);
	bool verified = status == STORE_OK && identity.status == STORE_IDENTITY_VERIFIED;
	store_identity_finish(&identity);
	if (status != STORE_OK && status != STORE_NOT_FOUND)
		return api_fail_store(ctx, status);
	if (!verified)
		return api_fail(ctx, ERR_OPERATION_DENIED_DOMAIN_NOT_VERIFIED, "EmailAddress");

	int64_t count = 0;
	status = store_sender_count(ctx->store, ctx->account.id, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (count >= ADDRESS_MAX_PER_ACCOUNT)
		return api_fail(ctx, ERR_OPERATION_DENIED_EXCEED_SENDER_LIMIT, "EmailAddress");

	int state = ctx->config->review == CONFIG_REVIEW_AUTO ? STORE_SENDER_APPROVED : STORE_SENDER_PENDING;
	status = store_sender_create(ctx->store, ctx->account.id, address, name, domain, state, ctx->now);
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}

bool api_list_email_address(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)params;
	struct store_sender *rows = NULL;
	size_t count = 0;
	enum store_status status = store_sender_list(ctx->store, ctx->account.id, &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "EmailSenders");
	bool ok = list != NULL;
	for (size_t i = 0; ok && i < count; i++) {
		cJSON *item = cJSON_CreateObject();
		ok = item != NULL;
		if (!ok)
			break;
		cJSON_AddItemToArray(list, item);
		ok = api_out_string(item, "EmailAddress", rows[i].address) &&
		     api_out_string(item, "EmailSenderName", rows[i].name) &&
		     api_out_int(item, "CreatedTimestamp", rows[i].created) &&
		     api_out_int(item, "SmtpPwdType", rows[i].password_hash[0] ? 1 : 0);
	}
	store_sender_list_free(rows, count);
	return ok;
}

bool api_delete_email_address(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	enum store_status status =
		store_sender_delete(ctx->store, ctx->account.id, api_param_string(params, "EmailAddress", ""));
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_NO_SUCH_SENDER, "EmailAddress");
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}

/* 10-20 printable characters with a lowercase letter, an uppercase letter
 * and at least two different digits (the documented rule). */
static bool password_valid(const char *password)
{
	size_t len = strlen(password);
	bool lower = false, upper = false;
	unsigned digits = 0;
	if (len < 10 || len > 20)
		return false;
	for (const char *p = password; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f)
			return false;
		lower |= islower(c) != 0;
		upper |= isupper(c) != 0;
		if (isdigit(c))
			digits |= 1u << (c - '0');
	}
	return lower && upper && __builtin_popcount(digits) >= 2;
}

bool api_update_email_smtp_pass_word(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	const char *address = api_param_string(params, "EmailAddress", "");
	const char *password = api_param_string(params, "Password", "");
	struct store_sender sender = {0};
	enum store_status status = store_sender_get(ctx->store, ctx->account.id, address, &sender);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_NO_SUCH_SENDER, "EmailAddress");
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	bool ok;
	if (!password_valid(password)) {
		ok = api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_INVALID_SMTP_PASS_WORD, "Password");
	} else {
		char salted[512], hash[65];
		snprintf(salted, sizeof(salted), "%s\n%s", sender.address, password);
		auth_sha256_hex(salted, strlen(salted), hash);
		OPENSSL_cleanse(salted, sizeof(salted));
		if (strcmp(hash, sender.password_hash) == 0)
			ok = api_fail(ctx, ERR_OPERATION_DENIED_REPEAT_PASS_WORD, "Password");
		else
			ok = (status = store_sender_set_password(ctx->store, ctx->account.id, sender.address, hash)) ==
					     STORE_OK
				     ? true
				     : api_fail_store(ctx, status);
	}
	store_sender_finish(&sender);
	return ok;
}
