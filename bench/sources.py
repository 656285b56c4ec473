"""Shared by the corpus generators: the non-empty, stripped lines of every UTF-8 .txt
file in the given directories, in a fixed order (so that generation is deterministic).
Directories that do not exist are skipped: ../shared is absent in a user's clone."""
import os


def source_lines(dirs):
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".txt"):
                continue
            try:
                text = open(os.path.join(d, name), encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            yield [l.strip() for l in text.splitlines() if l.strip()]
