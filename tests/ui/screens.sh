#!/bin/sh
# Whole screens of the real reader in scripted mode at fixed sizes: the three panes,
# headings, section jumps, narrow terminals, search highlights, help, the library.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
ui_import

# the terms pane depends on term extraction: most screens hide it (3) to test the rest
screen start-80x24 80x24 ''
screen sections-80x24 80x24 '3]]]'
screen chapter-100x16 100x16 '3}}'
screen end-70x12 70x12 '3G'
screen narrow-50x12 50x12 ']]'
screen narrow-outline-50x12 50x12 '<Tab><Tab>'
screen tiny-20x6 20x6 ']]'
screen search-80x12 80x12 '/关键词<Enter>n'
screen goto-80x10 80x10 '3:3<Enter>'
screen help-80x12 80x12 '<F1>'
screen outline-enter-80x12 80x12 '3<Tab>jjj<Enter>'
screen fold-80x12 80x12 '3<Tab>-'
screen noise-80x10 80x10 '3a'
screen hidden-panes-60x10 60x10 '13'
# highlights, with the attributes of every cell: headings, the current section in the
# outline, a lit term stepped through with n, incremental search, dimmed noise
screen term-lit-80x12 80x12 '<Tab>jjj<Enter>nn' --attrs
screen search-typing-80x12 80x12 '3/关键' --attrs
screen noise-lit-80x8 80x8 '3a' --attrs

# every size down to 1x1 draws without crashing
for size in 1x1 2x2 5x3 19x5 20x6 59x10 60x10 200x60; do
	"$DUGAO" read 1 --size "$size" --script ']G[g<Tab>j<Enter>' >"$TMP/out" 2>"$TMP/err"
	expect_eq "size $size exit status" "$?" "0"
	expect_eq "size $size rows" "$(wc -l <"$TMP/out")" "${size#*x}"
done

finish
