/*
 * Schema validation.
 *
 * Owns: the order of checks, documented in docs/protocol.md: first every
 * given name must exist (UnknownParameter), then every given value must have
 * its JSON type (InvalidParameter: strings, integers within int64/uint64,
 * booleans, objects, arrays of the element type), then every required
 * parameter must be present (MissingParameter); structures are checked
 * depth-first in the same order. JSON null counts as absent.
 * Never: checks values against business rules (the handlers do, with their
 * specific codes).
 */
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct schema_field *find(const struct schema_struct *schema, const char *name)
{
	for (size_t i = 0; i < schema->count; i++)
		if (strcmp(schema->fields[i].name, name) == 0)
			return &schema->fields[i];
	return NULL;
}

/* "prefix.name" (or "name"), cut to fit; run for every parameter, so no formatted print. */
static void join(char *path, size_t size, const char *prefix, const char *name)
{
	size_t n = 0;
	for (const char *p = prefix; p && *p && n + 1 < size; p++)
		path[n++] = *p;
	if (n && n + 1 < size)
		path[n++] = '.';
	for (const char *p = name; *p && n + 1 < size; p++)
		path[n++] = *p;
	path[n] = '\0';
}

static enum api_error_code check_object(const cJSON *object, const struct schema_struct *schema, const char *prefix,
					char *path, size_t size);

static bool integral(const cJSON *item, bool is_unsigned)
{
	if (!cJSON_IsNumber(item))
		return false;
	double v = item->valuedouble;
	if (floor(v) != v || !isfinite(v))
		return false;
	/* 2^64 and 2^63 are exact doubles; the largest integers are not. */
	if (is_unsigned)
		return v >= 0 && v < 18446744073709551616.0;
	return v >= -9223372036854775808.0 && v < 9223372036854775808.0;
}

/* One value of `field`'s element type. */
static enum api_error_code check_value(const cJSON *item, const struct schema_field *field, const char *at, char *path,
				       size_t size)
{
	bool ok;
	switch (field->type) {
	case SCHEMA_STRING:
	case SCHEMA_DATE:
	case SCHEMA_DATETIME:
		ok = cJSON_IsString(item);
		break;
	case SCHEMA_INT64:
		ok = integral(item, false);
		break;
	case SCHEMA_UINT64:
		ok = integral(item, true);
		break;
	case SCHEMA_BOOL:
		ok = cJSON_IsBool(item);
		break;
	case SCHEMA_STRUCT:
		if (!cJSON_IsObject(item)) {
			ok = false;
			break;
		}
		return check_object(item, field->structure, at, path, size);
	default:
		ok = false;
	}
	if (ok)
		return ERR_NONE;
	snprintf(path, size, "%s", at);
	return ERR_INVALID_PARAMETER;
}

static enum api_error_code check_field(const cJSON *item, const struct schema_field *field, const char *at, char *path,
				       size_t size)
{
	if (!field->array)
		return check_value(item, field, at, path, size);
	if (!cJSON_IsArray(item)) {
		snprintf(path, size, "%s", at);
		return ERR_INVALID_PARAMETER;
	}
	size_t index = 0;
	const cJSON *element;
	cJSON_ArrayForEach(element, item)
	{
		char element_at[300];
		snprintf(element_at, sizeof(element_at), "%.250s.%zu", at, index++);
		enum api_error_code code = check_value(element, field, element_at, path, size);
		if (code != ERR_NONE)
			return code;
	}
	return ERR_NONE;
}

static enum api_error_code check_object(const cJSON *object, const struct schema_struct *schema, const char *prefix,
					char *path, size_t size)
{
	const cJSON *item;
	char at[256];
	cJSON_ArrayForEach(item, object)
	{
		if (!find(schema, item->string)) {
			join(path, size, prefix, item->string);
			return ERR_UNKNOWN_PARAMETER;
		}
	}
	cJSON_ArrayForEach(item, object)
	{
		if (cJSON_IsNull(item))
			continue;
		join(at, sizeof(at), prefix, item->string);
		enum api_error_code code = check_field(item, find(schema, item->string), at, path, size);
		if (code != ERR_NONE)
			return code;
	}
	for (size_t i = 0; i < schema->count; i++) {
		const struct schema_field *field = &schema->fields[i];
		if (!field->required)
			continue;
		item = cJSON_GetObjectItemCaseSensitive(object, field->name);
		if (!item || cJSON_IsNull(item)) {
			join(path, size, prefix, field->name);
			return ERR_MISSING_PARAMETER;
		}
	}
	return ERR_NONE;
}

enum api_error_code validate_params(const cJSON *params, const struct schema_struct *schema, char *path,
				    size_t path_size)
{
	path[0] = '\0';
	if (!cJSON_IsObject(params))
		return ERR_INVALID_PARAMETER;
	return check_object(params, schema, "", path, path_size);
}
