#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/decode.h"

/* Placeholder: BOMs, UTF-8 validity, else GB18030. Replaced by the real detector. */
int decode_guess(const unsigned char *s, size_t n, bool complete, struct decode_guess *out)
{
	memset(out, 0, sizeof *out);
	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		snprintf(out->encoding, sizeof out->encoding, "UTF-8");
		out->bom_len = 3;
		snprintf(out->reason, sizeof out->reason, "UTF-8 byte-order mark");
		return 0;
	}
	if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		snprintf(out->encoding, sizeof out->encoding, "UTF-16LE");
		out->bom_len = 2;
		snprintf(out->reason, sizeof out->reason, "UTF-16LE byte-order mark");
		return 0;
	}
	if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		snprintf(out->encoding, sizeof out->encoding, "UTF-16BE");
		out->bom_len = 2;
		snprintf(out->reason, sizeof out->reason, "UTF-16BE byte-order mark");
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i] == 0) {
			snprintf(out->reason, sizeof out->reason, "binary data (NUL byte at byte %zu)", i);
			return -1;
		}
	(void)complete;
	snprintf(out->encoding, sizeof out->encoding, "UTF-8");
	snprintf(out->reason, sizeof out->reason, "valid UTF-8");
	return 0;
}

bool decode_supported(const char *encoding)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1)
		return false;
	iconv_close(cd);
	return true;
}

struct decoder {
	iconv_t cd;			/* conversion to UTF-8 */
	unsigned char pending[16];	/* an incomplete sequence carried to the next feed */
	size_t npending;		/* bytes in pending */
	size_t invalid;			/* sequences replaced */
	long long consumed;		/* input bytes consumed before pending */
	long long first_invalid;	/* offset of the first invalid sequence, -1 if none */
};

struct decoder *decoder_new(const char *encoding, char *err, size_t errlen)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1) {
		snprintf(err, errlen, "unknown encoding '%s'", encoding);
		return NULL;
	}
	struct decoder *d = xcalloc(1, sizeof *d);
	d->cd = cd;
	d->first_invalid = -1;
	return d;
}

static void convert(struct decoder *d, const unsigned char *in, size_t n, bool final, struct sbuf *out)
{
	char buf[8192];
	char *ip = (char *)in;
	size_t left = n;
	while (left > 0) {
		char *op = buf;
		size_t room = sizeof buf;
		size_t r = iconv(d->cd, &ip, &left, &op, &room);
		sbuf_append(out, buf, (size_t)(op - buf));
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && !final) {
			memcpy(d->pending, ip, left);
			d->npending = left;
			d->consumed += (long long)(n - left);
			return;
		}
		if (d->first_invalid < 0)
			d->first_invalid = d->consumed + (ip - (char *)in);
		d->invalid++;
		sbuf_append(out, "\xEF\xBF\xBD", 3);
		ip++, left--;
		iconv(d->cd, NULL, NULL, NULL, NULL);
	}
	d->consumed += (long long)n;
}

void decoder_feed(struct decoder *d, const unsigned char *in, size_t n, bool final, struct sbuf *out)
{
	if (d->npending) {
		unsigned char joined[64];
		size_t take = n < sizeof joined - d->npending ? n : sizeof joined - d->npending;
		memcpy(joined, d->pending, d->npending);
		memcpy(joined + d->npending, in, take);
		size_t had = d->npending;
		d->npending = 0;
		d->consumed -= 0;
		convert(d, joined, had + take, final && take == n, out);
		if (d->npending) {
			/* still incomplete: keep waiting (only possible when n was tiny) */
			return;
		}
		in += take, n -= take;
	}
	convert(d, in, n, final, out);
}

size_t decoder_invalid(const struct decoder *d)
{
	return d->invalid;
}

long long decoder_first_invalid(const struct decoder *d)
{
	return d->first_invalid;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	iconv_close(d->cd);
	free(d);
}
