/*
 * The MIME reader of the control plane's message view (see mime_read.h).
 *
 * Owns: header unfolding and RFC 2047 decoding, multipart walking,
 * base64 / quoted-printable decoding, charset conversion to UTF-8, the
 * file names of attachments (RFC 2231 parameters and continuations).
 * Never: trusts its input. Every scan is bounded by the input length and
 * moves forward; recursion stops at MIME_READ_MAX_DEPTH; each output buffer
 * is sized once from the input that produces it (decoding never grows text
 * more than ISO-8859-1 to UTF-8 does, 2x, or U+FFFD replacement, 3x).
 * Lenient on purpose: a missing closing delimiter ends the part at the end
 * of input, a declared boundary that never appears gives no parts, bad
 * base64 characters are skipped and a truncated quantum dropped.
 */
#include "mime_read.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct span {
	const char *p;
	size_t len;
};

enum charset { CHARSET_UTF8, CHARSET_LATIN1, CHARSET_OTHER };
enum encoding { ENCODING_IDENTITY, ENCODING_BASE64, ENCODING_QP };

/* Where a part's file name came from, weakest first: a stronger source replaces a weaker one. */
enum name_kind {
	NAME_NONE,
	NAME_TYPE,     /* Content-Type name=, may hold RFC 2047 encoded-words */
	NAME_PLAIN,    /* Content-Disposition filename=, likewise */
	NAME_EXTENDED, /* filename*= or filename*0*= ... (RFC 2231), percent-decoded */
};

/* What one part's headers say about its body. */
struct part_info {
	char type[MIME_READ_TYPE_MAX]; /* lowercased "type/subtype"; "text/plain" by default */
	char boundary[201];
	char charset[41]; /* lowercased */
	enum encoding encoding;
	bool attachment;               /* Content-Disposition: attachment */
	char name[MIME_READ_MAX_NAME]; /* the file name's bytes (see name_kind), cut at its size */
	size_t name_len;
	enum name_kind name_kind;
	enum charset name_charset; /* of an NAME_EXTENDED name */
	unsigned name_next;        /* the RFC 2231 continuation expected next; UINT_MAX: none */
};

/* The state of one walk through a message. */
struct walk {
	struct mime_read_result *result; /* NULL when only an attachment is wanted */
	size_t parts;
	size_t attachments;                 /* attachments seen so far */
	size_t want;                        /* the number of the attachment to decode into `found` */
	struct mime_read_attachment *found; /* NULL: decode none */
	bool stop;                          /* the wanted attachment is decoded: read no further */
	bool failed;                        /* out of memory: stop and release */
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Whether the `len` bytes at `s` equal the lowercase literal `lit`, ignoring case. */
static bool equals_nocase(const char *s, size_t len, const char *lit)
{
	if (strlen(lit) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)s[i]) != lit[i])
			return false;
	return true;
}

static bool starts_nocase(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len >= n && equals_nocase(s, n, lit);
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int base64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	return c == '/' ? 63 : -1;
}

/* Lenient base64: other characters skipped, stops at '=', a partial quantum dropped. Writes <= len * 3 / 4 bytes. */
static size_t decode_base64(const char *in, size_t len, unsigned char *out)
{
	uint32_t bits = 0;
	int have = 0;
	size_t n = 0;
	for (size_t i = 0; i < len && in[i] != '='; i++) {
		int v = base64_value((unsigned char)in[i]);
		if (v < 0)
			continue;
		bits = (bits << 6) | (uint32_t)v;
		have += 6;
		if (have >= 8) {
			have -= 8;
			out[n++] = (unsigned char)(bits >> have);
			bits &= (1u << have) - 1;
		}
	}
	return n;
}

/* The length of a soft line break ("=" then blanks then CRLF or LF) at in[i], or 0. */
static size_t soft_break(const char *in, size_t len, size_t i)
{
	size_t j = i + 1;
	while (j < len && is_blank(in[j]))
		j++;
	if (j < len && in[j] == '\r')
		j++;
	return j < len && in[j] == '\n' ? j + 1 - i : 0;
}

/* Quoted-printable; `header`: the RFC 2047 Q form ('_' is a space, no soft breaks). Writes <= len bytes. */
static size_t decode_qp(const char *in, size_t len, unsigned char *out, bool header)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (header && c == '_') {
			out[n++] = ' ';
			continue;
		}
		if (c != '=') {
			out[n++] = (unsigned char)c;
			continue;
		}
		int hi = i + 2 < len ? hex_value((unsigned char)in[i + 1]) : -1;
		int lo = hi >= 0 ? hex_value((unsigned char)in[i + 2]) : -1;
		size_t skip = header ? 0 : soft_break(in, len, i);
		if (lo >= 0) {
			out[n++] = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (skip) {
			i += skip - 1;
		} else {
			out[n++] = '=';
		}
	}
	return n;
}

/* The length of the valid UTF-8 sequence at s (n bytes available), or 0 (NUL counts as invalid). */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp, min;
	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * `n` bytes in `charset` as a new NUL-terminated UTF-8 string; invalid
 * bytes and NULs become U+FFFD; with `lf`, CRLF becomes LF. NULL when out
 * of memory.
 */
static char *to_utf8(const unsigned char *in, size_t n, enum charset charset, bool lf)
{
	char *out = malloc(n * 3 + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t seq = charset == CHARSET_LATIN1 ? (in[i] && in[i] < 0x80) : utf8_sequence(in + i, n - i);
		if (lf && in[i] == '\r' && i + 1 < n && in[i + 1] == '\n') {
			i++;
		} else if (seq) {
			memcpy(out + o, in + i, seq);
			o += seq;
			i += seq;
		} else if (charset == CHARSET_LATIN1 && in[i]) {
			out[o++] = (char)(0xc0 | (in[i] >> 6));
			out[o++] = (char)(0x80 | (in[i] & 0x3f));
			i++;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

static enum charset charset_of(const char *name, size_t len)
{
	static const char *const utf8[] = {"utf-8", "utf8", "us-ascii", "ascii", ""};
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252"};
	for (size_t i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		if (equals_nocase(name, len, utf8[i]))
			return CHARSET_UTF8;
	for (size_t i = 0; i < sizeof(latin1) / sizeof(latin1[0]); i++)
		if (equals_nocase(name, len, latin1[i]))
			return CHARSET_LATIN1;
	return CHARSET_OTHER;
}

/* ---- RFC 2047 ---- */

#define ENCODED_TEXT_MAX 2048

/* Output of header decoding: sized 2x the input, which no decoding exceeds. */
struct sink {
	char *p;
	size_t len;
};

/* Find the end of "=?charset?X?text?=" at s; fills the pieces, returns its length or 0. */
static size_t word_parts(const char *s, size_t len, struct span *charset, char *encoding, struct span *text)
{
	size_t i = 2;
	charset->p = s + i;
	while (i < len && s[i] != '?' && !is_blank(s[i]) && i < 64)
		i++;
	if (i + 2 >= len || s[i] != '?' || s[i + 2] != '?')
		return 0;
	charset->len = (size_t)(s + i - charset->p);
	*encoding = (char)lower((unsigned char)s[i + 1]);
	i += 3;
	text->p = s + i;
	while (i + 1 < len && !(s[i] == '?' && s[i + 1] == '=')) {
		if (is_blank(s[i]) || s[i] == '\r' || s[i] == '\n' || i - (size_t)(text->p - s) >= ENCODED_TEXT_MAX)
			return 0;
		i++;
	}
	if (i + 1 >= len)
		return 0;
	text->len = (size_t)(s + i - text->p);
	return i + 2;
}

/* Decode one encoded-word at s into the sink; its length, or 0 when it is not one we decode. */
static size_t decode_word(const char *s, size_t len, struct sink *sink)
{
	struct span charset, text;
	char encoding;
	size_t used = word_parts(s, len, &charset, &encoding, &text);
	if (!used || (encoding != 'b' && encoding != 'q'))
		return 0;
	const char *star = memchr(charset.p, '*', charset.len); /* RFC 2231 language suffix */
	enum charset cs = charset_of(charset.p, star ? (size_t)(star - charset.p) : charset.len);
	if (cs == CHARSET_OTHER)
		return 0;
	unsigned char bytes[ENCODED_TEXT_MAX];
	size_t n = encoding == 'b' ? decode_base64(text.p, text.len, bytes) : decode_qp(text.p, text.len, bytes, true);
	for (size_t i = 0; i < n; i++) {
		if (cs == CHARSET_LATIN1 && bytes[i] >= 0x80) {
			sink->p[sink->len++] = (char)(0xc0 | (bytes[i] >> 6));
			sink->p[sink->len++] = (char)(0x80 | (bytes[i] & 0x3f));
		} else {
			sink->p[sink->len++] = (char)bytes[i];
		}
	}
	return used;
}

char *mime_read_decode_header(const char *value, size_t len)
{
	struct sink sink = {.p = malloc(len * 2 + 1)};
	if (!sink.p)
		return NULL;
	bool after_word = false; /* only blanks since the last encoded-word */
	size_t word_end = 0;     /* sink length right after that word */
	for (size_t i = 0; i < len;) {
		if (value[i] == '=' && i + 1 < len && value[i + 1] == '?') {
			size_t mark = sink.len;
			if (after_word)
				sink.len = word_end; /* the blanks between two encoded-words go */
			size_t used = decode_word(value + i, len - i, &sink);
			if (used) {
				after_word = true;
				word_end = sink.len;
				i += used;
				continue;
			}
			sink.len = mark; /* not a word: nothing was written, the blanks stay */
		}
		if (!is_blank(value[i]))
			after_word = false;
		sink.p[sink.len++] = value[i++];
	}
	char *out = to_utf8((const unsigned char *)sink.p, sink.len, CHARSET_UTF8, false);
	free(sink.p);
	return out;
}

/* ---- headers ---- */

/* The line at *pos: its content without the line break; *pos moves past it. */
static struct span next_line(const char *p, size_t len, size_t *pos)
{
	struct span line = {p + *pos, 0};
	const char *nl = memchr(p + *pos, '\n', len - *pos);
	size_t end = nl ? (size_t)(nl - p) : len;
	line.len = end - *pos;
	if (line.len && line.p[line.len - 1] == '\r')
		line.len--;
	*pos = nl ? end + 1 : len;
	return line;
}

static bool field_name_valid(struct span name)
{
	if (name.len == 0)
		return false;
	for (size_t i = 0; i < name.len; i++)
		if ((unsigned char)name.p[i] <= 32 || (unsigned char)name.p[i] >= 127)
			return false;
	return true;
}

/*
 * The next header field of the section at *pos: its name and its raw value
 * (after the colon, through its continuation lines). False at the end of
 * the section; then *pos is where the body starts (after the blank line,
 * or the end of input). Lines that are not fields are skipped.
 */
static bool next_field(const char *p, size_t len, size_t *pos, struct span *name, struct span *value)
{
	while (*pos < len) {
		struct span line = next_line(p, len, pos);
		if (line.len == 0)
			return false;
		const char *colon = memchr(line.p, ':', line.len);
		if (is_blank(line.p[0]) || !colon)
			continue;
		name->p = line.p;
		name->len = (size_t)(colon - line.p);
		while (name->len && is_blank(name->p[name->len - 1]))
			name->len--;
		value->p = colon + 1;
		value->len = (size_t)(line.p + line.len - value->p);
		while (*pos < len && is_blank(p[*pos])) {
			line = next_line(p, len, pos);
			value->len = (size_t)(line.p + line.len - value->p);
		}
		if (field_name_valid(*name))
			return true;
	}
	return false;
}

/* A raw value unfolded (line breaks removed), trimmed and cut at MIME_READ_MAX_VALUE bytes, into `out`. */
static size_t unfold(struct span value, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < value.len && n < MIME_READ_MAX_VALUE; i++)
		if (value.p[i] != '\r' && value.p[i] != '\n')
			out[n++] = value.p[i];
	size_t start = 0;
	while (start < n && is_blank(out[start]))
		start++;
	while (n > start && is_blank(out[n - 1]))
		n--;
	memmove(out, out + start, n - start);
	return n - start;
}

/* Copy a parameter or type token, lowercased when asked, into a fixed field ("" when too long). */
static void set_field(char *field, size_t size, const char *s, size_t len, bool lowercase)
{
	if (len >= size)
		len = 0;
	for (size_t i = 0; i < len; i++)
		field[i] = lowercase ? (char)lower((unsigned char)s[i]) : s[i];
	field[len] = '\0';
}

/* One parameter value at v[*i] (quoted string or token) into buf; its length. */
static size_t param_value(const char *v, size_t len, size_t *i, char *buf, size_t size)
{
	size_t n = 0;
	if (*i < len && v[*i] == '"') {
		for ((*i)++; *i < len && v[*i] != '"'; (*i)++) {
			if (v[*i] == '\\' && *i + 1 < len)
				(*i)++;
			if (n < size)
				buf[n++] = v[*i];
		}
		if (*i < len)
			(*i)++;
		return n;
	}
	for (; *i < len && v[*i] != ';' && !is_blank(v[*i]); (*i)++)
		if (n < size)
			buf[n++] = v[*i];
	return n;
}

/* The parameter at v[*i] after the separators: its name, and its value into buf (*n bytes); false without '='. */
static bool next_param(const char *v, size_t len, size_t *i, struct span *name, char *buf, size_t size, size_t *n)
{
	while (*i < len && (v[*i] == ';' || is_blank(v[*i])))
		(*i)++;
	name->p = v + *i;
	while (*i < len && v[*i] != '=' && v[*i] != ';')
		(*i)++;
	name->len = (size_t)(v + *i - name->p);
	while (name->len && is_blank(name->p[name->len - 1]))
		name->len--;
	if (*i >= len || v[*i] != '=')
		return false;
	(*i)++;
	while (*i < len && is_blank(v[*i]))
		(*i)++;
	*n = param_value(v, len, i, buf, size);
	return true;
}

/* Append `n` bytes to the part's file name (cut at its size); `percent`: an RFC 2231 encoded segment. */
static void name_append(struct part_info *info, const char *s, size_t n, bool percent)
{
	for (size_t i = 0; i < n && info->name_len < sizeof(info->name); i++) {
		int hi = percent && s[i] == '%' && i + 2 < n ? hex_value((unsigned char)s[i + 1]) : -1;
		int lo = hi >= 0 ? hex_value((unsigned char)s[i + 2]) : -1;
		if (lo >= 0) {
			info->name[info->name_len++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			info->name[info->name_len++] = s[i];
		}
	}
}

/* Start the file name over from a source of kind `kind`. */
static void name_reset(struct part_info *info, enum name_kind kind)
{
	info->name_len = 0;
	info->name_kind = kind;
	info->name_charset = CHARSET_UTF8;
	info->name_next = UINT_MAX;
}

/* An RFC 2231 extended value, "charset'language'text": the charset taken, the text appended. */
static void name_extended(struct part_info *info, const char *v, size_t n)
{
	const char *q1 = memchr(v, '\'', n);
	const char *q2 = q1 ? memchr(q1 + 1, '\'', (size_t)(v + n - q1 - 1)) : NULL;
	if (q2) {
		info->name_charset = charset_of(v, (size_t)(q1 - v));
		n -= (size_t)(q2 + 1 - v);
		v = q2 + 1;
	}
	name_append(info, v, n, true);
}

/* "N" or "N*" after "filename*": the continuation number and whether the segment is encoded. */
static bool continuation(struct span rest, unsigned *number, bool *encoded)
{
	size_t i = 0;
	unsigned n = 0;
	for (; i < rest.len && rest.p[i] >= '0' && rest.p[i] <= '9' && n < 10000; i++)
		n = n * 10 + (unsigned)(rest.p[i] - '0');
	*encoded = i < rest.len && rest.p[i] == '*';
	*number = n;
	return i > 0 && i + (*encoded ? 1 : 0) == rest.len;
}

/* A Content-Disposition parameter that may name the file: filename, filename*, filename*N[*]. */
static void name_param(struct part_info *info, struct span name, const char *v, size_t n)
{
	unsigned number;
	bool encoded;
	if (equals_nocase(name.p, name.len, "filename")) {
		if (info->name_kind < NAME_PLAIN) {
			name_reset(info, NAME_PLAIN);
			name_append(info, v, n, false);
		}
	} else if (equals_nocase(name.p, name.len, "filename*")) {
		name_reset(info, NAME_EXTENDED);
		name_extended(info, v, n);
	} else if (starts_nocase(name.p, name.len, "filename*") &&
		   continuation((struct span){name.p + 9, name.len - 9}, &number, &encoded)) {
		if (number == 0) {
			name_reset(info, NAME_EXTENDED);
			info->name_next = 1;
		} else if (info->name_kind != NAME_EXTENDED || number != info->name_next) {
			return; /* out of order: ignored */
		} else {
			info->name_next++;
		}
		if (encoded && number == 0)
			name_extended(info, v, n);
		else
			name_append(info, v, n, encoded);
	}
}

/* The parameters of Content-Type (`disposition` false) or Content-Disposition, from v[i]. */
static void parse_params(const char *v, size_t len, size_t i, struct part_info *info, bool disposition)
{
	while (i < len) {
		struct span name;
		char buf[MIME_READ_MAX_NAME];
		size_t n = 0;
		if (!next_param(v, len, &i, &name, buf, sizeof(buf), &n))
			continue;
		if (disposition) {
			name_param(info, name, buf, n);
		} else if (equals_nocase(name.p, name.len, "boundary")) {
			set_field(info->boundary, sizeof(info->boundary), buf, n, false);
		} else if (equals_nocase(name.p, name.len, "charset")) {
			set_field(info->charset, sizeof(info->charset), buf, n, true);
		} else if (equals_nocase(name.p, name.len, "name") && info->name_kind == NAME_NONE) {
			name_reset(info, NAME_TYPE);
			name_append(info, buf, n, false);
		}
	}
}

/* The offset of the first ';' of a header value (or its end): where the parameters start. */
static size_t params_start(const char *v, size_t len)
{
	const char *semi = memchr(v, ';', len);
	return semi ? (size_t)(semi - v) : len;
}

/* Content-Type: the type and the boundary, charset and name parameters. */
static void parse_content_type(const char *v, size_t len, struct part_info *info)
{
	size_t i = params_start(v, len);
	size_t type_len = i;
	while (type_len && is_blank(v[type_len - 1]))
		type_len--;
	set_field(info->type, sizeof(info->type), v, type_len, true);
	if (!memchr(info->type, '/', strlen(info->type)))
		snprintf(info->type, sizeof(info->type), "%s", "text/plain"); /* RFC 2045 5.2 */
	parse_params(v, len, i, info, false);
}

/* Content-Transfer-Encoding and Content-Disposition. */
static void parse_part_field(struct span name, const char *v, size_t len, struct part_info *info)
{
	if (equals_nocase(name.p, name.len, "content-type")) {
		parse_content_type(v, len, info);
	} else if (equals_nocase(name.p, name.len, "content-transfer-encoding")) {
		if (equals_nocase(v, len, "base64"))
			info->encoding = ENCODING_BASE64;
		else if (equals_nocase(v, len, "quoted-printable"))
			info->encoding = ENCODING_QP;
	} else if (equals_nocase(name.p, name.len, "content-disposition")) {
		info->attachment = starts_nocase(v, len, "attachment");
		parse_params(v, len, params_start(v, len), info, true);
	}
}

/* Keep one top-level header (name and decoded value); false when out of memory. */
static bool keep_header(struct mime_read_result *result, struct span name, const char *v, size_t len)
{
	if (result->header_count >= MIME_READ_MAX_HEADERS)
		return true;
	if (!result->headers) {
		result->headers = calloc(MIME_READ_MAX_HEADERS, sizeof(*result->headers));
		if (!result->headers)
			return false;
	}
	struct mime_read_header *h = &result->headers[result->header_count];
	h->name = to_utf8((const unsigned char *)name.p, name.len, CHARSET_UTF8, false);
	h->value = mime_read_decode_header(v, len);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		h->name = h->value = NULL;
		return false;
	}
	result->header_count++;
	return true;
}

/*
 * Read a part's header section: fill `info`, keep the fields in `keep`
 * when not NULL. *body gets the offset of the body. False when out of memory.
 */
static bool scan_headers(const char *p, size_t len, size_t *body, struct part_info *info, struct mime_read_result *keep)
{
	char *value = malloc(MIME_READ_MAX_VALUE);
	if (!value)
		return false;
	memset(info, 0, sizeof(*info));
	snprintf(info->type, sizeof(info->type), "%s", "text/plain");
	name_reset(info, NAME_NONE);
	struct span name, raw;
	size_t pos = 0;
	bool ok = true;
	while (ok && next_field(p, len, &pos, &name, &raw)) {
		size_t n = unfold(raw, value);
		parse_part_field(name, value, n, info);
		if (keep)
			ok = keep_header(keep, name, value, n);
	}
	free(value);
	*body = pos;
	return ok;
}

/* ---- bodies and parts ---- */

/* Undo the transfer encoding of `len` bytes into `out` (room for len bytes); the bytes written. */
static size_t decode_bytes(const char *p, size_t len, enum encoding encoding, unsigned char *out)
{
	if (encoding == ENCODING_BASE64)
		return decode_base64(p, len, out);
	if (encoding == ENCODING_QP)
		return decode_qp(p, len, out, false);
	memcpy(out, p, len);
	return len;
}

/* A text body: transfer encoding undone, converted to UTF-8 with LF line breaks. */
static char *decode_body(const char *p, size_t len, const struct part_info *info)
{
	unsigned char *bytes = malloc(len + 1);
	if (!bytes)
		return NULL;
	size_t n = decode_bytes(p, len, info->encoding, bytes);
	char *text = to_utf8(bytes, n, charset_of(info->charset, strlen(info->charset)), true);
	free(bytes);
	return text;
}

/* Whether a line is "--boundary" or "--boundary--", with trailing blanks allowed. */
static bool is_delimiter(struct span line, const char *boundary, size_t blen, bool *closing)
{
	if (line.len < blen + 2 || line.p[0] != '-' || line.p[1] != '-' || memcmp(line.p + 2, boundary, blen) != 0)
		return false;
	size_t i = blen + 2;
	*closing = i + 1 < line.len && line.p[i] == '-' && line.p[i + 1] == '-';
	if (*closing)
		i += 2;
	while (i < line.len && is_blank(line.p[i]))
		i++;
	return i == line.len;
}

static void walk_part(struct walk *w, const char *p, size_t len, int depth);

/* The body parts of a multipart entity; the preamble and epilogue are skipped. */
static void walk_multipart(struct walk *w, const char *p, size_t len, const char *boundary, int depth)
{
	size_t blen = strlen(boundary), pos = 0, start = 0;
	bool open = false, closing = false;
	while (pos < len && !w->failed && !w->stop) {
		size_t line_start = pos;
		struct span line = next_line(p, len, &pos);
		if (!is_delimiter(line, boundary, blen, &closing))
			continue;
		if (open) {
			/* the line break before the delimiter belongs to it (RFC 2046 5.1.1) */
			size_t end = line_start;
			if (end > start && p[end - 1] == '\n')
				end--;
			if (end > start && p[end - 1] == '\r')
				end--;
			walk_part(w, p + start, end - start, depth);
		}
		if (closing)
			return;
		open = true;
		start = pos;
	}
	if (open && start < len && !w->failed && !w->stop)
		walk_part(w, p + start, len - start, depth); /* no closing delimiter: the part runs to the end */
}

/* A leaf part that is not a text or HTML body, or that says it is an attachment. */
static bool is_attachment(const struct part_info *info)
{
	return info->attachment || (strcmp(info->type, "text/plain") != 0 && strcmp(info->type, "text/html") != 0);
}

/* The file name a part gives, as new UTF-8 (caller frees); "" when none; NULL when out of memory. */
static char *part_file_name(const struct part_info *info)
{
	if (info->name_kind == NAME_EXTENDED)
		return to_utf8((const unsigned char *)info->name, info->name_len, info->name_charset, false);
	return mime_read_decode_header(info->name, info->name_len);
}

/* Count an attachment; decode it when it is the one wanted. */
static void take_attachment(struct walk *w, const char *p, size_t len, const struct part_info *info)
{
	if (w->result)
		w->result->attachment_count++;
	if (w->attachments++ != w->want || !w->found)
		return;
	struct mime_read_attachment *a = w->found;
	w->stop = true;
	a->data = malloc(len + 1);
	a->file_name = part_file_name(info);
	if (!a->data || !a->file_name) {
		w->failed = true;
		return;
	}
	a->len = decode_bytes(p, len, info->encoding, a->data);
	snprintf(a->content_type, sizeof(a->content_type), "%s", info->type);
}

static void walk_part(struct walk *w, const char *p, size_t len, int depth)
{
	if (w->failed || w->stop || w->parts >= MIME_READ_MAX_PARTS)
		return;
	w->parts++;
	struct part_info info;
	size_t body;
	if (!scan_headers(p, len, &body, &info, depth == 0 ? w->result : NULL)) {
		w->failed = true;
		return;
	}
	if (strncmp(info.type, "multipart/", 10) == 0) {
		if (info.boundary[0] && depth < MIME_READ_MAX_DEPTH)
			walk_multipart(w, p + body, len - body, info.boundary, depth + 1);
		return;
	}
	if (is_attachment(&info)) {
		take_attachment(w, p + body, len - body, &info);
		return;
	}
	if (!w->result)
		return;
	char **slot = NULL;
	if (strcmp(info.type, "text/plain") == 0 && !w->result->text)
		slot = &w->result->text;
	else if (strcmp(info.type, "text/html") == 0 && !w->result->html)
		slot = &w->result->html;
	if (slot && !(*slot = decode_body(p + body, len - body, &info)))
		w->failed = true;
}

bool mime_read_parse(const char *raw, size_t len, struct mime_read_result *out)
{
	struct walk w = {.result = out, .want = SIZE_MAX};
	walk_part(&w, raw ? raw : "", raw ? len : 0, 0);
	if (w.failed) {
		mime_read_finish(out);
		return false;
	}
	return true;
}

enum mime_read_status mime_read_attachment(const char *raw, size_t len, size_t index, struct mime_read_attachment *out)
{
	struct walk w = {.want = index, .found = out};
	walk_part(&w, raw ? raw : "", raw ? len : 0, 0);
	if (w.failed) {
		mime_read_attachment_finish(out);
		return MIME_READ_NOMEM;
	}
	return w.stop ? MIME_READ_OK : MIME_READ_NOT_FOUND;
}

void mime_read_attachment_finish(struct mime_read_attachment *attachment)
{
	if (!attachment)
		return;
	free(attachment->file_name);
	free(attachment->data);
	memset(attachment, 0, sizeof(*attachment));
}

void mime_read_finish(struct mime_read_result *result)
{
	if (!result)
		return;
	for (size_t i = 0; i < result->header_count; i++) {
		free(result->headers[i].name);
		free(result->headers[i].value);
	}
	free(result->headers);
	free(result->text);
	free(result->html);
	memset(result, 0, sizeof(*result));
}
