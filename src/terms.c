#include "config.h"

#include <stdlib.h>

#include "dugao/terms.h"
#include "dugao/util.h"

/* Placeholder: finds no terms yet; replaced by the real extractor. */
struct terms {
	int unused;	/* nothing collected yet */
};

struct terms *terms_new(const char *glossary_path)
{
	return xcalloc(1, sizeof(struct terms));
}

void terms_feed(struct terms *t, const char *text, size_t len)
{
}

size_t terms_finish(struct terms *t)
{
	return 0;
}

const struct term *terms_get(const struct terms *t, size_t i)
{
	return NULL;
}

void terms_scan(const struct terms *t, const char *text, size_t len, term_hit_fn fn, void *ctx)
{
}

void terms_free(struct terms *t)
{
	free(t);
}
