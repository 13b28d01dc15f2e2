"""`loupe`: the engine's commands (`search/cli.py`) and `loupe serve`, the web's.

The engine's CLI never imports the web (`search/` stays free of Flask); the
`loupe` program is this module, which adds the one command that needs it.
`python -m web.cli` is the same program as the `loupe` console script.
"""

from __future__ import annotations

from pathlib import Path

import click

from search.cli import DEFAULT_CORPUS, _fail, _open_backend, backend_options, index_option, main
from search.core.model import IndexMissing
from search.readers import CorpusError

__all__ = ["main"]


# -- serve -------------------------------------------------------------------
@main.command("serve")
@index_option
@backend_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processus serveurs (défaut : un par cœur, 8 au plus).",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path, file_okay=False),
    default=str(DEFAULT_CORPUS),
    show_default=True,
    help="Corpus à indexer d'abord s'il n'y a pas encore d'index.",
)
def serve_command(
    index_dir: Path, host: str, port: int, workers: int | None, corpus: Path, backend: dict
) -> None:
    """Lance le site et l'API JSON (serveur WSGI de production)."""
    from web.server import serve  # Flask and gunicorn are imported only when serving

    try:
        _open_backend(index_dir, backend)  # an incomplete configuration fails here, in one line
        serve(
            index_dir,
            host=host,
            port=port,
            workers=workers,
            corpus=corpus,
            echo=click.echo,
            **backend,
        )
    except (IndexMissing, CorpusError) as exc:
        _fail(str(exc))


if __name__ == "__main__":
    main()
