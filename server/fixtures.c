/*
 * Fixture loading.
 *
 * Owns: reading the fixture file (or the built-in default) once, checking
 * its shape with the path of any offending field, seeding a new store in one
 * transaction, and replacing the whole store by a fixture (reset, POST
 * /_emulator/fixtures) in one transaction. Never: seeds a store that already
 * holds accounts at start, so a restart on the same --db never duplicates
 * anything; never adds to a store it did not empty first.
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
#include "../storage/store_blacklist.h"
#include "../storage/store_identity.h"
#include "../storage/store_message.h"
#include "../storage/store_receiver.h"
#include "../storage/store_sender.h"
#include "../storage/store_template.h"
#include "../storage/store_unsubscribe.h"
#include "api/address.h"
#include "api/identity.h"
#include "api/receiver.h"
#include "api/send.h"
#include "clock.h"

extern const char *const fixtures_default_json;

/* The IspDesc of a fixture bounce without a "reason" (the mailbox simulator's). */
#define FIXTURE_BOUNCE_REASON "550 5.1.1 The email account that you tried to reach does not exist."

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
	/* One line whatever the fixture holds: a key or value quoted in the
	 * message may contain control characters. */
	for (char *c = l->err; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return false;
}

/* A member that must be a string (non-empty when `required`). NULL with the error set. */
static const char *get_string(struct loader *l, const cJSON *obj, const char *key, const char *path, bool required,
			      const char *fallback, bool *ok)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	char at[256];
	snprintf(at, sizeof(at), "%.200s.%.40s", path, key);
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

/* A whole number from `min` to `max` at obj.key into *out; *out unchanged when absent. */
static bool get_int(struct loader *l, const cJSON *obj, const char *key, const char *path, int64_t min, int64_t max,
		    int64_t *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!item)
		return true;
	char at[256];
	snprintf(at, sizeof(at), "%s.%s", path, key);
	if (!cJSON_IsNumber(item) || item->valuedouble < (double)min || item->valuedouble > (double)max ||
	    item->valuedouble != (double)(int64_t)item->valuedouble)
		return fail(l, at, "must be a whole number from %lld to %lld", (long long)min, (long long)max);
	*out = (int64_t)item->valuedouble;
	return true;
}

/* One of `names` (NULL-terminated) at obj.key, as its index into *out; unchanged when absent. */
static bool get_choice(struct loader *l, const cJSON *obj, const char *key, const char *path, const char *const *names,
		       const char *usage, int *out)
{
	bool ok = true;
	const char *value = get_string(l, obj, key, path, false, NULL, &ok);
	if (!ok || !value)
		return ok;
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], value) == 0) {
			*out = i;
			return true;
		}
	}
	char at[256];
	snprintf(at, sizeof(at), "%s.%s", path, key);
	return fail(l, at, "must be %s", usage);
}

/* An identity's state: "verified" (a bool) or "status" (a name), not both. */
static bool identity_status(struct loader *l, const cJSON *item, const char *at, int *status)
{
	/* indexes are enum store_identity_status */
	static const char *const names[] = {"pending", "verified", "failed", NULL};
	bool ok = true;
	bool verified = get_bool(l, item, "verified", at, true, &ok);
	*status = verified ? STORE_IDENTITY_VERIFIED : STORE_IDENTITY_PENDING;
	if (!ok)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(item, "verified") && cJSON_GetObjectItemCaseSensitive(item, "status")) {
		char where[300];
		snprintf(where, sizeof(where), "%.250s.status", at);
		return fail(l, where, "give either verified or status, not both");
	}
	return get_choice(l, item, "status", at, names, "verified, pending or failed", status);
}

/* The most tags an identity has (CreateEmailIdentity's TagList limit). */
#define FIXTURE_MAX_TAGS 50

/* One tag {"key","value"} appended to `tags` as the API stores it; false with the error set. */
static bool add_tag(struct loader *l, const cJSON *tag, const char *where, cJSON *tags)
{
	static const char *const tag_keys[] = {"key", "value", NULL};
	bool ok = check_keys(l, tag, where, tag_keys);
	const char *key = ok ? get_string(l, tag, "key", where, false, NULL, &ok) : NULL;
	const char *value = ok ? get_string(l, tag, "value", where, false, "", &ok) : "";
	if (!ok)
		return false;
	if (!key) {
		char at[320];
		snprintf(at, sizeof(at), "%.300s.key", where);
		return fail(l, at, "is required");
	}
	cJSON *stored = cJSON_CreateObject();
	if (!cJSON_AddItemToArray(tags, stored) || !cJSON_AddStringToObject(stored, "TagKey", key) ||
	    !cJSON_AddStringToObject(stored, "TagValue", value))
		return fail(l, where, "out of memory");
	return true;
}

/*
 * An identity's tags [{"key","value"}] as the API stores its TagList
 * ([{"TagKey","TagValue"}], compact JSON, caller frees); "[]" when absent.
 * NULL with the error set.
 */
static char *identity_tags(struct loader *l, const cJSON *item, const char *at)
{
	bool ok = true;
	const cJSON *list = get_array(l, item, "tags", at, &ok);
	if (ok && cJSON_GetArraySize(list) > FIXTURE_MAX_TAGS)
		ok = fail(l, at, "an identity has at most %d tags", FIXTURE_MAX_TAGS);
	cJSON *tags = ok ? cJSON_CreateArray() : NULL;
	if (!ok)
		list = NULL;
	int i = 0;
	const cJSON *tag;
	cJSON_ArrayForEach(tag, list)
	{
		char where[300];
		snprintf(where, sizeof(where), "%.250s.tags[%d]", at, i++);
		if (!(ok = add_tag(l, tag, where, tags)))
			break;
	}
	char *text = ok && tags ? cJSON_PrintUnformatted(tags) : NULL;
	cJSON_Delete(tags);
	if (ok && !text)
		fail(l, at, "out of memory");
	return text;
}

static bool load_identities(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"domain", "verified", "status", "dkim_option", "tags", NULL};
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
		int status = STORE_IDENTITY_VERIFIED;
		int64_t dkim = 0;
		if (!ok || !identity_status(l, item, at, &status) || !get_int(l, item, "dkim_option", at, 0, 2, &dkim))
			return false;
		if (!identity_domain_valid(domain))
			return fail(l, at, "'%s' is not a valid domain", domain);
		char *tags = identity_tags(l, item, at);
		if (!tags)
			return false;
		char key[512];
		identity_new_dkim_key((int)dkim, key, sizeof(key));
		struct store_identity row = {
			.domain = (char *)domain,
			.dkim_option = (int)dkim,
			.status = status,
			.tags = tags,
			.dkim_key = key,
		};
		enum store_status stored = store_identity_create(l->store, id, &row, l->now);
		free(tags);
		if (stored == STORE_EXISTS)
			return fail(l, at, "domain '%s' is listed twice", domain);
		if (stored != STORE_OK)
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
		/* indexes are enum store_sender_status */
		static const char *const states[] = {"pending", "approved", "rejected", NULL};
		const char *address = get_string(l, item, "address", at, true, "", &ok);
		const char *name = get_string(l, item, "name", at, false, "", &ok);
		int status = STORE_SENDER_APPROVED;
		if (!ok || !get_choice(l, item, "status", at, states, "approved, pending or rejected", &status))
			return false;
		const char *at_sign = strrchr(address, '@');
		if (!at_sign || at_sign == address || !at_sign[1])
			return fail(l, at, "'%s' is not an email address", address);
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
	static const char *const keys[] = {"id", "name", "html", "text", "status", "review_reason", NULL};
	/* indexes are enum store_template_status */
	static const char *const states[] = {"approved", "pending", "rejected", NULL};
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
		const char *reason = get_string(l, item, "review_reason", at, false, "", &ok);
		int status = STORE_TEMPLATE_APPROVED;
		int64_t wanted = 0;
		if (!ok || !get_choice(l, item, "status", at, states, "approved, pending or rejected", &status) ||
		    !get_int(l, item, "id", at, 1, 4294967295LL, &wanted))
			return false;
		if (!html && !text)
			return fail(l, at, "needs html, text or both");
		struct store_template row = {.id = wanted,
					     .name = (char *)name,
					     .html = (char *)html,
					     .text = (char *)text,
					     .status = status,
					     .review_reason = (char *)reason};
		int64_t template_id;
		enum store_status stored = store_template_create(l->store, id, &row, l->now, &template_id);
		if (stored == STORE_EXISTS)
			return fail(l, at, "template id %lld is used twice", (long long)wanted);
		if (stored != STORE_OK)
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
	static const char *const keys[] = {"id", "name", "description", "members", NULL};
	bool ok = true;
	if (!check_keys(l, item, at, keys))
		return false;
	const char *name = get_string(l, item, "name", at, true, "", &ok);
	const char *description = get_string(l, item, "description", at, false, "", &ok);
	const cJSON *members = get_array(l, item, "members", at, &ok);
	int64_t group = 0;
	if (!ok || !get_int(l, item, "id", at, 1, 4294967295LL, &group))
		return false;
	if (cJSON_GetArraySize(members) > 50000)
		return fail(l, at, "a group holds at most 50000 members");
	enum store_status status =
		group ? store_receiver_create_with_id(l->store, account, group, name, description, l->now)
		      : store_receiver_create(l->store, account, name, description, l->now, &group);
	if (status == STORE_EXISTS)
		return fail(l, at, "group name '%s' or id %lld is used twice", name, (long long)group);
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

/* blacklist[]: the custom blacklist; an expire_date in the past seeds an expired entry. */
static bool load_blacklist(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"email", "expire_date", NULL};
	bool ok = true;
	const cJSON *list = get_array(l, account, "blacklist", path, &ok);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[256], date[16] = "";
		snprintf(at, sizeof(at), "%s.blacklist[%d]", path, i++);
		if (!check_keys(l, item, at, keys))
			return false;
		const char *email = get_string(l, item, "email", at, true, "", &ok);
		const char *expire = get_string(l, item, "expire_date", at, false, "", &ok);
		int64_t day;
		if (!ok)
			return false;
		if (!address_valid(email))
			return fail(l, at, "'%s' is not an email address", email);
		if (expire[0] && !clock_parse_date(expire, &day))
			return fail(l, at, "expire_date must be a date \"YYYY-MM-DD\"");
		if (expire[0])
			clock_format_day(day, date, sizeof(date));
		enum store_status status = store_blacklist_add(l->store, id, email, date, l->now, NULL);
		if (status == STORE_EXISTS)
			return fail(l, at, "address '%s' is listed twice", email);
		if (status != STORE_OK)
			return fail(l, at, "cannot store: %s", store_last_error(l->store));
	}
	return true;
}

/* bounces[]: the bounce blacklist, as if earlier mail had hard-bounced. */
static bool load_bounces(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"email", "bounce_time", "reason", NULL};
	bool ok = true;
	const cJSON *list = get_array(l, account, "bounces", path, &ok);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[256];
		snprintf(at, sizeof(at), "%s.bounces[%d]", path, i++);
		if (!check_keys(l, item, at, keys))
			return false;
		const char *email = get_string(l, item, "email", at, true, "", &ok);
		const char *time = get_string(l, item, "bounce_time", at, false, "", &ok);
		const char *reason = get_string(l, item, "reason", at, false, FIXTURE_BOUNCE_REASON, &ok);
		int64_t when = l->now;
		if (!ok)
			return false;
		if (!address_valid(email))
			return fail(l, at, "'%s' is not an email address", email);
		if (time[0] && !clock_parse_datetime(time, &when))
			return fail(l, at, "bounce_time must be \"YYYY-MM-DD HH:MM:SS\" (China Standard Time)");
		if (store_bounce_add(l->store, id, email, when, 0, "", reason) != STORE_OK)
			return fail(l, at, "cannot store: %s", store_last_error(l->store));
	}
	return true;
}

/* unsubscribe_configs[]: address-level unsubscribe settings of the account's senders. */
static bool load_unsubscribe_configs(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	static const char *const keys[] = {"address", "unsubscribe_config", "status", NULL};
	bool ok = true;
	const cJSON *list = get_array(l, account, "unsubscribe_configs", path, &ok);
	int i = 0;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[256], code[8];
		snprintf(at, sizeof(at), "%s.unsubscribe_configs[%d]", path, i++);
		if (!check_keys(l, item, at, keys))
			return false;
		const char *address = get_string(l, item, "address", at, true, "", &ok);
		const char *config = get_string(l, item, "unsubscribe_config", at, true, "", &ok);
		const cJSON *status = cJSON_GetObjectItemCaseSensitive(item, "status");
		int language = 0;
		if (!ok)
			return false;
		if (!send_unsubscribe_code(config, &language))
			return fail(l, at, "unsubscribe_config must be a language code \"0\" to \"12\"");
		if (status && !(cJSON_IsNumber(status) && (status->valuedouble == 0 || status->valuedouble == 1)))
			return fail(l, at, "status must be 0 (off) or 1 (on)");
		struct store_sender sender = {0};
		enum store_status found = store_sender_get(l->store, id, address, &sender);
		store_sender_finish(&sender);
		if (found == STORE_NOT_FOUND)
			return fail(l, at, "'%s' is not among the account's senders", address);
		snprintf(code, sizeof(code), "%d", language);
		if (found != STORE_OK ||
		    store_unsubscribe_config_put(l->store, id, address, code, status ? (int)status->valuedouble : 1,
						 l->now) != STORE_OK)
			return fail(l, at, "cannot store: %s", store_last_error(l->store));
	}
	return true;
}

/* The account's suppression lists and unsubscribe settings (after its senders). */
static bool load_suppression(struct loader *l, const cJSON *account, int64_t id, const char *path)
{
	return load_blacklist(l, account, id, path) && load_bounces(l, account, id, path) &&
	       load_unsubscribe_configs(l, account, id, path);
}

static bool load_account(struct loader *l, const cJSON *account, const char *path)
{
	static const char *const keys[] = {"app_id",      "uin",          "suspended",           "enterprise_verified",
					   "daily_quota", "allow_simple", "allow_attachments",   "credentials",
					   "identities",  "senders",      "templates",           "receivers",
					   "blacklist",   "bounces",      "unsubscribe_configs", NULL};
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
	       load_receivers(l, account, id, path) && load_suppression(l, account, id, path);
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
	/* "$schema" lets an editor find fixtures/schema.json; the loader ignores it */
	static const char *const keys[] = {"$schema", "accounts", NULL};
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

bool fixtures_source_init(struct fixtures_source *source, const struct config *config, char *err, size_t err_size)
{
	*source = (struct fixtures_source){0};
	pthread_mutex_init(&source->lock, NULL);
	const char *path = config->fixtures_path;
	if (strcmp(path, "none") == 0)
		return true;
	source->text = path[0] ? read_file(path, err, err_size) : strdup(fixtures_default_json);
	if (!source->text) {
		if (!path[0])
			snprintf(err, err_size, "out of memory");
		return false;
	}
	snprintf(source->name, sizeof(source->name), "%.280s", path[0] ? path : "fixtures/default.json (built in)");
	return true;
}

void fixtures_source_finish(struct fixtures_source *source)
{
	if (!source)
		return;
	free(source->text);
	source->text = NULL;
	pthread_mutex_destroy(&source->lock);
}

bool fixtures_seed(struct store *store, const struct config *config, struct fixtures_source *source, char *err,
		   size_t err_size)
{
	if (!source->text)
		return true;
	int64_t accounts = 0;
	if (store_begin(store, true) != STORE_OK) {
		snprintf(err, err_size, "cannot write the database: %s", store_last_error(store));
		return false;
	}
	if (store_account_count(store, &accounts) != STORE_OK) {
		snprintf(err, err_size, "cannot read the database: %s", store_last_error(store));
		store_rollback(store);
		return false;
	}
	if (accounts > 0) {
		store_rollback(store); /* a store with data is never seeded twice */
		return true;
	}
	if (!fixtures_load_text(store, config, source->text, source->name, err, err_size)) {
		store_rollback(store);
		return false;
	}
	if (store_commit(store) != STORE_OK) {
		snprintf(err, err_size, "cannot write the database: %s", store_last_error(store));
		return false;
	}
	return true;
}

/* Wipe and load `text` (NULL: nothing) in one unit of work; the caller holds source->lock. */
static enum fixtures_status replace(struct store *store, const struct config *config, const char *text,
				    const char *name, int64_t *accounts, char *err, size_t err_size)
{
	if (store_begin(store, true) != STORE_OK) {
		snprintf(err, err_size, "cannot write the database: %s", store_last_error(store));
		return FIXTURES_STORE_ERROR;
	}
	if (store_wipe(store) != STORE_OK) {
		snprintf(err, err_size, "cannot empty the database: %s", store_last_error(store));
		store_rollback(store);
		return FIXTURES_STORE_ERROR;
	}
	if (text && !fixtures_load_text(store, config, text, name, err, err_size)) {
		store_rollback(store);
		return FIXTURES_INVALID;
	}
	if (store_account_count(store, accounts) != STORE_OK) {
		snprintf(err, err_size, "cannot read the database: %s", store_last_error(store));
		store_rollback(store);
		return FIXTURES_STORE_ERROR;
	}
	if (store_commit(store) != STORE_OK) {
		snprintf(err, err_size, "cannot write the database: %s", store_last_error(store));
		return FIXTURES_STORE_ERROR;
	}
	return FIXTURES_OK;
}

enum fixtures_status fixtures_reset(struct store *store, const struct config *config, struct fixtures_source *source,
				    int64_t *accounts, char *err, size_t err_size)
{
	pthread_mutex_lock(&source->lock);
	enum fixtures_status status = replace(store, config, source->text, source->name, accounts, err, err_size);
	pthread_mutex_unlock(&source->lock);
	return status;
}

enum fixtures_status fixtures_load(struct store *store, const struct config *config, struct fixtures_source *source,
				   const char *text, size_t len, const char *name, int64_t *accounts, char *err,
				   size_t err_size)
{
	char *copy = malloc(len + 1);
	if (!copy) {
		snprintf(err, err_size, "out of memory");
		return FIXTURES_STORE_ERROR;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (strlen(copy) != len) {
		free(copy);
		snprintf(err, err_size, "fixture %s: not valid JSON (a NUL byte)", name);
		return FIXTURES_INVALID;
	}
	pthread_mutex_lock(&source->lock);
	enum fixtures_status status = replace(store, config, copy, name, accounts, err, err_size);
	if (status == FIXTURES_OK) {
		free(source->text);
		source->text = copy; /* later resets return here */
		copy = NULL;
		snprintf(source->name, sizeof(source->name), "%s", name);
	}
	pthread_mutex_unlock(&source->lock);
	free(copy);
	return status;
}
