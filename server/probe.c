/*
 * The --probe mode: one GET of the health route, one line, exit 0 or 1.
 *
 * Owns: the probe's HTTP request. Never: reads the config or the store, and
 * never follows redirects or a proxy from the environment (a probe must
 * reach the emulator itself, not whatever $http_proxy points at).
 */
#include "probe.h"

#include <string.h>

#include <curl/curl.h>

#define PROBE_BODY_MAX 65536
#define PROBE_TIMEOUT_MS 3000L

struct body {
	char data[PROBE_BODY_MAX + 1];
	size_t len;
};

/* Keeps the first PROBE_BODY_MAX bytes; more makes libcurl stop with an error. */
static size_t keep(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct body *body = userdata;
	size_t n = size * nmemb;
	if (n > PROBE_BODY_MAX - body->len)
		return 0;
	memcpy(body->data + body->len, ptr, n);
	body->len += n;
	body->data[body->len] = '\0';
	return n;
}

int probe_run(const char *url, FILE *out)
{
	static struct body body;
	long status = 0;
	int healthy = 1;

	body.len = 0;
	body.data[0] = '\0';
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(out, "ses-emulator: unhealthy: %s: libcurl failed to start\n", url);
		return 1;
	}
	CURL *curl = curl_easy_init();
	if (!curl) {
		fprintf(out, "ses-emulator: unhealthy: %s: libcurl failed to start\n", url);
		goto done;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, PROBE_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		fprintf(out, "ses-emulator: unhealthy: %s: %s\n", url, curl_easy_strerror(rc));
		goto done;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		fprintf(out, "ses-emulator: unhealthy: %s: HTTP %ld\n", url, status);
	else if (!strstr(body.data, "\"ok\""))
		fprintf(out, "ses-emulator: unhealthy: %s: the answer does not say \"ok\"\n", url);
	else {
		fprintf(out, "ses-emulator: healthy: %s\n", url);
		healthy = 0;
	}
done:
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	return healthy;
}
