"""Named entities of an article: the French spaCy model, the gazetteer, and the cache.

The normalisation rules (determiners, titles, demonyms, per-article consistency)
live in `search.entity_rules`; this module runs the model, puts the gazetteer's
aliases and the rule patterns on its output, and caches the result.

Running the model is the slow part, so the model is loaded only when a text is
not in the cache (`search.ner_model` says which weights and components).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import partial
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from search.article import Article, Entity
from search.entity_rules import NAME_PARTICLES, RULES_VERSION, Mention, is_demonym, resolve
from search.entity_spans import SPAN_RULES, rule_spans
from search.gazetteer import Gazetteer, GazetteerEntry
from search.lexicon import MODEL_NAME
from search.ner_cache import NerCache
from search.ner_model import EXCLUDED_COMPONENTS, SHIPPED_WEIGHTS, load_pipeline, weights_version
from search.ner_pool import NerPool

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Long articles are cut at paragraph ends into pieces of about this many characters:
# the model's memory grows with the length of a doc, not with the number of docs.
CHUNK_CHARS = 5_000
# Fewer cache misses than this in a window are computed in-process: starting
# the worker processes (each loads the model) costs more than it saves.
POOL_MIN_TEXTS = 64
# When this process already holds the model (`loupe index --watch` after its
# first update), the workers start only once a build has missed this many
# texts: their start (≈ 5 s: a process and a model load each) is what about
# 600 texts cost in this process (≈ 15 ms each) beyond what two workers would.
POOL_MIN_TEXTS_LOADED = 600
# Windows of articles sent to the worker processes before the oldest is handed on.
WINDOWS_AHEAD = 2
# Re-exported: callers of this module name the rules' types through it.
__all__ = [
    "EXCLUDED_COMPONENTS",
    "RULES_VERSION",
    "EntityExtractor",
    "Mention",
    "is_demonym",
    "load_model",
    "resolve",
]


# ---------------------------------------------------------------------------
# Running the model.


def _chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Cut a text at line ends into pieces of at most about `limit` characters."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:  # one huge paragraph: cut after a sentence end
            cut = line.rfind(". ", 0, limit)
            cut = cut + 2 if cut > 0 else limit
            pieces.append(line[:cut])
            line = line[cut:]
        if current and len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current:
        pieces.append(current)
    return pieces or [""]


_OPENERS = " \t«\"“'(—–-"


def _is_sentence_initial(text: str, start: int) -> bool:
    before = text[max(0, start - 64) : start].rstrip(_OPENERS)  # not a copy of all before it
    if not before and start > 64:
        before = text[:start].rstrip(_OPENERS)
    return not before or before[-1] in ".!?…\n"


def doc_mentions(doc: Doc) -> list[Mention]:
    """The entity spans of one processed doc, as mentions the rules can read."""
    found = []
    text = doc.text  # built from every token at each call: once per doc, not per mention
    for start, end, label in _join_hyphenated(doc):
        if label == "PER" and start > 0 and doc[start - 1].text in NAME_PARTICLES:
            start -= 1  # « De Gendt »: the model often leaves the particle out
        span = doc[start:end]
        initial = _is_sentence_initial(text, span.start_char)
        found.append(Mention(span.text, label, initial))
    return found


def _join_hyphenated(doc: Doc) -> list[tuple[int, int, str]]:
    """« CNDD-FDD » is one name: the tokenizer cuts at the hyphen, the model may too.

    Acronyms that touch through a hyphen written without spaces are joined, and
    a span left hanging on a hyphen (« CNDD- ») takes the word glued after it.
    Names are not: « France-Allemagne » is a match between two places.
    """
    spans: list[tuple[int, int, str]] = []
    for ent in doc.ents:
        start, end, label = ent.start, ent.end, ent.label_
        if spans:
            last_start, last_end, last_label = spans[-1]
            if start < last_end:  # already taken by the span before it
                spans[-1] = (last_start, max(end, last_end), last_label)
                continue
            between = doc[last_end:start]
            glued = not doc[last_end - 1].whitespace_ and not any(t.whitespace_ for t in between)
            acronyms = doc[last_start:last_end].text.rstrip("-").isupper() and ent.text.isupper()
            if glued and (
                (len(between) == 1 and between[0].text == "-" and acronyms)
                or (not between and doc[last_end - 1].text == "-")
            ):
                spans[-1] = (last_start, end, last_label)
                continue
        if (
            doc[end - 1].text == "-"
            and doc[end - 1].whitespace_ == ""
            and end < len(doc)
            and doc[end].is_alpha
        ):
            end += 1
        spans.append((start, end, label))
    return spans


def _mark_initial_only(text: str, mentions: list[Mention]) -> list[Mention]:
    """Flag the one-word mentions whose every occurrence in the article opens a sentence."""
    verdicts: dict[str, bool] = {}
    marked = []
    for m in mentions:
        if m.sentence_initial and " " not in m.text.strip():
            if m.text not in verdicts:
                occurrences = re.finditer(rf"(?<!\w){re.escape(m.text)}(?!\w)", text)
                verdicts[m.text] = all(_is_sentence_initial(text, o.start()) for o in occurrences)
            if verdicts[m.text]:
                m = replace(m, initial_only=True)
        marked.append(m)
    return marked


class _GazetteerSpans:
    """Pipeline step after `ner`: the gazetteer's aliases and the army pattern win.

    An alias the model missed is added; a model span that crosses an alias or
    lies inside it gives way. A model span that encloses an alias is kept: it is
    a longer name containing it (« Conseil de sécurité des Nations unies »), and
    setting the alias before `ner` would have cut that name in two.
    """

    def __init__(self, gazetteer: Gazetteer, span_rules=SPAN_RULES) -> None:
        self.gazetteer = gazetteer
        self.span_rules = span_rules

    def __call__(self, doc: Doc) -> Doc:
        from spacy.util import filter_spans

        found = [
            doc.char_span(m.start, m.end, label=m.entry.type, alignment_mode="expand")
            for m in self.gazetteer.find(doc.text)
        ]
        found += [
            doc.char_span(start, end, label=label, alignment_mode="expand")
            for start, end, label in rule_spans(doc.text, self.span_rules)
        ]
        keep = list(doc.ents)
        for span in filter_spans([s for s in found if s is not None]):
            enclosing = [
                e
                for e in keep
                if e.start <= span.start and span.end <= e.end and len(e) > len(span)
            ]
            if enclosing:
                continue
            keep = [e for e in keep if e.end <= span.start or e.start >= span.end]
            keep.append(span)
        doc.ents = sorted(keep, key=lambda e: e.start)
        return doc


def load_model(
    gazetteer: Gazetteer, model: str = MODEL_NAME, weights: Path | None = SHIPPED_WEIGHTS
) -> Language:
    """The French model with only what NER needs, and the gazetteer on its output."""
    from spacy.language import Language

    if not Language.has_factory("loupe_gazetteer"):
        Language.factory("loupe_gazetteer")(lambda nlp, name: _GazetteerSpans(Gazetteer([])))
    nlp = load_pipeline(model, weights)
    step = nlp.add_pipe("loupe_gazetteer", after="ner")
    step.gazetteer = gazetteer
    return nlp


# The pipeline this process loaded last, with what it was loaded from. Loading
# takes ≈ 4.5 s (spaCy, its French tokenizer, the weights); a process that
# indexes again — `loupe index --watch`, a notebook, the tests — reuses it.
# One only, so memory stays that of one model whatever the weights asked.
_LOADED: tuple[tuple[str, str, str], Language] | None = None


def _model_key(model: str, weights: Path | None) -> tuple[str, str, str]:
    return model, str(weights), weights_version(weights)


def holds_model(model: str = MODEL_NAME, weights: Path | None = SHIPPED_WEIGHTS) -> bool:
    """Whether this process already holds that model (so using it costs no load)."""
    return _LOADED is not None and _LOADED[0] == _model_key(model, weights)


def release_model() -> None:
    """Forget the model this process holds (its memory goes with the last
    extractor using it); the next build loads it again, or starts workers."""
    global _LOADED
    _LOADED = None


def shared_model(
    gazetteer: Gazetteer, model: str = MODEL_NAME, weights: Path | None = SHIPPED_WEIGHTS
) -> Language:
    """The model of `load_model`, loaded once per process and reused.

    Its gazetteer step is set to `gazetteer` on each call: extractors of
    different gazetteers share the pipeline one after the other (builds run one
    at a time), never at the same moment."""
    global _LOADED
    key = _model_key(model, weights)
    if _LOADED is None or _LOADED[0] != key:
        _LOADED = None  # the previous model goes before the next one loads
        _LOADED = (key, load_model(gazetteer, model, weights))
    nlp = _LOADED[1]
    nlp.get_pipe("loupe_gazetteer").gazetteer = gazetteer
    return nlp


def _batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class EntityExtractor:
    """Finds, normalises and caches the named entities of articles."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        cache: NerCache | None = None,
        n_process: int = 1,
        batch_size: int = 32,
        model: str = MODEL_NAME,
        weights: Path | None = SHIPPED_WEIGHTS,
    ) -> None:
        self.gazetteer = gazetteer
        self.weights = weights
        self.cache = cache
        self.n_process = n_process
        self.batch_size = batch_size
        self.model = model
        self.hits = 0
        self.misses = 0
        self._nlp: Language | None = None
        self._used_model = False
        self._pruned = False
        self._pool = None  # NerPool, started when enough texts miss the cache
        self.workers_started = 0

    @property
    def fingerprint(self) -> str:
        """What produced the entities: a change in any part must miss the cache."""
        try:
            version = metadata.version(self.model)
        except metadata.PackageNotFoundError:
            version = "unknown"
        return (
            f"{self.model}-{version}|ner-{weights_version(self.weights)}"
            f"|gaz-{self.gazetteer.fingerprint}|rules-{RULES_VERSION}"
        )

    @property
    def model_loaded(self) -> bool:
        """Whether this extractor needed the model (loaded, or the process's own)."""
        return self._used_model

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use (a warm-cache run never pays
        for it) or taken from this process's last load (`shared_model`), its
        gazetteer step set to this extractor's gazetteer."""
        self._used_model = True
        if self._nlp is None:
            return shared_model(self.gazetteer, self.model, self.weights)
        self._nlp.get_pipe("loupe_gazetteer").gazetteer = self.gazetteer
        return self._nlp

    def extract(self, text: str) -> list[Entity]:
        """The entities of one text (no cache)."""
        return self._extract_many([text])[0]

    def _pays_for_workers(self, texts: int) -> bool:
        """Worker processes once started, or when enough texts pay for starting
        them: `texts` in this window, or with the model already held here, the
        misses of the whole build so far."""
        if self.n_process <= 1:
            return False
        if self._pool is not None:
            return True
        if self._nlp is not None or holds_model(self.model, self.weights):
            return self.misses >= POOL_MIN_TEXTS_LOADED
        return texts >= POOL_MIN_TEXTS

    def _worker_pool(self) -> NerPool:
        """The worker processes, started on first use with this extractor's
        gazetteer, model and weights."""
        if self._pool is None:
            make = partial(_worker_extractor, self.gazetteer.entries, self.model, self.weights)
            self._pool = NerPool(make, self.n_process)
            self.workers_started = self.n_process
        return self._pool

    def mentions(self, texts: list[str]) -> list[list[Mention]]:
        """The raw spans of each text, as the gazetteer and the model labelled them.

        With `n_process` > 1 and enough texts to pay for starting them, worker
        processes share the texts (search.ner_pool); the answer is the same."""
        if self._pays_for_workers(len(texts)):
            return self._worker_pool().mentions(texts)
        pieces = [(chunk, owner) for owner, t in enumerate(texts) for chunk in _chunks(t)]
        found: list[list[Mention]] = [[] for _ in texts]
        docs = self.nlp.pipe(pieces, as_tuples=True, batch_size=self.batch_size)
        for doc, owner in docs:
            found[owner].extend(doc_mentions(doc))
        return [_mark_initial_only(t, mentions) for t, mentions in zip(texts, found, strict=True)]

    def close(self) -> None:
        """Stop the worker processes, if any were started (safe to call twice)."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _extract_many(self, texts: list[str]) -> list[list[Entity]]:
        if not texts:
            return []
        return [resolve(m, self.gazetteer) for m in self.mentions(texts)]

    def annotate(
        self, articles: Iterable[Article], window: int = 256, ahead: int = WINDOWS_AHEAD
    ) -> Iterator[Article]:
        """Fill `article.entities`, in order, running the model only on cache misses.

        Articles are taken `window` at a time: one cache query and one model pass
        per window keep memory bounded on any corpus size. With worker processes
        the next `ahead` windows are sent to them before this one is handed on,
        so they keep working while this process reads the files of the next
        window and the caller writes this one to the index (with one window
        ahead, a profile of the bundled corpus showed both workers idle a
        second or two per window while this process caught up).
        """
        fingerprint = self.fingerprint
        pending: deque = deque()
        for batch in _batched(articles, window):
            pending.append(self._start_window(batch, fingerprint))
            if len(pending) > ahead:
                yield from self._finish_window(*pending.popleft(), fingerprint)
        while pending:
            yield from self._finish_window(*pending.popleft(), fingerprint)

    def _start_window(self, batch: list[Article], fingerprint: str):
        """Look the window up in the cache and send its misses to the workers
        (when there are enough to pay for them); the model runs in-process otherwise."""
        cached = self.cache.get_many([a.checksum for a in batch], fingerprint) if self.cache else {}
        todo = [a for a in batch if a.checksum not in cached]
        self.hits += len(batch) - len(todo)
        self.misses += len(todo)
        sent = None
        if self._pays_for_workers(len(todo)):
            sent = self._worker_pool().submit([a.full_text for a in todo])
        return batch, cached, todo, sent

    def _finish_window(self, batch, cached, todo, sent, fingerprint: str) -> Iterator[Article]:
        if sent is not None:
            assert self._pool is not None
            found = [resolve(m, self.gazetteer) for m in self._pool.collect(sent)]
        else:
            found = self._extract_many([a.full_text for a in todo])
        computed = dict(zip([a.checksum for a in todo], found, strict=True))
        if self.cache is not None and computed:
            if not self._pruned:
                self.cache.prune(fingerprint)
                self._pruned = True
            self.cache.put_many(computed.items(), fingerprint)
        for article in batch:
            hit = cached.get(article.checksum)
            article.entities = list(hit if hit is not None else computed[article.checksum])
            yield article


def _worker_extractor(
    entries: list[GazetteerEntry], model: str, weights: Path | None
) -> EntityExtractor:
    """A worker process's extractor: the parent's gazetteer, model and weights,
    loaded before the first task."""
    extractor = EntityExtractor(Gazetteer(list(entries)), model=model, weights=weights)
    extractor.nlp  # noqa: B018 - load the model now
    return extractor
