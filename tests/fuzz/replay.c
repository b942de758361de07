/*
 * The corpus replayer: a main() for the fuzz targets when no fuzzing engine
 * is used (-Dfuzzing_engine=none, the default). Each argument is a file or a
 * directory; every regular file found (directories are not descended into
 * further) is read and passed once to LLVMFuzzerTestOneInput(). A crash,
 * a sanitizer report or an assertion ends the process, which fails the
 * meson test; otherwise it prints how many inputs ran and exits 0.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *data = malloc(cap);
	size_t got;
	while (data && (got = fread(data + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			uint8_t *grown = realloc(data, cap * 2);
			if (!grown) {
				free(data);
				data = NULL;
				break;
			}
			data = grown;
			cap *= 2;
		}
	}
	fclose(f);
	if (!data) {
		fprintf(stderr, "replay: out of memory reading %s\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 1;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of `dir`, in name order (so runs are repeatable). */
static int run_directory(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: cannot open %s\n", dir);
		return -1;
	}
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				break;
			names = grown;
		}
		names[count] = strdup(e->d_name);
		if (names[count])
			count++;
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof(*names), compare_names);
	int ran = 0;
	for (size_t i = 0; i < count; i++) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path) > 0)
			ran++;
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	int total = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
			return 1;
		}
		int ran = S_ISDIR(st.st_mode) ? run_directory(argv[i]) : run_file(argv[i]);
		if (ran < 0)
			return 1;
		total += ran;
	}
	printf("replay: %d inputs ran without a crash\n", total);
	return total > 0 ? 0 : 77; /* 77: meson's "skipped" for an empty corpus */
}
