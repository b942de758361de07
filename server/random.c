/*
 * Per-thread xoshiro256** (Blackman and Vigna, public domain algorithm),
 * seeded from RAND_bytes on first use in each thread; the time and the
 * thread's address are mixed in should RAND_bytes ever fail.
 */
#include "random.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

static _Thread_local uint64_t state[4];
static _Thread_local bool seeded;

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64, to spread a weak fallback seed over the state */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void seed(void)
{
	if (RAND_bytes((unsigned char *)state, sizeof(state)) != 1 || !(state[0] | state[1] | state[2] | state[3])) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)&seeded;
		for (int i = 0; i < 4; i++)
			state[i] = splitmix(&x);
	}
	seeded = true;
}

uint64_t random_next(void)
{
	if (!seeded)
		seed();
	uint64_t result = rotl(state[1] * 5, 7) * 9;
	uint64_t t = state[1] << 17;
	state[2] ^= state[0];
	state[3] ^= state[1];
	state[1] ^= state[2];
	state[0] ^= state[3];
	state[2] ^= t;
	state[3] = rotl(state[3], 45);
	return result;
}

void random_fill(void *out, size_t len)
{
	unsigned char *p = out;
	while (len) {
		uint64_t v = random_next();
		size_t n = len < sizeof(v) ? len : sizeof(v);
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}
