/*
 * ses-emulator: start and stop everything.
 *
 * Owns: the order of start-up (config → store → fixtures → HTTP) and of
 * shut-down on SIGTERM/SIGINT. Every failure before listening ends the
 * process with one line on stderr and status 1.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../storage/store.h"
#include "api/dispatch.h"
#include "clock.h"
#include "config.h"
#include "control/control.h"
#include "fixtures.h"
#include "http.h"
#include "mail/relay.h"
#include "mail/scheduler.h"
#include "probe.h"
#include "metrics.h"
#include "request_log.h"

struct app {
	struct config config;
	struct store *store;
	struct dispatch_env api;
	struct control_env control;
	struct metrics *metrics; /* NULL when out of memory at start: nothing is counted */
	/* what /_emulator/reset returns to */
	struct fixtures_source fixtures;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The control plane moved the clock: scheduled work may be due now. */
static void wake_scheduler(void *cls)
{
	(void)cls;
	scheduler_notify();
}

static void route(void *cls, const struct http_request *http, struct http_response *resp)
{
	struct app *app = cls;
	const char *path = http_request_path(http);
	if (strncmp(path, "/_emulator/", 11) == 0 || strcmp(path, "/_emulator") == 0) {
		control_handle(&app->control, http, resp);
		return;
	}
	if (!dispatch_is_api_call(http)) {
		/* A browser's plain GET: the emulator's own page. */
		resp->status = 302;
		resp->location = "/_emulator/ui";
		resp->content_type = "text/plain";
		return;
	}
	dispatch_api(&app->api, http, resp);
}

/* The HTTP worker threads: --threads, else four per core. */
static unsigned http_threads(unsigned configured)
{
	if (configured)
		return configured;
	/* Four per core: a thread waiting for its group's commit leaves the
	 * core to others (measured: 2 threads 5.0k, 8 threads 6.9k signed
	 * SendEmail/s on 2 cores with a file store). SendEmail no longer
	 * waits on its thread (its request is set aside, server/http.c): 2, 4
	 * and 8 threads measured within the noise, but every other write does. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 0 && cores <= 16 ? 4 * (unsigned)cores : 8;
}

/*
 * The background threads: the SMTP relay worker (with --smtp-relay), then
 * the scheduler, the metrics they and the API count into, and the request
 * log's writer. False with
 * one line on stderr (nothing left running).
 */
static bool start_workers(struct app *app, struct relay **relay, struct scheduler **scheduler)
{
	/* Metrics are optional: without memory for them the emulator runs uncounted. */
	app->metrics = metrics_create();
	app->api.metrics = app->control.metrics = app->metrics;
	/* Likewise the request log (NULL for --log-format off). */
	app->api.request_log = request_log_create(app->config.log_format, STDERR_FILENO);
	*relay = NULL;
	*scheduler = NULL;
	if (app->config.smtp_relay[0] && !(*relay = relay_create(app->store, &app->config, app->metrics))) {
		fprintf(stderr, "ses-emulator: cannot start the SMTP relay thread\n");
		return false;
	}
	*scheduler = scheduler_create(app->store, &app->config);
	if (!*scheduler) {
		fprintf(stderr, "ses-emulator: cannot start the scheduler thread\n");
		relay_destroy(*relay);
		*relay = NULL;
		return false;
	}
	return true;
}

/* Stop the workers (NULL when not started) and free what main owns, the store last. */
static void stop_all(struct app *app, struct relay *relay, struct scheduler *scheduler)
{
	scheduler_destroy(scheduler);
	relay_destroy(relay);
	request_log_destroy(app->api.request_log);
	metrics_destroy(app->metrics);
	fixtures_source_finish(&app->fixtures);
	store_destroy(app->store);
}

int main(int argc, char **argv)
{
	struct app app = {0};
	char err[1024];

	enum config_status parsed = config_parse(&app.config, argc, argv, stdout, stderr);
	if (parsed == CONFIG_PROBE)
		return probe_run(app.config.probe_url, stdout);
	if (parsed != CONFIG_OK)
		return parsed == CONFIG_EXIT_OK ? 0 : 2;

	curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread exists */
	if (store_open(&app.store, app.config.db_path, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "ses-emulator: %s\n", err);
		return 1;
	}
	if (!fixtures_source_init(&app.fixtures, &app.config, err, sizeof(err)) ||
	    !fixtures_seed(app.store, &app.config, &app.fixtures, err, sizeof(err))) {
		fprintf(stderr, "ses-emulator: %s\n", err);
		fixtures_source_finish(&app.fixtures);
		store_destroy(app.store);
		return 1;
	}

	app.api = (struct dispatch_env){.config = &app.config, .store = app.store};
	app.control = (struct control_env){.config = &app.config,
					   .store = app.store,
					   .started = clock_real_now(),
					   .fixtures = &app.fixtures,
					   .on_clock_change = wake_scheduler};

	/* Block the stop signals in every thread; only sigsuspend() below takes them. */
	sigset_t stop_signals, previous;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned threads = http_threads(app.config.threads);
	struct relay *relay;
	struct scheduler *scheduler;
	if (!start_workers(&app, &relay, &scheduler)) {
		stop_all(&app, NULL, NULL);
		return 1;
	}
	struct http_handler handler = {.handle = route, .cls = &app};
	struct http_server *server = http_server_create(app.config.listen_host, app.config.port, threads,
							app.config.http_timeout, handler, err, sizeof(err));
	if (!server) {
		fprintf(stderr, "ses-emulator: %s\n", err);
		stop_all(&app, relay, scheduler);
		return 1;
	}
	const char *host = app.config.listen_host;
	bool v6 = strchr(host, ':') != NULL;
	/* Links in mail point where the emulator can be reached from this machine. */
	const char *link_host = strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ? "127.0.0.1" : host;
	snprintf(app.config.base_url, sizeof(app.config.base_url), "http://%s%s%s:%u",
		 v6 && link_host == host ? "[" : "", link_host, v6 && link_host == host ? "]" : "",
		 (unsigned)http_server_port(server));
	fprintf(stderr, "ses-emulator: listening on http://%s%s%s:%u\n", v6 ? "[" : "", host, v6 ? "]" : "",
		(unsigned)http_server_port(server));
	fflush(stderr);

	while (!stop_requested)
		sigsuspend(&previous);

	fprintf(stderr, "ses-emulator: stopping\n");
	http_server_destroy(server);
	stop_all(&app, relay, scheduler);
	curl_global_cleanup();
	return 0;
}
