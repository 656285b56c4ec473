#!/usr/bin/env python3
"""Writes a deterministic benchmark corpus: documents of 20-120 KB made by drawing
paragraphs at random (fixed seed) from source texts, until the total reaches SIZE MB.

usage: corpus.py OUTDIR SIZE_MB SOURCE_DIR...

Sources are samples/ (texts written for the project) and, when the shared corpus is
there, ../shared/corpus; nothing is copied into the project: the output goes to OUTDIR
(bench/out/, not committed). Each document starts with a title line drawn from the
first lines of the sources, so the importer sees a real document shape."""
import os
import random
import sys

from sources import source_lines


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, size_mb, sources = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    paras, titles = [], []
    for lines in source_lines(sources):
        paras += lines
        titles += [l for l in lines[:3] if 4 <= len(l) <= 40]
    if not paras:
        sys.exit("corpus.py: no source texts in " + " ".join(sources))
    rng = random.Random(20240607)
    os.makedirs(out, exist_ok=True)
    target = int(size_mb * 1024 * 1024)
    total, n = 0, 0
    while total < target:
        want = rng.randint(20, 120) * 1024
        lines = [rng.choice(titles) if titles else "文档", ""]
        size = len(lines[0].encode())
        while size < want:
            p = rng.choice(paras)
            lines.append(p)
            size += len(p.encode()) + 1
        data = ("\n".join(lines) + "\n").encode()
        with open(os.path.join(out, "doc%06d.txt" % n), "wb") as f:
            f.write(data)
        total += len(data)
        n += 1
    print("%d documents, %.1f MB in %s" % (n, total / 1048576, out))


main()
