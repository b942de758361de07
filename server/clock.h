/*
 * The emulator's business clock: real time plus an offset the control
 * plane can move. Signatures use real time; everything else uses this.
 * API date strings are China Standard Time (UTC+8), like the real service.
 */
#ifndef SERVER_CLOCK_H
#define SERVER_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLOCK_CST_OFFSET (8 * 3600)

/* Emulator time, UNIX seconds. Thread-safe. */
int64_t clock_now(void);
/* Real time, UNIX seconds. */
int64_t clock_real_now(void);
/* Move the emulator clock so that clock_now() returns `when` now. */
void clock_set(int64_t when);
/* Shift the emulator clock by `seconds` (may be negative). */
void clock_advance(int64_t seconds);
/* clock_now() - clock_real_now(): how far the emulator clock was moved. */
int64_t clock_offset(void);

/*
 * The UTC calendar fields of UNIX second `when` (proleptic Gregorian, any
 * year), computed without the C library: gmtime_r() takes glibc's global
 * time zone lock, which every request's MessageId, dates and signature
 * check then queued on. Callers wanting CST add CLOCK_CST_OFFSET first.
 */
struct clock_civil {
	int64_t year;
	int month, day; /* 1-12, 1-31 */
	int hour, minute, second;
	int weekday; /* 0 = Sunday */
};
void clock_civil_of(int64_t when, struct clock_civil *out);

/*
 * RFC 5322 3.3 date-time in China Standard Time, "Www, DD Mmm YYYY HH:MM:SS
 * +0800" (names not locale-dependent), for a message's Date header; instants
 * outside years 0001-9999 are written as the nearest end of that range.
 */
#define CLOCK_RFC5322_SIZE 32
void clock_format_rfc5322(int64_t when, char out[CLOCK_RFC5322_SIZE]);

/* "YYYY-MM-DD" in UTC, into out (>= 11 bytes; more for years past 9999). */
void clock_format_utc_date(int64_t when, char *out, size_t size);
/* "YYYY-MM-DD HH:MM:SS" in China Standard Time, into out (>= 20 bytes). */
void clock_format_datetime(int64_t when, char *out, size_t size);
/* "YYYY-MM-DD" in China Standard Time, into out (>= 11 bytes). */
void clock_format_date(int64_t when, char *out, size_t size);

/*
 * Calendar days, counted from 1970-01-01 (day 0; earlier days are negative),
 * for date arithmetic on API dates without time zones getting in the way.
 */
/* The CST calendar day that UNIX second `when` falls on. */
int64_t clock_day_of(int64_t when);
/* "YYYY-MM-DD" of calendar day `day`, into out (>= 11 bytes). */
void clock_format_day(int64_t day, char *out, size_t size);
/*
 * Strict "YYYY-MM-DD" (years 0001-9999, a real calendar date, nothing before
 * or after) into *day. False, with *day unchanged, for anything else.
 */
bool clock_parse_date(const char *text, int64_t *day);
/*
 * Strict "YYYY-MM-DD HH:MM:SS" read as China Standard Time into UNIX seconds.
 * False, with *when unchanged, for anything else (hours 00-23, no leap seconds).
 */
bool clock_parse_datetime(const char *text, int64_t *when);

#endif
