/*
 * The request log's two line formats and its writer thread.
 *
 * Owns: the time format (ISO 8601 in UTC with milliseconds: the real time,
 * never the emulator's business clock, which tests may move), the
 * milliseconds with two decimals, "-"/null for what is not known, and the
 * buffer between the requests and the descriptor.
 * Never: writes anything it was not given, so a request cannot inject text
 * into the log (dispatch passes only names from the action table and codes
 * from the catalogue, never the raw Action parameter).
 *
 * Design: two buffers of REQUEST_LOG_BUFFER bytes. Requests append whole
 * lines to the filling one under a mutex (a copy of about 120 bytes); the
 * writer thread swaps the buffers and writes the full one while requests go
 * on filling the other. Woken by the first line of a batch, the writer
 * lets lines gather for REQUEST_LOG_GATHER_MS before it swaps: a busy
 * emulator then pays one wake-up and one write(2) per period, not per
 * request (measured: a wake-up per line cost a fifth of the throughput on
 * two cores). A request waits only when the filling buffer has no room left
 * for its line.
 */
#include "request_log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define REQUEST_LOG_BUFFER (256u * 1024u)
#define REQUEST_LOG_GATHER_MS 10

struct request_log {
	enum config_log_format format;
	int fd;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t gathered; /* lines wait in `filling`, or stop: the writer wakes */
	pthread_cond_t room;     /* the writer emptied a buffer: waiting requests wake */
	char *filling;           /* lines not yet handed to the writer (under lock) */
	size_t filled;
	char *writing; /* the writer's buffer (its own while it writes) */
	bool stop;
};

/*
 * A log line written by hand: snprintf's format parsing was a twentieth
 * of a logged SendEmail's time (docs/performance.md, fourth round). Text
 * past `size` - 1 is dropped but counted, so the caller can cut the line.
 */
struct line {
	char *out;
	size_t size, len;
};

static void put_bytes(struct line *l, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, l->len++)
		if (l->len + 1 < l->size)
			l->out[l->len] = s[i];
}

static void put_text(struct line *l, const char *s)
{
	put_bytes(l, s, strlen(s));
}

/* `value` in decimal, at least `width` digits (zero-padded). */
static void put_uint(struct line *l, uint64_t value, int width)
{
	char digits[24];
	int n = 0;
	do {
		digits[sizeof(digits) - 1 - n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value || n < width);
	put_bytes(l, digits + sizeof(digits) - n, (size_t)n);
}

/* "2024-06-01T01:02:03.456Z" */
static void put_time(struct line *l, int64_t time_ms)
{
	struct clock_civil c;
	clock_civil_of(time_ms / 1000, &c);
	if (c.year < 0) {
		put_text(l, "-");
		return;
	}
	put_uint(l, (uint64_t)c.year, 4);
	put_text(l, "-");
	put_uint(l, (uint64_t)c.month, 2);
	put_text(l, "-");
	put_uint(l, (uint64_t)c.day, 2);
	put_text(l, "T");
	put_uint(l, (uint64_t)c.hour, 2);
	put_text(l, ":");
	put_uint(l, (uint64_t)c.minute, 2);
	put_text(l, ":");
	put_uint(l, (uint64_t)c.second, 2);
	put_text(l, ".");
	put_uint(l, (uint64_t)(time_ms % 1000 + 1000) % 1000, 3);
	put_text(l, "Z");
}

/* Nanoseconds as milliseconds with two decimals ("0.42"), rounded half up. */
static void put_ms(struct line *l, uint64_t ns)
{
	uint64_t hundredths = (ns + 5000) / 10000;
	put_uint(l, hundredths / 100, 1);
	put_text(l, ".");
	put_uint(l, hundredths % 100, 2);
}

size_t request_log_format(enum config_log_format format, const struct request_log_entry *entry, char *out, size_t size)
{
	if (format == CONFIG_LOG_OFF || size < 2) {
		if (size)
			out[0] = '\0';
		return 0;
	}
	struct line l = {.out = out, .size = size};
	const char *code = entry->code ? entry->code : "-";
	const char *request_id = entry->request_id ? entry->request_id : "-";
	if (format == CONFIG_LOG_JSON) {
		put_text(&l, "{\"time\":\"");
		put_time(&l, entry->time_ms);
		put_text(&l, "\",\"app_id\":");
		if (entry->app_id)
			put_uint(&l, entry->app_id, 1);
		else
			put_text(&l, "null");
		put_text(&l, ",\"action\":");
		if (entry->action) {
			put_text(&l, "\"");
			put_text(&l, entry->action);
			put_text(&l, "\"");
		} else {
			put_text(&l, "null");
		}
		put_text(&l, ",\"code\":\"");
		put_text(&l, code);
		put_text(&l, "\",\"ms\":");
		put_ms(&l, entry->elapsed_ns);
		put_text(&l, ",\"request_id\":\"");
		put_text(&l, request_id);
		put_text(&l, "\"}\n");
	} else {
		put_time(&l, entry->time_ms);
		put_text(&l, " ");
		if (entry->app_id)
			put_uint(&l, entry->app_id, 1);
		else
			put_text(&l, "-");
		put_text(&l, " ");
		put_text(&l, entry->action ? entry->action : "-");
		put_text(&l, " ");
		put_text(&l, code);
		put_text(&l, " ");
		put_ms(&l, entry->elapsed_ns);
		put_text(&l, "ms ");
		put_text(&l, request_id);
		put_text(&l, "\n");
	}
	if (l.len >= size) {
		/* Cut short: still one whole line. */
		out[size - 2] = '\n';
		out[size - 1] = '\0';
		return size - 1;
	}
	out[l.len] = '\0';
	return l.len;
}

/* Write all of `data`; gives up on an error other than EINTR (a closed stderr must not stop the emulator). */
static void write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= (size_t)n;
	}
}

static void *run(void *cls)
{
	struct request_log *log = cls;
	pthread_mutex_lock(&log->lock);
	for (;;) {
		while (!log->filled && !log->stop)
			pthread_cond_wait(&log->gathered, &log->lock);
		if (!log->filled)
			break; /* stopped, and everything is written */
		if (!log->stop) {
			struct timespec gather = {0, REQUEST_LOG_GATHER_MS * 1000000L};
			pthread_mutex_unlock(&log->lock);
			nanosleep(&gather, NULL);
			pthread_mutex_lock(&log->lock);
		}
		char *full = log->filling;
		size_t len = log->filled;
		log->filling = log->writing;
		log->filled = 0;
		log->writing = full;
		pthread_cond_broadcast(&log->room);
		pthread_mutex_unlock(&log->lock);
		write_all(log->fd, full, len);
		pthread_mutex_lock(&log->lock);
	}
	pthread_mutex_unlock(&log->lock);
	return NULL;
}

struct request_log *request_log_create(enum config_log_format format, int fd)
{
	if (format == CONFIG_LOG_OFF)
		return NULL;
	struct request_log *log = calloc(1, sizeof(*log));
	if (!log)
		return NULL;
	log->format = format;
	log->fd = fd;
	log->filling = malloc(REQUEST_LOG_BUFFER);
	log->writing = malloc(REQUEST_LOG_BUFFER);
	pthread_mutex_init(&log->lock, NULL);
	pthread_cond_init(&log->gathered, NULL);
	pthread_cond_init(&log->room, NULL);
	if (!log->filling || !log->writing || pthread_create(&log->thread, NULL, run, log) != 0) {
		log->stop = true;
		request_log_destroy(log);
		return NULL;
	}
	return log;
}

void request_log_destroy(struct request_log *log)
{
	if (!log)
		return;
	pthread_mutex_lock(&log->lock);
	bool running = !log->stop;
	log->stop = true;
	pthread_cond_signal(&log->gathered);
	pthread_mutex_unlock(&log->lock);
	if (running)
		pthread_join(log->thread, NULL);
	pthread_cond_destroy(&log->room);
	pthread_cond_destroy(&log->gathered);
	pthread_mutex_destroy(&log->lock);
	free(log->filling);
	free(log->writing);
	free(log);
}

void request_log_write(struct request_log *log, const struct request_log_entry *entry)
{
	if (!log)
		return;
	char line[REQUEST_LOG_LINE_MAX];
	size_t len = request_log_format(log->format, entry, line, sizeof(line));
	if (!len)
		return;
	pthread_mutex_lock(&log->lock);
	while (log->filled + len > REQUEST_LOG_BUFFER && !log->stop)
		pthread_cond_wait(&log->room, &log->lock);
	if (log->filled + len <= REQUEST_LOG_BUFFER) {
		memcpy(log->filling + log->filled, line, len);
		if (!log->filled)
			pthread_cond_signal(&log->gathered);
		log->filled += len;
	}
	pthread_mutex_unlock(&log->lock);
}
