#!/bin/sh
# The terms of each seed, scored with ../shared/tools/terms-score: every expected
# term among the first 40 rows and no fragments.
. "$top_srcdir/tests/lib.sh"
need_shared
score="$DUGAO_SHARED/tools/terms-score"
pairs=""
for f in "$DUGAO_SHARED"/corpus/seeds/*.txt; do
	b=$(basename "$f" .txt)
	[ -f "$DUGAO_SHARED/fixtures/terms/$b.txt" ] || continue
	"$DUGAO" import "$f" >"$TMP/import.out" 2>"$TMP/import.err" || fail "import $b: $(cat "$TMP/import.err")"
	"$DUGAO" terms --tsv "$b" >"$TMP/$b.tsv" 2>"$TMP/terms.err" || fail "terms $b: $(cat "$TMP/terms.err")"
	# every row is TERM<TAB>COUNT<TAB>KIND with a known kind
	bad=$(awk -F'\t' 'NF != 3 || $2 !~ /^[0-9]+$/ || $3 !~ /^(quoted|formula|phrase|glossary)$/' "$TMP/$b.tsv" | head -1)
	expect_eq "$b rows well formed" "$bad" ""
	pairs="$pairs $DUGAO_SHARED/fixtures/terms/$b.txt $TMP/$b.tsv"
done
[ -n "$pairs" ] || fail "no seed with a terms fixture"
# shellcheck disable=SC2086
python3 "$score" $pairs >"$TMP/score" || fail "terms-score failed"
cat "$TMP/score"
while IFS="$(printf '\t')" read -r name recall frags missing; do
	[ "$name" = total ] && continue
	got=${recall#recall }
	expect_eq "$(basename "$name") recall" "${got%/*}" "${got#*/}"
	expect_eq "$(basename "$name") fragments" "${frags#fragments }" "0/${frags#*/}"
done <"$TMP/score"
# --all: a term's documents are the seeds that list it
"$DUGAO" terms --all --tsv >"$TMP/all" || fail "terms --all"
want=$(grep -l "^四个意识	" "$TMP"/*_*.tsv | wc -l | tr -d ' ')
expect_eq "terms --all documents of 四个意识" "$(awk -F'\t' '$1 == "四个意识" { print $2 }' "$TMP/all")" "$want"
expect_status "terms --all with a DOC" 2 "$DUGAO" terms --all 000_ccca6c0d88b9b88c
# --limit cuts the list; the glossary's terms are always found
"$DUGAO" terms --tsv --limit 3 000_ccca6c0d88b9b88c >"$TMP/limit"
expect_eq "--limit 3 rows" "$(wc -l <"$TMP/limit" | tr -d ' ')" 3
mkdir -p "$XDG_CONFIG_HOME/dugao"
printf '稳中求进\n' >"$XDG_CONFIG_HOME/dugao/glossary"
"$DUGAO" import --replace "$DUGAO_SHARED/corpus/seeds/000_ccca6c0d88b9b88c.txt" >/dev/null 2>&1
"$DUGAO" terms --tsv 000_ccca6c0d88b9b88c >"$TMP/glossary"
expect_eq "glossary term listed" "$(grep -c "^稳中求进	[0-9]*	glossary$" "$TMP/glossary")" 1
finish
