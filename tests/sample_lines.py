"""Shared by the tests that build long documents from the project's samples: the
stripped lines longer than 8 characters of every samples/*.txt, decoded from whichever
of its encodings reads cleanly, in a fixed order (so that what is built is the same
every run)."""
import glob


def sample_lines(src):
    lines = []
    for f in sorted(glob.glob(src + "/*.txt")):
        raw = open(f, "rb").read()
        for enc in ("utf-8-sig", "utf-16", "gb18030", "big5"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                pass
        lines += [l.strip() for l in text.splitlines() if len(l.strip()) > 8 and "\x00" not in l]
    return lines
