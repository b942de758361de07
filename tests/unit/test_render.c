/*
 * Focus: server/mail/render.c, template variables. The syntax (spaces in
 * the braces, what stays literal), values (strings verbatim, numbers the
 * JSON way, other types refused), render_check's four checks and their
 * order, the size ceiling at the limit and one past it, and linear time on
 * large templates, many keys and pathological brace runs.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/render.h"
#include "unit.h"

/* Render `part` with data parsed from `json`; returns the text (caller frees) or NULL, status in *status. */
static char *render(const char *part, const char *json, size_t max_size, enum render_status *status)
{
	cJSON *data = json ? cJSON_Parse(json) : NULL;
	char *out = (char *)"unset";
	size_t len = 99;
	*status = render_apply(part, data, max_size, &out, &len);
	if (*status != RENDER_OK) {
		CHECK(out == NULL);
		CHECK_INT(len, 0);
	} else {
		CHECK_INT(strlen(out), len);
	}
	cJSON_Delete(data);
	return out;
}

static void check_render(const char *part, const char *json, const char *want)
{
	enum render_status status;
	char *out = render(part, json, 1 << 20, &status);
	CHECK_INT(status, RENDER_OK);
	CHECK_STR(out, want);
	free(out);
}

static void check_render_fails(const char *part, const char *json, enum render_status want)
{
	enum render_status status;
	char *out = render(part, json, 1 << 20, &status);
	CHECK_INT(status, want);
	CHECK(out == NULL);
}

/* render_check over up to three parts; the name it reports goes to `name`. */
static enum render_status check3(const char *a, const char *b, const char *c, const char *json, char *name,
				 size_t name_size)
{
	const char *parts[3] = {a, b, c};
	cJSON *data = json ? cJSON_Parse(json) : NULL;
	enum render_status status = render_check(parts, 3, data, name, name_size);
	cJSON_Delete(data);
	return status;
}

static void test_syntax(void)
{
	check_render("Hello {{name}}!", "{\"name\":\"Ann\"}", "Hello Ann!");
	check_render("Hello {{ name }}!", "{\"name\":\"Ann\"}", "Hello Ann!");
	check_render("Hello {{\tname  }}!", "{\"name\":\"Ann\"}", "Hello Ann!");
	check_render("{{a}}{{b}}{{a}}", "{\"a\":\"1\",\"b\":\"2\"}", "121");
	check_render("{{user.first_name-x}}", "{\"user.first_name-x\":\"ok\"}", "ok");
	check_render("no variables", "{}", "no variables");
	check_render("", "{}", "");
	/* not variables: copied literally */
	check_render("{{", "{}", "{{");
	check_render("}}", "{}", "}}");
	check_render("{{}}", "{}", "{{}}");
	check_render("{{ }}", "{}", "{{ }}");
	check_render("{{bad name!}}", "{}", "{{bad name!}}");
	check_render("{{a b}}", "{}", "{{a b}}");
	check_render("{name}", "{}", "{name}");
	check_render("{{name}", "{}", "{{name}");
	check_render("{{name} }", "{}", "{{name} }");
	check_render("{{名字}}", "{}", "{{名字}}");
	check_render("{{\nname}}", "{}", "{{\nname}}");
	/* the leftmost complete variable wins */
	check_render("{{{a}}}", "{\"a\":\"x\"}", "{x}");
	check_render("{{ {{a}}", "{\"a\":\"x\"}", "{{ x");
	check_render("{{{{a}}}}", "{\"a\":\"x\"}", "{{x}}");
	/* names are case-sensitive */
	check_render_fails("{{Name}}", "{\"name\":\"x\"}", RENDER_MISSING_VARIABLE);
	/* a value is inserted once, never rendered again */
	check_render("{{a}}", "{\"a\":\"{{a}}\"}", "{{a}}");
	/* NULL part and NULL data */
	enum render_status status;
	char *out = render(NULL, NULL, 10, &status);
	CHECK_INT(status, RENDER_OK);
	CHECK_STR(out, "");
	free(out);
	out = render("plain", NULL, 10, &status);
	CHECK_STR(out, "plain");
	free(out);
}

static void test_values(void)
{
	/* verbatim: no escaping, non-ASCII kept byte for byte */
	check_render("<p>{{v}}</p>", "{\"v\":\"<b>&amp;\\\"</b>\"}", "<p><b>&amp;\"</b></p>");
	check_render("你好，{{name}}！", "{\"name\":\"张三 😀\"}", "你好，张三 😀！");
	check_render("[{{v}}]", "{\"v\":\"\"}", "[]");
	/* numbers written like JSON */
	check_render("{{n}}", "{\"n\":3}", "3");
	check_render("{{n}}", "{\"n\":-2}", "-2");
	check_render("{{n}}", "{\"n\":0}", "0");
	check_render("{{n}}", "{\"n\":3.0}", "3");
	check_render("{{n}}", "{\"n\":3.5}", "3.5");
	check_render("{{n}}", "{\"n\":0.1}", "0.1");
	check_render("{{n}}", "{\"n\":12345678901}", "12345678901");
	check_render("{{n}}", "{\"n\":9007199254740991}", "9007199254740991");
	check_render("{{n}}", "{\"n\":1e20}", "1e+20");
	check_render("{{n}}", "{\"n\":1.5e-7}", "1.5e-07");
	check_render("{{n}}", "{\"n\":0.30000000000000004}", "0.30000000000000004");
	/* booleans render as JSON writes them */
	check_render("{{v}}", "{\"v\":true}", "true");
	check_render("{{v}}", "{\"v\":false}", "false");
	/* other types are refused when used */
	check_render_fails("{{v}}", "{\"v\":null}", RENDER_BAD_VALUE);
	check_render_fails("{{v}}", "{\"v\":{}}", RENDER_BAD_VALUE);
	check_render_fails("{{v}}", "{\"v\":[1]}", RENDER_BAD_VALUE);
	/* ...but render_apply ignores unused keys (render_check reports them) */
	check_render("x", "{\"v\":true}", "x");
	/* data that is not an object */
	check_render_fails("x", "[1]", RENDER_BAD_VALUE);
	check_render_fails("x", "\"s\"", RENDER_BAD_VALUE);
	check_render_fails("{{a}}", "{}", RENDER_MISSING_VARIABLE);
	/* a repeated key: the first value wins, as with cJSON_GetObjectItem */
	check_render("{{a}}", "{\"a\":\"1\",\"a\":\"2\"}", "1");
}

static void test_check(void)
{
	char name[64];
	const char *json = "{\"name\":\"x\",\"code\":1234}";
	CHECK_INT(check3("Hi {{name}}", "<p>{{ code }}</p>", NULL, json, name, sizeof(name)), RENDER_OK);
	CHECK_STR(name, "");
	/* each key used by some part is enough */
	CHECK_INT(check3(NULL, NULL, "{{name}} {{code}}", json, name, sizeof(name)), RENDER_OK);
	/* missing, named; parts in order */
	CHECK_INT(check3("{{name}}", "{{code}} {{other}}", "{{third}}", json, name, sizeof(name)),
		  RENDER_MISSING_VARIABLE);
	CHECK_STR(name, "other");
	CHECK_INT(check3("{{ first }}", NULL, NULL, "{}", name, sizeof(name)), RENDER_MISSING_VARIABLE);
	CHECK_STR(name, "first");
	/* unused, named, data order */
	CHECK_INT(check3("{{name}}", NULL, NULL, "{\"name\":\"x\",\"extra\":\"y\",\"more\":\"z\"}", name, sizeof(name)),
		  RENDER_UNUSED_DATA);
	CHECK_STR(name, "extra");
	CHECK_INT(check3(NULL, NULL, NULL, "{\"only\":\"y\"}", name, sizeof(name)), RENDER_UNUSED_DATA);
	CHECK_STR(name, "only");
	/* a key that cannot be a variable name is never used */
	CHECK_INT(check3("{{bad name}}", NULL, NULL, "{\"bad name\":\"y\"}", name, sizeof(name)), RENDER_UNUSED_DATA);
	CHECK_STR(name, "bad name");
	/* bad values, named, before missing and unused */
	CHECK_INT(
		check3("{{missing}}", NULL, NULL, "{\"ok\":\"1\",\"flag\":null,\"unused\":\"u\"}", name, sizeof(name)),
		RENDER_BAD_VALUE);
	CHECK_STR(name, "flag");
	CHECK_INT(check3("{{o}}", NULL, NULL, "{\"o\":{\"a\":1}}", name, sizeof(name)), RENDER_BAD_VALUE);
	CHECK_STR(name, "o");
	CHECK_INT(check3("{{n}}", NULL, NULL, "{\"n\":null}", name, sizeof(name)), RENDER_BAD_VALUE);
	CHECK_INT(check3("{{a}}", NULL, NULL, "{\"a\":[\"x\"]}", name, sizeof(name)), RENDER_BAD_VALUE);
	/* data not an object: empty name */
	CHECK_INT(check3("x", NULL, NULL, "[]", name, sizeof(name)), RENDER_BAD_VALUE);
	CHECK_STR(name, "");
	/* missing before unused */
	CHECK_INT(check3("{{a}}", NULL, NULL, "{\"b\":\"1\"}", name, sizeof(name)), RENDER_MISSING_VARIABLE);
	CHECK_STR(name, "a");
	/* NULL data is an empty object */
	CHECK_INT(check3("no vars", NULL, NULL, NULL, name, sizeof(name)), RENDER_OK);
	CHECK_INT(check3("{{v}}", NULL, NULL, NULL, name, sizeof(name)), RENDER_MISSING_VARIABLE);
	/* literal braces are not variables */
	CHECK_INT(check3("{{ }} {{bad!}} {{", NULL, NULL, "{}", name, sizeof(name)), RENDER_OK);
	/* repeated keys count as used together */
	CHECK_INT(check3("{{a}}", NULL, NULL, "{\"a\":\"1\",\"a\":\"2\"}", name, sizeof(name)), RENDER_OK);
	/* the name is cut to the buffer, and a zero-size buffer is allowed */
	char small[4];
	CHECK_INT(check3("{{abcdefgh}}", NULL, NULL, "{}", small, sizeof(small)), RENDER_MISSING_VARIABLE);
	CHECK_STR(small, "abc");
	CHECK_INT(check3("{{abcdefgh}}", NULL, NULL, "{}", NULL, 0), RENDER_MISSING_VARIABLE);
	/* count 0 */
	CHECK_INT(render_check(NULL, 0, NULL, name, sizeof(name)), RENDER_OK);
}

static void test_max_size(void)
{
	enum render_status status;
	/* "ab" + "12345" + "cd" = 9 bytes */
	char *out = render("ab{{v}}cd", "{\"v\":\"12345\"}", 9, &status);
	CHECK_INT(status, RENDER_OK);
	CHECK_STR(out, "ab12345cd");
	free(out);
	out = render("ab{{v}}cd", "{\"v\":\"12345\"}", 8, &status);
	CHECK_INT(status, RENDER_TOO_LARGE);
	out = render("ab{{v}}cd", "{\"v\":\"12345\"}", 6, &status);
	CHECK_INT(status, RENDER_TOO_LARGE);
	out = render("abcdef", "{}", 5, &status);
	CHECK_INT(status, RENDER_TOO_LARGE);
	out = render("abcdef", "{}", 6, &status);
	CHECK_INT(status, RENDER_OK);
	free(out);
	out = render("", "{}", 0, &status);
	CHECK_INT(status, RENDER_OK);
	CHECK_STR(out, "");
	free(out);
	/* numbers count too: "1234" */
	out = render("{{n}}", "{\"n\":1234}", 3, &status);
	CHECK_INT(status, RENDER_TOO_LARGE);
	/* multi-byte values are measured in bytes */
	out = render("{{v}}", "{\"v\":\"你好\"}", 5, &status);
	CHECK_INT(status, RENDER_TOO_LARGE);
	out = render("{{v}}", "{\"v\":\"你好\"}", 6, &status);
	CHECK_INT(status, RENDER_OK);
	free(out);

	/* a value that would blow up: 1 MB used 10,000 times stops at the ceiling, fast */
	size_t big = 1 << 20;
	char *value = malloc(big + 1);
	char *part = malloc(10000 * 5 + 1);
	if (!CHECK(value && part)) {
		free(value);
		free(part);
		return;
	}
	memset(value, 'x', big);
	value[big] = '\0';
	for (size_t i = 0; i < 10000; i++)
		memcpy(part + 5 * i, "{{v}}", 5);
	part[10000 * 5] = '\0';
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "v", value);
	char *result = NULL;
	size_t len = 0;
	clock_t start = clock();
	CHECK_INT(render_apply(part, data, 4 << 20, &result, &len), RENDER_TOO_LARGE);
	CHECK((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
	CHECK(result == NULL);
	cJSON_Delete(data);
	free(value);
	free(part);
}

static double seconds_since(clock_t start)
{
	return (double)(clock() - start) / CLOCKS_PER_SEC;
}

/* A 1 MB template with 10,000 variables over 10,000 keys, checked and rendered. */
static void test_large(void)
{
	size_t size = 1 << 20, at = 0;
	char *part = malloc(size + 64);
	cJSON *data = cJSON_CreateObject();
	if (!CHECK(part && data)) {
		free(part);
		cJSON_Delete(data);
		return;
	}
	for (int i = 0; i < 10000; i++) {
		char key[32];
		snprintf(key, sizeof(key), "key_%d", i);
		cJSON_AddStringToObject(data, key, "value");
		at += (size_t)snprintf(part + at, 64, "{{ %s }}", key);
		size_t filler = (size - 64) / 10000 - 16;
		memset(part + at, 'a', filler);
		at += filler;
	}
	part[at] = '\0';
	CHECK(at > (size_t)900 * 1024);
	const char *parts[1] = {part};
	char name[64];
	clock_t start = clock();
	CHECK_INT(render_check(parts, 1, data, name, sizeof(name)), RENDER_OK);
	char *out = NULL;
	size_t len = 0;
	CHECK_INT(render_apply(part, data, 4 << 20, &out, &len), RENDER_OK);
	CHECK(seconds_since(start) < 1.0);
	CHECK(out && strncmp(out, "value", 5) == 0);
	free(out);
	cJSON_Delete(data);

	/* pathological runs of braces and blanks stay linear */
	const char *patterns[] = {"{", "{{ ", "{{a", "{{ a ", "{{a}", "{{{{a b"};
	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		size_t plen = strlen(patterns[p]);
		size_t n = 0;
		while (n + plen <= size) {
			memcpy(part + n, patterns[p], plen);
			n += plen;
		}
		part[n] = '\0';
		start = clock();
		CHECK_INT(render_check(parts, 1, NULL, name, sizeof(name)), RENDER_OK);
		CHECK_INT(render_apply(part, NULL, 4 << 20, &out, &len), RENDER_OK);
		CHECK(seconds_since(start) < 1.0);
		CHECK_INT(len, n);
		free(out);
	}
	/* one long run of name characters after many "{{" */
	memset(part, '{', size / 2);
	memset(part + size / 2, 'a', size / 2);
	part[size] = '\0';
	start = clock();
	CHECK_INT(render_apply(part, NULL, 4 << 20, &out, &len), RENDER_OK);
	CHECK(seconds_since(start) < 1.0);
	free(out);
	free(part);
}

int main(void)
{
	test_syntax();
	test_values();
	test_check();
	test_max_size();
	test_large();
	return unit_finish("render");
}
