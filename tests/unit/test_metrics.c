/*
 * Focus: the metrics tables and their Prometheus text (server/metrics.c):
 * counters by action × code (unknown actions under "-", injected answers
 * under "HTTP5xx" and "Dropped"), histogram buckets at their bounds
 * (a latency equal to a bound falls in it), cumulative buckets with _count
 * equal to +Inf, the store's counts, relay outcomes, out-of-range input
 * ignored, NULL accepted; and the request log (server/request_log.c): its
 * two line formats, and its writer thread (every line of concurrent
 * writers arrives whole, none lost, all written by destroy).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "request_log.h"
#include "unit.h"

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	fprintf(stderr, "  missing line: %s\n", line);
	return false;
}

static void test_counters(void)
{
	struct metrics *m = metrics_create();
	if (!CHECK(m != NULL))
		return;
	metrics_record_request(m, API_ACTION_GET_EMAIL_TEMPLATE, ERR_NONE, 400000);     /* 0.4 ms */
	metrics_record_request(m, API_ACTION_GET_EMAIL_TEMPLATE, ERR_NONE, 500000);     /* on the bound */
	metrics_record_request(m, API_ACTION_GET_EMAIL_TEMPLATE, ERR_NONE, 500001);     /* just past it */
	metrics_record_request(m, API_ACTION_GET_EMAIL_TEMPLATE, ERR_NONE, 2000000000); /* past 1 s */
	metrics_record_request(m, API_ACTION_SEND_EMAIL, ERR_MISSING_PARAMETER, 1000);
	metrics_record_request(m, METRICS_ACTION_NONE, ERR_INVALID_ACTION, 1000);
	metrics_record_request(m, API_ACTION_SEND_EMAIL, METRICS_CODE_HTTP_ERROR, 1000);
	metrics_record_request(m, API_ACTION_SEND_EMAIL, METRICS_CODE_DROPPED, 1000);
	/* Out of range: ignored. */
	metrics_record_request(m, METRICS_ACTION_NONE + 1, ERR_NONE, 1);
	metrics_record_request(m, API_ACTION_SEND_EMAIL, METRICS_CODE_COUNT, 1);
	metrics_record_request(NULL, API_ACTION_SEND_EMAIL, ERR_NONE, 1);
	metrics_record_relay(m, METRICS_RELAY_SENT);
	metrics_record_relay(m, METRICS_RELAY_RETRY);
	metrics_record_relay(m, METRICS_RELAY_RETRY);
	metrics_record_relay(m, METRICS_RELAY_OUTCOME_COUNT);
	metrics_record_relay(NULL, METRICS_RELAY_SENT);

	struct metrics_store_counts counts = {.messages = {3, 0, 0, 1, 0, 2}, .tasks = {0, 1, 0, 0, 4}};
	size_t len = 0;
	char *text = metrics_render(m, &counts, 12, &len);
	if (CHECK(text != NULL)) {
		CHECK_INT(len, strlen(text));
		CHECK(has_line(text, "# TYPE ses_emulator_requests_total counter"));
		CHECK(has_line(text, "ses_emulator_requests_total{action=\"GetEmailTemplate\",code=\"OK\"} 4"));
		CHECK(has_line(text, "ses_emulator_requests_total{action=\"SendEmail\",code=\"MissingParameter\"} 1"));
		CHECK(has_line(text, "ses_emulator_requests_total{action=\"-\",code=\"InvalidAction\"} 1"));
		CHECK(has_line(text, "ses_emulator_requests_total{action=\"SendEmail\",code=\"HTTP5xx\"} 1"));
		CHECK(has_line(text, "ses_emulator_requests_total{action=\"SendEmail\",code=\"Dropped\"} 1"));
		CHECK(strstr(text, "code=\"OK\"} 1\n") == NULL); /* the NULL and out-of-range calls counted nothing */
		CHECK(has_line(text, "# TYPE ses_emulator_request_duration_seconds histogram"));
		CHECK(has_line(
			text,
			"ses_emulator_request_duration_seconds_bucket{action=\"GetEmailTemplate\",le=\"0.0005\"} 2"));
		CHECK(has_line(
			text,
			"ses_emulator_request_duration_seconds_bucket{action=\"GetEmailTemplate\",le=\"0.001\"} 3"));
		CHECK(has_line(text,
			       "ses_emulator_request_duration_seconds_bucket{action=\"GetEmailTemplate\",le=\"1\"} 3"));
		CHECK(has_line(
			text,
			"ses_emulator_request_duration_seconds_bucket{action=\"GetEmailTemplate\",le=\"+Inf\"} 4"));
		CHECK(has_line(text, "ses_emulator_request_duration_seconds_count{action=\"GetEmailTemplate\"} 4"));
		CHECK(has_line(text,
			       "ses_emulator_request_duration_seconds_sum{action=\"GetEmailTemplate\"} 2.001400001"));
		/* Actions never seen have no series. */
		CHECK(strstr(text, "action=\"ListEmailTemplates\"") == NULL);
		CHECK(has_line(text, "ses_emulator_messages{status=\"delivered\"} 3"));
		CHECK(has_line(text, "ses_emulator_messages{status=\"dropped\"} 1"));
		CHECK(has_line(text, "ses_emulator_messages{status=\"bounced\"} 2"));
		CHECK(has_line(text, "ses_emulator_messages{status=\"queued\"} 0"));
		CHECK(has_line(text, "ses_emulator_tasks{status=\"5\"} 1"));
		CHECK(has_line(text, "ses_emulator_tasks{status=\"10\"} 4"));
		CHECK(has_line(text, "ses_emulator_relay_total{outcome=\"sent\"} 1"));
		CHECK(has_line(text, "ses_emulator_relay_total{outcome=\"retry\"} 2"));
		CHECK(has_line(text, "ses_emulator_relay_total{outcome=\"failed\"} 0"));
		CHECK(has_line(text, "ses_emulator_uptime_seconds 12.000"));
		CHECK(strstr(text, "ses_emulator_build_info{version=\"") != NULL);
		CHECK(text[len - 1] == '\n');
	}
	free(text);
	/* Without the store's counts: no message or task series. */
	text = metrics_render(m, NULL, 0, &len);
	if (CHECK(text != NULL))
		CHECK(strstr(text, "ses_emulator_messages") == NULL);
	free(text);
	CHECK(metrics_render(NULL, NULL, 0, &len) == NULL);
	metrics_destroy(m);
	metrics_destroy(NULL);
}

static void test_code_labels(void)
{
	CHECK_STR(metrics_code_label(ERR_NONE), "OK");
	CHECK_STR(metrics_code_label(ERR_INTERNAL_ERROR), "InternalError");
	CHECK_STR(metrics_code_label(METRICS_CODE_HTTP_ERROR), "HTTP5xx");
	CHECK_STR(metrics_code_label(METRICS_CODE_DROPPED), "Dropped");
	CHECK_STR(metrics_code_label(METRICS_CODE_COUNT), "-");
}

static void test_request_log(void)
{
	char line[REQUEST_LOG_LINE_MAX];
	struct request_log_entry e = {
		.time_ms = 1717203723456LL, /* 2024-06-01T01:02:03.456Z */
		.app_id = 1300000001,
		.action = "GetEmailTemplate",
		.code = "OK",
		.elapsed_ns = 424999,
		.request_id = "5c3f1d2e-0000-4000-8000-000000000000",
	};
	size_t n = request_log_format(CONFIG_LOG_TEXT, &e, line, sizeof(line));
	CHECK_STR(line, "2024-06-01T01:02:03.456Z 1300000001 GetEmailTemplate OK 0.42ms "
			"5c3f1d2e-0000-4000-8000-000000000000\n");
	CHECK_INT(n, strlen(line));
	n = request_log_format(CONFIG_LOG_JSON, &e, line, sizeof(line));
	CHECK_STR(line, "{\"time\":\"2024-06-01T01:02:03.456Z\",\"app_id\":1300000001,\"action\":\"GetEmailTemplate\","
			"\"code\":\"OK\",\"ms\":0.42,\"request_id\":\"5c3f1d2e-0000-4000-8000-000000000000\"}\n");
	CHECK_INT(n, strlen(line));

	/* Before authentication and with no known action. */
	e.app_id = 0;
	e.action = NULL;
	e.code = "InvalidAction";
	e.elapsed_ns = 1234567890;
	request_log_format(CONFIG_LOG_TEXT, &e, line, sizeof(line));
	CHECK_STR(line, "2024-06-01T01:02:03.456Z - - InvalidAction 1234.57ms 5c3f1d2e-0000-4000-8000-000000000000\n");
	request_log_format(CONFIG_LOG_JSON, &e, line, sizeof(line));
	CHECK_STR(
		line,
		"{\"time\":\"2024-06-01T01:02:03.456Z\",\"app_id\":null,\"action\":null,"
		"\"code\":\"InvalidAction\",\"ms\":1234.57,\"request_id\":\"5c3f1d2e-0000-4000-8000-000000000000\"}\n");

	/* Off: nothing. */
	CHECK_INT(request_log_format(CONFIG_LOG_OFF, &e, line, sizeof(line)), 0);
	CHECK_STR(line, "");

	/* Too small a buffer: still one whole line. */
	char small[16];
	n = request_log_format(CONFIG_LOG_TEXT, &e, small, sizeof(small));
	CHECK_INT(n, sizeof(small) - 1);
	CHECK(small[n - 1] == '\n');
	CHECK(memchr(small, '\n', n - 1) == NULL);
}

#define WRITERS 4
#define LINES_EACH 5000

static void *write_lines(void *cls)
{
	struct request_log *log = cls;
	for (int i = 0; i < LINES_EACH; i++) {
		struct request_log_entry e = {.time_ms = 1717203723456LL + i,
					      .app_id = 1300000001,
					      .action = "SendEmail",
					      .code = "OK",
					      .elapsed_ns = (uint64_t)i * 1000,
					      .request_id = "5c3f1d2e-0000-4000-8000-000000000000"};
		request_log_write(log, &e);
	}
	return NULL;
}

static void test_request_log_writer(void)
{
	CHECK(request_log_create(CONFIG_LOG_OFF, 2) == NULL);
	request_log_write(NULL, NULL); /* off: nothing, no crash */
	request_log_destroy(NULL);
	FILE *file = tmpfile();
	if (!CHECK(file != NULL))
		return;
	struct request_log *log = request_log_create(CONFIG_LOG_TEXT, fileno(file));
	if (!CHECK(log != NULL)) {
		fclose(file);
		return;
	}
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		pthread_create(&threads[i], NULL, write_lines, log);
	for (int i = 0; i < WRITERS; i++)
		pthread_join(threads[i], NULL);
	request_log_destroy(log); /* writes what is left */
	rewind(file);
	char line[REQUEST_LOG_LINE_MAX + 2];
	int lines = 0, whole = 0;
	while (fgets(line, sizeof(line), file)) {
		lines++;
		whole += strncmp(line, "2024-06-01T01:0", 15) == 0 &&
			 strstr(line, " 1300000001 SendEmail OK ") != NULL &&
			 strcmp(line + strlen(line) - 38, " 5c3f1d2e-0000-4000-8000-000000000000\n") == 0;
	}
	CHECK_INT(lines, WRITERS * LINES_EACH);
	CHECK_INT(whole, WRITERS * LINES_EACH);
	fclose(file);
}

int main(void)
{
	test_counters();
	test_code_labels();
	test_request_log();
	test_request_log_writer();
	return unit_finish("metrics");
}
