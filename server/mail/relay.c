/*
 * The SMTP relay worker.
 *
 * Owns: the relay thread, its libcurl handles (one multi and one easy
 * handle, kept for the thread's life so that the SMTP connection is reused
 * from one message to the next), the backoff, and the outcome written on
 * each queued message.
 * Never: holds the store while talking to the server; changes the bytes of
 * a message (libcurl dot-stuffs lines that start with "." and ends DATA;
 * the server gets the stored message back byte for byte).
 *
 * Design: a pass takes the due row first in the queue in one unit (its
 * store_commit() returns once the message that queued it is committed, so
 * nothing uncommitted is ever relayed), sends it with no store held, then
 * records the outcome in a second unit. Between passes the thread sleeps
 * on a condition variable until the next retry is due, a request queues a
 * message (relay_notify), or RELAY_IDLE_MS pass. The transfer runs on a
 * multi handle so that relay_destroy() can interrupt it at once with
 * curl_multi_wakeup(). libcurl ends an SMTP connection politely (QUIT, then
 * waiting for the answer), which a silent server would make last minutes:
 * so the worker keeps the socket it opened (open/close socket callbacks)
 * and shuts it down before letting libcurl close it when stopping.
 */
#include "relay.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../../storage/store.h"
#include "../../storage/store_relay.h"
#include "../clock.h"
#include "../config.h"
#include "../metrics.h"

#define RELAY_IDLE_MS 1000
#define RELAY_CONNECT_TIMEOUT_MS 10000L
#define RELAY_TRANSFER_TIMEOUT_MS 60000L
/* A taken row is not taken again before this, should its worker vanish mid-send. */
#define RELAY_LEASE_MS (2 * RELAY_TRANSFER_TIMEOUT_MS)
#define RELAY_BACKOFF_MAX_MS 3600000

struct relay {
	struct store *store;
	const struct config *config;
	struct metrics *metrics;
	CURLM *multi;
	CURL *easy;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;     /* under lock */
	bool notified; /* under lock */
	/* The relay connection's socket while libcurl has it open, else -1
	 * (used by the worker thread only, or after it ended). */
	curl_socket_t socket;
};

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct relay *current;

static int64_t real_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t relay_backoff_ms(unsigned first_ms, int attempts)
{
	int64_t wait = first_ms ? first_ms : 1;
	for (int i = 1; i < attempts && wait < RELAY_BACKOFF_MAX_MS; i++)
		wait *= 2;
	return wait < RELAY_BACKOFF_MAX_MS ? wait : RELAY_BACKOFF_MAX_MS;
}

static bool stopping(struct relay *r)
{
	pthread_mutex_lock(&r->lock);
	bool stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

/* The message being uploaded as DATA. */
struct upload {
	const char *data;
	size_t len, at;
};

static size_t read_upload(char *buffer, size_t size, size_t count, void *cls)
{
	struct upload *up = cls;
	size_t room = size * count, left = up->len - up->at;
	size_t n = room < left ? room : left;
	memcpy(buffer, up->data + up->at, n);
	up->at += n;
	return n;
}

static curl_socket_t open_socket(void *cls, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct relay *r = cls;
	(void)purpose;
	curl_socket_t fd = socket(address->family, address->socktype, address->protocol);
	if (fd != CURL_SOCKET_BAD)
		r->socket = fd;
	return fd;
}

static int close_socket(void *cls, curl_socket_t fd)
{
	struct relay *r = cls;
	if (r->socket == fd)
		r->socket = CURL_SOCKET_BAD;
	return close(fd);
}

/* Cut the connection under libcurl, so that its closing handshake cannot wait for a silent server. */
static void cut_connection(struct relay *r)
{
	if (r->socket != CURL_SOCKET_BAD)
		shutdown(r->socket, SHUT_RDWR);
}

/* The options that stay for every transfer. */
static bool setup_easy(struct relay *r)
{
	CURL *easy = r->easy;
	const struct config *c = r->config;
	bool ok = curl_easy_setopt(easy, CURLOPT_URL, c->smtp_relay) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_READFUNCTION, read_upload) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, r) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_socket) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, r) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, RELAY_CONNECT_TIMEOUT_MS) == CURLE_OK &&
		  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, RELAY_TRANSFER_TIMEOUT_MS) == CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	ok = ok && curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK;
#endif
	if (ok && c->smtp_user[0])
		ok = curl_easy_setopt(easy, CURLOPT_USERNAME, c->smtp_user) == CURLE_OK &&
		     curl_easy_setopt(easy, CURLOPT_PASSWORD, c->smtp_password) == CURLE_OK;
	if (ok && c->smtp_starttls)
		ok = curl_easy_setopt(easy, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL) == CURLE_OK;
	return ok;
}

/* Drive the transfer on the multi handle until it ends or the worker is stopped. */
static CURLcode run_transfer(struct relay *r, bool *aborted)
{
	CURLcode result = CURLE_FAILED_INIT;
	int running = 1;
	*aborted = false;
	if (curl_multi_add_handle(r->multi, r->easy) != CURLM_OK)
		return result;
	while (running) {
		if (stopping(r)) {
			*aborted = true;
			break;
		}
		if (curl_multi_perform(r->multi, &running) != CURLM_OK)
			break;
		if (running && curl_multi_poll(r->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			break;
	}
	if (*aborted)
		cut_connection(r);
	int left;
	for (CURLMsg *msg; (msg = curl_multi_info_read(r->multi, &left));)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == r->easy)
			result = msg->data.result;
	curl_multi_remove_handle(r->multi, r->easy);
	return result;
}

/* Send one job; false with `error` set when the server did not take it. */
static bool transfer(struct relay *r, const struct store_relay_job *job, bool *aborted, char *error, size_t size)
{
	struct curl_slist *recipients = NULL;
	char curl_error[CURL_ERROR_SIZE] = "";
	struct upload up = {job->raw, job->raw_len, 0};
	bool ok = true;
	for (size_t i = 0; ok && i < job->recipient_count; i++) {
		struct curl_slist *grown = curl_slist_append(recipients, job->recipients[i]);
		ok = grown != NULL;
		if (grown)
			recipients = grown;
	}
	CURLcode result = CURLE_OUT_OF_MEMORY;
	*aborted = false;
	if (ok && curl_easy_setopt(r->easy, CURLOPT_MAIL_FROM, job->from) == CURLE_OK &&
	    curl_easy_setopt(r->easy, CURLOPT_MAIL_RCPT, recipients) == CURLE_OK &&
	    curl_easy_setopt(r->easy, CURLOPT_READDATA, &up) == CURLE_OK &&
	    curl_easy_setopt(r->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->raw_len) == CURLE_OK &&
	    curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, curl_error) == CURLE_OK)
		result = run_transfer(r, aborted);
	curl_easy_setopt(r->easy, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(recipients);
	if (result == CURLE_OK)
		return true;
	snprintf(error, size, "%s", curl_error[0] ? curl_error : curl_easy_strerror(result));
	return false;
}

/* Write the outcome of an attempt and count it. */
static void record(struct relay *r, const struct store_relay_job *job, bool sent, const char *error)
{
	int attempts = job->attempts + 1;
	bool retry = !sent && attempts <= (int)r->config->smtp_retries;
	int64_t retry_at = retry ? real_now_ms() + relay_backoff_ms(r->config->smtp_retry_delay_ms, attempts) : -1;
	if (store_begin(r->store, true) != STORE_OK)
		return;
	if (store_relay_record(r->store, job->message, sent, clock_now(), retry_at, error) == STORE_OK)
		store_commit(r->store);
	else
		store_rollback(r->store);
	metrics_record_relay(r->metrics, sent    ? METRICS_RELAY_SENT
					 : retry ? METRICS_RELAY_RETRY
						 : METRICS_RELAY_FAILED);
}

/* Take the job due first; STORE_NOT_FOUND with *next_ms (-1: none pending) when none is due. */
static enum store_status take(struct relay *r, struct store_relay_job *job, int64_t *next_ms)
{
	if (store_begin(r->store, true) != STORE_OK)
		return STORE_ERROR;
	enum store_status status = store_relay_take(r->store, real_now_ms(), RELAY_LEASE_MS, job, next_ms);
	if (status != STORE_OK) {
		store_rollback(r->store);
		return status;
	}
	/* Returns once the group holding the message is committed. */
	if (store_commit(r->store) != STORE_OK) {
		store_relay_job_finish(job);
		return STORE_ERROR;
	}
	return STORE_OK;
}

static void put_back(struct relay *r, int64_t message)
{
	if (store_begin(r->store, true) != STORE_OK)
		return;
	if (store_relay_reschedule(r->store, message, real_now_ms()) == STORE_OK)
		store_commit(r->store);
	else
		store_rollback(r->store);
}

/* One pass: send the job due first. Returns the ms to wait before the next pass (0: go on). */
static int64_t pass(struct relay *r)
{
	struct store_relay_job job;
	int64_t next_ms = -1;
	enum store_status status = take(r, &job, &next_ms);
	if (status == STORE_NOT_FOUND) {
		int64_t wait = next_ms < 0 ? RELAY_IDLE_MS : next_ms - real_now_ms();
		return wait < 1 ? 1 : wait < RELAY_IDLE_MS ? wait : RELAY_IDLE_MS;
	}
	if (status != STORE_OK)
		return RELAY_IDLE_MS;
	char error[CURL_ERROR_SIZE + 64] = "";
	bool aborted = false;
	bool sent = transfer(r, &job, &aborted, error, sizeof(error));
	if (aborted)
		put_back(r, job.message);
	else
		record(r, &job, sent, error);
	store_relay_job_finish(&job);
	return 0;
}

/* Sleep up to `wait_ms`, less when notified or stopped. Lock held. */
static void wait_for(struct relay *r, int64_t wait_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)(wait_ms / 1000);
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!r->notified && !r->stop)
		if (pthread_cond_timedwait(&r->wake, &r->lock, &until) == ETIMEDOUT)
			break;
}

static void *run(void *cls)
{
	struct relay *r = cls;
	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		r->notified = false;
		pthread_mutex_unlock(&r->lock);
		int64_t wait = pass(r);
		pthread_mutex_lock(&r->lock);
		if (wait > 0 && !r->notified)
			wait_for(r, wait);
	}
	pthread_mutex_unlock(&r->lock);
	cut_connection(r); /* the kept connection: curl_multi_cleanup() must not wait on it */
	return NULL;
}

static void free_relay(struct relay *r)
{
	if (r->multi)
		curl_multi_cleanup(r->multi);
	if (r->easy)
		curl_easy_cleanup(r->easy);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

struct relay *relay_create(struct store *store, const struct config *config, struct metrics *metrics)
{
	struct relay *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->store = store;
	r->config = config;
	r->metrics = metrics;
	r->socket = CURL_SOCKET_BAD;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	r->multi = curl_multi_init();
	r->easy = curl_easy_init();
	if (!r->multi || !r->easy || !setup_easy(r) || pthread_create(&r->thread, NULL, run, r) != 0) {
		free_relay(r);
		return NULL;
	}
	pthread_mutex_lock(&current_lock);
	current = r;
	pthread_mutex_unlock(&current_lock);
	return r;
}

void relay_notify(void)
{
	pthread_mutex_lock(&current_lock);
	struct relay *r = current;
	if (r) {
		pthread_mutex_lock(&r->lock);
		r->notified = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_unlock(&current_lock);
}

void relay_destroy(struct relay *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&current_lock);
	if (current == r)
		current = NULL;
	pthread_mutex_unlock(&current_lock);
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	curl_multi_wakeup(r->multi);
	pthread_join(r->thread, NULL);
	free_relay(r);
}
