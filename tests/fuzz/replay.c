/* Runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer, so the
 * seed corpus and every past finding replay in the ordinary (gcc, ASan) test runs.
 * With no arguments it replays the project's own inputs: tests/fuzz/corpus,
 * tests/fuzz/regress and samples/ under $top_srcdir. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static long replayed;	/* inputs run so far */

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct sbuf b = { 0 };
	char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_append(&b, buf, got);
	fclose(f);
	/* A copy of exactly the file's size, so ASan sees any read past its end. */
	size_t n = b.len;
	uint8_t *exact = xmalloc(n ? n : 1);
	if (n)
		memcpy(exact, b.data, n);
	sbuf_free(&b);
	fprintf(stderr, "replay: %s\n", path);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	replayed++;
	return 0;
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files in name order (README files skipped); a missing
 * directory is fine: the project may have no findings yet. */
static int replay_path(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(sb.st_mode))
		return replay_file(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, compare);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct sbuf p = { 0 };
		sbuf_printf(&p, "%s/%s", path, names[i]);
		if (stat(p.data, &sb) == 0 && S_ISREG(sb.st_mode) && replay_file(p.data) != 0)
			rc = -1;
		sbuf_free(&p);
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_path(argv[i]) != 0)
				rc = 1;
	} else {
		const char *top = getenv("top_srcdir");
		if (!top)
			top = ".";
		const char *dirs[] = { "tests/fuzz/corpus", "tests/fuzz/regress", "samples" };
		for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
			struct sbuf p = { 0 };
			sbuf_printf(&p, "%s/%s", top, dirs[i]);
			if (replay_path(p.data) != 0)
				rc = 1;
			sbuf_free(&p);
		}
	}
	printf("replayed %ld inputs%s\n", replayed, rc ? ", some unreadable" : "");
	return rc;
}
