/*
 * libmicrohttpd glue.
 *
 * Owns: the MHD daemon, each request's context (created by the URI log
 * callback, the first thing MHD calls, so the raw query string is kept for
 * TC3 GET signatures; freed in the completed callback, which also runs for
 * aborted connections), the body ceiling, turning an http_response into
 * an MHD response, and the requests set aside (http_request_defer).
 * Never: interprets the API or the store; all decisions are the handler's.
 *
 * Design: MHD's internal epoll thread pool (--threads, server/main.c).
 * A request whose answer waits on another thread's work (SendEmail's store
 * job) is set aside with MHD's suspend/resume: suspended before the work is
 * handed over (so that its end cannot come first), resumed by whoever ends
 * it, then answered when MHD calls the handler again; its worker serves
 * other connections meanwhile (docs/performance.md, fifth round). MHD must
 * not be stopped with a connection suspended, so stopping refuses new
 * deferrals and waits for the ones under way; at most HTTP_DEFER_MAX are
 * set aside at once (past it a handler waits on its worker, as before).
 *
 * A body larger than HTTP_BODY_LIMIT is never kept: it is read and
 * discarded, then refused. Answering before the body is read
 * would be faster, but a client that sends its body without waiting (the
 * SDKs' node-fetch does) then gets a reset instead of the answer. Only a
 * client that asked "Expect: 100-continue", or one announcing more than
 * HTTP_DRAIN_LIMIT, is answered at once (and its connection closed).
 *
 * Hostile clients (docs/limits.md, "Connections"): a worker thread serves
 * many connections through epoll and runs a handler only once a request is
 * complete, so a client that trickles its request holds a connection slot,
 * never a thread. A connection silent for the timeout (--http-timeout) is
 * closed; at most HTTP_MAX_CONNECTIONS are served at once, with no per-IP
 * cap (an emulator's clients usually share one address); request line and
 * headers must fit the 64 KB connection memory (else 414/431, and the
 * connection is closed).
 */
#define _GNU_SOURCE
#include "http.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_handler handler;
	uint16_t port;
	/* requests set aside (http_request_defer) and not resumed yet; none
	 * may be left when the daemon stops, so stopping refuses new ones
	 * and waits for these */
	_Atomic unsigned deferred;
	_Atomic bool stopping;
};

struct http_request {
	struct MHD_Connection *connection;
	const char *method;
	const char *path;
	char *query; /* raw, malloc'd */
	char *body;
	size_t body_len, body_cap;
	bool too_large;
	bool answered;
	uint64_t start_ns;
	/* detached requests only (connection NULL): name, value, ..., NULL */
	const char *const *detached_headers;
	/* a request answered later (http_request_defer): set aside until resumed, then finished */
	struct http_server *server;
	bool complete; /* its body is in: the handler's last call, the only one that may defer */
	bool deferred;
	_Atomic bool resumed;
	void (*start)(void *arg);
	void (*finish)(void *arg, struct http_response *resp);
	void *defer_arg;
};

uint64_t http_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *http_request_method(const struct http_request *req)
{
	return req->method;
}

const char *http_request_path(const struct http_request *req)
{
	return req->path;
}

const char *http_request_query(const struct http_request *req)
{
	return req->query ? req->query : "";
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	if (!req->connection) {
		for (const char *const *h = req->detached_headers; h && h[0] && h[1]; h += 2)
			if (strcasecmp(h[0], name) == 0)
				return h[1];
		return NULL;
	}
	return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

const char *http_request_body(const struct http_request *req, size_t *len)
{
	*len = req->body_len;
	return req->body ? req->body : "";
}

bool http_request_too_large(const struct http_request *req)
{
	return req->too_large;
}

uint64_t http_request_start_ns(const struct http_request *req)
{
	return req->start_ns;
}

bool http_request_defer(const struct http_request *request, void (*start)(void *arg),
			void (*finish)(void *arg, struct http_response *resp), void *arg)
{
	struct http_request *req = (struct http_request *)request; /* http's own state, see http.h */
	if (!req->connection || !req->complete)
		return false;
	struct http_server *server = req->server;
	/* counted before the check, so that a stopping server waits for every request it did not refuse */
	if (atomic_fetch_add(&server->deferred, 1) >= HTTP_DEFER_MAX || atomic_load(&server->stopping)) {
		atomic_fetch_sub(&server->deferred, 1);
		return false;
	}
	req->deferred = true;
	req->start = start;
	req->finish = finish;
	req->defer_arg = arg;
	return true;
}

void http_request_resume(const struct http_request *request)
{
	struct http_request *req = (struct http_request *)request;
	struct http_server *server = req->server;
	struct MHD_Connection *connection = req->connection;
	atomic_store(&req->resumed, true);
	/* from here on req may be answered and freed by its worker */
	MHD_resume_connection(connection);
	atomic_fetch_sub(&server->deferred, 1);
}

/*
 * A connection's own state: its request begun (on_uri) and not completed
 * yet. libmicrohttpd reports the end only of a request whose handler it
 * called: one it gives up while parsing (a query string of more parameters
 * than the connection's memory holds) would leak its context, so the
 * connection's close frees it.
 */
struct http_connection {
	struct http_request *open;
};

static struct http_connection *connection_state(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return info ? info->socket_context : NULL;
}

static void free_request(struct http_request *req)
{
	free(req->query);
	free(req->body);
	free(req);
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	(void)connection;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct http_connection));
		return;
	}
	struct http_connection *state = *socket_context;
	if (state && state->open)
		free_request(state->open);
	free(state);
	*socket_context = NULL;
}

/* MHD calls this first, with the request target as sent: keep its query. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
	struct http_request *req = calloc(1, sizeof(*req));
	if (!req)
		return NULL;
	req->server = cls;
	req->connection = connection;
	req->start_ns = http_now_ns();
	const char *q = uri ? strchr(uri, '?') : NULL;
	if (q)
		req->query = strdup(q + 1);
	struct http_connection *state = connection_state(connection);
	if (state) {
		if (state->open)
			free_request(state->open); /* given up without a word (see above) */
		state->open = req;
	}
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	struct http_request *req = *con_cls;
	if (!req)
		return;
	if (req->deferred && atomic_load(&req->resumed)) {
		/* resumed, then closed before its answer was made (the server is
		 * stopping): finished all the same, counted as dropped. A request
		 * still set aside is never closed (http_server_destroy waits). */
		struct http_response thrown = {.drop = true};
		req->finish(req->defer_arg, &thrown);
		free(thrown.body);
	}
	struct http_connection *state = connection_state(connection);
	if (state && state->open == req)
		state->open = NULL;
	free_request(req);
	*con_cls = NULL;
}

static bool append_body(struct http_request *req, const char *data, size_t size)
{
	if (req->too_large)
		return true;
	if (size > HTTP_BODY_LIMIT - req->body_len) {
		req->too_large = true;
		free(req->body);
		req->body = NULL;
		req->body_len = req->body_cap = 0;
		return true;
	}
	if (req->body_len + size + 1 > req->body_cap) {
		size_t cap = req->body_cap ? req->body_cap : 4096;
		while (cap < req->body_len + size + 1)
			cap *= 2;
		char *grown = realloc(req->body, cap);
		if (!grown)
			return false;
		req->body = grown;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, size);
	req->body_len += size;
	req->body[req->body_len] = '\0';
	return true;
}

bool http_response_add_header(struct http_response *resp, const char *name, const char *value)
{
	size_t len = strlen(value);
	if (resp->header_count >= HTTP_EXTRA_HEADERS || len >= HTTP_HEADER_VALUE_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f)
			return false;
	struct http_header *h = &resp->headers[resp->header_count++];
	h->name = name;
	memcpy(h->value, value, len + 1);
	return true;
}

static enum MHD_Result send_response(struct MHD_Connection *connection, struct http_response *out)
{
	if (out->drop) {
		free(out->body);
		return MHD_NO; /* MHD closes the connection without a response */
	}
	struct MHD_Response *response =
		MHD_create_response_from_buffer(out->body_len, out->body ? out->body : (void *)"",
						out->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!response) {
		free(out->body);
		return MHD_NO;
	}
	out->body = NULL;
	if (out->content_type)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, out->content_type);
	if (out->location)
		MHD_add_response_header(response, MHD_HTTP_HEADER_LOCATION, out->location);
	if (out->close)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
	for (size_t i = 0; i < out->header_count && i < HTTP_EXTRA_HEADERS; i++)
		MHD_add_response_header(response, out->headers[i].name, out->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(connection, out->status ? out->status : 200, response);
	MHD_destroy_response(response);
	return ret;
}

/* Bodies announced above this are refused without reading them at all. */
#define HTTP_DRAIN_LIMIT (64ull * 1024 * 1024)

/* The announced Content-Length, or 0 when absent or unreadable. */
static unsigned long long declared_length(struct MHD_Connection *connection)
{
	const char *cl = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!cl)
		return 0;
	char *end;
	unsigned long long n = strtoull(cl, &end, 10);
	return end != cl ? n : 0;
}

static bool expects_continue(struct MHD_Connection *connection)
{
	const char *expect = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	return expect && strcasecmp(expect, "100-continue") == 0;
}

/* Bodies up to this are allocated at their announced size at once; longer ones grow as they arrive. */
#define HTTP_BODY_PREALLOCATE (64u * 1024u)

/*
 * The first allocation of a body announced as `length` bytes: all of it
 * (plus the NUL) when small, so that a request body takes one allocation;
 * never more than HTTP_BODY_PREALLOCATE, so that a client announcing
 * megabytes it never sends does not hold them.
 */
static size_t preallocated(unsigned long long length)
{
	return length < HTTP_BODY_PREALLOCATE ? (size_t)length + 1 : HTTP_BODY_PREALLOCATE;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
				 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct http_server *server = cls;
	struct http_request *req = *con_cls;
	if (!req)
		return MHD_NO; /* out of memory in on_uri */

	if (!req->method) {
		/* First call: headers only. */
		req->method = method;
		req->path = url;
		unsigned long long length = declared_length(connection);
		if (length > HTTP_BODY_LIMIT)
			req->too_large = true; /* the body is drained, never kept */
		else if (length && (req->body = malloc(preallocated(length))) != NULL)
			req->body_cap = preallocated(length); /* append_body grows it if the body is longer */
		if (req->too_large && (length > HTTP_DRAIN_LIMIT || expects_continue(connection))) {
			/* Answer before reading a byte of the body; MHD then closes. */
			req->answered = true;
			struct http_response out = {0};
			server->handler.handle(server->handler.cls, req, &out);
			return send_response(connection, &out);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t size = *upload_data_size;
		*upload_data_size = 0;
		if (req->answered)
			return MHD_YES;
		return append_body(req, upload_data, size) ? MHD_YES : MHD_NO;
	}
	if (req->answered) {
		if (req->deferred && atomic_load(&req->resumed)) {
			req->deferred = false;
			struct http_response out = {0};
			req->finish(req->defer_arg, &out);
			return send_response(connection, &out);
		}
		return MHD_YES;
	}
	req->answered = true;
	req->complete = true;
	struct http_response out = {0};
	server->handler.handle(server->handler.cls, req, &out);
	if (req->deferred) {
		/* set aside before the work starts, so that its end cannot come first */
		MHD_suspend_connection(connection);
		req->start(req->defer_arg);
		return MHD_YES;
	}
	return send_response(connection, &out);
}

/*
 * How many connections to accept at once: HTTP_MAX_CONNECTIONS, after
 * raising the soft limit of open files towards its hard limit if needed
 * (as Go and nginx do), minus room for the store, the relay and the
 * listening sockets. Without that MHD's default (about 1,000, from
 * FD_SETSIZE) applies, and a few thousand idle keep-alive clients would
 * starve everyone else.
 */
static unsigned connection_limit(void)
{
	const rlim_t reserve = 64, want = HTTP_MAX_CONNECTIONS + reserve;
	struct rlimit files;
	if (getrlimit(RLIMIT_NOFILE, &files) != 0)
		return 1000;
	if (files.rlim_cur != RLIM_INFINITY && files.rlim_cur < want) {
		struct rlimit raised = files;
		raised.rlim_cur = files.rlim_max == RLIM_INFINITY || files.rlim_max > want ? want : files.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			files = raised;
	}
	if (files.rlim_cur == RLIM_INFINITY || files.rlim_cur >= want)
		return HTTP_MAX_CONNECTIONS;
	return files.rlim_cur > 2 * reserve ? (unsigned)(files.rlim_cur - reserve) : (unsigned)(files.rlim_cur / 2);
}

struct http_server *http_server_create(const char *host, uint16_t port, unsigned threads, unsigned timeout_s,
				       struct http_handler handler, char *err, size_t err_size)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char port_text[8];
	snprintf(port_text, sizeof(port_text), "%u", (unsigned)port);
	int rc = getaddrinfo(host, port_text, &hints, &ai);
	if (rc != 0 || !ai) {
		snprintf(err, err_size, "cannot resolve listen address '%s': %s", host, gai_strerror(rc));
		return NULL;
	}
	struct http_server *server = calloc(1, sizeof(*server));
	if (!server) {
		freeaddrinfo(ai);
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	server->handler = handler;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	server->daemon = MHD_start_daemon(
		flags, port, NULL, NULL, on_access, server, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_URI_LOG_CALLBACK, on_uri, server,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, timeout_s, MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!server->daemon) {
		snprintf(err, err_size, "cannot listen on %s:%u (address in use or not available)", host,
			 (unsigned)port);
		free(server);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
	server->port = info ? info->port : port;
	return server;
}

uint16_t http_server_port(const struct http_server *server)
{
	return server->port;
}

void http_server_destroy(struct http_server *server)
{
	if (!server)
		return;
	if (server->daemon) {
		/* libmicrohttpd must not be stopped with a connection set aside:
		 * refuse new deferrals and wait for the ones under way (each ends
		 * with its store job, which never waits on a client) */
		atomic_store(&server->stopping, true);
		for (unsigned waited_ms = 0; atomic_load(&server->deferred) > 0; waited_ms++) {
			if (waited_ms == 5000)
				fprintf(stderr, "ses-emulator: stopping: waiting for %u requests' store jobs\n",
					atomic_load(&server->deferred));
			nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
		}
		MHD_stop_daemon(server->daemon);
	}
	free(server);
}

struct http_request *http_request_create_detached(const char *method, const char *path, const char *query,
						  const char *const *headers, const char *body, size_t body_len)
{
	struct http_request *req = calloc(1, sizeof(*req));
	if (!req)
		return NULL;
	req->method = method;
	req->path = path;
	req->detached_headers = headers;
	req->start_ns = http_now_ns();
	if ((query && !(req->query = strdup(query))) || (body_len && !append_body(req, body, body_len))) {
		http_request_destroy_detached(req);
		return NULL;
	}
	return req;
}

void http_request_destroy_detached(struct http_request *req)
{
	if (!req)
		return;
	free(req->query);
	free(req->body);
	free(req);
}
