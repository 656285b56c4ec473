"""Shared by the search tests, worked out from the text alone: what `dugao search
--count` must say for several words, and what is wrong with --tsv rows. Several words
mean all of them: a paragraph counts only when it holds every word, and then each hit
of any of them, left to right, without overlaps (a hit that starts inside the one
before is not counted). Also the folding the search applies, a phrase quoted for the
query syntax, and a run of `dugao search`."""

import json
import subprocess


def fold(s):
    """Written apart from src/fold.c: full-width ASCII to ASCII, U+3000 to space, A-Z
    to lower case."""
    out = []
    for ch in s:
        c = ord(ch)
        if 0xFF01 <= c <= 0xFF5E:
            c -= 0xFEE0
        elif c == 0x3000:
            c = 0x20
        if 0x41 <= c <= 0x5A:
            c += 0x20
        out.append(chr(c))
    return "".join(out)


def quoted(q):
    """One literal phrase, whatever it holds (spaces, quotes, a leading dash)."""
    return '"' + q.replace('"', '""') + '"'


def search(dugao, *args):
    """Exit status, stdout and stderr of `dugao search ARGS`."""
    r = subprocess.run([dugao, "search"] + list(args), capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def paragraphs(dugao, doc):
    """A document's paragraphs by seq, as export's JSON gives them (noise counts in the
    seqs, as in --tsv rows)."""
    out = subprocess.run([dugao, "export", "--format", "json", doc], capture_output=True, text=True,
                         check=True).stdout
    return {p["seq"]: p["text"] for p in json.loads(out)["paragraphs"]}


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


def words_error(lines, words, got):
    """What is wrong with `dugao search --count` output got for several words over
    lines (the words and lines folded as the search folds them), or None."""
    want = words_count(lines, words)
    if got.strip() == str(want):
        return None
    return "words %s: got %r, want %d" % (" ".join(repr(w) for w in words), got.strip(), want)


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
