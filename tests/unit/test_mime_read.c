/*
 * Focus: server/control/mime_read.c, the control plane's MIME reader.
 * Well-formed messages (single part, alternative, mixed with attachments,
 * folded and RFC 2047 headers, base64, quoted-printable, ISO-8859-1), then
 * hostile ones: missing and unterminated boundaries, truncated base64,
 * endless header sections, huge folded values, 50 nested multiparts,
 * invalid UTF-8 and NULs, and a deterministic mutation fuzz loop. Every
 * output must be valid UTF-8 and bounded. Attachments: counted and decoded
 * one at a time, file names in every RFC 2231 / RFC 2047 form, a round trip
 * through the MIME writer (server/mail/mime.c), and the fuzz loop again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/control/mime_read.h"
#include "mail/mime.h"
#include "unit.h"

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80             ? 1
			   : (*p & 0xe0) == 0xc0 ? 2
			   : (*p & 0xf0) == 0xe0 ? 3
			   : (*p & 0xf8) == 0xf0 ? 4
						 : 0;
		if (!n || (n == 2 && *p < 0xc2))
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static const char *header(const struct mime_read_result *r, const char *name)
{
	for (size_t i = 0; i < r->header_count; i++)
		if (strcmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

static bool parse(const char *raw, struct mime_read_result *r)
{
	memset(r, 0, sizeof(*r));
	return mime_read_parse(raw, strlen(raw), r);
}

static void decoded_header_is(const char *in, const char *want)
{
	char *got = mime_read_decode_header(in, strlen(in));
	CHECK_STR(got, want);
	free(got);
}

static void test_single_part_qp(void)
{
	struct mime_read_result r;
	CHECK(parse("From: Example <noreply@example.com>\r\n"
		    "To: user@example.net\r\n"
		    "Subject: Hi Ann\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n"
		    "\r\n"
		    "Caf=C3=A9 line one that is long and gets a soft=\r\n"
		    " break\r\n"
		    "second line=\r\n",
		    &r));
	CHECK_STR(r.text, "Café line one that is long and gets a soft break\nsecond line");
	CHECK(r.html == NULL);
	CHECK_INT(r.header_count, 5);
	CHECK_STR(header(&r, "Subject"), "Hi Ann");
	CHECK_STR(header(&r, "From"), "Example <noreply@example.com>");
	CHECK_STR(r.headers[0].name, "From");
	mime_read_finish(&r);
	mime_read_finish(&r); /* finish twice: a zeroed result */
	mime_read_finish(NULL);
}

static void test_alternative(void)
{
	struct mime_read_result r;
	CHECK(parse("Subject: alt\r\n"
		    "MIME-Version: 1.0\r\n"
		    "Content-Type: multipart/alternative;\r\n"
		    "\tboundary=\"=_b1 x\"\r\n"
		    "\r\n"
		    "This is the preamble.\r\n"
		    "--=_b1 x\r\n"
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "\r\n"
		    "Hi Ann\r\n"
		    "--=_b1 x\r\n"
		    "Content-Type: text/html; charset=\"utf-8\"\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n"
		    "\r\n"
		    "<p>Hi Ann</p>=\r\n"
		    "\r\n"
		    "--=_b1 x--\r\n"
		    "epilogue\r\n",
		    &r));
	CHECK_STR(r.text, "Hi Ann");
	CHECK_STR(r.html, "<p>Hi Ann</p>"); /* the soft break before the delimiter adds nothing */
	CHECK_STR(header(&r, "Content-Type"), "multipart/alternative;\tboundary=\"=_b1 x\"");
	mime_read_finish(&r);
}

static void test_mixed_with_attachments(void)
{
	struct mime_read_result r;
	CHECK(parse("Content-Type: multipart/mixed; boundary=outer\n"
		    "\n"
		    "--outer\n"
		    "Content-Type: text/plain; name=notes.txt\n"
		    "Content-Disposition: attachment; filename=notes.txt\n"
		    "\n"
		    "not the body\n"
		    "--outer\n"
		    "Content-Type: multipart/alternative; boundary=inner\n"
		    "\n"
		    "--inner\n"
		    "Content-Type: text/plain\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "SGVsbG8g\n"
		    "V29ybGQ=\n"
		    "--inner\n"
		    "Content-Type: text/html\n"
		    "\n"
		    "<b>Hello</b>\n"
		    "--inner--\n"
		    "--outer\n"
		    "Content-Type: application/pdf\n"
		    "Content-Transfer-Encoding: base64\n"
		    "\n"
		    "JVBERi0=\n"
		    "--outer--\n",
		    &r));
	CHECK_STR(r.text, "Hello World");
	CHECK_STR(r.html, "<b>Hello</b>");
	mime_read_finish(&r);
}

static void test_encoded_words(void)
{
	decoded_header_is("=?UTF-8?B?5L2g5aW9?=", "你好");
	decoded_header_is("=?utf-8?q?Hi_there=2C_Ann?=", "Hi there, Ann");
	/* blanks between adjacent encoded-words go, other text keeps its spaces */
	decoded_header_is("=?UTF-8?B?5L2g?= =?UTF-8?B?5aW9?=", "你好");
	decoded_header_is("=?UTF-8?Q?a?=  \t =?UTF-8?Q?b?= c =?UTF-8?Q?d?=", "ab c d");
	/* a UTF-8 character split across two words */
	decoded_header_is("=?UTF-8?Q?=E4=BD?= =?UTF-8?Q?=A0?=", "你");
	decoded_header_is("=?ISO-8859-1?Q?caf=E9?=", "café");
	decoded_header_is("=?utf-8*en?Q?lang?=", "lang");
	/* not decoded: unknown charset, unknown encoding, blank inside, unterminated */
	decoded_header_is("=?KOI8-R?B?5L2g?=", "=?KOI8-R?B?5L2g?=");
	decoded_header_is("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=");
	decoded_header_is("=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=");
	decoded_header_is("=?UTF-8?Q?abc", "=?UTF-8?Q?abc");
	decoded_header_is("=?", "=?");
	decoded_header_is("x =?UTF-8?Q?y?=", "x y");
	decoded_header_is("", "");
	/* invalid bytes become U+FFFD */
	decoded_header_is("a\xff"
			  "b",
			  "a\xef\xbf\xbd"
			  "b");
	decoded_header_is("=?UTF-8?B?/w==?=", "\xef\xbf\xbd");
	char *nul = mime_read_decode_header("a\0b", 3);
	CHECK_STR(nul, "a\xef\xbf\xbd"
		       "b");
	free(nul);
}

static void test_folded_headers(void)
{
	struct mime_read_result r;
	CHECK(parse(" continuation before any field\r\n"
		    "no colon here\r\n"
		    "Bad Name: skipped\r\n"
		    "Subject: =?UTF-8?B?5L2g5aW9?=\r\n"
		    " =?UTF-8?Q?_world?=\r\n"
		    "X-Empty:\r\n"
		    "X-Tabs:\t  spaced  \r\n"
		    "\r\n"
		    "body",
		    &r));
	CHECK_INT(r.header_count, 3);
	CHECK_STR(header(&r, "Subject"), "你好 world");
	CHECK_STR(header(&r, "X-Empty"), "");
	CHECK_STR(header(&r, "X-Tabs"), "spaced");
	CHECK_STR(r.text, "body");
	mime_read_finish(&r);
}

static void test_latin1_and_types(void)
{
	struct mime_read_result r;
	CHECK(parse("Content-Type: text/plain; charset=ISO-8859-1\r\n\r\ncaf\xe9", &r));
	CHECK_STR(r.text, "café");
	mime_read_finish(&r);
	/* no Content-Type, or one without a subtype: text/plain (RFC 2045 5.2) */
	CHECK(parse("Content-Type: garbage\r\n\r\nplain", &r));
	CHECK_STR(r.text, "plain");
	mime_read_finish(&r);
	CHECK(parse("Content-Type: TEXT/HTML; CHARSET=UTF-8\r\n\r\n<i>x</i>", &r));
	CHECK(r.text == NULL);
	CHECK_STR(r.html, "<i>x</i>");
	mime_read_finish(&r);
	CHECK(parse("Content-Type: image/png\r\n\r\n\x89PNG", &r));
	CHECK(r.text == NULL && r.html == NULL);
	mime_read_finish(&r);
}

static void test_quoted_printable_edges(void)
{
	struct mime_read_result r;
	CHECK(parse("Content-Transfer-Encoding: Quoted-Printable\r\n\r\n"
		    "a=ZZb=3d=3Dc=  \r\nd=",
		    &r));
	CHECK_STR(r.text, "a=ZZb==cd=");
	mime_read_finish(&r);
}

static void test_base64_truncated(void)
{
	struct mime_read_result r;
	/* "Hello" is SGVsbG8=; cut to SGVsb: "Hel" and two stray bits */
	CHECK(parse("Content-Transfer-Encoding: base64\r\n\r\nSGVsb", &r));
	CHECK_STR(r.text, "Hel");
	mime_read_finish(&r);
	CHECK(parse("Content-Transfer-Encoding: base64\r\n\r\n!!S G V*s\r\nbG8=garbage", &r));
	CHECK_STR(r.text, "Hello");
	mime_read_finish(&r);
	CHECK(parse("Content-Transfer-Encoding: base64\r\n\r\n====", &r));
	CHECK_STR(r.text, "");
	mime_read_finish(&r);
}

static void test_boundaries_malformed(void)
{
	struct mime_read_result r;
	/* no boundary parameter: nothing inside is read */
	CHECK(parse("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\ntext\r\n--x--\r\n", &r));
	CHECK(r.text == NULL);
	mime_read_finish(&r);
	/* the boundary never appears */
	CHECK(parse("Content-Type: multipart/mixed; boundary=zz\r\n\r\n--x\r\n\r\ntext\r\n", &r));
	CHECK(r.text == NULL);
	mime_read_finish(&r);
	/* no closing delimiter: the last part runs to the end */
	CHECK(parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nunterminated\r\n", &r));
	CHECK_STR(r.text, "unterminated\n");
	mime_read_finish(&r);
	/* a longer line starting with the delimiter is not one; padding after it is allowed */
	CHECK(parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t\r\n\r\none\r\n--bx\r\ntwo\r\n--b--", &r));
	CHECK_STR(r.text, "one\n--bx\ntwo");
	mime_read_finish(&r);
	/* an empty boundary and a boundary over 200 characters count as missing */
	CHECK(parse("Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\nx\r\n", &r));
	CHECK(r.text == NULL);
	mime_read_finish(&r);
	char big[600];
	int n = snprintf(big, sizeof(big), "Content-Type: multipart/mixed; boundary=%0250d\r\n\r\n--%0250d\r\n\r\nx", 0,
			 0);
	CHECK(n > 0 && parse(big, &r));
	CHECK(r.text == NULL);
	mime_read_finish(&r);
	/* a delimiter as the very last bytes, and an empty part */
	CHECK(parse("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b", &r));
	CHECK_STR(r.text, "");
	mime_read_finish(&r);
}

static void test_endless_headers(void)
{
	size_t lines = 100000;
	char *raw = malloc(lines * 12 + 1);
	if (!CHECK(raw != NULL))
		return;
	for (size_t i = 0; i < lines; i++)
		memcpy(raw + i * 12, "X-Hdr: val\r\n", 12);
	raw[lines * 12] = '\0';
	struct mime_read_result r = {0};
	CHECK(mime_read_parse(raw, lines * 12, &r));
	CHECK_INT(r.header_count, MIME_READ_MAX_HEADERS);
	CHECK_STR(r.text, ""); /* no blank line: the body is empty */
	mime_read_finish(&r);
	free(raw);

	/* one field folded over a megabyte: kept, cut at MIME_READ_MAX_VALUE */
	size_t size = 9 + (1u << 18) * 4;
	raw = malloc(size + 32);
	if (!CHECK(raw != NULL))
		return;
	memcpy(raw, "Subject: ", 9);
	for (size_t i = 9; i < size; i += 4)
		memcpy(raw + i, "a\r\n ", 4);
	memcpy(raw + size, "\r\n\r\nbody", 9);
	memset(&r, 0, sizeof(r));
	CHECK(mime_read_parse(raw, size + 8, &r));
	CHECK_INT(r.header_count, 1);
	CHECK(r.header_count == 1 && strlen(r.headers[0].value) <= MIME_READ_MAX_VALUE);
	CHECK_STR(r.text, "body");
	mime_read_finish(&r);
	free(raw);
}

/* `depth` multiparts nested, each with boundary "bN", the text at the bottom. */
static char *nested(int depth)
{
	size_t size = (size_t)depth * 120 + 64;
	char *raw = malloc(size);
	size_t n = 0;
	if (!raw)
		return NULL;
	for (int i = 0; i < depth; i++)
		n += (size_t)snprintf(raw + n, size - n, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n",
				      i, i);
	n += (size_t)snprintf(raw + n, size - n, "Content-Type: text/plain\r\n\r\ndeep");
	for (int i = depth - 1; i >= 0; i--)
		n += (size_t)snprintf(raw + n, size - n, "\r\n--b%d--", i);
	return raw;
}

static void test_nesting(void)
{
	struct mime_read_result r;
	char *raw = nested(10);
	if (CHECK(raw != NULL) && CHECK(parse(raw, &r)))
		CHECK_STR(r.text, "deep");
	mime_read_finish(&r);
	free(raw);
	raw = nested(MIME_READ_MAX_DEPTH);
	if (CHECK(raw != NULL) && CHECK(parse(raw, &r)))
		CHECK_STR(r.text, "deep");
	mime_read_finish(&r);
	free(raw);
	raw = nested(50);
	if (CHECK(raw != NULL) && CHECK(parse(raw, &r)))
		CHECK(r.text == NULL); /* past MIME_READ_MAX_DEPTH: not entered */
	mime_read_finish(&r);
	free(raw);
}

static void test_many_parts(void)
{
	size_t parts = 5000, size = parts * 40 + 100, n = 0;
	char *raw = malloc(size);
	if (!CHECK(raw != NULL))
		return;
	n += (size_t)snprintf(raw, size, "Content-Type: multipart/mixed; boundary=p\r\n\r\n");
	for (size_t i = 0; i < parts; i++)
		n += (size_t)snprintf(raw + n, size - n, "--p\r\nContent-Type: image/gif\r\n\r\nx\r\n");
	n += (size_t)snprintf(raw + n, size - n, "--p\r\n\r\nlast\r\n--p--\r\n");
	struct mime_read_result r = {0};
	CHECK(mime_read_parse(raw, n, &r));
	CHECK(r.text == NULL); /* the text part is past MIME_READ_MAX_PARTS */
	mime_read_finish(&r);
	free(raw);
}

static void test_bad_bytes(void)
{
	struct mime_read_result r = {0};
	static const char raw[] = "Subject: a\0b\r\n\r\nx\0y\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80z";
	CHECK(mime_read_parse(raw, sizeof(raw) - 1, &r));
	CHECK(r.text && utf8_valid(r.text));
	/* NUL; overlong C0 AF (2); surrogate ED A0 80 (3); F4 90 80 80 past U+10FFFF (4) */
	CHECK_STR(r.text, "x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	CHECK_STR(header(&r, "Subject"), "a\xef\xbf\xbd"
					 "b");
	mime_read_finish(&r);
	CHECK(mime_read_parse(NULL, 0, &r));
	CHECK_STR(r.text, "");
	mime_read_finish(&r);
	CHECK(mime_read_parse("", 0, &r));
	CHECK_INT(r.header_count, 0);
	mime_read_finish(&r);
}

static uint64_t prng_state = 0x9e3779b97f4a7c15ull;

static uint64_t prng(void)
{
	prng_state ^= prng_state << 13;
	prng_state ^= prng_state >> 7;
	prng_state ^= prng_state << 17;
	return prng_state;
}

/* Mutations of a valid message; every result must be valid UTF-8 and no larger than 3x the input. */
/* Attachment `index` of `raw`, checked to be found with `name`, `type` and the bytes `data`. */
static void attachment_is(const char *raw, size_t index, const char *name, const char *type, const char *data,
			  size_t data_len)
{
	struct mime_read_attachment a = {0};
	CHECK_INT(mime_read_attachment(raw, strlen(raw), index, &a), MIME_READ_OK);
	CHECK_STR(a.file_name, name);
	CHECK_STR(a.content_type, type);
	CHECK_INT(a.len, data_len);
	CHECK(a.data && a.len == data_len && memcmp(a.data, data, data_len) == 0);
	mime_read_attachment_finish(&a);
}

static const char mixed[] = "Content-Type: multipart/mixed; boundary=outer\n"
			    "\n"
			    "--outer\n"
			    "Content-Type: text/plain; name=notes.txt\n"
			    "Content-Disposition: attachment; filename=notes.txt\n"
			    "\n"
			    "not the body\n"
			    "--outer\n"
			    "Content-Type: multipart/alternative; boundary=inner\n"
			    "\n"
			    "--inner\n"
			    "Content-Type: text/plain\n"
			    "\n"
			    "Hello\n"
			    "--inner\n"
			    "Content-Type: text/html\n"
			    "\n"
			    "<b>Hello</b>\n"
			    "--inner--\n"
			    "--outer\n"
			    "Content-Type: Application/PDF\n"
			    "Content-Transfer-Encoding: base64\n"
			    "\n"
			    "JVBERi0=\n"
			    "--outer--\n";

static void test_attachments_found(void)
{
	struct mime_read_result r;
	CHECK(parse(mixed, &r));
	CHECK_INT(r.attachment_count, 2);
	CHECK_STR(r.text, "Hello"); /* the attachment before it is not the body */
	mime_read_finish(&r);
	attachment_is(mixed, 0, "notes.txt", "text/plain", "not the body", 12);
	attachment_is(mixed, 1, "", "application/pdf", "%PDF-", 5); /* no name; a type that is not text */
	struct mime_read_attachment a = {0};
	CHECK_INT(mime_read_attachment(mixed, strlen(mixed), 2, &a), MIME_READ_NOT_FOUND);
	CHECK(a.data == NULL && a.file_name == NULL);
	CHECK_INT(mime_read_attachment("Subject: x\n\nbody", 16, 0, &a), MIME_READ_NOT_FOUND);
	CHECK_INT(mime_read_attachment(NULL, 0, 0, &a), MIME_READ_NOT_FOUND);
	mime_read_attachment_finish(&a);
	mime_read_attachment_finish(NULL);
	/* a whole message that is one attachment */
	attachment_is("Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw==\n", 0, "", "image/png",
		      "\x89PNG", 4);
}

/* One part with the given Content-Type and Content-Disposition, its name read back. */
static void name_is(const char *type, const char *disposition, const char *want)
{
	char raw[2048];
	snprintf(raw, sizeof(raw),
		 "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: %s\nContent-Disposition: "
		 "%s\n\nx\n--b--\n",
		 type, disposition);
	attachment_is(raw, 0, want, "application/octet-stream", "x", 1);
}

static void test_attachment_names(void)
{
	const char *bin = "application/octet-stream";
	name_is(bin, "attachment; filename=\"a \\\"quoted\\\" name.bin\"", "a \"quoted\" name.bin");
	name_is(bin, "attachment; filename*=UTF-8''%E2%82%AC%20rates.bin", "€ rates.bin");
	name_is(bin, "attachment; filename*=utf-8'en'%e2%82%ac.bin", "€.bin");
	name_is(bin, "attachment; filename*=iso-8859-1''caf%E9.bin", "café.bin");
	/* continuations, a character split across two segments, a plain segment */
	name_is(bin, "attachment; filename*0*=UTF-8''%E4%BD; filename*1*=%A0%E5%A5%BD; filename*2=.bin", "你好.bin");
	/* the extended form wins over the plain one, whatever their order */
	name_is(bin, "attachment; filename*0*=UTF-8''x.bin; filename=\"plain.bin\"", "x.bin");
	name_is(bin, "attachment; filename=\"plain.bin\"; filename*=UTF-8''ext.bin", "ext.bin");
	/* out-of-order or repeated continuations are ignored */
	name_is(bin, "attachment; filename*0=a; filename*2=c; filename*1=b", "ab");
	/* the Content-Type name, encoded-words decoded, when the disposition has none */
	name_is("application/octet-stream; name=\"=?UTF-8?B?5L2g5aW9?=.bin\"", "attachment", "你好.bin");
	name_is("application/octet-stream; name=type.bin", "attachment; filename=disp.bin", "disp.bin");
	/* bad bytes become U+FFFD, NULs too; bad escapes stay as written */
	name_is(bin, "attachment; filename*=UTF-8''%FF%00x%G1.bin", "\xef\xbf\xbd\xef\xbf\xbdx%G1.bin");
	name_is(bin, "attachment; filename*=UTF-8''", "");
	name_is(bin, "attachment; filename*x=nope", "");
	/* a name longer than MIME_READ_MAX_NAME is cut, never overflows */
	char disposition[1500] = "attachment; filename=";
	size_t used = strlen(disposition);
	memset(disposition + used, 'n', sizeof(disposition) - used - 1);
	disposition[sizeof(disposition) - 1] = '\0';
	char want[MIME_READ_MAX_NAME + 1];
	memset(want, 'n', MIME_READ_MAX_NAME);
	want[MIME_READ_MAX_NAME] = '\0';
	name_is(bin, disposition, want);
}

/* What the MIME writer builds, read back: names (long, non-ASCII) and bytes unchanged. */
static void test_attachments_round_trip(void)
{
	static const unsigned char blob[] = {0, 1, 2, 0xff, 0xfe, '\r', '\n', 0x80, 'z'};
	static const char long_name[] = "报告-二〇二四年第一季度-销售数据与客户反馈汇总-最终版本-请勿外传-附录.csv";
	static const char *const to[] = {"user@example.net"};
	struct mime_attachment attachments[] = {
		{.file_name = "plain.txt", .data = (const unsigned char *)"hello\r\n", .len = 7},
		{.file_name = long_name, .content_type = "text/csv", .data = blob, .len = sizeof(blob)},
		{.file_name = "empty.bin", .content_type = "application/octet-stream", .data = blob, .len = 0},
	};
	struct mime_message m = {.from_address = "noreply@example.com",
				 .to = to,
				 .to_count = 1,
				 .subject = "files",
				 .text = "see attached",
				 .html = "<p>see attached</p>",
				 .attachments = attachments,
				 .attachment_count = 3,
				 .date = 1717203600};
	char *raw = NULL;
	size_t len = 0;
	CHECK_INT(mime_build(&m, 1 << 20, &raw, &len, NULL, 0), MIME_OK);
	struct mime_read_result r = {0};
	CHECK(mime_read_parse(raw, len, &r));
	CHECK_INT(r.attachment_count, 3);
	CHECK_STR(r.text, "see attached");
	mime_read_finish(&r);
	for (size_t i = 0; i < 3; i++) {
		struct mime_read_attachment a = {0};
		CHECK_INT(mime_read_attachment(raw, len, i, &a), MIME_READ_OK);
		CHECK_STR(a.file_name, attachments[i].file_name);
		CHECK_INT(a.len, attachments[i].len);
		CHECK(a.data && memcmp(a.data, attachments[i].data, a.len) == 0);
		mime_read_attachment_finish(&a);
	}
	struct mime_read_attachment a = {0};
	CHECK_INT(mime_read_attachment(raw, len, 1, &a), MIME_READ_OK);
	CHECK_STR(a.content_type, "text/csv");
	mime_read_attachment_finish(&a);
	free(raw);
}

/* Hostile attachments: no closing delimiter, truncated base64, bodies of nothing. */
static void test_attachments_hostile(void)
{
	attachment_is("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: image/gif\n"
		      "Content-Transfer-Encoding: base64\n\nR0lGOD",
		      0, "", "image/gif", "GIF8", 4); /* runs to the end; the partial quantum dropped */
	attachment_is("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Disposition: attachment\n\n--b--\n", 0,
		      "", "text/plain", "", 0);
	attachment_is("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: application/zip\n--b--\n", 0, "",
		      "application/zip", "", 0); /* headers to the end, no body at all */
	/* a type past MIME_READ_TYPE_MAX is not kept: text/plain, not an attachment */
	struct mime_read_result r;
	char raw[300];
	snprintf(raw, sizeof(raw), "Content-Type: application/%0100d\n\nx", 0);
	CHECK(parse(raw, &r));
	CHECK_INT(r.attachment_count, 0);
	CHECK_STR(r.text, "x");
	mime_read_finish(&r);
}

static void test_fuzz(void)
{
	static const char seed[] =
		"Subject: =?UTF-8?B?5L2g5aW9?= =?UTF-8?Q?x?=\r\n"
		"Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
		"--o\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n"
		"--i\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9=\r\n=\r\n"
		"--i\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+eDwvYj4=\r\n"
		"--i--\r\n--o\r\nContent-Disposition: attachment\r\n\r\nzz\r\n"
		"--o\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename*0*=UTF-8''%E4%BD;"
		" filename*1*=%A0.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw==\r\n--o--\r\n";
	static const char alphabet[] = "=?-\r\n :;\"\\abBqQ_0\xff\x80\t";
	char buf[sizeof(seed) + 64];
	int bad = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = sizeof(seed) - 1;
		memcpy(buf, seed, len);
		int edits = 1 + (int)(prng() % 8);
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)(prng() % len);
			uint64_t kind = prng() % 3;
			if (kind == 0)
				buf[at] = alphabet[prng() % (sizeof(alphabet) - 1)];
			else if (kind == 1 && len > 1)
				memmove(buf + at, buf + at + 1, len-- - at - 1);
			else if (len < sizeof(buf) - 1)
				memmove(buf + at + 1, buf + at, len++ - at), buf[at] = (char)(prng() & 0xff);
		}
		struct mime_read_result r = {0};
		if (!mime_read_parse(buf, len, &r)) {
			bad++;
			continue;
		}
		if ((r.text && (!utf8_valid(r.text) || strlen(r.text) > 3 * len)) ||
		    (r.html && (!utf8_valid(r.html) || strlen(r.html) > 3 * len)))
			bad++;
		for (size_t i = 0; i < r.header_count; i++)
			if (!utf8_valid(r.headers[i].name) || !utf8_valid(r.headers[i].value))
				bad++;
		for (size_t i = 0; i <= r.attachment_count; i++) {
			struct mime_read_attachment a = {0};
			enum mime_read_status status = mime_read_attachment(buf, len, i, &a);
			if (status != (i < r.attachment_count ? MIME_READ_OK : MIME_READ_NOT_FOUND) ||
			    (a.file_name && !utf8_valid(a.file_name)) || a.len > len)
				bad++;
			mime_read_attachment_finish(&a);
		}
		mime_read_finish(&r);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	test_single_part_qp();
	test_alternative();
	test_mixed_with_attachments();
	test_encoded_words();
	test_folded_headers();
	test_latin1_and_types();
	test_quoted_printable_edges();
	test_base64_truncated();
	test_boundaries_malformed();
	test_endless_headers();
	test_nesting();
	test_many_parts();
	test_bad_bytes();
	test_attachments_found();
	test_attachment_names();
	test_attachments_round_trip();
	test_attachments_hostile();
	test_fuzz();
	return unit_finish("mime_read");
}
