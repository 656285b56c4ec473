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
