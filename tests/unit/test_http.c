/*
 * Focus: the response side of server/http.h that routes fill without MHD:
 * http_response_add_header() keeps at most HTTP_EXTRA_HEADERS fields,
 * refuses a value that does not fit HTTP_HEADER_VALUE_MAX (one byte under
 * it fits) or that holds a control character (any C0, tab, CR and LF
 * included, or DEL), and never changes the response when it refuses.
 * Then requests set aside (http_request_defer) on a real server: answered
 * when resumed while their worker serves others, at most HTTP_DEFER_MAX
 * at once, refused while the server stops, which waits for the ones under
 * way; never for a detached request.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "unit.h"

static void test_add_header(void)
{
	struct http_response resp = {0};
	CHECK(http_response_add_header(&resp, "Cache-Control", "no-cache"));
	CHECK_INT(resp.header_count, 1);
	CHECK_STR(resp.headers[0].name, "Cache-Control");
	CHECK_STR(resp.headers[0].value, "no-cache");
	CHECK(http_response_add_header(&resp, "X-Empty", ""));
	CHECK_STR(resp.headers[1].value, "");

	/* control characters would split the header: refused, nothing added */
	static const char *const bad[] = {"a\r\nSet-Cookie: x", "a\nb", "tab\there", "del\x7f", "bell\x07"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!http_response_add_header(&resp, "X-Bad", bad[i]));
	CHECK_INT(resp.header_count, 2);
	/* UTF-8 is not a control character */
	CHECK(http_response_add_header(&resp, "X-Name", "caf\xc3\xa9"));
	CHECK_INT(resp.header_count, 3);
}

static void test_limits(void)
{
	struct http_response resp = {0};
	char value[HTTP_HEADER_VALUE_MAX + 1];
	memset(value, 'v', sizeof(value) - 1);
	value[HTTP_HEADER_VALUE_MAX] = '\0';
	CHECK(!http_response_add_header(&resp, "X-Long", value)); /* HTTP_HEADER_VALUE_MAX bytes: one too many */
	CHECK_INT(resp.header_count, 0);
	value[HTTP_HEADER_VALUE_MAX - 1] = '\0';
	CHECK(http_response_add_header(&resp, "X-Long", value)); /* the longest that fits */
	CHECK_INT(strlen(resp.headers[0].value), HTTP_HEADER_VALUE_MAX - 1);
	for (size_t i = 1; i < HTTP_EXTRA_HEADERS; i++)
		CHECK(http_response_add_header(&resp, "X-More", "1"));
	CHECK_INT(resp.header_count, HTTP_EXTRA_HEADERS);
	CHECK(!http_response_add_header(&resp, "X-One-Too-Many", "1"));
	CHECK_INT(resp.header_count, HTTP_EXTRA_HEADERS);
}

/* ---- requests set aside ------------------------------------------------- */

/* The handler's side: GET /later is set aside (or answered "refused"), anything else answered "now". */
struct deferring {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct http_request *pending[HTTP_DEFER_MAX + 8];
	int started, refused, finished, dropped;
};

struct later {
	struct deferring *d;
	const struct http_request *req;
};

static void later_start(void *arg)
{
	struct later *l = arg;
	pthread_mutex_lock(&l->d->lock);
	l->d->pending[l->d->started++] = l->req;
	pthread_cond_broadcast(&l->d->cond);
	pthread_mutex_unlock(&l->d->lock);
}

static void answer(struct http_response *resp, const char *text)
{
	resp->status = 200;
	resp->content_type = "text/plain";
	resp->body = strdup(text);
	resp->body_len = resp->body ? strlen(text) : 0;
}

static void later_finish(void *arg, struct http_response *resp)
{
	struct later *l = arg;
	pthread_mutex_lock(&l->d->lock);
	l->d->finished++;
	l->d->dropped += resp->drop;
	pthread_cond_broadcast(&l->d->cond);
	pthread_mutex_unlock(&l->d->lock);
	answer(resp, "later");
	free(l);
}

static void deferring_handle(void *cls, const struct http_request *req, struct http_response *resp)
{
	struct deferring *d = cls;
	if (strcmp(http_request_path(req), "/later") != 0) {
		answer(resp, "now");
		return;
	}
	struct later *l = calloc(1, sizeof(*l));
	if (l) {
		*l = (struct later){d, req};
		if (http_request_defer(req, later_start, later_finish, l))
			return;
		free(l);
	}
	pthread_mutex_lock(&d->lock);
	d->refused++;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	answer(resp, "refused");
}

/* Wait (5 s at most) until `*counter` reaches `n`. */
static bool await_count(struct deferring *d, const int *counter, int n)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&d->lock);
	int rc = 0;
	while (*counter < n && rc == 0)
		rc = pthread_cond_timedwait(&d->cond, &d->lock, &until);
	bool reached = *counter >= n;
	pthread_mutex_unlock(&d->lock);
	return reached;
}

/* Resume every request set aside so far. */
static void resume_all(struct deferring *d)
{
	pthread_mutex_lock(&d->lock);
	int n = d->started;
	const struct http_request *reqs[HTTP_DEFER_MAX + 8];
	memcpy(reqs, d->pending, sizeof(reqs[0]) * (size_t)n);
	d->started = 0;
	pthread_mutex_unlock(&d->lock);
	for (int i = 0; i < n; i++)
		http_request_resume(reqs[i]);
}

static struct http_server *start_server(struct deferring *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	char err[256] = "";
	struct http_handler handler = {.handle = deferring_handle, .cls = d};
	struct http_server *server = http_server_create("127.0.0.1", 0, 1, 30, handler, err, sizeof(err));
	if (!CHECK(server != NULL))
		fprintf(stderr, "  %s\n", err);
	return server;
}

/* A connection with GET `path` sent on it; -1 on failure. */
static int send_get(uint16_t port, const char *path)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct timeval timeout = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	char request[128];
	int n = snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: test\r\n\r\n", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || write(fd, request, (size_t)n) != n) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The body of the response read from `fd` ("" when closed or timed out), into out. */
static void read_body(int fd, char *out, size_t size)
{
	char buf[4096];
	size_t len = 0;
	out[0] = '\0';
	for (;;) {
		buf[len] = '\0';
		char *head_end = strstr(buf, "\r\n\r\n");
		const char *cl = strstr(buf, "Content-Length: ");
		if (head_end && cl) {
			size_t want = (size_t)strtoul(cl + 16, NULL, 10);
			if (len >= (size_t)(head_end + 4 - buf) + want) {
				snprintf(out, size, "%.*s", (int)want, head_end + 4);
				return;
			}
		}
		if (len >= sizeof(buf) - 1)
			return;
		ssize_t got = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (got <= 0)
			return;
		len += (size_t)got;
	}
}

/* Set aside, the request holds no worker: the server's only one answers another meanwhile. */
static void test_defer_frees_worker(void)
{
	struct deferring d;
	struct http_server *server = start_server(&d);
	if (!server)
		return;
	uint16_t port = http_server_port(server);
	int a = send_get(port, "/later");
	CHECK(a >= 0);
	CHECK(await_count(&d, &d.started, 1));
	char body[64];
	int b = send_get(port, "/now");
	read_body(b, body, sizeof(body));
	CHECK_STR(body, "now");
	CHECK_INT(d.finished, 0);
	resume_all(&d);
	read_body(a, body, sizeof(body));
	CHECK_STR(body, "later");
	CHECK_INT(d.finished, 1);
	CHECK_INT(d.dropped, 0);
	/* the same connection goes on after an answer that was set aside */
	const char again[] = "GET /now HTTP/1.1\r\nHost: test\r\n\r\n";
	CHECK(write(a, again, sizeof(again) - 1) == (ssize_t)(sizeof(again) - 1));
	read_body(a, body, sizeof(body));
	CHECK_STR(body, "now");
	close(a);
	close(b);
	http_server_destroy(server);
}

/* At most HTTP_DEFER_MAX requests are set aside at once; past it the handler answers at once. */
static void test_defer_cap(void)
{
	struct deferring d;
	struct http_server *server = start_server(&d);
	if (!server)
		return;
	uint16_t port = http_server_port(server);
	enum { EXTRA = 3, ALL = HTTP_DEFER_MAX + EXTRA };
	static int fds[ALL];
	for (int i = 0; i < ALL; i++)
		fds[i] = send_get(port, "/later");
	CHECK(await_count(&d, &d.started, HTTP_DEFER_MAX));
	CHECK(await_count(&d, &d.refused, EXTRA));
	resume_all(&d);
	int later = 0, refused = 0;
	char body[64];
	for (int i = 0; i < ALL; i++) {
		read_body(fds[i], body, sizeof(body));
		later += strcmp(body, "later") == 0;
		refused += strcmp(body, "refused") == 0;
		close(fds[i]);
	}
	CHECK_INT(later, HTTP_DEFER_MAX);
	CHECK_INT(refused, EXTRA);
	/* the count went down with the answers: the next one is set aside again */
	int one = send_get(port, "/later");
	CHECK(await_count(&d, &d.started, 1));
	resume_all(&d);
	read_body(one, body, sizeof(body));
	CHECK_STR(body, "later");
	close(one);
	http_server_destroy(server);
}

struct stopper {
	struct http_server *server;
	_Atomic bool done;
};

static void *stop_server(void *p)
{
	struct stopper *s = p;
	http_server_destroy(s->server);
	atomic_store(&s->done, true);
	return NULL;
}

/* Stopping refuses new deferrals and waits for a request set aside until it is resumed. */
static void test_destroy_waits(void)
{
	struct deferring d;
	struct http_server *server = start_server(&d);
	if (!server)
		return;
	uint16_t port = http_server_port(server);
	int a = send_get(port, "/later");
	CHECK(await_count(&d, &d.started, 1));
	int c = send_get(port, "/now"); /* accepted now, asked again while stopping */
	char body[64];
	read_body(c, body, sizeof(body));
	CHECK_STR(body, "now");
	struct stopper s = {.server = server};
	pthread_t thread;
	pthread_create(&thread, NULL, stop_server, &s);
	nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	CHECK(!atomic_load(&s.done)); /* waiting for the request set aside */
	const char later[] = "GET /later HTTP/1.1\r\nHost: test\r\n\r\n";
	CHECK(write(c, later, sizeof(later) - 1) == (ssize_t)(sizeof(later) - 1));
	read_body(c, body, sizeof(body));
	CHECK_STR(body, "refused"); /* no new deferral while stopping */
	CHECK(!atomic_load(&s.done));
	resume_all(&d);
	pthread_join(thread, NULL);
	CHECK(atomic_load(&s.done));
	CHECK_INT(d.finished, 1); /* answered, or finished as dropped when closed first */
	close(a);
	close(c);
}

/* A detached request (unit tests, fuzzers) is never set aside. */
static void test_detached_not_deferred(void)
{
	struct http_request *req = http_request_create_detached("POST", "/", NULL, NULL, "{}", 2);
	if (!CHECK(req != NULL))
		return;
	struct later *l = calloc(1, sizeof(*l));
	CHECK(!http_request_defer(req, later_start, later_finish, l));
	free(l);
	http_request_destroy_detached(req);
}

int main(void)
{
	test_add_header();
	test_limits();
	test_defer_frees_worker();
	test_defer_cap();
	test_destroy_waits();
	test_detached_not_deferred();
	return unit_finish("http");
}
