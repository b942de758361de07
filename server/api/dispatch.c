/*
 * The API road.
 *
 * Owns: the order of checks every call passes (documented in
 * docs/protocol.md), the RequestId, the error message text (catalogue +
 * the offending parameter), the one transaction a handler runs in, and the
 * {"Response": ...} envelope, and the record of every answered call (its
 * action, result code and latency, counted in the metrics and written to the
 * request log). Handlers only fill their output or record an error; nothing
 * else writes the envelope.
 * Never: parses the wire format (protocol.c) or computes signatures (auth.c).
 *
 * A call with a store job (SendEmail) runs it at once when nobody is
 * running the store's queue (store_run_if_free). Otherwise it is set
 * aside while the job waits, when http allows it (not a detached request,
 * not while stopping, not past HTTP_DEFER_MAX), and answered, counted and
 * logged when the store tells it; else it waits on its thread.
 *
 * Order: method and size → language → Action (ActionOffline, InvalidAction)
 * → Version → Region → signature and credential → CAM allow list →
 * suspended account (the actions documented with OperationDenied) →
 * parameters (Unknown, Invalid, Missing) → handler.
 */
#include "dispatch.h"

#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../storage/store.h"
#include "../../storage/store_account.h"
#include "../clock.h"
#include "../config.h"
#include "../faults.h"
#include "../http.h"
#include "../metrics.h"
#include "../random.h"
#include "../request_log.h"
#include "api.h"
#include "auth.h"
#include "protocol.h"
#include "validate.h"

#define API_VERSION "2020-10-02"

/* Actions that existed in older snapshots and were retired (SPEC.md §1). */
static const char *const retired_actions[] = {
	"BatchSendEmailWithReceiverDetail",
	"BindAccountCustomer",
	"ListAccountPackage",
	"UpdateWebhookUrl",
};

static const char *const regions[] = {"ap-guangzhou", "ap-hongkong", "ap-singapore"};

bool dispatch_is_api_call(const struct http_request *http)
{
	if (http_request_header(http, "Authorization") || http_request_header(http, "X-TC-Action"))
		return true;
	if (strcmp(http_request_method(http), "GET") != 0)
		return true;
	const char *query = http_request_query(http);
	return strncmp(query, "Action=", 7) == 0 || strstr(query, "&Action=") != NULL;
}

static void new_request_id(char out[37])
{
	unsigned char b[16];
	random_fill(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	/* 8-4-4-4-12 lowercase hex (a formatted print of 16 bytes cost more than the rest of this) */
	static const char digits[] = "0123456789abcdef";
	size_t n = 0;
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		out[n++] = digits[b[i] >> 4];
		out[n++] = digits[b[i] & 15];
	}
	out[n] = '\0';
}

static char *error_message(const struct api_ctx *ctx)
{
	const struct api_error_info *info = &api_errors[ctx->error];
	const char *text = ctx->language == API_LANG_EN_US ? info->en : info->zh;
	if (ctx->error_message[0])
		return strdup(ctx->error_message);
	size_t size = strlen(text) + strlen(ctx->error_param) + 64;
	char *out = malloc(size);
	if (!out)
		return NULL;
	if (!ctx->error_param[0])
		snprintf(out, size, "%s", text);
	else if (ctx->language == API_LANG_EN_US)
		snprintf(out, size, "%s Parameter: `%s`.", text, ctx->error_param);
	else
		snprintf(out, size, "%s参数：`%s`。", text, ctx->error_param);
	return out;
}

/* Serialise the envelope of `ctx` (its error, or `out` on success) into resp. */
static void envelope(const struct api_ctx *ctx, cJSON *out, struct http_response *resp)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *response = out && ctx->error == ERR_NONE ? out : cJSON_CreateObject();
	if (response != out)
		cJSON_Delete(out);
	if (root && response) {
		cJSON_AddItemToObject(root, "Response", response);
		if (ctx->error != ERR_NONE) {
			cJSON *error = cJSON_AddObjectToObject(response, "Error");
			char *message = error_message(ctx);
			if (error) {
				cJSON_AddStringToObject(error, "Code", api_errors[ctx->error].code);
				cJSON_AddStringToObject(error, "Message", message ? message : "");
			}
			free(message);
		}
		cJSON_AddStringToObject(response, "RequestId", ctx->request_id);
		resp->body = cJSON_PrintUnformatted(root);
	} else {
		cJSON_Delete(response);
	}
	cJSON_Delete(root);
	if (!resp->body) {
		/* Out of memory: a fixed answer that still parses. */
		char fallback[256];
		int n = snprintf(fallback, sizeof(fallback),
				 "{\"Response\":{\"Error\":{\"Code\":\"InternalError\",\"Message\":\"Out of "
				 "memory.\"},\"RequestId\":\"%s\"}}",
				 ctx->request_id);
		resp->body = strndup(fallback, (size_t)n);
	}
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	resp->status = 200;
	resp->content_type = "application/json";
}

/* The keyring: credentials come from the store; the account is kept for dispatch. */
struct keyring_state {
	struct store *store;
	struct store_account account;
	char allow[256];
};

static bool keyring_lookup(void *cls, const char *secret_id, char *key, size_t key_size, char *token, size_t token_size,
			   bool *failed)
{
	struct keyring_state *state = cls;
	*failed = false;
	token[0] = '\0';
	(void)token_size;
	enum store_status status = store_credential_lookup(state->store, secret_id, key, key_size, state->allow,
							   sizeof(state->allow), &state->account);
	if (status == STORE_ERROR || status == STORE_NOMEM)
		*failed = true;
	return status == STORE_OK;
}

static enum api_error_code auth_code(enum auth_result result)
{
	switch (result) {
	case AUTH_OK:
		return ERR_NONE;
	case AUTH_INVALID_AUTHORIZATION:
		return ERR_AUTH_FAILURE_INVALID_AUTHORIZATION;
	case AUTH_INVALID_SECRET_ID:
		return ERR_AUTH_FAILURE_INVALID_SECRET_ID;
	case AUTH_SECRET_ID_NOT_FOUND:
		return ERR_AUTH_FAILURE_SECRET_ID_NOT_FOUND;
	case AUTH_SIGNATURE_EXPIRE:
		return ERR_AUTH_FAILURE_SIGNATURE_EXPIRE;
	case AUTH_SIGNATURE_FAILURE:
		return ERR_AUTH_FAILURE_SIGNATURE_FAILURE;
	case AUTH_TOKEN_FAILURE:
		return ERR_AUTH_FAILURE_TOKEN_FAILURE;
	case AUTH_MISSING_PARAMETER:
		return ERR_MISSING_PARAMETER;
	case AUTH_BAD_PARAMETER:
		return ERR_INVALID_PARAMETER_VALUE;
	case AUTH_STORE_ERROR:
		break;
	}
	return ERR_INTERNAL_ERROR;
}

/* --auth off: the credential's account when it names one, else the first. */
static bool account_without_auth(struct api_ctx *ctx, const struct http_request *http, const struct api_request *req,
				 struct keyring_state *keyring)
{
	char secret_id[129], key[256], token[8];
	bool failed = false;
	auth_claimed_secret_id(http, req, secret_id, sizeof(secret_id));
	if (secret_id[0] && keyring_lookup(keyring, secret_id, key, sizeof(key), token, sizeof(token), &failed))
		return true;
	keyring->allow[0] = '\0';
	if (store_begin(ctx->store, false) != STORE_OK)
		return api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
	enum store_status status = store_account_first(ctx->store, &keyring->account);
	store_rollback(ctx->store);
	if (status != STORE_OK)
		return api_fail(ctx, ERR_AUTH_FAILURE_SECRET_ID_NOT_FOUND, NULL);
	return true;
}

/* The CAM-like allow list: comma-separated fnmatch patterns; "" allows all. */
static bool allowed(const char *allow, const char *action)
{
	if (!allow[0])
		return true;
	char list[256], *save = NULL;
	snprintf(list, sizeof(list), "%s", allow);
	for (char *pattern = strtok_r(list, ",", &save); pattern; pattern = strtok_r(NULL, ",", &save))
		if (fnmatch(pattern, action, 0) == 0)
			return true;
	return false;
}

static bool check_common(struct api_ctx *ctx, const struct api_request *req, const struct api_action **action)
{
	const char *style_action = req->style == PROTOCOL_TC3 ? "X-TC-Action" : "Action";
	if (!req->action || !req->action[0])
		return api_fail(ctx, ERR_MISSING_PARAMETER, style_action);
	for (size_t i = 0; i < sizeof(retired_actions) / sizeof(retired_actions[0]); i++)
		if (strcmp(req->action, retired_actions[i]) == 0)
			return api_fail(ctx, ERR_ACTION_OFFLINE, style_action);
	*action = api_action_lookup(req->action);
	if (!*action)
		return api_fail(ctx, ERR_INVALID_ACTION, style_action);
	const char *version_name = req->style == PROTOCOL_TC3 ? "X-TC-Version" : "Version";
	if (!req->version || !req->version[0])
		return api_fail(ctx, ERR_MISSING_PARAMETER, version_name);
	if (strcmp(req->version, API_VERSION) != 0)
		return api_fail(ctx, ERR_NO_SUCH_VERSION, version_name);
	const char *region_name = req->style == PROTOCOL_TC3 ? "X-TC-Region" : "Region";
	if (!req->region || !req->region[0])
		return api_fail(ctx, ERR_MISSING_PARAMETER, region_name);
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		if (strcmp(req->region, regions[i]) == 0) {
			ctx->region = regions[i];
			return true;
		}
	return api_fail(ctx, ERR_UNSUPPORTED_REGION, region_name);
}

static bool authenticate(struct api_ctx *ctx, const struct http_request *http, const struct api_request *req,
			 const struct api_action *action)
{
	struct keyring_state keyring = {.store = ctx->store};
	if (ctx->config->auth == CONFIG_AUTH_OFF) {
		if (!account_without_auth(ctx, http, req, &keyring))
			return false;
	} else {
		struct auth_keyring ring = {.lookup = keyring_lookup, .cls = &keyring};
		char secret_id[129], param[64];
		enum auth_result result =
			auth_verify(http, req, clock_real_now(), &ring, secret_id, param, sizeof(param));
		if (result != AUTH_OK)
			return api_fail(ctx, auth_code(result), param[0] ? param : NULL);
	}
	ctx->account = keyring.account;
	if (!allowed(keyring.allow, action->name))
		return api_fail(ctx, ERR_AUTH_FAILURE_UNAUTHORIZED_OPERATION, NULL);
	/* A suspended account is denied what the reference says can be denied. */
	if (ctx->account.suspended && api_action_documents(action, ERR_OPERATION_DENIED))
		return api_fail(ctx, ERR_OPERATION_DENIED, NULL);
	return true;
}

/*
 * Rate limits and fault rules, after authentication: false when the call is
 * answered by them (an error recorded, or `resp` set for a drop or 5xx).
 */
static bool apply_faults(struct api_ctx *ctx, const struct api_action *action, struct http_response *resp, bool *raw)
{
	*raw = false;
	if (ctx->config->rate_limit && !faults_rate_allow(ctx->account.id, action->id, action->rate_limit))
		return api_fail(ctx, ERR_REQUEST_LIMIT_EXCEEDED, NULL);
	struct faults_decision decision;
	faults_decide(action->name, ctx->account.app_id, &decision);
	if (!decision.matched)
		return true;
	if (decision.delay_ms) {
		struct timespec wait = {decision.delay_ms / 1000, (long)(decision.delay_ms % 1000) * 1000000L};
		nanosleep(&wait, NULL);
	}
	if (decision.drop || decision.http_status) {
		*raw = true;
		resp->drop = decision.drop;
		resp->status = decision.http_status;
		resp->content_type = "text/plain";
		resp->body = decision.http_status ? strdup("injected fault\n") : NULL;
		resp->body_len = resp->body ? strlen(resp->body) : 0;
		return false;
	}
	if (decision.code[0]) {
		snprintf(ctx->error_message, sizeof(ctx->error_message), "%s", decision.message);
		return api_fail(ctx, api_error_lookup(decision.code), NULL);
	}
	return true;
}

static bool is_read_only(const char *action)
{
	return strncmp(action, "Get", 3) == 0 || strncmp(action, "List", 4) == 0;
}

/*
 * Whether the handler's unit may write: not for Get and List actions, nor
 * for SendEmail, whose handler only checks (its message is stored in a
 * second unit, send.c) unless --send-limits is on (then the quota is
 * checked and taken in one unit).
 */
static bool unit_writes(const struct api_ctx *ctx, const struct api_action *action)
{
	if (is_read_only(action->name))
		return false;
	return action->id != API_ACTION_SEND_EMAIL || ctx->config->send_limits;
}

/*
 * One API call on its way through dispatch. On the heap: a call whose
 * answer waits for its store job (api_ctx.then) is set aside meanwhile
 * (http_request_defer) and answered on a later call of the HTTP handler,
 * and its worker serves other connections; waiting on the worker left each
 * worker's other connections unserved and the two cores 13-17% idle
 * (docs/performance.md, fifth round).
 */
struct call {
	const struct dispatch_env *env;
	const struct http_request *http;
	struct api_ctx ctx;
	struct api_request req;
	const struct api_action *action;
	cJSON *params;
	cJSON *out; /* the handler's output; NULL once the call has failed */
	struct store_job job;
};

/* The call has failed: InternalError unless an error is recorded, and no output. */
static void fail_call(struct call *c)
{
	if (c->ctx.error == ERR_NONE)
		api_fail(&c->ctx, ERR_INTERNAL_ERROR, NULL);
	cJSON_Delete(c->out);
	c->out = NULL;
}

static enum store_status run_save(struct store *store, void *arg)
{
	const struct api_ctx *ctx = arg;
	return ctx->then->save(store, ctx->then_state);
}

/* The handler's last step, from its save's outcome (c->job.status). */
static void answer_saved(struct call *c)
{
	if (!c->ctx.then->answer(&c->ctx, c->ctx.then_state, c->job.status, c->out))
		fail_call(c);
}

static void end_call(struct call *c, struct http_response *resp, bool answered);

/* http_request_defer's: the set-aside call's job is handed to the store... */
static void start_save(void *arg)
{
	struct call *c = arg;
	store_submit(c->ctx.store, &c->job);
}

/* ...which tells it when the job is over (on whichever thread ran it)... */
static void saved(struct store_job *job)
{
	struct call *c = (struct call *)((char *)job - offsetof(struct call, job));
	http_request_resume(c->http);
}

/* ...and the call is answered on a worker again. */
static void finish_saved(void *arg, struct http_response *resp)
{
	struct call *c = arg;
	answer_saved(c);
	end_call(c, resp, false);
}

/*
 * The handler in its unit, then its `then` steps if it set them: build
 * without the store, save as a store job, answer. False when the call is
 * set aside until its job is over (finish_saved answers it).
 */
static bool run_handler(struct call *c)
{
	struct api_ctx *ctx = &c->ctx;
	if (!c->action->handler) {
		api_fail(ctx, ERR_UNSUPPORTED_OPERATION, NULL);
		return true;
	}
	c->out = cJSON_CreateObject();
	if (!c->out || store_begin(ctx->store, unit_writes(ctx, c->action)) != STORE_OK) {
		fail_call(c);
		return true;
	}
	if (!c->action->handler(ctx, c->params, c->out)) {
		store_rollback(ctx->store);
		fail_call(c);
		return true;
	}
	if (store_commit(ctx->store) != STORE_OK) {
		fail_call(c);
		return true;
	}
	if (!ctx->then)
		return true;
	if (!ctx->then->build(ctx, ctx->then_state)) {
		fail_call(c);
		return true;
	}
	c->job = (struct store_job){.run = run_save, .arg = ctx};
	/* set aside only when the store is busy: that costs a few system calls */
	if (store_run_if_free(ctx->store, &c->job)) {
		answer_saved(c);
		return true;
	}
	c->job.finished = saved;
	if (http_request_defer(c->http, start_save, finish_saved, c))
		return false;
	c->job.status = store_run(ctx->store, &c->job);
	answer_saved(c);
	return true;
}

static bool pick_language(struct api_ctx *ctx, const struct api_request *req)
{
	ctx->language = API_LANG_ZH_CN;
	if (!req->language || !req->language[0] || strcmp(req->language, "zh-CN") == 0)
		return true;
	if (strcmp(req->language, "en-US") == 0) {
		ctx->language = API_LANG_EN_US;
		return true;
	}
	return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, req->style == PROTOCOL_TC3 ? "X-TC-Language" : "Language");
}

/* Count the answered call and log it: metrics by action × code, then one request log line. */
static void record(const struct dispatch_env *env, const struct http_request *http, const struct api_ctx *ctx,
		   const struct api_action *action, const struct http_response *resp)
{
	uint64_t elapsed = http_now_ns() - http_request_start_ns(http);
	unsigned code = ctx->error;
	char code_text[16];
	const char *label = metrics_code_label(code);
	if (resp->drop) {
		code = METRICS_CODE_DROPPED;
		label = metrics_code_label(code);
	} else if (resp->status >= 500) {
		code = METRICS_CODE_HTTP_ERROR;
		snprintf(code_text, sizeof(code_text), "HTTP%u", resp->status);
		label = code_text;
	}
	metrics_record_request(env->metrics, action ? (unsigned)action->id : METRICS_ACTION_NONE, code, elapsed);
	if (!env->request_log)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct request_log_entry entry = {
		.time_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000,
		.app_id = ctx->account.app_id,
		.action = action ? action->name : NULL,
		.code = label,
		.elapsed_ns = elapsed,
		.request_id = ctx->request_id,
	};
	request_log_write(env->request_log, &entry);
}

/* Answer the call (the envelope, unless `answered` by a fault rule), count and log it, and free it. */
static void end_call(struct call *c, struct http_response *resp, bool answered)
{
	struct api_ctx *ctx = &c->ctx;
	if (ctx->prepared_free)
		ctx->prepared_free(ctx->prepared);
	if (ctx->then && ctx->then->free)
		ctx->then->free(ctx->then_state);
	if (!answered)
		envelope(ctx, c->out, resp);
	record(c->env, c->http, ctx, c->action, resp);
	cJSON_Delete(c->params);
	protocol_request_finish(&c->req);
	free(c);
}

void dispatch_api(const struct dispatch_env *env, const struct http_request *http, struct http_response *resp)
{
	struct call *c = calloc(1, sizeof(*c));
	if (!c) {
		resp->drop = true; /* out of memory: closed unanswered, as libmicrohttpd does */
		return;
	}
	c->env = env;
	c->http = http;
	c->ctx = (struct api_ctx){.config = env->config, .store = env->store, .now = clock_now()};
	struct api_ctx *ctx = &c->ctx;
	struct api_request *req = &c->req;
	struct protocol_error perr = {0};

	new_request_id(ctx->request_id);
	if (!protocol_request_init(req, http, &perr)) {
		pick_language(ctx, req);
		ctx->error = ERR_NONE;
		api_fail(ctx, perr.code, perr.param);
		goto answer;
	}
	if (!pick_language(ctx, req) || !check_common(ctx, req, &c->action) || !authenticate(ctx, http, req, c->action))
		goto answer;
	bool raw = false;
	if (!apply_faults(ctx, c->action, resp, &raw)) {
		end_call(c, resp, raw);
		return;
	}
	c->params = protocol_request_params(req, c->action->input, &perr);
	if (!c->params) {
		api_fail(ctx, perr.code, perr.param);
		goto answer;
	}
	char path[256];
	enum api_error_code code = validate_params(c->params, c->action->input, path, sizeof(path));
	if (code != ERR_NONE) {
		api_fail(ctx, code, path);
		goto answer;
	}
	if (c->action->handler && c->action->prepare && !c->action->prepare(ctx, c->params)) {
		if (ctx->error == ERR_NONE)
			api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
		goto answer;
	}
	if (!run_handler(c))
		return; /* set aside: finish_saved answers */
answer:
	end_call(c, resp, false);
}
