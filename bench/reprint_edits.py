"""Republications derived from real articles by the edits real reprints make.

No hand labelling: an article and what these functions make of it *are* the
same story, by construction, and two different real articles of the same week
naming the same people are not. Used by `python -m bench.reprints` and by the
tests (tests/test_reprints.py), so both judge the same edits.

Every edit is deterministic for a given `random.Random`, and works on
paragraphs: `(title, [paragraph, …])`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from search.article import Article

AGENCY_FOOTER = (
    "Cet article a été publié avec l'accord de l'agence. Toute reproduction, même "
    "partielle, est interdite sans autorisation écrite préalable de la rédaction. "
    "Abonnez-vous à notre lettre d'information pour recevoir chaque matin l'essentiel "
    "de l'actualité, et retrouvez-nous sur les réseaux sociaux."
)
READ_ALSO = "Lire aussi : les autres articles de notre rubrique internationale sur le même sujet."
NEW_LEAD = (
    "Selon des informations recueillies par notre rédaction et confirmées de source "
    "proche du dossier, l'affaire continue de susciter de nombreuses réactions ce jour."
)


@dataclass(frozen=True)
class Story:
    title: str
    paragraphs: list[str]


def story_of(article: Article) -> Story:
    paragraphs = [p.strip() for p in article.body.split("\n") if p.strip()]
    return Story(article.title, paragraphs)


def rewrite_headline(story: Story, rng: random.Random, **_) -> Story:
    return Story(f"{story.title.split(':')[-1].strip()} : ce que l'on sait", story.paragraphs)


def add_lead(story: Story, rng: random.Random, **_) -> Story:
    return Story(story.title, [NEW_LEAD, *story.paragraphs])


def cut_lead(story: Story, rng: random.Random, **_) -> Story:
    kept = story.paragraphs[1:] if len(story.paragraphs) > 2 else story.paragraphs
    return Story(story.title, kept)


def reorder_paragraphs(story: Story, rng: random.Random, **_) -> Story:
    paragraphs = list(story.paragraphs)
    if len(paragraphs) > 1:
        while paragraphs == story.paragraphs:
            rng.shuffle(paragraphs)
    return Story(story.title, paragraphs)


def drop_paragraphs(story: Story, rng: random.Random, **_) -> Story:
    """About a quarter of the paragraphs cut (never the first, never all)."""
    if len(story.paragraphs) < 3:
        return story
    n_drop = max(1, len(story.paragraphs) // 4)
    dropped = set(rng.sample(range(1, len(story.paragraphs)), n_drop))
    return Story(story.title, [p for i, p in enumerate(story.paragraphs) if i not in dropped])


def substitute_words(story: Story, rng: random.Random, vocabulary: list[str], **_) -> Story:
    """5–15 % of the words replaced by other words of the corpus."""
    share = rng.uniform(0.05, 0.15)
    paragraphs = []
    for p in story.paragraphs:
        words = p.split()
        for i in range(len(words)):
            if rng.random() < share:
                words[i] = rng.choice(vocabulary)
        paragraphs.append(" ".join(words))
    return Story(story.title, paragraphs)


def embed(story: Story, rng: random.Random, fillers: list[str], **_) -> Story:
    """The story pasted into a longer article: other paragraphs before and after
    it, so that the story is a third to a half of the result. `fillers` is a pool
    of paragraphs from articles outside the archive, consumed (each is used
    once), so two embedded stories share no text but their own."""
    own = sum(len(p) for p in story.paragraphs)
    before: list[str] = []
    after: list[str] = []
    added, target = 0, own * rng.uniform(1.0, 2.0)
    while added < target and fillers:
        paragraph = fillers.pop()
        (before if rng.random() < 0.5 else after).append(paragraph)
        added += len(paragraph)
    return Story(f"Dossier : {story.title}", [*before, *story.paragraphs, *after])


def add_boilerplate(story: Story, rng: random.Random, **_) -> Story:
    return Story(story.title, [*story.paragraphs, READ_ALSO, AGENCY_FOOTER])


EDITS: dict[str, Callable[..., Story]] = {
    "verbatim": lambda story, rng, **_: story,
    "headline": rewrite_headline,
    "lead_added": add_lead,
    "lead_cut": cut_lead,
    "reordered": reorder_paragraphs,
    "dropped": drop_paragraphs,
    "substituted": substitute_words,
    "embedded": embed,
    "boilerplate": add_boilerplate,
}


def record(story: Story, article_id: str, date: str, source: str) -> dict:
    """A JSONL record Loupe's reader takes (paragraphs one a line)."""
    return {
        "id": article_id,
        "title": story.title,
        "date": date,
        "source": source,
        "text": "\n".join([story.title, *story.paragraphs]),
    }
