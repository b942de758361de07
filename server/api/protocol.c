/*
 * TC3 and v1 requests → one api_request, and flattened parameters →
 * nested, typed JSON.
 *
 * Owns: reading common parameters from headers or pairs, parsing the JSON
 * body, url-decoding query strings and form bodies, unflattening.
 * Never: checks signatures (auth.c) or required/unknown parameters of a
 * JSON body (validate.c); it knows the schema only to rebuild structure.
 *
 * Query strings and form bodies are decoded here rather than by MHD's
 * argument and POST processors because the TC3 signature covers the raw
 * query string and v1 needs every pair in order; one decoder serves both.
 */
#include "protocol.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../http.h"
#include "api.h"

/* An array index larger than this is refused: no action takes more
 * elements (CreateReceiverDetail's 20,000 addresses is the largest). */
#define PROTOCOL_MAX_INDEX 100000

static const char *const common_names[] = {
	"Action",    "Version",         "Region", "Timestamp", "Nonce",         "SecretId",
	"Signature", "SignatureMethod", "Token",  "Language",  "RequestClient",
};

bool protocol_is_common(const char *name)
{
	for (size_t i = 0; i < sizeof(common_names) / sizeof(common_names[0]); i++)
		if (strcmp(name, common_names[i]) == 0)
			return true;
	return false;
}

static void set_error(struct protocol_error *error, enum api_error_code code, const char *param)
{
	error->code = code;
	snprintf(error->param, sizeof(error->param), "%s", param ? param : "");
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode len bytes of `s` into a new string; NULL on a bad escape, a result
 * that is not UTF-8, or no memory. */
static char *url_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 1 < len ? hex_value(s[i + 1]) : -1;
			int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) { /* a NUL would cut the value short */
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (!api_utf8_valid((const unsigned char *)out, o)) {
		free(out);
		return NULL;
	}
	return out;
}

static bool pairs_push(struct protocol_pairs *pairs, char *name, char *value)
{
	if (pairs->count == pairs->cap) {
		size_t cap = pairs->cap ? pairs->cap * 2 : 16;
		struct protocol_pair *grown = realloc(pairs->items, cap * sizeof(*grown));
		if (!grown)
			return false;
		pairs->items = grown;
		pairs->cap = cap;
	}
	pairs->items[pairs->count].name = name;
	pairs->items[pairs->count].value = value;
	pairs->count++;
	return true;
}

bool protocol_parse_pairs(const char *text, size_t len, struct protocol_pairs *pairs)
{
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && text[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(text + i, '=', end - i);
			size_t name_len = eq ? (size_t)(eq - (text + i)) : end - i;
			char *name = url_decode(text + i, name_len);
			char *value = eq ? url_decode(eq + 1, (size_t)(text + end - (eq + 1))) : strdup("");
			if (!name || !value || !pairs_push(pairs, name, value)) {
				free(name);
				free(value);
				return false;
			}
		}
		i = end + 1;
	}
	return true;
}

void protocol_pairs_finish(struct protocol_pairs *pairs)
{
	for (size_t i = 0; i < pairs->count; i++) {
		free(pairs->items[i].name);
		free(pairs->items[i].value);
	}
	free(pairs->items);
	memset(pairs, 0, sizeof(*pairs));
}

static const char *pair_get(const struct protocol_pairs *pairs, const char *name)
{
	for (size_t i = 0; i < pairs->count; i++)
		if (strcmp(pairs->items[i].name, name) == 0)
			return pairs->items[i].value;
	return NULL;
}

static bool starts_with_ci(const char *s, const char *prefix)
{
	return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * A JSON body must be UTF-8, and no string in it may hold a NUL, raw or
 * escaped as \u0000: cJSON would silently cut such a string short, and a
 * query string refuses %00 the same way. A backslash outside a string is
 * a syntax error anyway, so escapes need no tracking of string state.
 */
static bool json_text_clean(const char *body, size_t len)
{
	if (memchr(body, '\0', len) || !api_utf8_valid((const unsigned char *)body, len))
		return false;
	for (size_t i = 0; i + 1 < len; i++) {
		if (body[i] != '\\')
			continue;
		if (body[i + 1] == 'u' && i + 5 < len && memcmp(body + i + 2, "0000", 4) == 0)
			return false;
		i++; /* the escaped character, which may be another backslash */
	}
	return true;
}

static bool read_tc3(struct api_request *req, const struct http_request *http, struct protocol_error *error)
{
	req->style = PROTOCOL_TC3;
	req->action = http_request_header(http, "X-TC-Action");
	req->version = http_request_header(http, "X-TC-Version");
	req->region = http_request_header(http, "X-TC-Region");
	req->timestamp = http_request_header(http, "X-TC-Timestamp");
	req->language = http_request_header(http, "X-TC-Language");
	req->token = http_request_header(http, "X-TC-Token");
	if (!req->is_post)
		return true;
	const char *type = http_request_header(http, "Content-Type");
	size_t len;
	const char *body = http_request_body(http, &len);
	if (starts_with_ci(type, "multipart/form-data")) {
		set_error(error, ERR_INVALID_REQUEST, "Content-Type");
		return false;
	}
	if (starts_with_ci(type, "application/x-www-form-urlencoded")) {
		if (!protocol_parse_pairs(body, len, &req->pairs)) {
			set_error(error, ERR_INVALID_PARAMETER, NULL);
			return false;
		}
		return true;
	}
	/* application/json, or anything else: the body must be a JSON object. */
	if (len == 0) {
		req->json = cJSON_CreateObject();
		return req->json != NULL;
	}
	if (!json_text_clean(body, len)) {
		set_error(error, ERR_INVALID_PARAMETER, NULL);
		return false;
	}
	const char *end = NULL;
	req->json = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (!req->json || !cJSON_IsObject(req->json)) {
		set_error(error, ERR_INVALID_PARAMETER, NULL);
		return false;
	}
	/* Only white space may follow the object. */
	for (; end && end < body + len; end++) {
		if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n') {
			set_error(error, ERR_INVALID_PARAMETER, NULL);
			return false;
		}
	}
	return true;
}

static void read_v1(struct api_request *req)
{
	req->style = PROTOCOL_V1;
	req->action = pair_get(&req->pairs, "Action");
	req->version = pair_get(&req->pairs, "Version");
	req->region = pair_get(&req->pairs, "Region");
	req->timestamp = pair_get(&req->pairs, "Timestamp");
	req->language = pair_get(&req->pairs, "Language");
	req->token = pair_get(&req->pairs, "Token");
	req->secret_id = pair_get(&req->pairs, "SecretId");
	req->signature = pair_get(&req->pairs, "Signature");
	req->signature_method = pair_get(&req->pairs, "SignatureMethod");
	req->nonce = pair_get(&req->pairs, "Nonce");
}

bool protocol_request_init(struct api_request *req, const struct http_request *http, struct protocol_error *error)
{
	memset(req, 0, sizeof(*req));
	const char *method = http_request_method(http);
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		set_error(error, ERR_UNSUPPORTED_PROTOCOL, NULL);
		return false;
	}
	req->is_post = method[0] == 'P';
	if (http_request_too_large(http)) {
		set_error(error, ERR_REQUEST_SIZE_LIMIT_EXCEEDED, NULL);
		return false;
	}
	const char *query = http_request_query(http);
	if (!protocol_parse_pairs(query, strlen(query), &req->pairs)) {
		set_error(error, ERR_INVALID_PARAMETER, NULL);
		return false;
	}
	if (http_request_header(http, "Authorization") || http_request_header(http, "X-TC-Action"))
		return read_tc3(req, http, error);

	if (req->is_post) {
		size_t len;
		const char *body = http_request_body(http, &len);
		const char *type = http_request_header(http, "Content-Type");
		if (starts_with_ci(type, "multipart/form-data")) {
			set_error(error, ERR_INVALID_REQUEST, "Content-Type");
			return false;
		}
		if (!protocol_parse_pairs(body, len, &req->pairs)) {
			set_error(error, ERR_INVALID_PARAMETER, NULL);
			return false;
		}
	}
	read_v1(req);
	return true;
}

void protocol_request_finish(struct api_request *req)
{
	protocol_pairs_finish(&req->pairs);
	cJSON_Delete(req->json);
	req->json = NULL;
}

/* Compare the digit runs at *a and *b as numbers and move past them. */
static int compare_numbers(const char **pa, const char **pb)
{
	const char *a = *pa, *b = *pb, *ea = a, *eb = b;
	while (*ea >= '0' && *ea <= '9')
		ea++;
	while (*eb >= '0' && *eb <= '9')
		eb++;
	*pa = ea;
	*pb = eb;
	while (a < ea - 1 && *a == '0')
		a++;
	while (b < eb - 1 && *b == '0')
		b++;
	if (ea - a != eb - b)
		return (ea - a) < (eb - b) ? -1 : 1;
	return strncmp(a, b, (size_t)(ea - a));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compare dotted names segment by segment, numeric segments as numbers,
 * so that Name.2 comes before Name.10 and array elements arrive in order. */
static int natural_compare(const char *a, const char *b)
{
	while (*a && *b) {
		if (is_digit(*a) && is_digit(*b)) {
			int c = compare_numbers(&a, &b);
			if (c)
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int compare_pairs(const void *x, const void *y)
{
	const struct protocol_pair *const *a = x;
	const struct protocol_pair *const *b = y;
	return natural_compare((*a)->name, (*b)->name);
}

static const struct schema_field *find_field(const struct schema_struct *schema, const char *name, size_t len)
{
	for (size_t i = 0; i < schema->count; i++) {
		const char *field = schema->fields[i].name;
		if (strlen(field) == len && memcmp(field, name, len) == 0)
			return &schema->fields[i];
	}
	return NULL;
}

static bool parse_integer(const char *text, bool is_unsigned, double *out)
{
	const char *p = text;
	if (*p == '-' && !is_unsigned)
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	if (strlen(p) > 19)
		return false;
	*out = strtod(text, NULL);
	return true;
}

static cJSON *typed_value(const struct schema_field *field, const char *value)
{
	double number;
	switch (field->type) {
	case SCHEMA_INT64:
	case SCHEMA_UINT64:
		if (!parse_integer(value, field->type == SCHEMA_UINT64, &number))
			return NULL;
		return cJSON_CreateNumber(number);
	case SCHEMA_BOOL:
		/* the Node SDK writes true/false, the Python SDK True/False */
		if (strcmp(value, "true") == 0 || strcmp(value, "True") == 0)
			return cJSON_CreateTrue();
		if (strcmp(value, "false") == 0 || strcmp(value, "False") == 0)
			return cJSON_CreateFalse();
		return NULL;
	case SCHEMA_STRUCT:
		return NULL; /* a structure needs member names */
	case SCHEMA_STRING:
	case SCHEMA_DATE:
	case SCHEMA_DATETIME:
		break;
	}
	return cJSON_CreateString(value);
}

/* The element `index` of `array`, which holds `array->valueint` elements
 * (our own count: cJSON has no O(1) size); pairs arrive sorted, so an index
 * is either the last element again or the next one. */
static cJSON *array_slot(cJSON *array, long index, bool structured, bool *gap)
{
	*gap = false;
	long size = array->valueint;
	if (index == size - 1 && structured)
		return array->child->prev;
	if (index != size) {
		*gap = true;
		return NULL;
	}
	cJSON *item = structured ? cJSON_CreateObject() : cJSON_CreateNull();
	if (!item)
		return NULL;
	cJSON_AddItemToArray(array, item);
	array->valueint = (int)(size + 1);
	return item;
}

/* Parse the array index at the start of `rest` ("3" or "3.Field"): plain
 * digits, no sign, no leading zero; *next gets what follows ("" or "Field"). */
static bool parse_index(const char *rest, long *index, const char **next)
{
	const char *p = rest;
	while (is_digit(*p))
		p++;
	if (p == rest || (*p && *p != '.') || (rest[0] == '0' && p - rest > 1) || p - rest > 6)
		return false;
	*index = strtol(rest, NULL, 10);
	*next = *p ? p + 1 : NULL;
	return *index <= PROTOCOL_MAX_INDEX;
}

/* Store `value` as `field` in `object` (or replace the array slot). */
static bool place_leaf(cJSON *object, cJSON *slot, const struct schema_field *field, const struct protocol_pair *pair,
		       struct protocol_error *error)
{
	cJSON *value = typed_value(field, pair->value);
	if (!value) {
		set_error(error, ERR_INVALID_PARAMETER, pair->name);
		return false;
	}
	if (slot)
		cJSON_ReplaceItemViaPointer(object, slot, value);
	else
		cJSON_AddItemToObject(object, field->name, value);
	return true;
}

/* The container `field` lives in under `object`, created on first use. */
static cJSON *container(cJSON *object, const struct schema_field *field)
{
	cJSON *existing = cJSON_GetObjectItemCaseSensitive(object, field->name);
	if (existing)
		return existing;
	if (field->array) {
		existing = cJSON_AddArrayToObject(object, field->name);
		if (existing)
			existing->valueint = 0;
		return existing;
	}
	return cJSON_AddObjectToObject(object, field->name);
}

/*
 * Step from `object` into the array or structure `field` for the rest of the
 * name (*rest, advanced past an array index). Returns the object to go on
 * in; NULL with *placed set when an array element was the leaf and is
 * placed; NULL with `error` set on failure.
 */
static cJSON *descend(cJSON *object, const struct schema_field *field, const char **rest,
		      const struct protocol_pair *pair, struct protocol_error *error, bool *placed)
{
	bool structured = field->type == SCHEMA_STRUCT;
	long index = 0;
	*placed = false;
	if (!*rest || (field->array && !parse_index(*rest, &index, rest))) {
		set_error(error, ERR_INVALID_PARAMETER, pair->name);
		return NULL;
	}
	cJSON *next = container(object, field);
	if (!next || !field->array) {
		if (!next)
			set_error(error, ERR_INTERNAL_ERROR, NULL);
		return next;
	}
	bool gap;
	cJSON *slot = array_slot(next, index, structured, &gap);
	if (gap || (structured && !*rest)) {
		set_error(error, ERR_INVALID_PARAMETER, pair->name);
		return NULL;
	}
	if (!structured && *rest) {
		set_error(error, ERR_UNKNOWN_PARAMETER, pair->name);
		return NULL;
	}
	if (!slot) {
		set_error(error, ERR_INTERNAL_ERROR, NULL);
		return NULL;
	}
	if (!structured) {
		*placed = place_leaf(next, slot, field, pair, error);
		return NULL;
	}
	return slot;
}

/* Place one pair in `root`; false with `error` set. */
static bool place_pair(cJSON *root, const struct schema_struct *schema, const struct protocol_pair *pair,
		       struct protocol_error *error)
{
	const char *seg = pair->name;
	cJSON *object = root;
	for (;;) {
		const char *dot = strchr(seg, '.');
		const struct schema_field *field = find_field(schema, seg, dot ? (size_t)(dot - seg) : strlen(seg));
		const char *rest = dot ? dot + 1 : NULL;
		bool nested = field && (field->type == SCHEMA_STRUCT || field->array);
		if (!field || (rest && !nested)) {
			set_error(error, ERR_UNKNOWN_PARAMETER, pair->name);
			return false;
		}
		if (!nested) {
			if (cJSON_GetObjectItemCaseSensitive(object, field->name)) { /* given twice */
				set_error(error, ERR_INVALID_PARAMETER, pair->name);
				return false;
			}
			return place_leaf(object, NULL, field, pair, error);
		}
		bool placed;
		object = descend(object, field, &rest, pair, error, &placed);
		if (!object)
			return placed;
		schema = field->structure;
		seg = rest;
	}
}

cJSON *protocol_request_params(struct api_request *req, const struct schema_struct *schema,
			       struct protocol_error *error)
{
	if (req->json) {
		cJSON *params = req->json;
		req->json = NULL;
		return params;
	}

	cJSON *root = cJSON_CreateObject();
	const struct protocol_pair **sorted = malloc((req->pairs.count + 1) * sizeof(*sorted));
	if (!root || !sorted) {
		cJSON_Delete(root);
		free(sorted);
		set_error(error, ERR_INTERNAL_ERROR, NULL);
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < req->pairs.count; i++)
		if (req->style == PROTOCOL_TC3 || !protocol_is_common(req->pairs.items[i].name))
			sorted[n++] = &req->pairs.items[i];
	qsort(sorted, n, sizeof(*sorted), compare_pairs);
	for (size_t i = 0; i < n; i++) {
		if (!place_pair(root, schema, sorted[i], error)) {
			cJSON_Delete(root);
			free(sorted);
			return NULL;
		}
	}
	free(sorted);
	return root;
}
