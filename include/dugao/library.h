/* library: the document list (title, date, size, progress) and the choice of the
 * document to open. Reads the store; never calls curses. */
#ifndef DUGAO_LIBRARY_H
#define DUGAO_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/layout.h"
#include "dugao/store.h"
#include "dugao/wrap.h"

struct library;

struct library *library_new(struct store *st, enum wrap_ambiguous amb);
void library_free(struct library *lib);
size_t library_count(const struct library *lib);
/* Documents with a stored reading position. */
size_t library_read_count(const struct library *lib);
/* Puts the cursor on a document id (if listed). */
void library_select(struct library *lib, long doc);
void library_move(struct library *lib, long delta);
void library_move_to(struct library *lib, bool end);
bool library_click(struct library *lib, int row);
/* The document under the cursor, -1 when the library is empty. */
long library_selected(const struct library *lib);
/* The cursor kept in view of r's height, as drawing does (see outline_pane_fit). */
void library_fit(struct library *lib, const struct rect *r);
void library_render(struct library *lib, const struct rect *r);

#endif
