"""Where in a text the query's words can be: the parts the highlighter must analyse.

The highlighter runs the full analyzer chain (tokenise, elide, fold, stem) over
up to 24,000 characters per hit to find the few words it marks: 80% of a
results page's time on the real corpus. A stem is, but for a few suffix
rewrites, the start of the folded word it came from, so the places a stem can
match are found with a C-speed substring search over a character-for-character
folded copy of the text; only windows around those places are analysed (wide
enough for the fragments built around a match), the rest is skipped.
"""

from __future__ import annotations

from unidecode import unidecode

WINDOW = 300  # characters analysed each side of a possible match (fragments are ≤ 240)
BUDGET = 3_000  # characters analysed per section at most: the windows richest in query words
_STEM_TAIL = 2  # Snowball may rewrite a stem's last letters (« heureuse » → « heureux »)
_MIN_PROBE = 4


def _one_char_folds() -> dict[int, str]:
    """Lower case without accents, only where that keeps one character for one
    (so offsets in the folded copy are offsets in the text)."""
    table: dict[int, str] = {}
    for code in range(0x0250):
        char = chr(code)
        folded = unidecode(char).lower()
        if len(folded) == 1 and folded != char:
            table[code] = folded
    table[0x2019] = "'"
    return table


_FOLD = _one_char_folds()


def probes(stems: set[str]) -> list[str]:
    """What to look for: each stem without the letters Snowball may have rewritten."""
    out = set()
    for s in stems:
        if not s:
            continue
        out.add(s if len(s) <= _MIN_PROBE else s[: max(_MIN_PROBE, len(s) - _STEM_TAIL)])
    return sorted(out)


def windows(text: str, wanted: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) spans of `text` around every place a probe occurs."""
    folded = text.translate(_FOLD)
    spans: list[tuple[int, int, str]] = []
    for probe in wanted:
        at = folded.find(probe)
        while at >= 0:
            spans.append((max(0, at - WINDOW), min(len(text), at + len(probe) + WINDOW), probe))
            at = folded.find(probe, at + 1)
    if not spans:
        return []
    spans.sort()
    merged: list[list] = []  # [start, end, probes found, occurrences]
    for start, end, probe in spans:
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            last[2].add(probe)
            last[3] += 1
        else:
            merged.append([start, end, {probe}, 1])
    # Where the most distinct query words meet, the snippets will be: analyse
    # those windows first, up to the budget (a word on every line of a long
    # article would otherwise make the whole text one window).
    merged.sort(key=lambda w: (-len(w[2]), -w[3], w[0]))
    kept, used = [], 0
    for w in merged:
        if used >= BUDGET:
            break
        kept.append((w[0], w[1]))
        used += w[1] - w[0]
    kept.sort()
    # Start and end on spaces, so no word is cut in two.
    out = []
    for start, end in kept:
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < end else start
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        out.append((start, end))
    return out
