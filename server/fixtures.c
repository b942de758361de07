/*
 * Fixture loading.
 *
 * Owns: reading the fixture file (or the built-in default), checking its
 * shape with the path of any offending field, and seeding a new store in
 * one transaction. Never: loads into a store that already holds accounts,
 * so a restart on the same --db never duplicates anything.
 */
#include "fixtures.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../storage/store.h"
#include "../storage/store_account.h"
#include "../storage/store_identity.h"
#include "../storage/store_receiver.h"
#include "../storage/store_sender.h"
#include "../storage/store_template.h"
#include "api/address.h"
#include "api/identity.h"
#include "api/receiver.h"
#include "clock.h"

extern const char *const fixtures_default_json;

/* The loader's state: where we are in the document, for messages. */
struct loader {
	struct store *store;
	const struct config *config;
	const char *name;
	char *err;
	size_t err_size;
	int64_t now;
};

static bool fail(struct loader *l, const char *path, const char *fmt, ...)
{
	char detail[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->err_size, "fixture %s: %s: %s", l->name, path, detail);
	return false;
}

/* A member that must be a string (non-empty when `required`). NULL with the error set. */
static const char *get_string(struct loader *l, const cJSON *obj, const char *key, const char *path, bool required,
			      const char *fallback, bool *ok)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	char at[256];
	snprintf(at, sizeof(at), "%s.%s", path, key);
	if (!item) {
		if (required)
			*ok = fail(l, at, "is required");
		return fallback;
	}
	if (!cJSON_IsString(item) || (required && !item->valuestring[0])) {
		*ok = fail(l, at, "must be a non-empty string");
		return fallback;
	}
	return item->valuestring;
}

static bool get_bool(struct loader *l, const cJSON *obj, const char *key, const char *path, bool fallback, bool *ok)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return fallback;
	if (!cJSON_IsBool(item)) {
		char at[256];
		snprintf(at, sizeof(at), "%s.%s", path, key);
		*ok = fail(l, at, "must be true or false");
		return fallback;
	}
	return cJSON_IsTrue(item);
}

/* An optional array member; NULL when absent, error when not an array. */
static const cJSON *get_array(struct loader *l, const cJSON *obj, const char *key, const char *path, bool *ok)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return NULL;
	if (!cJSON_IsArray(item)) {
		char at[256];
		snprintf(at, sizeof(at), "%s.%s", path, key);
		*ok = fail(l, at, "must be an array");
		return NULL;
	}
	return item;
}

static bool check_keys(struct loader *l, const cJSON *obj, const char *path, const char *const *keys)
{
	if (!cJSON_IsObject(obj))
		return fail(l, path, "must be an object");
	const cJSON *item;
	cJSON_ArrayForEach(item, obj)
	{
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			known |= strcmp(*k, item->string) == 0;
		if (!known)
			return fail(l, path, "unknown key '%s'", item->string);
	}
	return true;
}

static bool load_credentials(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"secret_id", "secret_key", "allow", NULL};
	bool ok = true;
	const cJSON *list = get_array(l, account, "credentials", path, &ok);
	if (!ok)
		return false;
	if (!list || cJSON_GetArraySize(list) == 0) {
		char at[256];
		snprintf(at, sizeof(at), "%s.credentials", path);
		return fail(l, at, "an account needs at least one credential");
	}
	int i = 0;
	const cJSON *cred;
	cJSON_ArrayForEach(cred, list)
	{
		char at[256];
		snprintf(at, sizeof(at), "%s.credentials[%d]", path, i++);
		if (!check_keys(l, cred, at, keys))
			return false;
		const char *secret_id = get_string(l, cred, "secret_id", at, true, "", &ok);
		const char *secret_key = get_string(l, cred, "secret_key", at, true, "", &ok);
		if (!ok)
			return false;
		char allow[256] = "";
		const cJSON *patterns = get_array(l, cred, "allow", at, &ok);
		if (!ok)
			return false;
		const cJSON *pattern;
		cJSON_ArrayForEach(pattern, patterns)
		{
			if (!cJSON_IsString(pattern) || !pattern->valuestring[0] || strchr(pattern->valuestring, ','))
				return fail(l, at, "allow: each entry must be an action name or pattern");
			size_t used = strlen(allow);
			snprintf(allow + used, sizeof(allow) - used, "%s%s", used ? "," : "", pattern->valuestring);
		}
		if (patterns && !allow[0])
			return fail(l, at, "allow: an empty list would forbid every action; omit it to allow all");
		enum store_status status = store_credential_add(l->store, id, secret_id, secret_key, allow);
		if (status == STORE_EXISTS)
			return fail(l, at, "secret_id '%s' is used twice", secret_id);
		if (status != STORE_OK)
			return fail(l, at, "cannot store: %s", store_last_error(l->store));
	}
	return true;
}

static bool load_identities(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"domain", "verified", "dkim_option", NULL};
	bool ok = true;
	const cJSON *list = get_array(l, account, "identities", path, &ok);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[256];
		snprintf(at, sizeof(at), "%s.identities[%d]", path, i++);
		if (!check_keys(l, item, at, keys))
			return false;
		const char *domain = get_string(l, item, "domain", at, true, "", &ok);
		bool verified = get_bool(l, item, "verified", at, true, &ok);
		if (!ok)
			return false;
		if (!identity_domain_valid(domain))
			return fail(l, at, "'%s' is not a valid domain", domain);
		char key[512];
		identity_new_dkim_key(0, key, sizeof(key));
		struct store_identity row = {
			.domain = (char *)domain,
			.status = verified ? STORE_IDENTITY_VERIFIED : STORE_IDENTITY_PENDING,
			.tags = "[]",
			.dkim_key = key,
		};
		enum store_status status = store_identity_create(l->store, id, &row, l->now);
		if (status == STORE_EXISTS)
			return fail(l, at, "domain '%s' is listed twice", domain);
		if (status != STORE_OK)
			return fail(l, at, "cannot store: %s", store_last_error(l->store));
	}
	return true;
}

static bool load_senders(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"address", "name", "status", NULL};
	bool ok = true;
	const cJSON *list = get_array(l, account, "senders", path, &ok);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[256];
		snprintf(at, sizeof(at), "%s.senders[%d]", path, i++);
		if (!check_keys(l, item, at, keys))
			return false;
		const char *address = get_string(l, item, "address", at, true, "", &ok);
		const char *name = get_string(l, item, "name", at, false, "", &ok);
		const char *state = get_string(l, item, "status", at, false, "approved", &ok);
		if (!ok)
			return false;
		const char *at_sign = strrchr(address, '@');
		if (!at_sign || at_sign == address || !at_sign[1])
			return fail(l, at, "'%s' is not an email address", address);
		int status = strcmp(state, "approved") == 0   ? STORE_SENDER_APPROVED
			     : strcmp(state, "pending") == 0  ? STORE_SENDER_PENDING
			     : strcmp(state, "rejected") == 0 ? STORE_SENDER_REJECTED
							      : -1;
		if (status < 0)
			return fail(l, at, "status must be approved, pending or rejected");
		struct store_identity identity = {0};
		enum store_status found = store_identity_get(l->store, id, at_sign + 1, &identity);
		store_identity_finish(&identity);
		if (found == STORE_NOT_FOUND)
			return fail(l, at, "its domain '%s' is not among the account's identities", at_sign + 1);
		enum store_status stored =
			store_sender_create(l->store, id, address, name, at_sign + 1, status, l->now);
		if (stored == STORE_EXISTS)
			return fail(l, at, "address '%s' is listed twice", address);
		if (stored != STORE_OK)
			return fail(l, at, "cannot store: %s", store_last_error(l->store));
	}
	return true;
}

static bool load_templates(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"name", "html", "text", "status", NULL};
	bool ok = true;
	const cJSON *list = get_array(l, account, "templates", path, &ok);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[256];
		snprintf(at, sizeof(at), "%s.templates[%d]", path, i++);
		if (!check_keys(l, item, at, keys))
			return false;
		const char *name = get_string(l, item, "name", at, true, "", &ok);
		const char *html = get_string(l, item, "html", at, false, NULL, &ok);
		const char *text = get_string(l, item, "text", at, false, NULL, &ok);
		const char *state = get_string(l, item, "status", at, false, "approved", &ok);
		if (!ok)
			return false;
		if (!html && !text)
			return fail(l, at, "needs html, text or both");
		int status = strcmp(state, "approved") == 0   ? STORE_TEMPLATE_APPROVED
			     : strcmp(state, "pending") == 0  ? STORE_TEMPLATE_PENDING
			     : strcmp(state, "rejected") == 0 ? STORE_TEMPLATE_REJECTED
							      : -1;
		if (status < 0)
			return fail(l, at, "status must be approved, pending or rejected");
		struct store_template row = {
			.name = (char *)name, .html = (char *)html, .text = (char *)text, .status = status};
		int64_t template_id;
		if (store_template_create(l->store, id, &row, l->now, &template_id) != STORE_OK)
			return fail(l, at, "cannot store: %s", store_last_error(l->store));
	}
	return true;
}

/* One member of a fixture group; *keys holds the group's key set (owned by the caller). */
static bool load_member(struct loader *l, const cJSON *item, int64_t account, int64_t group, const char *at,
			char **keys)
{
	static const char *const member_keys[] = {"email", "data", NULL};
	bool ok = true;
	if (!check_keys(l, item, at, member_keys))
		return false;
	const char *email = get_string(l, item, "email", at, true, "", &ok);
	if (!ok)
		return false;
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(item, "data");
	char *text = NULL, *member_keys_text = NULL;
	if (data && (!cJSON_IsObject(data) || !receiver_data_plain(data)))
		return fail(l, at, "data must be an object of plain values (strings without HTML, numbers, booleans)");
	if (data && (!(text = cJSON_PrintUnformatted(data)) || !(member_keys_text = receiver_data_keys(data)))) {
		free(text);
		return fail(l, at, "out of memory");
	}
	const char *these = member_keys_text ? member_keys_text : "";
	if (*keys && strcmp(*keys, these) != 0)
		ok = fail(l, at, "every member of a group needs data with the same keys (or none)");
	if (ok && !*keys && !(*keys = strdup(these)))
		ok = fail(l, at, "out of memory");
	bool valid = address_valid(email);
	struct store_receiver_member row = {.email = (char *)email,
					    .template_data = text,
					    .status = valid ? STORE_MEMBER_VALID : STORE_MEMBER_INVALID,
					    .reason = valid ? "" : RECEIVER_INVALID_REASON,
					    .created = l->now};
	enum store_status status = ok ? store_receiver_add_member(l->store, account, group, &row, these) : STORE_OK;
	if (status == STORE_EXISTS)
		ok = fail(l, at, "address '%s' is listed twice in the group", email);
	else if (status != STORE_OK)
		ok = fail(l, at, "cannot store: %s", store_last_error(l->store));
	free(text);
	free(member_keys_text);
	return ok;
}

static bool load_group(struct loader *l, const cJSON *item, int64_t account, const char *at)
{
	static const char *const keys[] = {"name", "description", "members", NULL};
	bool ok = true;
	if (!check_keys(l, item, at, keys))
		return false;
	const char *name = get_string(l, item, "name", at, true, "", &ok);
	const char *description = get_string(l, item, "description", at, false, "", &ok);
	const cJSON *members = get_array(l, item, "members", at, &ok);
	if (!ok)
		return false;
	if (cJSON_GetArraySize(members) > 50000)
		return fail(l, at, "a group holds at most 50000 members");
	int64_t group = 0;
	enum store_status status = store_receiver_create(l->store, account, name, description, l->now, &group);
	if (status == STORE_EXISTS)
		return fail(l, at, "group name '%s' is used twice", name);
	if (status != STORE_OK ||
	    store_receiver_set_status(l->store, account, group, STORE_RECEIVER_UPLOADED) != STORE_OK)
		return fail(l, at, "cannot store: %s", store_last_error(l->store));
	char *group_keys = NULL;
	int i = 0;
	const cJSON *member;
	cJSON_ArrayForEach(member, members)
	{
		char member_at[300];
		snprintf(member_at, sizeof(member_at), "%.200s.members[%d]", at, i++);
		if (!(ok = load_member(l, member, account, group, member_at, &group_keys)))
			break;
	}
	free(group_keys);
	return ok;
}

static bool load_receivers(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	bool ok = true;
	const cJSON *list = get_array(l, account, "receivers", path, &ok);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[256];
		snprintf(at, sizeof(at), "%s.receivers[%d]", path, i++);
		if (!load_group(l, item, id, at))
			return false;
	}
	return ok;
}

static bool load_account(struct loader *l, const cJSON *account, const char *path)
{
	static const char *const keys[] = {"app_id",      "uin",          "suspended",         "enterprise_verified",
					   "daily_quota", "allow_simple", "allow_attachments", "credentials",
					   "identities",  "senders",      "templates",         "receivers",
					   NULL};
	if (!check_keys(l, account, path, keys))
		return false;
	const cJSON *app_id = cJSON_GetObjectItemCaseSensitive(account, "app_id");
	char at[256];
	snprintf(at, sizeof(at), "%s.app_id", path);
	if (!cJSON_IsNumber(app_id) || app_id->valuedouble < 1 || app_id->valuedouble > 9007199254740991.0 ||
	    app_id->valuedouble != (double)(int64_t)app_id->valuedouble)
		return fail(l, at, "must be a positive whole number");
	bool ok = true;
	struct store_account row = {.app_id = (uint64_t)app_id->valuedouble};
	const char *uin = get_string(l, account, "uin", path, true, "", &ok);
	row.suspended = get_bool(l, account, "suspended", path, false, &ok);
	row.enterprise_verified = get_bool(l, account, "enterprise_verified", path, true, &ok);
	row.allow_simple = get_bool(l, account, "allow_simple", path, false, &ok);
	row.allow_attachments = get_bool(l, account, "allow_attachments", path, true, &ok);
	if (!ok)
		return false;
	row.daily_quota = 500; /* a new account's documented quota */
	const cJSON *quota = cJSON_GetObjectItemCaseSensitive(account, "daily_quota");
	if (quota) {
		if (!cJSON_IsNumber(quota) || quota->valuedouble < 0 || quota->valuedouble > 1e12 ||
		    quota->valuedouble != (double)(int64_t)quota->valuedouble) {
			snprintf(at, sizeof(at), "%s.daily_quota", path);
			return fail(l, at, "must be a whole number from 0");
		}
		row.daily_quota = (int64_t)quota->valuedouble;
	}
	if (strlen(uin) >= sizeof(row.uin))
		return fail(l, path, "uin is too long");
	memcpy(row.uin, uin, strlen(uin) + 1);
	int64_t id;
	enum store_status status = store_account_create(l->store, &row, l->now, &id);
	if (status == STORE_EXISTS)
		return fail(l, at, "app_id %llu is used twice", (unsigned long long)row.app_id);
	if (status != STORE_OK)
		return fail(l, path, "cannot store: %s", store_last_error(l->store));
	return load_credentials(l, account, id, path) && load_identities(l, account, id, path) &&
	       load_senders(l, account, id, path) && load_templates(l, account, id, path) &&
	       load_receivers(l, account, id, path);
}

bool fixtures_load_text(struct store *store, const struct config *config, const char *text, const char *name, char *err,
			size_t err_size)
{
	struct loader l = {
		.store = store, .config = config, .name = name, .err = err, .err_size = err_size, .now = clock_now()};
	cJSON *root = cJSON_Parse(text);
	if (!root) {
		const char *where = cJSON_GetErrorPtr();
		long offset = where && where >= text ? (long)(where - text) : 0;
		snprintf(err, err_size, "fixture %s: not valid JSON (near byte %ld)", name, offset);
		return false;
	}
	static const char *const keys[] = {"accounts", NULL};
	bool ok = check_keys(&l, root, "$", keys);
	const cJSON *accounts = ok ? get_array(&l, root, "accounts", "$", &ok) : NULL;
	if (ok && !accounts)
		ok = fail(&l, "$.accounts", "is required");
	int i = 0;
	const cJSON *account;
	if (!ok)
		accounts = NULL;
	cJSON_ArrayForEach(account, accounts)
	{
		char path[64];
		snprintf(path, sizeof(path), "$.accounts[%d]", i++);
		if (!load_account(&l, account, path)) {
			ok = false;
			break;
		}
	}
	cJSON_Delete(root);
	return ok;
}

static char *read_file(const char *path, char *err, size_t err_size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, err_size, "cannot read fixture %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			if (cap >= 64u * 1024 * 1024) {
				snprintf(err, err_size, "cannot read fixture %s: larger than 64 MiB", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			char *grown = realloc(buf, cap * 2);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	bool failed = ferror(f) != 0;
	fclose(f);
	if (!buf || failed) {
		snprintf(err, err_size, "cannot read fixture %s: %s", path, buf ? "read error" : "out of memory");
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

bool fixtures_seed(struct store *store, const struct config *config, char *err, size_t err_size)
{
	const char *path = config->fixtures_path;
	if (strcmp(path, "none") == 0)
		return true;
	char *owned = NULL;
	const char *text = fixtures_default_json;
	const char *name = "fixtures/default.json (built in)";
	if (path[0]) {
		owned = read_file(path, err, err_size);
		if (!owned)
			return false;
		text = owned;
		name = path;
	}
	bool ok = false;
	int64_t accounts = 0;
	if (store_begin(store, true) != STORE_OK) {
		snprintf(err, err_size, "cannot write the database: %s", store_last_error(store));
		goto done;
	}
	if (store_account_count(store, &accounts) != STORE_OK) {
		snprintf(err, err_size, "cannot read the database: %s", store_last_error(store));
		store_rollback(store);
		goto done;
	}
	if (accounts > 0) {
		store_rollback(store); /* a store with data is never seeded twice */
		ok = true;
		goto done;
	}
	if (!fixtures_load_text(store, config, text, name, err, err_size)) {
		store_rollback(store);
		goto done;
	}
	if (store_commit(store) != STORE_OK) {
		snprintf(err, err_size, "cannot write the database: %s", store_last_error(store));
		goto done;
	}
	ok = true;
done:
	free(owned);
	return ok;
}
