/*
 * POST /_emulator/review: the review decision the real service's staff
 * would take, for --review manual (it works with --review auto too).
 *
 *   {"kind": "template", "id": 12, "decision": "approve" | "reject", "reason": "...", "app_id": N}
 *   {"kind": "identity" | "sender", "name": "example.com" | "a@example.com", "decision": ...}
 *
 * Owns: the request rules and the answer. A template becomes approved
 * (TemplateStatus 0) or rejected (2, with the reason as its ReviewReason);
 * a sending domain verified or failed; a sender address approved or
 * rejected. Without app_id the first account (the smallest row id) is
 * meant. Never: changes anything but the one row's status (and reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_account.h"
#include "../../storage/store_identity.h"
#include "../../storage/store_sender.h"
#include "../../storage/store_template.h"
#include "../clock.h"
#include "../http.h"
#include "control.h"
#include "routes.h"

/* The longest ReviewReason kept (bytes). */
#define REVIEW_REASON_MAX 1000
#define REVIEW_NAME_MAX 320

enum review_kind { REVIEW_TEMPLATE, REVIEW_IDENTITY, REVIEW_SENDER };

/* One parsed request. */
struct review {
	enum review_kind kind;
	int64_t id;                         /* the template's id (REVIEW_TEMPLATE) */
	char name[REVIEW_NAME_MAX + 1];     /* the domain or the address (the others) */
	bool approve;                       /* the decision */
	char reason[REVIEW_REASON_MAX + 1]; /* "" when none */
	uint64_t app_id;                    /* 0: the first account */
};

static const char usage[] = "the body must be a JSON object {\"kind\":\"template|identity|sender\", \"id\" "
			    "(template) or \"name\" (identity, sender), \"decision\":\"approve|reject\", "
			    "optional \"reason\" and \"app_id\"}";

/* A whole number from 1 to 2^53 - 1; false otherwise. */
static bool positive_number(const cJSON *item, uint64_t *out)
{
	if (!cJSON_IsNumber(item) || item->valuedouble < 1 || item->valuedouble > 9007199254740991.0 ||
	    item->valuedouble != (double)(uint64_t)item->valuedouble)
		return false;
	*out = (uint64_t)item->valuedouble;
	return true;
}

/* Copy a string member into out (size bytes); false when not a string or too long. */
static bool copy_string(const cJSON *item, char *out, size_t size, bool non_empty)
{
	if (!cJSON_IsString(item) || strlen(item->valuestring) >= size || (non_empty && !item->valuestring[0]))
		return false;
	memcpy(out, item->valuestring, strlen(item->valuestring) + 1);
	return true;
}

static bool refuse(struct http_response *resp, const char *message)
{
	control_reply_error(resp, 400, message);
	return false;
}

/* The first member not in the request's vocabulary; false with the 400 given. */
static bool known_members(const cJSON *body, struct http_response *resp)
{
	static const char *const known[] = {"kind", "id", "name", "decision", "reason", "app_id", NULL};
	const cJSON *item;
	cJSON_ArrayForEach(item, body)
	{
		bool found = false;
		for (const char *const *k = known; *k && !found; k++)
			found = strcmp(*k, item->string) == 0;
		if (!found) {
			char message[160];
			snprintf(message, sizeof(message),
				 "unknown member \"%.60s\"; use kind, id, name, decision, "
				 "reason, app_id",
				 item->string);
			return refuse(resp, message);
		}
	}
	return true;
}

static bool read_kind(const cJSON *body, struct review *r, struct http_response *resp)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(body, "kind");
	const char *text = cJSON_IsString(kind) ? kind->valuestring : "";
	if (strcmp(text, "template") == 0)
		r->kind = REVIEW_TEMPLATE;
	else if (strcmp(text, "identity") == 0)
		r->kind = REVIEW_IDENTITY;
	else if (strcmp(text, "sender") == 0)
		r->kind = REVIEW_SENDER;
	else
		return refuse(resp, "\"kind\" must be \"template\", \"identity\" or \"sender\"");
	return true;
}

/* "id" for a template, "name" for the others, never both. */
static bool read_target(const cJSON *body, struct review *r, struct http_response *resp)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "name");
	if (r->kind == REVIEW_TEMPLATE) {
		uint64_t value = 0;
		if (name)
			return refuse(resp, "a template is named by \"id\", not \"name\"");
		if (!positive_number(id, &value))
			return refuse(resp, "\"id\" must be the template's id, a whole number from 1");
		r->id = (int64_t)value;
		return true;
	}
	if (id)
		return refuse(resp, "a sending domain or sender address is named by \"name\", not \"id\"");
	if (!copy_string(name, r->name, sizeof(r->name), true))
		return refuse(resp, r->kind == REVIEW_IDENTITY ? "\"name\" must be the sending domain, a string"
							       : "\"name\" must be the sender address, a string");
	return true;
}

static bool read_decision(const cJSON *body, struct review *r, struct http_response *resp)
{
	const cJSON *decision = cJSON_GetObjectItemCaseSensitive(body, "decision");
	const char *text = cJSON_IsString(decision) ? decision->valuestring : "";
	if (strcmp(text, "approve") != 0 && strcmp(text, "reject") != 0)
		return refuse(resp, "\"decision\" must be \"approve\" or \"reject\"");
	r->approve = strcmp(text, "approve") == 0;
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(body, "reason");
	if (reason && !copy_string(reason, r->reason, sizeof(r->reason), false))
		return refuse(resp, "\"reason\" must be a string of at most 1000 bytes");
	if (reason && r->approve && r->reason[0])
		return refuse(resp, "\"reason\" goes with \"decision\":\"reject\"");
	const cJSON *app_id = cJSON_GetObjectItemCaseSensitive(body, "app_id");
	if (app_id && !positive_number(app_id, &r->app_id))
		return refuse(resp, "\"app_id\" must be a whole number from 1");
	return true;
}

static bool parse(const struct http_request *http, struct review *r, struct http_response *resp)
{
	size_t len = 0;
	const char *text = http_request_body(http, &len);
	cJSON *body = text && len ? cJSON_ParseWithLength(text, len) : NULL;
	bool ok = cJSON_IsObject(body) ? known_members(body, resp) && read_kind(body, r, resp) &&
						 read_target(body, r, resp) && read_decision(body, r, resp)
				       : refuse(resp, usage);
	cJSON_Delete(body);
	return ok;
}

/* The account meant; false with the 404 or 500 answer given. */
static bool find_account(const struct control_env *env, const struct review *r, struct store_account *account,
			 struct http_response *resp)
{
	enum store_status status = r->app_id ? store_account_by_app_id(env->store, r->app_id, account)
					     : store_account_first(env->store, account);
	if (status == STORE_OK)
		return true;
	char message[96];
	if (status != STORE_NOT_FOUND)
		snprintf(message, sizeof(message), "cannot read the store");
	else if (r->app_id)
		snprintf(message, sizeof(message), "no account has app_id %llu", (unsigned long long)r->app_id);
	else
		snprintf(message, sizeof(message), "the emulator has no account");
	control_reply_error(resp, status == STORE_NOT_FOUND ? 404 : 500, message);
	return false;
}

/* The answer's common part: kind, account, status name. */
static cJSON *answer(const char *kind, const struct store_account *account, const char *status)
{
	cJSON *body = cJSON_CreateObject();
	if (body && (!cJSON_AddStringToObject(body, "kind", kind) ||
		     !cJSON_AddNumberToObject(body, "app_id", (double)account->app_id) ||
		     !cJSON_AddStringToObject(body, "status", status))) {
		cJSON_Delete(body);
		return NULL;
	}
	return body;
}

static enum store_status review_template(const struct control_env *env, const struct review *r,
					 const struct store_account *account, cJSON **out)
{
	int status = r->approve ? STORE_TEMPLATE_APPROVED : STORE_TEMPLATE_REJECTED;
	enum store_status result =
		store_template_review(env->store, account->id, r->id, status, r->approve ? "" : r->reason, clock_now());
	struct store_template row = {0};
	if (result == STORE_OK)
		result = store_template_get(env->store, account->id, r->id, &row);
	if (result != STORE_OK)
		return result;
	*out = answer("template", account, r->approve ? "approved" : "rejected");
	if (*out &&
	    (!cJSON_AddNumberToObject(*out, "id", (double)row.id) || !cJSON_AddStringToObject(*out, "name", row.name) ||
	     !cJSON_AddNumberToObject(*out, "template_status", row.status) ||
	     !cJSON_AddStringToObject(*out, "review_reason", row.review_reason))) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	store_template_finish(&row);
	return STORE_OK;
}

static enum store_status review_identity(const struct control_env *env, const struct review *r,
					 const struct store_account *account, cJSON **out)
{
	struct store_identity row = {0};
	enum store_status result = store_identity_get(env->store, account->id, r->name, &row);
	if (result == STORE_OK)
		result = store_identity_set_status(env->store, account->id, row.domain,
						   r->approve ? STORE_IDENTITY_VERIFIED : STORE_IDENTITY_FAILED);
	if (result == STORE_OK) {
		*out = answer("identity", account, r->approve ? "verified" : "failed");
		if (*out && !cJSON_AddStringToObject(*out, "name", row.domain)) {
			cJSON_Delete(*out);
			*out = NULL;
		}
	}
	store_identity_finish(&row);
	return result;
}

static enum store_status review_sender(const struct control_env *env, const struct review *r,
				       const struct store_account *account, cJSON **out)
{
	struct store_sender row = {0};
	enum store_status result = store_sender_get(env->store, account->id, r->name, &row);
	if (result == STORE_OK)
		result = store_sender_set_status(env->store, account->id, row.address,
						 r->approve ? STORE_SENDER_APPROVED : STORE_SENDER_REJECTED);
	if (result == STORE_OK) {
		*out = answer("sender", account, r->approve ? "approved" : "rejected");
		if (*out && !cJSON_AddStringToObject(*out, "name", row.address)) {
			cJSON_Delete(*out);
			*out = NULL;
		}
	}
	store_sender_finish(&row);
	return result;
}

static void reply_not_found(const struct review *r, const struct store_account *account, struct http_response *resp)
{
	static const char *const what[] = {"template", "sending domain", "sender address"};
	char message[REVIEW_NAME_MAX + 120];
	if (r->kind == REVIEW_TEMPLATE)
		snprintf(message, sizeof(message), "account %llu has no template with id %lld",
			 (unsigned long long)account->app_id, (long long)r->id);
	else
		snprintf(message, sizeof(message), "account %llu has no %s \"%s\"", (unsigned long long)account->app_id,
			 what[r->kind], r->name);
	control_reply_error(resp, 404, message);
}

/* Find the account and decide, in one unit of work; answers in every case. */
static void decide(const struct control_env *env, const struct review *r, struct http_response *resp)
{
	if (store_begin(env->store, true) != STORE_OK)
		return control_reply_error(resp, 500, "the store is not available");
	struct store_account account = {0};
	if (!find_account(env, r, &account, resp))
		return store_rollback(env->store);
	cJSON *body = NULL;
	enum store_status status = r->kind == REVIEW_TEMPLATE   ? review_template(env, r, &account, &body)
				   : r->kind == REVIEW_IDENTITY ? review_identity(env, r, &account, &body)
								: review_sender(env, r, &account, &body);
	if (status != STORE_OK) {
		store_rollback(env->store);
		if (status == STORE_NOT_FOUND)
			return reply_not_found(r, &account, resp);
		return control_reply_error(resp, 500, "cannot write the store");
	}
	if (store_commit(env->store) != STORE_OK) {
		cJSON_Delete(body);
		return control_reply_error(resp, 500, "cannot write the store");
	}
	control_reply_json(resp, 200, body);
}

void control_review_handle(const struct control_env *env, const struct http_request *http, struct http_response *resp)
{
	if (strcmp(http_request_method(http), "POST") != 0)
		return control_reply_error(resp, 405, "use POST for /_emulator/review");
	struct review r = {0};
	if (!parse(http, &r, resp))
		return;
	decide(env, &r, resp);
}
