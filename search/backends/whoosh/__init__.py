"""The embedded default backend: a Whoosh index in a folder of generations.

`WhooshBackend` is the only name the rest of Loupe uses from here.
"""

from search.backends.whoosh.backend import WhooshBackend

__all__ = ["WhooshBackend"]
