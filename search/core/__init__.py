"""Loupe's rules, written once and shared by every engine (see docs/architecture.md).

Nothing in this package imports an engine, Flask or the web: the backends under
`search/backends/` translate these rules into Whoosh or OpenSearch terms.
"""
