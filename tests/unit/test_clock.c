/*
 * Focus: server/clock.c's calendar helpers: strict date and datetime
 * parsing (real dates only, leap years, nothing around them), CST day
 * numbers on both sides of midnight, and formatting back; plus the offset
 * that clock_set() and clock_advance() move.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "../../server/clock.h"
#include "unit.h"

static void test_parse_date(void)
{
	int64_t day = -1;
	CHECK(clock_parse_date("1970-01-01", &day));
	CHECK_INT(day, 0);
	CHECK(clock_parse_date("2020-10-01", &day));
	CHECK_INT(day, 18536);
	CHECK(clock_parse_date("2024-02-29", &day));
	CHECK(clock_parse_date("2000-02-29", &day));
	CHECK(clock_parse_date("1969-12-31", &day));
	CHECK_INT(day, -1);
	CHECK(clock_parse_date("9999-12-31", &day));
	CHECK(clock_parse_date("0001-01-01", &day));
	static const char *const bad[] = {"2023-02-29",  "1900-02-29", "2020-13-01", "2020-00-10", "2020-04-31",
					  "2020-01-00",  "0000-01-01", "2020-1-01",  "2020/01/01", "2020-01-01 ",
					  " 2020-01-01", "20200101",   "",           "2020-01-0a", "2020-01-01x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		day = 42;
		if (!CHECK(!clock_parse_date(bad[i], &day)))
			fprintf(stderr, "  accepted %s\n", bad[i]);
		CHECK_INT(day, 42);
	}
	CHECK(!clock_parse_date(NULL, &day));
}

static void test_parse_datetime(void)
{
	int64_t when = 0;
	CHECK(clock_parse_datetime("1970-01-01 08:00:00", &when));
	CHECK_INT(when, 0);
	CHECK(clock_parse_datetime("2021-01-01 09:43:34", &when));
	CHECK_INT(when, 1609465414);
	CHECK(clock_parse_datetime("2024-02-29 23:59:59", &when));
	static const char *const bad[] = {"2024-02-29 24:00:00", "2024-02-29 23:60:00", "2024-02-29 23:59:60",
					  "2024-02-29T23:59:59", "2024-02-29 23:59",    "2023-02-29 00:00:00",
					  "2024-02-29 23:59:59Z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		when = 7;
		CHECK(!clock_parse_datetime(bad[i], &when));
		CHECK_INT(when, 7);
	}
}

static void test_days(void)
{
	char out[16];
	/* 2020-09-30 16:00:00 UTC is 2020-10-01 00:00:00 CST */
	CHECK_INT(clock_day_of(1601481600), 18536);
	CHECK_INT(clock_day_of(1601481599), 18535);
	CHECK_INT(clock_day_of(-8 * 3600), 0);
	CHECK_INT(clock_day_of(-8 * 3600 - 1), -1);
	clock_format_day(18536, out, sizeof(out));
	CHECK_STR(out, "2020-10-01");
	clock_format_day(-1, out, sizeof(out));
	CHECK_STR(out, "1969-12-31");
	/* every day of four centuries survives format → parse */
	int mismatches = 0;
	for (int64_t day = -200000; day < 200000; day += 7) {
		int64_t back = 0;
		clock_format_day(day, out, sizeof(out));
		if (!clock_parse_date(out, &back) || back != day)
			mismatches++;
	}
	CHECK_INT(mismatches, 0);
	int64_t when = 0;
	CHECK(clock_parse_datetime("2020-10-01 00:00:00", &when));
	clock_format_date(when, out, sizeof(out));
	CHECK_STR(out, "2020-10-01");
}

/*
 * clock_civil_of() and the formats built on it agree with the C library
 * (gmtime_r and strftime, which they replace on the hot path) second by
 * second around the edges and at a spread of instants over years 0001-9999.
 */
static void test_civil(void)
{
	int mismatches = 0, checked = 0;
	int64_t edges[] = {0,
			   -1,
			   86399,
			   86400,
			   951782400 /* 2000-02-29 */,
			   4107542400 /* 2100-03-01 */,
			   -62135596800LL /* 0001-01-01 */,
			   253402300799LL /* 9999-12-31 23:59:59 */};
	for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
		for (int64_t when = edges[e] - 2; when <= edges[e] + 2; when++) {
			struct clock_civil c;
			struct tm tm;
			time_t t = (time_t)when;
			clock_civil_of(when, &c);
			checked++;
			if (!gmtime_r(&t, &tm) || c.year != tm.tm_year + 1900LL || c.month != tm.tm_mon + 1 ||
			    c.day != tm.tm_mday || c.hour != tm.tm_hour || c.minute != tm.tm_min ||
			    c.second != tm.tm_sec || c.weekday != tm.tm_wday)
				mismatches++;
		}
	}
	for (int64_t when = -62135596800LL; when < 253402300799LL; when += 7919LL * 3607) {
		struct clock_civil c;
		struct tm tm;
		time_t t = (time_t)when;
		char mine[32], theirs[32];
		clock_civil_of(when, &c);
		clock_format_datetime(when - CLOCK_CST_OFFSET, mine, sizeof(mine));
		checked++;
		if (!gmtime_r(&t, &tm) || c.year != tm.tm_year + 1900LL || c.month != tm.tm_mon + 1 ||
		    c.day != tm.tm_mday || c.hour != tm.tm_hour || c.minute != tm.tm_min || c.second != tm.tm_sec ||
		    c.weekday != tm.tm_wday || strftime(theirs, sizeof(theirs), "%Y-%m-%d %H:%M:%S", &tm) == 0 ||
		    (c.year >= 1000 && strcmp(mine, theirs) != 0))
			mismatches++;
	}
	CHECK(checked > 8000);
	CHECK_INT(mismatches, 0);
	char out[32];
	/* glibc's %Y writes year 1 as "1"; the emulator writes four digits, as clock_parse_* read them */
	clock_format_datetime(-62135596800LL - CLOCK_CST_OFFSET, out, sizeof(out));
	CHECK_STR(out, "0001-01-01 00:00:00");
	clock_format_utc_date(1601481599, out, sizeof(out));
	CHECK_STR(out, "2020-09-30");
	clock_format_datetime(1601481599, out, sizeof(out));
	CHECK_STR(out, "2020-09-30 23:59:59");
	/* years past 9999 are written whole, as strftime's %Y does */
	clock_format_date(253402300799LL, out, sizeof(out));
	CHECK_STR(out, "10000-01-01");
	/* a buffer too small for the fast path still gets a terminated prefix */
	char small[8];
	clock_format_date(0, small, sizeof(small));
	CHECK_STR(small, "1970-01");
}

static void test_offset(void)
{
	clock_set(clock_real_now() + 3600);
	int64_t offset = clock_offset();
	CHECK(offset >= 3599 && offset <= 3601);
	clock_advance(-7200);
	offset = clock_offset();
	CHECK(offset >= -3601 && offset <= -3599);
	clock_set(clock_real_now());
	CHECK(clock_offset() >= -1 && clock_offset() <= 1);
}

/* The Date header's form, against strftime in the C locale over years 1000-9999, and its ends. */
static void test_rfc5322(void)
{
	int mismatches = 0, checked = 0;
	for (int64_t when = -30610224000LL; when < 253402300799LL - CLOCK_CST_OFFSET; when += 7919LL * 3607) {
		struct tm tm;
		time_t t = (time_t)(when + CLOCK_CST_OFFSET);
		char mine[CLOCK_RFC5322_SIZE], theirs[64];
		clock_format_rfc5322(when, mine);
		checked++;
		if (!gmtime_r(&t, &tm) || strftime(theirs, sizeof(theirs), "%a, %d %b %Y %H:%M:%S +0800", &tm) == 0 ||
		    strcmp(mine, theirs) != 0)
			mismatches++;
	}
	CHECK(checked > 8000);
	CHECK_INT(mismatches, 0);
	char out[CLOCK_RFC5322_SIZE];
	clock_format_rfc5322(INT64_MIN, out);
	CHECK_STR(out, "Mon, 01 Jan 0001 08:00:00 +0800");
	clock_format_rfc5322(INT64_MAX, out);
	CHECK_STR(out, "Fri, 31 Dec 9999 23:59:59 +0800");
}

int main(void)
{
	test_parse_date();
	test_parse_datetime();
	test_days();
	test_civil();
	test_rfc5322();
	test_offset();
	return unit_finish("clock");
}
