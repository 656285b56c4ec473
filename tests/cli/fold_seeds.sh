#!/bin/sh
# dugao fold -w 20 on the seed documents, checked by an independent measure (Python's
# unicodedata): no line wider than 20 columns, no line starting with a closing mark or
# ending with an opening one, and the lines of each paragraph joined give it back
# (the paragraph as import and the text pane have it: without trailing spaces).
. "$top_srcdir/tests/lib.sh"
need_shared
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is needed for the independent width check"
	exit 77
fi

cat >"$TMP/check.py" <<'EOF'
import sys, unicodedata
src, out, width, amb = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
CLOSING = set("，。、；：？！）》」』”’…,.;:?!)]}．｡､｣］｝〕〉】〗〙〛")
OPENING = set("（《「『“‘([{［｛〔〈【〖〘〚｢")

def cols(s):
    w = 0
    for ch in s:
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me", "Cf"):
            continue
        eaw = unicodedata.east_asian_width(ch)
        w += 2 if eaw in ("W", "F") or (eaw == "A" and amb == "wide") else 1
    return w

raw = open(src, "rb").read()
for enc in ("utf-8", "gb18030"):
    try:
        text = raw.decode(enc)
        break
    except UnicodeDecodeError:
        pass
text = text.lstrip("\ufeff")
paras = text.split("\n")
if paras and paras[-1] == "":
    paras.pop()
# Lines are read as import reads them (normalise.c): the line ending and trailing
# spaces (ASCII, no-break, ideographic) are not part of the paragraph.
paras = [p[:-1] if p.endswith("\r") else p for p in paras]
paras = [p.rstrip(" \u00a0\u3000") for p in paras]
lines = open(out, encoding="utf-8").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()

bad = 0
def problem(msg):
    global bad
    bad += 1
    if bad <= 10:
        print("  " + msg)

k = 0
for n, p in enumerate(paras, 1):
    got = []
    acc = ""
    while True:
        if k >= len(lines):
            problem("paragraph %d: output ends early" % n)
            break
        line = lines[k]
        k += 1
        got.append(line)
        acc += line
        if acc == p or not p.startswith(acc) or line == "":
            break
    if acc != p:
        problem("paragraph %d: the lines joined are not the paragraph: %r" % (n, acc[:40]))
        break
    for i, line in enumerate(got):
        if cols(line) > width:
            problem("paragraph %d: %d columns: %s" % (n, cols(line), line))
        if i > 0 and line[:1] in CLOSING:
            problem("paragraph %d: starts with a closing mark: %s" % (n, line))
        if i < len(got) - 1 and line.rstrip(" ")[-1:] in OPENING:
            problem("paragraph %d: ends with an opening mark: %s" % (n, line))
if k != len(lines):
    problem("%d lines left over" % (len(lines) - k))
print("%s (%s): %d paragraphs, %d lines, %d problems" % (src.split("/")[-1], amb, len(paras), len(lines), bad))
sys.exit(1 if bad else 0)
EOF

for f in "$DUGAO_SHARED"/corpus/seeds/*; do
	for amb in narrow wide; do
		if ! "$DUGAO" fold -w 20 --ambiguous "$amb" "$f" >"$TMP/out" 2>"$TMP/err"; then
			fail "dugao fold on $f: $(cat "$TMP/err")"
			continue
		fi
		if python3 "$TMP/check.py" "$f" "$TMP/out" 20 "$amb"; then
			echo "ok: $f ($amb)"
		else
			fail "$f ($amb)"
		fi
	done
done

# stdin, errors and exit codes (DESIGN.md §3)
out=$(printf '我们要加快发展，要走什么样的道路？\n' | "$DUGAO" fold -w 10)
expect_eq "stdin" "$out" "我们要加快
发展，要走
什么样的道
路？"
expect_status "a missing file" 1 "$DUGAO" fold /nonexistent/file
expect_eq "one-line error" "$(wc -l <"$TMP/err" | tr -d ' ')" 1
expect_status "width 0" 2 "$DUGAO" fold -w 0 /dev/null
expect_status "bad --ambiguous" 2 "$DUGAO" fold --ambiguous half /dev/null
printf 'abc\0def' >"$TMP/binary"
expect_status "binary input" 1 "$DUGAO" fold "$TMP/binary"
finish
