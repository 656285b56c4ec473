/* model: the document model the import pipeline produces and the store keeps. */
#ifndef DUGAO_MODEL_H
#define DUGAO_MODEL_H

#include <stdbool.h>
#include <stddef.h>

enum para_kind {
	PARA_TITLE,		/* the document title */
	PARA_META,		/* subtitle, date, author, source lines around the title */
	PARA_SALUTATION,	/* 同志们： and the like */
	PARA_HEADING,		/* a standalone heading line */
	PARA_BODY,		/* ordinary text, possibly opening with a heading */
	PARA_NOISE,		/* advert, watermark or banner: kept, hidden by default */
	PARA_KIND_COUNT
};

/* The stable names used in the store and in exports. */
const char *para_kind_name(enum para_kind kind);
/* Inverse of para_kind_name; -1 for an unknown name. */
int para_kind_from_name(const char *name);

struct para {
	long seq;		/* order in the document from 0, noise included */
	enum para_kind kind;	/* what the paragraph is */
	const char *text;	/* normalised UTF-8, no line ending */
	size_t len;		/* bytes in text */
	long section;		/* seq of the innermost section holding it, -1 if none */
	long line;		/* 1-based source line where it starts */
};

struct section {
	long seq;		/* order in the document from 0 */
	long parent;		/* seq of the enclosing section, -1 at top level */
	int level;		/* depth in the tree, 1 for top level */
	const char *marker;	/* numbering exactly as written (一、 （一） 一是), may be "" */
	const char *title;	/* heading text after the marker, without closing punctuation */
	long para;		/* seq of the paragraph holding the heading */
	long offset;		/* character offset of the marker in that paragraph */
	long length;		/* characters of marker and title in that paragraph */
	bool in_paragraph;	/* an enumeration running inside a paragraph (一是…二是…) */
};

/* The index of the section numbered seq in v[0..n-1], which is in seq order; -1 if none. */
long section_find_seq(const struct section *v, size_t n, long seq);

#endif
