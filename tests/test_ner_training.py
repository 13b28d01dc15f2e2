"""The training tools behind the shipped entity recogniser (bench.ner_train) and
the score's folding (bench.ner_eval), on the real French model."""

from __future__ import annotations

import json

import numpy
import pytest

from bench.ner_eval import fold_for_scoring
from bench.ner_train import (
    DEFAULT_SCHEDULE,
    Member,
    Schedule,
    _train_key,
    augment_docs,
    average_weights,
    mention_pools,
    orgless_but_listed,
    parse_also,
    save_ner,
    unlisted_as_missing,
)
from search.ner_model import SHIPPED_WEIGHTS, load_pipeline, weights_version


def parameters(weights) -> list[numpy.ndarray]:
    model = load_pipeline(weights=weights).get_pipe("ner").model
    return [n.get_param(p) for n in model.walk() for p in n.param_names if n.has_param(p)]


@pytest.fixture(scope="module")
def base_weights(tmp_path_factory):
    """The base model's own `ner`, saved the way the training saves a model."""
    folder = tmp_path_factory.mktemp("base")
    save_ner(load_pipeline(weights=None), folder, {"what": "base"})
    return folder


def test_the_mean_of_two_models_is_their_weights_mean(base_weights, tmp_path):
    soup = average_weights([base_weights, SHIPPED_WEIGHTS], tmp_path / "soup", {"what": "soup"})
    means = parameters(soup)
    pairs = list(zip(parameters(base_weights), parameters(SHIPPED_WEIGHTS), strict=True))
    assert len(means) == len(pairs) > 10
    changed = 0
    for mean, (base, shipped) in zip(means, pairs, strict=True):
        numpy.testing.assert_allclose(mean, (base + shipped) / 2, rtol=1e-5, atol=1e-6)
        changed += not numpy.array_equal(base, shipped)
    assert changed > 0  # the shipped weights are not the base ones: the mean is a new model
    meta = json.loads((soup / "meta.json").read_text(encoding="utf-8"))
    assert meta["members"] == [weights_version(base_weights), weights_version(SHIPPED_WEIGHTS)]
    assert weights_version(soup) not in meta["members"]  # a new version: the NER cache misses


def test_the_mean_of_a_model_with_itself_reads_text_as_it_does(base_weights, tmp_path):
    soup = average_weights([SHIPPED_WEIGHTS, SHIPPED_WEIGHTS], tmp_path / "same", {})
    text = "Le ministère de la Défense a confirmé que l'ONU enquête à Bamako avec Emmanuel Macron."
    ents = [(e.text, e.label_) for e in load_pipeline(weights=soup)(text).ents]
    assert ents == [(e.text, e.label_) for e in load_pipeline(weights=SHIPPED_WEIGHTS)(text).ents]
    assert ("Bamako", "LOC") in ents


def test_unlisted_occurrences_of_a_training_name_become_unknown():
    nlp = load_pipeline(weights=None)
    doc = nlp.make_doc("Le Hezbollah a parlé. Plus tard, le Hezbollah a démenti à Beyrouth.")
    doc.ents = [doc.char_span(3, 12, label="ORG")]  # the annotator listed the first only
    (trained,) = unlisted_as_missing([doc], {"Hezbollah", "Beyrouth"}, nlp.make_doc)
    iob = {t.i: t.ent_iob_ for t in trained}
    assert iob[1] == "B"  # the listed occurrence keeps its label
    second = next(t.i for t in trained if t.text == "Hezbollah" and t.i > 1)
    beirut = next(t.i for t in trained if t.text == "Beyrouth")
    assert iob[second] == iob[beirut] == ""  # unknown: neither an entity nor outside
    assert iob[0] == "O"  # everything else stays outside


@pytest.mark.parametrize(
    ("gold", "system"),
    [
        ("hôpital d' Annecy", "hôpital d'Annecy"),  # the gold's tokenised elision
        ("l’ hôpital de Lille", "l'hôpital de Lille"),
        ("Jean-Yves Le Drian", "Jean Yves Le Drian"),
    ],
)
def test_the_score_folds_a_tokenised_elision_like_the_text(gold, system):
    assert fold_for_scoring(gold) == fold_for_scoring(system)


def test_the_score_still_tells_different_names_apart():
    assert fold_for_scoring("d'Annecy") != fold_for_scoring("d Annecy")
    assert fold_for_scoring("l'Inde") != fold_for_scoring("Inde")


def test_the_default_schedule_keeps_the_cached_fold_models_keys():
    # The fold models trained before `Schedule` existed stay valid: 25 of them
    # took hours on the shared machine.
    assert _train_key(5, 3, 0.2, seed=1, average=True) == _train_key(
        5, 3, 0.2, seed=1, average=True, schedule=DEFAULT_SCHEDULE
    )
    slower = _train_key(5, 3, 0.2, seed=1, average=True, schedule=Schedule(learn_rate=0.0005))
    bigger = _train_key(5, 3, 0.2, seed=1, average=True, schedule=Schedule(batch_max=64))
    assert len({slower, bigger, _train_key(5, 3, 0.2, seed=1, average=True)}) == 3


def test_orgless_articles_are_skipped_only_when_they_hold_a_listed_organisation():
    articles = [
        ("listed", {"Marianne": "ORG", "Paris": "LOC"}),
        ("orgless-with-it", {"Emmanuel Macron": "PER"}),
        ("orgless-without-it", {"Lyon": "LOC"}),
        ("orgless-as-part-of-a-word", {}),
    ]
    texts = {
        "listed": "Marianne publie une enquête à Paris.",
        "orgless-with-it": "Emmanuel Macron a répondu à Marianne.",
        "orgless-without-it": "Il pleut à Lyon.",
        "orgless-as-part-of-a-word": "Les Mariannes du civisme.",
    }
    assert orgless_but_listed(articles, texts) == {1}
    # A name only the held-out articles list does not count.
    assert orgless_but_listed(articles[1:], texts) == set()


def test_also_adds_one_soup_member_per_seed_under_its_own_settings():
    members = parse_also([["lr=0.002", "seed=1,2"], ["seed=3", "dropout=0.1"]])
    assert members == [
        Member(0.2, Schedule(learn_rate=0.002), 1),
        Member(0.2, Schedule(learn_rate=0.002), 2),
        Member(0.1, DEFAULT_SCHEDULE, 3),
    ]
    assert parse_also([["lr=default", "seed=4"]]) == [Member(0.2, DEFAULT_SCHEDULE, 4)]


def test_also_names_the_settings_it_does_not_know():
    with pytest.raises(ValueError, match="batch=64"):
        parse_also([["batch=64", "seed=1"]])
    with pytest.raises(ValueError, match="seed="):
        parse_also([["lr=0.002"]])


def _labelled(nlp, text: str, names: dict[str, str], misc: tuple[str, ...] = ()):
    doc = nlp.make_doc(text)
    spans = [
        doc.char_span(text.index(n), text.index(n) + len(n), label=t) for n, t in names.items()
    ]
    spans += [doc.char_span(text.index(m), text.index(m) + len(m), label="MISC") for m in misc]
    doc.ents = sorted(spans, key=lambda s: s.start)
    return doc


def test_mention_replacement_swaps_names_of_one_type_and_keeps_the_context():
    nlp = load_pipeline(weights=None)
    docs = [
        _labelled(
            nlp,
            "Le ministère de la Défense a reçu Emmanuel Macron à Bamako pour la Coupe du monde.",
            {"ministère de la Défense": "ORG", "Emmanuel Macron": "PER", "Bamako": "LOC"},
            misc=("Coupe du monde",),
        ),
        _labelled(
            nlp,
            "Selon Reuters, Angela Merkel est arrivée à Berlin.",
            {"Reuters": "ORG", "Angela Merkel": "PER", "Berlin": "LOC"},
        ),
    ]
    pools = mention_pools(docs)
    assert pools["ORG"] == ["Reuters", "ministère de la Défense"]
    augmented = augment_docs(docs, 3, seed=7, make_doc=nlp.make_doc)
    assert augmented[:2] == docs  # the originals first, untouched
    copies = augmented[2:]
    assert 0 < len(copies) <= 6
    originals = {d.text for d in docs}
    for copy in copies:
        assert copy.text not in originals  # something was swapped
        for ent in copy.ents:
            if ent.label_ == "MISC":
                assert ent.text == "Coupe du monde"  # silver spans are not replaced
            else:
                assert ent.text in pools[ent.label_]  # a name of the same type
        assert "a reçu" in copy.text or "est arrivée à" in copy.text  # the context stays
    # Seeded: the same copies again; another seed draws others.
    again = augment_docs(docs, 3, seed=7, make_doc=nlp.make_doc)
    assert [d.text for d in again] == [d.text for d in augmented]
    other = augment_docs(docs, 3, seed=8, make_doc=nlp.make_doc)
    assert [d.text for d in other] != [d.text for d in augmented]
    assert augment_docs(docs, 0, seed=7, make_doc=nlp.make_doc) == docs


def test_augmented_fold_models_have_a_key_of_their_own():
    plain = _train_key(5, 3, 0.2, seed=1, average=True)
    augmented = _train_key(5, 3, 0.2, seed=1, average=True, schedule=Schedule(augment=1))
    assert plain != augmented


def test_a_larger_first_batch_has_a_key_of_its_own_and_the_default_keeps_its_key():
    plain = _train_key(5, 3, 0.2, seed=1, average=True)
    assert _train_key(5, 3, 0.2, seed=1, average=True, schedule=Schedule(batch_start=4)) == plain
    larger = _train_key(5, 3, 0.2, seed=1, average=True, schedule=Schedule(batch_start=16))
    assert larger != plain
