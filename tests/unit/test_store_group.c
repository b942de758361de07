/*
 * Focus: the store's group commit and its checkpoint (storage/store.c),
 * white-box: the tests reach into struct store (store_internal.h) to hold a
 * group open, which the public API leaves to concurrent callers' timing.
 * The checkpoint copies the WAL back and lets it start over even while a
 * group is open (it commits the group first), losing nothing.
 */
#define _GNU_SOURCE /* pthread_timedjoin_np */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "store_account.h"
#include "store_internal.h"
#include "store_template.h"
#include "unit.h"
#include "temp_file.h"

#define NOW 1700000000

static int64_t account_of(struct store *store)
{
	struct store_account account = {.app_id = 1300000001, .uin = "100000000001"};
	int64_t id = 0;
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &account, NOW, &id), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	return id;
}

/* Wait until a job is queued (its caller found the queue being run). */
static void await_queued(struct store *store)
{
	for (;;) {
		pthread_mutex_lock(&store->jobs_lock);
		bool queued = store->jobs != NULL;
		pthread_mutex_unlock(&store->jobs_lock);
		if (queued)
			return;
		sched_yield();
	}
}

/* Whether the store settles (no open group, nobody combining, nothing queued) within 5 s: the runner may still be on
 * its way out of a queue whose jobs were all told. */
static bool settles(struct store *store)
{
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&store->jobs_lock);
		bool idle = !store->combining && store->jobs == NULL;
		pthread_mutex_unlock(&store->jobs_lock);
		pthread_mutex_lock(&store->lock);
		idle = idle && !store->tx_open;
		pthread_mutex_unlock(&store->lock);
		if (idle)
			return true;
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	return false;
}

/* `n` templates, one unit each: n commits, each appending frames to the WAL. */
static void add_templates(struct store *store, int64_t account, int n)
{
	for (int i = 0; i < n; i++) {
		char name[32];
		snprintf(name, sizeof(name), "t%d", i);
		struct store_template t = {.name = name, .html = "<p>a body of some length to fill pages</p>"};
		int64_t id = 0;
		CHECK_INT(store_begin(store, true), STORE_OK);
		CHECK_INT(store_template_create(store, account, &t, NOW, &id), STORE_OK);
		CHECK_INT(store_commit(store), STORE_OK);
	}
}

static int64_t template_count(struct store *store, int64_t account)
{
	int64_t count = -1;
	CHECK_INT(store_begin(store, false), STORE_OK);
	CHECK_INT(store_template_count(store, account, &count), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	return count;
}

/* A unit whose group stays open after it: as if another caller were waiting. */
struct open_group {
	struct store *store;
	int64_t account;
	enum store_status status;
};

static void *write_in_open_group(void *p)
{
	struct open_group *g = p;
	struct store_template t = {.name = "grouped", .html = "x"};
	int64_t id = 0;
	atomic_fetch_add(&g->store->pending, 1); /* the pretended waiter */
	CHECK_INT(store_begin(g->store, true), STORE_OK);
	CHECK_INT(store_template_create(g->store, g->account, &t, NOW, &id), STORE_OK);
	g->status = store_commit(g->store); /* returns once someone commits the group */
	return NULL;
}

static void test_checkpoint_restarts_wal(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	char err[256] = "", wal[80];
	struct store *store = NULL;
	snprintf(wal, sizeof(wal), "%s-wal", tmp.path);
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		int64_t account = account_of(store);
		add_templates(store, account, 200);
		CHECK(atomic_load(&store->wal_frames) >= 200);

		/* a group left open by a unit that waits for its commit */
		struct open_group g = {store, account, STORE_ERROR};
		pthread_t thread;
		pthread_create(&thread, NULL, write_in_open_group, &g);
		for (;;) { /* until the unit has ended and released the store, its group open */
			pthread_mutex_lock(&store->lock);
			bool waiting = store->tx_open && store->members == 1 &&
				       sqlite3_total_changes64(store->db) != store->changes_at_begin;
			pthread_mutex_unlock(&store->lock);
			if (waiting && atomic_load(&store->pending) == 1)
				break;
			sched_yield();
		}
		/* give it time to reach its wait for the commit */
		usleep(20000);
		atomic_fetch_sub(&store->pending, 1);

		CHECK_INT(store_checkpoint(store, 0), STORE_OK);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		if (!CHECK_INT(pthread_timedjoin_np(thread, NULL, &until), 0)) {
			fprintf(stderr, "  the open group was never committed\n");
			exit(unit_finish("store_group"));
		}
		CHECK_INT(g.status, STORE_OK); /* committed by the checkpoint */
		CHECK(!store->tx_open);
		CHECK_INT(atomic_load(&store->wal_frames), 0);
		CHECK_INT(template_count(store, account), 201);

		/* the WAL starts over: the next commits write at its start, the file does not grow */
		struct stat before, after;
		CHECK_INT(stat(wal, &before), 0);
		add_templates(store, account, 5);
		CHECK(atomic_load(&store->wal_frames) < 50);
		CHECK_INT(stat(wal, &after), 0);
		CHECK(after.st_size <= before.st_size);
		store_destroy(store);
	}
	/* everything is in the file: reopened, all rows are there */
	store = NULL;
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		CHECK_INT(template_count(store, 1), 206);
		store_destroy(store);
	}
	temp_file_remove(&tmp);
}

/* Under the threshold nothing is copied; in memory there is nothing to do. */
static void test_checkpoint_threshold(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	char err[256] = "";
	struct store *store = NULL;
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		int64_t account = account_of(store);
		add_templates(store, account, 10);
		int frames = atomic_load(&store->wal_frames);
		CHECK(frames >= 10);
		CHECK_INT(store_checkpoint(store, frames + 1), STORE_OK);
		CHECK_INT(atomic_load(&store->wal_frames), frames);
		store_destroy(store);
	}
	store = NULL;
	if (CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK)) {
		CHECK_INT(store_checkpoint(store, 0), STORE_OK);
		store_destroy(store);
	}
	temp_file_remove(&tmp);
}

/* ---- store_run ---------------------------------------------------------- */

/* A job adding one template named by `arg`; names starting with "fail" make it fail after writing. */
static int64_t job_account;

static enum store_status add_named(struct store *store, void *arg)
{
	const char *name = arg;
	struct store_template t = {.name = (char *)name, .html = "x"};
	int64_t id = 0;
	enum store_status status = store_template_create(store, job_account, &t, NOW, &id);
	if (status == STORE_OK && strncmp(name, "fail", 4) == 0)
		return STORE_EXISTS;
	return status;
}

static void test_run_one(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	struct store_job ok = {.run = add_named, .arg = "kept"};
	CHECK_INT(store_run(store, &ok), STORE_OK);
	CHECK(ok.done);
	struct store_job bad = {.run = add_named, .arg = "fail-undone"};
	CHECK_INT(store_run(store, &bad), STORE_EXISTS); /* its status, and its write undone */
	CHECK_INT(template_count(store, job_account), 1);
	CHECK(!store->tx_open && !store->combining && store->jobs == NULL);
	store_destroy(store);
}

/* Many threads at once: every job runs exactly once, failures undo only their own writes. */
#define RUN_THREADS 8
#define RUN_JOBS 200

struct runner {
	struct store *store;
	int index;
	int kept, failed, wrong;
};

static void *run_jobs(void *p)
{
	struct runner *r = p;
	for (int i = 0; i < RUN_JOBS; i++) {
		char name[32];
		bool fail = i % 7 == 3;
		snprintf(name, sizeof(name), "%s-%d-%d", fail ? "fail" : "job", r->index, i);
		struct store_job job = {.run = add_named, .arg = name};
		enum store_status status = store_run(r->store, &job);
		if (status == (fail ? STORE_EXISTS : STORE_OK))
			fail ? r->failed++ : r->kept++;
		else
			r->wrong++;
	}
	return NULL;
}

/* RUN_THREADS threads each running `jobs` on one store: every job runs once, and only failures are undone. */
static void jobs_concurrently(const char *path, void *(*jobs)(void *))
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, path, err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	struct runner runners[RUN_THREADS];
	pthread_t threads[RUN_THREADS];
	for (int t = 0; t < RUN_THREADS; t++) {
		runners[t] = (struct runner){.store = store, .index = t};
		pthread_create(&threads[t], NULL, jobs, &runners[t]);
	}
	int kept = 0, failed = 0, wrong = 0;
	for (int t = 0; t < RUN_THREADS; t++) {
		pthread_join(threads[t], NULL);
		kept += runners[t].kept;
		failed += runners[t].failed;
		wrong += runners[t].wrong;
	}
	CHECK_INT(wrong, 0);
	CHECK_INT(kept + failed, RUN_THREADS * RUN_JOBS);
	CHECK_INT(template_count(store, job_account), kept);
	CHECK(settles(store));
	store_destroy(store);
}

static void test_run_concurrently(void)
{
	jobs_concurrently("", run_jobs);
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	jobs_concurrently(tmp.path, run_jobs);
	temp_file_remove(&tmp);
}

/* A job handed in while a group of units is open joins it, and its commit ends the group for its members too. */
static void test_run_joins_open_group(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	char err[256] = "";
	struct store *store = NULL;
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		int64_t account = account_of(store);
		job_account = account;
		struct open_group g = {store, account, STORE_ERROR};
		pthread_t thread;
		pthread_create(&thread, NULL, write_in_open_group, &g);
		for (;;) {
			pthread_mutex_lock(&store->lock);
			bool waiting = store->tx_open && store->waiters != NULL;
			pthread_mutex_unlock(&store->lock);
			if (waiting)
				break;
			sched_yield();
		}
		atomic_fetch_sub(&store->pending, 1);
		struct store_job job = {.run = add_named, .arg = "joined"};
		CHECK_INT(store_run(store, &job), STORE_OK);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		if (!CHECK_INT(pthread_timedjoin_np(thread, NULL, &until), 0)) {
			fprintf(stderr, "  the open group was never committed\n");
			exit(unit_finish("store_group"));
		}
		CHECK_INT(g.status, STORE_OK);
		CHECK_INT(template_count(store, account), 2);
		store_destroy(store);
	}
	temp_file_remove(&tmp);
}

/* A COMMIT that fails fails every job of its batch, keeps none of them, and the next batch is clean. */
static enum store_status orphan_template(struct store *store, void *arg)
{
	(void)arg;
	/* a deferred foreign key violation: the savepoint releases, the COMMIT fails */
	return sqlite3_exec(store->db,
			    "PRAGMA defer_foreign_keys = ON; INSERT INTO templates (account_id, name, status, created, "
			    "updated) VALUES (999999, 'orphan', 0, 0, 0)",
			    NULL, NULL, NULL) == SQLITE_OK
		       ? STORE_OK
		       : STORE_ERROR;
}

struct job_runner {
	struct store *store;
	struct store_job job;
	enum store_status status;
};

static void *run_one_job(void *p)
{
	struct job_runner *r = p;
	r->status = store_run(r->store, &r->job);
	return NULL;
}

static void batch_with_failed_commit(bool orphan_first)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	struct job_runner a = {.store = store}, b = {.store = store};
	a.job = (struct store_job){.run = orphan_first ? orphan_template : add_named, .arg = "kept-a"};
	b.job = (struct store_job){.run = orphan_first ? add_named : orphan_template, .arg = "kept-b"};
	pthread_mutex_lock(&store->lock); /* hold the store: both jobs queue for one batch */
	pthread_t ta, tb;
	pthread_create(&ta, NULL, run_one_job, &a);
	while (atomic_load(&store->pending) != 1)
		sched_yield(); /* a combines, waiting for the store */
	pthread_create(&tb, NULL, run_one_job, &b);
	await_queued(store);
	pthread_mutex_unlock(&store->lock);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK_INT(a.status, STORE_ERROR);
	CHECK_INT(b.status, STORE_ERROR);
	CHECK_INT(template_count(store, job_account), 0);
	struct store_job after = {.run = add_named, .arg = "after"};
	CHECK_INT(store_run(store, &after), STORE_OK);
	CHECK_INT(template_count(store, job_account), 1);
	CHECK(!store->tx_open && !store->combining);
	store_destroy(store);
}

static void test_run_failed_commit(void)
{
	batch_with_failed_commit(true);
	batch_with_failed_commit(false);
}

/* Inside a read unit a job would run on the read-only connection: refused. */
static void test_run_in_read_unit(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	struct store *store = NULL;
	char err[256] = "";
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		job_account = account_of(store);
		struct store_job job = {.run = add_named, .arg = "refused"};
		CHECK_INT(store_begin(store, false), STORE_OK);
		CHECK_INT(store_run(store, &job), STORE_ERROR);
		CHECK_INT(store_commit(store), STORE_OK);
		CHECK_INT(template_count(store, job_account), 0);
		store_destroy(store);
	}
	temp_file_remove(&tmp);
}

/* ---- store_submit -------------------------------------------------------- */

/* A submitted job: its name, and who was told of its end, how often and with what. */
struct submitted {
	struct store_job job;
	char name[32];
	pthread_t ran_on;      /* the thread that ran it (in the job) */
	pthread_t finished_on; /* the thread that told it (in finished) */
	_Atomic int finished;  /* times finished was called */
	_Atomic int runs;      /* times the store ran it */
	enum store_status status;
	/* a gate: the job waits in the store until opened (see gate_job) */
	struct gate *gate;
};

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool reached, open;
};

static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t submit_cond = PTHREAD_COND_INITIALIZER;

static enum store_status submitted_run(struct store *store, void *arg)
{
	struct submitted *s = arg;
	s->ran_on = pthread_self();
	atomic_fetch_add(&s->runs, 1);
	if (s->gate) {
		pthread_mutex_lock(&s->gate->lock);
		s->gate->reached = true;
		pthread_cond_broadcast(&s->gate->cond);
		while (!s->gate->open)
			pthread_cond_wait(&s->gate->cond, &s->gate->lock);
		pthread_mutex_unlock(&s->gate->lock);
	}
	return add_named(store, s->name);
}

static void submitted_finished(struct store_job *job)
{
	struct submitted *s = (struct submitted *)job; /* job is its first member */
	s->finished_on = pthread_self();
	s->status = job->status;
	pthread_mutex_lock(&submit_lock);
	atomic_fetch_add(&s->finished, 1);
	pthread_cond_broadcast(&submit_cond);
	pthread_mutex_unlock(&submit_lock);
}

static void submit_named(struct store *store, struct submitted *s, const char *name, struct gate *gate)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->gate = gate;
	s->job = (struct store_job){.run = submitted_run, .arg = s, .finished = submitted_finished};
	store_submit(store, &s->job);
}

/* Wait until `s` is finished (5 s at most: a job never told would hang the suite). */
static bool await_finished(struct submitted *s)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&submit_lock);
	int rc = 0;
	while (atomic_load(&s->finished) == 0 && rc == 0)
		rc = pthread_cond_timedwait(&submit_cond, &submit_lock, &until);
	pthread_mutex_unlock(&submit_lock);
	return atomic_load(&s->finished) > 0;
}

static void gate_init(struct gate *g)
{
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->reached = g->open = false;
}

static void gate_reached(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (!g->reached)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void gate_destroy(struct gate *g)
{
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
}

/* A free store runs a submitted job on the caller's thread and tells it before store_submit returns. */
static void test_submit_one(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	struct submitted ok, bad;
	submit_named(store, &ok, "kept", NULL);
	CHECK_INT(atomic_load(&ok.finished), 1);
	CHECK_INT(ok.status, STORE_OK);
	CHECK(pthread_equal(ok.finished_on, pthread_self()));
	submit_named(store, &bad, "fail-undone", NULL);
	CHECK_INT(atomic_load(&bad.finished), 1);
	CHECK_INT(bad.status, STORE_EXISTS); /* its status, and its write undone */
	CHECK_INT(template_count(store, job_account), 1);
	CHECK(!store->tx_open && !store->combining && store->jobs == NULL);
	store_destroy(store);
}

/* Inside a read unit a submitted job is refused and told so at once. */
static void test_submit_in_read_unit(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	struct store *store = NULL;
	char err[256] = "";
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		job_account = account_of(store);
		struct submitted s;
		CHECK_INT(store_begin(store, false), STORE_OK);
		submit_named(store, &s, "refused", NULL);
		CHECK_INT(store_commit(store), STORE_OK);
		CHECK_INT(atomic_load(&s.finished), 1);
		CHECK_INT(s.status, STORE_ERROR);
		CHECK_INT(template_count(store, job_account), 0);
		store_destroy(store);
	}
	temp_file_remove(&tmp);
}

/* Threads submitting (with a few jobs in flight each) and running jobs at once: each job told exactly once. */
#define SUBMIT_WINDOW 4

static void *submit_jobs(void *p)
{
	struct runner *r = p;
	struct submitted *jobs = calloc(RUN_JOBS, sizeof(*jobs));
	if (!jobs)
		return NULL;
	for (int i = 0; i < RUN_JOBS; i++) {
		char name[32];
		bool fail = i % 7 == 3;
		snprintf(name, sizeof(name), "%s-%d-%d", fail ? "fail" : "sub", r->index, i);
		if (i >= SUBMIT_WINDOW && !await_finished(&jobs[i - SUBMIT_WINDOW])) {
			fprintf(stderr, "  a submitted job was never told\n");
			exit(unit_finish("store_group")); /* its queue may still hold jobs of this array */
		}
		if (i % 5 == 4) {
			/* now and then a job that waits, in the same queue */
			struct store_job job = {.run = add_named, .arg = name};
			enum store_status status = store_run(r->store, &job);
			if (status == (fail ? STORE_EXISTS : STORE_OK))
				fail ? r->failed++ : r->kept++;
			else
				r->wrong++;
			jobs[i].finished = 1;
			jobs[i].status = STORE_OK;
			snprintf(jobs[i].name, sizeof(jobs[i].name), "%s", "waited");
			continue;
		}
		submit_named(r->store, &jobs[i], name, NULL);
	}
	for (int i = 0; i < RUN_JOBS; i++) {
		if (!await_finished(&jobs[i])) {
			fprintf(stderr, "  a submitted job was never told\n");
			exit(unit_finish("store_group"));
		}
		if (atomic_load(&jobs[i].finished) != 1) {
			r->wrong++;
			continue;
		}
		if (strcmp(jobs[i].name, "waited") == 0)
			continue;
		bool fail = strncmp(jobs[i].name, "fail", 4) == 0;
		if (jobs[i].status == (fail ? STORE_EXISTS : STORE_OK))
			fail ? r->failed++ : r->kept++;
		else
			r->wrong++;
	}
	free(jobs);
	return NULL;
}

static void test_submit_concurrently(void)
{
	jobs_concurrently("", submit_jobs);
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	jobs_concurrently(tmp.path, submit_jobs);
	temp_file_remove(&tmp);
}

/*
 * A combiner runs two batches, then hands the queue over: to the runner
 * thread when its first job was submitted, to that job's caller when it
 * waits in store_run. Gates hold jobs inside the store so that a third
 * queue forms while the second batch runs.
 */
struct combiner_arg {
	struct store *store;
	struct submitted first;
	struct gate *gate;
};

static void *submit_first(void *p)
{
	struct combiner_arg *a = p;
	submit_named(a->store, &a->first, "first", a->gate);
	return NULL;
}

struct waiting_caller {
	struct store *store;
	struct submitted s; /* run by store_run: only its run fields are used */
	enum store_status status;
};

static void *run_waiting(void *p)
{
	struct waiting_caller *w = p;
	snprintf(w->s.name, sizeof(w->s.name), "waiting");
	struct store_job job = {.run = submitted_run, .arg = &w->s};
	w->status = store_run(w->store, &job);
	return NULL;
}

#define HANDOVER_PLAIN 40

static void hand_over(bool third_waits)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	static struct submitted plain[3][HANDOVER_PLAIN];
	struct gate g0, g1, g2;
	gate_init(&g0);
	gate_init(&g1);
	gate_init(&g2);
	/* batch 1: the combiner's gated job, then the queue it takes in (ending with a gated job) */
	struct combiner_arg a = {.store = store, .gate = &g0};
	pthread_t combiner;
	pthread_create(&combiner, NULL, submit_first, &a);
	gate_reached(&g0);
	char name[32];
	for (int i = 0; i < HANDOVER_PLAIN; i++) {
		snprintf(name, sizeof(name), "b1-%d", i);
		submit_named(store, &plain[0][i], name, i == HANDOVER_PLAIN - 1 ? &g1 : NULL);
	}
	gate_open(&g0);
	gate_reached(&g1);
	/* batch 2, queued while batch 1 (already past STORE_BATCH_MAX) runs: again gated at its start */
	for (int i = 0; i < HANDOVER_PLAIN; i++) {
		snprintf(name, sizeof(name), "b2-%d", i);
		submit_named(store, &plain[1][i], name, i == 0 ? &g2 : NULL);
	}
	gate_open(&g1);
	gate_reached(&g2);
	/* the third queue, formed while batch 2 runs: the combiner hands it over */
	struct waiting_caller w = {.store = store};
	pthread_t waiter;
	if (third_waits) {
		pthread_create(&waiter, NULL, run_waiting, &w);
		await_queued(store);
	}
	for (int i = 0; i < HANDOVER_PLAIN; i++) {
		snprintf(name, sizeof(name), "b3-%d", i);
		submit_named(store, &plain[2][i], name, NULL);
	}
	gate_open(&g2);
	pthread_join(combiner, NULL); /* it returns once it has handed over */
	if (third_waits)
		pthread_join(waiter, NULL);
	CHECK(await_finished(&a.first));
	for (int b = 0; b < 3; b++)
		for (int i = 0; i < HANDOVER_PLAIN; i++) {
			if (!CHECK(await_finished(&plain[b][i]))) {
				fprintf(stderr, "  a submitted job was never told\n");
				exit(unit_finish("store_group")); /* never destroy a store still holding it */
			}
			CHECK_INT(atomic_load(&plain[b][i].finished), 1);
			CHECK_INT(plain[b][i].status, STORE_OK);
		}
	/* batches 1 and 2 ran on the combiner's thread, the third queue elsewhere */
	CHECK(pthread_equal(plain[0][0].ran_on, plain[1][HANDOVER_PLAIN - 1].ran_on));
	CHECK(pthread_equal(plain[0][0].ran_on, a.first.ran_on));
	if (third_waits) {
		CHECK_INT(w.status, STORE_OK);
		CHECK(pthread_equal(w.s.ran_on, waiter)); /* the waiting caller ran the third queue */
		CHECK(pthread_equal(plain[2][0].ran_on, waiter));
	} else {
		CHECK(!pthread_equal(plain[2][0].ran_on, a.first.ran_on));
		CHECK(!pthread_equal(plain[2][0].ran_on, pthread_self()));
		CHECK(pthread_equal(plain[2][0].ran_on, store->runner)); /* the runner ran it */
		CHECK(pthread_equal(plain[2][0].finished_on, store->runner));
	}
	CHECK_INT(template_count(store, job_account), 1 + 3 * HANDOVER_PLAIN + (third_waits ? 1 : 0));
	CHECK(settles(store));
	store_destroy(store);
	gate_destroy(&g0);
	gate_destroy(&g1);
	gate_destroy(&g2);
}

static void test_submit_hands_over(void)
{
	hand_over(false);
	hand_over(true);
}

/*
 * A batch of its own runs its jobs without savepoints; when one fails, the
 * batch so far is undone and run again with one savepoint per job, so that
 * only the failed job's writes go.
 */
static void test_batch_failure_reruns(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	struct gate g;
	gate_init(&g);
	struct combiner_arg a = {.store = store, .gate = &g};
	pthread_t combiner;
	pthread_create(&combiner, NULL, submit_first, &a);
	gate_reached(&g);
	struct submitted ok1, bad, ok2;
	submit_named(store, &ok1, "ok-1", NULL);
	submit_named(store, &bad, "fail-2", NULL);
	submit_named(store, &ok2, "ok-3", NULL);
	gate_open(&g); /* the first batch takes the three in */
	pthread_join(combiner, NULL);
	CHECK(settles(store));
	CHECK_INT(a.first.status, STORE_OK);
	CHECK_INT(ok1.status, STORE_OK);
	CHECK_INT(bad.status, STORE_EXISTS);
	CHECK_INT(ok2.status, STORE_OK);
	CHECK_INT(atomic_load(&ok1.runs), 2); /* once without a savepoint, once with */
	CHECK_INT(atomic_load(&bad.runs), 2);
	CHECK_INT(atomic_load(&ok2.runs), 1); /* only after the failure */
	CHECK_INT(template_count(store, job_account), 3);
	/* a clean batch runs each job once */
	struct submitted once;
	submit_named(store, &once, "once", NULL);
	CHECK_INT(atomic_load(&once.runs), 1);
	CHECK_INT(template_count(store, job_account), 4);
	store_destroy(store);
	gate_destroy(&g);
}

/*
 * A job that loses the batch's transaction (SQLite rolls back on some
 * errors) and still reports success: the jobs after it must not write
 * outside the transaction. Here it rolls back itself, so every try loses
 * it, and nothing at all is stored.
 */
static enum store_status lose_transaction(struct store *store, void *arg)
{
	struct submitted *s = arg;
	atomic_fetch_add(&s->runs, 1);
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
	return STORE_OK;
}

static void test_batch_lost_transaction(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	struct gate g;
	gate_init(&g);
	struct combiner_arg a = {.store = store, .gate = &g};
	pthread_t combiner;
	pthread_create(&combiner, NULL, submit_first, &a);
	gate_reached(&g);
	struct submitted before, loser = {0}, after;
	submit_named(store, &before, "before", NULL);
	loser.job = (struct store_job){.run = lose_transaction, .arg = &loser, .finished = submitted_finished};
	store_submit(store, &loser.job);
	submit_named(store, &after, "after", NULL);
	gate_open(&g);
	pthread_join(combiner, NULL);
	CHECK(settles(store));
	CHECK_INT(atomic_load(&after.finished), 1);
	CHECK_INT(after.status, STORE_ERROR);
	CHECK_INT(loser.status, STORE_ERROR);
	CHECK_INT(before.status, STORE_ERROR);
	CHECK_INT(atomic_load(&after.runs), 0); /* never run outside the transaction */
	CHECK_INT(template_count(store, job_account), 0);
	/* and the store goes on */
	struct submitted next;
	submit_named(store, &next, "next", NULL);
	CHECK_INT(next.status, STORE_OK);
	CHECK_INT(template_count(store, job_account), 1);
	store_destroy(store);
	gate_destroy(&g);
}

/* store_run_if_free runs the job when nobody runs the queue, and queues nothing when somebody does. */
static void test_run_if_free(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	struct store_job now = {.run = add_named, .arg = "now"};
	CHECK(store_run_if_free(store, &now));
	CHECK_INT(now.status, STORE_OK);
	struct store_job bad = {.run = add_named, .arg = "fail-now"};
	CHECK(store_run_if_free(store, &bad));
	CHECK_INT(bad.status, STORE_EXISTS);
	CHECK_INT(template_count(store, job_account), 1);
	struct gate g;
	gate_init(&g);
	struct combiner_arg a = {.store = store, .gate = &g};
	pthread_t combiner;
	pthread_create(&combiner, NULL, submit_first, &a);
	gate_reached(&g);
	struct store_job busy = {.run = add_named, .arg = "busy"};
	CHECK(!store_run_if_free(store, &busy)); /* somebody runs the queue */
	pthread_mutex_lock(&store->jobs_lock);
	CHECK(store->jobs == NULL); /* and nothing was queued */
	pthread_mutex_unlock(&store->jobs_lock);
	gate_open(&g);
	pthread_join(combiner, NULL);
	CHECK(settles(store));
	CHECK_INT(template_count(store, job_account), 2); /* "now" and the combiner's, never "busy" */
	store_destroy(store);
	gate_destroy(&g);
}

/* Without a runner thread (it could not be started) store_submit waits like store_run, and tells the job itself. */
struct late_submitter {
	struct store *store;
	struct submitted s;
	_Atomic bool returned;
};

static void *submit_late(void *p)
{
	struct late_submitter *l = p;
	submit_named(l->store, &l->s, "late", NULL);
	atomic_store(&l->returned, true);
	return NULL;
}

static void test_submit_without_runner(void)
{
	struct store *store = NULL;
	char err[256] = "";
	if (!CHECK_INT(store_open(&store, "", err, sizeof(err)), STORE_OK))
		return;
	job_account = account_of(store);
	atomic_store(&store->runner_state, -1); /* as when the thread could not be started */
	struct gate g;
	gate_init(&g);
	struct combiner_arg a = {.store = store, .gate = &g};
	pthread_t combiner, late;
	pthread_create(&combiner, NULL, submit_first, &a);
	gate_reached(&g);
	struct late_submitter l = {.store = store};
	pthread_create(&late, NULL, submit_late, &l);
	await_queued(store);
	nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
	CHECK(!atomic_load(&l.returned)); /* it waits for its job */
	CHECK_INT(atomic_load(&l.s.finished), 0);
	gate_open(&g);
	pthread_join(combiner, NULL);
	pthread_join(late, NULL);
	CHECK_INT(atomic_load(&a.first.finished), 1);
	CHECK_INT(atomic_load(&l.s.finished), 1);
	CHECK_INT(l.s.status, STORE_OK);
	CHECK(pthread_equal(l.s.ran_on, a.first.ran_on)); /* run in the combiner's batch */
	CHECK(pthread_equal(l.s.finished_on, late));      /* told by its own store_submit */
	CHECK(pthread_equal(a.first.finished_on, combiner));
	CHECK_INT(template_count(store, job_account), 2);
	CHECK_INT(atomic_load(&store->runner_state), -1);
	store_destroy(store);
	gate_destroy(&g);
}

/*
 * The checkpoint's RESTART waits for readers still on the WAL while it
 * holds the store; a reader that stays (a slow listing) must not hold every
 * writer with it: the RESTART gives up after STORE_RESTART_WAIT_MS and the
 * next pass tries again. (Waiting SQLite's second, a write waited 900 ms.)
 */
struct slow_reader {
	struct store *store;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool reading, release;
};

static void *hold_snapshot(void *p)
{
	struct slow_reader *r = p;
	int64_t count = 0;
	CHECK_INT(store_begin(r->store, false), STORE_OK);
	CHECK_INT(store_account_count(r->store, &count), STORE_OK); /* a snapshot on frames in the WAL */
	pthread_mutex_lock(&r->lock);
	r->reading = true;
	pthread_cond_broadcast(&r->cond);
	while (!r->release)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	CHECK_INT(store_commit(r->store), STORE_OK);
	return NULL;
}

static void *checkpoint_now(void *p)
{
	store_checkpoint(p, 0);
	return NULL;
}

static void test_restart_gives_way(void)
{
	struct temp_file tmp;
	if (!temp_file_make(&tmp, "group"))
		return;
	struct store *store = NULL;
	char err[256] = "";
	if (CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK)) {
		int64_t account = account_of(store);
		add_templates(store, account, 50);
		struct slow_reader r = {.store = store};
		pthread_mutex_init(&r.lock, NULL);
		pthread_cond_init(&r.cond, NULL);
		pthread_t reader, checkpointer;
		pthread_create(&reader, NULL, hold_snapshot, &r);
		pthread_mutex_lock(&r.lock);
		while (!r.reading)
			pthread_cond_wait(&r.cond, &r.lock);
		pthread_mutex_unlock(&r.lock);
		add_templates(store, account, 5); /* frames the reader's snapshot does not have */
		pthread_create(&checkpointer, NULL, checkpoint_now, store);
		usleep(5000); /* into its RESTART, holding the store */
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		add_templates(store, account, 1);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double waited_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (!CHECK(waited_ms < 200))
			fprintf(stderr, "  a write waited %.0f ms behind the checkpoint\n", waited_ms);
		pthread_mutex_lock(&r.lock);
		r.release = true;
		pthread_cond_broadcast(&r.cond);
		pthread_mutex_unlock(&r.lock);
		pthread_join(reader, NULL);
		pthread_join(checkpointer, NULL);
		CHECK_INT(template_count(store, account), 56);
		store_destroy(store);
	}
	temp_file_remove(&tmp);
}

int main(void)
{
	test_checkpoint_restarts_wal();
	test_checkpoint_threshold();
	test_run_one();
	test_run_concurrently();
	test_run_joins_open_group();
	test_run_failed_commit();
	test_run_in_read_unit();
	test_submit_one();
	test_submit_in_read_unit();
	test_submit_concurrently();
	test_submit_hands_over();
	test_submit_without_runner();
	test_batch_failure_reruns();
	test_batch_lost_transaction();
	test_run_if_free();
	test_restart_gives_way();
	return unit_finish("store_group");
}
