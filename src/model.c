#include "config.h"

#include <string.h>

#include "dugao/model.h"

static const char *const kind_names[PARA_KIND_COUNT] = {
	[PARA_TITLE] = "title",
	[PARA_META] = "meta",
	[PARA_SALUTATION] = "salutation",
	[PARA_HEADING] = "heading",
	[PARA_BODY] = "body",
	[PARA_NOISE] = "noise",
};

const char *para_kind_name(enum para_kind kind)
{
	return (unsigned)kind < PARA_KIND_COUNT ? kind_names[kind] : "body";
}

int para_kind_from_name(const char *name)
{
	for (int k = 0; k < PARA_KIND_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

long section_find_seq(const struct section *v, size_t n, long seq)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].seq == seq ? (long)lo : -1;
}
