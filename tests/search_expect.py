"""Shared by the search tests, worked out from the text alone: what `dugao search
--count` must say for several words, and what is wrong with --tsv rows. Several words
mean all of them: a paragraph counts only when it holds every word, and then each hit
of any of them, left to right, without overlaps (a hit that starts inside the one
before is not counted)."""


def words_count(lines, words):
    want = 0
    for l in lines:
        if not all(w in l for w in words):
            continue
        hits = []
        for w in words:
            at = l.find(w)
            while at >= 0:
                hits.append((at, len(w)))
                at = l.find(w, at + 1)
        end = -1
        for at, ln in sorted(hits):
            if at >= end:
                want += 1
                end = at + ln
    return want


def tsv_errors(rows, want, q, paragraph):
    """What is wrong with `dugao search --tsv` rows for the phrase q: their number
    against want, and the first row whose place does not hold q (paragraph(doc, seq)
    gives a paragraph's text)."""
    errors = []
    if len(rows) != want:
        errors.append("--tsv %r: %d rows, want %d" % (q, len(rows), want))
    for row in rows:
        d, para, off, snippet = row.split("\t")
        if paragraph(d, int(para))[int(off):int(off) + len(q)] != q:
            errors.append("--tsv row %r for %r" % (row, q))
            break
    return errors
