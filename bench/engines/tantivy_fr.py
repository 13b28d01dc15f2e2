"""Tantivy with a French analyzer: the speed a compiled engine reaches on this data.

Tantivy's built-in `fr_stem` does not fold accents (« securite » would find 75
articles instead of 9,371 at 100k), so the comparison would be unfair to it;
this module registers a chain close to Loupe's: words, lower case, ASCII
folding, French stop words (folded, elided articles included), Snowball French.
"""

from __future__ import annotations

from pathlib import Path

import tantivy
from unidecode import unidecode
from whoosh.lang import stopwords_for_language

from bench.cache import file_digest
from bench.corpora import iter_docs
from bench.engines.base import BenchQuery, Outcome

ANALYZER = "fr_fold_stem"
_ELIDED = {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}


def french_stop_words() -> list[str]:
    """Snowball's French list, folded because the filter sees folded tokens."""
    return sorted({unidecode(w) for w in stopwords_for_language("fr")} | _ELIDED)


def french_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword(french_stop_words()))
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )


def schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    sb.add_text_field("body", stored=True, tokenizer_name=ANALYZER)
    return sb.build()


def query_string(query: BenchQuery) -> str:
    """Every clause quoted, so user text is never read as Tantivy syntax; a quoted
    single word is a plain term query once analysed."""
    parts = []
    for text, _ in query.terms():
        clean = text.replace("\\", " ").replace('"', " ").strip()
        if clean:
            parts.append(f'"{clean}"')
    return " ".join(parts)


def _open_index(index_dir: Path) -> tantivy.Index:
    ix = tantivy.Index.open(str(index_dir))
    ix.register_tokenizer(ANALYZER, french_analyzer())
    return ix


class TantivySession:
    def __init__(self, index_dir: Path, operator: str) -> None:
        self._ix = _open_index(index_dir)
        self._ix.reload()
        self._searcher = self._ix.searcher()
        self._schema = self._ix.schema
        self._and = operator != "or"

    def search(
        self, query: BenchQuery, *, limit: int = 10, snippets: bool = True, facets: bool = False
    ) -> Outcome:
        qs = query_string(query)
        if not qs:
            return Outcome(0, [])
        try:
            q = self._ix.parse_query(qs, ["title", "body"], conjunction_by_default=self._and)
        except ValueError:  # only stop words: nothing left to search for
            return Outcome(0, [])
        result = self._searcher.search(q, limit, count=True)
        generator = None
        if snippets:
            generator = tantivy.SnippetGenerator.create(self._searcher, q, self._schema, "body")
            generator.set_max_num_chars(200)
        ids: list[str] = []
        n_snippets = 0
        for _score, address in result.hits:
            doc = self._searcher.doc(address)
            ids.append(doc["id"][0])
            if generator is not None and generator.snippet_from_doc(doc).to_html():
                n_snippets += 1
        return Outcome(total=result.count or 0, ids=ids, snippets=n_snippets)

    def close(self) -> None:
        pass


class TantivyFrench:
    name = "tantivy"
    label = "Tantivy French"
    supports_filters = False
    supports_facets = False

    def version(self) -> str:
        return f"tantivy {tantivy.__version__} {file_digest(Path(__file__))[:12]}"

    def build(self, corpus: Path, index_dir: Path, **options: object) -> int:
        """Option `deterministic`: one indexing thread. With several, documents land
        in segments in a racy order, and ties in the ranking change between builds."""
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = tantivy.Index(schema(), path=str(index_dir))
        ix.register_tokenizer(ANALYZER, french_analyzer())
        writer = ix.writer(num_threads=1) if options.get("deterministic") else ix.writer()
        n = 0
        for doc in iter_docs(corpus):
            writer.add_document(tantivy.Document(id=doc.id, title=doc.title, body=doc.body))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return n

    def open(self, index_dir: Path, *, operator: str = "and") -> TantivySession:
        return TantivySession(index_dir, operator)
