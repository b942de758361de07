/*
 * Sending domains: CreateEmailIdentity, GetEmailIdentity,
 * ListEmailIdentities, UpdateEmailIdentity, DeleteEmailIdentity.
 *
 * Owns: domain rules, the DNS records a user must publish, and verification
 * (immediate with --review auto; pending until the control plane decides
 * with --review manual). Never: resolves DNS; nothing leaves the machine.
 */
#include "identity.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../../storage/store_identity.h"
#include "../../storage/store_sender.h"
#include "../config.h"
#include "api.h"

/* Documented limits this emulator enforces (docs/limits.md). */
#define IDENTITY_MAX_PER_ACCOUNT 10
#define IDENTITY_MAX_TAGS 50
#define IDENTITY_DAILY_QUOTA 5000
#define IDENTITY_REPUTATION_LEVEL 2
#define IDENTITY_MAX_REPUTATION_LEVEL 10
#define IDENTITY_MAX_DAILY_QUOTA 10000

bool identity_domain_valid(const char *domain)
{
	size_t len = strlen(domain);
	if (len == 0 || len > 253)
		return false;
	int labels = 0;
	const char *label = domain;
	for (;;) {
		const char *dot = strchr(label, '.');
		size_t n = dot ? (size_t)(dot - label) : strlen(label);
		if (n == 0 || n > 63 || label[0] == '-' || label[n - 1] == '-')
			return false;
		bool alpha_only = true;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)label[i];
			if (!isalnum(c) && c != '-')
				return false;
			alpha_only &= isalpha(c) != 0;
		}
		labels++;
		if (!dot)
			return labels >= 2 && n >= 2 && alpha_only; /* the TLD */
		label = dot + 1;
	}
}

bool identity_new_dkim_key(int dkim_option, char *out, size_t size)
{
	/* The DER prefix of an RSA SubjectPublicKeyInfo, then random modulus bytes. */
	static const unsigned char prefix_1024[] = {0x30, 0x81, 0x9f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
						    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x81,
						    0x8d, 0x00, 0x30, 0x81, 0x89, 0x02, 0x81, 0x81, 0x00};
	static const unsigned char prefix_2048[] = {0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48,
						    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01,
						    0x0f, 0x00, 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00};
	static const unsigned char exponent[] = {0x02, 0x03, 0x01, 0x00, 0x01};
	unsigned char der[300];
	bool wide = dkim_option != 0;
	size_t prefix_len = wide ? sizeof(prefix_2048) : sizeof(prefix_1024);
	size_t modulus = wide ? 256 : 128;
	size_t total = prefix_len + modulus + sizeof(exponent);
	if (size < 4 * ((total + 2) / 3) + 1)
		return false;
	memcpy(der, wide ? prefix_2048 : prefix_1024, prefix_len);
	if (RAND_bytes(der + prefix_len, (int)modulus) != 1)
		memset(der + prefix_len, 0x5a, modulus);
	der[prefix_len] |= 0x80; /* a full-length modulus */
	memcpy(der + prefix_len + modulus, exponent, sizeof(exponent));
	EVP_EncodeBlock((unsigned char *)out, der, (int)total);
	return true;
}

static void lowercase(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static bool add_record(cJSON *list, const char *type, const char *host, const char *expected, bool verified)
{
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	return api_out_string(item, "Type", type) && api_out_string(item, "SendDomain", host) &&
	       api_out_string(item, "ExpectedValue", expected) &&
	       api_out_string(item, "CurrentValue", verified ? expected : "") && api_out_bool(item, "Status", verified);
}

/* The identity's output fields shared by Create, Get and Update. */
static bool describe(cJSON *out, const struct store_identity *row)
{
	bool verified = row->status == STORE_IDENTITY_VERIFIED;
	struct identity_dns_record record;
	cJSON *attributes = cJSON_CreateArray();
	if (!attributes)
		return false;
	bool ok = api_out_string(out, "IdentityType", "DOMAIN") &&
		  api_out_bool(out, "VerifiedForSendingStatus", verified);
	cJSON_AddItemToObject(out, "Attributes", attributes);
	for (size_t i = 0; ok && identity_dns_record(row->domain, row->dkim_key, i, &record); i++)
		ok = add_record(attributes, record.type, record.host, record.value, verified);
	return ok && api_out_int(out, "DKIMOption", row->dkim_option);
}

bool identity_dns_record(const char *domain, const char *dkim_key, size_t index, struct identity_dns_record *out)
{
	static const char *const types[] = {"TXT", "TXT", "MX", "TXT"};
	static const char *const prefixes[] = {"", "qcloud._domainkey.", "", "_dmarc."};
	if (index >= IDENTITY_DNS_RECORDS)
		return false;
	out->type = types[index];
	snprintf(out->host, sizeof(out->host), "%s%s", prefixes[index], domain);
	if (index == 0)
		snprintf(out->value, sizeof(out->value), "%s", "v=spf1 include:qcloudmail.com ~all");
	else if (index == 1)
		snprintf(out->value, sizeof(out->value), "k=rsa;p=%s", dkim_key);
	else if (index == 2)
		snprintf(out->value, sizeof(out->value), "%s", "mxbiz1.qq.com");
	else
		snprintf(out->value, sizeof(out->value), "%s", "v=DMARC1; p=none");
	return true;
}

static bool add_tags(cJSON *out, const char *tags_json)
{
	cJSON *tags = cJSON_Parse(tags_json);
	if (!cJSON_IsArray(tags)) {
		cJSON_Delete(tags);
		tags = cJSON_CreateArray();
	}
	return tags && cJSON_AddItemToObject(out, "TagList", tags);
}

bool api_create_email_identity(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	char domain[256];
	const char *given = api_param_string(params, "EmailIdentity", "");
	if (strlen(given) >= sizeof(domain))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_INVALID_EMAIL_IDENTITY, "EmailIdentity");
	memcpy(domain, given, strlen(given) + 1);
	lowercase(domain);
	if (!identity_domain_valid(domain))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_INVALID_EMAIL_IDENTITY, "EmailIdentity");
	int64_t dkim = api_param_int(params, "DKIMOption", 0);
	if (dkim < 0 || dkim > 2)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "DKIMOption");
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(params, "TagList");
	if (cJSON_GetArraySize(tags) > IDENTITY_MAX_TAGS)
		return api_fail(ctx, ERR_LIMIT_EXCEEDED, "TagList");

	struct store_identity existing = {0};
	enum store_status status = store_identity_get(ctx->store, ctx->account.id, domain, &existing);
	store_identity_finish(&existing);
	if (status == STORE_OK)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_REPEAT_CREATION, "EmailIdentity");
	if (status != STORE_NOT_FOUND)
		return api_fail_store(ctx, status);
	bool held = false;
	status = store_identity_held_by_other(ctx->store, ctx->account.id, domain, &held);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (held)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_CREATED_BY_OTHER, "EmailIdentity");
	int64_t count = 0;
	status = store_identity_count(ctx->store, ctx->account.id, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (count >= IDENTITY_MAX_PER_ACCOUNT)
		return api_fail(ctx, ERR_OPERATION_DENIED_EXCEED_DOMAIN_LIMIT, "EmailIdentity");

	char key[512];
	char *tags_json = tags ? cJSON_PrintUnformatted(tags) : NULL;
	identity_new_dkim_key((int)dkim, key, sizeof(key));
	struct store_identity row = {
		.domain = domain,
		.dkim_option = (int)dkim,
		.status = ctx->config->review == CONFIG_REVIEW_AUTO ? STORE_IDENTITY_VERIFIED : STORE_IDENTITY_PENDING,
		.tags = tags_json ? tags_json : "[]",
		.dkim_key = key,
	};
	status = store_identity_create(ctx->store, ctx->account.id, &row, ctx->now);
	bool ok = status == STORE_OK && describe(out, &row);
	free(tags_json);
	return ok ? true : api_fail_store(ctx, status);
}

/* Look up the EmailIdentity parameter; false with `missing_code` when absent. */
static bool find_identity(struct api_ctx *ctx, const cJSON *params, enum api_error_code missing_code,
			  struct store_identity *row)
{
	char domain[256];
	snprintf(domain, sizeof(domain), "%s", api_param_string(params, "EmailIdentity", ""));
	lowercase(domain);
	enum store_status status = store_identity_get(ctx->store, ctx->account.id, domain, row);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, missing_code, "EmailIdentity");
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}

bool api_get_email_identity(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	struct store_identity row = {0};
	if (!find_identity(ctx, params, ERR_INVALID_PARAMETER_VALUE_NOT_EXIST_DOMAIN, &row))
		return false;
	bool ok = describe(out, &row) && add_tags(out, row.tags);
	store_identity_finish(&row);
	return ok;
}

/* Whether the identity carries every tag of `filter` (a TagList array). */
static bool has_tags(const char *tags_json, const cJSON *filter)
{
	if (cJSON_GetArraySize(filter) == 0)
		return true;
	cJSON *tags = cJSON_Parse(tags_json);
	bool all = true;
	const cJSON *want;
	cJSON_ArrayForEach(want, filter)
	{
		bool found = false;
		const cJSON *have;
		cJSON_ArrayForEach(have, tags)
		{
			const char *k1 = api_param_string(want, "TagKey", ""),
				   *v1 = api_param_string(want, "TagValue", "");
			found |= strcmp(k1, api_param_string(have, "TagKey", "")) == 0 &&
				 strcmp(v1, api_param_string(have, "TagValue", "")) == 0;
		}
		all &= found;
	}
	cJSON_Delete(tags);
	return all;
}

static bool list_item(cJSON *list, const struct store_identity *row)
{
	bool verified = row->status == STORE_IDENTITY_VERIFIED;
	cJSON *item = cJSON_CreateObject();
	if (!item)
		return false;
	cJSON_AddItemToArray(list, item);
	cJSON *ips = cJSON_AddArrayToObject(item, "SendIp");
	return ips && api_out_string(item, "IdentityName", row->domain) &&
	       api_out_string(item, "IdentityType", "DOMAIN") && api_out_bool(item, "SendingEnabled", verified) &&
	       api_out_int(item, "CurrentReputationLevel", verified ? IDENTITY_REPUTATION_LEVEL : 0) &&
	       api_out_int(item, "DailyQuota", verified ? IDENTITY_DAILY_QUOTA : 0) && add_tags(item, row->tags) &&
	       api_out_int(item, "DKIMOption", row->dkim_option);
}

bool api_list_email_identities(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	int64_t offset = api_param_int(params, "Offset", 0);
	int64_t limit = api_param_int(params, "Limit", 0);
	if (limit > 100)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Limit");
	const cJSON *filter = cJSON_GetObjectItemCaseSensitive(params, "TagList");
	struct store_identity *rows = NULL;
	size_t count = 0;
	enum store_status status = store_identity_list(ctx->store, ctx->account.id, &rows, &count);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	cJSON *list = cJSON_AddArrayToObject(out, "EmailIdentities");
	bool ok = list != NULL;
	int64_t matched = 0;
	for (size_t i = 0; ok && i < count; i++) {
		if (!has_tags(rows[i].tags, filter))
			continue;
		if (matched >= offset && (limit == 0 || matched < offset + limit))
			ok = list_item(list, &rows[i]);
		matched++;
	}
	store_identity_list_free(rows, count);
	return ok && api_out_int(out, "MaxReputationLevel", IDENTITY_MAX_REPUTATION_LEVEL) &&
	       api_out_int(out, "MaxDailyQuota", IDENTITY_MAX_DAILY_QUOTA) && api_out_int(out, "Total", matched);
}

bool api_update_email_identity(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	struct store_identity row = {0};
	if (!find_identity(ctx, params, ERR_INVALID_PARAMETER_VALUE_NOT_EXIST_DOMAIN, &row))
		return false;
	bool ok;
	int64_t dkim = api_param_int(params, "DKIMOption", row.dkim_option);
	if (dkim < 0 || dkim > 2) {
		ok = api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "DKIMOption");
	} else if (dkim != row.dkim_option) {
		/* The key for another DKIM option was never created for this domain. */
		ok = api_fail(ctx, ERR_FAILED_OPERATION_DKIM_NOT_APPLIED, "DKIMOption");
	} else {
		/* The re-check: with --review auto the records are taken as published. */
		if (ctx->config->review == CONFIG_REVIEW_AUTO && row.status != STORE_IDENTITY_VERIFIED) {
			row.status = STORE_IDENTITY_VERIFIED;
			enum store_status status =
				store_identity_set_status(ctx->store, ctx->account.id, row.domain, row.status);
			if (status != STORE_OK) {
				store_identity_finish(&row);
				return api_fail_store(ctx, status);
			}
		}
		ok = describe(out, &row);
	}
	store_identity_finish(&row);
	return ok;
}

bool api_delete_email_identity(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	(void)out;
	if (!ctx->account.enterprise_verified)
		return api_fail(ctx, ERR_OPERATION_DENIED_NOT_ALLOW_DELETE, "EmailIdentity");
	struct store_identity row = {0};
	if (!find_identity(ctx, params, ERR_INVALID_PARAMETER_VALUE, &row))
		return false;
	int64_t senders = 0;
	enum store_status status = store_sender_count_domain(ctx->store, ctx->account.id, row.domain, &senders);
	if (status == STORE_OK && senders > 0) {
		store_identity_finish(&row);
		return api_fail(ctx, ERR_OPERATION_DENIED_SENDER_WITH_DOMAIN_IS_NOT_EMPTY, "EmailIdentity");
	}
	if (status == STORE_OK)
		status = store_identity_delete(ctx->store, ctx->account.id, row.domain);
	store_identity_finish(&row);
	return status == STORE_OK ? true : api_fail_store(ctx, status);
}
