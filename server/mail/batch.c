/*
 * Batch fan-out.
 *
 * Owns: a task's life on the scheduler thread: a run starts (status 5,
 * counters set to the group's valid members), members are sent in chunks
 * from the cursor, the run ends (10 done, or the next slot of a recurring
 * task), the day's quota pauses it (6) until the next CST midnight, a
 * vanished group or template ends it in error (7) with ErrMsg.
 * Never: answers API calls (server/api/task.c validates and creates tasks).
 */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../storage/store_account.h"
#include "../../storage/store_message.h"
#include "../../storage/store_receiver.h"
#include "../../storage/store_task.h"
#include "../../storage/store_template.h"
#include "../clock.h"
#include "../config.h"
#include "compose.h"
#include "suppress.h"

/* SendStatus of a member whose data does not fit the template (documented
 * code); suppressed members get theirs from server/mail/suppress.h. */
#define BATCH_STATUS_BAD_DATA 3010

/* A recurring task that fell this many slots behind the clock skips to the latest. */
#define BATCH_MAX_CATCH_UP 24

/* Everything a chunk needs that is the same for every member. */
struct batch_run {
	struct store *store;
	const struct config *config;
	struct store_task *task;
	struct store_account account;
	struct store_template template;
	char from[256], alias[256];
	int unsubscribe;
	int64_t now;
};

static void set_error(struct store_task *task, const char *message)
{
	free(task->err_msg);
	task->err_msg = strdup(message);
	task->status = STORE_TASK_ERROR;
	task->next_run = 0;
}

/* "Alias <addr>" or "addr" (already validated by BatchSendEmail). */
static void split_from(const char *text, char *address, size_t address_size, char *alias, size_t alias_size)
{
	const char *open = strrchr(text, '<');
	const char *close = open ? strchr(open, '>') : NULL;
	alias[0] = '\0';
	if (!open || !close) {
		snprintf(address, address_size, "%s", text);
		return;
	}
	snprintf(address, address_size, "%.*s", (int)(close - open - 1), open + 1);
	size_t n = (size_t)(open - text);
	while (n && text[n - 1] == ' ')
		n--;
	if (n >= 2 && text[0] == '"' && text[n - 1] == '"')
		snprintf(alias, alias_size, "%.*s", (int)(n - 2), text + 1);
	else
		snprintf(alias, alias_size, "%.*s", (int)n, text);
}

/* Start a run: count the group, reset the counters. False: the task ended in error or the store failed. */
static bool start_run(struct batch_run *run, bool *failed)
{
	struct store_task *task = run->task;
	struct store_receiver group = {0};
	enum store_status status = store_receiver_get(run->store, task->account, task->receiver_id, &group);
	int64_t members = group.member_count - group.invalid_count;
	store_receiver_finish(&group);
	if (status == STORE_NOT_FOUND) {
		set_error(task, "The recipient group was deleted.");
		return false;
	}
	if (status != STORE_OK) {
		*failed = true;
		return false;
	}
	task->status = STORE_TASK_SENDING;
	task->cursor = 0;
	task->request_count = members;
	task->send_count = 0;
	task->cache_count = members;
	return true;
}

static bool load_template(struct batch_run *run, bool *failed)
{
	struct store_task *task = run->task;
	if (!task->template_id)
		return true;
	enum store_status status = store_template_get(run->store, task->account, task->template_id, &run->template);
	if (status == STORE_OK && !run->template.deleted && run->template.status == STORE_TEMPLATE_APPROVED)
		return true;
	if (status == STORE_OK || status == STORE_NOT_FOUND)
		set_error(task, "The template was deleted or is no longer approved.");
	else
		*failed = true;
	return false;
}

/* --send-limits on: how many more emails the account may send today (INT64_MAX when unlimited). */
static bool quota_left(struct batch_run *run, int64_t *left)
{
	*left = INT64_MAX;
	if (!run->config->send_limits)
		return true;
	char day[16];
	int64_t sent = 0;
	clock_format_date(run->now, day, sizeof(day));
	if (store_delivery_count_day(run->store, run->task->account, day, &sent) != STORE_OK)
		return false;
	*left = run->account.daily_quota > sent ? run->account.daily_quota - sent : 0;
	return true;
}

/* The next CST midnight after `now`. */
static int64_t next_midnight(int64_t now)
{
	int64_t local = now + CLOCK_CST_OFFSET;
	return local - (local % 86400) + 86400 - CLOCK_CST_OFFSET;
}

/* Send one member; false when the store failed. */
static bool send_member(struct batch_run *run, const struct store_receiver_member *member)
{
	struct store_task *task = run->task;
	enum suppress_reason suppressed = SUPPRESS_NONE;
	if (suppress_check(run->store, task->account, member->email, run->from, run->now, &suppressed) != STORE_OK)
		return false;
	const char *data_text =
		member->template_data && member->template_data[0] ? member->template_data : task->template_data;
	cJSON *data = task->template_id ? cJSON_Parse(data_text && data_text[0] ? data_text : "{}") : NULL;
	const char *to[1] = {member->email};
	struct compose_input in = {
		.account = task->account,
		.app_id = run->account.app_id,
		.from_address = run->from,
		.from_name = run->alias[0] ? run->alias : NULL,
		.reply_to = task->reply_to[0] ? task->reply_to : NULL,
		.to = to,
		.to_count = 1,
		.subject = task->subject,
		.html = task->template_id ? run->template.html : task->simple_html,
		.text = task->template_id ? run->template.text : task->simple_text,
		.data = data,
		.template_id = task->template_id,
		.task_id = task->id,
		.unsubscribe = run->unsubscribe,
		.ad_location = task->ad_location,
		.forced_send_status = suppress_send_status(suppressed),
		.now = run->now,
		.base_url = run->config->base_url,
		.relay = run->config->smtp_relay[0] != '\0',
	};
	char name[96], message_id[80], detail[256];
	bool fits = !task->template_id || (data && compose_check(&in, name, sizeof(name)) == COMPOSE_OK);
	if (!fits) {
		/* Not silently lost: stored unrendered, its recipient failed with 3010. */
		in.data = NULL;
		in.forced_send_status = BATCH_STATUS_BAD_DATA;
	}
	enum compose_status status = compose_store(run->store, &in, message_id, detail, sizeof(detail));
	cJSON_Delete(data);
	if (status == COMPOSE_STORE || status == COMPOSE_NOMEM)
		return false;
	task->cache_count = task->cache_count > 0 ? task->cache_count - 1 : 0;
	if (status == COMPOSE_OK && !in.forced_send_status)
		task->send_count++;
	return true;
}

/* After the last member: done, or the next slot of a recurring task. */
static void end_run(struct store_task *task, int64_t now)
{
	task->runs++;
	task->cache_count = 0;
	if (task->task_type != 3 || task->term_cycle || task->interval_hours <= 0) {
		task->status = STORE_TASK_DONE;
		task->next_run = 0;
		return;
	}
	int64_t interval = task->interval_hours * 3600;
	int64_t next = task->begin_time + task->runs * interval;
	if (next <= now - BATCH_MAX_CATCH_UP * interval) {
		/* far behind the clock: skip to the latest slot not after now */
		int64_t slots = (now - task->begin_time) / interval;
		task->runs = slots;
		next = task->begin_time + slots * interval;
	}
	task->status = STORE_TASK_SENDING; /* the cycle goes on */
	task->cursor = -1;                 /* no run in progress */
	task->next_run = next;
}

/* Send up to `budget` members from the cursor; false when the store failed. */
static bool send_chunk(struct batch_run *run, size_t budget)
{
	struct store_task *task = run->task;
	int64_t left;
	if (!quota_left(run, &left))
		return false;
	if (left == 0) {
		task->status = STORE_TASK_PAUSED_TODAY;
		task->next_run = next_midnight(run->now);
		return true;
	}
	int64_t limit = (int64_t)budget < left ? (int64_t)budget : left;
	struct store_receiver_member *members = NULL;
	size_t count = 0;
	if (store_receiver_members_page(run->store, task->account, task->receiver_id, task->cursor, limit, &members,
					&count) != STORE_OK)
		return false;
	bool ok = true;
	for (size_t i = 0; ok && i < count; i++) {
		if (members[i].status != STORE_MEMBER_VALID) {
			task->cursor = members[i].id;
			continue;
		}
		ok = send_member(run, &members[i]);
		task->cursor = members[i].id;
	}
	store_receiver_members_free(members, count);
	if (ok && (int64_t)count < limit)
		end_run(task, run->now);
	else if (ok)
		task->status = STORE_TASK_SENDING;
	return ok;
}

static bool work_on(struct batch_run *run, size_t budget)
{
	struct store_task *task = run->task;
	bool failed = false;
	if (store_account_get(run->store, task->account, &run->account) != STORE_OK)
		return false;
	split_from(task->from_address, run->from, sizeof(run->from), run->alias, sizeof(run->alias));
	run->unsubscribe = (int)strtol(task->unsubscribe, NULL, 10);
	bool new_run = task->status == STORE_TASK_TO_START || task->cursor < 0;
	if (new_run && !start_run(run, &failed))
		return !failed;
	if (!load_template(run, &failed))
		return !failed;
	return send_chunk(run, budget);
}

bool batch_step(struct store *store, const struct config *config, int64_t now, size_t budget)
{
	struct store_task task = {0};
	if (store_begin(store, true) != STORE_OK)
		return false;
	enum store_status status = store_task_next_due(store, now, &task);
	if (status != STORE_OK) {
		store_rollback(store);
		return false;
	}
	struct batch_run run = {.store = store, .config = config, .task = &task, .now = now};
	bool ok = work_on(&run, budget);
	task.updated = now;
	ok = ok && store_task_save(store, &task) == STORE_OK;
	store_template_finish(&run.template);
	store_task_finish(&task);
	if (!ok) {
		store_rollback(store);
		return false;
	}
	return store_commit(store) == STORE_OK;
}

int64_t batch_next_run(struct store *store)
{
	int64_t when = 0;
	if (store_begin(store, false) != STORE_OK)
		return 0;
	if (store_task_earliest(store, &when) != STORE_OK)
		when = 0;
	store_rollback(store);
	return when;
}
