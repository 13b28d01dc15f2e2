"""The search systems the benchmarks compare, behind one small interface.

Each engine module builds an index from a corpus folder and opens a session that
answers `BenchQuery`s; the harness never touches Whoosh, SQLite or Tantivy
objects directly, so adding a system means adding one module here.
"""

from __future__ import annotations

from bench.engines.base import Engine, EngineUnavailable

ENGINE_NAMES = (
    "loupe",
    "loupe-plain",
    "loupe-semantic",
    "whoosh",
    "fts5",
    "tantivy",
    "opensearch",
)


def get_engine(name: str) -> Engine:
    """The engine called `name`; raises EngineUnavailable if it cannot run here."""
    if name == "whoosh":
        from bench.engines.whoosh_plain import WhooshPlain

        return WhooshPlain()
    if name == "fts5":
        from bench.engines.fts5 import Fts5

        return Fts5()
    if name == "tantivy":
        from bench.engines.tantivy_fr import TantivyFrench

        return TantivyFrench()
    if name == "loupe":
        from bench.engines.loupe import LoupeEngine

        return LoupeEngine()
    if name == "loupe-plain":
        from bench.engines.loupe import LoupePlainEngine

        return LoupePlainEngine()
    if name == "loupe-semantic":
        from bench.engines.loupe import LoupeSemanticEngine

        return LoupeSemanticEngine()
    if name == "opensearch":
        from bench.engines.opensearch import OpenSearchEngine

        return OpenSearchEngine()
    raise ValueError(f"unknown engine {name!r}; known: {', '.join(ENGINE_NAMES)}")


__all__ = ["ENGINE_NAMES", "Engine", "EngineUnavailable", "get_engine"]
