#!/bin/sh
# The terms pane (filter, lit terms counted in the outline, the section's terms only)
# and the library's search results list, as whole screens in scripted mode.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
ui_import
# a second document, so that the library search lists hits from two
cat >"$TMP/第二篇.txt" <<'TEXT'
关于长文章阅读小组的工作安排
一、小组的任务
每月读一篇长文章，交流读书笔记。
二、时间安排
每月最后一个周五下午，读完之后集中讨论。
TEXT
"$DUGAO" import "$TMP/第二篇.txt" >/dev/null 2>"$TMP/err2" || { echo "FAIL: import: $(cat "$TMP/err2")"; exit 1; }
cp "$DUGAO_DB" "$TMP/pristine.db"

# a lit term: its hits counted beside each section of the outline, stepped with n
screen term-outline-80x14 80x14 '<Tab>jjj<Enter>nn'
# typing filters the terms (F anywhere, / in the terms pane); Esc shows them all again
screen term-filter-80x12 80x12 'F长文'
screen term-filter-slash-80x12 80x12 '<Tab>/读完<Enter><Enter>n'
screen term-filter-esc-80x12 80x12 'F长文<Esc>'
# the terms of the section being read only, and all again
screen term-section-80x12 80x12 '}}s'
screen term-section-moved-80x12 80x12 '}}s{'
screen term-section-off-80x12 80x12 '}}ss'
# the library's search: the list, and Enter opening the document at the hit
screen results-80x14 80x14 'S读完<Enter>' --attrs
screen results-open-80x12 80x12 'S读完<Enter>jj<Enter>'
screen results-none-80x8 80x8 'S没有这个词<Enter>'
finish
