/*
 * The allocator the process runs on, named for --version and the metrics'
 * build_info. The core library's definition (config.c) is weak and answers
 * "system malloc"; the ses-emulator binary built with the meson option
 * allocator=jemalloc links server/allocator.c, whose strong one asks
 * jemalloc for its version.
 */
#ifndef SES_ALLOCATOR_H
#define SES_ALLOCATOR_H

/* "jemalloc 5.3.0" or "system malloc"; a static string. */
const char *allocator_name(void);

#endif
