"""Near-duplicate clusters on real files: real articles of the bundled corpus,
their republications made by real reprint edits (bench/reprint_edits.py),
same-week articles on the same people, indexed by the real pipeline."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from browser_page import CHROMIUM, OUTPUT, Watched
from conftest import HOSTILE_ID, IMG, SCRIPT, hostile_record
from live_server import serving

from bench.reprint_edits import AGENCY_FOOTER, EDITS, NEW_LEAD, record, story_of
from bench.reprints import hard_negatives, load_corpus
from search import reprints
from search.indexer import index_corpus
from search.reprints.passages import shared_passages

N_ORIGINALS = 3


def _eligible(articles):
    return [a for a in articles if len(story_of(a).paragraphs) >= 3 and len(a.body.split()) >= 150]


@pytest.fixture(scope="module")
def corpus_articles():
    return load_corpus()


@pytest.fixture(scope="module")
def reprint_corpus(corpus_articles, tmp_path_factory):
    """Originals, one reprint per edit (dated a day later, another source), and
    pairs of real same-week articles naming the same people."""
    rng = random.Random(16)
    originals = _eligible(corpus_articles)[:N_ORIGINALS]
    negatives = hard_negatives(corpus_articles)[:4]
    held_out = _eligible(corpus_articles)[-30:]
    fillers = [p for a in held_out for p in story_of(a).paragraphs]
    vocabulary = sorted({w for a in corpus_articles[:100] for w in a.body.split() if w.isalpha()})
    byid = {a.id: a for a in corpus_articles}
    records = []
    for original in originals:
        records.append(record(story_of(original), original.id, "2020-03-01", "Agence"))
        for kind, edit in EDITS.items():
            story = edit(story_of(original), rng, vocabulary=vocabulary, fillers=fillers)
            records.append(record(story, f"{original.id}~{kind}", "2020-03-02", f"Site {kind}"))
    for a, b in negatives:
        for article_id in (a, b):
            if article_id not in {r["id"] for r in records}:
                article = byid[article_id]
                day = article.published.isoformat()
                records.append(record(story_of(article), article_id, day, "Wikinews"))
    # a hostile story (markup in every field) and its reprint: shown on each other's page
    hostile = hostile_record()
    body = hostile["text"] + "\n" + "\n".join(story_of(held_out[0]).paragraphs)
    records.append({**hostile, "html": None, "text": body, "date": "2020-05-01"})
    copy = {**hostile, "id": "hostile-reprint", "html": None, "date": "2020-05-03"}
    records.append({**copy, "text": body + "\n" + NEW_LEAD, "source": "Copie"})
    # a story whose date is only in its text (inferred), and a later copy of it
    dated_by_text = story_of(held_out[1])
    undated = record(dated_by_text, "dated-by-text", "", "Blog")
    del undated["date"]
    undated["text"] = undated["text"].replace("\n", "\nParis, le 3 février 2020.\n", 1)
    records.append(undated)
    records.append(record(dated_by_text, "copy-of-dated-by-text", "2020-02-10", "Copie"))
    folder = tmp_path_factory.mktemp("reprints") / "corpus"
    folder.mkdir()
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    (folder / "articles.jsonl").write_text(lines + "\n", "utf-8")
    return folder, [o.id for o in originals], negatives


@pytest.fixture(scope="module")
def built(reprint_corpus, tmp_path_factory):
    folder, originals, negatives = reprint_corpus
    index_dir = tmp_path_factory.mktemp("reprints-index") / "index"
    report = index_corpus(folder, index_dir, ner=False)
    store = reprints.load_store(index_dir, report.generation)
    return index_dir, report, store, originals, negatives


@pytest.mark.parametrize("kind", list(EDITS))
def test_each_kind_of_reprint_joins_its_original(built, kind):
    _, report, store, originals, _ = built
    for original in originals:
        if kind == "verbatim":
            # byte-identical text (title included) is dropped by the indexer's own
            # duplicate rule, which names the article it repeats
            reasons = [why for _, why in report.duplicates]
            assert f"même texte que l'article {original}" in reasons
            continue
        cluster = store.cluster_of(f"{original}~{kind}")
        assert cluster is not None, f"{kind} reprint of {original} not clustered"
        assert original in cluster.members


def test_same_topic_articles_are_not_reprints(built):
    _, _, store, _, negatives = built
    for a, b in negatives:
        cluster = store.cluster_of(a)
        assert cluster is None or b not in cluster.members, (a, b)


def test_a_cluster_holds_one_story_and_its_earliest_is_first(built):
    _, report, store, originals, _ = built
    for original in originals:
        cluster = store.cluster_of(original)
        assert cluster.first == original  # dated a day before its reprints
        assert not cluster.first_inferred
        assert {m.split("~")[0] for m in cluster.members} == {original}
    assert report.reprint_clusters == len(store.clusters()) >= N_ORIGINALS


def test_containment_is_measured_both_ways_for_an_embedded_story(built):
    _, _, store, originals, _ = built
    inside, around = store.containment(originals[0], f"{originals[0]}~embedded")
    assert inside >= 0.95  # the whole story is in the longer article
    assert around < 0.7  # which holds much else


def test_shared_passages_point_at_the_same_words_in_both_texts(corpus_articles):
    original = _eligible(corpus_articles)[0]
    story = story_of(original)
    moved = EDITS["reordered"](story, random.Random(1))
    text, other = "\n".join(story.paragraphs), "\n".join(moved.paragraphs)
    passages = shared_passages(text, other)
    assert sum(p.words for p in passages) >= 0.9 * len(text.split())
    for p in passages:
        assert text[p.start : p.end] == other[p.other_start : p.other_end]


def _shingled(article_id: str, text: str, day: str = "2021-05-01"):
    from search.readers.jsonl import record_to_article

    rec = {"id": article_id, "title": article_id, "date": day, "text": f"{article_id}\n{text}"}
    return reprints.shingled(record_to_article(rec, Path("x.jsonl")))


def test_short_briefs_and_shared_footers_never_form_clusters(corpus_articles):
    brief = "Le ministre a démissionné ce matin, a annoncé la présidence dans un communiqué."
    articles = [_shingled("brief-1", brief), _shingled("brief-2", brief)]
    # 60 pages that are mostly one agency footer, each with two sentences of its own
    own = [a.body.split(". ")[:2] for a in _eligible(corpus_articles)[:60]]
    footer = " ".join([AGENCY_FOOTER] * 3)
    for n, sentences in enumerate(own):
        articles.append(_shingled(f"footer-{n}", ". ".join(sentences) + ".\n" + footer))
    store = reprints.ReprintStore.build(articles)
    assert store.clusters() == []


def test_a_round_up_of_two_stories_does_not_merge_them(corpus_articles):
    """Two unrelated stories pasted into one later article: both are reprinted
    there, but they are not one story (no chaining through the round-up)."""
    first, second = _eligible(corpus_articles)[3:5]
    both = "\n".join([first.body, second.body])
    store = reprints.ReprintStore.build(
        [
            _shingled("story-a", first.body, "2021-05-01"),
            _shingled("story-b", second.body, "2021-05-02"),
            _shingled("round-up", both, "2021-05-03"),
        ]
    )
    assert store.reprints_of("round-up") == ["story-a", "story-b"]
    assert store.cluster_of("story-a").members == ["story-a", "round-up"]
    assert store.cluster_of("story-b") is None
    assert store.reprinted_articles() == 1


def test_incremental_update_adds_a_new_reprint_to_its_cluster(built, corpus_articles, tmp_path):
    index_dir, report, _, originals, _ = built
    original = next(a for a in corpus_articles if a.id == originals[1])
    story = EDITS["lead_added"](story_of(original), random.Random(3))
    from search.readers.jsonl import record_to_article

    late = record_to_article(record(story, "late-reprint", "2020-04-01", "Tard"), Path("x.jsonl"))
    gone = f"{originals[2]}~verbatim"
    store = reprints.update_for_generation(
        index_dir,
        "gen-next",
        [reprints.shingled(late)],
        ids_removed=[gone],
        previous_generation=report.generation,
    )
    cluster = store.cluster_of("late-reprint")
    assert cluster is not None and originals[1] in cluster.members
    assert cluster.first == originals[1]
    assert gone not in store.members and gone not in store.cluster_of(originals[2]).members
    reread = reprints.load_store(index_dir, "gen-next")
    assert reread.cluster_of("late-reprint").members == cluster.members
    assert {a: reread.pairs.get(a) for a in store.pairs} == dict(store.pairs)
    assert set(reread.pairs) == set(store.pairs)
    assert reread.reprinted_articles() == store.reprinted_articles()


@pytest.fixture(scope="module")
def client(built):
    from web import create_app

    index_dir = built[0]
    return create_app({"TESTING": True, "LOUPE_INDEX": str(index_dir)}).test_client()


def test_api_lists_reprints_with_overlap_and_passages_apart_from_neighbours(built, client):
    _, _, store, originals, _ = built
    original = originals[0]
    body = client.get(f"/api/articles/{original}").get_json()
    text = "\n\n".join(s["text"] for s in body["sections"] if s["text"])
    answer = client.get(f"/api/articles/{original}/similar?neighbours=10").get_json()
    assert answer["available"] and answer["reprints"]["this_is_first"]
    items = {r["id"]: r for r in answer["reprints"]["items"]}
    assert set(items) == set(store.reprints_of(original))
    assert set(store.cluster_of(original).members) - {original} <= set(items)
    embedded = items[f"{original}~embedded"]
    assert embedded["share_of_this"] >= 0.95 > embedded["share_of_other"]
    other = client.get(f"/api/articles/{original}~embedded").get_json()
    other_text = "\n\n".join(s["text"] for s in other["sections"] if s["text"])
    for p in embedded["passages"]:
        here = " ".join(text[p["start"] : p["end"]].split()).lower()
        there = " ".join(other_text[p["other_start"] : p["other_end"]].split()).lower()
        assert here == there and len(here.split()) >= 8
    assert answer["neighbours"], "topical neighbours expected"
    assert not {n["id"] for n in answer["neighbours"]} & set(items)


def test_similar_refuses_bad_parameters_and_unknown_articles(client, built):
    original = built[3][0]
    bad = client.get(f"/api/articles/{original}/similar?neighbours=abc")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "invalid_parameter"
    assert client.get(f"/api/articles/{original}/similar?neighbours=99").status_code == 400
    missing = client.get("/api/articles/nope-nope/similar")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_article_page_shows_same_text_elsewhere_with_first_known(client, built):
    original = built[3][0]
    page = client.get(f"/articles/{original}~substituted").get_data(as_text=True)
    assert "Même texte ailleurs" in page and "Articles proches" in page
    first = page.index("première parution connue")
    assert f'href="/articles/{original}"' in page[page.index("Même texte ailleurs") : first]
    assert "<mark>" in page


def test_first_known_with_an_inferred_date_carries_a_caveat(client):
    answer = client.get("/api/articles/copy-of-dated-by-text/similar").get_json()["reprints"]
    assert answer["first_known"] == "dated-by-text" and answer["first_date_inferred"]
    page = client.get("/articles/copy-of-dated-by-text").get_data(as_text=True)
    assert "Certaines dates sont déduites du texte" in page
    assert "(date déduite du texte)" in page[page.index("Même texte ailleurs") :]


def test_hostile_text_in_same_text_elsewhere_is_escaped(client):
    page = client.get("/articles/hostile-reprint").get_data(as_text=True)
    section = page[page.index("Même texte ailleurs") :]
    assert f"/articles/{HOSTILE_ID}" in section
    assert SCRIPT not in page and IMG not in page
    assert "&lt;script&gt;" in section


def _phrase_query(corpus_articles, original_id: str) -> str:
    """A phrase of the original's third paragraph: its reprints carry it too."""
    original = next(a for a in corpus_articles if a.id == original_id)
    words = story_of(original).paragraphs[2].split()[:4]
    return '"' + " ".join(w.strip(",.;:«»()") for w in words) + '"'


def _hits(page: str) -> int:
    return page.count('<li class="hit">')


def test_results_group_reprints_under_the_earliest_and_list_them_all_on_request(
    client, built, corpus_articles
):
    original = built[3][0]
    q = _phrase_query(corpus_articles, original)
    api = client.get("/api/search", query_string={"q": q, "per_page": 50}).get_json()
    in_cluster = [h["id"] for h in api["hits"] if h["id"].split("~")[0] == original]
    assert len(in_cluster) >= 4
    grouped = client.get("/search", query_string={"q": q, "per_page": 50}).get_data(as_text=True)
    assert _hits(grouped) == api["total"] - len(in_cluster) + 1
    summary = f"+ {len(in_cluster) - 1} reprises du même texte"
    assert summary in grouped
    head = grouped[: grouped.index(summary)].rsplit('<li class="hit">', 1)[1]
    assert f'href="/articles/{original}?' in head  # the earliest heads its group
    assert "reprises comprises" in grouped  # facets count articles
    flat = client.get("/search", query_string={"q": q, "per_page": 50, "reprints": "all"})
    flat_page = flat.get_data(as_text=True)
    assert _hits(flat_page) == api["total"] and 'class="reprint-group"' not in flat_page
    assert "Regrouper les reprises" in flat_page
    assert client.get("/search", query_string={"q": q, "reprints": "x"}).status_code == 400


def test_api_groups_reprints_as_the_page_does_on_request(client, built, corpus_articles):
    from api_checks import check

    original = built[3][0]
    q = _phrase_query(corpus_articles, original)
    asked = {"q": q, "per_page": 50}
    flat = check(client.get("/api/search", query_string=asked), "/api/search", 200)
    assert all("reprints" not in h for h in flat["hits"])  # by default: every article
    every = client.get("/api/search", query_string={**asked, "reprints": "all"}).get_json()
    assert [h["id"] for h in every["hits"]] == [h["id"] for h in flat["hits"]]
    grouped = client.get("/api/search", query_string={**asked, "reprints": "grouped"})
    body = check(grouped, "/api/search", 200)  # the documented shape, `reprints` included
    assert body["total"] == flat["total"] and body["facets"] == flat["facets"]
    ids = [h["id"] for h in body["hits"]]
    inner = [r["id"] for h in body["hits"] for r in h["reprints"]]
    assert sorted(ids + inner) == sorted(h["id"] for h in flat["hits"])  # each hit once
    (group,) = [h for h in body["hits"] if h["id"] == original]  # the earliest heads it
    assert len(group["reprints"]) >= 3
    assert all(r["id"].split("~")[0] == original for r in group["reprints"])
    page = client.get("/search", query_string=asked).get_data(as_text=True)
    assert _hits(page) == len(body["hits"])  # as many entries as the page shows
    bad = client.get("/api/search", query_string={**asked, "reprints": "x"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_parameter"


@pytest.fixture(scope="module")
def live(built, tmp_path_factory):
    log = tmp_path_factory.mktemp("reprints-serve") / "serve.log"
    with serving(built[0], log) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False])
def test_reprint_group_expands_in_a_real_browser(live, built, corpus_articles, javascript):
    from playwright.sync_api import sync_playwright

    original = built[3][0]
    q = _phrase_query(corpus_articles, original)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(java_script_enabled=javascript, locale="fr-FR")
        page = context.new_page()
        page.goto(f"{live}/search?q={q}&per_page=50")
        group = page.locator("details.reprint-group")
        assert group.count() == 1
        first_reprint = group.locator("ol li a").first
        assert not first_reprint.is_visible()
        group.locator("summary").click()
        assert first_reprint.is_visible()
        page.locator("text=Afficher les reprises séparément").click()
        assert "reprints=all" in page.url
        assert page.locator("details.reprint-group").count() == 0
        if javascript:
            OUTPUT.mkdir(exist_ok=True)
            page.goto(f"{live}/articles/{original}~lead_added")
            page.set_viewport_size({"width": 1280, "height": 900})
            box = page.locator("#meme-texte").bounding_box()
            clip = {"x": 0, "y": max(0, box["y"] - 20), "width": 1280, "height": 900}
            page.screenshot(path=str(OUTPUT / "reprints.png"), full_page=True, clip=clip)
        browser.close()


@pytest.mark.browser
def test_hostile_text_in_same_text_elsewhere_is_inert_in_a_real_browser(live, browser):
    """The hostile story's reprint page, in Chromium: the markup of the shared
    passages is shown as text, nothing runs, nothing is loaded."""
    context = browser.new_context(locale="fr-FR")
    watched = Watched(context)
    watched.page.goto(f"{live}/articles/hostile-reprint")
    panel = watched.page.locator("#meme-texte")
    assert SCRIPT in panel.inner_text()
    assert panel.locator("script, img").count() == 0
    assert not watched.dialogs and not watched.errors and not watched.foreign_requests()
    context.close()


def _cli(*args: str):
    from click.testing import CliRunner

    from search.cli import main

    return CliRunner().invoke(main, list(args))


def test_duplicates_export_agrees_with_the_api(built, client):
    index_dir, _, store, originals, _ = built
    result = _cli("duplicates", "--index", str(index_dir))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == len(store.clusters())
    line = next(c for c in lines if c["first_known"] == originals[0])
    api = client.get(f"/api/articles/{originals[0]}/similar").get_json()["reprints"]["items"]
    by_id = {r["id"]: r for r in api}
    assert {m["id"] for m in line["members"]} == set(by_id) | {originals[0]}
    for member in line["members"]:
        if member["id"] == originals[0]:
            assert member["first_known"] and member["share_in_first"] == 1.0
            continue
        assert member["share_in_first"] == by_id[member["id"]]["share_of_other"]
        assert member["share_of_first"] == by_id[member["id"]]["share_of_this"]
        assert member["source"] == by_id[member["id"]]["source"]
        assert member["published"] == by_id[member["id"]]["published"]

    as_csv = _cli("duplicates", "--index", str(index_dir), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {(r["cluster"], r["id"]) for r in rows} == {
        (str(c["cluster"]), m["id"]) for c in lines for m in c["members"]
    }
    strict = _cli("duplicates", "--index", str(index_dir), "--min-similarity", "0.99")
    kept = [m for line in strict.output.splitlines() for m in json.loads(line)["members"]]
    assert kept and all(max(m["share_in_first"], m["share_of_first"]) >= 0.99 for m in kept)
    assert len(kept) < sum(len(c["members"]) for c in lines)


def test_duplicates_refuses_a_bad_similarity_in_one_line(built):
    result = _cli("duplicates", "--index", str(built[0]), "--min-similarity", "2")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--min-similarity" in result.output


def test_stats_counts_reprinted_articles(built):
    index_dir, _, store, _, _ = built
    result = _cli("stats", "--index", str(index_dir))
    assert result.exit_code == 0, result.output
    assert f"reprises : {store.reprinted_articles()} articles reprennent" in result.output
    assert store.reprinted_articles() >= N_ORIGINALS * (len(EDITS) - 1)


@pytest.fixture(scope="module")
def opensearch_client(opensearch_url, reprint_corpus, tmp_path_factory):
    """The same corpus through `index_corpus` into a real OpenSearch node; its
    reprint store lives in the index folder given to the build."""
    from search.backends.opensearch import OpenSearchBackend
    from web import create_app

    folder = reprint_corpus[0]
    index_dir = tmp_path_factory.mktemp("reprints-opensearch")
    backend = OpenSearchBackend(opensearch_url, index_name="loupe-reprints")
    index_corpus(folder, index_dir, ner=False, backend=backend)
    app = create_app(
        {
            "TESTING": True,
            "LOUPE_INDEX": str(index_dir),
            "LOUPE_BACKEND": "opensearch",
            "LOUPE_OPENSEARCH_URL": opensearch_url,
            "LOUPE_OPENSEARCH_INDEX": "loupe-reprints",
        }
    )
    return app.test_client(), index_dir


@pytest.mark.opensearch
def test_both_backends_give_the_same_reprints(opensearch_client, client, built):
    other, index_dir = opensearch_client
    for article_id in [*built[3], f"{built[3][0]}~embedded", "hostile-reprint"]:
        here = client.get(f"/api/articles/{article_id}/similar").get_json()
        there = other.get(f"/api/articles/{article_id}/similar").get_json()
        assert there["available"] and here["reprints"] == there["reprints"]
        assert there["neighbours"], "OpenSearch more_like_this found no neighbour"
        assert not {n["id"] for n in there["neighbours"]} & {
            r["id"] for r in there["reprints"]["items"]
        }
    whoosh_export = _cli("duplicates", "--index", str(built[0])).output
    opensearch_export = _cli(
        "duplicates",
        "--index",
        str(index_dir),
        "--backend",
        "opensearch",
        "--opensearch-url",
        other.application.config["LOUPE_OPENSEARCH_URL"],
        "--opensearch-index",
        "loupe-reprints",
    ).output
    assert whoosh_export == opensearch_export and whoosh_export.count("\n") >= 3


@pytest.mark.filterwarnings("ignore:Surrogate character")  # unidecode's, on the lone surrogate
@pytest.mark.parametrize(
    "text",
    [
        "L'armée malienne a repris Tinzaouaten – « selon TASS » : 12 morts.",
        "ŒUVRE Ærø Łódź straße naïve café — déjà-vu, aujourd’hui",
        "Ελλάδα 北京 Москва ﬁn ① x² fin_de_mot snake_case 3,5 %",
        "",
        "un deux",
        "\ud800 lone surrogate \U0001f600 emoji",
    ],
)
def test_shingles_read_the_same_words_as_the_reference_folding(text):
    """The ASCII fast path (`folded_ascii_words`) must shingle exactly as the
    folding table and the word pattern do on the text itself: stores written by
    either give the same clusters."""
    from search.reprints.shingles import (
        _WORD,
        fast_fold,
        folded_ascii_words,
        shingle_hashes,
    )

    reference = _WORD.findall(fast_fold(text))
    assert [w.decode() for w in folded_ascii_words(text)] == reference
    assert shingle_hashes(folded_ascii_words(text)).tolist() == shingle_hashes(reference).tolist()


def test_shingles_of_the_bundled_corpus_match_the_reference_folding(corpus_articles):
    from search.reprints.shingles import _WORD, fast_fold, folded_ascii_words, reprint_text

    for article in corpus_articles:
        text = reprint_text(article)
        assert [w.decode() for w in folded_ascii_words(text)] == _WORD.findall(fast_fold(text))
