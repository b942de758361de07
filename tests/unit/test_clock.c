/*
 * Focus: server/clock.c's calendar helpers: strict date and datetime
 * parsing (real dates only, leap years, nothing around them), CST day
 * numbers on both sides of midnight, and formatting back; plus the offset
 * that clock_set() and clock_advance() move.
 */
#include <stdint.h>
#include <string.h>

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

int main(void)
{
	test_parse_date();
	test_parse_datetime();
	test_days();
	test_offset();
	return unit_finish("clock");
}
