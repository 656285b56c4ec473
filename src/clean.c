#include "config.h"

#include <stdlib.h>

#include "dugao/clean.h"
#include "dugao/util.h"

/* Placeholder: nothing is noise yet; replaced by the real rules. */
struct clean {
	int unused;	/* nothing collected yet */
};

struct clean *clean_new(void)
{
	return xcalloc(1, sizeof(struct clean));
}

void clean_prescan_line(struct clean *c, const char *line, size_t len)
{
}

bool clean_is_noise(struct clean *c, const char *line, size_t len)
{
	return false;
}

void clean_free(struct clean *c)
{
	free(c);
}
