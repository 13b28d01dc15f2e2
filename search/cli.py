"""`loupe index | search | stats | export | serve` — a thin click layer.

Each command parses options and calls one library function (`index_corpus`,
`Searcher.search`, `serve`); tests call those directly or through click's
runner. Errors a user can cause end in one clear line and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import sys
from datetime import date, datetime
from pathlib import Path

import click

from search.core.model import SORTS, Filters, IndexBusy, IndexMissing, Results
from search.core.ranking import DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_RESULT_WINDOW
from search.query import QueryError
from search.serialize import article_to_json, results_to_json

DEFAULT_CORPUS = Path("corpus")
DEFAULT_INDEX = Path("index")
EXIT_SKIPPED = 3  # index built, but some files were skipped

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=lambda: os.environ.get("LOUPE_INDEX", str(DEFAULT_INDEX)),
    show_default="$LOUPE_INDEX or ./index",
    help="Dossier de l'index.",
)


BACKEND_CHOICES = ("whoosh", "opensearch")


def backend_options(command):
    """`--backend`, `--opensearch-url`, `--opensearch-index` (or LOUPE_BACKEND,
    LOUPE_OPENSEARCH_URL, LOUPE_OPENSEARCH_INDEX), handed to the command as one
    `backend` dict for `open_backend`/`Searcher.open`: the commands themselves
    never know which engine answers."""

    @functools.wraps(command)
    def wrapper(
        *args, backend: str, opensearch_url: str | None, opensearch_index: str | None, **kw
    ):
        options = {
            "backend": backend,
            "opensearch_url": opensearch_url,
            "opensearch_index": opensearch_index,
        }
        return command(*args, backend=options, **kw)

    for option in reversed(
        (
            click.option(
                "--backend",
                type=click.Choice(BACKEND_CHOICES),
                default="whoosh",
                envvar="LOUPE_BACKEND",
                show_default="$LOUPE_BACKEND or whoosh",
                help="Moteur : whoosh (dossier local) ou opensearch (cluster).",
            ),
            click.option(
                "--opensearch-url",
                envvar="LOUPE_OPENSEARCH_URL",
                metavar="URL",
                help="URL du cluster OpenSearch (plusieurs séparées par des virgules).",
            ),
            click.option(
                "--opensearch-index",
                envvar="LOUPE_OPENSEARCH_INDEX",
                metavar="ALIAS",
                help="Alias de l'index OpenSearch (défaut : loupe).",
            ),
        )
    ):
        wrapper = option(wrapper)
    return wrapper


def _open_backend(index_dir: Path, backend: dict):
    """The configured backend, or one clear line when the configuration is incomplete."""
    from search.backends import open_backend

    try:
        return open_backend(
            backend["backend"],
            index_dir=index_dir,
            opensearch_url=backend["opensearch_url"],
            opensearch_index=backend["opensearch_index"],
        )
    except ValueError as exc:
        _fail(str(exc))


def _where(index_dir: Path, backend: dict) -> str:
    if backend["backend"] == "opensearch":
        url = backend["opensearch_url"] or os.environ.get("LOUPE_OPENSEARCH_URL") or "OpenSearch"
        return f"{url} (alias {backend['opensearch_index'] or 'loupe'})"
    return str(index_dir)


def _fail(message: str, code: int = 1) -> None:
    click.secho(f"Erreur : {message}", fg="red", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="loupe")
def main() -> None:
    """Loupe — moteur de recherche pour corpus d'articles en français."""


# -- index -------------------------------------------------------------------
@main.command("index")
@click.argument(
    "corpus", required=False, type=click.Path(path_type=Path), default=str(DEFAULT_CORPUS)
)
@index_option
@backend_options
@click.option("--no-ner", is_flag=True, help="Sans reconnaissance d'entités (plus rapide).")
@click.option("--ner-cache", type=click.Path(path_type=Path), help="Cache des entités (SQLite).")
@click.option("--gazetteer", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--max-size", type=float, default=20.0, show_default=True, help="Taille max (Mo).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=lambda: _default_workers(),
    show_default="nombre de cœurs",
    help="Processus en parallèle : reconnaissance d'entités, et écriture de "
    "l'index quand une reconstruction complète dépasse 3 000 articles ou que "
    "la reconnaissance d'entités tourne dans ces processus.",
)
@click.option("--strict", is_flag=True, help="Échouer (index inchangé) si un fichier est ignoré.")
@click.option("--wait", is_flag=True, help="Attendre une indexation en cours au lieu d'échouer.")
@click.option("--quiet", "-q", is_flag=True, help="Sans barre de progression.")
@click.option(
    "--full",
    is_flag=True,
    help="Tout reconstruire (par défaut : seuls les fichiers ajoutés, modifiés ou supprimés "
    "depuis la dernière indexation sont lus et écrits).",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Rester actif et appliquer chaque changement du dossier (mise à jour incrémentale).",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.1, 3600),
    default=2.0,
    show_default=True,
    help="Avec --watch : secondes entre deux examens du dossier.",
)
@click.option(
    "--settle",
    type=click.FloatRange(0, 3600),
    default=1.0,
    show_default=True,
    help="Avec --watch : un fichier modifié il y a moins de SETTLE s attend le tour suivant.",
)
@click.option(
    "--semantic",
    is_flag=True,
    help="Encoder aussi chaque article en vecteur de phrase (extra « semantic ») : "
    "les meilleurs résultats sont réordonnés par le sens, pas seulement par les mots.",
)
def index_command(
    corpus: Path,
    index_dir: Path,
    no_ner: bool,
    ner_cache: Path | None,
    gazetteer: Path | None,
    max_size: float,
    workers: int,
    strict: bool,
    wait: bool,
    quiet: bool,
    backend: dict,
    full: bool,
    watch: bool,
    interval: float,
    settle: float,
    semantic: bool = False,
) -> None:
    """Construit ou met à jour l'index à partir du dossier CORPUS (par défaut ./corpus).

    Mise à jour incrémentale : chaque fichier est comparé à ce que l'index en a
    lu (taille, date de modification, puis somme de contrôle) ; seuls les
    articles nouveaux ou modifiés sont lus, analysés et écrits, ceux dont le
    fichier a disparu sont retirés. --full reconstruit tout. Dans les deux cas
    la nouvelle génération remplace l'ancienne d'un coup : une indexation
    interrompue laisse l'index précédent en service."""
    from search.gazetteer import GazetteerError
    from search.indexer import index_corpus
    from search.ner_pool import WorkerDied
    from search.readers import CorpusError
    from search.semantic import SemanticUnavailable

    def run(settle: float = 0.0, full: bool = full):
        return index_corpus(
            corpus,
            index_dir,
            ner=not no_ner,
            ner_cache=ner_cache,
            gazetteer=gazetteer,
            progress=not quiet and sys.stderr.isatty(),
            max_bytes=int(max_size * 2**20),
            n_process=workers,
            strict=strict,
            wait=wait,
            backend=_open_backend(index_dir, backend),
            full=full,
            settle=settle,
            semantic=semantic,
            keep_model=watch,  # the watcher's next updates reuse the NER model
        )

    if watch:
        _watch(run, corpus, interval, settle)
        return
    try:
        stop_on_sigterm()
        report = run()
    except IndexBusy:
        _fail(
            f"une autre indexation est en cours dans {index_dir} : "
            "attendez qu'elle finisse, ou relancez avec --wait pour attendre son tour"
        )
    except (CorpusError, GazetteerError) as exc:
        failed = getattr(exc, "report", None)
        if failed is not None and failed.skipped:
            # Say which files stopped the build, so they can be fixed.
            click.secho(f"Erreur : {exc}", fg="red", err=True)
            _print_skipped(failed, err=True)
            sys.exit(1)
        _fail(str(exc))
    except WorkerDied as exc:
        _fail(str(exc))
    except SemanticUnavailable as exc:
        _fail(str(exc))
    except Interrupted as exc:
        _fail(f"indexation interrompue ({exc}) : index inchangé", code=130)
    except KeyboardInterrupt:
        _fail("indexation interrompue (Ctrl-C) : index inchangé", code=130)
    except OSError as exc:
        # The corpus's own files never get here (each becomes a skip): this is
        # the index folder that cannot be written (bad path, read-only, full disk).
        _fail(f"impossible d'écrire l'index dans {index_dir} : {exc.strerror or exc}")
    _print_report(report)
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


def _print_report(report) -> None:
    echo = click.echo
    echo(click.style(f"{report.indexed} articles indexés", bold=True) + f" dans {report.index}")
    echo(f"  génération : {report.generation}")
    _print_changes(report)
    if report.entities:
        parts = ", ".join(f"{t} {n}" for t, n in sorted(report.entities.items()))
        echo(f"  entités : {sum(report.entities.values())} ({parts})")
    if report.ner_cached or report.ner_computed:
        echo(f"  NER : {report.ner_computed} calculés, {report.ner_cached} depuis le cache")
    if report.semantic_encoded:
        echo(f"  vecteurs de phrase : {report.semantic_encoded} ({report.semantic_seconds:.1f} s)")
    if report.reprint_clusters:
        echo(
            f"  reprises : {report.reprint_clusters} groupes d'articles au même texte "
            f"({report.reprint_seconds:.1f} s)"
        )
    if report.duplicates:
        echo(f"  doublons ignorés : {len(report.duplicates)}")
        for what, why in report.duplicates:
            echo(f"    - {what} : {why}")
    if report.notes:
        echo(f"  remarques : {len(report.notes)}")
        for note in report.notes:
            echo(f"    - {note.path} : {note.message}")
    _print_skipped(report)
    echo(f"  durée : {report.elapsed:.1f} s")


def _watch(run, corpus: Path, interval: float, settle: float) -> None:
    """`--watch`: one line per update applied, one per failed round, until SIGTERM."""
    from search.watch import watch

    def applied(report) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        what = (
            f"+{report.added} ~{report.updated} -{report.removed}"
            if report.mode == "incremental"
            else f"reconstruction ({report.full_reason})"
        )
        click.echo(
            f"{stamp} {what} → {report.indexed} articles, génération {report.generation} "
            f"({report.elapsed:.1f} s)"
        )

    def failed(exc: Exception) -> None:
        click.secho(f"Erreur : {exc}", fg="red", err=True)

    click.echo(f"surveillance de {corpus} toutes les {interval:g} s (SIGTERM ou Ctrl-C pour finir)")
    rounds = watch(
        lambda settle_s: run(settle_s, full=False),
        applied,
        interval=interval,
        settle=settle,
        on_error=failed,
    )
    click.echo(f"surveillance terminée après {rounds} passage(s)")


def _default_workers() -> int:
    from search.worker_processes import default_workers

    return default_workers()


class Interrupted(Exception):
    """SIGTERM arrived: unwind like Ctrl-C, so workers stop and the lock is released."""


def stop_on_sigterm() -> None:
    """Turn SIGTERM into an exception in the main thread: the build unwinds
    (worker processes terminated, `.building` folder removed, lock released)
    instead of dying where it stands."""
    import signal

    def interrupted(signum, _frame):
        raise Interrupted(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)


def _print_changes(report) -> None:
    """What this run changed: the update's counts, or why everything was rebuilt."""
    if getattr(report, "mode", "full") == "incremental":
        click.echo(
            f"  mise à jour : {report.added} ajoutés, {report.updated} modifiés, "
            f"{report.removed} supprimés, {report.unchanged} inchangés "
            f"({report.files_read} fichier(s) lu(s))"
        )
    elif getattr(report, "full_reason", None):
        click.echo(f"  reconstruction complète : {report.full_reason}")
    if getattr(report, "peak_rss_mb", 0):
        workers = getattr(report, "workers", 0)
        line = f"  mémoire : {report.peak_rss_mb:.0f} Mo"
        writers = getattr(report, "writers", 0)
        if workers:
            line += f", {workers} processus NER"
        if writers:
            line += f", {writers} processus d'écriture"
        if workers or writers:
            line += f" (jusqu'à {report.workers_peak_rss_mb:.0f} Mo chacun)"
        click.echo(line)
    if report.skipped:
        reasons: dict[str, int] = {}
        for s in report.skipped:
            reasons[s.reason] = reasons.get(s.reason, 0) + 1
        parts = ", ".join(f"{n} × {why}" for why, n in sorted(reasons.items(), key=lambda x: -x[1]))
        click.echo(f"  ignorés par raison : {parts}")


def _print_skipped(report, err: bool = False) -> None:
    if not report.skipped:
        return
    click.secho(f"  fichiers ignorés : {len(report.skipped)}", fg="yellow", err=err)
    for s in report.skipped:
        where = f"{s.path}:{s.line}" if s.line else s.path
        click.echo(f"    - {where} : {s.reason}", err=err)


# -- search ------------------------------------------------------------------
def _parse_date(_ctx, param, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"date attendue au format AAAA-MM-JJ, pas « {value} »") from exc


def filter_options(command):
    """`--person`, `--org`, `--place`, `--source` (each repeatable), `--from`,
    `--to`, handed to the command as one `filters` (`Filters`): `search` and
    `export` select the same articles from the same options."""

    @functools.wraps(command)
    def wrapper(
        *args,
        person: tuple[str, ...],
        org: tuple[str, ...],
        place: tuple[str, ...],
        source: tuple[str, ...],
        date_from: date | None,
        date_to: date | None,
        **kw,
    ):
        filters = Filters(person, org, place, source, date_from, date_to)
        return command(*args, filters=filters, **kw)

    for option in reversed(
        (
            click.option(
                "--person", multiple=True, help="Filtrer sur une personne (forme canonique)."
            ),
            click.option("--org", multiple=True, help="Filtrer sur une organisation."),
            click.option("--place", multiple=True, help="Filtrer sur un lieu."),
            click.option("--source", multiple=True, help="Filtrer sur une source."),
            click.option("--from", "date_from", callback=_parse_date, help="Depuis (AAAA-MM-JJ)."),
            click.option("--to", "date_to", callback=_parse_date, help="Jusqu'au (AAAA-MM-JJ)."),
        )
    ):
        wrapper = option(wrapper)
    return wrapper


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@index_option
@backend_options
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(1, MAX_PER_PAGE),
    default=DEFAULT_PER_PAGE,
    show_default=True,
)
@click.option("--page", type=click.IntRange(1, MAX_RESULT_WINDOW), default=1, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance")
@filter_options
@click.option("--facets", is_flag=True, help="Afficher les facettes.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.option(
    "--exact",
    is_flag=True,
    help="Ne pas assouplir une requête sans résultat (correction, n'importe quel mot, approché).",
)
def search_command(
    query: tuple[str, ...],
    index_dir: Path,
    limit: int,
    page: int,
    sort: str,
    filters: Filters,
    facets: bool,
    as_json: bool,
    backend: dict,
    exact: bool = False,
) -> None:
    """Cherche QUERY dans l'index et affiche les résultats."""
    from search.searcher import Searcher

    try:
        searcher = Searcher(_open_backend(index_dir, backend), index_dir=index_dir)
        results = searcher.search(
            " ".join(query),
            filters,
            sort=sort,
            page=page,
            per_page=limit,
            with_facets=facets,
            relax=not exact,
        )
    except QueryError as exc:
        _fail(f"requête mal formée : {exc.message}", code=2)
    except IndexMissing as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(results_to_json(results), ensure_ascii=False, indent=2))
    else:
        _print_results(results, facets)


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _terminal_snippet(snippet_html: str) -> str:
    marked = _MARK.sub(
        lambda m: click.style(html.unescape(m.group(1)), bold=True, fg="yellow"), snippet_html
    )
    return html.unescape(marked) if "<mark>" not in marked else marked


def _print_results(results: Results, with_facets: bool) -> None:
    echo = click.echo
    if results.relaxed is not None:
        echo(f"{results.relaxed.message} (--exact pour la requête telle quelle)")
    elif results.suggestion:
        echo(f"Vouliez-vous dire : {results.suggestion} ?")
    plural = "s" if results.total != 1 else ""
    echo(
        f"{results.total} résultat{plural} ({results.took_ms:.0f} ms)"
        + (" — partiel" if results.partial else "")
    )
    first = (results.page - 1) * results.per_page
    for i, hit in enumerate(results.hits, start=first + 1):
        when = hit.published.isoformat() if hit.published else "date inconnue"
        echo("")
        echo(click.style(f"{i}. {hit.title}", bold=True) + f"  [{hit.id}]")
        echo(f"   {when} · {hit.source or 'source inconnue'} · score {hit.score:.2f}")
        for s in hit.snippets[:2]:
            where = f"§ {s.section} — " if s.section else ""
            echo(f"   {where}{_terminal_snippet(s.html)}")
    if with_facets:
        for name, values in results.facets.items():
            if values:
                echo("")
                echo(
                    click.style(name, underline=True)
                    + " : "
                    + ", ".join(f"{v.value} ({v.count})" for v in values)
                )


# -- stats / export --------------------------------------------------------------
@main.command("stats")
@index_option
@backend_options
def stats_command(index_dir: Path, backend: dict) -> None:
    """Affiche les chiffres de l'index."""
    from search.searcher import Searcher

    try:
        stats = Searcher(_open_backend(index_dir, backend)).stats()
    except IndexMissing as exc:
        _fail(str(exc))
    where = _where(index_dir, backend)
    click.echo(f"index : {where} (génération {stats.generation}, construite {stats.built_at})")
    click.echo(f"articles : {stats.articles}")
    click.echo(f"termes : {stats.terms}")
    for type_, n in sorted(stats.entities.items()):
        click.echo(f"entités {type_} : {n}")
    _print_reprint_stats(index_dir, backend)


def _print_reprint_stats(index_dir: Path, backend: dict) -> None:
    """How many articles repeat another's text (search.reprints), if the
    generation has its clusters."""
    from search.searcher import Searcher

    store = Searcher(_open_backend(index_dir, backend), index_dir=index_dir).reprint_store()
    if store is None:
        click.echo("reprises : non calculées pour cette génération (relancez `loupe index`)")
        return
    clusters = store.clusters()
    in_clusters = sum(len(c.members) for c in clusters)
    click.echo(
        f"reprises : {store.reprinted_articles()} articles reprennent le texte d'un autre "
        f"({len(clusters)} groupes, {in_clusters} articles en tout, premières parutions comprises)"
    )


@main.command("export")
@index_option
@backend_options
@click.option("--json", "as_json", is_flag=True, help="Une ligne JSON par article (tout l'index).")
@click.option("--query", "-q", "query", help="Exporter tous les résultats de cette recherche.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), help="Format des résultats exportés."
)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@filter_options
@click.option("--bom", is_flag=True, help="CSV précédé d'un BOM UTF-8 (pour les tableurs).")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Fichier de sortie."
)
def export_command(
    index_dir: Path,
    as_json: bool,
    query: str | None,
    fmt: str | None,
    sort: str,
    filters: Filters,
    bom: bool,
    output: Path | None,
    backend: dict,
) -> None:
    """Exporte l'index entier (--json) ou tous les résultats d'une recherche
    (--query et/ou filtres, --format csv|jsonl), sans limite de pages."""
    if query is None and fmt is None and filters.is_empty():
        if not as_json:
            _fail("choisir --json (tout l'index) ou --query/--format (une recherche)", code=2)
        engine = _open_backend(index_dir, backend)
        try:
            for article in engine.all_articles():
                click.echo(json.dumps(article_to_json(article), ensure_ascii=False))
        except IndexMissing as exc:
            _fail(str(exc))
        return
    _export_search(index_dir, backend, query or "", filters, sort, fmt or "csv", bom, output)


def _export_search(
    index_dir: Path,
    backend: dict,
    query: str,
    filters: Filters,
    sort: str,
    fmt: str,
    bom: bool,
    output: Path | None,
) -> None:
    """Every hit of one search, streamed to `output` (or standard output)."""
    from search.export import export_lines
    from search.searcher import Searcher

    try:
        searcher = Searcher(_open_backend(index_dir, backend))
        lines = export_lines(searcher, query, filters, sort, fmt, bom=bom)
        if output is None:
            for line in lines:
                click.echo(line, nl=False)
            return
        newline = "" if fmt == "csv" else None  # the csv module writes its own \r\n
        with open(output, "w", encoding="utf-8", newline=newline) as out:
            for line in lines:
                out.write(line)
    except QueryError as exc:
        _fail(f"requête mal formée : {exc.message}", code=2)
    except IndexMissing as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"impossible d'écrire {output} : {exc.strerror or exc}")


@main.command("duplicates")
@index_option
@backend_options
@click.option(
    "--min-similarity",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Part de texte commun minimale avec la première parution (0 à 1).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
def duplicates_command(index_dir: Path, min_similarity: float, fmt: str, backend: dict) -> None:
    """Exporte chaque groupe d'articles au même texte (reprises) : identifiants,
    sources, dates, part de texte commun avec la première parution connue."""
    import csv

    from search.reprints.export import CSV_COLUMNS, export_clusters
    from search.searcher import Searcher

    try:
        searcher = Searcher(_open_backend(index_dir, backend), index_dir=index_dir)
        store = searcher.reprint_store()
        if store is None:
            _fail("pas de groupes de reprises pour cette génération : relancez `loupe index`")
        writer = None
        if fmt == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
        for cluster, rows in export_clusters(store, searcher.get, min_similarity):
            if writer is not None:
                writer.writerows(rows)
                continue
            line = {
                "cluster": rows[0]["cluster"],
                "size": len(cluster.members),
                "first_known": cluster.first,
                "first_date_inferred": cluster.first_inferred,
                "members": [
                    {k: v for k, v in row.items() if k not in ("cluster", "size")} for row in rows
                ],
            }
            click.echo(json.dumps(line, ensure_ascii=False))
    except IndexMissing as exc:
        _fail(str(exc))


# -- batch -------------------------------------------------------------------
@main.command("batch")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@index_option
@backend_options
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fichier de sortie (défaut : sortie standard).",
)
@click.option("--bom", is_flag=True, help="CSV précédé d'un BOM UTF-8 (pour les tableurs).")
@click.option(
    "--max-lines",
    type=click.IntRange(1, 100_000),
    default=1_000,
    show_default=True,
    help="Lignes exécutées au plus ; les suivantes sont signalées.",
)
@click.option(
    "--time-per-query",
    type=click.FloatRange(0.05, 60),
    default=2.0,
    show_default=True,
    help="Secondes par requête (au-delà : résultats partiels).",
)
@click.option(
    "--total-time",
    type=click.FloatRange(0),
    default=0,
    show_default="sans limite",
    help="Secondes pour tout le lot (0 : sans limite).",
)
@click.option(
    "--max-size",
    type=click.FloatRange(0.001, 1024),
    default=50.0,
    show_default=True,
    help="Taille max du fichier (Mo).",
)
@click.option("--quiet", "-q", is_flag=True, help="Sans barre de progression.")
def batch_command(
    file: Path,
    index_dir: Path,
    fmt: str,
    output: Path | None,
    bom: bool,
    max_lines: int,
    time_per_query: float,
    total_time: float,
    max_size: float,
    quiet: bool,
    backend: dict,
) -> None:
    """Cherche chaque ligne de FILE (une requête par ligne, ou un CSV avec une
    colonne query) et écrit une ligne de résultats par ligne (- : entrée standard)."""
    from search.batch import BatchError, BatchLimits, BatchRunner, read_batch, write_rows
    from search.searcher import Searcher

    limits = BatchLimits(
        max_lines=max_lines,
        time_per_query=time_per_query,
        total_time=total_time,
        max_bytes=int(max_size * 2**20),
    )
    try:
        data = _read_input(file, limits.max_bytes)
        batch = read_batch(data, limits)
    except BatchError as exc:
        _fail(f"{file} : {exc}")
    except OSError as exc:
        _fail(f"impossible de lire {file} : {exc.strerror or exc}")
    for note in batch.notes:
        click.echo(f"Remarque : {note}", err=True)
    try:
        runner = BatchRunner(Searcher(_open_backend(index_dir, backend)), limits)
        rows = _with_progress(runner.run(batch), len(batch.lines), quiet)
        counts = {"ok": 0, "error": 0}

        def counted(rows):
            for row in rows:
                counts[row.status] += 1
                yield row

        lines = write_rows(counted(rows), batch, fmt, bom)
        if output is None:
            for line in lines:
                click.echo(line, nl=False)
        else:
            with open(output, "w", encoding="utf-8", newline="" if fmt == "csv" else None) as out:
                for line in lines:
                    out.write(line)
    except IndexMissing as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"impossible d'écrire {output} : {exc.strerror or exc}")
    summary = f"{counts['ok']} lignes ok, {counts['error']} en erreur"
    if batch.not_run:
        cut = batch.not_run
        summary += (
            f" ; lignes {cut.from_line} à {cut.to_line} non exécutées ({cut.count}) : {cut.reason}"
        )
    click.echo(summary, err=True)
    if batch.not_run:
        sys.exit(EXIT_SKIPPED)


def _read_input(file: Path, max_bytes: int) -> bytes:
    """The file's bytes (or standard input's), refusing more than `max_bytes` early."""
    from search.batch import BatchError

    if str(file) == "-":
        data = click.get_binary_stream("stdin").read(max_bytes + 1)
    else:
        if file.stat().st_size > max_bytes:
            raise BatchError(f"fichier trop volumineux : {max_bytes / 2**20:g} Mo au plus")
        data = file.read_bytes()
    if len(data) > max_bytes:
        raise BatchError(f"fichier trop volumineux : {max_bytes / 2**20:g} Mo au plus")
    return data


def _with_progress(rows, total: int, quiet: bool):
    """A tqdm bar on standard error while rows come (not when quiet or not a terminal)."""
    if quiet or not sys.stderr.isatty():
        return rows
    from tqdm import tqdm

    return tqdm(rows, total=total, unit="requête", file=sys.stderr, leave=False)


if __name__ == "__main__":
    main()
