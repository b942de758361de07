/*
 * The unit tests' harness: a handful of CHECK macros that count checks,
 * print each failure with its file:line and both values, and never stop
 * the test (a failing check is reported; the rest still run).
 *
 * KNOWN_BUG marks a check of a reported, unfixed bug (see below).
 *
 * A test file calls its test functions from main() and ends with
 * `return unit_finish("name");`, which prints a summary line and returns
 * non-zero when any check failed.
 */
#ifndef TESTS_UNIT_UNIT_H
#define TESTS_UNIT_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int unit_checks;
static int unit_failures;
static int unit_known_bugs;

static inline bool unit_check(bool ok, const char *expr, const char *file, int line)
{
	unit_checks++;
	if (!ok) {
		unit_failures++;
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
	}
	return ok;
}

static inline bool unit_check_int(long long got, long long want, const char *expr, const char *file, int line)
{
	unit_checks++;
	if (got != want) {
		unit_failures++;
		fprintf(stderr, "%s:%d: CHECK_INT failed: %s is %lld, expected %lld\n", file, line, expr, got, want);
	}
	return got == want;
}

static inline bool unit_check_str(const char *got, const char *want, const char *expr, const char *file, int line)
{
	bool ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);
	unit_checks++;
	if (!ok) {
		unit_failures++;
		fprintf(stderr, "%s:%d: CHECK_STR failed: %s is %s%s%s, expected %s%s%s\n", file, line, expr,
			got ? "\"" : "", got ? got : "NULL", got ? "\"" : "", want ? "\"" : "", want ? want : "NULL",
			want ? "\"" : "");
	}
	return ok;
}

/*
 * A check of the right behaviour where the code under test is known to be
 * wrong (reported, not yet fixed): while it fails it is printed and counted
 * apart, without failing the test; once it passes it fails the test, so that
 * whoever fixed the bug turns it into a plain CHECK.
 */
static inline bool unit_known_bug(bool ok, const char *expr, const char *file, int line)
{
	unit_checks++;
	if (ok) {
		unit_failures++;
		fprintf(stderr, "%s:%d: known bug now fixed, make this a CHECK: %s\n", file, line, expr);
	} else {
		unit_known_bugs++;
		fprintf(stderr, "%s:%d: known bug (still present): %s\n", file, line, expr);
	}
	return ok;
}

/* Each evaluates to whether the check passed, so a test can skip what depends on it. */
#define CHECK(cond) unit_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_INT(got, want) unit_check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)
#define CHECK_STR(got, want) unit_check_str((got), (want), #got, __FILE__, __LINE__)
#define KNOWN_BUG(cond) unit_known_bug((cond), #cond, __FILE__, __LINE__)

static inline int unit_finish(const char *name)
{
	printf("%s: %d checks, %d failed, %d known bugs\n", name, unit_checks, unit_failures, unit_known_bugs);
	return unit_failures ? 1 : 0;
}

#endif
