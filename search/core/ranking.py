"""How Loupe ranks, and how far a query may go: one table for every engine.

Fields are named by their role, not by an engine's field names: `text` is the
whole article (title, headings, body and every spelling of its names), `title`
its title, `headings` its section headings, `person`/`org`/`place` the names
met in it, `source` its outlet. Each backend maps these roles to its own fields
(`text_exact` in Whoosh, `text.exact` in OpenSearch) and nothing else.

A plain word is ranked by (each a general rule, measured with
`python -m bench.relevance`):
- its stem in the whole text and in the title, boosted (`STEM_BOOSTS`);
- its exact folded form, a bonus over a mere stem match (`EXACT_BOOSTS`);
- its transliteration key against the article's names (`NAMEKEY_BOOST`):
  `Tinzawaten` meets « Tin Zaouatine »;
- a run of words spelling a gazetteer name also matches every mention of that
  entity, in any spelling, as one entity-key term (`ENTITY_KEY_BOOST`; the
  keys are indexed by `search.entity_keys`), or, on an engine without
  the keys, every other spelling as a phrase (`ALIAS_BOOST`);
- juxtaposed words match articles holding any of them; the more of them an
  article holds, the more its score is multiplied (`coordination`: each word
  held adds `EACH_WORD_BOOST` / n, all of them `ALL_WORDS_BOOST` more).
Phrases, aliases, prefixes (`sécur*`) and fuzzy words (`Poutine~`) are matched
on exact forms (`PHRASE_BOOSTS`). A field prefix (`titre:`, `personne:`…)
searches that field only, with `FIELDED_BOOSTS`.
"""

from __future__ import annotations

# -- a plain word ---------------------------------------------------------------
STEM_BOOSTS = {"text": 1.0, "title": 2.0}  # stemmed: the whole text, the title boosted
EXACT_BOOSTS = {"text": 0.6}  # the folded form as typed: a bonus over a stem match
PHRASE_BOOSTS = {"text": 1.0, "title": 2.0}  # phrases, aliases, prefix, fuzzy
NAMEKEY_BOOST = 1.0  # a transliteration of a name (Tinzawaten ~ Tinzaouaten)
ALIAS_BOOST = 1.0  # another spelling of a gazetteer name weighs as the typed one
ENTITY_KEY_BOOST = 1.0  # a mention of the named entity, in any spelling (its key)
# A name typed in several words (« impôt de solidarité sur la fortune », the
# spelled-out ISF) is matched whole, and each of its words alone with this
# weight: an article writing part of it (« l'impôt sur la fortune ») is still
# found, as it would be had the words not spelled a gazetteer name. 0: off.
NAME_PART_WEIGHT = 0.5
# …only for a name of this many content words or more: a description (« Conseil
# de sécurité des Nations unies ») whose words mean something alone; in « al
# qaida » or « Front national » a lone « al » or « front » is not the name.
NAME_PART_MIN_WORDS = 3
ALL_WORDS_BOOST = 0.5  # juxtaposed words: the bonus of articles holding every one
# Juxtaposed words: the bonus of each word an article holds, shared out over the
# query's words (see `coordination`). Measured (`python -m bench.relevance`, both
# query files, chosen on even lines): all-words bonus only (0, 1.0) 0.859 / 0.815,
# graded (2, 0.5) 0.874 / 0.817.
EACH_WORD_BOOST = 2.0

# Under a field prefix: role → (stemmed boost, exact boost); 0 = not searched.
# Names and outlets are matched as written (folded), never stemmed.
FIELDED_BOOSTS: dict[str, tuple[float, float]] = {
    "title": (3.0, 1.0),
    "headings": (2.0, 1.0),
    "person": (0.0, 2.0),
    "org": (0.0, 2.0),
    "place": (0.0, 2.0),
    "source": (0.0, 2.0),
}


def coordination(held: int, words: int) -> float:
    """What a score is multiplied by when an article holds `held` of a query's
    `words` juxtaposed words: 1 + EACH_WORD_BOOST × held/words, and
    ALL_WORDS_BOOST more when it holds every one.

    Why graded: with the bonus for all words only, the one article of a long
    query holding every word (often through its commonest ones) doubles past
    those holding all but one, and an article matching one rare word in its
    title outranks one holding most of the question. A sum over the words
    (not a power of the share) so that an engine can add it up clause by
    clause (OpenSearch's `function_score`, one function per word)."""
    if words <= 0:
        return 1.0
    bonus = EACH_WORD_BOOST * held / words
    if held >= words:
        bonus += ALL_WORDS_BOOST
    return 1.0 + bonus


# -- typed words standing together (search.proximity) ----------------------------------
# Measured (`python -m bench.relevance_variants`, widths 6…30, weights 0.25…1,
# from 2, 3 or 4 words, each word counting 1 or its IDF): counting 1, the
# strongest settings on the even lines (6 words, × 2) lose the odd ones (k602,
# k604), and 16 words, 0.5 — picked having seen both halves — gains on both;
# counting its IDF, 16 words, 1.0 is the best of three on the even lines and
# gains on both (kinds 0.879 → 0.895, dev 0.822 → 0.825). docs/relevance-history.md, « Typed
# words standing together ».
WINDOW_WIDTH = 16  # consecutive indexed words (stop words left out)
WINDOW_WEIGHT = 1.0  # × (1 + this) when every typed word stands in one window; 0: off
WINDOW_MIN_WORDS = 3  # distinct content words typed; two words are a phrase's business
# Candidates (after coordination) whose positions are read: 20, 30, 50 and 100
# rank both files alike; reading positions is the rule's cost (Whoosh decodes
# whole posting blocks), so three pages' worth.
WINDOW_DEPTH = 30


def window_factor(share: float) -> float:
    """What a score is multiplied by when `share` (0…1) of the query's typed
    words, weighed by their IDF, stand within WINDOW_WIDTH consecutive words
    of the article (`search.proximity.window_share`): 1 + WINDOW_WEIGHT × share.

    Why a window over all the words held rather than pairs of neighbouring
    typed words (tried: `proximity` rows of docs/relevance-history.md): the
    asker's order is not the writer's, and a headline or lead restating the subject holds most
    of the words within a few lines whatever their order. Why IDF: « président »
    beside « Corée » says less than « Corée » beside « Sud »."""
    return 1.0 + WINDOW_WEIGHT * share


# -- meaning beyond shared words (search.semantic) -----------------------------------
SEMANTIC_WEIGHT = 0.5  # the vectors' share beside the lexical score, both scaled to 1
SEMANTIC_DEPTH = 100  # lexical candidates the vectors reorder


def fuse_semantic(scores: list[float], cosines: list[float]) -> list[float]:
    """Lexical scores of a query's best candidates, each over the best one's,
    plus SEMANTIC_WEIGHT × its cosine with the query over the best cosine among
    them (negative cosines count 0). Both halves scaled to the candidates: BM25
    has no fixed scale, and cosines of short queries run low.

    Measured (`python -m bench.relevance`, weight chosen on even lines):
    queries-kinds 0.874 → 0.891 (paraphrase 0.665 → 0.763), dev 0.817 → 0.844
    (topic 0.503 → 0.581). Adding the vectors' own nearest articles as
    candidates too lost phrase queries (0.997 → 0.988): not done."""
    if not scores:
        return []
    top_score = max(scores) or 1.0
    positive = [max(0.0, c) for c in cosines]
    top_cosine = max(positive) or 1.0
    return [
        s / top_score + SEMANTIC_WEIGHT * c / top_cosine
        for s, c in zip(scores, positive, strict=True)
    ]


# -- expansions -------------------------------------------------------------------
MAX_EXPANSIONS = 256  # expanded words per query, shared by its prefixes and fuzzy words
MIN_PREFIX_LETTERS = 2  # `s*` would expand to half the vocabulary
MIN_FUZZY_LETTERS = 3  # shorter words are matched as typed
MAX_FUZZY_WORD = 40


def fuzzy_distance(word: str) -> int:
    """Edits allowed for a fuzzy word: one for short words, two beyond five letters
    (OpenSearch's `AUTO` fuzziness, Whoosh's `terms_within`), first letter fixed."""
    return 1 if len(word) <= 5 else 2


# -- « did you mean » and autocomplete ---------------------------------------------
FEW_RESULTS = 5  # below this many hits, rare words get a suggestion too
MAX_CHECKED_TERMS = 16  # words of one query checked by the spelling suggester
MIN_AUTOCOMPLETE_CHARS = 2  # fewer typed characters get no completion
MAX_AUTOCOMPLETE = 50  # completions per request
MAX_ENTITY_LIST = 1000  # names per /api/entities request

# -- results --------------------------------------------------------------------------
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # page × per_page: deep paging is a scraper, not a reader
MAX_QUERY_LENGTH = 1_000
DEFAULT_TIME_LIMIT = 2.0  # seconds; past it a search answers what it found (`partial`)
MAX_SNIPPETS = 3
SNIPPET_CHARS = 160  # OpenSearch's fragment size; Whoosh's fragmenter has its own
