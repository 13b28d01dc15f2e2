"""Query words in the asker's words: acronyms, word families, compounds.

- `acronyms`: when a query word may be read as an acronym; definitions learned
  from the corpus; the curated list; the gazetteer queries are expanded with.
- `families`: nationality adjectives ↔ places, verb ↔ noun families (data files).
- `related`: `expand_items`, the one call both backends make on a word list.
"""
