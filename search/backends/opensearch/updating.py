"""Incremental runs on OpenSearch: bulk upserts and deletes by id on the live index.

Strategy (documented in the README): a full build still goes to a fresh
generation behind the alias (`OpenSearchBackend.build`); an update writes to
the generation the alias serves. During the update that index's refresh is
turned off, and one refresh at the end makes the whole batch searchable at
once (one shard: no reader sees half of it). OpenSearch has no multi-document
transaction, so a failed update may leave part of its batch applied; the
manifest is only advanced after a complete update, so the next run computes
the same change again and re-applies it — upserts and deletes by id are
idempotent — and converges on the index a rebuild would give.

The manifest (search.corpus_state) lives in a small companion index,
`<alias>-manifests`, one document per generation, compressed and not
indexed; with it is kept the build's `names` table (folded name → first
spelling), so a name keeps the spelling its facet shows across updates.
"""

from __future__ import annotations

import base64
import contextlib
import json
import zlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from opensearchpy import helpers
from opensearchpy.exceptions import NotFoundError

from search.article import Article
from search.backends.opensearch.documents import article_to_doc, no_aliases

if TYPE_CHECKING:
    from opensearchpy import OpenSearch

    from search.expansion.acronyms import AcronymLearner
    from search.gazetteer import Gazetteer


class AliasedIndex(Protocol):
    """What a write session needs of the OpenSearch backend it writes for (the
    backend imports this module, so the session names no backend class)."""

    index_name: str
    client: OpenSearch

    def current_generation(self) -> str | None: ...

    def build(
        self, articles: Iterable[Article], gazetteer=None, wait=False, names=None, acronyms=None
    ) -> int: ...


BULK_CHUNK = 500


def manifests_index(backend: AliasedIndex) -> str:
    return f"{backend.index_name}-manifests"


class OpenSearchWriteSession:
    def __init__(self, backend: AliasedIndex) -> None:
        self.backend = backend
        self.client = backend.client
        self.live = backend.current_generation()
        self.names: dict[str, str] = {}

    # -- the manifest ----------------------------------------------------------
    def manifest(self) -> dict | None:
        """The live generation's manifest (and its names table), or None."""
        if self.live is None:
            return None
        try:
            doc = self.client.get(index=manifests_index(self.backend), id=self.live)
        except NotFoundError:
            return None
        try:
            state = json.loads(zlib.decompress(base64.b64decode(doc["_source"]["payload"])))
        except (KeyError, ValueError, zlib.error):
            return None
        self.names = state.get("names", {})
        return state.get("manifest")

    def _save_manifest(self, generation: str, manifest: dict) -> None:
        index = manifests_index(self.backend)
        if not self.client.indices.exists(index=index):
            self.client.indices.create(
                index=index,
                body={
                    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
                    "mappings": {"dynamic": False, "properties": {}},
                },
            )
        state = {"manifest": manifest, "names": self.names}
        payload = base64.b64encode(zlib.compress(json.dumps(state).encode("utf-8"), 6))
        self.client.index(
            index=index, id=generation, body={"payload": payload.decode("ascii")}, refresh=True
        )

    # -- writing ---------------------------------------------------------------
    def rebuild(
        self,
        articles: Iterable[Article],
        gazetteer: Gazetteer,
        manifest,
        acronyms=None,
        workers: int = 1,
        before_publish=None,
        eager_writers=None,
    ) -> int:
        """A fresh generation behind the alias, with its manifest. (`workers`
        and `eager_writers` steer the Whoosh writers: the cluster's nodes write
        in parallel already, fed by the bulk helper.)"""
        self.names = {}
        previous = self.live
        count = self.backend.build(
            articles,
            gazetteer=gazetteer,
            names=self.names,
            acronyms=acronyms,
            before_publish=before_publish,
        )
        self.live = self.backend.current_generation()
        assert self.live is not None
        self._save_manifest(self.live, manifest())
        if previous and previous != self.live:
            with contextlib.suppress(NotFoundError):
                self.client.delete(index=manifests_index(self.backend), id=previous)
        return count

    def update(
        self,
        articles: Iterable[Article],
        removed: Iterable[str],
        gazetteer: Gazetteer,
        manifest,
        acronyms: AcronymLearner | None = None,
        before_publish=None,
    ) -> int:
        """Upsert `articles` and delete the other `removed` ids in the live index,
        made searchable by one refresh. Returns the number of articles written.
        The acronyms the written articles define join those the index had learnt.
        `before_publish(name)` runs once every write is accepted, before that refresh."""
        assert self.live is not None, "update() needs a live generation (see manifest())"
        live = self.live
        aliases_of = gazetteer.aliases_of if gazetteer.entries else no_aliases
        written: set[str] = set()
        gone = list(removed)

        def actions() -> Iterator[dict[str, Any]]:
            for article in articles:
                written.add(article.id)
                doc = article_to_doc(article, self.names, aliases_of)
                yield {"_index": live, "_id": article.id, "_source": doc}
            for article_id in gone:
                if article_id not in written:
                    yield {"_op_type": "delete", "_index": live, "_id": article_id}

        indices = self.client.indices
        indices.put_settings(index=live, body={"index": {"refresh_interval": "-1"}})
        try:
            for ok, item in helpers.streaming_bulk(
                self.client,
                actions(),
                chunk_size=BULK_CHUNK,
                raise_on_error=False,
                raise_on_exception=True,
                max_retries=3,
            ):
                if not ok and not _deleted_already(item):
                    raise RuntimeError(f"OpenSearch a refusé une écriture : {item}")
            if before_publish is not None:
                before_publish(live)
        finally:
            indices.put_settings(index=live, body={"index": {"refresh_interval": "1s"}})
            indices.refresh(index=live)
        count = self.client.count(index=live)["count"]
        meta = indices.get_mapping(index=live)[live]["mappings"].get("_meta", {})
        learned = {str(a): str(x) for a, x in meta.get("acronyms") or []}
        if acronyms is not None:
            learned.update(acronyms.pairs())
        meta = {**meta, "articles": count, "acronyms": [list(p) for p in sorted(learned.items())]}
        indices.put_mapping(index=live, body={"_meta": meta})
        self._save_manifest(live, manifest())
        return len(written)


def _deleted_already(item: dict) -> bool:
    """A delete of an id the index no longer holds is not an error."""
    delete = item.get("delete")
    return bool(delete) and delete.get("status") == 404
