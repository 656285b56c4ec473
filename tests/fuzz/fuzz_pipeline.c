/* Fuzz target: the import pipeline short of the store, as src/importer.c runs it:
 * decode → line_splitter (two passes) → clean → structure, with a sink that checks
 * what structure delivers.
 * Invariants: lines carry no line ending and are the same in both passes whatever the
 * chunking; every text handed on is valid UTF-8 that cannot act on a terminal;
 * paragraph seqs increase; a section's level is 1 at top and its parent's plus one;
 * sections come before the paragraph that holds them and lie inside it; the title
 * comes exactly once; the counts agree with what was delivered. */
#include "config.h"

#include <string.h>

#include "dugao/clean.h"
#include "dugao/decode.h"
#include "dugao/normalise.h"
#include "dugao/structure.h"
#include "fuzz.h"

/* What the sink remembers of each section, to check the later ones and the paragraph. */
struct seen {
	int level;	/* its level */
	long para;	/* the paragraph it names */
	long end;	/* offset + length in that paragraph */
};

struct run {
	struct clean *clean;		/* noise rules */
	struct structure *structure;	/* outline rules */
	size_t max_bytes;		/* the splitter's limit */
	long lines;			/* lines seen in this pass */
	uint64_t hash;			/* of the lines seen in this pass */
	long last_line_no;		/* line number of the previous line */
	/* what the sink saw */
	int titles;			/* title callbacks */
	long next_seq;			/* lowest seq the next paragraph may have */
	long paragraphs;		/* non-noise paragraphs */
	long sections;			/* sections delivered */
	struct seen *seen;		/* each section by seq */
	long seen_cap;			/* room in seen */
	long pending_first;		/* first section not yet matched to its paragraph */
};

static uint64_t mix(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (h ^ n) * 1099511628211u;
}

static void check_line(struct run *r, const char *text, size_t len, long line_no)
{
	FUZZ_CHECK(memchr(text, '\n', len) == NULL && memchr(text, '\r', len) == NULL);
	FUZZ_CHECK(fuzz_safe_text(text, len));
	/* normalise may turn a control byte into a 3-byte U+FFFD, nothing more */
	FUZZ_CHECK(len <= 3 * r->max_bytes + 4);
	FUZZ_CHECK(line_no >= 1 && line_no >= r->last_line_no);
	r->last_line_no = line_no;
	r->lines++;
	r->hash = mix(r->hash, text, len);
}

static int on_prescan(void *ctx, const char *text, size_t len, long line_no)
{
	struct run *r = ctx;
	check_line(r, text, len, line_no);
	clean_prescan_line(r->clean, text, len);
	structure_prescan_line(r->structure, text, len);
	return 0;
}

static int on_line(void *ctx, const char *text, size_t len, long line_no)
{
	struct run *r = ctx;
	check_line(r, text, len, line_no);
	bool noise = clean_is_noise(r->clean, text, len);
	return structure_line(r->structure, text, len, noise, line_no);
}

static int on_title(void *ctx, const char *title)
{
	struct run *r = ctx;
	FUZZ_CHECK(title != NULL);
	FUZZ_CHECK(fuzz_safe_text(title, strlen(title)));
	r->titles++;
	return 0;
}

static int on_section(void *ctx, const struct section *s)
{
	struct run *r = ctx;
	FUZZ_CHECK(r->titles == 0);
	FUZZ_CHECK(s->seq == r->sections);
	FUZZ_CHECK(s->parent >= -1 && s->parent < s->seq);
	int parent_level = s->parent < 0 ? 0 : r->seen[s->parent].level;
	FUZZ_CHECK(s->level == parent_level + 1);
	FUZZ_CHECK(s->marker && fuzz_safe_text(s->marker, strlen(s->marker)));
	FUZZ_CHECK(s->title && fuzz_safe_text(s->title, strlen(s->title)));
	FUZZ_CHECK(s->para >= r->next_seq);
	FUZZ_CHECK(s->offset >= 0 && s->length >= 0);
	if (r->sections == r->seen_cap) {
		r->seen_cap = r->seen_cap ? 2 * r->seen_cap : 64;
		r->seen = xrealloc(r->seen, (size_t)r->seen_cap * sizeof *r->seen);
	}
	r->seen[s->seq] = (struct seen){ .level = s->level, .para = s->para, .end = s->offset + s->length };
	r->sections++;
	return 0;
}

static int on_paragraph(void *ctx, const struct para *p)
{
	struct run *r = ctx;
	FUZZ_CHECK(r->titles == 0);
	FUZZ_CHECK(p->seq >= r->next_seq);
	FUZZ_CHECK((int)p->kind >= 0 && p->kind < PARA_KIND_COUNT);
	FUZZ_CHECK(p->text != NULL && fuzz_safe_text(p->text, p->len));
	FUZZ_CHECK(p->section >= -1 && p->section < r->sections);
	FUZZ_CHECK(p->line >= 1 && p->line <= r->last_line_no);
	long chars = (long)utf8_count(p->text, p->len);
	/* the sections delivered since the last paragraph belong to this one */
	for (long i = r->pending_first; i < r->sections; i++) {
		FUZZ_CHECK(r->seen[i].para == p->seq);
		FUZZ_CHECK(r->seen[i].end <= chars);
	}
	r->pending_first = r->sections;
	r->next_seq = p->seq + 1;
	if (p->kind != PARA_NOISE)
		r->paragraphs++;
	return 0;
}

/* Feeds text to a splitter in pieces whose sizes come from state. */
static void split(const struct sbuf *text, line_fn fn, struct run *r, uint32_t state)
{
	struct line_splitter *s = line_splitter_new(fn, r, r->max_bytes);
	r->lines = 0, r->hash = 14695981039346656037u, r->last_line_no = 0;
	size_t at = 0;
	while (at < text->len) {
		size_t piece = 1 + fuzz_rand(&state) % (fuzz_rand(&state) % 2 ? 5 : 500);
		if (piece > text->len - at)
			piece = text->len - at;
		FUZZ_CHECK(line_splitter_feed(s, text->data + at, piece) == 0);
		at += piece;
	}
	FUZZ_CHECK(line_splitter_finish(s) == 0);
	line_splitter_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = (uint32_t)size * 2654435761u | 1;
	if (size)
		seed ^= (uint32_t)data[size / 2] << 8;
	struct decode_guess g;
	/* --encoding lets any bytes through, so a refused guess still goes on as UTF-8 */
	if (decode_guess(data, size, true, &g) != 0) {
		memset(&g, 0, sizeof g);
		strcpy(g.encoding, "UTF-8");
	}
	char err[160];
	struct decoder *d = decoder_new(g.encoding, err, sizeof err);
	FUZZ_CHECK(d != NULL);
	struct sbuf text = { 0 };
	decoder_feed(d, data + g.bom_len, size - g.bom_len, true, &text);
	decoder_free(d);

	static const size_t limits[] = { 64, 256, 64 * 1024 };
	struct run r = { .max_bytes = limits[seed % 3] };
	struct structure_sink sink = { .ctx = &r, .title = on_title, .section = on_section, .paragraph = on_paragraph };
	r.clean = clean_new();
	r.structure = structure_new(&sink, "fallback");

	split(&text, on_prescan, &r, seed);
	long lines = r.lines;
	uint64_t hash = r.hash;
	split(&text, on_line, &r, seed * 7 + 3);
	FUZZ_CHECK(r.lines == lines && r.hash == hash);

	FUZZ_CHECK(structure_finish(r.structure) == 0);
	FUZZ_CHECK(r.titles == 1);
	FUZZ_CHECK(r.pending_first == r.sections);
	FUZZ_CHECK(structure_paragraphs(r.structure) == r.paragraphs);
	FUZZ_CHECK(structure_sections(r.structure) == r.sections);

	structure_free(r.structure);
	clean_free(r.clean);
	free(r.seen);
	sbuf_free(&text);
	return 0;
}
