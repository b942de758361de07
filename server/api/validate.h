/*
 * The schema check every call passes before its handler: unknown names,
 * JSON types, required parameters, in that order and in one place.
 */
#ifndef SERVER_API_VALIDATE_H
#define SERVER_API_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "api_gen.h"
#include "schema.h"

/*
 * Check `params` (a JSON object) against `schema`. Returns ERR_NONE, or
 * ERR_UNKNOWN_PARAMETER / ERR_INVALID_PARAMETER / ERR_MISSING_PARAMETER with
 * the dotted path of the offending parameter in `path` ("Template.TemplateID",
 * "Destination.3"). `params` is not changed.
 */
enum api_error_code validate_params(const cJSON *params, const struct schema_struct *schema, char *path,
				    size_t path_size);

#endif
