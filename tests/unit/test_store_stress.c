/*
 * Focus: the store under everything at once (storage/store.c, store_memo.c):
 * remembered lookups never answer older than an acknowledged write while
 * group commit, store_run jobs, lookups inside write units and checkpoints
 * run concurrently. A writer updates a template's text to v1, v2, ...
 * (alternating a write unit and a store job) and publishes i once its
 * commit has returned; readers check that a lookup begun after that sees
 * at least v<i>. About a second.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_account.h"
#include "store_internal.h"
#include "store_template.h"
#include "unit.h"
#include "temp_file.h"

#define NOW 1700000000
#define WRITES 3000
#define READERS 4
#define NOISE 3

static struct store *store;
static int64_t account, tid;
static atomic_int acked, stop, stale, errors, reads;

struct upd {
	int i;
};

static enum store_status update_job(struct store *s, void *arg)
{
	struct upd *u = arg;
	char text[32];
	snprintf(text, sizeof(text), "v%d", u->i);
	struct store_template t = {.id = tid, .name = "t", .html = "x", .text = text};
	return store_template_update(s, account, &t, NOW);
}

static void *writer(void *p)
{
	(void)p;
	for (int i = 1; i <= WRITES; i++) {
		struct upd u = {i};
		enum store_status st;
		if (i % 2) {
			struct store_job job = {.run = update_job, .arg = &u};
			st = store_run(store, &job);
		} else {
			st = store_begin(store, true);
			if (st == STORE_OK) {
				st = update_job(store, &u);
				if (st == STORE_OK)
					st = store_commit(store);
				else
					store_rollback(store);
			}
		}
		if (st != STORE_OK)
			atomic_fetch_add(&errors, 1);
		else
			atomic_store(&acked, i);
	}
	atomic_store(&stop, 1);
	return NULL;
}

static enum store_status noise_job(struct store *s, void *arg)
{
	struct store_template t = {.name = arg, .html = "n"};
	int64_t id;
	return store_template_create(s, account, &t, NOW, &id);
}

static void *noise(void *p)
{
	int n = (int)(intptr_t)p;
	for (int k = 0; !atomic_load(&stop); k++) {
		char name[32];
		snprintf(name, sizeof(name), "n%d-%d", n, k);
		if (k % 2) {
			struct store_job job = {.run = noise_job, .arg = name};
			store_run(store, &job);
		} else if (store_begin(store, true) == STORE_OK) {
			noise_job(store, name);
			/* a lookup in a write unit too */
			struct store_template t = {0};
			store_template_get(store, account, tid, &t);
			store_template_finish(&t);
			store_commit(store);
		}
	}
	return NULL;
}

static void *reader(void *p)
{
	(void)p;
	while (!atomic_load(&stop)) {
		int before = atomic_load(&acked);
		struct store_template t = {0};
		if (store_begin(store, false) != STORE_OK) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		enum store_status st = store_template_get(store, account, tid, &t);
		store_commit(store);
		if (st != STORE_OK || !t.text) {
			atomic_fetch_add(&errors, 1);
		} else {
			int seen = atoi(t.text + 1);
			if (seen < before)
				atomic_fetch_add(&stale, 1);
			atomic_fetch_add(&reads, 1);
		}
		store_template_finish(&t);
	}
	return NULL;
}

static void *checkpointer(void *p)
{
	(void)p;
	while (!atomic_load(&stop)) {
		store_checkpoint(store, 0);
		usleep(2000);
	}
	return NULL;
}

int main(void)
{
	struct temp_file tmp;
	char err[256];
	if (!temp_file_make(&tmp, "stress"))
		return unit_finish("store_stress");
	if (!CHECK_INT(store_open(&store, tmp.path, err, sizeof(err)), STORE_OK))
		return unit_finish("store_stress");
	struct store_account a = {.app_id = 1300000001, .uin = "1"};
	struct store_template t = {.name = "t", .html = "x", .text = "v0"};
	CHECK_INT(store_begin(store, true), STORE_OK);
	CHECK_INT(store_account_create(store, &a, NOW, &account), STORE_OK);
	CHECK_INT(store_template_create(store, account, &t, NOW, &tid), STORE_OK);
	CHECK_INT(store_commit(store), STORE_OK);
	pthread_t w, r[READERS], n[NOISE], c;
	pthread_create(&w, NULL, writer, NULL);
	for (int i = 0; i < READERS; i++)
		pthread_create(&r[i], NULL, reader, NULL);
	for (int i = 0; i < NOISE; i++)
		pthread_create(&n[i], NULL, noise, (void *)(intptr_t)i);
	pthread_create(&c, NULL, checkpointer, NULL);
	pthread_join(w, NULL);
	for (int i = 0; i < READERS; i++)
		pthread_join(r[i], NULL);
	for (int i = 0; i < NOISE; i++)
		pthread_join(n[i], NULL);
	pthread_join(c, NULL);
	fprintf(stderr, "  reads %d, stale %d, errors %d\n", atomic_load(&reads), atomic_load(&stale),
		atomic_load(&errors));
	CHECK_INT(atomic_load(&stale), 0);
	CHECK_INT(atomic_load(&errors), 0);
	store_destroy(store);
	temp_file_remove(&tmp);
	return unit_finish("store_stress");
}
