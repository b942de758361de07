/* Helpers of the fuzz targets: see fuzz.h. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

bool fuzz_fields_init(struct fuzz_fields *f, const uint8_t *data, size_t size, size_t wanted)
{
	memset(f, 0, sizeof(*f));
	if (wanted > FUZZ_MAX_FIELDS)
		wanted = FUZZ_MAX_FIELDS;
	f->buffer = malloc(size + 1);
	if (!f->buffer)
		return false;
	if (size)
		memcpy(f->buffer, data, size);
	f->buffer[size] = '\0';
	size_t start = 0;
	for (size_t i = 0; i < wanted; i++)
		f->field[i] = "";
	while (f->count < wanted && (start < size || f->count == 0)) {
		f->field[f->count] = f->buffer + start;
		if (f->count == wanted - 1) {
			f->last_len = size - start;
			f->count++;
			break;
		}
		const char *nul = memchr(f->buffer + start, '\0', size - start);
		size_t len = nul ? (size_t)(nul - (f->buffer + start)) : size - start;
		f->last_len = len;
		f->count++;
		start += len + 1;
		if (!nul)
			break;
	}
	return true;
}

void fuzz_fields_finish(struct fuzz_fields *f)
{
	free(f->buffer);
	memset(f, 0, sizeof(*f));
}

/* The next line of buffer at *pos (NUL-terminated in place, "\r" dropped);
 * NULL when the input is used up. */
static char *next_line(char *buffer, size_t size, size_t *pos)
{
	if (*pos >= size)
		return NULL;
	char *line = buffer + *pos;
	char *nl = memchr(line, '\n', size - *pos);
	size_t len = nl ? (size_t)(nl - line) : size - *pos;
	*pos += len + (nl ? 1 : 0);
	line[len] = '\0';
	if (len && line[len - 1] == '\r')
		line[len - 1] = '\0';
	return line;
}

bool fuzz_http_init(struct fuzz_http *h, const uint8_t *data, size_t size)
{
	memset(h, 0, sizeof(*h));
	h->buffer = malloc(size + 1);
	if (!h->buffer)
		return false;
	if (size)
		memcpy(h->buffer, data, size);
	h->buffer[size] = '\0';
	size_t pos = 0;
	char *line = next_line(h->buffer, size, &pos);
	h->method = "GET";
	h->path = "/";
	h->body = "";
	if (!line)
		return true;
	char *space = strchr(line, ' ');
	if (space) {
		*space = '\0';
		h->path = space + 1;
		char *q = strchr(space + 1, '?');
		if (q) {
			*q = '\0';
			h->query = q + 1;
		}
	}
	h->method = line;
	size_t n = 0;
	while ((line = next_line(h->buffer, size, &pos)) != NULL) {
		if (!line[0]) {
			h->body = h->buffer + pos;
			h->body_len = size - pos;
			break;
		}
		char *colon = strchr(line, ':');
		if (!colon || n >= FUZZ_MAX_HEADERS)
			continue;
		*colon = '\0';
		char *value = colon + 1;
		while (*value == ' ')
			value++;
		h->headers[2 * n] = line;
		h->headers[2 * n + 1] = value;
		n++;
	}
	h->headers[2 * n] = NULL;
	return true;
}

void fuzz_http_finish(struct fuzz_http *h)
{
	free(h->buffer);
	memset(h, 0, sizeof(*h));
}
