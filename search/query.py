"""Loupe's query language → a backend-neutral tree.

A journalist types French: words, "exact phrases", AND/OR/NOT (ET/OU/SAUF),
-word, parentheses, field prefixes (titre:, section:, personne:, org:, lieu:,
source:), prefix* and word~. This module turns that text into the small tree
below; each backend translates the tree into its own queries. Nothing here
knows Whoosh.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from search.core.french import fold

# Neutral field names used in the tree (backends map them to their fields).
FIELDS = ("title", "headings", "person", "org", "place", "source")


class QueryError(ValueError):
    """A query that cannot be read; says what is wrong and where (0-based column)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Term:
    """One word as typed (not analysed: backends analyse with their own chain)."""

    text: str
    field: str | None = None  # one of FIELDS, or None for all text fields
    prefix: bool = False  # word*
    fuzzy: bool = False  # word~


@dataclass(frozen=True)
class Phrase:
    """Words that must stand together, in order, matched on unstemmed folded forms."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Words:
    """Juxtaposed items with no operator: rank those holding all first, still match most."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | Phrase | Words | And | Or | Not


# ---------------------------------------------------------------------------
# The parser.
#
# Grammar, loosest binding first (Google/Lucene-like: juxtaposition is the
# loosest, so `a b OR c` is `Words(a, Or(b, c))`):
#
#   sequence := item*                          juxtaposed items → Words
#   item     := "+"? or_expr                   "+" marks the item as required
#   or_expr  := and_expr (OR and_expr)*        OR, OU
#   and_expr := unary (AND unary)*             AND, ET
#   unary    := (NOT | "-" | field)* primary   NOT, SAUF, -x, titre: …
#   primary  := WORD | "PHRASE" | "(" sequence ")"
#
# `a NOT b` is therefore `Words(a, Not(b))`: an excluded item among juxtaposed
# ones. `+a b c` is `And(a, Words(b, c))`: the required items AND the rest.
#
# What the tree asks of a backend:
#   - Words: each `Not` item excludes (must_not); every other item, whatever
#     its kind (an And, an Or, a group), is one optional clause; articles
#     holding all clauses rank first. Only `Not` items → match all, exclude.
#   - And / Or: all / any of the items; a `Not` item inside excludes / adds
#     "everything but". Or and And are flattened (`(a OR b) OR c` → Or(a, b, c)).
#   - Term.text is the word as typed, punctuation inside kept (l'armée,
#     Al-Qaïda, 12:30, lemonde.fr); if the analyser splits it into several
#     tokens, search them as a phrase. Fields sit on leaves only.
#
# Malformed input is read the way a person most likely meant it; only what
# cannot be read that way (or would cost too much) is a QueryError:
#   - an unclosed "(" is closed at the end; a stray ")" is ignored;
#   - an unclosed quote runs to the end; an empty phrase or group is dropped;
#   - an operator with nothing on one side (`armée AND`, `OR mali`, `NOT`) is
#     dropped; the same operator twice (`a AND AND b`) counts once;
#   - `AND` directly followed by `OR` (or the reverse) is an error: no reading
#     is more likely than the other;
#   - a field prefix with nothing to apply to (`personne:`) is an error;
#   - `*` anywhere but at the end of a word of 2+ letters is an error, and so
#     is `~` inside a word;
#   - more than MAX_DEPTH nested groups, more than `max_terms` words and
#     phrases, more than `max_length` characters are errors;
#   - punctuation that is not syntax, symbols, control characters and stray
#     closing quotes are separators; a lone "-" or "+" is punctuation;
#   - `titre: mali` (a space after the colon) applies the field to `mali`;
#     an unknown prefix (`http:`, `12:30`) is part of the word;
#   - `--x` is `-x` (a typo), `NOT NOT x` is `x`; the innermost field wins;
#   - `word~2` is fuzzy (the distance is the backend's choice), `"a b"~2`
#     (proximity) is the plain phrase; `word*~` is a prefix.
# ---------------------------------------------------------------------------

MAX_DEPTH = 32

# Uppercase only: lower-case "et"/"ou" are ordinary (stop) words in French text.
_OPERATORS = {"AND": "AND", "ET": "AND", "OR": "OR", "OU": "OR", "NOT": "NOT", "SAUF": "NOT"}

# Keys are folded (no accents, case-folded): "Où:" and "TITRE:" both work. The
# neutral names themselves are accepted too, so that `to_text` reads back.
FIELD_PREFIXES = {
    "titre": "title",
    "title": "title",
    "section": "headings",
    "intertitre": "headings",
    "headings": "headings",
    "personne": "person",
    "person": "person",
    "qui": "person",
    "org": "org",
    "organisation": "org",
    "organization": "org",
    "lieu": "place",
    "place": "place",
    "ou": "place",
    "source": "source",
}

# Each opening quote and the characters that may close it. Straight and curly
# double quotes are mixed freely by keyboards and word processors; « only
# closes with ». A lone closing » or ” is a separator.
_QUOTES = {
    '"': '"“”',
    "“": '”“"',
    "„": '“”"',
    "«": "»",
}

# Punctuation that belongs inside a word (l'armée, Al-Qaïda, 12:30, lemonde.fr,
# #MeToo, 5%) or is syntax handled later (* suffix); other punctuation separates.
_WORD_PUNCTUATION = frozenset("'’ʼ‘-‐‑._:/&@#%*")
# Symbols that are syntax (+word, word~) or part of names (Canal+); other
# symbols (€, emoji, |, <) separate.
_WORD_SYMBOLS = frozenset("+~")
# Trimmed from both ends of a word: "l'armée." → "l'armée", "‘guerre’" → "guerre".
_TRIM = "'’ʼ‘-‐‑._:/&~"
_LEADING_NOISE = _TRIM.replace("-", "")
_ELISION = re.compile("['’ʼ]")
_FUZZY_SUFFIX = re.compile(r"~[\d.]*\Z")
# Lucene's phrase proximity, `"a b"~2`: not supported, so ignored rather than
# read as a term "2".
_PROXIMITY = re.compile(r"~[\d.]*")

_OPERAND_STARTS = frozenset({"word", "phrase", "(", "NOT", "-", "+", "field"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # word, phrase, field, (, ), AND, OR, NOT, -, +
    pos: int
    text: str = ""
    field: str | None = None
    prefix: bool = False
    fuzzy: bool = False


def parse(text: str, *, max_length: int = 1000, max_terms: int = 64) -> Node | None:
    """Read a query as typed by a person; None when there is nothing to search.

    Raises QueryError (message in French, 0-based column) for what cannot be
    read; never any other exception for any string.
    """
    if len(text) > max_length:
        raise QueryError(
            f"requête trop longue : {len(text)} caractères, {max_length} au plus", max_length
        )
    tokens = _tokenize(text)
    leaves = [t for t in tokens if t.kind in ("word", "phrase")]
    if len(leaves) > max_terms:
        raise QueryError(
            f"trop de termes : {len(leaves)}, {max_terms} au plus", leaves[max_terms].pos
        )
    return _Parser(tokens).parse()


def _fold(text: str) -> str:
    """Accent- and case-insensitive form of a field prefix (Où → ou)."""
    return fold(text)


def _is_word_char(ch: str) -> bool:
    if ch in _QUOTES or ch in "()":
        return False
    category = unicodedata.category(ch)
    if category[0] in "ZC":  # spaces, controls, format, surrogates, unassigned
        return False
    if category[0] == "P":
        return ch in _WORD_PUNCTUATION
    if category[0] == "S":
        return ch in _WORD_SYMBOLS
    return True  # letters, marks, numbers


def _has_alnum(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _squeeze(text: str) -> str:
    """Phrase text with runs of spaces and control characters made one space."""
    spaced = "".join(" " if unicodedata.category(c)[0] in "ZC" else c for c in text)
    return " ".join(spaced.split())


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _QUOTES:
            closers = _QUOTES[ch]
            end = i + 1
            while end < n and text[end] not in closers:
                end += 1
            content = _squeeze(text[i + 1 : end])
            if _has_alnum(content):
                tokens.append(_Token("phrase", i, content))
            i = end + 1
            if end < n and (proximity := _PROXIMITY.match(text, i)):
                i = proximity.end()
        elif ch in "()":
            tokens.append(_Token(ch, i))
            i += 1
        elif _is_word_char(ch):
            end = i + 1
            while end < n and _is_word_char(text[end]):
                end += 1
            _read_run(text, i, end, tokens)
            i = end
        else:
            i += 1
    return tokens


def _read_run(text: str, start: int, end: int, tokens: list[_Token]) -> None:
    """Turn one run of word characters into sign, field and word tokens."""
    i = start
    glued = False  # after a sign or a field prefix, AND/OR/NOT are plain words
    while True:
        # Leading punctuation ("‘titre:x", ".-x") hides neither sign nor field.
        while i < end and text[i] in _LEADING_NOISE:
            i += 1
        if i == end:
            return
        if text[i] in "-+":
            signs_end = i
            while signs_end < end and text[signs_end] in "-+":
                signs_end += 1
            following = text[signs_end] if signs_end < len(text) else ""
            if signs_end == end and following not in _QUOTES and following != "(":
                return  # a lone dash or plus is punctuation ("Mali - Niger")
            # "--x" is a typo for "-x" more often than a double negation
            tokens.append(_Token(text[i], i))
            i, glued = signs_end, True
            continue
        colon = text.find(":", i, end)
        if colon > i and (field := FIELD_PREFIXES.get(_fold(text[i:colon]))):
            tokens.append(_Token("field", i, text[i : colon + 1], field=field))
            i, glued = colon + 1, True
            if i == end:
                return
            continue
        break
    word = text[i:end]
    if not glued and word in _OPERATORS:
        tokens.append(_Token(_OPERATORS[word], i))
        return
    prefix = fuzzy = False
    while True:
        if word.endswith("*"):
            prefix, word = True, word.rstrip("*")
        elif suffix := _FUZZY_SUFFIX.search(word):
            fuzzy, word = True, word[: suffix.start()]
        else:
            break
    # A "+" left at the front (".+x") would read back as a sign: trim it too.
    core = word.lstrip(_TRIM + "+").rstrip(_TRIM)
    pos = i + len(word) - len(word.lstrip(_TRIM + "+"))
    if "*" in core:
        raise QueryError(
            "« * » se place en fin de mot, après au moins 2 lettres (ex. : sécur*)",
            pos + core.index("*"),
        )
    if "~" in core:
        raise QueryError(
            "« ~ » se place en fin de mot pour une recherche approchée (ex. : Poutine~)",
            pos + core.index("~"),
        )
    if prefix and not _has_alnum(core):
        raise QueryError(
            "« * » seul ne veut rien dire : mettez-le en fin de mot, après au moins "
            "2 lettres (ex. : sécur*)",
            pos,
        )
    # Letters after an elision count: "l'a*" would expand "a", i.e. everything.
    if prefix and sum(c.isalnum() for c in _ELISION.split(core)[-1]) < 2:
        raise QueryError(
            "un joker « * » demande au moins 2 lettres avant l'étoile (ex. : sécur*)", pos
        )
    if _has_alnum(core):
        tokens.append(_Token("word", pos, core, prefix=prefix, fuzzy=fuzzy and not prefix))


class _Parser:
    """Recursive descent over the tokens; recursion only through parentheses,
    whose depth is bounded, so any input is safe."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def parse(self) -> Node | None:
        return self.sequence()

    def sequence(self) -> Node | None:
        required: list[Node] = []
        optional: list[Node] = []
        while (token := self.peek()) is not None:
            if token.kind == ")":
                if self.depth > 0:
                    break
                self.i += 1  # stray ")": ignored
                continue
            if token.kind in ("AND", "OR"):
                self.i += 1  # nothing on its left: dropped
                continue
            is_required = False
            while (token := self.peek()) is not None and token.kind == "+":
                self.i += 1
                is_required = True
            node = self.or_expr()
            if node is not None:
                (required if is_required else optional).append(node)
        rest = _words(optional)
        if not required:
            return rest
        return _and([*required, rest])

    def or_expr(self) -> Node | None:
        items = [self.and_expr()]
        while self.binary("OR"):
            items.append(self.and_expr())
        return _or(items)

    def and_expr(self) -> Node | None:
        items = [self.unary()]
        while self.binary("AND"):
            items.append(self.unary())
        return _and(items)

    def binary(self, operator: str) -> bool:
        """Consume `operator` if it has an operand on its right; a dangling
        operator is consumed and reported as absent."""
        token = self.peek()
        if token is None or token.kind != operator:
            return False
        while (token := self.peek()) is not None and token.kind == operator:
            self.i += 1
        if token is not None and token.kind in ("AND", "OR"):
            other = "OU" if token.kind == "OR" else "ET"
            raise QueryError(
                f"« {operator} » suivi de « {token.kind} » : gardez l'un des deux "
                f"(ou « {other} » seul)",
                token.pos,
            )
        return token is not None and token.kind in _OPERAND_STARTS

    def unary(self) -> Node | None:
        negations = 0
        field_token: _Token | None = None
        while (token := self.peek()) is not None and token.kind in ("NOT", "-", "+", "field"):
            self.i += 1
            if token.kind in ("NOT", "-"):
                negations += 1
            elif token.kind == "field":
                field_token = token  # the innermost prefix wins
        node = self.primary()
        if field_token is not None:
            if node is None:
                raise QueryError(f"le champ « {field_token.text} » est vide", field_token.pos)
            node = _with_field(node, field_token.field)
        if node is None or negations % 2 == 0:
            return node
        return node.item if isinstance(node, Not) else Not(node)

    def primary(self) -> Node | None:
        token = self.peek()
        if token is None or token.kind not in ("word", "phrase", "("):
            return None
        self.i += 1
        if token.kind == "word":
            return Term(token.text, prefix=token.prefix, fuzzy=token.fuzzy)
        if token.kind == "phrase":
            return Phrase(token.text)
        if self.depth >= MAX_DEPTH:
            raise QueryError(
                f"trop de parenthèses imbriquées : {MAX_DEPTH} niveaux au plus", token.pos
            )
        self.depth += 1
        node = self.sequence()
        self.depth -= 1
        if (closing := self.peek()) is not None and closing.kind == ")":
            self.i += 1  # else unclosed: closed at the end
        return node


def _flatten(items: list[Node | None], kind: type[And] | type[Or]) -> list[Node]:
    flat: list[Node] = []
    for item in items:
        if isinstance(item, kind):
            flat.extend(item.items)
        elif item is not None:
            flat.append(item)
    return flat


def _and(items: list[Node | None]) -> Node | None:
    flat = _flatten(items, And)
    return flat[0] if len(flat) == 1 else And(tuple(flat)) if flat else None


def _or(items: list[Node | None]) -> Node | None:
    flat = _flatten(items, Or)
    return flat[0] if len(flat) == 1 else Or(tuple(flat)) if flat else None


def _words(items: list[Node]) -> Node | None:
    # Juxtaposed groups are not flattened: "(a b) (c d)" keeps what was typed.
    return items[0] if len(items) == 1 else Words(tuple(items)) if items else None


def _with_field(node: Node, field: str | None) -> Node:
    """Push a field prefix down to every word and phrase that has none yet, so
    backends only ever see fields on leaves (`titre:(a OR b)`)."""
    if isinstance(node, Term | Phrase):
        return node if node.field else replace(node, field=field)
    if isinstance(node, Not):
        return Not(_with_field(node.item, field))
    return type(node)(tuple(_with_field(item, field) for item in node.items))


def to_text(node: Node | None) -> str:
    """A canonical query string for a tree: for logs, tests and the search box.

    For any tree `parse` returns, `parse(to_text(tree)) == tree`.
    """
    return "" if node is None else _render(node, nested=False)


def _render(node: Node, nested: bool) -> str:
    if isinstance(node, Term):
        field = f"{node.field}:" if node.field else ""
        suffix = "*" if node.prefix else "~" if node.fuzzy else ""
        if not field and node.text in _OPERATORS:
            return f"(+{node.text}{suffix})"  # the word AND, not the operator
        return field + node.text + suffix
    if isinstance(node, Phrase):
        field = f"{node.field}:" if node.field else ""
        if not any(q in node.text for q in '"“”'):
            return f'{field}"{node.text}"'
        return f"{field}«{node.text}»"
    if isinstance(node, Not):
        inner = _render(node.item, nested=True)
        return f"-({inner})" if isinstance(node.item, Not) else f"-{inner}"
    separator = {Words: " ", And: " AND ", Or: " OR "}[type(node)]
    text = separator.join(_render(item, nested=True) for item in node.items)
    return f"({text})" if nested else text


def terms_of(node: Node | None) -> list[str]:
    """The words and phrase texts a matching article contains, in query order,
    once each: what the highlighter marks and the suggester checks. Excluded
    items (under NOT) are left out; they never appear in a hit."""
    found: list[str] = []

    def walk(current: Node, negated: bool) -> None:
        if isinstance(current, Term | Phrase):
            if not negated and current.text not in found:
                found.append(current.text)
        elif isinstance(current, Not):
            walk(current.item, not negated)
        else:
            for item in current.items:
                walk(item, negated)

    if node is not None:
        walk(node, False)
    return found
