/*
 * Remembered answers of the store's hottest lookups (store_internal.h).
 *
 * Owns: the table of remembered answers, the generation that makes them
 * stale, and the update hook that moves it.
 * Never: decides which lookups are remembered (each lookup keys and encodes
 * its own answer) nor runs SQL.
 *
 * Why: a SendEmail checks its sender, template, recipients and unsubscribe
 * setting. On a file store those reads run on the thread's reader, whose
 * page cache SQLite drops whenever anyone commits — under load, before
 * nearly every call — so each check re-read its pages with pread(2): about
 * a fifth of a send's time (docs/performance.md, third round). The tables
 * they read change a few times in a test run.
 *
 * Staleness: `gen` moves whenever a row of one of those tables is written
 * (sqlite3_update_hook on the writing connection, under the store's lock),
 * again when its group ends (committed or rolled back), and by
 * store_memo_forget() for writes the hook does not see (a DELETE without
 * WHERE is a truncation, which skips the hook). An answer is used only while
 * `gen` equals the generation it was read under, and it is remembered only
 * if `gen` did not move between the start of its read and the remembering:
 * an answer read from a snapshot older than a write cannot outlive it. The
 * writing connection, whose view holds its open group's writes, neither
 * uses nor offers answers while that group has written those tables.
 */
#include "store_internal.h"

#include <stdlib.h>
#include <string.h>

/* The tables the remembered lookups read. */
static const char *const memo_tables[] = {
	"senders", "identities", "templates", "bounces", "custom_blacklist", "unsubscribes", "unsubscribe_configs",
};

static void on_update(void *cls, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
	(void)db;
	struct store *store = cls;
	store_tally_row(store, op, table, rowid); /* the statistics tally watches two tables too */
	for (size_t i = 0; i < sizeof(memo_tables) / sizeof(memo_tables[0]); i++) {
		if (strcmp(table, memo_tables[i]) == 0) {
			atomic_fetch_add(&store->memo_gen, 1);
			store->memo_dirty = true;
			return;
		}
	}
}

void store_memo_init(struct store *store)
{
	pthread_mutex_init(&store->memo.lock, NULL);
	atomic_store(&store->memo_gen, 1);
}

void store_memo_watch(struct store *store)
{
	sqlite3_update_hook(store->db, on_update, store);
}

void store_memo_destroy(struct store *store)
{
	for (size_t i = 0; i < STORE_MEMO_SLOTS; i++)
		free(store->memo.slots[i].bytes);
	pthread_mutex_destroy(&store->memo.lock);
}

void store_memo_forget(struct store *store)
{
	atomic_fetch_add(&store->memo_gen, 1);
	store->memo_dirty = true;
}

void store_memo_settle(struct store *store)
{
	if (!store->memo_dirty)
		return;
	atomic_fetch_add(&store->memo_gen, 1);
	store->memo_dirty = false;
}

/* ---- keys and values ---------------------------------------------------- */

/* Append, growing past the inline bytes up to STORE_MEMO_MAX; past that the buffer is spoilt (ok false). */
static void put_bytes(struct store_memo_buf *b, const void *data, size_t len)
{
	if (!b->ok)
		return;
	if (len > STORE_MEMO_MAX - b->len) {
		b->ok = false;
		return;
	}
	if (b->len + len > b->cap) {
		size_t cap = b->cap * 2;
		while (cap < b->len + len)
			cap *= 2;
		unsigned char *grown = b->bytes == b->inline_bytes ? malloc(cap) : realloc(b->bytes, cap);
		if (!grown) {
			b->ok = false;
			return;
		}
		if (b->bytes == b->inline_bytes)
			memcpy(grown, b->inline_bytes, b->len);
		b->bytes = grown;
		b->cap = cap;
	}
	memcpy(b->bytes + b->len, data, len);
	b->len += len;
}

static void memo_value(struct store_memo_buf *b)
{
	b->bytes = b->inline_bytes;
	b->cap = sizeof(b->inline_bytes);
	b->len = 0;
	b->ok = true;
}

void store_memo_key(struct store_memo_buf *b, char kind, int64_t account)
{
	memo_value(b);
	put_bytes(b, &kind, 1);
	store_memo_int(b, account);
}

void store_memo_finish(struct store_memo_buf *b)
{
	if (b->bytes != b->inline_bytes)
		free(b->bytes);
	b->bytes = b->inline_bytes;
	b->len = 0;
}

void store_memo_int(struct store_memo_buf *b, int64_t value)
{
	put_bytes(b, &value, sizeof(value));
}

void store_memo_text(struct store_memo_buf *b, const char *text)
{
	/* a length first, so that no two sequences of texts encode alike; -1 is NULL */
	int64_t len = text ? (int64_t)strlen(text) : -1;
	store_memo_int(b, len);
	if (text)
		put_bytes(b, text, (size_t)len);
}

bool store_memo_read_int(struct store_memo_reader *r, int64_t *value)
{
	if (r->len - r->at < sizeof(*value))
		return false;
	memcpy(value, r->bytes + r->at, sizeof(*value));
	r->at += sizeof(*value);
	return true;
}

bool store_memo_read_text(struct store_memo_reader *r, char **text)
{
	int64_t len = 0;
	*text = NULL;
	if (!store_memo_read_int(r, &len))
		return false;
	if (len < 0)
		return true;
	if ((uint64_t)len > r->len - r->at || !(*text = malloc((size_t)len + 1)))
		return false;
	memcpy(*text, r->bytes + r->at, (size_t)len);
	(*text)[len] = '\0';
	r->at += (size_t)len;
	return true;
}

/* ---- the table ---------------------------------------------------------- */

static uint64_t hash_of(const struct store_memo_buf *key)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < key->len; i++)
		h = (h ^ key->bytes[i]) * 1099511628211ull;
	return h;
}

/*
 * On the writing connection (no reader active: the caller holds the store)
 * while the open group has written a table the lookups read: its view is
 * not the last commit, which is all the table may hold or take.
 */
static bool writer_dirty(struct store *store)
{
	return !store_active_reader(store) && store->memo_dirty;
}

static uint64_t memo_tag(struct store *store)
{
	struct store_reader *r = store_active_reader(store);
	return r && r->begun ? r->memo_tag : atomic_load(&store->memo_gen);
}

/* Decode the remembered answer for `key`; false when none is current or it does not decode. */
static bool memo_get(struct store *store, const struct store_memo_kind *kind, const struct store_memo_buf *key,
		     enum store_status *status, void *out)
{
	if (!key->ok || writer_dirty(store))
		return false;
	uint64_t h = hash_of(key);
	struct store_memo_slot *s = &store->memo.slots[h & (STORE_MEMO_SLOTS - 1)];
	bool hit = false;
	pthread_mutex_lock(&store->memo.lock);
	if (s->bytes && s->hash == h && s->gen == atomic_load(&store->memo_gen) && s->key_len == key->len &&
	    memcmp(s->bytes, key->bytes, key->len) == 0) {
		struct store_memo_reader value = {s->bytes + s->key_len, s->value_len, 0};
		hit = kind->decode(&value, status, out);
	}
	pthread_mutex_unlock(&store->memo.lock);
	return hit;
}

static void memo_put(struct store *store, uint64_t tag, const struct store_memo_buf *key,
		     const struct store_memo_buf *value)
{
	if (!key->ok || !value->ok || tag != atomic_load(&store->memo_gen) || writer_dirty(store))
		return;
	unsigned char *bytes = malloc(key->len + value->len);
	if (!bytes)
		return;
	memcpy(bytes, key->bytes, key->len);
	memcpy(bytes + key->len, value->bytes, value->len);
	uint64_t h = hash_of(key);
	struct store_memo_slot *s = &store->memo.slots[h & (STORE_MEMO_SLOTS - 1)];
	pthread_mutex_lock(&store->memo.lock);
	/* checked again under the lock: a write may have moved it meanwhile */
	if (tag == atomic_load(&store->memo_gen)) {
		unsigned char *old = s->bytes;
		*s = (struct store_memo_slot){bytes, key->len, value->len, h, tag};
		bytes = old;
	}
	pthread_mutex_unlock(&store->memo.lock);
	free(bytes);
}

enum store_status store_memo_lookup(struct store *store, const struct store_memo_kind *kind,
				    const struct store_memo_buf *key, const void *args, void *out)
{
	enum store_status status = STORE_ERROR;
	if (memo_get(store, kind, key, &status, out))
		return status;
	/* before the read: its snapshot may begin with it (store.c begin_snapshot) */
	uint64_t tag = memo_tag(store);
	status = kind->read(store, args, out);
	if (status == STORE_OK || status == STORE_NOT_FOUND) {
		struct store_memo_buf value;
		memo_value(&value);
		kind->encode(&value, status, out);
		memo_put(store, tag, key, &value);
		store_memo_finish(&value);
	}
	return status;
}
