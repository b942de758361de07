/*
 * Template variables: `{{name}}` in a template's subject, HTML and text,
 * replaced by the values of the JSON object the caller sent as TemplateData.
 *
 * Syntax: "{{", optional spaces or tabs, a name of ASCII letters, digits,
 * '_', '-' and '.', optional spaces or tabs, "}}". Anything else (a lone
 * "{{", "{{bad name!}}", "{{}}") is ordinary text and is copied as is.
 * Names are case-sensitive. When "{" runs longer than two, the leftmost
 * complete variable wins: "{{{a}}}" is "{" + value of a + "}".
 *
 * Values are JSON strings, inserted verbatim (no HTML escaping: the real
 * service inserts the data as given), or JSON numbers, written the way
 * JSON writes them (integers without ".0", others in the shortest of
 * %.15g / %.17g that reads back the same). Any other JSON type is an error.
 *
 * Both functions run in time linear in the size of the template plus
 * O(log n) per variable for n data keys: the keys are sorted once, never
 * looked up by walking the object.
 */
#ifndef SERVER_MAIL_RENDER_H
#define SERVER_MAIL_RENDER_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum render_status {
	RENDER_OK = 0,
	RENDER_MISSING_VARIABLE, /* a variable of the template has no value in the data */
	RENDER_UNUSED_DATA,      /* a data key is used by no part of the template */
	RENDER_BAD_VALUE,        /* a value is not a string, number or boolean, or data is not an object */
	RENDER_TOO_LARGE,        /* the rendered text would be longer than the caller's ceiling */
	RENDER_NOMEM,            /* out of memory */
};

/*
 * Check that `data` fits the template `parts` (e.g. subject, HTML, text;
 * NULL entries are skipped) before anything is rendered. The checks run in
 * this order and the first failure is returned:
 *   1. `data` is a JSON object (NULL counts as an empty object), else
 *      RENDER_BAD_VALUE with an empty name;
 *   2. every value is a string or a number, else RENDER_BAD_VALUE naming
 *      the first offending key in data order;
 *   3. every variable of every part has a value, else
 *      RENDER_MISSING_VARIABLE naming the first missing one (parts in
 *      order, then position);
 *   4. every data key is used by some part, else RENDER_UNUSED_DATA naming
 *      the first unused key in data order (a key repeated in the object is
 *      used when its name is).
 * Returns RENDER_OK, one of the above, or RENDER_NOMEM. `name` (may be NULL
 * when `name_size` is 0) receives the offending name, NUL-terminated and
 * cut to `name_size - 1` bytes; it is "" on RENDER_OK and RENDER_NOMEM.
 * Nothing else is changed.
 */
enum render_status render_check(const char *const *parts, size_t count, const cJSON *data, char *name,
				size_t name_size);

/*
 * Render one part: each variable is replaced by its value from `data` (a
 * JSON object; NULL counts as empty). `part` NULL renders as "".
 * On RENDER_OK, *out is a new NUL-terminated string of *out_len bytes
 * (*out_len <= max_size); caller frees. Otherwise *out is NULL, *out_len 0,
 * and the status is RENDER_MISSING_VARIABLE (a variable has no value),
 * RENDER_BAD_VALUE (a used value is not a string or number, or data is not
 * an object), RENDER_TOO_LARGE (the result would exceed `max_size` bytes;
 * found before anything that large is allocated) or RENDER_NOMEM.
 * Data keys the part does not use are ignored here (render_check reports
 * them).
 */
enum render_status render_apply(const char *part, const cJSON *data, size_t max_size, char **out, size_t *out_len);

#endif
