/*
 * Recipient-group rules shared with other modules (fixtures load groups
 * with the same TemplateData rules as the API).
 */
#ifndef SERVER_API_RECEIVER_H
#define SERVER_API_RECEIVER_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* The Reason of a member whose address is not valid (ListReceiverDetails). */
#define RECEIVER_INVALID_REASON "invalid email address"

/* Whether every value of the TemplateData object `data` is plain: a string
 * without an HTML tag ('<' followed later by '>'), a number, a boolean or
 * null; never an object or an array. */
bool receiver_data_plain(const cJSON *data);

/*
 * The key set of the TemplateData object `data`: the JSON array of its keys,
 * sorted (for example ["age","name"]); two members of a group must have the
 * same. NULL when out of memory. Caller frees.
 */
char *receiver_data_keys(const cJSON *data);

#endif
