/*
 * Focus: the template renderer (server/mail/render.h). Input: subject, HTML,
 * text and TemplateData JSON, separated by NUL bytes. render_check() runs on
 * the three parts, then render_apply() on each with a small ceiling.
 * Invariants: on RENDER_OK the output has exactly the length reported and
 * fits the ceiling; when render_check() accepts the data, rendering a part
 * never reports a missing variable or a bad value.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/mail/render.h"
#include "fuzz.h"

#define FUZZ_RENDER_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fields f;
	if (!fuzz_fields_init(&f, data, size, 4))
		return 0;
	const char *parts[3] = {f.field[0], f.field[1], f.field[2]};
	cJSON *json = f.count > 3 ? cJSON_Parse(f.field[3]) : NULL;
	char name[64];
	enum render_status checked = render_check(parts, 3, json, name, sizeof(name));
	assert(strlen(name) < sizeof(name));
	for (size_t i = 0; i < 3; i++) {
		char *out = (char *)1;
		size_t len = 1;
		enum render_status status = render_apply(parts[i], json, FUZZ_RENDER_MAX, &out, &len);
		if (status == RENDER_OK) {
			assert(out && strlen(out) == len && len <= FUZZ_RENDER_MAX);
		} else {
			assert(!out && len == 0);
			if (checked == RENDER_OK)
				assert(status == RENDER_TOO_LARGE || status == RENDER_NOMEM);
		}
		free(out);
	}
	cJSON_Delete(json);
	fuzz_fields_finish(&f);
	return 0;
}
