/*
 * Fetching an attachment given by URL (SendEmail Attachment.FileURL), only
 * from hosts the user allows (--fetch-allow; loopback by default).
 */
#ifndef SERVER_MAIL_FETCH_H
#define SERVER_MAIL_FETCH_H

#include <stddef.h>

enum fetch_status {
	FETCH_OK = 0,
	FETCH_ILLEGAL_URL, /* not an http(s) URL with a host */
	FETCH_FORBIDDEN,   /* the host is not in the allow list */
	FETCH_NOT_FOUND,   /* unreachable, an HTTP status other than 2xx, or a timeout */
	FETCH_TOO_LARGE,   /* longer than max_size */
	FETCH_NOMEM,
};

/*
 * Fetch `url` if its host is in `allow` (comma separated, exact and
 * case-insensitive; "*" allows every host). Redirects are not followed.
 * On FETCH_OK *out holds *len bytes (caller frees). Blocks for at most
 * `timeout_ms`.
 */
enum fetch_status fetch_url(const char *url, const char *allow, size_t max_size, long timeout_ms, unsigned char **out,
			    size_t *len);

/* The file name at the end of the URL's path ("" when none), into out. */
void fetch_file_name(const char *url, char *out, size_t size);

#endif
