#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dugao/fold.h"

void fold_text(const char *s, size_t n, struct sbuf *out)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		char buf[4];
		sbuf_append(out, buf, utf8_encode(fold_char(cp), buf));
		i += k ? k : 1;
	}
}

long fold_find_all(const char *text, size_t n, const char *needle, size_t needle_len, fold_hit_fn fn, void *ctx)
{
	struct sbuf t = { 0 }, q = { 0 };
	fold_text(text, n, &t);
	fold_text(needle, needle_len, &q);
	long hits = 0;
	if (q.len == 0 || !t.data)
		goto out;
	long qchars = (long)utf8_count(q.data, q.len);
	const char *p = t.data, *end = t.data + t.len;
	long chars_before = 0;
	const char *counted = t.data;
	while ((p = memmem(p, (size_t)(end - p), q.data, q.len))) {
		chars_before += (long)utf8_count(counted, (size_t)(p - counted));
		counted = p;
		if (fn)
			fn(ctx, chars_before, qchars);
		hits++;
		p += q.len;
	}
out:
	sbuf_free(&t);
	sbuf_free(&q);
	return hits;
}
