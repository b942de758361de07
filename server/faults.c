/*
 * Fault rules and rate windows.
 *
 * Owns: the rule list (at most FAULTS_MAX_RULES), their counters, and the
 * per-(account, action) one-second windows of --rate-limit documented.
 * Never: answers a request itself; dispatch applies a decision.
 *
 * Rate limiting uses fixed one-second windows of real time: the documented
 * limits are "N requests per second" without a window definition (SPEC.md
 * §5), and a fixed window is the simplest rule a test can predict.
 */
#include "faults.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

struct rule {
	int id;
	char action[64]; /* "*" for every action */
	uint64_t app_id; /* 0: every account */
	char code[96];
	char message[256];
	long count; /* firings left; -1 unlimited */
	double probability;
	unsigned delay_ms;
	bool drop;
	unsigned http_status;
	long fired;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct rule rules[FAULTS_MAX_RULES];
static size_t rule_count;
static int next_id = 1;

static bool read_string(const cJSON *json, const char *key, char *out, size_t size, bool *present)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
	*present = item != NULL;
	if (!item)
		return true;
	if (!cJSON_IsString(item) || strlen(item->valuestring) >= size)
		return false;
	memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
	return true;
}

static bool read_number(const cJSON *json, const char *key, double min, double max, double *out)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
	if (!item)
		return true;
	if (!cJSON_IsNumber(item) || !(item->valuedouble >= min && item->valuedouble <= max))
		return false;
	*out = item->valuedouble;
	return true;
}

static bool known_keys(const cJSON *json, char *err, size_t err_size)
{
	static const char *const keys[] = {"action",   "code",   "message", "count",       "probability",
					   "delay_ms", "app_id", "drop",    "http_status", NULL};
	const cJSON *item;
	cJSON_ArrayForEach(item, json)
	{
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			known |= strcmp(*k, item->string) == 0;
		if (!known) {
			snprintf(err, err_size, "unknown key \"%.60s\"", item->string);
			return false;
		}
	}
	return true;
}

static cJSON *rule_json(const struct rule *r)
{
	cJSON *json = cJSON_CreateObject();
	if (!json)
		return NULL;
	cJSON_AddNumberToObject(json, "id", r->id);
	cJSON_AddStringToObject(json, "action", r->action);
	if (r->app_id)
		cJSON_AddNumberToObject(json, "app_id", (double)r->app_id);
	else
		cJSON_AddNullToObject(json, "app_id");
	if (r->code[0])
		cJSON_AddStringToObject(json, "code", r->code);
	if (r->message[0])
		cJSON_AddStringToObject(json, "message", r->message);
	if (r->count >= 0)
		cJSON_AddNumberToObject(json, "count", (double)r->count);
	else
		cJSON_AddNullToObject(json, "count");
	cJSON_AddNumberToObject(json, "probability", r->probability);
	cJSON_AddNumberToObject(json, "delay_ms", r->delay_ms);
	cJSON_AddBoolToObject(json, "drop", r->drop);
	if (r->http_status)
		cJSON_AddNumberToObject(json, "http_status", r->http_status);
	cJSON_AddNumberToObject(json, "fired", (double)r->fired);
	return json;
}

/* The string members of a rule; false with `err` set. */
static bool parse_strings(const cJSON *json, bool (*valid_code)(const char *), struct rule *r, char *err,
			  size_t err_size)
{
	bool present;
	if (!read_string(json, "action", r->action, sizeof(r->action), &present) || !present || !r->action[0])
		return snprintf(err, err_size, "\"action\" must name an API action or be \"*\""), false;
	if (!read_string(json, "code", r->code, sizeof(r->code), &present) || (present && !valid_code(r->code)))
		return snprintf(err, err_size, "\"code\" must be an error code of the catalogue"), false;
	if (!read_string(json, "message", r->message, sizeof(r->message), &present))
		return snprintf(err, err_size, "\"message\" must be a string under 256 bytes"), false;
	return true;
}

/* The numeric members of a rule; false with `err` set. */
static bool parse_numbers(const cJSON *json, struct rule *r, char *err, size_t err_size)
{
	double count = -1, probability = 1, delay = 0, app_id = 0, status = 0;
	if (!read_number(json, "count", 1, 1e9, &count) || (count >= 0 && floor(count) != count))
		return snprintf(err, err_size, "\"count\" must be a whole number from 1"), false;
	if (!read_number(json, "probability", 0, 1, &probability))
		return snprintf(err, err_size, "\"probability\" must be a number from 0 to 1"), false;
	if (!read_number(json, "delay_ms", 0, 60000, &delay) || floor(delay) != delay)
		return snprintf(err, err_size, "\"delay_ms\" must be a whole number from 0 to 60000"), false;
	if (!read_number(json, "app_id", 1, 9007199254740991.0, &app_id) || floor(app_id) != app_id)
		return snprintf(err, err_size, "\"app_id\" must be a positive whole number"), false;
	if (!read_number(json, "http_status", 500, 599, &status) || floor(status) != status)
		return snprintf(err, err_size, "\"http_status\" must be a whole number from 500 to 599"), false;
	r->count = (long)count;
	r->probability = probability;
	r->delay_ms = (unsigned)delay;
	r->app_id = (uint64_t)app_id;
	r->http_status = (unsigned)status;
	return true;
}

/* Parse a rule; false with `err` set. */
static bool parse_rule(const cJSON *json, bool (*valid_code)(const char *), struct rule *r, char *err, size_t err_size)
{
	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(json))
		return snprintf(err, err_size, "the rule must be a JSON object"), false;
	if (!known_keys(json, err, err_size) || !parse_strings(json, valid_code, r, err, err_size) ||
	    !parse_numbers(json, r, err, err_size))
		return false;
	const cJSON *drop = cJSON_GetObjectItemCaseSensitive(json, "drop");
	if (drop && !cJSON_IsBool(drop))
		return snprintf(err, err_size, "\"drop\" must be true or false"), false;
	r->drop = cJSON_IsTrue(drop);
	if (!r->code[0] && !r->drop && !r->http_status && !r->delay_ms)
		return snprintf(err, err_size, "a rule needs \"code\", \"drop\", \"http_status\" or \"delay_ms\""),
		       false;
	if ((r->code[0] != 0) + r->drop + (r->http_status != 0) > 1)
		return snprintf(err, err_size, "\"code\", \"drop\" and \"http_status\" exclude each other"), false;
	return true;
}

bool faults_add(const cJSON *json, bool (*valid_code)(const char *), cJSON **rule, char *err, size_t err_size)
{
	struct rule r;
	if (!parse_rule(json, valid_code, &r, err, err_size))
		return false;
	pthread_mutex_lock(&lock);
	if (rule_count == FAULTS_MAX_RULES) {
		pthread_mutex_unlock(&lock);
		snprintf(err, err_size, "at most %d rules; DELETE /_emulator/faults clears them", FAULTS_MAX_RULES);
		return false;
	}
	r.id = next_id++;
	rules[rule_count++] = r;
	*rule = rule_json(&r);
	pthread_mutex_unlock(&lock);
	return true;
}

cJSON *faults_list(void)
{
	cJSON *list = cJSON_CreateArray();
	pthread_mutex_lock(&lock);
	for (size_t i = 0; list && i < rule_count; i++)
		cJSON_AddItemToArray(list, rule_json(&rules[i]));
	pthread_mutex_unlock(&lock);
	return list;
}

void faults_clear_ids(const cJSON *list)
{
	const cJSON *item;
	pthread_mutex_lock(&lock);
	cJSON_ArrayForEach(item, list)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");
		for (size_t i = 0; cJSON_IsNumber(id) && i < rule_count; i++) {
			if (rules[i].id == id->valueint) {
				memmove(&rules[i], &rules[i + 1], (rule_count - i - 1) * sizeof(rules[0]));
				rule_count--;
				break;
			}
		}
	}
	pthread_mutex_unlock(&lock);
}

size_t faults_clear(void)
{
	pthread_mutex_lock(&lock);
	size_t n = rule_count;
	rule_count = 0;
	pthread_mutex_unlock(&lock);
	return n;
}

static double draw(void)
{
	uint32_t v;
	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		return 0;
	return (double)v / 4294967296.0;
}

void faults_decide(const char *action, uint64_t app_id, struct faults_decision *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < rule_count; i++) {
		struct rule *r = &rules[i];
		if ((strcmp(r->action, "*") != 0 && strcmp(r->action, action) != 0) ||
		    (r->app_id && r->app_id != app_id) || r->count == 0)
			continue;
		if (r->probability < 1 && draw() >= r->probability)
			continue;
		if (r->count > 0)
			r->count--;
		r->fired++;
		out->matched = true;
		out->delay_ms = r->delay_ms;
		out->drop = r->drop;
		out->http_status = r->http_status;
		memcpy(out->code, r->code, sizeof(out->code));
		memcpy(out->message, r->message, sizeof(out->message));
		break;
	}
	pthread_mutex_unlock(&lock);
}

/* Rate windows: open addressing on (account, action). */
#define RATE_SLOTS 4096

struct window {
	int64_t account;
	unsigned action;
	int64_t second;
	unsigned used;
	bool taken;
};

static struct window windows[RATE_SLOTS];

bool faults_rate_allow(int64_t account, unsigned action_index, unsigned per_second)
{
	if (per_second == 0)
		return true;
	int64_t now = (int64_t)time(NULL);
	uint64_t hash = ((uint64_t)account * 0x9E3779B97F4A7C15ull) ^ (action_index * 0xC2B2AE3D27D4EB4Full);
	bool allowed = true;
	pthread_mutex_lock(&lock);
	for (size_t probe = 0; probe < RATE_SLOTS; probe++) {
		struct window *w = &windows[(hash + probe) % RATE_SLOTS];
		if (w->taken && (w->account != account || w->action != action_index))
			continue;
		if (!w->taken || w->second != now) {
			*w = (struct window){account, action_index, now, 0, true};
		}
		allowed = w->used < per_second;
		if (allowed)
			w->used++;
		break;
	}
	pthread_mutex_unlock(&lock);
	return allowed;
}
