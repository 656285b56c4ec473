/* clean: marks advert, watermark and banner lines as noise; it never deletes them. */
#ifndef DUGAO_CLEAN_H
#define DUGAO_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

struct clean;

struct clean *clean_new(void);
/* First pass over every line of a document: collects what repeats. */
void clean_prescan_line(struct clean *c, const char *line, size_t len);
/* The same, told the characters of the line past its leading spaces (a normalised
 * line's, as structure_prescan_line counts them), or -1 when not known. */
void clean_prescan_line_chars(struct clean *c, const char *line, size_t len, long chars);
/* Second pass: whether the line is noise. */
bool clean_is_noise(struct clean *c, const char *line, size_t len);
void clean_free(struct clean *c);

#endif
