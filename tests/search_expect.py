"""Shared by the search tests: what `dugao search --count` must say for several words,
worked out from the text alone. Several words mean all of them: a paragraph counts
only when it holds every word, and then each hit of any of them, left to right,
without overlaps (a hit that starts inside the one before is not counted)."""


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
