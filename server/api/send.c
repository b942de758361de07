/*
 * SendEmail.
 *
 * Owns: the order of SendEmail's checks (docs/errors.md lists each code and
 * its trigger): attachments in the prepare step, outside the store
 * transaction (decoding, FileURL fetches); then sender, subject,
 * recipients, content, options, size, suppression and sending limits in
 * the handler; then the message is built without the store and stored in
 * a second unit (compose_build, compose_save: see send_state below).
 * Never: writes MIME or SQL itself (server/mail, storage).
 */
#include "send.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_identity.h"
#include "../../storage/store_message.h"
#include "../../storage/store_template.h"
#include "../clock.h"
#include "../config.h"
#include "../mail/compose.h"
#include "../mail/fetch.h"
#include "../mail/mime.h"
#include "../mail/suppress.h"
#include "address.h"

#define SEND_MAX_TO 50
#define SEND_MAX_CC 20
#define SEND_MAX_BCC 20
#define SEND_MAX_ATTACHMENTS 10
#define SEND_FREQUENCY_PER_HOUR 10
#define SEND_FETCH_TIMEOUT_MS 5000

/* An alias: no colon, no angle bracket, no control character (a line break
 * must never reach a header). */
static bool alias_valid(const char *alias, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)alias[i];
		if (c < 0x20 || c == 0x7f || c == ':' || c == '<')
			return false;
	}
	return len > 0;
}

bool send_parse_from(const char *text, char *address, size_t address_size, char *alias, size_t alias_size)
{
	alias[0] = '\0';
	const char *open = strrchr(text, '<');
	if (!open) {
		if (strlen(text) >= address_size || strchr(text, '>') || strchr(text, ' '))
			return false;
		memcpy(address, text, strlen(text) + 1);
		return address[0] != '\0';
	}
	const char *close = strchr(open, '>');
	if (!close || close[1] || open == text || open[-1] != ' ')
		return false;
	size_t addr_len = (size_t)(close - open - 1);
	size_t alias_len = (size_t)(open - 1 - text);
	while (alias_len && text[alias_len - 1] == ' ')
		alias_len--;
	const char *alias_start = text;
	if (alias_len >= 2 && alias_start[0] == '"' && alias_start[alias_len - 1] == '"') {
		alias_start++;
		alias_len -= 2;
	}
	if (addr_len == 0 || addr_len >= address_size || alias_len >= alias_size ||
	    !alias_valid(alias_start, alias_len))
		return false;
	memcpy(address, open + 1, addr_len);
	address[addr_len] = '\0';
	memcpy(alias, alias_start, alias_len);
	alias[alias_len] = '\0';
	return true;
}

size_t send_subject_length(const char *subject)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)subject; *p; p++)
		if ((*p & 0xc0) != 0x80)
			n++;
	return n;
}

bool send_decode_body(const char *encoded, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!encoded || !encoded[0])
		return true;
	unsigned char *decoded = api_base64_decode(encoded, len);
	if (!decoded || !api_utf8_valid(decoded, *len) || memchr(decoded, '\0', *len)) {
		free(decoded);
		return false;
	}
	*out = (char *)decoded;
	return true;
}

bool send_unsubscribe_code(const char *text, int *code)
{
	*code = 0;
	if (!text || !text[0])
		return true;
	if (strlen(text) > 2)
		return false;
	for (const char *p = text; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	*code = (int)strtol(text, NULL, 10);
	return compose_unsubscribe_valid(*code);
}

/* ---- prepare: attachments, outside the store transaction ---------------- */

struct prepared_send {
	struct mime_attachment items[SEND_MAX_ATTACHMENTS];
	unsigned char *buffers[SEND_MAX_ATTACHMENTS];
	char names[SEND_MAX_ATTACHMENTS][256];
	size_t count;
	size_t total;
};

static void prepared_free(void *p)
{
	struct prepared_send *prepared = p;
	if (!prepared)
		return;
	for (size_t i = 0; i < prepared->count; i++)
		free(prepared->buffers[i]);
	free(prepared);
}

static bool attachment_content(struct api_ctx *ctx, const cJSON *item, const char *at, unsigned char **data,
			       size_t *len)
{
	const char *content = api_param_string(item, "Content", NULL);
	const char *url = api_param_string(item, "FileURL", NULL);
	char param[64];
	if (content && content[0]) {
		*data = api_base64_decode(content, len);
		snprintf(param, sizeof(param), "%s.Content", at);
		return *data ? true : api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_ATTACH_CONTENT_IS_WRONG, param);
	}
	snprintf(param, sizeof(param), "%s.FileURL", at);
	if (!url || !url[0]) {
		snprintf(param, sizeof(param), "%s.Content", at);
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_ATTACH_CONTENT_IS_WRONG, param);
	}
	switch (fetch_url(url, ctx->config->fetch_allow, SEND_MAX_EMAIL, SEND_FETCH_TIMEOUT_MS, data, len)) {
	case FETCH_OK:
		return true;
	case FETCH_ILLEGAL_URL:
		return api_fail(ctx, ERR_FAILED_OPERATION_ILLEGAL_URL, param);
	case FETCH_FORBIDDEN:
		return api_fail(ctx, ERR_FAILED_OPERATION_URL_FORBIDDEN, param);
	case FETCH_NOT_FOUND:
		return api_fail(ctx, ERR_FAILED_OPERATION_FILE_URL_NOT_EXIST, param);
	case FETCH_TOO_LARGE:
		return api_fail(ctx, ERR_FAILED_OPERATION_ATTACH_CONTENT_TOOLARGE, param);
	case FETCH_NOMEM:
		break;
	}
	return api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
}

bool api_prepare_send_email(struct api_ctx *ctx, cJSON *params)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(params, "Attachments");
	int count = cJSON_GetArraySize(list);
	if (count == 0)
		return true;
	if (count > SEND_MAX_ATTACHMENTS)
		return api_fail(ctx, ERR_FAILED_OPERATION_TOO_MANY_ATTACHMENTS, "Attachments");
	if (!ctx->account.allow_attachments)
		return api_fail(ctx, ERR_FAILED_OPERATION_NO_ATTACH_PERMISSION, "Attachments");
	struct prepared_send *prepared = calloc(1, sizeof(*prepared));
	if (!prepared)
		return api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
	ctx->prepared = prepared;
	ctx->prepared_free = prepared_free;
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[32];
		size_t i = prepared->count;
		snprintf(at, sizeof(at), "Attachments.%zu", i);
		const char *name = api_param_string(item, "FileName", "");
		char param[48];
		snprintf(param, sizeof(param), "%s.FileName", at);
		if (!mime_file_name_valid(name))
			return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_ATTACH_NAME, param);
		const char *type = mime_content_type(name);
		if (!type)
			return api_fail(ctx, ERR_FAILED_OPERATION_UNSUPPORT_MAIL_TYPE, param);
		size_t len = 0;
		if (!attachment_content(ctx, item, at, &prepared->buffers[i], &len))
			return false;
		prepared->total += len;
		snprintf(prepared->names[i], sizeof(prepared->names[i]), "%s", name);
		prepared->items[i] = (struct mime_attachment){prepared->names[i], type, prepared->buffers[i], len};
		prepared->count++;
		if (prepared->total > SEND_MAX_EMAIL)
			return api_fail(ctx, ERR_FAILED_OPERATION_ATTACH_CONTENT_TOOLARGE, "Attachments");
	}
	return true;
}

/* ---- the handler ---------------------------------------------------------- */

/* The recipients of one call, borrowed from params. */
struct recipients {
	const char *to[SEND_MAX_TO], *cc[SEND_MAX_CC], *bcc[SEND_MAX_BCC];
	size_t to_count, cc_count, bcc_count;
};

/* Collect one list; false with the error recorded. */
static bool collect(struct api_ctx *ctx, const cJSON *params, const char *name, const char **out, size_t max,
		    size_t *count, enum api_error_code invalid)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(params, name);
	*count = 0;
	if ((size_t)cJSON_GetArraySize(list) > max)
		return api_fail(ctx, ERR_FAILED_OPERATION_TOO_MANY_RECIPIENTS, name);
	const cJSON *item;
	cJSON_ArrayForEach(item, list)
	{
		char at[48];
		snprintf(at, sizeof(at), "%s.%zu", name, *count);
		if (!item->valuestring[0])
			return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_ADDRESS_IS_NULL, at);
		if (!address_valid(item->valuestring))
			return api_fail(ctx, invalid, at);
		out[(*count)++] = item->valuestring;
	}
	return true;
}

static bool read_recipients(struct api_ctx *ctx, const cJSON *params, struct recipients *r)
{
	if (!collect(ctx, params, "Destination", r->to, SEND_MAX_TO, &r->to_count,
		     ERR_INVALID_PARAMETER_VALUE_RECEIVER_EMAIL_INVALID) ||
	    !collect(ctx, params, "Cc", r->cc, SEND_MAX_CC, &r->cc_count, ERR_FAILED_OPERATION_INCORRECT_EMAIL) ||
	    !collect(ctx, params, "Bcc", r->bcc, SEND_MAX_BCC, &r->bcc_count, ERR_FAILED_OPERATION_INCORRECT_EMAIL))
		return false;
	if (r->to_count + r->cc_count + r->bcc_count == 0)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_ADDRESS_IS_NULL, "Destination");
	for (size_t i = 0; i < r->bcc_count; i++)
		for (size_t j = 0; j < r->to_count; j++)
			if (strcasecmp(r->bcc[i], r->to[j]) == 0)
				return api_fail(ctx, ERR_FAILED_OPERATION_TOO_MANY_RECIPIENTS, "Bcc");
	const char *reply_to = api_param_string(params, "ReplyToAddresses", "");
	if (reply_to[0] && !address_valid(reply_to))
		return api_fail(ctx, ERR_FAILED_OPERATION_INCORRECT_EMAIL, "ReplyToAddresses");
	return true;
}

/* The sender: registered, approved, on a verified domain. */
static bool check_sender(struct api_ctx *ctx, const char *address)
{
	int sender = 0, domain = 0;
	enum store_status status = store_sender_standing(ctx->store, ctx->account.id, address, &sender, &domain);
	if (status == STORE_NOT_FOUND)
		return api_fail(ctx, ERR_FAILED_OPERATION_NOT_AUTHENTICATED_SENDER, "FromEmailAddress");
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	if (sender != STORE_SENDER_APPROVED)
		return api_fail(ctx, ERR_FAILED_OPERATION_NOT_AUTHENTICATED_SENDER, "FromEmailAddress");
	if (domain != STORE_IDENTITY_VERIFIED)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_INVALID_EMAIL_IDENTITY, "FromEmailAddress");
	return true;
}

/* The message content: an approved template with its data, or Simple bodies. */
struct content {
	struct store_template template;
	char *simple_html, *simple_text;
	cJSON *data;
	int64_t template_id;
};

static void content_finish(struct content *c)
{
	store_template_finish(&c->template);
	free(c->simple_html);
	free(c->simple_text);
	cJSON_Delete(c->data);
}

static bool read_template(struct api_ctx *ctx, const cJSON *template, struct content *c)
{
	c->template_id = api_param_int(template, "TemplateID", 0);
	enum store_status status = store_template_get(ctx->store, ctx->account.id, c->template_id, &c->template);
	if (status != STORE_OK && status != STORE_NOT_FOUND)
		return api_fail_store(ctx, status);
	if (status == STORE_NOT_FOUND || c->template.deleted || c->template.status != STORE_TEMPLATE_APPROVED)
		return api_fail(ctx, ERR_FAILED_OPERATION_INVALID_TEMPLATE_ID, "Template.TemplateID");
	const char *data = api_param_string(template, "TemplateData", "");
	c->data = cJSON_Parse(data[0] ? data : "{}");
	if (!cJSON_IsObject(c->data))
		return api_fail(ctx, ERR_FAILED_OPERATION_WRONG_CONTENT_JSON, "Template.TemplateData");
	return true;
}

static bool read_content(struct api_ctx *ctx, const cJSON *params, struct content *c)
{
	const cJSON *template = cJSON_GetObjectItemCaseSensitive(params, "Template");
	const cJSON *simple = cJSON_GetObjectItemCaseSensitive(params, "Simple");
	if (template)
		return read_template(ctx, template, c);
	if (!simple)
		return api_fail(ctx, ERR_FAILED_OPERATION_MISSING_EMAIL_CONTENT, "Template");
	if (!ctx->account.allow_simple)
		return api_fail(ctx, ERR_FAILED_OPERATION_WITH_OUT_PERMISSION, "Simple");
	size_t len;
	if (!send_decode_body(api_param_string(simple, "Html", NULL), &c->simple_html, &len))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_CONTENT_IS_WRONG, "Simple.Html");
	if (!send_decode_body(api_param_string(simple, "Text", NULL), &c->simple_text, &len))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_CONTENT_IS_WRONG, "Simple.Text");
	if (!c->simple_html && !c->simple_text)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_CONTENT_IS_WRONG, "Simple");
	return true;
}

/*
 * Suppression (server/mail/suppress.h): a recipient on the bounce or custom
 * blacklist refuses the call with EmailAddrInBlacklist, one who unsubscribed
 * from `from` with ReceiverHasUnsubscribed; To, then Cc, then Bcc.
 */
static bool check_suppressed(struct api_ctx *ctx, const struct recipients *r, const char *from)
{
	const char *const *lists[] = {r->to, r->cc, r->bcc};
	size_t sizes[] = {r->to_count, r->cc_count, r->bcc_count};
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < sizes[l]; i++) {
			enum suppress_reason reason = SUPPRESS_NONE;
			enum store_status status =
				suppress_check(ctx->store, ctx->account.id, lists[l][i], from, ctx->now, &reason);
			if (status != STORE_OK)
				return api_fail_store(ctx, status);
			if (reason == SUPPRESS_BLACKLISTED)
				return api_fail(ctx, ERR_FAILED_OPERATION_EMAIL_ADDR_IN_BLACKLIST, lists[l][i]);
			if (reason == SUPPRESS_UNSUBSCRIBED)
				return api_fail(ctx, ERR_FAILED_OPERATION_RECEIVER_HAS_UNSUBSCRIBED, lists[l][i]);
		}
	}
	return true;
}

/* --send-limits on: the daily quota and 10 an hour to one address. */
static bool check_limits(struct api_ctx *ctx, const struct recipients *r)
{
	if (!ctx->config->send_limits)
		return true;
	char day[16];
	int64_t sent = 0;
	clock_format_date(ctx->now, day, sizeof(day));
	enum store_status status = store_delivery_count_day(ctx->store, ctx->account.id, day, &sent);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	int64_t wanted = (int64_t)(r->to_count + r->cc_count + r->bcc_count);
	if (sent >= ctx->account.daily_quota)
		return api_fail(ctx, ERR_FAILED_OPERATION_EXCEED_SEND_LIMIT, NULL);
	if (sent + wanted > ctx->account.daily_quota)
		return api_fail(ctx, ERR_FAILED_OPERATION_INSUFFICIENT_QUOTA, NULL);
	const char *const *lists[] = {r->to, r->cc, r->bcc};
	size_t sizes[] = {r->to_count, r->cc_count, r->bcc_count};
	char hour_ago[16];
	clock_format_date(ctx->now - 3600, hour_ago, sizeof(hour_ago));
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < sizes[l]; i++) {
			int64_t recent = 0;
			status = store_delivery_count_since(ctx->store, ctx->account.id, lists[l][i], ctx->now - 3600,
							    hour_ago, &recent);
			if (status != STORE_OK)
				return api_fail_store(ctx, status);
			if (recent >= SEND_FREQUENCY_PER_HOUR)
				return api_fail(ctx, ERR_FAILED_OPERATION_FREQUENCY_LIMIT, lists[l][i]);
		}
	}
	return true;
}

/* "id@domain", optionally in angle brackets, printable ASCII without spaces. */
static bool message_id_valid(const char *id)
{
	size_t n = strlen(id);
	if (n >= 2 && id[0] == '<' && id[n - 1] == '>') {
		id++;
		n -= 2;
	}
	const char *at = memchr(id, '@', n);
	if (n == 0 || n > 250 || !at || at == id || at == id + n - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (id[i] <= 0x20 || id[i] >= 0x7f || id[i] == '<' || id[i] == '>')
			return false;
	return true;
}

/* TriggerType, Unsubscribe, SmtpMessageId and SmtpHeaders. */
static bool read_options(struct api_ctx *ctx, const cJSON *params, int *unsubscribe, cJSON **headers)
{
	int64_t trigger = api_param_int(params, "TriggerType", 0);
	if (trigger != 0 && trigger != 1)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "TriggerType");
	if (!send_unsubscribe_code(api_param_string(params, "Unsubscribe", ""), unsubscribe))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Unsubscribe");
	const char *message_id = api_param_string(params, "SmtpMessageId", "");
	if (message_id[0] && !message_id_valid(message_id))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "SmtpMessageId");
	const char *text = api_param_string(params, "SmtpHeaders", "");
	*headers = NULL;
	if (!text[0])
		return true;
	*headers = cJSON_Parse(text);
	if (!cJSON_IsObject(*headers))
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "SmtpHeaders");
	return true;
}

static size_t body_size(const struct content *c)
{
	const char *html = c->simple_html ? c->simple_html : c->template.html;
	const char *text = c->simple_text ? c->simple_text : c->template.text;
	return (html ? strlen(html) : 0) + (text ? strlen(text) : 0);
}

static bool compose_failed(struct api_ctx *ctx, enum compose_status status, const char *name)
{
	switch (status) {
	case COMPOSE_OK:
		return true;
	case COMPOSE_MISMATCH:
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_TEMPLATE_NOT_MATCH_DATA, name);
	case COMPOSE_BAD_DATA:
		return api_fail(ctx, ERR_FAILED_OPERATION_WRONG_CONTENT_JSON, name);
	case COMPOSE_TOO_LARGE:
		return api_fail(ctx, ERR_FAILED_OPERATION_EMAIL_CONTENT_TOOLARGE, NULL);
	case COMPOSE_BAD_HEADER:
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, name);
	case COMPOSE_NOMEM:
	case COMPOSE_STORE:
		break;
	}
	return api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
}

/*
 * The call from its checks to its stored message. The handler checks in the
 * store and fills `in`; the message is built without the store (send_build)
 * and stored in a second unit (send_save), so that building one message
 * does not hold up everyone else's calls. With --send-limits on, all of it
 * happens in the handler's unit, so that concurrent calls cannot both pass
 * the same quota.
 */
struct send_state {
	struct recipients r;
	struct content c;
	cJSON *headers;
	char from[256], alias[256];
	struct compose_input in;
	int link_code;
	struct compose_built built;
	bool built_ok;
	enum compose_status saved; /* compose_save's outcome (send_save) */
};

static void send_state_free(void *p)
{
	struct send_state *st = p;
	if (!st)
		return;
	if (st->built_ok)
		compose_built_finish(&st->built);
	cJSON_Delete(st->headers);
	content_finish(&st->c);
	free(st);
}

static void fill_input(struct api_ctx *ctx, const cJSON *params, struct send_state *st, int unsubscribe)
{
	const struct prepared_send *prepared = ctx->prepared;
	const char *reply_to = api_param_string(params, "ReplyToAddresses", "");
	const struct content *c = &st->c;
	st->in = (struct compose_input){
		.account = ctx->account.id,
		.app_id = ctx->account.app_id,
		.from_address = st->from,
		.from_name = st->alias[0] ? st->alias : NULL,
		.header_from = api_param_string(params, "HeaderFrom", NULL),
		.reply_to = reply_to[0] ? reply_to : NULL,
		.to = st->r.to,
		.to_count = st->r.to_count,
		.cc = st->r.cc,
		.cc_count = st->r.cc_count,
		.bcc = st->r.bcc,
		.bcc_count = st->r.bcc_count,
		.subject = api_param_string(params, "Subject", ""),
		.html = c->simple_html ? c->simple_html : c->template.html,
		.text = c->simple_text ? c->simple_text : c->template.text,
		.data = c->data,
		.template_id = c->template_id,
		.attachments = prepared ? prepared->items : NULL,
		.attachment_count = prepared ? prepared->count : 0,
		.smtp_headers = st->headers,
		.smtp_message_id = api_param_string(params, "SmtpMessageId", NULL),
		.unsubscribe = unsubscribe,
		.now = ctx->now,
		.base_url = ctx->config->base_url,
		.relay = ctx->config->smtp_relay[0] != '\0',
	};
}

static bool send_build(struct api_ctx *ctx, void *p)
{
	struct send_state *st = p;
	char name[96] = "", detail[256];
	enum compose_status status = compose_check(&st->in, name, sizeof(name));
	if (status != COMPOSE_OK)
		return compose_failed(ctx, status, name[0] ? name : "Template.TemplateData");
	status = compose_build(&st->in, st->link_code, &st->built, detail, sizeof(detail));
	if (status == COMPOSE_BAD_HEADER)
		return compose_failed(ctx, status, strstr(detail, "From") ? "HeaderFrom" : "SmtpHeaders");
	if (status != COMPOSE_OK)
		return compose_failed(ctx, status, NULL);
	st->built_ok = true;
	return true;
}

/* A store job (it may run on another call's thread): only the store and the state. */
static enum store_status send_save(struct store *store, void *p)
{
	struct send_state *st = p;
	st->saved = compose_save(store, &st->in, &st->built);
	return st->saved == COMPOSE_OK ? STORE_OK : STORE_ERROR;
}

static bool send_answer(struct api_ctx *ctx, void *p, enum store_status status, cJSON *out)
{
	struct send_state *st = p;
	if (st->saved != COMPOSE_OK)
		return compose_failed(ctx, st->saved, NULL);
	if (status != STORE_OK)
		return api_fail_store(ctx, status);
	return api_out_string(out, "MessageId", st->built.message_id);
}

static const struct api_then send_then = {send_build, send_save, send_answer, send_state_free};

/* Everything the store must see at the time of the call: sender, content, suppression, limits, link language. */
static bool send_checks(struct api_ctx *ctx, const cJSON *params, struct send_state *st)
{
	const char *from_text = api_param_string(params, "FromEmailAddress", "");
	if (!from_text[0])
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE_EMAIL_ADDRESS_IS_NULL, "FromEmailAddress");
	if (!send_parse_from(from_text, st->from, sizeof(st->from), st->alias, sizeof(st->alias)) ||
	    !address_valid(st->from))
		return api_fail(ctx, ERR_FAILED_OPERATION_INCORRECT_SENDER, "FromEmailAddress");
	if (!check_sender(ctx, st->from))
		return false;
	size_t subject = send_subject_length(api_param_string(params, "Subject", ""));
	if (subject < 1 || subject > SEND_SUBJECT_MAX)
		return api_fail(ctx, ERR_INVALID_PARAMETER_VALUE, "Subject");
	if (!read_recipients(ctx, params, &st->r))
		return false;
	int unsubscribe = 0;
	const struct prepared_send *prepared = ctx->prepared;
	if (!read_content(ctx, params, &st->c) || !read_options(ctx, params, &unsubscribe, &st->headers))
		return false;
	if (body_size(&st->c) + (prepared ? prepared->total : 0) > SEND_MAX_EMAIL)
		return api_fail(ctx, ERR_FAILED_OPERATION_EMAIL_CONTENT_TOOLARGE, NULL);
	if (!check_suppressed(ctx, &st->r, st->from) || !check_limits(ctx, &st->r))
		return false;
	fill_input(ctx, params, st, unsubscribe);
	return compose_link_language(ctx->store, &st->in, &st->link_code) == COMPOSE_OK ||
	       api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
}

bool api_send_email(struct api_ctx *ctx, const cJSON *params, cJSON *out)
{
	struct send_state *st = calloc(1, sizeof(*st));
	if (!st)
		return api_fail(ctx, ERR_INTERNAL_ERROR, NULL);
	ctx->then = &send_then;
	ctx->then_state = st;
	if (!send_checks(ctx, params, st))
		return false;
	if (!ctx->config->send_limits)
		return true;
	/* --send-limits on: build and store in this unit */
	ctx->then = NULL;
	ctx->then_state = NULL;
	bool ok = send_build(ctx, st) && send_answer(ctx, st, send_save(ctx->store, st), out);
	send_state_free(st);
	return ok;
}
