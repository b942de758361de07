/*
 * The emulator's business clock: real time plus an offset the control
 * plane can move. Signatures use real time; everything else uses this.
 * API date strings are China Standard Time (UTC+8), like the real service.
 */
#ifndef SERVER_CLOCK_H
#define SERVER_CLOCK_H

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

/* "YYYY-MM-DD HH:MM:SS" in China Standard Time, into out (>= 20 bytes). */
void clock_format_datetime(int64_t when, char *out, size_t size);
/* "YYYY-MM-DD" in China Standard Time, into out (>= 11 bytes). */
void clock_format_date(int64_t when, char *out, size_t size);

#endif
