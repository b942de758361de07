/*
 * Focus: server/control/mime_read.c, the control plane's MIME reader.
 * Well-formed messages (single part, alternative, mixed with attachments,
 * folded and RFC 2047 headers, base64, quoted-printable, ISO-8859-1), then
 * hostile ones: missing and unterminated boundaries, truncated base64,
 * endless header sections, huge folded values, 50 nested multiparts,
 * invalid UTF-8 and NULs, and a deterministic mutation fuzz loop. Every
 * output must be valid UTF-8 and bounded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/control/mime_read.h"
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
static void test_fuzz(void)
{
	static const char seed[] =
		"Subject: =?UTF-8?B?5L2g5aW9?= =?UTF-8?Q?x?=\r\n"
		"Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n"
		"--o\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n"
		"--i\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9=\r\n=\r\n"
		"--i\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+eDwvYj4=\r\n"
		"--i--\r\n--o\r\nContent-Disposition: attachment\r\n\r\nzz\r\n--o--\r\n";
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
	test_fuzz();
	return unit_finish("mime_read");
}
