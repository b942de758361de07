/*
 * libmicrohttpd glue: one request in (method, path, raw query, headers,
 * body with a ceiling), one response out. The API and the control plane
 * see only these two structures, never MHD.
 */
#ifndef SERVER_HTTP_H
#define SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The documented request ceiling of the SES API (SPEC.md §2.1). */
#define HTTP_BODY_LIMIT (8u * 1024u * 1024u)

/* Room for the extra header fields of one response. */
#define HTTP_EXTRA_HEADERS 6
#define HTTP_HEADER_VALUE_MAX 768

struct http_server;
struct http_request;

/* What a route answers. The body is owned by the response (freed by http). */
struct http_response {
	unsigned status;          /* HTTP status; the API always uses 200 */
	const char *content_type; /* a static string */
	char *body;               /* malloc'd, may be NULL for an empty body */
	size_t body_len;
	const char *location; /* a static string for redirects, else NULL */
	bool close;           /* close the connection after answering */
	bool drop;            /* close the connection without answering (fault injection) */
	/* further header fields (Cache-Control, Content-Disposition, ...), set with http_response_add_header() */
	struct http_header {
		const char *name; /* a static string */
		char value[HTTP_HEADER_VALUE_MAX];
	} headers[HTTP_EXTRA_HEADERS];
	size_t header_count;
};

/*
 * Add a header field to the answer: `name` must be a static string, `value`
 * is copied. False, with nothing added, when HTTP_EXTRA_HEADERS are already
 * set, the value does not fit HTTP_HEADER_VALUE_MAX, or it holds a control
 * character (which would split the header).
 */
bool http_response_add_header(struct http_response *resp, const char *name, const char *value);

/* Read access to the request being answered. */
const char *http_request_method(const struct http_request *req);
const char *http_request_path(const struct http_request *req);
/* The raw query string as it was on the request line, without '?'; "" when none. */
const char *http_request_query(const struct http_request *req);
/* A header's value (case-insensitive name), or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);
const char *http_request_body(const struct http_request *req, size_t *len);
/* The body went over HTTP_BODY_LIMIT (it was not kept). */
bool http_request_too_large(const struct http_request *req);
/* Monotonic nanoseconds when the request line arrived. */
uint64_t http_request_start_ns(const struct http_request *req);

/*
 * Test seam, for unit tests and fuzz targets that drive protocol, auth and
 * dispatch without a socket: a request that did not come through MHD.
 * `headers` is name, value, name, value, ..., NULL (looked up ignoring the
 * case of names, like MHD); `method`, `path` and `headers` are the caller's
 * and must outlive the request; `query` (NULL for none) and `body` are
 * copied, and a body past HTTP_BODY_LIMIT marks the request too large as
 * on the wire. Returns NULL when out of memory. The server never makes one.
 */
struct http_request *http_request_create_detached(const char *method, const char *path, const char *query,
						  const char *const *headers, const char *body, size_t body_len);
/* Free a detached request. Accepts NULL. */
void http_request_destroy_detached(struct http_request *req);

/*
 * Answer later: for a handler whose answer waits on work another thread
 * may do (a store job), called instead of filling its response. http sets
 * the connection aside, so that its worker serves other connections
 * meanwhile, then calls start(arg), which hands the work over; whoever
 * ends the work calls http_request_resume(req), from any thread, and http
 * then calls finish(arg, resp) on a worker to fill the answer. When the
 * connection is closed before that (only while the server stops), finish
 * is called all the same with a response that is thrown away, so that it
 * can free arg. False when the request cannot wait: a detached request,
 * a call of the handler before the body is in, HTTP_DEFER_MAX requests
 * already set aside, or the server stopping; the handler then answers at
 * once. The state it sets is http's own, hence the const request.
 */
/* Requests set aside at once, at most: each holds its decoded call (up to
 * megabytes of content for a SendEmail with attachments) until answered. */
#define HTTP_DEFER_MAX 256

bool http_request_defer(const struct http_request *req, void (*start)(void *arg),
			void (*finish)(void *arg, struct http_response *resp), void *arg);
/* The deferred request's work is over: have its answer sent (see above). */
void http_request_resume(const struct http_request *req);

/* Decides the answer of one complete request. Runs on an MHD worker thread. */
struct http_handler {
	void (*handle)(void *cls, const struct http_request *req, struct http_response *resp);
	void *cls;
};

/*
 * Connections served at once (MHD_OPTION_CONNECTION_LIMIT), at most; fewer
 * when the process may not open that many files (see http.c). Past it, new
 * connections wait in the kernel's listen queue until one closes.
 */
#define HTTP_MAX_CONNECTIONS 4096

/*
 * Start serving `handler` on host:port with `threads` workers; a connection
 * silent for `timeout_s` seconds is closed. Returns NULL and writes one line
 * to `err` when the address cannot be used.
 */
struct http_server *http_server_create(const char *host, uint16_t port, unsigned threads, unsigned timeout_s,
				       struct http_handler handler, char *err, size_t err_size);
/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const struct http_server *server);
/* Stop accepting, finish in-flight requests (deferred ones too), free. Accepts NULL. */
void http_server_destroy(struct http_server *server);

/* Monotonic clock in nanoseconds. */
uint64_t http_now_ns(void);

#endif
