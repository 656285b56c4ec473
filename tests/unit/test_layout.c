/* layout geometry at every size, actions' key names, settings lines, and draw never
 * letting a control character reach the screen. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/actions.h"
#include "dugao/draw.h"
#include "dugao/layout.h"
#include "dugao/settings.h"
#include "dugao/util.h"

static void check_geometry(const struct layout *l)
{
	int shown = 0;
	for (int i = 0; i < PANE_COUNT; i++) {
		const struct rect *a = &l->pane[i];
		if (a->w <= 0)
			continue;
		shown++;
		CHECK(a->x >= 0 && a->y >= 0 && a->x + a->w <= l->cols && a->y + a->h <= l->rows - 1);
		for (int j = i + 1; j < PANE_COUNT; j++) {
			const struct rect *b = &l->pane[j];
			if (b->w > 0)
				CHECK(a->x + a->w <= b->x || b->x + b->w <= a->x);	/* side by side, no overlap */
		}
	}
	if (l->rows >= 2 && l->cols >= 1)
		CHECK(shown >= 1);
	if (l->narrow)
		CHECK(shown <= 1);
}

static void test_layout(void)
{
	struct layout l;
	for (int w = 0; w <= 130; w += (w < 70 ? 1 : 13))
		for (int h = 0; h <= 40; h += (h < 8 ? 1 : 11)) {
			layout_init(&l);
			layout_compute(&l, w, h);
			check_geometry(&l);
			layout_toggle(&l, PANE_OUTLINE);
			layout_adjust(&l, 6);
			layout_focus_step(&l, 1);
			check_geometry(&l);
			layout_adjust(&l, -40);
			layout_toggle(&l, PANE_TEXT);
			layout_toggle(&l, PANE_TERMS);
			check_geometry(&l);
		}
	layout_init(&l);
	layout_compute(&l, 100, 30);
	CHECK(!l.narrow);
	CHECK(l.pane[PANE_OUTLINE].w > 0 && l.pane[PANE_TEXT].w > 0 && l.pane[PANE_TERMS].w > 0);
	CHECK_INT(l.pane[PANE_OUTLINE].w + l.pane[PANE_TEXT].w + l.pane[PANE_TERMS].w + 2, 100);
	CHECK_INT(layout_pane_at(&l, l.pane[PANE_TEXT].x, 5), PANE_TEXT);
	int before = l.pane[PANE_TEXT].w;
	layout_adjust(&l, 4);	/* the text is focused: it widens */
	CHECK(l.pane[PANE_TEXT].w > before);
	layout_adjust(&l, -4);
	CHECK_INT(l.pane[PANE_TEXT].w, before);
	layout_compute(&l, 59, 20);
	CHECK(l.narrow);
	CHECK_INT(l.pane[PANE_TEXT].w, 59);
	layout_focus_step(&l, 1);
	CHECK_INT(l.focus, PANE_TERMS);
	CHECK_INT(l.pane[PANE_TERMS].w, 59);
	CHECK_INT(l.pane[PANE_TEXT].w, 0);
}

static void test_keys(void)
{
	static const char *const names[] = { "j", "<Down>", "<C-d>", "<Space>", "<F1>", "<lt>", "<Enter>",
					     "<S-Tab>", "<PgDn>", "G", "中" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *s = names[i];
		int k = keyc_parse(&s);
		CHECK(k >= 0);
		CHECK_INT(*s, 0);
	}
	const char *s = "<C-d>x";
	CHECK_INT(keyc_parse(&s), 4);
	CHECK_INT(keyc_parse(&s), 'x');
	keymap_init();
	CHECK_INT(keymap_lookup('j'), ACT_LINE_DOWN);
	CHECK_INT(keymap_lookup(' '), ACT_PAGE_DOWN);
	CHECK_INT(keymap_lookup('<'), ACT_NARROW);
	CHECK_INT(keymap_lookup('?'), ACT_SEARCH_BACK);
	CHECK_INT(action_by_name("next-section"), ACT_NEXT_SECTION);
	CHECK_INT(action_by_name("nope"), ACT_NONE);
	/* every default key is bound to its own action: no two actions share a key */
	for (int a = 1; a < ACT_COUNT; a++)
		for (const char *p = action_info((enum action)a)->keys; *p;) {
			if (*p == ' ') {
				p++;
				continue;
			}
			int k = keyc_parse(&p);
			CHECK_INT(keymap_lookup(k), a);
		}
	char buf[96];
	keymap_describe(ACT_HELP, buf, sizeof buf);
	CHECK_STR(buf, "H, F1");
}

static void test_settings(void)
{
	struct settings st = { 0 };
	char why[200];
	char l1[] = "bind J next-section\n", l2[] = "bind J\n", l3[] = "bind <Nope> quit", l4[] = "ambiguous wide",
	     l5[] = "color heading1 red default bold", l6[] = "color nosuch red", l7[] = "  # comment",
	     l8[] = "bind # quit", l9[] = "what is this";
	keymap_init();
	CHECK_INT(settings_line(&st, l1, why, sizeof why), 0);
	CHECK_INT(keymap_lookup('J'), ACT_NEXT_SECTION);
	CHECK_INT(settings_line(&st, l2, why, sizeof why), -1);
	CHECK_INT(settings_line(&st, l3, why, sizeof why), -1);
	CHECK_INT(settings_line(&st, l4, why, sizeof why), 0);
	CHECK_INT(st.ambiguous, WRAP_WIDE);
	CHECK_INT(settings_line(&st, l5, why, sizeof why), 0);
	CHECK_INT(settings_line(&st, l6, why, sizeof why), -1);
	CHECK_INT(settings_line(&st, l7, why, sizeof why), 0);
	CHECK_INT(settings_line(&st, l8, why, sizeof why), 0);
	CHECK_INT(keymap_lookup('#'), ACT_QUIT);
	CHECK_INT(settings_line(&st, l9, why, sizeof why), -1);
	CHECK(strstr(why, "unknown setting") != NULL);
	settings_free(&st);
	draw_style_set(STYLE_HEADING1, 3, -1, DRAW_BOLD);
}

static void test_draw(void)
{
	char err[200];
	if (draw_open_virtual(20, 3, err, sizeof err) != 0) {
		fprintf(stderr, "skipping draw: %s\n", err);
		return;
	}
	static const char evil[] = "a\033]0;x\007b\033[2J\302\233c\342\200\256d中文";
	draw_text(0, 0, 20, evil, sizeof evil - 1, STYLE_TEXT);
	draw_text(1, 0, 3, "中文字", strlen("中文字"), STYLE_TEXT);	/* a wide char that does not fit */
	draw_text(2, 18, 10, "中文", strlen("中文"), STYLE_TEXT);	/* clipped at the edge */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	draw_dump(f, false);
	fclose(f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		CHECK(c == '\n' || (c >= 0x20 && c != 0x7f));
		if (c == 0xC2 && i + 1 < len)
			CHECK((unsigned char)buf[i + 1] >= 0xA0);	/* no C1 */
	}
	CHECK(strstr(buf, "\342\200\256") == NULL);	/* the bidi override is gone */
	CHECK(strstr(buf, "中文") != NULL);
	CHECK(strstr(buf, "\n中\n") != NULL);
	CHECK(strstr(buf, "中\n") != NULL);
	free(buf);
	draw_resize_virtual(1, 1);
	draw_text(0, 0, 1, "中", 3, STYLE_TEXT);
	draw_close();
	CHECK(!draw_is_open());
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_layout();
	test_keys();
	test_settings();
	test_draw();
	return check_done();
}
