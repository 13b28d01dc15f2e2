"""Compare the corpus folder with the live index's manifest: what to write, what to remove.

The plan is the difference between two full builds — the one the manifest
describes and the one the folder would give now — computed without reading
the files that did not change: their records come from the manifest, and the
duplicate rules are replayed over every file in walk order, so an update gives
the same articles (same ids, same texts, same paths) as a rebuild would.

An article is rewritten when its id is new, or its text or its file changed
(a renamed file changes the path shown with each hit); it is removed when its
id is no longer in the folder. Articles of changed files are held in memory
until the plan is complete; a change of more than MAX_HELD articles is better
done as a full, streamed build, and the caller falls back to one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from search.article import Article
from search.corpus_state import (
    VANISHED,
    FileState,
    Manifest,
    read_tracked,
    remembered_outcomes,
    resolve_duplicates,
    stat_key,
    unchanged,
)
from search.readers import Note, Skipped, corpus_files

MAX_HELD = 20_000


class ChangeTooLarge(Exception):
    """More changed articles than an update holds: build in full instead."""


@dataclass
class Plan:
    manifest: Manifest
    write: list[Article] = field(default_factory=list)  # new and changed, walk order
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # ids gone from the folder
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    files_read: int = 0

    @property
    def changes_index(self) -> bool:
        return bool(self.write or self.removed)

    @property
    def total(self) -> int:
        return self.unchanged + len(self.write)


def plan_update(
    corpus: Path,
    previous: Manifest,
    settings: str,
    *,
    max_bytes: int,
    settle_ns: int = 0,
) -> Plan:
    """What turns the index `previous` describes into the index of `corpus` now."""
    started_ns = time.time_ns()
    states: dict[str, FileState] = {}
    held: dict[tuple[str, str], Article] = {}
    plan = Plan(Manifest(settings, started_ns, states))

    def read(path: Path, prev: FileState | None) -> None:
        state, outcomes = read_tracked(path, max_bytes, settle_ns)
        plan.files_read += 1
        for item in outcomes:
            if isinstance(item, Article):
                held.setdefault((str(path), item.id), item)
            elif isinstance(item, Skipped):
                plan.skipped.append(item)
            else:
                plan.notes.append(item)
        if len(held) > MAX_HELD:
            raise ChangeTooLarge(f"plus de {MAX_HELD} articles changés")
        if state is not None:
            states[str(path)] = state
        elif prev is not None and outcomes[0].reason != VANISHED:
            states[str(path)] = prev  # in motion: keep serving what it held, read it next run

    for item in corpus_files(corpus):
        if isinstance(item, Skipped):
            plan.skipped.append(item)
            continue
        if isinstance(item, Note):
            plan.notes.append(item)
            continue
        path = str(item)
        prev = previous.files.get(path)
        key = stat_key(item)
        if key is None:
            plan.skipped.append(Skipped(path, VANISHED))
            continue
        if prev is not None and unchanged(item, key, prev, previous.started_ns):
            states[path] = replace(prev, size=key[0], mtime_ns=key[1])
            for outcome in remembered_outcomes(path, prev):
                (plan.skipped if isinstance(outcome, Skipped) else plan.notes).append(outcome)
            continue
        read(item, prev)

    before = previous.winners()
    for _ in range(3):
        winners, plan.duplicates = resolve_duplicates(states.items())
        need = [i for i, where in winners.items() if before.get(i) != where]
        # A winner in an unchanged file (a duplicate that now comes first): read it.
        unread = {winners[i][0] for i in need if (winners[i][0], i) not in held}
        if not unread:
            break
        for path in sorted(unread):
            read(Path(path), states.get(path))
    plan.write = [held[(winners[i][0], i)] for i in need if (winners[i][0], i) in held]
    written = {a.id for a in plan.write}
    plan.added = [a.id for a in plan.write if a.id not in before]
    plan.updated = [a.id for a in plan.write if a.id in before]
    plan.removed = [i for i in before if i not in winners]
    plan.unchanged = sum(1 for i in winners if i not in written and before.get(i) == winners[i])
    return plan
