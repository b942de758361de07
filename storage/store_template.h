/*
 * Email templates. Owns the templates table. Deleted templates keep a
 * tombstone so that GetEmailTemplate can tell "deleted" from "never was".
 */
#ifndef STORAGE_STORE_TEMPLATE_H
#define STORAGE_STORE_TEMPLATE_H

#include "store.h"

/* The API's TemplateStatus values. */
enum store_template_status {
	STORE_TEMPLATE_APPROVED = 0,
	STORE_TEMPLATE_PENDING = 1,
	STORE_TEMPLATE_REJECTED = 2,
};

struct store_template {
	int64_t id;
	char *name;
	char *html; /* NULL when the template has no HTML part */
	char *text; /* NULL when it has no text part */
	int status; /* enum store_template_status */
	char *review_reason;
	int64_t created;
	int64_t updated;
	bool deleted;
};

void store_template_finish(struct store_template *row);
void store_template_list_free(struct store_template *rows, size_t count);

/*
 * A new template from in->name, html, text, status and review_reason; its id
 * is in->id when positive (fixtures keep their ids), else the next free one.
 * *id gets it. STORE_EXISTS when in->id is taken (by any account).
 */
enum store_status store_template_create(struct store *store, int64_t account, const struct store_template *in,
					int64_t now, int64_t *id);
/* Also finds deleted templates (out->deleted); STORE_NOT_FOUND when never created here. */
enum store_status store_template_get(struct store *store, int64_t account, int64_t id, struct store_template *out);
/* Templates that are not deleted. */
enum store_status store_template_count(struct store *store, int64_t account, int64_t *count);
/* A page of live templates, newest first, and the total count. */
enum store_status store_template_list(struct store *store, int64_t account, int64_t offset, int64_t limit,
				      struct store_template **rows, size_t *count);
/* Replace name, bodies and status of a live template. */
enum store_status store_template_update(struct store *store, int64_t account, const struct store_template *in,
					int64_t now);
/*
 * The review decision on a live template: its status (enum
 * store_template_status) and ReviewReason (NULL or "": none). The bodies stay
 * as they are. STORE_NOT_FOUND when the account has no such live template.
 */
enum store_status store_template_review(struct store *store, int64_t account, int64_t id, int status,
					const char *reason, int64_t now);
/* Mark a live template deleted; STORE_NOT_FOUND when there is none. */
enum store_status store_template_delete(struct store *store, int64_t account, int64_t id, int64_t now);

#endif
