/*
 * The business clock. Owns one atomic offset from real time; never sleeps.
 */
#include "clock.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
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

int64_t clock_offset(void)
{
	return atomic_load(&offset);
}

/* "YYYY-MM-DD" (with_time false) or "YYYY-MM-DD HH:MM:SS" of the UTC fields of `when`. */
/* `value` (0 to 10^width - 1) as `width` decimal digits with leading zeros, at `out`. */
static void put_digits(char *out, int value, int width)
{
	for (int k = width - 1; k >= 0; k--, value /= 10)
		out[k] = (char)('0' + value % 10);
}

static void format_civil(int64_t when, bool with_time, char *out, size_t size)
{
	struct clock_civil c;
	clock_civil_of(when, &c);
	if (c.year < 0 || c.year > 9999 || size < (with_time ? 20u : 11u)) {
		/* as strftime's %Y would: the whole year */
		if (with_time)
			snprintf(out, size, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)c.year, c.month, c.day,
				 c.hour, c.minute, c.second);
		else
			snprintf(out, size, "%04lld-%02d-%02d", (long long)c.year, c.month, c.day);
		return;
	}
	int fields[6] = {(int)c.year, c.month, c.day, c.hour, c.minute, c.second};
	static const char seps[6] = {'-', '-', ' ', ':', ':', '\0'};
	char *p = out;
	for (int i = 0; i < (with_time ? 6 : 3); i++) {
		int width = i == 0 ? 4 : 2;
		put_digits(p, fields[i], width);
		p += width;
		*p++ = i == 2 && !with_time ? '\0' : seps[i];
	}
}

void clock_format_rfc5322(int64_t when, char out[CLOCK_RFC5322_SIZE])
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	/* clamp to years 0001-9999 (and away from overflow) before shifting to CST */
	if (when < -62135596800LL)
		when = -62135596800LL;
	if (when > 253402300799LL)
		when = 253402300799LL;
	when += CLOCK_CST_OFFSET;
	if (when > 253402300799LL)
		when = 253402300799LL; /* the last hours of 9999 in UTC are in 10000 in CST */
	struct clock_civil c;
	clock_civil_of(when, &c);
	/* by hand: a formatted print was the most expensive call of a message's header */
	memcpy(out, "Www, DD Mmm YYYY HH:MM:SS +0800", CLOCK_RFC5322_SIZE);
	memcpy(out, days[c.weekday], 3);
	put_digits(out + 5, c.day, 2);
	memcpy(out + 8, months[c.month - 1], 3);
	put_digits(out + 12, (int)c.year, 4);
	put_digits(out + 17, c.hour, 2);
	put_digits(out + 20, c.minute, 2);
	put_digits(out + 23, c.second, 2);
}

void clock_format_utc_date(int64_t when, char *out, size_t size)
{
	format_civil(when, false, out, size);
}

void clock_format_datetime(int64_t when, char *out, size_t size)
{
	format_civil(when + CLOCK_CST_OFFSET, true, out, size);
}

void clock_format_date(int64_t when, char *out, size_t size)
{
	format_civil(when + CLOCK_CST_OFFSET, false, out, size);
}

/* Floor division, so that days before 1970 round towards minus infinity. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t clock_day_of(int64_t when)
{
	return floor_div(when + CLOCK_CST_OFFSET, 86400);
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The proleptic Gregorian date of day `day` from 1970-01-01 (H. Hinnant's algorithm). */
static void civil_from_days(int64_t day, int64_t *year, int *month, int *mday)
{
	int64_t z = day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

void clock_civil_of(int64_t when, struct clock_civil *out)
{
	int64_t day = floor_div(when, 86400);
	int64_t seconds = when - day * 86400;
	civil_from_days(day, &out->year, &out->month, &out->day);
	out->hour = (int)(seconds / 3600);
	out->minute = (int)(seconds / 60 % 60);
	out->second = (int)(seconds % 60);
	out->weekday = (int)((day % 7 + 11) % 7); /* day 0, 1970-01-01, was a Thursday */
}

void clock_format_day(int64_t day, char *out, size_t size)
{
	format_civil(day * 86400, false, out, size);
}

/* `len` decimal digits at `s` into *value; false when one is not a digit. */
static bool read_digits(const char *s, int len, int *value)
{
	int v = 0;
	for (int i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*value = v;
	return true;
}

/* The first 10 characters of `text` as a real date; false otherwise. */
static bool read_date(const char *text, int64_t *day)
{
	static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	if (text[4] != '-' || text[7] != '-' || !read_digits(text, 4, &y) || !read_digits(text + 5, 2, &m) ||
	    !read_digits(text + 8, 2, &d))
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days[m - 1] || (m == 2 && d == 29 && !leap))
		return false;
	*day = days_from_civil(y, m, d);
	return true;
}

bool clock_parse_date(const char *text, int64_t *day)
{
	if (!text || strlen(text) != 10)
		return false;
	return read_date(text, day);
}

bool clock_parse_datetime(const char *text, int64_t *when)
{
	int64_t day;
	int h, mi, s;
	if (!text || strlen(text) != 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':')
		return false;
	if (!read_date(text, &day) || !read_digits(text + 11, 2, &h) || !read_digits(text + 14, 2, &mi) ||
	    !read_digits(text + 17, 2, &s) || h > 23 || mi > 59 || s > 59)
		return false;
	*when = day * 86400 + h * 3600 + mi * 60 + s - CLOCK_CST_OFFSET;
	return true;
}
