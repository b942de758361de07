/*
 * The scheduler thread.
 *
 * Owns: the one background thread, its wake-ups, and the order of work in
 * each pass: the WAL checkpoint, recipient-group uploads (a batch may wait
 * for them), counting new deliveries into the statistics counters
 * (store_stats_catch_up), then due batch tasks, a chunk at a time.
 * Never: holds the store between chunks, so API requests interleave; never
 * sleeps while work is due.
 *
 * Design: a condition variable wakes the thread at once when a request
 * creates work or the clock moves (scheduler_notify); otherwise it wakes
 * by itself every SCHEDULER_IDLE_MS to look for tasks that became due in
 * real time. Chunks are small (SCHEDULER_CHUNK members, about 10 ms) so a
 * 50,000-member batch never holds the store long enough to hurt a
 * request's latency.
 */
#include "scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "../../storage/store.h"
#include "../../storage/store_message.h"
#include "../clock.h"
#include "../config.h"
#include "batch.h"
#include "upload.h"

#define SCHEDULER_IDLE_MS 200
/* While uploads are pending (rows to move, or a group waiting out its
 * minimum visible upload time), look again this soon. */
#define SCHEDULER_UPLOAD_MS 25
#define SCHEDULER_CHUNK 250
#define SCHEDULER_UPLOAD_CHUNK 2000

struct scheduler {
	struct store *store;
	const struct config *config;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	bool notified;
};

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct scheduler *current;

static int64_t real_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum pass_result {
	PASS_IDLE,    /* nothing to do: wait for a notification or the idle period */
	PASS_WAITING, /* uploads pending: look again in SCHEDULER_UPLOAD_MS */
	PASS_BUSY,    /* a batch chunk was sent: go on at once */
};

/* Checkpoint the WAL once it holds this many frames (about 4 MB). */
#define SCHEDULER_CHECKPOINT_FRAMES 4000

/*
 * Rows the statistics counters take in one unit (store_stats_catch_up). The
 * counting rides on the passes the scheduler makes anyway (at least every
 * SCHEDULER_IDLE_MS): counting in bigger, rarer batches measured cheaper
 * for SendEmail than a pass every SCHEDULER_UPLOAD_MS, and readers add what
 * is not counted yet, so a late count costs a report a little, never its
 * exactness.
 */
#define SCHEDULER_STATS_CHUNK 50000

/* Count new deliveries and messages into the statistics counters. */
static void count_stats(struct store *store)
{
	bool more = false;
	if (store_begin(store, true) != STORE_OK)
		return;
	if (store_stats_catch_up(store, SCHEDULER_STATS_CHUNK, &more) != STORE_OK)
		store_rollback(store);
	else
		store_commit(store);
}

static enum pass_result pass(struct store *store, const struct config *config)
{
	store_checkpoint(store, SCHEDULER_CHECKPOINT_FRAMES);
	bool uploads = upload_process_step(store, real_now_ms(), SCHEDULER_UPLOAD_CHUNK);
	count_stats(store);
	if (batch_step(store, config, clock_now(), SCHEDULER_CHUNK))
		return PASS_BUSY;
	return uploads ? PASS_WAITING : PASS_IDLE;
}

void scheduler_drain(struct store *store, const struct config *config)
{
	for (int i = 0; i < 1000000 && pass(store, config) == PASS_BUSY; i++)
		;
}

static void *run(void *cls)
{
	struct scheduler *s = cls;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		s->notified = false;
		pthread_mutex_unlock(&s->lock);
		enum pass_result result = pass(s->store, s->config);
		pthread_mutex_lock(&s->lock);
		if (result == PASS_BUSY || s->notified || s->stop)
			continue;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (result == PASS_WAITING ? SCHEDULER_UPLOAD_MS : SCHEDULER_IDLE_MS) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!s->notified && !s->stop) {
			if (pthread_cond_timedwait(&s->wake, &s->lock, &until) == ETIMEDOUT)
				break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct scheduler *scheduler_create(struct store *store, const struct config *config)
{
	struct scheduler *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->store = store;
	s->config = config;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, run, s) != 0) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	pthread_mutex_lock(&current_lock);
	current = s;
	pthread_mutex_unlock(&current_lock);
	return s;
}

void scheduler_notify(void)
{
	pthread_mutex_lock(&current_lock);
	struct scheduler *s = current;
	if (s) {
		pthread_mutex_lock(&s->lock);
		s->notified = true;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
	}
	pthread_mutex_unlock(&current_lock);
}

void scheduler_destroy(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&current_lock);
	if (current == s)
		current = NULL;
	pthread_mutex_unlock(&current_lock);
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
