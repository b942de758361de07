/*
 * `ses-emulator --probe [URL]`: a health check that needs no curl binary
 * (the container's HEALTHCHECK), answered by the emulator's own libcurl.
 */
#ifndef SERVER_PROBE_H
#define SERVER_PROBE_H

#include <stdio.h>

/*
 * GET `url` (no proxy, 3 s timeout, at most 64 KiB of body read) and write
 * one line to `out`: "ses-emulator: healthy: URL" or
 * "ses-emulator: unhealthy: URL: REASON".
 * Returns 0 when the answer is HTTP 200 and its body contains "ok" (with the
 * quotes, as in {"status":"ok"}), 1 otherwise (refused, timeout, another
 * status, another body). Calls curl_global_init() itself; changes nothing else.
 */
int probe_run(const char *url, FILE *out);

#endif
