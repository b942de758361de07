/*
 * The request log: one line per answered API request on stderr, as text
 * or JSON (--log-format).
 *
 * A request only formats its line and copies it into a buffer; a writer
 * thread of the log's own writes whatever has gathered with one write(2),
 * so that a busy emulator makes one system call per batch of lines instead
 * of one per request, and lines never interleave.
 */
#ifndef SERVER_REQUEST_LOG_H
#define SERVER_REQUEST_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The longest line request_log_format() writes, with its newline. */
#define REQUEST_LOG_LINE_MAX 256

/* One answered request. Every string is plain ASCII without quotes or spaces. */
struct request_log_entry {
	int64_t time_ms;        /* real time (UNIX milliseconds) the answer was ready */
	uint64_t app_id;        /* the caller's account; 0 before authentication */
	const char *action;     /* the action, NULL when absent or unknown */
	const char *code;       /* "OK", the error code, "HTTP503", "Dropped" */
	uint64_t elapsed_ns;    /* from the request's arrival to its answer */
	const char *request_id; /* the RequestId */
};

/*
 * Write the line of `entry` in `format` (text or json), ending in '\n',
 * into out (at least REQUEST_LOG_LINE_MAX bytes, NUL-terminated); returns
 * its length, 0 for CONFIG_LOG_OFF.
 *   text: 2024-06-01T01:02:03.456Z 1300000001 GetEmailTemplate OK 0.42ms 5c3f...
 *   json: {"time":"2024-06-01T01:02:03.456Z","app_id":1300000001,"action":"GetEmailTemplate",
 *          "code":"OK","ms":0.42,"request_id":"5c3f..."}
 * A missing app_id or action is "-" in text and null in JSON.
 */
size_t request_log_format(enum config_log_format format, const struct request_log_entry *entry, char *out, size_t size);

struct request_log;

/*
 * Start a log writing `format` lines to file descriptor `fd` (not closed
 * by the log). NULL for CONFIG_LOG_OFF, or when out of memory or no thread
 * can be started (then nothing is logged).
 */
struct request_log *request_log_create(enum config_log_format format, int fd);
/* Write every line still gathered, stop the writer and free. Accepts NULL. */
void request_log_destroy(struct request_log *log);

/*
 * Queue the line of `entry`; NULL `log` does nothing. Safe from any
 * thread. Waits only while the buffer is full (the writer cannot keep up
 * with the descriptor): lines are never dropped, and memory stays bounded.
 */
void request_log_write(struct request_log *log, const struct request_log_entry *entry);

#endif
