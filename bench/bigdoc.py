#!/usr/bin/env python3
"""Writes one long deterministic document for the reader benchmark: about SIZE MB of
paragraphs drawn at random (fixed seed) from source texts, under numbered headings
(一、 … with （一） … below), so that the outline has thousands of sections.

usage: bigdoc.py OUT SIZE_MB SOURCE_DIR...

Sources are samples/ (texts written for the project) and, when present, ../shared/
corpus; nothing is copied into the project: OUT goes to bench/out/ (not committed)."""
import random
import sys

from sources import source_lines

DIGITS = "零一二三四五六七八九"


def numeral(n):
    """Chinese numerals for 1..9999 (一, 十一, 二十, 一百零五, 一千二百)."""
    parts, units = [], ["千", "百", "十", ""]
    s = "%04d" % n
    zero = False
    for i, ch in enumerate(s):
        d = int(ch)
        if d == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        if not (d == 1 and units[i] == "十" and not parts):
            parts.append(DIGITS[d])
        parts.append(units[i])
    return "".join(parts)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, size_mb, sources = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    paras = []
    for lines in source_lines(sources):
        paras += [l for l in lines if len(l) >= 40]
    if not paras:
        sys.exit("bigdoc.py: no source texts in " + " ".join(sources))
    rng = random.Random(20261123)
    target = int(size_mb * 1024 * 1024)
    lines = ["阅读器基准测试长文档", "（基准测试用）", "同志们："]
    size, top = 0, 0
    while size < target:
        top += 1
        lines.append("%s、关于第%s方面的工作" % (numeral(top), numeral(top)))
        for sub in range(1, rng.randint(3, 8)):
            lines.append("（%s）%s" % (numeral(sub), rng.choice(paras)[:14].rstrip("，。、；：")))
            for _ in range(rng.randint(3, 12)):
                p = rng.choice(paras)
                lines.append(p)
                size += len(p.encode()) + 1
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
