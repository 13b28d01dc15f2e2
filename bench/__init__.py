"""Loupe's benchmarks and relevance evaluation.

Not part of the test run: these modules print tables. `python -m bench` measures
build, query and server speed against plain Whoosh, SQLite FTS5 and Tantivy;
`python -m bench.relevance` scores ranking quality on the judged dev queries.
Everything they generate lives under `.cache/bench/` (git-ignored).
"""
