/*
 * jemalloc, linked into the ses-emulator binary by default (meson option
 * `allocator`; not with sanitizers, whose own allocator must stay). With
 * glibc's malloc a fifth of the server's time in SendEmail went to the
 * allocator under 32 connections (arena bins, consolidation of freed
 * chunks, frees from another thread's arena); jemalloc's thread caches made
 * the same binary 9% faster, median of ten interleaved pairs
 * (docs/performance.md, fourth round). Its defaults are kept: the idle
 * process grows by about 2 MB, most of it the library and libstdc++ it
 * loads.
 */
#include "allocator.h"

#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <string.h>

const char *allocator_name(void)
{
	static char name[48];
	if (name[0])
		return name;
	const char *version = NULL;
	size_t size = sizeof(version);
	if (mallctl("version", (void *)&version, &size, NULL, 0) != 0 || !version)
		version = "";
	/* "5.3.0-0-g54eaed1d..." → "5.3.0" */
	size_t len = strcspn(version, "-");
	snprintf(name, sizeof(name), "jemalloc %.*s", (int)(len < 16 ? len : 16), version);
	return name;
}
