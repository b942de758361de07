/*
 * Fault injection and documented rate limits: what the API road consults
 * after authentication, and the control plane edits (/_emulator/faults).
 * Process-wide state behind one mutex; cleared by /_emulator/reset.
 */
#ifndef SERVER_FAULTS_H
#define SERVER_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* What a matching rule makes of one request. */
struct faults_decision {
	bool matched;
	unsigned delay_ms;    /* wait this long before answering (0: none) */
	bool drop;            /* close the connection without an answer */
	unsigned http_status; /* answer this HTTP 5xx status instead of the API envelope (0: no) */
	char code[96];        /* answer this error code ("" : none) */
	char message[256];    /* its message ("" : the catalogue's) */
};

#define FAULTS_MAX_RULES 64

/*
 * Add a rule from its JSON (see docs/control.md). On success returns true
 * and writes the stored rule (with its "id") into *rule (caller deletes);
 * on failure writes a one-line reason into `err`. `valid_code` says whether
 * a code is in the error catalogue.
 */
bool faults_add(const cJSON *json, bool (*valid_code)(const char *code), cJSON **rule, char *err, size_t err_size);
/* Every rule with its "fired" count, as a JSON array (caller deletes). */
cJSON *faults_list(void);
/* Remove the rules whose ids are in `rules` (a JSON array of rules as returned by faults_add). */
void faults_clear_ids(const cJSON *rules);
/* Remove every rule; returns how many there were. */
size_t faults_clear(void);

/*
 * The decision for one authenticated request of `action` by account
 * `app_id`: the first rule that matches (action or "*", app_id or any,
 * count left, the probability draw) fires and is counted.
 */
void faults_decide(const char *action, uint64_t app_id, struct faults_decision *out);

/*
 * --rate-limit documented: whether another request of action `action_index`
 * (of `action_count`) by account `account` fits in the current one-second
 * window with `per_second` allowed (0: no documented limit, always fits).
 */
bool faults_rate_allow(int64_t account, unsigned action_index, unsigned per_second);

#endif
