/*
 * Counters and their Prometheus text.
 *
 * Owns: the tables of atomics (requests per action × result code, one
 * latency histogram per action, relay outcomes) and the exposition format.
 * Never: takes a lock or allocates on the recording side; reads the store
 * (the control plane passes the store's counts in).
 *
 * Design: each request adds to three relaxed atomics (its counter, its
 * bucket, its action's sum), so threads never wait for each other. A scrape
 * reads every atomic once; a request counted between two reads may show in
 * one series and not yet in the other, which Prometheus tolerates. Buckets
 * are kept per bucket and summed when rendered, so `_count` always equals
 * the `+Inf` bucket and buckets never decrease within one scrape.
 */
#include "metrics.h"

#include "allocator.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

/* Upper bounds of the latency buckets, in seconds and in nanoseconds. */
#define METRICS_BUCKETS 11
static const char *const bucket_labels[METRICS_BUCKETS] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
							   "0.05",   "0.1",   "0.25",   "0.5",   "1"};
static const uint64_t bucket_bounds_ns[METRICS_BUCKETS] = {500000u,    1000000u,   2500000u,   5000000u,
							   10000000u,  25000000u,  50000000u,  100000000u,
							   250000000u, 500000000u, 1000000000u};

/* The longest text a scrape may produce; past it the scrape fails rather than grow without bound. */
#define METRICS_TEXT_MAX (4u * 1024u * 1024u)

const int metrics_task_statuses[METRICS_TASK_STATUS_COUNT] = {1, 5, 6, 7, 10};

static const char *const message_status_names[METRICS_MESSAGE_STATUS_COUNT] = {
	"delivered", "queued", "delayed", "dropped", "rejected", "bounced",
};

static const char *const relay_outcome_names[METRICS_RELAY_OUTCOME_COUNT] = {"sent", "failed", "retry"};

struct histogram {
	_Atomic uint64_t buckets[METRICS_BUCKETS + 1]; /* the last one: above every bound */
	_Atomic uint64_t sum_ns;
};

struct metrics {
	_Atomic uint64_t requests[API_ACTION_COUNT + 1][METRICS_CODE_COUNT];
	struct histogram latency[API_ACTION_COUNT + 1];
	_Atomic uint64_t relay[METRICS_RELAY_OUTCOME_COUNT];
};

struct metrics *metrics_create(void)
{
	struct metrics *m = malloc(sizeof(*m));
	if (!m)
		return NULL;
	for (size_t a = 0; a <= API_ACTION_COUNT; a++) {
		for (size_t c = 0; c < METRICS_CODE_COUNT; c++)
			atomic_init(&m->requests[a][c], 0);
		for (size_t b = 0; b <= METRICS_BUCKETS; b++)
			atomic_init(&m->latency[a].buckets[b], 0);
		atomic_init(&m->latency[a].sum_ns, 0);
	}
	for (size_t r = 0; r < METRICS_RELAY_OUTCOME_COUNT; r++)
		atomic_init(&m->relay[r], 0);
	return m;
}

void metrics_destroy(struct metrics *metrics)
{
	free(metrics);
}

void metrics_record_request(struct metrics *metrics, unsigned action, unsigned code, uint64_t elapsed_ns)
{
	if (!metrics || action > METRICS_ACTION_NONE || code >= METRICS_CODE_COUNT)
		return;
	atomic_fetch_add_explicit(&metrics->requests[action][code], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < METRICS_BUCKETS && elapsed_ns > bucket_bounds_ns[b])
		b++;
	struct histogram *h = &metrics->latency[action];
	atomic_fetch_add_explicit(&h->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, elapsed_ns, memory_order_relaxed);
}

void metrics_record_relay(struct metrics *metrics, enum metrics_relay_outcome outcome)
{
	if (metrics && (unsigned)outcome < METRICS_RELAY_OUTCOME_COUNT)
		atomic_fetch_add_explicit(&metrics->relay[outcome], 1, memory_order_relaxed);
}

const char *metrics_code_label(unsigned code)
{
	if (code == ERR_NONE)
		return "OK";
	if (code < ERR_COUNT)
		return api_errors[code].code;
	if (code == METRICS_CODE_HTTP_ERROR)
		return "HTTP5xx";
	if (code == METRICS_CODE_DROPPED)
		return "Dropped";
	return "-";
}

static const char *action_label(size_t action)
{
	return action < API_ACTION_COUNT ? api_actions[action].name : "-";
}

/* A text that grows up to METRICS_TEXT_MAX; `failed` once it could not. */
struct text {
	char *data;
	size_t len, cap;
	bool failed;
};

static void appendf(struct text *t, const char *format, ...)
{
	if (t->failed)
		return;
	for (;;) {
		va_list args;
		va_start(args, format);
		int n = vsnprintf(t->data + t->len, t->cap - t->len, format, args);
		va_end(args);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap * 2;
		char *grown = cap <= METRICS_TEXT_MAX ? realloc(t->data, cap) : NULL;
		if (!grown) {
			t->failed = true;
			return;
		}
		t->data = grown;
		t->cap = cap;
	}
}

static void render_requests(struct text *t, const struct metrics *m)
{
	appendf(t, "# HELP ses_emulator_requests_total API requests answered, by action and result code.\n"
		   "# TYPE ses_emulator_requests_total counter\n");
	for (size_t a = 0; a <= API_ACTION_COUNT; a++)
		for (unsigned c = 0; c < METRICS_CODE_COUNT; c++) {
			uint64_t n = atomic_load_explicit(&m->requests[a][c], memory_order_relaxed);
			if (n)
				appendf(t, "ses_emulator_requests_total{action=\"%s\",code=\"%s\"} %llu\n",
					action_label(a), metrics_code_label(c), (unsigned long long)n);
		}
}

static void render_latency(struct text *t, const struct metrics *m)
{
	appendf(t, "# HELP ses_emulator_request_duration_seconds Time from a request's arrival to its answer, "
		   "by action.\n"
		   "# TYPE ses_emulator_request_duration_seconds histogram\n");
	for (size_t a = 0; a <= API_ACTION_COUNT; a++) {
		const struct histogram *h = &m->latency[a];
		uint64_t counts[METRICS_BUCKETS + 1], total = 0;
		for (size_t b = 0; b <= METRICS_BUCKETS; b++) {
			counts[b] = atomic_load_explicit(&h->buckets[b], memory_order_relaxed);
			total += counts[b];
		}
		if (!total)
			continue;
		const char *name = action_label(a);
		uint64_t cumulative = 0;
		for (size_t b = 0; b < METRICS_BUCKETS; b++) {
			cumulative += counts[b];
			appendf(t, "ses_emulator_request_duration_seconds_bucket{action=\"%s\",le=\"%s\"} %llu\n", name,
				bucket_labels[b], (unsigned long long)cumulative);
		}
		double sum = (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9;
		appendf(t,
			"ses_emulator_request_duration_seconds_bucket{action=\"%s\",le=\"+Inf\"} %llu\n"
			"ses_emulator_request_duration_seconds_sum{action=\"%s\"} %.9f\n"
			"ses_emulator_request_duration_seconds_count{action=\"%s\"} %llu\n",
			name, (unsigned long long)total, name, sum, name, (unsigned long long)total);
	}
}

static void render_store(struct text *t, const struct metrics_store_counts *counts)
{
	appendf(t, "# HELP ses_emulator_messages Stored messages by status (the worst outcome among their "
		   "recipients).\n"
		   "# TYPE ses_emulator_messages gauge\n");
	for (size_t s = 0; s < METRICS_MESSAGE_STATUS_COUNT; s++)
		appendf(t, "ses_emulator_messages{status=\"%s\"} %lld\n", message_status_names[s],
			(long long)counts->messages[s]);
	appendf(t, "# HELP ses_emulator_tasks Batch sending tasks by TaskStatus (1 to start, 5 sending, 6 paused, "
		   "7 error, 10 done).\n"
		   "# TYPE ses_emulator_tasks gauge\n");
	for (size_t s = 0; s < METRICS_TASK_STATUS_COUNT; s++)
		appendf(t, "ses_emulator_tasks{status=\"%d\"} %lld\n", metrics_task_statuses[s],
			(long long)counts->tasks[s]);
}

char *metrics_render(const struct metrics *metrics, const struct metrics_store_counts *counts, double uptime_seconds,
		     size_t *len)
{
	struct text t = {.data = malloc(16384), .cap = 16384};
	if (!t.data || !metrics) {
		free(t.data);
		return NULL;
	}
	render_requests(&t, metrics);
	render_latency(&t, metrics);
	if (counts)
		render_store(&t, counts);
	appendf(&t, "# HELP ses_emulator_relay_total SMTP relay outcomes (--smtp-relay).\n"
		    "# TYPE ses_emulator_relay_total counter\n");
	for (size_t r = 0; r < METRICS_RELAY_OUTCOME_COUNT; r++)
		appendf(&t, "ses_emulator_relay_total{outcome=\"%s\"} %llu\n", relay_outcome_names[r],
			(unsigned long long)atomic_load_explicit(&metrics->relay[r], memory_order_relaxed));
	appendf(&t,
		"# HELP ses_emulator_uptime_seconds Seconds since the emulator started serving.\n"
		"# TYPE ses_emulator_uptime_seconds gauge\n"
		"ses_emulator_uptime_seconds %.3f\n"
		"# HELP ses_emulator_build_info The version, the SES API version emulated, the allocator.\n"
		"# TYPE ses_emulator_build_info gauge\n"
		"ses_emulator_build_info{version=\"%s\",api_version=\"2020-10-02\",allocator=\"%s\"} 1\n",
		uptime_seconds, SES_EMULATOR_VERSION, allocator_name());
	if (t.failed) {
		free(t.data);
		return NULL;
	}
	*len = t.len;
	return t.data;
}
