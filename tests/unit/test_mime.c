/*
 * Focus: server/mail/mime.c, the message writer. Each structure (text,
 * HTML, alternative, mixed with attachments, empty) is parsed back here by
 * a small independent reader: headers present once, CRLF only, line
 * lengths, boundaries only on delimiter lines and random, base64 of binary
 * attachments byte-exact, quoted-printable of long non-ASCII text exact,
 * encoded-word Subject, From and file names decoding to the original. Then
 * every header-injection path (subject, alias, HeaderFrom, addresses,
 * Reply-To, Message-ID, unsubscribe URL, SmtpHeaders names and values, file
 * names, content types) is tried, and the size ceiling at and past the
 * limit. Finally the attachment type list and file-name rules.
 */
#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>

#include "mail/mime.h"
#include "unit.h"

/* ---- a small reader of what mime_build writes ---- */

struct text {
	char *data;
	size_t len;
	size_t cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 64;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *d = realloc(t->data, cap);
		if (!d)
			abort();
		t->data = d;
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool prefix_nocase(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)prefix[i]))
			return false;
	return true;
}

/* Every CR is followed by LF and every LF preceded by CR. */
static bool crlf_only(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n'))
			return false;
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			return false;
	}
	return true;
}

/* The longest line (without CRLF) of `len` bytes. */
static size_t longest_line(const char *s, size_t len)
{
	size_t longest = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '\r') {
			if (i - start > longest)
				longest = i - start;
			start = i + 2;
			i++;
		}
	}
	return longest;
}

/* The header block of an entity (up to, not including, the blank line) and where its body starts. */
static size_t header_end(const char *s, size_t len, size_t *body)
{
	for (size_t i = 0; i + 3 < len; i++) {
		if (memcmp(s + i, "\r\n\r\n", 4) == 0) {
			*body = i + 4;
			return i + 2;
		}
	}
	*body = len;
	return len;
}

/* How many header lines (not continuations) named `name` the block holds. */
static int header_count(const char *h, size_t len, const char *name)
{
	int count = 0;
	size_t n = strlen(name);
	for (size_t i = 0; i < len; i++) {
		if ((i == 0 || h[i - 1] == '\n') && prefix_nocase(h + i, len - i, name) && i + n < len &&
		    h[i + n] == ':')
			count++;
	}
	return count;
}

/* The unfolded value of header `name` (leading blank dropped), or NULL. Caller frees. */
static char *header_value(const char *h, size_t len, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < len; i++) {
		if (!((i == 0 || h[i - 1] == '\n') && prefix_nocase(h + i, len - i, name) && i + n < len &&
		      h[i + n] == ':'))
			continue;
		struct text v = {0};
		text_add(&v, "", 0);
		size_t j = i + n + 1;
		for (; j < len; j++) {
			if (v.len == 0 && (h[j] == ' ' || h[j] == '\t'))
				continue; /* leading blanks are not part of the value */
			if (h[j] == '\r' && j + 2 < len && (h[j + 2] == ' ' || h[j + 2] == '\t')) {
				j++; /* unfold: drop CRLF, keep the blank */
				continue;
			}
			if (h[j] == '\r')
				break;
			text_add(&v, h + j, 1);
		}
		return v.data;
	}
	return NULL;
}

static unsigned char *base64_decode(const char *s, size_t len, size_t *out_len)
{
	struct text clean = {0};
	text_add(&clean, "", 0);
	for (size_t i = 0; i < len; i++)
		if (s[i] != '\r' && s[i] != '\n')
			text_add(&clean, s + i, 1);
	unsigned char *out = malloc(clean.len / 4 * 3 + 4);
	int n = EVP_DecodeBlock(out, (const unsigned char *)clean.data, (int)clean.len);
	if (n < 0) {
		free(out);
		free(clean.data);
		return NULL;
	}
	if (clean.len >= 1 && clean.data[clean.len - 1] == '=')
		n--;
	if (clean.len >= 2 && clean.data[clean.len - 2] == '=')
		n--;
	*out_len = (size_t)n;
	free(clean.data);
	return out;
}

/* Decode the RFC 2047 B words of `value`; blanks between two words are dropped. Caller frees. */
static char *decode_words(const char *value)
{
	struct text out = {0};
	text_add(&out, "", 0);
	const char *p = value;
	bool after_word = false;
	while (*p) {
		const char *blank_end = p;
		while (*blank_end == ' ' || *blank_end == '\t')
			blank_end++;
		if (after_word && strncmp(blank_end, "=?UTF-8?B?", 10) == 0)
			p = blank_end;
		if (strncmp(p, "=?UTF-8?B?", 10) == 0) {
			const char *end = strstr(p + 10, "?=");
			if (!end)
				break;
			size_t n = 0;
			unsigned char *bytes = base64_decode(p + 10, (size_t)(end - p - 10), &n);
			if (bytes)
				text_add(&out, (const char *)bytes, n);
			free(bytes);
			p = end + 2;
			after_word = true;
			continue;
		}
		text_add(&out, p, 1);
		p++;
		after_word = false;
	}
	return out.data;
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Quoted-printable decoding; false on a malformed escape (lowercase hex included). */
static bool qp_decode(const char *s, size_t len, struct text *out)
{
	text_add(out, "", 0);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '=') {
			text_add(out, s + i, 1);
			continue;
		}
		if (i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (i + 2 >= len || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
			return false;
		char c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
		text_add(out, &c, 1);
		i += 2;
	}
	return true;
}

/* The value of parameter `name` ("name=\"...\"" or bare token) in an unfolded header value. Caller frees. */
static char *param_value(const char *value, const char *name)
{
	char key[64];
	snprintf(key, sizeof(key), "%s=", name);
	const char *p = value;
	while ((p = strstr(p, key)) != NULL) {
		if (p == value || p[-1] == ' ' || p[-1] == ';')
			break;
		p++;
	}
	if (!p)
		return NULL;
	p += strlen(key);
	struct text v = {0};
	text_add(&v, "", 0);
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			text_add(&v, p, 1);
		}
	} else {
		for (; *p && *p != ';' && *p != ' '; p++)
			text_add(&v, p, 1);
	}
	return v.data;
}

/* RFC 2231: filename* or filename*0*, filename*1*, ... joined and percent-decoded (UTF-8''). Caller frees. */
static char *rfc2231_value(const char *value, const char *name)
{
	struct text joined = {0};
	text_add(&joined, "", 0);
	char key[64];
	snprintf(key, sizeof(key), "%s*=", name);
	const char *single = strstr(value, key);
	if (single) {
		const char *p = single + strlen(key);
		size_t n = strcspn(p, "; ");
		text_add(&joined, p, n);
	} else {
		for (int part = 0;; part++) {
			snprintf(key, sizeof(key), "%s*%d*=", name, part);
			const char *p = strstr(value, key);
			if (!p)
				break;
			p += strlen(key);
			text_add(&joined, p, strcspn(p, "; "));
		}
	}
	if (strncmp(joined.data, "UTF-8''", 7) != 0) {
		free(joined.data);
		return NULL;
	}
	struct text out = {0};
	text_add(&out, "", 0);
	for (size_t i = 7; i < joined.len; i++) {
		if (joined.data[i] == '%' && i + 2 < joined.len) {
			char c = (char)(hex_value(joined.data[i + 1]) * 16 + hex_value(joined.data[i + 2]));
			text_add(&out, &c, 1);
			i += 2;
		} else {
			text_add(&out, joined.data + i, 1);
		}
	}
	free(joined.data);
	return out.data;
}

/* One entity of a message: its header block and body. */
struct entity {
	const char *headers;
	size_t headers_len;
	const char *body;
	size_t body_len;
};

static struct entity entity_of(const char *s, size_t len)
{
	struct entity e;
	size_t body;
	e.headers = s;
	e.headers_len = header_end(s, len, &body);
	e.body = s + body;
	e.body_len = len - body;
	return e;
}

/*
 * Split a multipart body on `boundary` into at most `max` parts. Checks on
 * the way that the boundary occurs only on delimiter lines and that the
 * close delimiter is there. Returns the number of parts.
 */
static size_t split_multipart(const struct entity *e, const char *boundary, struct entity *parts, size_t max)
{
	char delimiter[128];
	int dn = snprintf(delimiter, sizeof(delimiter), "--%s", boundary);
	size_t count = 0, occurrences = 0, lines = 0;
	const char *start = NULL;
	const char *s = e->body;
	size_t len = e->body_len;
	for (size_t i = 0; i + strlen(boundary) <= len; i++)
		if (memcmp(s + i, boundary, strlen(boundary)) == 0)
			occurrences++;
	for (size_t i = 0; i + (size_t)dn <= len; i++) {
		if (memcmp(s + i, delimiter, (size_t)dn) != 0 || (i > 0 && s[i - 1] != '\n'))
			continue;
		lines++;
		if (start && count < max) {
			size_t end = i >= 2 ? i - 2 : i; /* the CRLF before belongs to the delimiter */
			parts[count++] = entity_of(start, (size_t)(s + end - start));
		}
		bool close = i + (size_t)dn + 2 <= len && memcmp(s + i + dn, "--", 2) == 0;
		if (close)
			break;
		start = s + i + dn + 2;
	}
	CHECK_INT(occurrences, lines);
	CHECK_INT(lines, count + 1);
	return count;
}

/* A built message, its header block and the decoded bits most tests look at. */
struct parsed {
	char *raw;
	size_t len;
	struct entity top;
};

static enum mime_status build(const struct mime_message *m, size_t max, struct parsed *p, char *detail,
			      size_t detail_size)
{
	memset(p, 0, sizeof(*p));
	enum mime_status s = mime_build(m, max, &p->raw, &p->len, detail, detail_size);
	if (s == MIME_OK) {
		CHECK(p->raw != NULL);
		CHECK_INT(strlen(p->raw), p->len);
		CHECK(p->len <= max);
		CHECK(crlf_only(p->raw, p->len));
		CHECK(longest_line(p->raw, p->len) <= 998);
		p->top = entity_of(p->raw, p->len);
		/* header lines stay within 78 columns for every input used here */
		CHECK(longest_line(p->top.headers, p->top.headers_len) <= 78);
	} else {
		CHECK(p->raw == NULL);
		CHECK_INT(p->len, 0);
	}
	return s;
}

static void parsed_finish(struct parsed *p)
{
	free(p->raw);
	memset(p, 0, sizeof(*p));
}

static char *top_header(const struct parsed *p, const char *name)
{
	return header_value(p->top.headers, p->top.headers_len, name);
}

/* Decode a quoted-printable body and compare with `want`. */
static void check_qp_body(const struct entity *e, const char *want)
{
	struct text decoded = {0};
	CHECK(longest_line(e->body, e->body_len) <= 76);
	if (CHECK(qp_decode(e->body, e->body_len, &decoded)))
		CHECK(decoded.len == strlen(want) && memcmp(decoded.data, want, decoded.len) == 0);
	free(decoded.data);
}

static const char *const one_to[] = {"to@example.com"};

static struct mime_message basic(void)
{
	struct mime_message m = {
		.from_address = "sender@mail.example.com",
		.to = one_to,
		.to_count = 1,
		.subject = "Hello",
		.text = "Hi there.",
		.message_id = "0100019a-abc@ses-emulator.local",
		.date = 1700000000,
	};
	return m;
}

/* ---- structures ---- */

static void test_text_only(void)
{
	struct mime_message m = basic();
	static const char *const cc[] = {"cc1@example.com", "cc2@example.com"};
	m.cc = cc;
	m.cc_count = 2;
	m.reply_to = "reply@example.com";
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) != MIME_OK)
		return (void)CHECK(false);
	const char *once[] = {"Date",    "From",       "To",           "Cc",           "Reply-To",
			      "Subject", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"};
	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		CHECK_INT(header_count(p.top.headers, p.top.headers_len, once[i]), 1);
	CHECK_INT(header_count(p.top.headers, p.top.headers_len, "Bcc"), 0);
	CHECK_INT(header_count(p.top.headers, p.top.headers_len, "List-Unsubscribe"), 0);
	char *v = top_header(&p, "Content-Type");
	CHECK_STR(v, "text/plain; charset=UTF-8");
	free(v);
	v = top_header(&p, "Content-Transfer-Encoding");
	CHECK_STR(v, "quoted-printable");
	free(v);
	v = top_header(&p, "MIME-Version");
	CHECK_STR(v, "1.0");
	free(v);
	v = top_header(&p, "Date");
	CHECK_STR(v, "Wed, 15 Nov 2023 06:13:20 +0800");
	free(v);
	v = top_header(&p, "Message-ID");
	CHECK_STR(v, "<0100019a-abc@ses-emulator.local>");
	free(v);
	v = top_header(&p, "From");
	CHECK_STR(v, "sender@mail.example.com");
	free(v);
	v = top_header(&p, "Cc");
	CHECK_STR(v, "cc1@example.com, cc2@example.com");
	free(v);
	v = top_header(&p, "Reply-To");
	CHECK_STR(v, "reply@example.com");
	free(v);
	v = top_header(&p, "Subject");
	CHECK_STR(v, "Hello");
	free(v);
	check_qp_body(&p.top, "Hi there.");
	/* the message ends with CRLF */
	CHECK(p.len >= 2 && memcmp(p.raw + p.len - 2, "\r\n", 2) == 0);
	parsed_finish(&p);

	/* the Date header at the epoch, and a leap day */
	m.date = 0;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		v = top_header(&p, "Date");
		CHECK_STR(v, "Thu, 01 Jan 1970 08:00:00 +0800");
		free(v);
	}
	parsed_finish(&p);
	m.date = 1709222399; /* 2024-02-29 23:59:59 +0800 */
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		v = top_header(&p, "Date");
		CHECK_STR(v, "Thu, 29 Feb 2024 23:59:59 +0800");
		free(v);
	}
	parsed_finish(&p);
	/* the ends of the clock's range: four-digit years, never 0000 or 10000 */
	static const struct {
		int64_t when;
		const char *date;
	} ends[] = {
		{INT64_MIN / 2, "Mon, 01 Jan 0001 08:00:00 +0800"},
		{-62135596800LL, "Mon, 01 Jan 0001 08:00:00 +0800"},
		{253402300799LL - 8 * 3600, "Fri, 31 Dec 9999 23:59:59 +0800"},
		{253402300799LL, "Fri, 31 Dec 9999 23:59:59 +0800"},
		{INT64_MAX / 2, "Fri, 31 Dec 9999 23:59:59 +0800"},
		{946656000LL, "Sat, 01 Jan 2000 00:00:00 +0800"},
	};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		m.date = ends[i].when;
		if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
			v = top_header(&p, "Date");
			CHECK_STR(v, ends[i].date);
			free(v);
		}
		parsed_finish(&p);
	}
}

static void test_html_only_and_empty(void)
{
	struct mime_message m = basic();
	m.text = NULL;
	m.html = "<p>Hello <b>world</b></p>\r\n";
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		char *v = top_header(&p, "Content-Type");
		CHECK_STR(v, "text/html; charset=UTF-8");
		free(v);
		check_qp_body(&p.top, "<p>Hello <b>world</b></p>\r\n");
	}
	parsed_finish(&p);
	/* neither: an empty text/plain body; no Message-ID when none is given */
	m.html = NULL;
	m.message_id = NULL;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		char *v = top_header(&p, "Content-Type");
		CHECK_STR(v, "text/plain; charset=UTF-8");
		free(v);
		CHECK_INT(header_count(p.top.headers, p.top.headers_len, "Message-ID"), 0);
		check_qp_body(&p.top, "");
	}
	parsed_finish(&p);
}

/* The boundary parameter of a multipart Content-Type, checked against the expected subtype. Caller frees. */
static char *boundary_of(const struct entity *e, const char *subtype)
{
	char *type = header_value(e->headers, e->headers_len, "Content-Type");
	char want[64];
	snprintf(want, sizeof(want), "multipart/%s;", subtype);
	CHECK(type && strncmp(type, want, strlen(want)) == 0);
	char *b = type ? param_value(type, "boundary") : NULL;
	free(type);
	CHECK(b && strncmp(b, "=_", 2) == 0 && strlen(b) >= 32);
	return b;
}

static void test_alternative(void)
{
	struct mime_message m = basic();
	m.text = "plain = text\n";
	m.html = "<p>html</p>";
	struct parsed p;
	char *first = NULL;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		first = boundary_of(&p.top, "alternative");
		struct entity parts[4];
		if (first && CHECK_INT(split_multipart(&p.top, first, parts, 4), 2)) {
			char *v = header_value(parts[0].headers, parts[0].headers_len, "Content-Type");
			CHECK_STR(v, "text/plain; charset=UTF-8");
			free(v);
			check_qp_body(&parts[0], "plain = text\r\n");
			v = header_value(parts[1].headers, parts[1].headers_len, "Content-Type");
			CHECK_STR(v, "text/html; charset=UTF-8");
			free(v);
			check_qp_body(&parts[1], "<p>html</p>");
		}
		CHECK_INT(header_count(p.top.headers, p.top.headers_len, "Content-Transfer-Encoding"), 0);
	}
	parsed_finish(&p);
	/* boundaries are random: a second build has another */
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		char *second = boundary_of(&p.top, "alternative");
		CHECK(first && second && strcmp(first, second) != 0);
		free(second);
	}
	free(first);
	parsed_finish(&p);
}

static void test_attachments(void)
{
	unsigned char binary[256 * 3 + 7];
	for (size_t i = 0; i < sizeof(binary); i++)
		binary[i] = (unsigned char)(i * 7 + i / 256);
	for (size_t i = 0; i < 256; i++)
		binary[i] = (unsigned char)i; /* every byte value, in order */
	const char *long_name = "报告-季度总结-2024年第三季度-财务部门-最终版本-请勿外传-附录与补充材料合集.pdf";
	struct mime_attachment atts[] = {
		{"all-bytes.bin", NULL, binary, sizeof(binary)},
		{"report.PDF", NULL, (const unsigned char *)"%PDF-1.4", 8},
		{long_name, NULL, (const unsigned char *)"x", 1},
		{"say \"hi\".txt", "text/plain", (const unsigned char *)"", 0},
	};
	struct mime_message m = basic();
	m.html = "<p>both</p>";
	m.attachments = atts;
	m.attachment_count = 4;
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) != MIME_OK)
		return (void)CHECK(false);
	char *mixed = boundary_of(&p.top, "mixed");
	struct entity parts[8];
	if (!mixed || !CHECK_INT(split_multipart(&p.top, mixed, parts, 8), 5)) {
		free(mixed);
		parsed_finish(&p);
		return;
	}
	/* first the alternative body, with its own boundary */
	char *alt = boundary_of(&parts[0], "alternative");
	CHECK(alt && strcmp(alt, mixed) != 0);
	struct entity body[4];
	if (alt && CHECK_INT(split_multipart(&parts[0], alt, body, 4), 2)) {
		check_qp_body(&body[0], "Hi there.");
		check_qp_body(&body[1], "<p>both</p>");
	}
	free(alt);
	/* then each attachment */
	const char *types[] = {"application/octet-stream", "application/pdf", "application/pdf", "text/plain"};
	for (size_t i = 0; i < 4; i++) {
		struct entity *e = &parts[i + 1];
		char *type = header_value(e->headers, e->headers_len, "Content-Type");
		char *disposition = header_value(e->headers, e->headers_len, "Content-Disposition");
		char *encoding = header_value(e->headers, e->headers_len, "Content-Transfer-Encoding");
		CHECK(type && strncmp(type, types[i], strlen(types[i])) == 0 && type[strlen(types[i])] == ';');
		CHECK(disposition && strncmp(disposition, "attachment;", 11) == 0);
		CHECK_STR(encoding, "base64");
		/* the name: plain filename=, or RFC 2231; name= plain or encoded-words */
		char *filename = disposition ? param_value(disposition, "filename") : NULL;
		if (!filename && disposition)
			filename = rfc2231_value(disposition, "filename");
		CHECK_STR(filename, atts[i].file_name);
		char *name = type ? param_value(type, "name") : NULL;
		char *decoded = name ? decode_words(name) : NULL;
		CHECK_STR(decoded, atts[i].file_name);
		/* content byte for byte, in 76-column lines */
		CHECK(longest_line(e->body, e->body_len) <= 76);
		size_t n = 0;
		unsigned char *data = base64_decode(e->body, e->body_len, &n);
		CHECK(data && n == atts[i].len && memcmp(data, atts[i].data, n) == 0);
		free(data);
		free(name);
		free(decoded);
		free(filename);
		free(type);
		free(disposition);
		free(encoding);
	}
	free(mixed);
	parsed_finish(&p);
}

/* a single body inside mixed; a large random-looking binary */
static void test_attachment_large(void)
{
	struct entity parts[8];
	struct parsed p;
	char *mixed;
	struct mime_message m;
	size_t big_len = 100000;
	unsigned char *big = malloc(big_len);
	for (size_t i = 0; big && i < big_len; i++)
		big[i] = (unsigned char)((i * 2654435761u) >> 13);
	struct mime_attachment one = {"data.zip", NULL, big, big_len};
	m = basic();
	m.attachments = &one;
	m.attachment_count = 1;
	if (big && build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		mixed = boundary_of(&p.top, "mixed");
		if (mixed && CHECK_INT(split_multipart(&p.top, mixed, parts, 8), 2)) {
			char *v = header_value(parts[0].headers, parts[0].headers_len, "Content-Type");
			CHECK_STR(v, "text/plain; charset=UTF-8");
			free(v);
			check_qp_body(&parts[0], "Hi there.");
			size_t n = 0;
			unsigned char *data = base64_decode(parts[1].body, parts[1].body_len, &n);
			CHECK(data && n == big_len && memcmp(data, big, n) == 0);
			free(data);
			v = header_value(parts[1].headers, parts[1].headers_len, "Content-Type");
			CHECK_STR(v, "application/zip; name=\"data.zip\"");
			free(v);
		}
		free(mixed);
	}
	parsed_finish(&p);
	free(big);
}

/* ---- encodings ---- */

static void test_quoted_printable(void)
{
	/* long non-ASCII lines, '=' signs, trailing blanks, a leading dot, a bare CR, tabs */
	struct text in = {0};
	text_add(&in, "", 0);
	const char *sentence = "邮件推送服务测试，包含中文、日本語、한국어 and emoji 😀🎉. ";
	const char *tail = "\r\n.leading dot\r\nx=1; y==2 \r\ntrailing tab\t\r\nbare\rCR\r\nend without newline   ";
	for (int i = 0; i < 40; i++)
		text_add(&in, sentence, strlen(sentence));
	text_add(&in, tail, strlen(tail));
	struct mime_message m = basic();
	m.text = in.data;
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		check_qp_body(&p.top, in.data);
		/* no line of the body starts with a dot, none ends with a blank */
		for (size_t i = 0; i < p.top.body_len; i++) {
			if (i > 0 && p.top.body[i - 1] == '\n')
				CHECK(p.top.body[i] != '.');
			if (p.top.body[i] == '\r')
				CHECK(i == 0 || (p.top.body[i - 1] != ' ' && p.top.body[i - 1] != '\t'));
		}
	}
	parsed_finish(&p);
	/* bare LF line breaks become CRLF (text's canonical form) */
	m.text = "one\ntwo\n\nthree";
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK)
		check_qp_body(&p.top, "one\r\ntwo\r\n\r\nthree");
	parsed_finish(&p);
	/* a long line without spaces is cut by soft breaks, never inside an escape */
	char line[1000];
	memset(line, '=', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	m.text = line;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK)
		check_qp_body(&p.top, line);
	parsed_finish(&p);
	free(in.data);
}

static void test_subject(void)
{
	struct mime_message m = basic();
	struct parsed p;
	const char *subjects[] = {
		"邮件推送 SES 测试：这是一个很长的中文主题，用来检查编码词是否在 UTF-8 "
		"字符边界上切分，并且每个编码词不超过七十五个字符。😀🎉",
		"A plain ASCII subject that is long enough to need folding because it goes well past the seventy-eight "
		"column soft limit of RFC 5322, twice over in fact, to see several continuation lines",
		"Looks like =?UTF-8?B?SGk=?= an encoded word",
		"  leading and trailing blanks  ",
		"double  spaces   kept",
		"tab\there",
		"Ünïcödé",
		"",
		"x",
	};
	for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
		m.subject = subjects[i];
		if (build(&m, 1 << 20, &p, NULL, 0) != MIME_OK) {
			CHECK(false);
			continue;
		}
		CHECK_INT(header_count(p.top.headers, p.top.headers_len, "Subject"), 1);
		char *raw = top_header(&p, "Subject");
		char *decoded = raw ? decode_words(raw) : NULL;
		CHECK_STR(decoded, subjects[i]);
		/* encoded-words at most 75 characters */
		for (const char *w = raw; w && (w = strstr(w, "=?UTF-8?B?")) != NULL; w++) {
			const char *end = strstr(w + 10, "?=");
			CHECK(end && end + 2 - w <= 75);
		}
		free(raw);
		free(decoded);
		parsed_finish(&p);
	}
	/* NULL subject: an empty Subject header */
	m.subject = NULL;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		char *v = top_header(&p, "Subject");
		CHECK_STR(v, "");
		free(v);
	}
	parsed_finish(&p);
}

static void test_from(void)
{
	struct {
		const char *name, *header_from, *want_name, *want_address;
	} cases[] = {
		{"Alias", NULL, "Alias", "sender@mail.example.com"},
		{"Quote \" and \\ backslash", NULL, "Quote \" and \\ backslash", "sender@mail.example.com"},
		{"腾讯云邮件", NULL, "腾讯云邮件", "sender@mail.example.com"},
		{"A very long display name that goes on and on past sixty characters for sure", NULL,
		 "A very long display name that goes on and on past sixty characters for sure",
		 "sender@mail.example.com"},
		{NULL, "Header Name <other@example.com>", "Header Name", "other@example.com"},
		{NULL, "\"Quoted, Name\" <other@example.com>", "Quoted, Name", "other@example.com"},
		{NULL, "  other@example.com  ", "", "other@example.com"},
		{NULL, "<other@example.com>", "", "other@example.com"},
		{NULL, "名字 <other@example.com>", "名字", "other@example.com"},
		{"ignored", "x@example.com", "", "x@example.com"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mime_message m = basic();
		m.from_name = cases[i].name;
		m.header_from = cases[i].header_from;
		struct parsed p;
		if (build(&m, 1 << 20, &p, NULL, 0) != MIME_OK) {
			CHECK(false);
			continue;
		}
		char *from = top_header(&p, "From");
		char want[256];
		if (cases[i].want_name[0] == '\0') {
			CHECK_STR(from, cases[i].want_address);
		} else if (from && from[0] == '"') {
			/* quoted-string: unescape and compare */
			struct text n = {0};
			text_add(&n, "", 0);
			const char *q = from + 1;
			for (; *q && *q != '"'; q++) {
				if (*q == '\\')
					q++;
				text_add(&n, q, 1);
			}
			CHECK_STR(n.data, cases[i].want_name);
			snprintf(want, sizeof(want), " <%s>", cases[i].want_address);
			CHECK_STR(q + 1, want);
			free(n.data);
		} else {
			char *decoded = from ? decode_words(from) : NULL;
			snprintf(want, sizeof(want), "%s <%s>", cases[i].want_name, cases[i].want_address);
			CHECK_STR(decoded, want);
			free(decoded);
		}
		free(from);
		parsed_finish(&p);
	}
}

static void test_address_lists(void)
{
	static char storage[50][40];
	const char *to[50];
	for (int i = 0; i < 50; i++) {
		snprintf(storage[i], sizeof(storage[i]), "recipient-%02d@example.com", i);
		to[i] = storage[i];
	}
	struct mime_message m = basic();
	m.to = to;
	m.to_count = 50;
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		char *v = top_header(&p, "To");
		struct text want = {0};
		text_add(&want, "", 0);
		for (int i = 0; i < 50; i++) {
			if (i)
				text_add(&want, ", ", 2);
			text_add(&want, to[i], strlen(to[i]));
		}
		CHECK_STR(v, want.data);
		free(want.data);
		free(v);
	}
	parsed_finish(&p);
}

static void test_extra_headers_and_unsubscribe(void)
{
	struct mime_message m = basic();
	cJSON *h = cJSON_Parse("{\"X-Campaign\":\"spring-2024\",\"X-Note\":\"中文值\",\"X-Empty\":\"\","
			       "\"In-Reply-To\":\"<a@b>\"}");
	m.extra_headers = h;
	m.list_unsubscribe = "https://emulator.local/_emulator/unsubscribe/0100019a-abc?x=1&y=2";
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		char *v = top_header(&p, "X-Campaign");
		CHECK_STR(v, "spring-2024");
		free(v);
		v = top_header(&p, "X-Note");
		char *decoded = v ? decode_words(v) : NULL;
		CHECK(v && strncmp(v, "=?UTF-8?B?", 10) == 0);
		CHECK_STR(decoded, "中文值");
		free(decoded);
		free(v);
		v = top_header(&p, "X-Empty");
		CHECK_STR(v, "");
		free(v);
		v = top_header(&p, "In-Reply-To");
		CHECK_STR(v, "<a@b>");
		free(v);
		v = top_header(&p, "List-Unsubscribe");
		CHECK_STR(v, "<https://emulator.local/_emulator/unsubscribe/0100019a-abc?x=1&y=2>");
		free(v);
		v = top_header(&p, "List-Unsubscribe-Post");
		CHECK_STR(v, "List-Unsubscribe=One-Click");
		free(v);
		CHECK_INT(header_count(p.top.headers, p.top.headers_len, "X-Campaign"), 1);
	}
	parsed_finish(&p);
	cJSON_Delete(h);
}

/* ---- injection ---- */

/* The build fails with MIME_BAD_HEADER and a detail. */
static void check_refused(const struct mime_message *m, const char *what)
{
	struct parsed p;
	char detail[160] = "unset";
	enum mime_status s = build(m, 1 << 20, &p, detail, sizeof(detail));
	if (!CHECK_INT(s, MIME_BAD_HEADER))
		fprintf(stderr, "  (not refused: %s)\n", what);
	CHECK(detail[0] != '\0' && strcmp(detail, "unset") != 0);
	parsed_finish(&p);
}

/* No header line of the message is named `name`. */
static void check_no_header(const struct mime_message *m, const char *name)
{
	struct parsed p;
	if (build(m, 1 << 20, &p, NULL, 0) == MIME_OK)
		CHECK_INT(header_count(p.raw, p.len, name), 0);
	parsed_finish(&p);
}

static const char evil[] = "x@example.com\r\nBcc: victim@example.com";

/* Subject: encoded, never a new line */
static void test_injection_subject(void)
{
	struct mime_message m = basic();
	m.subject = "Hi\r\nBcc: victim@example.com\r\n\r\nbody";
	check_no_header(&m, "Bcc");
	m.subject = "Hi\nBcc: victim@example.com";
	check_no_header(&m, "Bcc");
	m.subject = "Hi\rBcc: victim@example.com";
	check_no_header(&m, "Bcc");
}

/* addresses and display names: refused */
static void test_injection_addresses(void)
{
	static const char *const evil_list[] = {"ok@example.com", evil};
	struct mime_message m = basic();
	m.from_address = evil;
	check_refused(&m, "From address");
	m = basic();
	m.from_address = "Name <x@example.com>";
	check_refused(&m, "From address with a name");
	m = basic();
	m.from_address = NULL;
	check_refused(&m, "no From address");
	m = basic();
	m.from_name = "Alias\r\nBcc: victim@example.com";
	check_refused(&m, "alias CRLF");
	m.from_name = "Alias\x85";
	check_refused(&m, "alias invalid UTF-8");
	m.from_name = "Alias\xc2\x85";
	check_refused(&m, "alias C1 control");
	m = basic();
	m.to = evil_list;
	m.to_count = 2;
	check_refused(&m, "To");
	m = basic();
	m.cc = evil_list;
	m.cc_count = 2;
	check_refused(&m, "Cc");
	static const char *const comma[] = {"a@example.com, b@example.com"};
	m = basic();
	m.to = comma;
	check_refused(&m, "two addresses in one");
	m = basic();
	m.reply_to = evil;
	check_refused(&m, "Reply-To");
	m.reply_to = "reply@example.com>";
	check_refused(&m, "Reply-To bracket");
}

static void test_injection_header_from(void)
{
	/* the envelope sender is checked even when HeaderFrom replaces it */
	struct mime_message m = basic();
	m.header_from = "ok@example.com";
	m.from_address = evil;
	check_refused(&m, "From address under HeaderFrom");
	const char *bad_from[] = {
		"Name <x@example.com>\r\nBcc: victim@example.com",
		"Name\r\n <x@example.com>",
		"a@example.com, b@example.com",
		"Name <x@example.com",
		"<x@example.com> trailing",
		"Name <>",
		"",
		"no-at-sign",
	};
	for (size_t i = 0; i < sizeof(bad_from) / sizeof(bad_from[0]); i++) {
		m = basic();
		m.header_from = bad_from[i];
		check_refused(&m, bad_from[i]);
	}
}

/* Message-ID and the unsubscribe URL */
static void test_injection_ids(void)
{
	struct mime_message m = basic();
	m.message_id = "id@example.com>\r\nBcc: victim@example.com";
	check_refused(&m, "Message-ID CRLF");
	m.message_id = "id@example.com> <other@example.com";
	check_refused(&m, "Message-ID brackets");
	m.message_id = "no-at";
	check_refused(&m, "Message-ID without @");
	m = basic();
	m.list_unsubscribe = "https://x/\r\nBcc: victim@example.com";
	check_refused(&m, "unsubscribe CRLF");
	m.list_unsubscribe = "https://x/>, <mailto:a@b";
	check_refused(&m, "unsubscribe brackets");
}

/* SmtpHeaders names: field-name syntax, reserved names, repeats */
static void test_injection_header_names(void)
{
	struct mime_message m;
	const char *bad_names[] = {
		"{\"X-Bad\\r\\nBcc\":\"v\"}",
		"{\"X Bad\":\"v\"}",
		"{\"X:Bad\":\"v\"}",
		"{\"\":\"v\"}",
		"{\"From\":\"a@b.c\"}",
		"{\"bcc\":\"v@b.c\"}",
		"{\"TO\":\"v@b.c\"}",
		"{\"Cc\":\"v@b.c\"}",
		"{\"Subject\":\"v\"}",
		"{\"Date\":\"v\"}",
		"{\"message-id\":\"<v@b>\"}",
		"{\"MIME-Version\":\"2\"}",
		"{\"Content-Type\":\"text/html\"}",
		"{\"content-transfer-encoding\":\"8bit\"}",
		"{\"Reply-To\":\"v@b.c\"}",
		"{\"List-Unsubscribe\":\"<x>\"}",
		"{\"X-A\":\"1\",\"x-a\":\"2\"}",
		"{\"X-Ünï\":\"v\"}",
	};
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		cJSON *h = cJSON_Parse(bad_names[i]);
		if (!CHECK(h != NULL))
			continue;
		m = basic();
		m.extra_headers = h;
		check_refused(&m, bad_names[i]);
		cJSON_Delete(h);
	}
}

/* SmtpHeaders values: control characters, types; the count ceiling */
static void test_injection_header_values(void)
{
	struct mime_message m;
	const char *bad_values[] = {
		"{\"X-A\":\"v\\r\\nBcc: victim@example.com\"}",
		"{\"X-A\":\"v\\nBcc: victim@example.com\"}",
		"{\"X-A\":\"v\\rx\"}",
		"{\"X-A\":\"v\\u0000x\"}",
		"{\"X-A\":1}",
		"{\"X-A\":null}",
		"{\"X-A\":[\"v\"]}",
		"[\"X-A\"]",
	};
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		cJSON *h = cJSON_Parse(bad_values[i]);
		if (!CHECK(h != NULL))
			continue;
		m = basic();
		m.extra_headers = h;
		if (i == 3) {
			/* cJSON cuts the string at \u0000: what is left is harmless */
			check_no_header(&m, "Bcc");
		} else {
			check_refused(&m, bad_values[i]);
		}
		cJSON_Delete(h);
	}
	/* more than the ceiling of extra headers */
	cJSON *many = cJSON_CreateObject();
	for (int i = 0; i < 51; i++) {
		char name[16];
		snprintf(name, sizeof(name), "X-H%d", i);
		cJSON_AddStringToObject(many, name, "v");
	}
	m = basic();
	m.extra_headers = many;
	check_refused(&m, "51 extra headers");
	cJSON_DeleteItemFromObject(many, "X-H50");
	struct parsed p;
	CHECK_INT(build(&m, 1 << 20, &p, NULL, 0), MIME_OK);
	parsed_finish(&p);
	cJSON_Delete(many);
}

/* attachments: names and types */
static void test_injection_attachments(void)
{
	struct mime_attachment att = {"a.txt", NULL, (const unsigned char *)"x", 1};
	struct mime_message m = basic();
	m.attachments = &att;
	m.attachment_count = 1;
	const char *bad_files[] = {
		"a\r\nBcc: victim@example.com.txt", "../a.txt", "a\\b.txt", "", ".", "..", "a\x7f.txt"};
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		att.file_name = bad_files[i];
		check_refused(&m, bad_files[i]);
	}
	att.file_name = "a.txt";
	const char *bad_types[] = {"text/plain\r\nBcc: victim@example.com",
				   "text/plain; charset=x",
				   "text",
				   "text/",
				   "/plain",
				   "text/pl ain",
				   "a/b/c"};
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		att.content_type = bad_types[i];
		check_refused(&m, bad_types[i]);
	}
	att.content_type = NULL;
	att.data = NULL;
	check_refused(&m, "attachment without data");
	/* a file name with quotes and a header-looking text stays inside its parameter */
	att.data = (const unsigned char *)"x";
	att.file_name = "x\"; Bcc: victim@example.com.txt";
	check_no_header(&m, "Bcc");
}

/* ---- the ceiling ---- */

static void test_too_large(void)
{
	struct mime_message m = basic();
	unsigned char data[3000];
	memset(data, 0xab, sizeof(data));
	struct mime_attachment att = {"a.bin", NULL, data, sizeof(data)};
	m.attachments = &att;
	m.attachment_count = 1;
	m.html = "<p>x</p>";
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) != MIME_OK)
		return (void)CHECK(false);
	size_t exact = p.len;
	parsed_finish(&p);
	/* boundaries are random but of fixed length, so the size is too */
	CHECK_INT(build(&m, exact, &p, NULL, 0), MIME_OK);
	CHECK_INT(p.len, exact);
	parsed_finish(&p);
	char detail[80];
	CHECK_INT(build(&m, exact - 1, &p, detail, sizeof(detail)), MIME_TOO_LARGE);
	CHECK(detail[0] != '\0');
	CHECK_INT(build(&m, 100, &p, NULL, 0), MIME_TOO_LARGE);
	CHECK_INT(build(&m, 0, &p, NULL, 0), MIME_TOO_LARGE);
	/* an attachment far beyond the ceiling fails before it is encoded */
	att.len = (size_t)1 << 40;
	CHECK_INT(build(&m, 1 << 20, &p, NULL, 0), MIME_TOO_LARGE);
	/* bad input is reported as such whatever the ceiling */
	att.len = sizeof(data);
	m.reply_to = "bad address";
	CHECK_INT(build(&m, 10, &p, NULL, 0), MIME_BAD_HEADER);
}

/* ---- names and types ---- */

static void test_content_type(void)
{
	CHECK_STR(mime_content_type("report.pdf"), "application/pdf");
	CHECK_STR(mime_content_type("REPORT.PDF"), "application/pdf");
	CHECK_STR(mime_content_type("photo.JpG"), "image/jpeg");
	CHECK_STR(mime_content_type("archive.tar.gz"), "application/gzip");
	CHECK_STR(mime_content_type("sheet.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	CHECK_STR(mime_content_type("notes.txt"), "text/plain");
	CHECK_STR(mime_content_type("invite.ics"), "text/calendar");
	CHECK_STR(mime_content_type("mail.eml"), "message/rfc822");
	CHECK_STR(mime_content_type("报告.docx"),
		  "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
	const char *refused[] = {"setup.exe",   "run.bat",   "run.cmd",   "app.js", "x.vbs",       "x.jar",
				 "x.msi",       "x.ps1",     "x.scr",     "x.sh",   "x.com",       "image.svg",
				 "noextension", "trailing.", "x.pdf.exe", "",       "x.unknownext"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(mime_content_type(refused[i]) == NULL);
	CHECK(mime_content_type(NULL) == NULL);
}

static void test_file_name_valid(void)
{
	char name[300];
	memset(name, 'a', sizeof(name));
	name[255] = '\0';
	CHECK(mime_file_name_valid(name));
	name[255] = 'a';
	name[256] = '\0';
	CHECK(!mime_file_name_valid(name));
	CHECK(mime_file_name_valid("a"));
	CHECK(mime_file_name_valid("报告 2024 (final).pdf"));
	CHECK(mime_file_name_valid("..."));
	CHECK(mime_file_name_valid(".hidden"));
	CHECK(!mime_file_name_valid(NULL));
	CHECK(!mime_file_name_valid(""));
	CHECK(!mime_file_name_valid("."));
	CHECK(!mime_file_name_valid(".."));
	CHECK(!mime_file_name_valid("a/b"));
	CHECK(!mime_file_name_valid("a\\b"));
	CHECK(!mime_file_name_valid("a\tb"));
	CHECK(!mime_file_name_valid("a\nb"));
	CHECK(!mime_file_name_valid("a\x7f"));
	CHECK(!mime_file_name_valid("a\xc2\x85"));
	CHECK(!mime_file_name_valid("\xff.pdf"));
	CHECK(!mime_file_name_valid("\xe4\xb8.pdf"));
	/* 255 bytes of three-byte characters: 85 of them */
	name[0] = '\0';
	for (int i = 0; i < 85; i++)
		memcpy(name + 3 * i, "报", 3);
	name[255] = '\0';
	CHECK(mime_file_name_valid(name));
	/* and such a name writes lines within 78 columns, decoding back exactly */
	struct mime_attachment att = {name, NULL, (const unsigned char *)"x", 1};
	struct mime_message m = basic();
	m.attachments = &att;
	m.attachment_count = 1;
	struct parsed p;
	if (build(&m, 1 << 20, &p, NULL, 0) == MIME_OK) {
		CHECK(longest_line(p.raw, p.len) <= 78);
		char *mixed = boundary_of(&p.top, "mixed");
		struct entity parts[2];
		if (mixed && CHECK_INT(split_multipart(&p.top, mixed, parts, 2), 2)) {
			char *d = header_value(parts[1].headers, parts[1].headers_len, "Content-Disposition");
			char *f = d ? rfc2231_value(d, "filename") : NULL;
			CHECK_STR(f, name);
			free(f);
			free(d);
		}
		free(mixed);
	}
	parsed_finish(&p);
}

int main(void)
{
	test_text_only();
	test_html_only_and_empty();
	test_alternative();
	test_attachments();
	test_attachment_large();
	test_quoted_printable();
	test_subject();
	test_from();
	test_address_lists();
	test_extra_headers_and_unsubscribe();
	test_injection_subject();
	test_injection_addresses();
	test_injection_header_from();
	test_injection_ids();
	test_injection_header_names();
	test_injection_header_values();
	test_injection_attachments();
	test_too_large();
	test_content_type();
	test_file_name_valid();
	return unit_finish("mime");
}
