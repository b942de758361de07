/*
 * Sending rules shared by SendEmail and BatchSendEmail.
 */
#ifndef SERVER_API_SEND_H
#define SERVER_API_SEND_H

#include <stdbool.h>
#include <stddef.h>

#include "../../storage/store_sender.h"
#include "api.h"

/* The largest email: body and attachments together, decoded (documented: 4 MB). */
#define SEND_MAX_EMAIL (4u * 1024u * 1024u)
#define SEND_SUBJECT_MAX 100

/*
 * Split FromEmailAddress ("addr" or "Alias <addr>", a space before '<', no
 * colon in the alias; the alias may be quoted) into its parts. False when
 * the text has neither shape.
 */
bool send_parse_from(const char *text, char *address, size_t address_size, char *alias, size_t alias_size);

/* Subject length in characters (UTF-8 code points). */
size_t send_subject_length(const char *subject);

/* Decode one base64 Simple body; false when not base64 of UTF-8 text. *out NULL for "" or NULL. */
bool send_decode_body(const char *encoded, char **out, size_t *len);

/* Parse an Unsubscribe code ("" or absent: 0). False when not a known code. */
bool send_unsubscribe_code(const char *text, int *code);

#endif
