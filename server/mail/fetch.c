/*
 * Attachment fetching with libcurl. Owns the allow-list check and the
 * transfer limits; never follows redirects and never speaks anything but
 * http and https. Runs outside the store transaction (SendEmail's prepare
 * step), so a slow server never holds the store.
 */
#include "fetch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

struct sink {
	unsigned char *data;
	size_t len, cap, max;
	bool too_large;
};

static size_t on_data(char *ptr, size_t size, size_t count, void *cls)
{
	struct sink *sink = cls;
	size_t n = size * count;
	if (n > sink->max - sink->len) {
		sink->too_large = true;
		return 0; /* aborts the transfer */
	}
	if (sink->len + n > sink->cap) {
		size_t cap = sink->cap ? sink->cap : 16384;
		while (cap < sink->len + n)
			cap *= 2;
		unsigned char *grown = realloc(sink->data, cap);
		if (!grown)
			return 0;
		sink->data = grown;
		sink->cap = cap;
	}
	memcpy(sink->data + sink->len, ptr, n);
	sink->len += n;
	return n;
}

static bool host_allowed(const char *host, const char *allow)
{
	size_t host_len = strlen(host);
	/* curl gives IPv6 hosts in brackets */
	if (host_len > 2 && host[0] == '[' && host[host_len - 1] == ']') {
		host++;
		host_len -= 2;
	}
	const char *p = allow;
	while (*p) {
		size_t n = strcspn(p, ",");
		if ((n == 1 && p[0] == '*') || (n == host_len && strncasecmp(p, host, n) == 0))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Parse with curl's own URL parser; fills host (caller frees with curl_free). */
static enum fetch_status check_url(const char *url, const char *allow)
{
	CURLU *parsed = curl_url();
	char *scheme = NULL, *host = NULL;
	enum fetch_status status = FETCH_ILLEGAL_URL;
	if (parsed && curl_url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) && host[0])
		status = host_allowed(host, allow) ? FETCH_OK : FETCH_FORBIDDEN;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(parsed);
	return status;
}

enum fetch_status fetch_url(const char *url, const char *allow, size_t max_size, long timeout_ms, unsigned char **out,
			    size_t *len)
{
	*out = NULL;
	*len = 0;
	enum fetch_status status = check_url(url, allow);
	if (status != FETCH_OK)
		return status;
	CURL *curl = curl_easy_init();
	if (!curl)
		return FETCH_NOMEM;
	struct sink sink = {.max = max_size};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "ses-emulator");
	CURLcode rc = curl_easy_perform(curl);
	long code = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(curl);
	if (sink.too_large)
		status = FETCH_TOO_LARGE;
	else if (rc != CURLE_OK || code < 200 || code > 299)
		status = FETCH_NOT_FOUND;
	if (status != FETCH_OK) {
		free(sink.data);
		return status;
	}
	*out = sink.data ? sink.data : calloc(1, 1);
	*len = sink.len;
	return *out ? FETCH_OK : FETCH_NOMEM;
}

void fetch_file_name(const char *url, char *out, size_t size)
{
	out[0] = '\0';
	size_t end = strcspn(url, "?#");
	const char *slash = NULL;
	for (size_t i = 0; i < end; i++)
		if (url[i] == '/')
			slash = url + i;
	if (slash && (size_t)(url + end - slash - 1) < size) {
		memcpy(out, slash + 1, (size_t)(url + end - slash - 1));
		out[url + end - slash - 1] = '\0';
	}
}
