/*
 * The business clock. Owns one atomic offset from real time; never sleeps.
 */
#include "clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static _Atomic int64_t offset;

int64_t clock_real_now(void)
{
	return (int64_t)time(NULL);
}

int64_t clock_now(void)
{
	return clock_real_now() + atomic_load(&offset);
}

void clock_set(int64_t when)
{
	atomic_store(&offset, when - clock_real_now());
}

void clock_advance(int64_t seconds)
{
	atomic_fetch_add(&offset, seconds);
}

static void format_cst(int64_t when, const char *format, char *out, size_t size)
{
	time_t t = (time_t)(when + CLOCK_CST_OFFSET);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, size, format, &tm) == 0)
		snprintf(out, size, "%s", "");
}

void clock_format_datetime(int64_t when, char *out, size_t size)
{
	format_cst(when, "%Y-%m-%d %H:%M:%S", out, size);
}

void clock_format_date(int64_t when, char *out, size_t size)
{
	format_cst(when, "%Y-%m-%d", out, size);
}
