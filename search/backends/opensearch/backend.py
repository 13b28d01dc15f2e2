"""`OpenSearchBackend`: Loupe's `Backend` protocol over an OpenSearch cluster.

Generations: `build` indexes into a fresh `<name>-<timestamp>` index and moves
the `<name>` alias onto it in one `_aliases` call, so a reader sees the old
index or the new one, never half of one, and a failed build leaves the alias
where it was. Older generations are deleted only after the switch.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from functools import wraps
from typing import Any, NoReturn, TypeVar

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import ConnectionError as ClusterUnreachable
from opensearchpy.exceptions import NotFoundError

from search.article import Article, Entity
from search.backends.base import (
    FACET_FIELDS,
    SORTS,
    DateCounts,
    FacetValue,
    Filters,
    Hit,
    IndexMissing,
    IndexStats,
    Results,
    SearchRequest,
)
from search.backends.opensearch.documents import (
    article_to_doc,
    doc_to_article,
    no_aliases,
)
from search.backends.opensearch.highlight import hit_snippets
from search.backends.opensearch.mapping import (
    DEFAULT_URL,
    GAZETTEER_RECHECK_SECONDS,
    MAX_RESULT_WINDOW,
    URL_ENV,
    index_body,
)
from search.backends.opensearch.proximity import positions_of, word_weights
from search.backends.opensearch.querying import MATCH_ALL, prefix_regex, to_dsl
from search.backends.opensearch.updating import OpenSearchWriteSession
from search.core.entity_types import ENTITY_FIELDS, group_entities, listed_types
from search.core.french import STOP_WORDS, WORD_PATTERN, fold
from search.core.ranking import (
    MAX_ENTITY_LIST,
    MAX_PER_PAGE,
    MAX_SNIPPETS,
    SEMANTIC_DEPTH,
    SNIPPET_CHARS,
    WINDOW_DEPTH,
)
from search.core.records import gazetteer_from_json
from search.core.suggestions import (
    autocomplete,
    checked_terms,
    corrected_query,
    max_frequency_to_correct,
)
from search.expansion.acronyms import AcronymLearner, with_acronyms
from search.gazetteer import Gazetteer
from search.names import canonical_filters
from search.proximity import window_words, windowed
from search.query import Node, Term

EXPORT_SCROLL_SIZE = 500  # hits per scroll page of an export


def url_from_env() -> str:
    return os.environ.get(URL_ENV) or DEFAULT_URL


_GENERATION_RE_TEMPLATE = r"^{name}-\d{{8}}t\d{{12}}$"

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _unreachable_is_missing(method: _Method) -> _Method:
    """A cluster that cannot be reached serves no index: say so the way a missing
    Whoosh folder does (`IndexMissing`), so the web answers 503 and the CLI one
    line, instead of a transport traceback."""

    @wraps(method)
    def wrapper(self: OpenSearchBackend, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except ClusterUnreachable as error:
            raise IndexMissing(f"cluster OpenSearch injoignable à {self.url}") from error

    return wrapper  # type: ignore[return-value]


# What a hit reads of a stored document (searches and exports alike).
HIT_SOURCE_FIELDS = ["id", "title", "url", "source", "published", "sections", "entities"]


class OpenSearchBackend:
    """Loupe's `Backend` protocol over an OpenSearch cluster reached by URL."""

    def __init__(
        self,
        url: str,
        index_name: str = "loupe",
        *,
        shards: int = 1,
        replicas: int = 0,
        **client_options: Any,
    ) -> None:
        if index_name != index_name.lower() or not index_name:
            raise ValueError("OpenSearch index names are lower case and not empty")
        self.url = url
        self.index_name = index_name
        self.shards = shards
        self.replicas = replicas
        client_options.setdefault("timeout", 60)
        # several nodes as `http://a:9200,http://b:9200`: the client spreads requests
        hosts = [h.strip() for h in url.split(",") if h.strip()]
        self.client = OpenSearch(hosts=hosts, **client_options)
        self._generation_re = re.compile(_GENERATION_RE_TEMPLATE.format(name=re.escape(index_name)))
        # (checked at, generation, its gazetteer): replaced whole, so threads
        # never see a gazetteer paired with another generation's name
        self._gazetteer_state: tuple[float, str | None, Gazetteer | None] = (
            -GAZETTEER_RECHECK_SECONDS,
            None,
            None,
        )

    @classmethod
    def from_env(cls, index_name: str = "loupe", **options: Any) -> OpenSearchBackend:
        return cls(url_from_env(), index_name, **options)

    # -- generations --------------------------------------------------------

    def _new_generation_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
        return f"{self.index_name}-{stamp}"

    def current_generation(self) -> str | None:
        """The concrete index the alias points to, or None before the first build."""
        try:
            found = self.client.indices.get_alias(name=self.index_name)
        except NotFoundError:
            return None
        names = sorted(found)
        return names[-1] if names else None

    def generations(self) -> list[str]:
        """Every index of this backend's name pattern, oldest first."""
        try:
            found = self.client.indices.get_alias(
                index=f"{self.index_name}-*", expand_wildcards="all"
            )
        except NotFoundError:
            return []
        return sorted(n for n in found if self._generation_re.match(n))

    @_unreachable_is_missing
    def build(
        self,
        articles: Iterable[Article],
        gazetteer: Gazetteer | None = None,
        wait: bool = False,
        names: dict[str, str] | None = None,
        acronyms: AcronymLearner | None = None,
        before_publish: Callable[[str], None] | None = None,
    ) -> int:
        """Index all articles into a fresh generation and switch the alias atomically.

        The gazetteer's aliases are indexed with each entity, and the gazetteer
        is saved with the generation: queries are expanded with the same aliases
        the documents were indexed with (`search.indexer` passes it in).
        `wait` changes nothing here: each build writes its own generation and the
        alias switch is one atomic call, so two builds never share an index.
        `before_publish(name)` runs once the generation is complete, before the
        alias moves (what Loupe keeps beside it is written then)."""
        if self.client.indices.exists(index=self.index_name) and not (
            self.client.indices.exists_alias(name=self.index_name)
        ):
            raise RuntimeError(
                f"{self.index_name!r} is a concrete index, not an alias; "
                "Loupe will not overwrite it"
            )
        new = self._new_generation_name()
        body = index_body(self.shards, replicas=0, gazetteer=gazetteer)
        body["mappings"]["_meta"]["built_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.client.indices.create(index=new, body=body)
        aliases_of = gazetteer.aliases_of if gazetteer is not None else no_aliases
        try:
            count, words = self._bulk_load(new, articles, aliases_of, names)
            learned = acronyms.pairs() if acronyms is not None else []
            self.client.indices.put_settings(
                index=new,
                body={"index": {"refresh_interval": "1s", "number_of_replicas": self.replicas}},
            )
            self.client.indices.refresh(index=new)
            self.client.indices.put_mapping(
                index=new,
                body={
                    "_meta": {
                        **body["mappings"]["_meta"],
                        "articles": count,
                        "terms": len(words),
                        # acronym definitions read in the corpus while it streamed in
                        "acronyms": [list(p) for p in learned],
                    }
                },
            )
            self.client.cluster.health(index=new, wait_for_status="yellow", request_timeout=40)
            if before_publish is not None:
                before_publish(new)
            old = [n for n in self._alias_targets() if n != new]
            actions = [{"remove": {"index": n, "alias": self.index_name}} for n in old]
            actions.append({"add": {"index": new, "alias": self.index_name}})
            self.client.indices.update_aliases(body={"actions": actions})
            # this process's searches switch to the new gazetteer at once
            self._gazetteer_state = (
                time.monotonic(),
                new,
                with_acronyms(gazetteer or Gazetteer([]), learned),
            )
        except BaseException:
            # the alias never moved; drop the half-built generation, keep the first error
            with contextlib.suppress(Exception):
                self.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        for name in self.generations():
            if name != new:
                self.client.indices.delete(index=name, ignore_unavailable=True)
        return count

    @contextlib.contextmanager
    def writing(self, wait: bool = False):
        """An incremental run's session (see `updating.OpenSearchWriteSession`)."""
        yield OpenSearchWriteSession(self)

    def _alias_targets(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.index_name))
        except NotFoundError:
            return []

    def _bulk_load(
        self,
        index: str,
        articles: Iterable[Article],
        aliases_of: Callable[[str], list[str]] = no_aliases,
        names: dict[str, str] | None = None,
    ) -> tuple[int, set[str]]:
        """Stream `articles` into `index`. `names` (folded name → first spelling)
        is filled as documents go; an update passes the build's, kept with the
        manifest, so a name keeps one spelling across updates."""
        words: set[str] = set()
        names = {} if names is None else names

        def actions() -> Iterator[dict[str, Any]]:
            for article in articles:
                for text in [article.title, *article.headings, article.body]:
                    words.update(w for w in WORD_PATTERN.findall(fold(text)) if w not in STOP_WORDS)
                doc = article_to_doc(article, names, aliases_of)
                yield {"_index": index, "_id": article.id, "_source": doc}

        count = 0
        for ok, _item in helpers.streaming_bulk(
            self.client,
            actions(),
            chunk_size=500,
            max_chunk_bytes=20 * 1024 * 1024,
            raise_on_error=True,
            max_retries=3,
        ):
            if ok:
                count += 1
        return count, words

    # -- reading ------------------------------------------------------------

    def _gazetteer(self) -> Gazetteer | None:
        """The gazetteer stored with the generation the alias serves (None if that
        generation has none), re-read when a new generation goes live."""
        checked, generation, gazetteer = self._gazetteer_state
        now = time.monotonic()
        if now - checked < GAZETTEER_RECHECK_SECONDS:
            return gazetteer
        current = self.current_generation()
        if current != generation:
            gazetteer = None
            if current is not None:
                mapping = self.client.indices.get_mapping(index=current)
                meta = mapping[current]["mappings"].get("_meta", {})
                gazetteer = with_acronyms(
                    gazetteer_from_json(meta.get("gazetteer") or []),
                    [(str(a), str(x)) for a, x in meta.get("acronyms") or []],
                )
        self._gazetteer_state = (now, current, gazetteer)
        return gazetteer

    def _raise_if_missing(self, error: NotFoundError) -> NoReturn:
        raise IndexMissing(
            f"no OpenSearch index behind alias {self.index_name!r} at {self.url}: run a build"
        ) from error

    @_unreachable_is_missing
    def search(self, request: SearchRequest) -> Results:
        if request.sort not in SORTS:
            raise ValueError(f"unknown sort {request.sort!r}; expected one of {SORTS}")
        per_page = max(1, min(request.per_page, MAX_PER_PAGE))
        page = max(1, request.page)
        start = (page - 1) * per_page
        size = max(0, min(per_page, MAX_RESULT_WINDOW - start))
        reorder = _reorders(request, start + size)
        window = _window_words(request, start + size)
        if reorder or window:  # the best candidates are fetched, reordered, then the page cut
            start, size = 0, max(SEMANTIC_DEPTH if reorder else 0, WINDOW_DEPTH if window else 0)
        gazetteer = self._gazetteer()

        body: dict[str, Any] = {
            "query": {
                "bool": {
                    "must": [to_dsl(request.query, gazetteer)],
                    "filter": self._filters(canonical_filters(request.filters, gazetteer)),
                }
            },
            "from": min(start, MAX_RESULT_WINDOW),
            "size": size,
            "timeout": f"{max(1, int(request.time_limit * 1000))}ms",
            "track_total_hits": True,
            "track_scores": True,
            "sort": self._sort(request.sort),
            "_source": {"includes": HIT_SOURCE_FIELDS},
        }
        if request.with_snippets:
            body["highlight"] = self._highlight()
        if request.with_facets:
            body["aggs"] = self._facet_aggs(max(1, request.facet_limit))
        checked = checked_terms(request.query)
        if checked:
            body["suggest"] = self._spelling_suggesters(checked)

        started = time.monotonic()
        try:
            resp = self.client.search(
                index=self.index_name,
                body=body,
                request_timeout=request.time_limit + 10,
                allow_partial_search_results=True,
            )
        except NotFoundError as error:
            self._raise_if_missing(error)
        hits = [self._hit(h, request.with_snippets) for h in resp["hits"]["hits"]]
        if window and hits:
            hits = self._windowed(hits, window)
        took_ms = (time.monotonic() - started) * 1000
        if reorder and hits:
            fused = request.rerank([h.id for h in hits], [h.score for h in hits])
            for hit, score in zip(hits, fused, strict=True):
                hit.score = score
            hits.sort(key=lambda h: -h.score)
        if (reorder or window) and hits:
            first = (page - 1) * per_page
            hits = hits[first : first + per_page]
        facets = self._facets(resp.get("aggregations", {})) if request.with_facets else {}
        shards = resp.get("_shards", {})
        return Results(
            total=resp["hits"]["total"]["value"],
            hits=hits,
            facets=facets,
            suggestion=self._suggestion(
                request.query, checked, resp.get("suggest", {}), resp["hits"]["total"]["value"]
            ),
            took_ms=round(took_ms, 2),
            partial=bool(resp.get("timed_out")) or bool(shards.get("failed")),
            page=page,
            per_page=per_page,
        )

    def _windowed(self, hits: list[Hit], words: list[str]) -> list[Hit]:
        """The candidates with the window bonus of `search.proximity`, their
        positions read from the exact fields' term vectors."""
        by_id = {h.id: h for h in hits}
        top = windowed(
            [(h.id, h.score) for h in hits],
            words,
            word_weights(self.client, self.index_name, words),
            lambda ids: positions_of(self.client, self.index_name, ids, words),
        )
        for article_id, score in top:
            by_id[article_id].score = round(score, 4)
        return [by_id[article_id] for article_id, _ in top]

    @staticmethod
    def _highlight() -> dict[str, Any]:
        return {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "type": "unified",
            "fragment_size": SNIPPET_CHARS,
            "number_of_fragments": MAX_SNIPPETS,
            "order": "score",
            # the query reads `text`; mark the same terms in the body, whose
            # analyzers are the same (stemmed and exact)
            "require_field_match": False,
            "fields": {
                "body.exact": {},
                "body": {"no_match_size": SNIPPET_CHARS},
            },
        }

    @staticmethod
    def _filters(f: Filters) -> list[dict[str, Any]]:
        clauses: list[dict[str, Any]] = []
        for field, values in (
            ("persons.folded", f.persons),
            ("orgs.folded", f.orgs),
            ("places.folded", f.places),
            ("source.folded", f.sources),
        ):
            clauses.extend({"term": {field: value}} for value in values)
        if f.date_from or f.date_to:
            bounds = {}
            if f.date_from:
                bounds["gte"] = f.date_from.isoformat()
            if f.date_to:
                bounds["lte"] = f.date_to.isoformat()
            clauses.append({"range": {"published": bounds}})
        return clauses

    @staticmethod
    def _sort(sort: str) -> list[Any]:
        if sort == "newest":
            return [{"published": {"order": "desc", "missing": "_last"}}, "_score"]
        if sort == "oldest":
            return [{"published": {"order": "asc", "missing": "_last"}}, "_score"]
        return ["_score", {"published": {"order": "desc", "missing": "_last"}}]

    @staticmethod
    def _facet_aggs(limit: int) -> dict[str, Any]:
        aggs: dict[str, Any] = {
            name: {"terms": {"field": f"{name}.keyword", "size": limit}}
            for name in ("persons", "orgs", "places")
        }
        aggs["sources"] = {"terms": {"field": "source", "size": limit}}
        aggs["months"] = {"terms": {"field": "month", "size": limit, "order": {"_key": "desc"}}}
        return aggs

    @staticmethod
    def _facets(aggs: dict[str, Any]) -> dict[str, list[FacetValue]]:
        return {
            name: [
                FacetValue(b["key"], b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])
            ]
            for name in FACET_FIELDS
        }

    @staticmethod
    def _spelling_suggesters(terms: list[Term]) -> dict[str, Any]:
        """Two term suggesters per word on the exact field: one for unknown words,
        one for words in at most one article (used when few articles match)."""
        suggesters: dict[str, Any] = {}
        for i, term in enumerate(terms):
            common = {"field": "words", "min_word_length": 3, "sort": "score", "size": 1}
            suggesters[f"unknown{i}"] = {
                "text": term.text,
                "term": {**common, "suggest_mode": "missing"},
            }
            suggesters[f"rare{i}"] = {
                "text": term.text,
                "term": {**common, "suggest_mode": "popular", "max_term_freq": 1},
            }
        return suggesters

    @staticmethod
    def _suggestion(
        query: Node | None, terms: list[Term], suggest: dict[str, Any], total: int
    ) -> str | None:
        """The query with misspelt words corrected (`search.core.suggestions`): the
        `unknown` suggester's answer, or the `rare` one's when few articles match."""
        if not suggest:
            return None
        kind = "rare" if max_frequency_to_correct(total) else "unknown"
        index = {term: i for i, term in enumerate(terms)}

        def correct(term: Term) -> str | None:
            text = term.text
            entries = suggest.get(f"{kind}{index.get(term, -1)}", [])
            # replace from the end so earlier offsets stay valid
            for entry in sorted(entries, key=lambda e: e["offset"], reverse=True):
                if entry.get("options"):
                    start, length = entry["offset"], entry["length"]
                    text = text[:start] + entry["options"][0]["text"] + text[start + length :]
            return text if text != term.text else None

        return corrected_query(query, correct)

    @staticmethod
    def _hit(raw: dict[str, Any], with_snippets: bool) -> Hit:
        doc = raw.get("_source", {})
        published = doc.get("published")
        entities = group_entities(Entity(**e) for e in doc.get("entities", []))
        sections = doc.get("sections", [])
        return Hit(
            id=doc.get("id", raw["_id"]),
            title=doc.get("title") or "",
            url=doc.get("url"),
            source=doc.get("source"),
            published=date.fromisoformat(published) if published else None,
            score=round(float(raw.get("_score") or 0.0), 4),
            snippets=hit_snippets(raw, sections) if with_snippets else [],
            entities=entities,
        )

    # -- investigating: per-day counts for timelines --------------------------------
    @_unreachable_is_missing
    def date_counts(self, request: SearchRequest | None) -> DateCounts:
        """Matches per publication day (None: the whole index), from a date
        histogram aggregation: no hit is fetched."""
        gazetteer = self._gazetteer()
        if request is None:
            query: dict[str, Any] = {"match_all": {}}
            timeout = "10s"
        else:
            query = {
                "bool": {
                    "must": [to_dsl(request.query, gazetteer)],
                    "filter": self._filters(canonical_filters(request.filters, gazetteer)),
                }
            }
            timeout = f"{max(1, int(request.time_limit * 1000))}ms"
        body = {
            "query": query,
            "size": 0,
            "timeout": timeout,
            "track_total_hits": True,
            "aggs": {
                "days": {
                    "date_histogram": {
                        "field": "published",
                        "calendar_interval": "day",
                        "min_doc_count": 1,
                    }
                },
                "undated": {"missing": {"field": "published"}},
            },
        }
        try:
            resp = self.client.search(index=self.index_name, body=body)
        except NotFoundError as error:
            self._raise_if_missing(error)
        aggs = resp.get("aggregations", {})
        per_day = {
            datetime.fromtimestamp(b["key"] / 1000, tz=UTC).date(): b["doc_count"]
            for b in aggs.get("days", {}).get("buckets", [])
        }
        return DateCounts(
            per_day=per_day,
            undated=aggs.get("undated", {}).get("doc_count", 0),
            total=resp["hits"]["total"]["value"],
            partial=bool(resp.get("timed_out")),
        )

    def iter_hits(self, request: SearchRequest) -> Iterator[Hit]:
        """Every hit of `request` in its order (for exports), through a scroll that
        keeps the search's sort: no result window, a few hundred hits in memory."""
        gazetteer = self._gazetteer()
        body: dict[str, Any] = {
            "query": {
                "bool": {
                    "must": [to_dsl(request.query, gazetteer)],
                    "filter": self._filters(canonical_filters(request.filters, gazetteer)),
                }
            },
            "track_scores": True,
            "sort": self._sort(request.sort),
            "_source": {"includes": HIT_SOURCE_FIELDS},
        }
        if request.with_snippets:
            body["highlight"] = self._highlight()
        try:
            for raw in helpers.scan(
                self.client,
                query=body,
                index=self.index_name,
                preserve_order=True,
                size=EXPORT_SCROLL_SIZE,
                scroll="2m",
                clear_scroll=True,
            ):
                yield self._hit(raw, request.with_snippets)
        except NotFoundError as error:
            self._raise_if_missing(error)
        except ClusterUnreachable as error:
            raise IndexMissing(f"cluster OpenSearch injoignable à {self.url}") from error

    def gazetteer(self) -> Gazetteer | None:
        """The gazetteer stored with the live generation (batch rows report its spellings)."""
        return self._gazetteer()

    def all_articles(self) -> Iterator[Article]:
        """Every article of the live generation, for `loupe export` (scrolls, so
        memory stays flat whatever the index size)."""
        try:
            for raw in helpers.scan(
                self.client, index=self.index_name, query={"query": MATCH_ALL}, size=500
            ):
                yield doc_to_article(raw["_source"])
        except NotFoundError as error:
            self._raise_if_missing(error)
        except ClusterUnreachable as error:
            raise IndexMissing(f"cluster OpenSearch injoignable à {self.url}") from error

    @_unreachable_is_missing
    def more_like(self, article: Article, limit: int) -> list[Hit]:
        """Topical neighbours: OpenSearch's `more_like_this` over the stemmed text
        (title, headings, body), given the article's own text, itself left out."""
        body = {
            "query": {
                "bool": {
                    "must": {
                        "more_like_this": {
                            "fields": ["text"],
                            "like": article.full_text,
                            "max_query_terms": 10,  # as Whoosh's MORE_LIKE_TERMS
                            "min_term_freq": 1,
                            "min_doc_freq": 1,
                            "minimum_should_match": "1",  # any key term, as Whoosh's
                        }
                    },
                    "must_not": {"ids": {"values": [article.id]}},
                }
            },
            "size": limit,
            "_source": {"includes": ["id", "title", "url", "source", "published"]},
        }
        resp = self.client.search(index=self.index_name, body=body)
        return [self._hit(raw, False) for raw in resp["hits"]["hits"]]

    @_unreachable_is_missing
    def get(self, article_id: str) -> Article | None:
        try:
            resp = self.client.get(index=self.index_name, id=article_id)
        except NotFoundError as error:
            if _is_missing_index(error):
                self._raise_if_missing(error)
            return None
        return doc_to_article(resp["_source"])

    @_unreachable_is_missing
    def entities(self, type_: str | None, prefix: str, limit: int) -> list[FacetValue]:
        """Canonical entity names, most cited first, one of whose words starts with `prefix`."""
        types = listed_types(type_)
        if not types:
            return []
        limit = max(1, min(limit, MAX_ENTITY_LIST))
        aggs = {}
        for t in types:
            terms: dict[str, Any] = {"field": f"{ENTITY_FIELDS[t]}.keyword", "size": limit}
            if prefix.strip():
                terms["include"] = prefix_regex(prefix.strip())
            aggs[t] = {"terms": terms}
        try:
            resp = self.client.search(index=self.index_name, body={"size": 0, "aggs": aggs})
        except NotFoundError as error:
            self._raise_if_missing(error)
        merged: Counter[str] = Counter()
        for t in types:
            for bucket in resp["aggregations"][t]["buckets"]:
                merged[bucket["key"]] += bucket["doc_count"]
        ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
        return [FacetValue(name, count) for name, count in ranked[:limit]]

    @_unreachable_is_missing
    def suggest(self, prefix: str, limit: int) -> list[str]:
        """Autocomplete (`search.core.suggestions.autocomplete`): entity names, then
        the last word completed from the corpus words (a completion suggester)."""
        return autocomplete(prefix, limit, self._entity_names, self._completions)

    def _entity_names(self, prefix: str, limit: int) -> list[str]:
        return [v.value for v in self.entities(None, prefix, limit)]

    def _completions(self, word: str, limit: int) -> list[str]:
        body = {
            "suggest": {
                "complete": {
                    "prefix": word,
                    "completion": {"field": "suggest", "size": limit, "skip_duplicates": True},
                }
            },
            "_source": False,
        }
        try:
            resp = self.client.search(index=self.index_name, body=body)
        except NotFoundError as error:
            self._raise_if_missing(error)
        return [option["text"] for option in resp["suggest"]["complete"][0]["options"]]

    @_unreachable_is_missing
    def stats(self) -> IndexStats:
        generation = self.current_generation()
        if generation is None:
            raise IndexMissing(f"no OpenSearch index behind alias {self.index_name!r}")
        mapping = self.client.indices.get_mapping(index=generation)
        meta = mapping[generation]["mappings"].get("_meta", {})
        aggs = {
            t: {"cardinality": {"field": f"{field}.keyword"}} for t, field in ENTITY_FIELDS.items()
        }
        resp = self.client.search(
            index=generation, body={"size": 0, "track_total_hits": True, "aggs": aggs}
        )
        return IndexStats(
            generation=generation,
            articles=resp["hits"]["total"]["value"],
            terms=int(meta.get("terms", 0)),
            entities={t: int(resp["aggregations"][t]["value"]) for t in ENTITY_FIELDS},
            built_at=meta.get("built_at"),
        )


def _is_missing_index(error: NotFoundError) -> bool:
    info = error.info if isinstance(error.info, dict) else {}
    reason = info.get("error", {})
    return isinstance(reason, dict) and reason.get("type") == "index_not_found_exception"


def _window_words(request: SearchRequest, last: int) -> list[str]:
    """The typed words whose window bonus (`search.proximity`) orders this page:
    by relevance, within the WINDOW_DEPTH best, as the Whoosh backend does."""
    if request.sort != "relevance" or last > WINDOW_DEPTH:
        return []
    return window_words(request.query)


def _reorders(request: SearchRequest, last: int) -> bool:
    """Whether this page comes from reordered candidates (`SearchRequest.rerank`,
    search.semantic): by relevance, and within the SEMANTIC_DEPTH best, as the
    Whoosh backend reorders them."""
    return request.rerank is not None and request.sort == "relevance" and last <= SEMANTIC_DEPTH
