"""The index folder: generations, the CURRENT pointer, the build lock.

    index/
      CURRENT              name of the generation readers use (replaced atomically)
      gen-20261124-…/      one complete Whoosh index + meta.json
      gen-….building/      a build in progress (or a stale one, cleaned up)
      build.lock           held (flock) by the one running build

A build writes a new generation beside the live one and switches CURRENT with
`os.replace`, so readers never see a half-built index and a failed or killed
build leaves the previous one serving. The lock is an `flock`: the kernel
drops it when the process dies, so a SIGKILLed build never blocks the next.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from search.backends.base import IndexBusy, IndexMissing
from search.core.records import gazetteer_from_json, gazetteer_to_json
from search.expansion.acronyms import pairs_from_json, pairs_to_json
from search.gazetteer import Gazetteer

CURRENT = "CURRENT"
LOCK = "build.lock"
BUILDING_SUFFIX = ".building"
GAZETTEER_FILE = "gazetteer.json"  # the gazetteer a generation was built with
ACRONYMS_FILE = "acronyms.json"  # acronym definitions read in the corpus at build time
KEEP_GENERATIONS = 2  # the live one and its predecessor (in-flight readers)


GENERATION_NAME = re.compile(r"gen-[0-9T]+-[0-9]+-[0-9]+")
# Fault injection for the crash tests: `LOUPE_CRASH_AT=<point>` makes a build
# SIGKILL itself at that point (a real kill, so the tests see what a power cut or
# the OOM killer leaves), never set outside them.
CRASH_AT_ENV = "LOUPE_CRASH_AT"


def checkpoint(point: str) -> None:
    """Die here, by SIGKILL, if the crash tests asked for this point."""
    if os.environ.get(CRASH_AT_ENV) == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


class DamagedIndex(IndexMissing):
    """The index folder exists but cannot be read: rebuild it with `loupe index`."""


def current_generation(root: Path) -> str | None:
    """Name of the live generation, or None if no build ever completed."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeError) as exc:
        why = exc.__class__.__name__
        raise DamagedIndex(
            f"le pointeur {root / CURRENT} est illisible ({why}) : reconstruisez l'index "
            "avec `loupe index`"
        ) from exc
    if name and not GENERATION_NAME.fullmatch(name):
        raise DamagedIndex(
            f"le pointeur {root / CURRENT} ne nomme pas une génération d'index : "
            "reconstruisez l'index avec `loupe index`"
        )
    return name or None


def generation_path(root: Path, name: str) -> Path:
    return root / name


@contextlib.contextmanager
def build_lock(root: Path, wait: bool = False) -> Iterator[None]:
    """Hold the folder's build lock; refuse (or wait) if another build has it."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError as exc:
            raise IndexBusy(
                f"another `loupe index` is already building {root}; wait for it to finish"
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


def new_building_dir(root: Path) -> Path:
    """A fresh folder for a generation being built (caller holds the lock)."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    name = f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    path = root / (name + BUILDING_SUFFIX)
    path.mkdir(parents=True)
    return path


def clean_stale(root: Path) -> list[str]:
    """Remove leftovers of killed builds (caller holds the lock). Returns their names."""
    removed = []
    for p in root.glob("gen-*" + BUILDING_SUFFIX):
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p.name)
    return removed


def generation_name(building: Path) -> str:
    """The name a generation being built in `building` will be published under."""
    return building.name.removesuffix(BUILDING_SUFFIX)


def publish(root: Path, building: Path, meta: dict) -> str:
    """Make `building` the live generation: rename it, then switch CURRENT atomically."""
    checkpoint("publish")
    name = generation_name(building)
    meta = {**meta, "files": file_sizes(building)}
    (building / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    final = root / name
    try:
        previous = current_generation(root)
    except DamagedIndex:
        previous = None  # a rebuild over a broken pointer: nothing served before it
    os.rename(building, final)
    checkpoint("switch")
    tmp = root / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)
    _drop_old_generations(root, keep={name, previous} - {None})
    return name


def file_sizes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}


def check_files(root: Path, name: str, meta: dict) -> None:
    """Raise DamagedIndex if a file of the generation is missing or changed size.

    Whoosh finds a truncated or deleted segment file only when a query happens
    to read that part of it; comparing sizes with those recorded at publish
    time catches it when the generation is opened, for one stat per file.
    """
    expected = meta.get("files")
    if not expected:
        raise DamagedIndex(
            f"la génération {name} de {root} n'a pas de description lisible (meta.json) : "
            "reconstruisez l'index avec `loupe index`"
        )
    actual = file_sizes(root / name) if (root / name).is_dir() else {}
    for file, size in expected.items():
        if actual.get(file) != size:
            state = "manquant" if file not in actual else "tronqué ou modifié"
            raise DamagedIndex(
                f"l'index {root} est endommagé ({file} {state}) : "
                "reconstruisez-le avec `loupe index`"
            )


def read_meta(root: Path, name: str) -> dict:
    try:
        return json.loads((root / name / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _drop_old_generations(root: Path, keep: set[str]) -> None:
    """Remove every finished generation but the new one and the one it replaced.

    The replaced one stays for readers still in the middle of a query on it. Any
    other is garbage, whatever its name says: an orphan renamed by a build killed
    just before the switch never served, so it must not outlive the previous one.
    """
    for p in root.glob("gen-*"):
        if p.is_dir() and not p.name.endswith(BUILDING_SUFFIX) and p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_gazetteer(gazetteer: Gazetteer, path: Path) -> None:
    """Keep the gazetteer with its generation: queries expand with the aliases
    the documents were indexed with, whatever the corpus's file says later."""
    entries = gazetteer_to_json(gazetteer)
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")


def load_gazetteer(path: Path) -> Gazetteer:
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Gazetteer([])
    return gazetteer_from_json(entries)


def save_acronyms(folder: Path, pairs: list[tuple[str, str]]) -> None:
    """The acronym ↔ expansion pairs the corpus defined, kept with the generation."""
    (folder / ACRONYMS_FILE).write_text(pairs_to_json(pairs), encoding="utf-8")


def load_acronyms(folder: Path) -> list[tuple[str, str]]:
    """A generation's learned pairs; none for a generation built without them."""
    path = folder / ACRONYMS_FILE
    return pairs_from_json(path.read_text("utf-8") if path.is_file() else None)
