/*
 * One accepted email, from validated inputs to a stored message: render
 * the template parts with the data, add the unsubscribe footer and the ad
 * mark, build the MIME message, decide each recipient's outcome (mailbox
 * simulator), and store the message with one delivery row per recipient.
 * Shared by SendEmail and the batch fan-out. The caller holds the store.
 */
#ifndef SERVER_MAIL_COMPOSE_H
#define SERVER_MAIL_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mime.h"

struct store;
struct store_delivery_in;

/* The largest message the emulator builds (the documented per-email size). */
#define COMPOSE_MAX_MESSAGE (12u * 1024u * 1024u)
/* The largest rendered part (subject, HTML or text). */
#define COMPOSE_MAX_PART (4u * 1024u * 1024u)

struct compose_input {
	int64_t account;
	uint64_t app_id;
	const char *from_address;
	const char *from_name;   /* NULL when none */
	const char *header_from; /* NULL when none */
	const char *reply_to;    /* NULL when none */
	const char *const *to;
	size_t to_count;
	const char *const *cc;
	size_t cc_count;
	const char *const *bcc;
	size_t bcc_count;
	const char *subject; /* may hold {{variables}} */
	const char *html;    /* decoded template or Simple body; NULL when none */
	const char *text;
	const cJSON *data; /* template data; NULL: nothing is rendered */
	int64_t template_id;
	int64_t task_id;
	const struct mime_attachment *attachments;
	size_t attachment_count;
	const cJSON *smtp_headers;   /* NULL when none */
	const char *smtp_message_id; /* NULL when none */
	int unsubscribe;             /* link language code, 0 none */
	int ad_location;             /* 0 none, 1 before the subject, 2 after */
	int forced_send_status;      /* 0; else every recipient is dropped with this SendStatus */
	int64_t now;                 /* emulator clock */
	const char *base_url;        /* "http://host:port" for links */
	bool relay;                  /* queue the message for the SMTP relay (--smtp-relay is set) */
};

enum compose_status {
	COMPOSE_OK = 0,
	COMPOSE_MISMATCH,   /* a variable without data, or data no part uses: `detail` names it */
	COMPOSE_BAD_DATA,   /* a data value that is not a string or number */
	COMPOSE_TOO_LARGE,  /* a rendered part or the message is over the ceiling */
	COMPOSE_BAD_HEADER, /* HeaderFrom, SmtpHeaders or an address cannot be written safely */
	COMPOSE_NOMEM,
	COMPOSE_STORE, /* the store failed */
};

/* Check the data against the parts without rendering; `name` gets the offending variable. */
enum compose_status compose_check(const struct compose_input *in, char *name, size_t name_size);

/*
 * Build and store the message: compose_link_language, compose_build and
 * compose_save in one go, the store held throughout. On COMPOSE_OK
 * `message_id` (>= 80 bytes) holds the API MessageId. On failure nothing is
 * stored and `detail` explains (English, for logs).
 */
enum compose_status compose_store(struct store *store, const struct compose_input *in, char *message_id, char *detail,
				  size_t detail_size);

/*
 * The same in three steps, so that a caller can build without holding the
 * store (SendEmail: server/api/send.c):
 * 1. compose_link_language (store held): the unsubscribe link's language
 *    code, in->unsubscribe when the call asks for a link, else the sender
 *    address's unsubscribe setting when on, else 0;
 * 2. compose_build (no store): render, build the MIME message, decide each
 *    recipient's outcome; on failure nothing is kept and `detail` explains;
 * 3. compose_save (store held): store the message, its deliveries and what
 *    their outcomes leave behind, and queue it for the relay.
 * `in` and what it points to must stay unchanged from step 2 to step 3.
 */
struct compose_built {
	char message_id[80];         /* the API MessageId */
	char header_id[256];         /* the Message-ID header, without <> */
	char day[16];                /* CST date of in->now */
	char *subject, *html, *text; /* rendered, with footer and ad mark */
	char *raw;                   /* the RFC 5322 message */
	size_t raw_len;
	char *recipients_json, *attachments_json;
	struct store_delivery_in *rows; /* one per recipient */
	size_t row_count;
};

enum compose_status compose_link_language(struct store *store, const struct compose_input *in, int *code);
enum compose_status compose_build(const struct compose_input *in, int link_code, struct compose_built *out,
				  char *detail, size_t detail_size);
enum compose_status compose_save(struct store *store, const struct compose_input *in, const struct compose_built *b);
void compose_built_finish(struct compose_built *b);

/* A new MessageId in the service's format, into out (>= 80 bytes). */
void compose_message_id(uint64_t app_id, int64_t now, char *out, size_t size);

/* Whether `code` is an Unsubscribe language code of the API (0-12). */
bool compose_unsubscribe_valid(int code);

#endif
