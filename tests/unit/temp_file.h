/*
 * A store file in a new temporary directory, for the store's unit tests:
 * temp_file_make() creates the directory (a CHECK fails when it cannot),
 * temp_file_remove() deletes the file, its WAL and shared memory, and the
 * directory. Include after unit.h.
 */
#ifndef TESTS_UNIT_TEMP_FILE_H
#define TESTS_UNIT_TEMP_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct temp_file {
	char dir[64];
	char path[128];
};

static inline bool temp_file_make(struct temp_file *t, const char *name)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/ses-test-%s-XXXXXX", name);
	if (!CHECK(mkdtemp(t->dir) != NULL))
		return false;
	snprintf(t->path, sizeof(t->path), "%s/state.db", t->dir);
	return true;
}

static inline void temp_file_remove(const struct temp_file *t)
{
	const char *suffixes[] = {"-wal", "-shm", ""};
	for (size_t i = 0; i < 3; i++) {
		char file[160];
		snprintf(file, sizeof(file), "%s%s", t->path, suffixes[i]);
		unlink(file);
	}
	rmdir(t->dir);
}

#endif
