#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include "dugao/actions.h"
#include "dugao/cli.h"
#include "dugao/decode.h"
#include "dugao/importer.h"
#include "dugao/normalise.h"
#include "dugao/query.h"
#include "dugao/reader.h"
#include "dugao/store.h"
#include "dugao/util.h"
#include "dugao/wrap.h"

/* Options shared by every verb. */
struct global {
	const char *db;		/* --db PATH, NULL for the default */
};

struct verb {
	const char *name;	/* as typed */
	int (*run)(const struct global *g, int argc, char **argv);	/* argv[0] is the verb */
	const char *usage;	/* arguments after the verb */
	const char *summary;	/* one line for --help */
};

static const struct verb verbs[];

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("dugao: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see dugao --help)\n", stderr);
	return EXIT_USAGE;
}

static int error(const char *msg)
{
	fprintf(stderr, "dugao: %s\n", msg);
	return EXIT_REFUSED;
}

static int open_store(const struct global *g, enum store_mode mode, struct store **st)
{
	char *path = g->db ? xstrdup(g->db) : store_default_path();
	char err[600];
	int rc = store_open(path, mode, st, err, sizeof err);
	free(path);
	if (rc != 0)
		fprintf(stderr, "dugao: %s\n", err);
	return rc;
}

/* Parses a non-negative count for an option. */
static int parse_count(const char *opt, const char *arg, long *out)
{
	char *end;
	errno = 0;
	long v = arg ? strtol(arg, &end, 10) : -1;
	if (!arg || *arg == '\0' || *end != '\0' || errno || v < 0)
		return usage_error("%s needs a number, not '%s'", opt, arg ? arg : "");
	*out = v;
	return 0;
}

/* Opens the library for reading and resolves the one DOC argument. */
static int open_doc(const struct global *g, const char *spec, struct store **st, long *id)
{
	if (open_store(g, STORE_READ, st) != 0)
		return EXIT_REFUSED;
	if (store_resolve(*st, spec, id) != 0) {
		error(store_error(*st));
		store_close(*st);
		*st = NULL;
		return EXIT_REFUSED;
	}
	return 0;
}

/* --- import --- */

/* Imports go in batches, one transaction each: a batch ends at BATCH_BYTES of files,
 * BATCH_FILES files or BATCH_SECONDS, so an interrupted import loses little and
 * another process waits little to write. A file bigger than BATCH_BYTES has its own
 * transaction. 1,024 files of 15 KB take half a second now, 256 took 1.5 s when
 * batches came: each batch's end (its segment, commit, and an eight-way merge every
 * eighth end, which stops the workers on a full queue) had grown to a tenth of the
 * 3,000 small bench documents' time (1.54 -> 1.44 s, medians of nine). */
enum { BATCH_BYTES = 32 << 20, BATCH_FILES = 1024, BATCH_SECONDS = 2 };

static volatile sig_atomic_t import_signal;	/* SIGINT or SIGTERM came during an import */

static void on_import_signal(int sig)
{
	import_signal = sig;
}

/* A file's result, printed once its batch is committed. */
struct import_done {
	struct import_result res;	/* what the importer said */
	const char *path;		/* the file */
};

/* The imports of the batch in progress. */
struct import_batch {
	struct import_done *done;	/* results not yet printed */
	size_t n;			/* how many */
	long long bytes;		/* bytes of its files */
	struct timespec start;		/* when it began */
	bool open;			/* its transaction is open */
};

/* Prints one file's line(s); returns its exit status. lost: its batch was rolled back
 * (why), so a document it imported is not there after all. */
static int import_print(const struct import_done *d, const char *lost)
{
	const struct import_result *res = &d->res;
	if (lost && res->status == IMPORT_OK) {
		struct sbuf p = { 0 };
		sbuf_put_printable(&p, d->path, strlen(d->path));
		fprintf(stderr, "dugao: %s: %s\n", p.data, lost);
		sbuf_free(&p);
		return EXIT_REFUSED;
	}
	switch (res->status) {
	case IMPORT_OK:
		printf("%ld\t%s\t%s\t%ld paragraphs\t%ld headings\t%ld terms\n", res->id, res->title,
		       res->encoding, res->paragraphs, res->headings, res->terms);
		if (res->why[0])
			fprintf(stderr, "dugao: warning: %s\n", res->why);
		break;
	case IMPORT_SAME:
		printf("%ld\t%s\talready in the library (same bytes); nothing done, --replace re-parses\n",
		       res->id, res->title);
		break;
	case IMPORT_REFUSED:
		fprintf(stderr, "dugao: %s\n", res->why);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

/* Commits the batch and prints its files' lines; returns the worst exit status. im:
 * the importer still parsing the next files, or NULL. */
static int import_batch_end(struct store *st, struct import_batch *b, struct importer *im)
{
	const char *lost = NULL;
	if (b->open && im)
		importer_store_busy(im, true);
	if (b->open && store_batch_commit(st) != 0)
		lost = store_error(st);
	if (b->open && im)
		importer_store_busy(im, false);
	b->open = false;
	int status = EXIT_OK;
	for (size_t i = 0; i < b->n; i++) {
		/* "already in the library" of a document this same batch imported */
		bool gone = false;
		for (size_t j = 0; lost && j < i && !gone; j++)
			gone = b->done[j].res.status == IMPORT_OK && b->done[j].res.id == b->done[i].res.id;
		struct import_done d = b->done[i];
		if (gone)
			d.res.status = IMPORT_OK;
		if (import_print(&d, lost) != EXIT_OK)
			status = EXIT_REFUSED;
	}
	/* a batch's lines in one write: a kill never leaves half of them printed */
	fflush(stdout);
	store_checkpoint(st);
	b->n = 0;
	b->bytes = 0;
	return status;
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int cmd_import(const struct global *g, int argc, char **argv)
{
	struct import_options opt = { 0 };
	char **files = xcalloc((size_t)argc, sizeof *files);
	int nfiles = 0;
	bool options_done = false;
	for (int i = 1; i < argc; i++) {
		if (options_done || argv[i][0] != '-' || !argv[i][1])
			files[nfiles++] = argv[i];
		else if (strcmp(argv[i], "--") == 0)
			options_done = true;
		else if (strcmp(argv[i], "--replace") == 0)
			opt.replace = true;
		else if (strcmp(argv[i], "--encoding") == 0 && i + 1 < argc)
			opt.encoding = argv[++i];
		else {
			free(files);
			return usage_error("import: unknown option %s", argv[i]);
		}
	}
	/* the user's glossary: $XDG_CONFIG_HOME/dugao/glossary, else ~/.config/dugao/glossary */
	struct sbuf glossary = { 0 };
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && xdg[0])
		sbuf_printf(&glossary, "%s/dugao/glossary", xdg);
	else if (home && home[0])
		sbuf_printf(&glossary, "%s/.config/dugao/glossary", home);
	opt.glossary = glossary.data;
	struct store *st = NULL;
	if (nfiles == 0 || open_store(g, STORE_WRITE, &st) != 0) {
		free(files);
		sbuf_free(&glossary);
		return nfiles == 0 ? usage_error("import needs at least one FILE") : EXIT_REFUSED;
	}
	/* Ctrl-C or a TERM: the file in progress is dropped, the batch so far committed,
	 * then the signal ends dugao as usual; a second one ends it at once (the
	 * transaction then rolls back: the library stays whole either way) */
	struct sigaction sa = { .sa_handler = on_import_signal, .sa_flags = SA_RESETHAND }, old_int, old_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	opt.stop = &import_signal;
	/* a batch's lines held until it is committed and then written at once (a
	 * terminal still gets each line as it comes) */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	struct import_batch b = { .done = xcalloc(BATCH_FILES, sizeof *b.done) };
	/* parses the next files on a thread of its own while this one stores */
	struct importer *im = importer_new(st, &opt, files, (size_t)nfiles);
	int status = EXIT_OK;
	for (int i = 0; i < nfiles && !import_signal; i++) {
		struct stat sb;
		long long size = stat(files[i], &sb) == 0 && S_ISREG(sb.st_mode) ? (long long)sb.st_size : 0;
		bool alone = size > BATCH_BYTES;
		if (b.open && (alone || b.n == BATCH_FILES || b.bytes + size > BATCH_BYTES ||
			       seconds_since(&b.start) > BATCH_SECONDS) &&
		    import_batch_end(st, &b, im) != EXIT_OK)
			status = EXIT_REFUSED;
		/* (a batch that cannot begin: the file alone, whose import says why) */
		if (!alone && !b.open && store_batch_begin(st) == 0) {
			b.open = true;
			clock_gettime(CLOCK_MONOTONIC, &b.start);
		}
		struct import_done *d = &b.done[b.n];
		d->path = files[i];
		importer_next(im, &d->res);
		/* the file a signal stopped is not reported: it was not imported, nor refused */
		if (import_signal && d->res.status == IMPORT_REFUSED)
			break;
		b.n++;
		b.bytes += size;
		if (!b.open && import_batch_end(st, &b, im) != EXIT_OK)
			status = EXIT_REFUSED;
	}
	importer_free(im);
	if (import_batch_end(st, &b, NULL) != EXIT_OK)
		status = EXIT_REFUSED;
	free(b.done);
	free(files);
	sbuf_free(&glossary);
	store_close(st);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (import_signal)
		raise(import_signal);
	return status;
}

/* --- list --- */

struct list_ctx {
	bool tsv;	/* machine format */
	long count;	/* documents printed */
};

static int print_doc(void *ctx, const struct doc_info *d)
{
	struct list_ctx *l = ctx;
	l->count++;
	if (l->tsv) {
		/* a file name may hold tabs, newlines or escape sequences */
		struct sbuf src = { 0 };
		sbuf_put_printable(&src, d->source, strlen(d->source));
		printf("%ld\t%s\t%s\t%ld\t%ld\t%s\n", d->id, d->title, d->encoding, d->paragraphs, d->headings, src.data);
		sbuf_free(&src);
	} else
		printf("%4ld  %s  (%s, %ld paragraphs, %ld headings, %ld characters)\n", d->id, d->title,
		       d->encoding, d->paragraphs, d->headings, d->chars);
	return 0;
}

static int cmd_list(const struct global *g, int argc, char **argv)
{
	struct list_ctx l = { 0 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tsv") == 0)
			l.tsv = true;
		else
			return usage_error("list: unexpected argument %s", argv[i]);
	}
	struct store *st;
	if (open_store(g, STORE_READ, &st) != 0)
		return EXIT_REFUSED;
	int rc = store_each_doc(st, print_doc, &l);
	if (rc != 0)
		error(store_error(st));
	else if (!l.tsv && l.count == 0)
		printf("The library is empty: dugao import FILE adds a document.\n");
	store_close(st);
	return rc == 0 ? EXIT_OK : EXIT_REFUSED;
}

/* Parses "[--tsv] DOC" style arguments: flags named in flags[] set the matching bool. */
struct doc_args {
	const char *doc;	/* the DOC argument */
	bool tsv;		/* --tsv */
	long limit;		/* --limit N, -1 when absent */
	const char *format;	/* --format F */
};

static int parse_doc_args(int argc, char **argv, bool allow_tsv, bool allow_limit, bool allow_format, struct doc_args *a)
{
	memset(a, 0, sizeof *a);
	a->limit = -1;
	for (int i = 1; i < argc; i++) {
		if (allow_tsv && strcmp(argv[i], "--tsv") == 0)
			a->tsv = true;
		else if (allow_limit && strcmp(argv[i], "--limit") == 0) {
			if (parse_count("--limit", i + 1 < argc ? argv[i + 1] : NULL, &a->limit) != 0)
				return EXIT_USAGE;
			i++;
		} else if (allow_format && strcmp(argv[i], "--format") == 0) {
			if (++i >= argc)
				return usage_error("--format needs md or json");
			a->format = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] && !a->doc)
			return usage_error("%s: unknown option %s", argv[0], argv[i]);
		else if (a->doc)
			return usage_error("%s: one DOC only (got '%s' and '%s')", argv[0], a->doc, argv[i]);
		else
			a->doc = argv[i];
	}
	if (!a->doc)
		return usage_error("%s needs a DOC (an id, or the start of a title or file name)", argv[0]);
	return 0;
}

/* --- outline --- */

struct outline_ctx {
	bool tsv;	/* fixture format */
};

static int print_section(void *ctx, const struct section *s)
{
	struct outline_ctx *o = ctx;
	if (o->tsv)
		printf("%d\t%s\t%s\n", s->level, s->marker, s->title);
	else
		printf("%*s%s%s%s\n", 2 * (s->level - 1), "", s->marker,
		       s->marker[0] && s->title[0] ? " " : "",
		       s->title);
	return 0;
}

static int cmd_outline(const struct global *g, int argc, char **argv)
{
	struct doc_args a;
	int rc = parse_doc_args(argc, argv, true, false, false, &a);
	if (rc)
		return rc;
	struct store *st;
	long id;
	if ((rc = open_doc(g, a.doc, &st, &id)))
		return rc;
	struct doc_info d;
	rc = store_doc_info(st, id, &d);
	if (rc == 0) {
		printf(a.tsv ? "#title\t%s\n" : "%s\n", d.title);
		doc_info_clear(&d);
		struct outline_ctx o = { .tsv = a.tsv };
		rc = store_each_section(st, id, print_section, &o);
	}
	if (rc)
		error(store_error(st));
	store_close(st);
	return rc ? EXIT_REFUSED : EXIT_OK;
}

/* --- cat --- */

static int print_para(void *ctx, const struct para *p)
{
	fwrite(p->text, 1, p->len, stdout);
	putchar('\n');
	return 0;
}

static int cmd_cat(const struct global *g, int argc, char **argv)
{
	/* --all: the lines the import hid (adverts, watermarks) too, where they stood */
	bool all = false;
	char **args = xcalloc((size_t)argc + 1, sizeof *args);
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], "--all") == 0)
			all = true;
		else
			args[n++] = argv[i];
	}
	struct doc_args a;
	int rc = parse_doc_args(n, args, false, false, false, &a);
	free(args);
	if (rc)
		return rc;
	struct store *st;
	long id;
	if ((rc = open_doc(g, a.doc, &st, &id)))
		return rc;
	rc = store_each_paragraph(st, id, 0, -1, all, print_para, NULL);
	if (rc)
		error(store_error(st));
	store_close(st);
	return rc ? EXIT_REFUSED : EXIT_OK;
}

/* --- terms --- */

struct terms_ctx {
	bool tsv;	/* TERM<TAB>COUNT<TAB>KIND */
};

static int print_term(void *ctx, const struct term_row *t)
{
	struct terms_ctx *c = ctx;
	if (c->tsv)
		printf("%s\t%ld\t%s\n", t->text, t->count, t->kind);
	else
		printf("%-20s %6ld  %s\n", t->text, t->count, t->kind);
	return 0;
}

static int print_library_term(void *ctx, const struct library_term *t)
{
	struct terms_ctx *c = ctx;
	if (c->tsv)
		printf("%s\t%ld\t%ld\n", t->text, t->docs, t->hits);
	else
		printf("%4ld %6ld  %s\n", t->docs, t->hits, t->text);
	return 0;
}

/* terms --all [--tsv] [--limit N]: TERM<TAB>DOCUMENTS<TAB>HITS over the library. */
static int library_terms(const struct global *g, int argc, char **argv)
{
	struct terms_ctx c = { 0 };
	long limit = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--all") == 0)
			continue;
		if (strcmp(argv[i], "--tsv") == 0)
			c.tsv = true;
		else if (strcmp(argv[i], "--limit") == 0) {
			if (parse_count("--limit", i + 1 < argc ? argv[i + 1] : NULL, &limit) != 0)
				return EXIT_USAGE;
			i++;
		} else
			return usage_error("terms --all takes no DOC (got '%s')", argv[i]);
	}
	struct store *st;
	if (open_store(g, STORE_READ, &st) != 0)
		return EXIT_REFUSED;
	if (!c.tsv)
		printf("docs   hits  term\n");
	int rc = store_each_library_term(st, limit, print_library_term, &c);
	if (rc)
		error(store_error(st));
	store_close(st);
	return rc ? EXIT_REFUSED : EXIT_OK;
}

static int cmd_terms(const struct global *g, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--all") == 0)
			return library_terms(g, argc, argv);
	struct doc_args a;
	int rc = parse_doc_args(argc, argv, true, true, false, &a);
	if (rc)
		return rc;
	struct store *st;
	long id;
	if ((rc = open_doc(g, a.doc, &st, &id)))
		return rc;
	struct terms_ctx c = { .tsv = a.tsv };
	rc = store_each_term(st, id, a.limit, print_term, &c);
	if (rc)
		error(store_error(st));
	store_close(st);
	return rc ? EXIT_REFUSED : EXIT_OK;
}

/* --- export --- */

static void json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* The outline and text of one document, loaded for export. */
struct export_doc {
	struct section *sections;	/* all sections in seq order, strings owned */
	size_t nsections;		/* how many */
	size_t cap;			/* allocated */
};

static int collect_section(void *ctx, const struct section *s)
{
	struct export_doc *e = ctx;
	if (e->nsections == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 64;
		e->sections = xrealloc(e->sections, e->cap * sizeof *e->sections);
	}
	struct section *c = &e->sections[e->nsections++];
	*c = *s;
	c->marker = xstrdup(s->marker);
	c->title = xstrdup(s->title);
	return 0;
}

static void export_free(struct export_doc *e)
{
	for (size_t i = 0; i < e->nsections; i++) {
		free((char *)e->sections[i].marker);
		free((char *)e->sections[i].title);
	}
	free(e->sections);
}

/* Markdown: headings at their level (a paragraph's own enumerations stay in its text). */
struct md_ctx {
	struct export_doc *e;	/* the outline */
	size_t next;		/* next section to place */
};

static int md_para(void *ctx, const struct para *p)
{
	struct md_ctx *m = ctx;
	if (p->kind == PARA_TITLE)
		return 0;
	bool heading_line = false;
	for (; m->next < m->e->nsections && m->e->sections[m->next].para <= p->seq; m->next++) {
		const struct section *s = &m->e->sections[m->next];
		if (s->in_paragraph)
			continue;
		int hashes = s->level + 1 > 6 ? 6 : s->level + 1;
		printf("%.*s %s%s\n\n", hashes, "######", s->marker, s->title);
		heading_line = heading_line || p->kind == PARA_HEADING;
	}
	if (!heading_line) {
		fwrite(p->text, 1, p->len, stdout);
		fputs("\n\n", stdout);
	}
	return 0;
}

/* The children of each section as linked lists (first child, next sibling; -1 ends
 * them), so that the tree is written in time linear in its size. Sections whose
 * parent is missing go to the top. */
struct section_tree {
	long *first;	/* first child of each section; [nsections]: of the top */
	long *next;	/* next sibling of each section */
};

static void section_tree_build(const struct export_doc *e, struct section_tree *t)
{
	size_t n = e->nsections;
	t->first = xmalloc((n + 1) * sizeof *t->first);
	t->next = xmalloc((n + 1) * sizeof *t->next);
	long *last = xmalloc((n + 1) * sizeof *last);
	for (size_t i = 0; i <= n; i++)
		t->first[i] = t->next[i] = last[i] = -1;
	for (size_t i = 0; i < n; i++) {
		long p = e->sections[i].parent < 0 ? -1 : section_find_seq(e->sections, e->nsections, e->sections[i].parent);
		size_t at = p < 0 || (size_t)p >= i ? n : (size_t)p;	/* a parent comes before its child */
		if (last[at] < 0)
			t->first[at] = (long)i;
		else
			t->next[last[at]] = (long)i;
		last[at] = (long)i;
	}
	free(last);
}

static void json_sections(const struct export_doc *e, const struct section_tree *t, long child, int depth)
{
	printf("[");
	for (bool first = true; child >= 0; child = t->next[child], first = false) {
		const struct section *s = &e->sections[child];
		printf("%s\n%*s{\"level\": %d, \"marker\": ", first ? "" : ",", 2 * depth + 2, "", s->level);
		json_string(s->marker);
		printf(", \"title\": ");
		json_string(s->title);
		printf(", \"paragraph\": %ld, \"offset\": %ld, \"children\": ", s->para, s->offset);
		json_sections(e, t, t->first[child], depth + 1);
		printf("}");
	}
	printf("]");
}

struct json_ctx {
	bool first;	/* no comma before the first paragraph */
};

static int json_para(void *ctx, const struct para *p)
{
	struct json_ctx *j = ctx;
	printf("%s\n    {\"seq\": %ld, \"kind\": \"%s\", \"section\": %ld, \"text\": ", j->first ? "" : ",", p->seq,
	       para_kind_name(p->kind), p->section);
	char *text = xstrndup(p->text, p->len);
	json_string(text);
	free(text);
	printf("}");
	j->first = false;
	return 0;
}

static int cmd_export(const struct global *g, int argc, char **argv)
{
	struct doc_args a;
	int rc = parse_doc_args(argc, argv, false, false, true, &a);
	if (rc)
		return rc;
	const char *format = a.format ? a.format : "md";
	if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0)
		return usage_error("export: --format is md or json, not '%s'", format);
	struct store *st;
	long id;
	if ((rc = open_doc(g, a.doc, &st, &id)))
		return rc;
	struct doc_info d;
	struct export_doc e = { 0 };
	rc = store_doc_info(st, id, &d);
	if (rc == 0)
		rc = store_each_section(st, id, collect_section, &e);
	if (rc == 0 && strcmp(format, "md") == 0) {
		printf("# %s\n\n", d.title);
		struct md_ctx m = { .e = &e };
		rc = store_each_paragraph(st, id, 0, -1, false, md_para, &m);
	} else if (rc == 0) {
		printf("{\"id\": %ld, \"title\": ", d.id);
		json_string(d.title);
		printf(", \"source\": ");
		json_string(d.source);
		printf(", \"encoding\": ");
		json_string(d.encoding);
		printf(", \"sha256\": \"%s\",\n  \"sections\": ", d.sha256);
		struct section_tree t;
		section_tree_build(&e, &t);
		json_sections(&e, &t, t.first[e.nsections], 0);
		free(t.first);
		free(t.next);
		printf(",\n  \"paragraphs\": [");
		struct json_ctx j = { .first = true };
		rc = store_each_paragraph(st, id, 0, -1, false, json_para, &j);
		printf("]}\n");
	}
	if (rc)
		error(store_error(st));
	if (d.title)
		doc_info_clear(&d);
	export_free(&e);
	store_close(st);
	return rc ? EXIT_REFUSED : EXIT_OK;
}

/* --- search --- */

struct search_ctx {
	bool tsv;		/* DOC_ID<TAB>PARAGRAPH<TAB>OFFSET<TAB>SNIPPET */
	long last_doc;		/* document of the previous hit, for the human format's headers */
};

/* The snippet with the hit in 【】. */
static void print_snippet(const struct search_hit *h)
{
	size_t n = strlen(h->snippet);
	size_t a = utf8_offset(h->snippet, n, (size_t)h->snippet_offset);
	size_t b = utf8_offset(h->snippet, n, (size_t)(h->snippet_offset + h->length));
	printf("%.*s【%.*s】%s", (int)a, h->snippet, (int)(b - a), h->snippet + a, h->snippet + b);
}

static int print_hit(void *ctx, const struct search_hit *h)
{
	struct search_ctx *c = ctx;
	if (c->tsv) {
		printf("%ld\t%ld\t%ld\t", h->doc, h->para, h->offset);
	} else {
		if (h->doc != c->last_doc)
			printf("%s%ld  %s\n", c->last_doc >= 0 ? "\n" : "", h->doc, h->title);
		c->last_doc = h->doc;
		printf("  %s%s¶%ld:%ld  ", h->section, h->section[0] ? "  " : "", h->para, h->offset);
	}
	print_snippet(h);
	putchar('\n');
	return 0;
}

static int cmd_search(const struct global *g, int argc, char **argv)
{
	struct search_ctx c = { .last_doc = -1 };
	bool count = false, options_done = false;
	const char *doc = NULL;
	long limit = -1;
	struct sbuf query = { 0 };
	int rc = 0;
	for (int i = 1; i < argc && rc == 0; i++) {
		if (options_done || argv[i][0] != '-' || !argv[i][1]) {
			if (query.len)
				sbuf_append(&query, " ", 1);
			sbuf_puts(&query, argv[i]);
		} else if (strcmp(argv[i], "--") == 0) {
			options_done = true;
		} else if (strcmp(argv[i], "--tsv") == 0) {
			c.tsv = true;
		} else if (strcmp(argv[i], "--count") == 0) {
			count = true;
		} else if (strcmp(argv[i], "--limit") == 0) {
			rc = parse_count("--limit", i + 1 < argc ? argv[i + 1] : NULL, &limit);
			i++;
		} else if (strcmp(argv[i], "--doc") == 0) {
			if (i + 1 >= argc)
				rc = usage_error("--doc needs a DOC");
			else
				doc = argv[++i];
		} else {
			rc = usage_error("search: unknown option %s", argv[i]);
		}
	}
	struct query q;
	char why[128];
	if (rc == 0 && query_parse(query.data ? query.data : "", &q, why, sizeof why) != 0)
		rc = usage_error("search: %s", why);
	else if (rc == 0)
		query_free(&q);
	struct store *st = NULL;
	long id = -1;
	if (rc == 0 && (doc ? open_doc(g, doc, &st, &id) : open_store(g, STORE_READ, &st)) != 0)
		rc = EXIT_REFUSED;
	long hits = 0;
	if (rc == 0) {
		hits = count ? store_search_count(st, query.data, id) : store_search(st, query.data, id, limit, print_hit, &c);
		if (hits < 0)
			rc = error(store_error(st));
		else if (count)
			printf("%ld\n", hits);
		else if (hits == 0)
			fprintf(stderr, "dugao: %s: not found\n", query.data);
	}
	store_close(st);
	sbuf_free(&query);
	return rc ? rc : hits > 0 ? EXIT_OK : EXIT_REFUSED;
}

/* --- rm --- */

static int cmd_rm(const struct global *g, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("rm needs exactly one DOC");
	struct store *st;
	if (open_store(g, STORE_WRITE, &st) != 0)
		return EXIT_REFUSED;
	long id;
	struct doc_info d = { 0 };
	int rc = store_resolve(st, argv[1], &id);
	if (rc == 0)
		rc = store_doc_info(st, id, &d);
	if (rc == 0)
		rc = store_delete(st, id);
	if (rc == 0)
		printf("removed %ld\t%s\n", id, d.title);
	else
		error(store_error(st));
	doc_info_clear(&d);
	store_close(st);
	return rc ? EXIT_REFUSED : EXIT_OK;
}

/* --- read --- */

/* Keys for scripted mode: the text itself, or @FILE to read them from a file. */
static char *script_text(const char *arg)
{
	if (arg[0] != '@')
		return xstrdup(arg);
	FILE *f = fopen(arg + 1, "r");
	if (!f) {
		fprintf(stderr, "dugao: %s: %s\n", arg + 1, strerror(errno));
		return NULL;
	}
	struct sbuf b = { 0 };
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_append(&b, buf, n);
	fclose(f);
	return sbuf_take(&b);
}

static int cmd_read(const struct global *g, int argc, char **argv)
{
	struct reader_options opt = { .db = g->db, .width = 80, .height = 24 };
	const char *script = getenv("DUGAO_SCRIPT");
	if (script && !*script)
		script = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--script") == 0 && i + 1 < argc) {
			script = argv[++i];
		} else if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
			char *end;
			long w = strtol(argv[++i], &end, 10), h = 0;
			if (*end == 'x')
				h = strtol(end + 1, &end, 10);
			if (*end || w < 1 || h < 1 || w > 1000 || h > 1000)
				return usage_error("--size is WIDTHxHEIGHT, from 1x1 to 1000x1000, not '%s'", argv[i]);
			opt.width = (int)w;
			opt.height = (int)h;
		} else if (strcmp(argv[i], "--attrs") == 0) {
			opt.attrs = true;	/* scripted mode: cell attributes too, for tests */
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage_error("read: unknown option %s", argv[i]);
		} else if (opt.doc) {
			return usage_error("read: one DOC only (got '%s' and '%s')", opt.doc, argv[i]);
		} else {
			opt.doc = argv[i];
		}
	}
	char *keys = script ? script_text(script) : NULL;
	if (script && !keys)
		return EXIT_REFUSED;
	opt.script = keys;
	int rc = reader_run(&opt);
	free(keys);
	return rc;
}

/* --- fold --- */

#define FOLD_SAMPLE (64 * 1024)		/* bytes the encoding is guessed from */
#define FOLD_MAX_LINE (4 * 1024 * 1024)	/* longer lines are split by the line splitter */

static int fold_line(void *ctx, const char *text, size_t len, long line_no)
{
	const struct wrap_options *opt = ctx;
	struct wrap_line *lines;
	size_t n = wrap_paragraph(text, len, opt, &lines);
	for (size_t i = 0; i < n; i++) {
		fwrite(text + lines[i].start, 1, lines[i].end - lines[i].start, stdout);
		putchar('\n');
	}
	free(lines);
	return 0;
}

/* Wraps one input (name for messages); returns 0 or EXIT_REFUSED. */
static int fold_file(FILE *in, const char *name, const struct wrap_options *opt)
{
	unsigned char *buf = xmalloc(FOLD_SAMPLE);
	size_t n = 0;
	while (n < FOLD_SAMPLE) {
		size_t got = fread(buf + n, 1, FOLD_SAMPLE - n, in);
		if (got == 0)
			break;
		n += got;
	}
	if (ferror(in)) {
		fprintf(stderr, "dugao: %s: read error: %s\n", name, strerror(errno));
		free(buf);
		return EXIT_REFUSED;
	}
	struct decode_guess g;
	if (decode_guess(buf, n, n < FOLD_SAMPLE, &g) != 0) {
		fprintf(stderr, "dugao: %s: not a text file: %s\n", name, g.reason);
		free(buf);
		return EXIT_REFUSED;
	}
	char err[160];
	struct decoder *dec = decoder_new(g.encoding, err, sizeof err);
	if (!dec) {
		fprintf(stderr, "dugao: %s: %s\n", name, err);
		free(buf);
		return EXIT_REFUSED;
	}
	struct line_splitter *lines = line_splitter_new(fold_line, (void *)opt, FOLD_MAX_LINE);
	struct sbuf text = { 0 };
	size_t skip = g.bom_len < n ? g.bom_len : n;
	int rc = 0;
	for (bool final = false; !final;) {
		final = n == 0;
		sbuf_reset(&text);
		decoder_feed(dec, buf + skip, n - skip, final, &text);
		line_splitter_feed(lines, text.data ? text.data : "", text.len);
		skip = 0;
		n = final ? 0 : fread(buf, 1, FOLD_SAMPLE, in);
		if (ferror(in)) {
			fprintf(stderr, "dugao: %s: read error: %s\n", name, strerror(errno));
			rc = EXIT_REFUSED;
			break;
		}
	}
	line_splitter_finish(lines);
	if (rc == 0 && decoder_invalid(dec) > 0)
		fprintf(stderr, "dugao: warning: %s: %zu invalid %s sequences shown as U+FFFD (the first at byte %lld)\n",
			name, decoder_invalid(dec), g.encoding, decoder_first_invalid(dec));
	line_splitter_free(lines);
	decoder_free(dec);
	sbuf_free(&text);
	free(buf);
	return rc;
}

/* dugao fold: the text pane's wrapping as a filter. Spaces at a break stay at the end
 * of the line (counted in the width), so joining a paragraph's lines gives it back. */
static int cmd_fold(const struct global *g, int argc, char **argv)
{
	struct wrap_options opt = { .width = 80, .ambiguous = WRAP_NARROW, .keep_spaces = true };
	char **files = xcalloc((size_t)argc, sizeof *files);
	int nfiles = 0;
	bool options_done = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (options_done || a[0] != '-' || !a[1]) {
			files[nfiles++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (strcmp(a, "-w") == 0 || strcmp(a, "--width") == 0 || strncmp(a, "--width=", 8) == 0 ||
			   (a[1] == 'w' && a[2])) {
			val = a[1] == 'w' ? (a[2] ? a + 2 : i + 1 < argc ? argv[++i] : NULL)
					 : (a[7] == '=' ? a + 8 : i + 1 < argc ? argv[++i] : NULL);
			long w = 0;
			if (parse_count("-w", val, &w) != 0) {
				free(files);
				return EXIT_USAGE;
			}
			if (w < 1 || w > 1000000) {
				free(files);
				return usage_error("fold: -w needs a width from 1 to 1000000, not %ld", w);
			}
			opt.width = (int)w;
		} else if (strcmp(a, "--ambiguous") == 0 || strncmp(a, "--ambiguous=", 12) == 0) {
			val = a[11] == '=' ? a + 12 : i + 1 < argc ? argv[++i] : "";
			if (strcmp(val, "narrow") == 0)
				opt.ambiguous = WRAP_NARROW;
			else if (strcmp(val, "wide") == 0)
				opt.ambiguous = WRAP_WIDE;
			else {
				free(files);
				return usage_error("fold: --ambiguous is narrow or wide, not '%s'", val);
			}
		} else {
			free(files);
			return usage_error("fold: unknown option %s", a);
		}
	}
	int status = EXIT_OK;
	if (nfiles == 0)
		status = fold_file(stdin, "standard input", &opt);
	for (int i = 0; i < nfiles; i++) {
		bool std = strcmp(files[i], "-") == 0;
		FILE *in = std ? stdin : fopen(files[i], "rb");
		if (!in) {
			fprintf(stderr, "dugao: %s: %s\n", files[i], strerror(errno));
			status = EXIT_REFUSED;
			continue;
		}
		if (fold_file(in, std ? "standard input" : files[i], &opt) != 0)
			status = EXIT_REFUSED;
		if (!std)
			fclose(in);
	}
	free(files);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "dugao: standard output: %s\n", strerror(errno));
		status = EXIT_REFUSED;
	}
	return status;
}

/* --- help --- */

static void print_help(FILE *out)
{
	fprintf(out, "usage: dugao [--db PATH] VERB [ARGS]\n\n"
		     "dugao reads long Chinese documents: it imports text files into a library\n"
		     "and shows their outline, key terms and text.\n\nVerbs:\n");
	for (const struct verb *v = verbs; v->name; v++)
		fprintf(out, "  %-8s %-40s %s\n", v->name, v->usage, v->summary);
	fprintf(out, "\nOptions:\n"
		     "  --db PATH   the library file (default: $DUGAO_DB, else $XDG_DATA_HOME/dugao/library.db)\n"
		     "  --help      this text\n"
		     "  --version   the version\n\n"
		     "DOC is a document id, or a unique start of its title or file name.\n"
		     "Exit status: 0 ok, 1 refused input or nothing found, 2 usage error.\n"
		     "See dugao(1) for more.\n");
}

static const struct verb verbs[] = {
	{ "import", cmd_import, "[--encoding ENC] [--replace] FILE...", "add text files to the library" },
	{ "list", cmd_list, "[--tsv]", "the documents in the library" },
	{ "outline", cmd_outline, "[--tsv] DOC", "the title and the outline of a document" },
	{ "terms", cmd_terms, "[--tsv] [--limit N] DOC|--all", "key terms with counts (--all: the library's, with documents)" },
	{ "cat", cmd_cat, "[--all] DOC", "the cleaned text, one paragraph a line (--all: hidden lines too)" },
	{ "search", cmd_search, "[--doc DOC] [--tsv] [--count] [--limit N] QUERY...",
	  "find words in every document, or in one (all words in one paragraph; \"…\" a phrase)" },
	{ "export", cmd_export, "[--format md|json] DOC", "the document as Markdown or JSON" },
	{ "rm", cmd_rm, "DOC", "remove a document from the library" },
	{ "fold", cmd_fold, "[-w WIDTH] [--ambiguous narrow|wide] [FILE...]", "wrap text to WIDTH columns with the reader's rules" },
	{ "read", cmd_read, "[DOC] [--script KEYS] [--size WxH]", "the reader (the default verb)" },
	{ NULL, NULL, NULL, NULL },
};

int cli_main(int argc, char **argv)
{
	struct global g = { 0 };
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_help(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("dugao %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--keys-man") == 0) {
			/* hidden: the man page's KEYS section, generated from the action table */
			actions_print_man(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--db") == 0) {
			if (++i >= argc || !argv[i][0])
				return usage_error("--db needs a PATH");
			g.db = argv[i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			g.db = argv[i] + 5;
		} else {
			return usage_error("unknown option %s", argv[i]);
		}
	}
	if (i >= argc) {
		/* no verb: the reader on the document read last */
		char *read_argv[] = { (char *)"read", NULL };
		return cmd_read(&g, 1, read_argv);
	}
	for (const struct verb *v = verbs; v->name; v++)
		if (strcmp(v->name, argv[i]) == 0)
			return v->run(&g, argc - i, argv + i);
	return usage_error("unknown verb '%s'", argv[i]);
}
