/*
 * Composing one email.
 *
 * Owns: rendering order (subject, HTML, text from one data object), the
 * unsubscribe footer and List-Unsubscribe header (asked for by the call, or
 * by the sender address's unsubscribe setting), the ad mark, the MessageId
 * format, and storing the message with its deliveries and what their
 * outcomes leave behind (a bounce on the blacklist, a complaint as an abuse
 * report), in the caller's transaction.
 * Never: validates API parameters (the handlers do) or sends anything to
 * the network (with --smtp-relay it only queues the message, in the same
 * transaction, for the relay worker: relay.c).
 */
#include "compose.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_complaint.h"
#include "../../storage/store_message.h"
#include "../../storage/store_relay.h"
#include "../../storage/store_unsubscribe.h"
#include "../clock.h"
#include "../random.h"
#include "relay.h"
#include "render.h"
#include "simulator.h"

/* The footer text per Unsubscribe language code (China edition numbering). */
static const char *const unsubscribe_labels[] = {
	NULL,
	"如不想再收到此类邮件，请点击退订",
	"To stop receiving these emails, unsubscribe here",
	"如不想再收到此類郵件，請點擊退訂",
	"Para dejar de recibir estos correos, cancele la suscripción aquí",
	"Pour ne plus recevoir ces e-mails, désabonnez-vous ici",
	"Um diese E-Mails nicht mehr zu erhalten, melden Sie sich hier ab",
	"今後このメールの受信を希望されない場合は、こちらから配信停止できます",
	"이러한 이메일 수신을 원하지 않으시면 여기에서 수신 거부하십시오",
	"لإيقاف تلقي رسائل البريد هذه، ألغِ الاشتراك هنا",
	"หากไม่ต้องการรับอีเมลเหล่านี้อีก ยกเลิกการสมัครรับที่นี่",
	"Untuk berhenti menerima email ini, berhenti berlangganan di sini",
	"Để ngừng nhận những email này, hãy hủy đăng ký tại đây",
};

#define AD_MARK "<AD>"

bool compose_unsubscribe_valid(int code)
{
	return code >= 0 && code < (int)(sizeof(unsubscribe_labels) / sizeof(unsubscribe_labels[0]));
}

/*
 * The tail of a MessageId: 12 letters and digits, the first 4 a counter of
 * this process (in ASCII order, from a random start) and the other 8
 * random. Ids of one second then mostly sort in the order they were made,
 * so each lands at the end of the messages' MessageId index instead of
 * anywhere in that second's range, which split its pages half full and
 * wrote more of them at each commit (docs/performance.md, third round).
 */
static _Atomic uint32_t tail_next;
static pthread_once_t tail_once = PTHREAD_ONCE_INIT;

static void seed_tail(void)
{
	uint32_t start = 0;
	random_fill((unsigned char *)&start, sizeof(start));
	atomic_store(&tail_next, start);
}

static void message_id_tail(char tail[13])
{
	static const char ordered[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	enum { BASE = sizeof(ordered) - 1, SEQUENCE = 4, RANDOM = 8 };
	pthread_once(&tail_once, seed_tail);
	uint32_t n = atomic_fetch_add(&tail_next, 1) % (BASE * BASE * BASE * BASE);
	for (int i = SEQUENCE - 1; i >= 0; i--, n /= BASE)
		tail[i] = ordered[n % BASE];
	unsigned char random[RANDOM];
	random_fill(random, sizeof(random));
	for (int i = 0; i < RANDOM; i++)
		tail[SEQUENCE + i] = ordered[random[i] % BASE];
	tail[SEQUENCE + RANDOM] = '\0';
}

void compose_message_id(uint64_t app_id, int64_t now, char *out, size_t size)
{
	char tail[13], stamp[16];
	message_id_tail(tail);
	char datetime[24];
	clock_format_datetime(now, datetime, sizeof(datetime));
	/* "YYYY-MM-DD HH:MM:SS" → "YYYYMMDDHHMMSS" */
	size_t n = 0;
	for (const char *p = datetime; *p && n < sizeof(stamp) - 1; p++)
		if (*p >= '0' && *p <= '9')
			stamp[n++] = *p;
	stamp[n] = '\0';
	snprintf(out, size, "qcloudses-30-%llu-date-%s-%s", (unsigned long long)app_id, stamp, tail);
}

enum compose_status compose_check(const struct compose_input *in, char *name, size_t name_size)
{
	if (!in->data)
		return COMPOSE_OK;
	const char *parts[] = {in->subject, in->html, in->text};
	switch (render_check(parts, 3, in->data, name, name_size)) {
	case RENDER_OK:
		return COMPOSE_OK;
	case RENDER_MISSING_VARIABLE:
	case RENDER_UNUSED_DATA:
		return COMPOSE_MISMATCH;
	case RENDER_BAD_VALUE:
		return COMPOSE_BAD_DATA;
	case RENDER_TOO_LARGE:
		return COMPOSE_TOO_LARGE;
	case RENDER_NOMEM:
		break;
	}
	return COMPOSE_NOMEM;
}

/* Render one part into *out (NULL part stays NULL). */
static enum compose_status render_part(const char *part, const cJSON *data, char **out)
{
	*out = NULL;
	if (!part)
		return COMPOSE_OK;
	size_t len;
	if (!data) {
		*out = strdup(part);
		return *out ? COMPOSE_OK : COMPOSE_NOMEM;
	}
	switch (render_apply(part, data, COMPOSE_MAX_PART, out, &len)) {
	case RENDER_OK:
		return COMPOSE_OK;
	case RENDER_TOO_LARGE:
		return COMPOSE_TOO_LARGE;
	case RENDER_MISSING_VARIABLE:
	case RENDER_UNUSED_DATA:
		return COMPOSE_MISMATCH;
	case RENDER_BAD_VALUE:
		return COMPOSE_BAD_DATA;
	case RENDER_NOMEM:
		break;
	}
	return COMPOSE_NOMEM;
}

/* Append `suffix` to the malloc'd string *s. */
static bool append(char **s, const char *suffix)
{
	size_t a = strlen(*s), b = strlen(suffix);
	char *grown = realloc(*s, a + b + 1);
	if (!grown)
		return false;
	memcpy(grown + a, suffix, b + 1);
	*s = grown;
	return true;
}

/* The unsubscribe footer in the text and HTML bodies (whichever exist). */
static bool add_footer(char **text, char **html, const char *label, const char *url)
{
	char buf[1024];
	if (*text) {
		snprintf(buf, sizeof(buf), "\n\n%s: %s\n", label, url);
		if (!append(text, buf))
			return false;
	}
	if (*html) {
		snprintf(buf, sizeof(buf),
			 "<p style=\"font-size:12px;color:#888\"><a href=\"%s\" data-ses-unsubscribe=\"1\">%s</a></p>",
			 url, label);
		char *close = strstr(*html, "</body>");
		if (!close)
			return append(html, buf);
		size_t head = (size_t)(close - *html), footer = strlen(buf), rest = strlen(close);
		char *joined = malloc(head + footer + rest + 1);
		if (!joined)
			return false;
		memcpy(joined, *html, head);
		memcpy(joined + head, buf, footer);
		memcpy(joined + head + footer, close, rest + 1);
		free(*html);
		*html = joined;
	}
	return true;
}

static bool add_ad_mark(char **subject, int location)
{
	if (location != 1 && location != 2)
		return true;
	size_t len = strlen(*subject), mark = strlen(AD_MARK);
	char *marked = malloc(len + mark + 1);
	if (!marked)
		return false;
	if (location == 1)
		snprintf(marked, len + mark + 1, "%s%s", AD_MARK, *subject);
	else
		snprintf(marked, len + mark + 1, "%s%s", *subject, AD_MARK);
	free(*subject);
	*subject = marked;
	return true;
}

static char *recipients_json(const struct compose_input *in)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	cJSON_AddItemToObject(root, "to", cJSON_CreateStringArray(in->to, (int)in->to_count));
	cJSON_AddItemToObject(root, "cc", cJSON_CreateStringArray(in->cc, (int)in->cc_count));
	cJSON_AddItemToObject(root, "bcc", cJSON_CreateStringArray(in->bcc, (int)in->bcc_count));
	char *text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

static char *attachments_json(const struct compose_input *in)
{
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; list && i < in->attachment_count; i++) {
		const struct mime_attachment *a = &in->attachments[i];
		cJSON *item = cJSON_CreateObject();
		if (!item)
			break;
		cJSON_AddItemToArray(list, item);
		cJSON_AddStringToObject(item, "file_name", a->file_name);
		const char *type = a->content_type ? a->content_type : mime_content_type(a->file_name);
		cJSON_AddStringToObject(item, "content_type", type ? type : "application/octet-stream");
		cJSON_AddNumberToObject(item, "size", (double)a->len);
	}
	char *text = list ? cJSON_PrintUnformatted(list) : NULL;
	cJSON_Delete(list);
	return text;
}

/* The DeliverMessage of a recipient that was not sent. */
static const char *forced_message(int send_status)
{
	switch (send_status) {
	case 3010:
		return "Not sent: the template data does not fit the template.";
	case 1007:
		return "Not sent: the address is on a blacklist.";
	case 1013:
		return "Not sent: the recipient unsubscribed from this sender.";
	default:
		return "Not sent: the address is suppressed.";
	}
}

/* One delivery row per recipient (To, Cc, Bcc), outcomes from the simulator. */
static struct store_delivery_in *deliveries(const struct compose_input *in, size_t *count)
{
	size_t n = in->to_count + in->cc_count + in->bcc_count;
	struct store_delivery_in *rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		return NULL;
	const char *const *lists[] = {in->to, in->cc, in->bcc};
	size_t sizes[] = {in->to_count, in->cc_count, in->bcc_count};
	size_t k = 0;
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < sizes[l]; i++, k++) {
			struct store_delivery_in *d = &rows[k];
			d->address = lists[l][i];
			if (in->forced_send_status) {
				d->send_status = in->forced_send_status;
				d->deliver_status = SIMULATOR_DROPPED;
				d->deliver_message = forced_message(in->forced_send_status);
				continue;
			}
			struct simulator_outcome o;
			simulator_outcome(d->address, &o);
			d->deliver_status = o.deliver_status;
			d->deliver_message = o.deliver_message;
			d->deliver_time = o.delivered_now ? in->now : 0;
			d->opened = o.opened;
			d->clicked = o.clicked;
			d->bounced = o.bounced;
			d->complained = o.complained;
		}
	}
	*count = n;
	return rows;
}

/* Rendered subject, html and text with footer and ad mark, into b. */
static enum compose_status render_all(const struct compose_input *in, int unsubscribe, const char *message_id,
				      struct compose_built *r, char *unsubscribe_url, size_t url_size)
{
	enum compose_status status = render_part(in->subject, in->data, &r->subject);
	if (status == COMPOSE_OK)
		status = render_part(in->html, in->data, &r->html);
	if (status == COMPOSE_OK)
		status = render_part(in->text, in->data, &r->text);
	if (status != COMPOSE_OK)
		return status;
	unsubscribe_url[0] = '\0';
	if (unsubscribe > 0 && compose_unsubscribe_valid(unsubscribe)) {
		snprintf(unsubscribe_url, url_size, "%s/_emulator/unsubscribe/%s", in->base_url ? in->base_url : "",
			 message_id);
		if (!add_footer(&r->text, &r->html, unsubscribe_labels[unsubscribe], unsubscribe_url))
			return COMPOSE_NOMEM;
	}
	return add_ad_mark(&r->subject, in->ad_location) ? COMPOSE_OK : COMPOSE_NOMEM;
}

/* The Message-ID header (without angle brackets): SmtpMessageId, else one of ours. */
static void header_message_id(const struct compose_input *in, const char *message_id, char *out, size_t size)
{
	if (in->smtp_message_id && in->smtp_message_id[0]) {
		const char *id = in->smtp_message_id;
		size_t n = strlen(id);
		if (id[0] == '<' && n > 2 && id[n - 1] == '>')
			snprintf(out, size, "%.*s", (int)(n - 2), id + 1);
		else
			snprintf(out, size, "%s", id);
	} else {
		snprintf(out, size, "%s@ses-emulator.local", message_id);
	}
}

/* The MIME message of b's rendered parts into b->raw. */
static enum compose_status build_mime(const struct compose_input *in, struct compose_built *b,
				      const char *unsubscribe_url, char *detail, size_t detail_size)
{
	struct mime_message m = {
		.from_address = in->from_address,
		.from_name = in->from_name,
		.header_from = in->header_from,
		.to = in->to,
		.to_count = in->to_count,
		.cc = in->cc,
		.cc_count = in->cc_count,
		.reply_to = in->reply_to,
		.subject = b->subject,
		.text = b->text,
		.html = b->html,
		.attachments = in->attachments,
		.attachment_count = in->attachment_count,
		.message_id = b->header_id,
		.extra_headers = in->smtp_headers,
		.list_unsubscribe = unsubscribe_url[0] ? unsubscribe_url : NULL,
		.date = in->now,
	};
	switch (mime_build(&m, COMPOSE_MAX_MESSAGE, &b->raw, &b->raw_len, detail, detail_size)) {
	case MIME_OK:
		return COMPOSE_OK;
	case MIME_TOO_LARGE:
		return COMPOSE_TOO_LARGE;
	case MIME_BAD_HEADER:
		return COMPOSE_BAD_HEADER;
	case MIME_NOMEM:
		break;
	}
	return COMPOSE_NOMEM;
}

static const char *domain_of(const char *address)
{
	const char *at = strrchr(address, '@');
	return at ? at + 1 : "";
}

/* What the recipients' outcomes leave behind: bounces on the blacklist, complaints as abuse reports. */
static enum store_status record_outcomes(struct store *store, const struct compose_input *in,
					 const struct compose_built *b)
{
	const struct store_delivery_in *rows = b->rows;
	enum store_status status = STORE_OK;
	for (size_t i = 0; status == STORE_OK && i < b->row_count; i++) {
		if (rows[i].bounced)
			status = store_bounce_add(store, in->account, rows[i].address, in->now, in->task_id,
						  b->message_id, rows[i].deliver_message);
		if (status != STORE_OK || !rows[i].complained)
			continue;
		struct store_complaint complaint = {
			.message_id = (char *)b->message_id,
			.header_id = (char *)b->header_id,
			.recipient = (char *)rows[i].address,
			.from_address = (char *)in->from_address,
			.from_domain = (char *)domain_of(in->from_address),
			.subject = b->subject,
			.template_id = in->template_id,
			.task_id = in->task_id,
			.deliver_time = in->now,
			.complain_time = in->now,
		};
		status = store_complaint_add(store, in->account, &complaint, b->day, NULL);
	}
	return status;
}

/*
 * Queue the stored message for the SMTP relay, in the same transaction, and
 * wake the relay worker (it takes the row once the transaction commits).
 */
static enum compose_status queue_relay(struct store *store, const struct compose_input *in, const char *message_id)
{
	bool queued = false;
	if (store_relay_enqueue(store, in->account, message_id, &queued) != STORE_OK)
		return COMPOSE_STORE;
	if (queued)
		relay_notify();
	return COMPOSE_OK;
}

enum compose_status compose_save(struct store *store, const struct compose_input *in, const struct compose_built *b)
{
	struct store_message_in msg = {
		.message_id = b->message_id,
		.task_id = in->task_id,
		.template_id = in->template_id,
		.from_address = in->from_address,
		.from_domain = domain_of(in->from_address),
		.subject = b->subject,
		.recipients_json = b->recipients_json,
		.reply_to = in->reply_to ? in->reply_to : "",
		.attachments_json = b->attachments_json,
		.created = in->now,
		.day = b->day,
		.raw = b->raw,
		.raw_len = b->raw_len,
		.deliveries = b->rows,
		.delivery_count = b->row_count,
	};
	if (store_message_add(store, in->account, &msg) != STORE_OK || record_outcomes(store, in, b) != STORE_OK)
		return COMPOSE_STORE;
	return in->relay ? queue_relay(store, in, b->message_id) : COMPOSE_OK;
}

/*
 * The unsubscribe link's language: the call's Unsubscribe code when it
 * asks for a link, else the sender address's setting when it is on.
 */
enum compose_status compose_link_language(struct store *store, const struct compose_input *in, int *code)
{
	*code = in->unsubscribe;
	if (*code > 0)
		return COMPOSE_OK;
	struct store_unsubscribe_config config = {0};
	enum store_status status = store_unsubscribe_config_get(store, in->account, in->from_address, &config);
	if (status == STORE_OK && config.status == 1)
		*code = (int)strtol(config.config, NULL, 10);
	store_unsubscribe_config_finish(&config);
	return status == STORE_OK || status == STORE_NOT_FOUND ? COMPOSE_OK : COMPOSE_STORE;
}

void compose_built_finish(struct compose_built *b)
{
	free(b->subject);
	free(b->html);
	free(b->text);
	free(b->raw);
	free(b->recipients_json);
	free(b->attachments_json);
	free(b->rows);
	memset(b, 0, sizeof(*b));
}

enum compose_status compose_build(const struct compose_input *in, int link_code, struct compose_built *b, char *detail,
				  size_t detail_size)
{
	char unsubscribe_url[512];
	memset(b, 0, sizeof(*b));
	if (detail_size)
		detail[0] = '\0';
	compose_message_id(in->app_id, in->now, b->message_id, sizeof(b->message_id));
	header_message_id(in, b->message_id, b->header_id, sizeof(b->header_id));
	clock_format_date(in->now, b->day, sizeof(b->day));
	enum compose_status status =
		render_all(in, link_code, b->message_id, b, unsubscribe_url, sizeof(unsubscribe_url));
	if (status == COMPOSE_OK)
		status = build_mime(in, b, unsubscribe_url, detail, detail_size);
	if (status == COMPOSE_OK) {
		b->recipients_json = recipients_json(in);
		b->attachments_json = attachments_json(in);
		b->rows = deliveries(in, &b->row_count);
		if (!b->recipients_json || !b->attachments_json || !b->rows)
			status = COMPOSE_NOMEM;
	}
	if (status != COMPOSE_OK)
		compose_built_finish(b);
	return status;
}

enum compose_status compose_store(struct store *store, const struct compose_input *in, char *message_id, char *detail,
				  size_t detail_size)
{
	struct compose_built b;
	int link_code = 0;
	if (detail_size)
		detail[0] = '\0';
	enum compose_status status = compose_link_language(store, in, &link_code);
	if (status != COMPOSE_OK)
		return status;
	status = compose_build(in, link_code, &b, detail, detail_size);
	if (status != COMPOSE_OK)
		return status;
	status = compose_save(store, in, &b);
	if (status == COMPOSE_OK)
		snprintf(message_id, 80, "%s", b.message_id);
	compose_built_finish(&b);
	return status;
}
