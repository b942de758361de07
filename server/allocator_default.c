/*
 * The allocator's name when the binary does not link server/allocator.c
 * (meson option allocator=system, sanitizer builds, the unit tests): weak,
 * so that allocator.c's definition wins wherever both are linked.
 */
#include "allocator.h"

__attribute__((weak)) const char *allocator_name(void)
{
	return "system malloc";
}
