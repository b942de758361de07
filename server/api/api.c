/*
 * Small services every handler uses: recording the call's error, typed
 * reads of validated parameters, and typed writes of output fields.
 *
 * Owns: nothing but these helpers. Never: writes the envelope (dispatch).
 */
#include "api.h"

#include <openssl/evp.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool api_fail(struct api_ctx *ctx, enum api_error_code code, const char *param)
{
	if (ctx->error != ERR_NONE)
		return false;
	ctx->error = code;
	snprintf(ctx->error_param, sizeof(ctx->error_param), "%s", param ? param : "");
	return false;
}

bool api_fail_store(struct api_ctx *ctx, int store_status)
{
	(void)store_status;
	return api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
}

static const cJSON *member(const cJSON *params, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(params, name);
	return item && !cJSON_IsNull(item) ? item : NULL;
}

bool api_param_has(const cJSON *params, const char *name)
{
	return member(params, name) != NULL;
}

const char *api_param_string(const cJSON *params, const char *name, const char *fallback)
{
	const cJSON *item = member(params, name);
	return cJSON_IsString(item) ? item->valuestring : fallback;
}

int64_t api_param_int(const cJSON *params, const char *name, int64_t fallback)
{
	const cJSON *item = member(params, name);
	if (!cJSON_IsNumber(item))
		return fallback;
	/* uint64 parameters may exceed int64: clamp, so that an offset or id
	 * that large simply finds nothing. */
	if (item->valuedouble >= 9223372036854775808.0)
		return INT64_MAX;
	if (item->valuedouble < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)item->valuedouble;
}

bool api_param_bool(const cJSON *params, const char *name, bool fallback)
{
	const cJSON *item = member(params, name);
	return cJSON_IsBool(item) ? cJSON_IsTrue(item) : fallback;
}

bool api_out_string(cJSON *out, const char *name, const char *value)
{
	return cJSON_AddStringToObject(out, name, value ? value : "") != NULL;
}

bool api_out_int(cJSON *out, const char *name, int64_t value)
{
	return cJSON_AddNumberToObject(out, name, (double)value) != NULL;
}

bool api_out_bool(cJSON *out, const char *name, bool value)
{
	return cJSON_AddBoolToObject(out, name, value) != NULL;
}

unsigned char *api_base64_decode(const char *text, size_t *len)
{
	size_t in = strlen(text);
	if (in > (size_t)1 << 30)
		return NULL;
	/* Only the base64 alphabet and line breaks; '=' only as final padding;
	 * the significant characters come in fours. (OpenSSL's decoder would
	 * stop quietly at '-' and skip spaces, so the text is checked first.) */
	size_t significant = 0, padding = 0;
	for (size_t i = 0; i < in; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			padding++;
		} else if (padding || !(isalnum(c) || c == '+' || c == '/')) {
			return NULL;
		}
		significant++;
	}
	if (significant % 4 != 0 || padding > 2)
		return NULL;
	unsigned char *out = malloc(in / 4 * 3 + 4);
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	int n = 0, tail = 0;
	if (!out || !ctx ||
	    (EVP_DecodeInit(ctx), EVP_DecodeUpdate(ctx, out, &n, (const unsigned char *)text, (int)in)) < 0 ||
	    EVP_DecodeFinal(ctx, out + n, &tail) < 0) {
		EVP_ENCODE_CTX_free(ctx);
		free(out);
		return NULL;
	}
	EVP_ENCODE_CTX_free(ctx);
	*len = (size_t)n + (size_t)tail;
	out[*len] = '\0';
	return out;
}

char *api_base64_encode(const void *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

bool api_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned min;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n >= len)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}
