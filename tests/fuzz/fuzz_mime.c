/*
 * Focus: the MIME builder (server/mail/mime.h) and its promise that no input
 * adds a header line. Input fields, separated by NUL bytes:
 *   0 from address   1 from name     2 HeaderFrom    3 To (comma-separated)
 *   4 Cc             5 Reply-To      6 subject       7 text body
 *   8 HTML body      9 attachment names (one a line) 10 their content types
 *   11 Message-ID    12 SmtpHeaders JSON             13 List-Unsubscribe URL
 *   14 date (decimal seconds)        15 attachment bytes (the rest)
 * An empty optional field counts as absent.
 * Invariants on MIME_OK: the message fits the ceiling and is NUL-terminated
 * at its length; its header block has only CRLF line ends, and every line
 * is a continuation or a field this module writes or the caller named in
 * SmtpHeaders (an injected "Bcc:" or "X-Evil:" fails the run); the reader
 * (mime_read) parses it.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../server/control/mime_read.h"
#include "../../server/mail/mime.h"
#include "fuzz.h"

#define FUZZ_MIME_MAX (256 * 1024)
#define FUZZ_MAX_LIST 8

static const char *opt(const char *s)
{
	return s && s[0] ? s : NULL;
}

/* Split `s` (modified) at `sep` into at most FUZZ_MAX_LIST items. */
static size_t split(char *s, char sep, const char **out)
{
	size_t n = 0;
	if (!s || !*s)
		return 0;
	while (n < FUZZ_MAX_LIST) {
		out[n++] = s;
		char *next = strchr(s, sep);
		if (!next)
			break;
		*next = '\0';
		s = next + 1;
	}
	return n;
}

static bool written_here(const char *name, size_t len)
{
	static const char *const names[] = {"Date",
					    "From",
					    "To",
					    "Cc",
					    "Reply-To",
					    "Subject",
					    "Message-ID",
					    "MIME-Version",
					    "List-Unsubscribe",
					    "List-Unsubscribe-Post",
					    "Content-Type",
					    "Content-Transfer-Encoding",
					    NULL};
	for (size_t i = 0; names[i]; i++)
		if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0)
			return true;
	return false;
}

static bool named_by_caller(const cJSON *extra, const char *name, size_t len)
{
	const cJSON *item;
	cJSON_ArrayForEach(item, extra)
	{
		if (item->string && strlen(item->string) == len && strncasecmp(item->string, name, len) == 0)
			return true;
	}
	return false;
}

/* The header block of `msg` holds only expected fields, CRLF-terminated. */
static void check_headers(const char *msg, size_t len, const cJSON *extra)
{
	const char *end = strstr(msg, "\r\n\r\n");
	assert(end);
	for (const char *line = msg; line < end + 2;) {
		const char *eol = strstr(line, "\r\n");
		assert(eol && eol <= end + 2);
		for (const char *p = line; p < eol; p++)
			assert(*p != '\r' && *p != '\n' && *p != '\0');
		if (*line != ' ' && *line != '\t') {
			const char *colon = memchr(line, ':', (size_t)(eol - line));
			assert(colon);
			size_t name_len = (size_t)(colon - line);
			assert(written_here(line, name_len) || named_by_caller(extra, line, name_len));
		}
		line = eol + 2;
	}
	assert(strlen(msg) == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields f;
	if (!fuzz_fields_init(&f, data, size, 16))
		return 0;
	char *to_text = strdup(f.field[3]), *cc_text = strdup(f.field[4]);
	char *names_text = strdup(f.field[9]), *types_text = strdup(f.field[10]);
	const char *to[FUZZ_MAX_LIST], *cc[FUZZ_MAX_LIST], *names[FUZZ_MAX_LIST], *types[FUZZ_MAX_LIST];
	struct mime_attachment attachments[FUZZ_MAX_LIST];
	cJSON *extra = cJSON_Parse(f.field[12]);
	struct mime_message m = {
		.from_address = f.field[0],
		.from_name = opt(f.field[1]),
		.header_from = opt(f.field[2]),
		.to = to,
		.to_count = split(to_text, ',', to),
		.cc = cc,
		.cc_count = split(cc_text, ',', cc),
		.reply_to = opt(f.field[5]),
		.subject = f.field[6],
		.text = opt(f.field[7]),
		.html = opt(f.field[8]),
		.attachments = attachments,
		.attachment_count = split(names_text, '\n', names),
		.message_id = opt(f.field[11]),
		.extra_headers = extra,
		.list_unsubscribe = opt(f.field[13]),
		.date = strtoll(f.field[14], NULL, 10),
	};
	size_t type_count = split(types_text, '\n', types);
	for (size_t i = 0; i < m.attachment_count; i++) {
		attachments[i] = (struct mime_attachment){
			.file_name = names[i],
			.content_type = i < type_count ? opt(types[i]) : NULL,
			.data = (const unsigned char *)f.field[15],
			.len = f.count == 16 ? f.last_len : 0,
		};
	}
	char *out = NULL, detail[256];
	size_t len = 0;
	if (to_text && cc_text && names_text && types_text &&
	    mime_build(&m, FUZZ_MIME_MAX, &out, &len, detail, sizeof(detail)) == MIME_OK) {
		assert(len <= FUZZ_MIME_MAX && out[len] == '\0');
		check_headers(out, len, extra);
		struct mime_read_result read = {0};
		if (mime_read_parse(out, len, &read))
			mime_read_finish(&read);
	}
	free(out);
	cJSON_Delete(extra);
	free(to_text);
	free(cc_text);
	free(names_text);
	free(types_text);
	fuzz_fields_finish(&f);
	return 0;
}
