/*
 * Helpers shared by the fuzz targets of tests/fuzz/.
 *
 * Each target is one .c file defining LLVMFuzzerTestOneInput(). With
 * -Dfuzzing_engine=libfuzzer it is linked with -fsanitize=fuzzer; with the
 * default 'none' it is linked with replay.c, whose main() runs every file of
 * the target's corpus (tests/fuzz/corpus/<target>/) through it once, so the
 * corpus and every crash found are regression tests of `meson test --suite
 * fuzz`.
 *
 * Inputs are split into fields so that the fuzzer mutates each part of a
 * structured input on its own: fuzz_fields splits on NUL bytes (for targets
 * whose inputs are C strings anyway); fuzz_http reads a small text form of
 * an HTTP request (see below).
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FIELDS 24

/* `size` bytes split at each NUL into at most FUZZ_MAX_FIELDS strings; the
 * last field takes the rest (NULs included, see last_len). Missing fields
 * are "". */
struct fuzz_fields {
	char *buffer;
	const char *field[FUZZ_MAX_FIELDS];
	size_t count;    /* fields actually present in the input */
	size_t last_len; /* bytes of the last present field, NULs included */
};

/* False when out of memory. Release with fuzz_fields_finish(). */
bool fuzz_fields_init(struct fuzz_fields *f, const uint8_t *data, size_t size, size_t wanted);
void fuzz_fields_finish(struct fuzz_fields *f);

#define FUZZ_MAX_HEADERS 32

/*
 * An HTTP request written as text:
 *     METHOD [PATH][?QUERY]\n
 *     Name: value\n          (any number, at most FUZZ_MAX_HEADERS kept)
 *     \n
 *     body (the rest, NULs included)
 * "\r\n" works as well as "\n". Without a blank line there is no body.
 */
struct fuzz_http {
	char *buffer;
	const char *method;
	const char *path;
	const char *query; /* NULL when the line has no '?' */
	const char *headers[2 * FUZZ_MAX_HEADERS + 1];
	const char *body;
	size_t body_len;
};

bool fuzz_http_init(struct fuzz_http *h, const uint8_t *data, size_t size);
void fuzz_http_finish(struct fuzz_http *h);

#endif
