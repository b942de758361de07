/*
 * Template variables: finding `{{name}}`, checking TemplateData against a
 * template, and rendering one part.
 *
 * Owns: the variable syntax and the number format of values. Never: escapes
 * values, parses the TemplateData string (the caller hands a cJSON object),
 * or allocates past the caller's ceiling (the output length is computed
 * before the single allocation).
 *
 * Lookups go through a table of the data's keys sorted once by (name,
 * position), so a template with many variables and data with many keys
 * stays O((variables + keys) log keys); an adversary cannot pick keys that
 * collide, as they could with an unseeded hash.
 */
#include "render.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One data key. `index` is its position in the object, for data-order reports. */
struct entry {
	const char *key;
	size_t key_len;
	size_t index;
	const cJSON *item;
};

struct table {
	struct entry *entries; /* sorted by (key, index) */
	size_t count;
	bool *used; /* by index; NULL when the caller does not track use */
};

/* One variable found in a part. */
struct token {
	size_t start;  /* offset of "{{" */
	size_t length; /* up to and including "}}" */
	const char *name;
	size_t name_len;
};

static bool is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The length of the variable starting at `s` (which begins with "{{"), or 0 when it is not one. */
static size_t parse_variable(const char *s, const char **name, size_t *name_len)
{
	size_t i = 2;
	while (is_blank(s[i]))
		i++;
	size_t begin = i;
	while (is_name_char((unsigned char)s[i]))
		i++;
	if (i == begin)
		return 0;
	*name = s + begin;
	*name_len = i - begin;
	while (is_blank(s[i]))
		i++;
	if (s[i] != '}' || s[i + 1] != '}')
		return 0;
	return i + 2;
}

/*
 * The first variable at or after offset `from`. Linear overall: a failed
 * attempt only reads the blanks and name characters that follow its own
 * "{{", and the next attempt starts one byte further. (A plain loop, not
 * strstr: sanitizer interceptors make repeated strstr calls quadratic.)
 */
static bool find_variable(const char *part, size_t from, struct token *t)
{
	for (const char *p = part + from; *p; p++) {
		if (p[0] != '{' || p[1] != '{')
			continue;
		size_t n = parse_variable(p, &t->name, &t->name_len);
		if (n) {
			t->start = (size_t)(p - part);
			t->length = n;
			return true;
		}
	}
	return false;
}

static int compare_name(const char *a, size_t a_len, const char *b, size_t b_len)
{
	int c = memcmp(a, b, a_len < b_len ? a_len : b_len);
	if (c)
		return c;
	return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

static int compare_entries(const void *pa, const void *pb)
{
	const struct entry *a = pa;
	const struct entry *b = pb;
	int c = compare_name(a->key, a->key_len, b->key, b->key_len);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

static void table_finish(struct table *t)
{
	free(t->entries);
	free(t->used);
	memset(t, 0, sizeof(*t));
}

/* Build the sorted key table of `data` (an object or NULL). false when out of memory. */
static bool table_init(struct table *t, const cJSON *data, bool track_use)
{
	memset(t, 0, sizeof(*t));
	size_t count = 0;
	for (const cJSON *item = data ? data->child : NULL; item; item = item->next)
		count++;
	if (count == 0)
		return true;
	t->entries = calloc(count, sizeof(*t->entries));
	t->used = track_use ? calloc(count, sizeof(*t->used)) : NULL;
	if (!t->entries || (track_use && !t->used)) {
		table_finish(t);
		return false;
	}
	size_t i = 0;
	for (const cJSON *item = data->child; item; item = item->next, i++) {
		t->entries[i].key = item->string ? item->string : "";
		t->entries[i].key_len = strlen(t->entries[i].key);
		t->entries[i].index = i;
		t->entries[i].item = item;
	}
	t->count = count;
	qsort(t->entries, count, sizeof(*t->entries), compare_entries);
	return true;
}

/* The first entry named `name` (the first in data order), or NULL. Marks every entry of that name used. */
static const struct entry *table_find(const struct table *t, const char *name, size_t name_len)
{
	size_t low = 0, high = t->count;
	while (low < high) {
		size_t mid = low + (high - low) / 2;
		if (compare_name(t->entries[mid].key, t->entries[mid].key_len, name, name_len) < 0)
			low = mid + 1;
		else
			high = mid;
	}
	if (low == t->count || compare_name(t->entries[low].key, t->entries[low].key_len, name, name_len) != 0)
		return NULL;
	for (size_t i = low; t->used && i < t->count; i++) {
		if (compare_name(t->entries[i].key, t->entries[i].key_len, name, name_len) != 0)
			break;
		t->used[t->entries[i].index] = true;
	}
	return &t->entries[low];
}

/* Strings, numbers and booleans render; objects, arrays and null do not.
 * (Booleans: JSON data as users write it, {"vip": true}, renders "true".) */
static bool value_valid(const cJSON *item)
{
	return cJSON_IsString(item) || cJSON_IsNumber(item) || cJSON_IsBool(item);
}

/* Write a JSON number the way JSON would: integers without a fraction. Returns its length. */
static size_t format_number(double d, char out[32])
{
	int n;
	if (d > -9007199254740992.0 && d < 9007199254740992.0 && (double)(int64_t)d == d) {
		n = snprintf(out, 32, "%" PRId64, (int64_t)d);
	} else {
		n = snprintf(out, 32, "%.15g", d);
		if (strtod(out, NULL) != d)
			n = snprintf(out, 32, "%.17g", d);
	}
	return n > 0 && n < 32 ? (size_t)n : 0;
}

static void copy_name(char *name, size_t name_size, const char *text, size_t len)
{
	if (!name || name_size == 0)
		return;
	if (len > name_size - 1)
		len = name_size - 1;
	memcpy(name, text, len);
	name[len] = '\0';
}

/* Check 3 of render_check: every variable of `part` has a value. */
static enum render_status check_part(const char *part, struct table *t, char *name, size_t name_size)
{
	struct token tok;
	size_t at = 0;
	while (find_variable(part, at, &tok)) {
		if (!table_find(t, tok.name, tok.name_len)) {
			copy_name(name, name_size, tok.name, tok.name_len);
			return RENDER_MISSING_VARIABLE;
		}
		at = tok.start + tok.length;
	}
	return RENDER_OK;
}

enum render_status render_check(const char *const *parts, size_t count, const cJSON *data, char *name, size_t name_size)
{
	enum render_status status = RENDER_OK;
	struct table t;
	copy_name(name, name_size, "", 0);
	if (data && !cJSON_IsObject(data))
		return RENDER_BAD_VALUE;
	if (!table_init(&t, data, true))
		return RENDER_NOMEM;
	for (const cJSON *item = data ? data->child : NULL; item; item = item->next) {
		if (!value_valid(item)) {
			copy_name(name, name_size, item->string ? item->string : "",
				  item->string ? strlen(item->string) : 0);
			status = RENDER_BAD_VALUE;
			goto out;
		}
	}
	for (size_t i = 0; i < count; i++) {
		if (parts[i] && (status = check_part(parts[i], &t, name, name_size)) != RENDER_OK)
			goto out;
	}
	size_t i = 0;
	for (const cJSON *item = data ? data->child : NULL; item; item = item->next, i++) {
		if (!t.used[i]) {
			copy_name(name, name_size, item->string ? item->string : "",
				  item->string ? strlen(item->string) : 0);
			status = RENDER_UNUSED_DATA;
			goto out;
		}
	}
out:
	table_finish(&t);
	return status;
}

/* The text a variable becomes: a pointer into the data, or into `scratch` for numbers. */
static enum render_status value_text(const struct entry *e, char scratch[32], const char **text, size_t *len)
{
	if (!e)
		return RENDER_MISSING_VARIABLE;
	if (cJSON_IsString(e->item) && e->item->valuestring) {
		*text = e->item->valuestring;
		*len = strlen(*text);
		return RENDER_OK;
	}
	if (cJSON_IsNumber(e->item)) {
		*len = format_number(e->item->valuedouble, scratch);
		*text = scratch;
		return RENDER_OK;
	}
	if (cJSON_IsBool(e->item)) {
		*text = cJSON_IsTrue(e->item) ? "true" : "false";
		*len = strlen(*text);
		return RENDER_OK;
	}
	return RENDER_BAD_VALUE;
}

/*
 * One pass over `part`: with `dest` NULL, only measure (stopping as soon as
 * the length passes `max_size`); otherwise also write into `dest`, which
 * has room for the measured length.
 */
static enum render_status render_pass(const char *part, const struct table *t, size_t max_size, char *dest,
				      size_t *length)
{
	struct token tok;
	size_t at = 0, total = 0, part_len = strlen(part);
	char scratch[32];
	for (;;) {
		bool found = find_variable(part, at, &tok);
		size_t literal = (found ? tok.start : part_len) - at;
		if (literal > max_size - total)
			return RENDER_TOO_LARGE;
		if (dest)
			memcpy(dest + total, part + at, literal);
		total += literal;
		if (!found)
			break;
		const char *text = NULL;
		size_t len = 0;
		enum render_status s = value_text(table_find(t, tok.name, tok.name_len), scratch, &text, &len);
		if (s != RENDER_OK)
			return s;
		if (len > max_size - total)
			return RENDER_TOO_LARGE;
		if (dest)
			memcpy(dest + total, text, len);
		total += len;
		at = tok.start + tok.length;
	}
	*length = total;
	return RENDER_OK;
}

enum render_status render_apply(const char *part, const cJSON *data, size_t max_size, char **out, size_t *out_len)
{
	struct table t;
	size_t length = 0, written = 0;
	char *text = NULL;
	enum render_status status;
	*out = NULL;
	*out_len = 0;
	if (!part)
		part = "";
	if (data && !cJSON_IsObject(data))
		return RENDER_BAD_VALUE;
	if (!table_init(&t, data, false))
		return RENDER_NOMEM;
	status = render_pass(part, &t, max_size, NULL, &length);
	if (status != RENDER_OK)
		goto out;
	text = malloc(length + 1);
	if (!text) {
		status = RENDER_NOMEM;
		goto out;
	}
	status = render_pass(part, &t, length, text, &written);
	assert(status != RENDER_OK || written == length);
	if (status != RENDER_OK || written != length) {
		free(text);
		status = status != RENDER_OK ? status : RENDER_NOMEM;
		goto out;
	}
	text[length] = '\0';
	*out = text;
	*out_len = length;
out:
	table_finish(&t);
	return status;
}
