"""`loupe serve`: the Flask app behind a production WSGI server.

Gunicorn, with `--workers` processes of a few threads each: a Whoosh search
is pure-Python CPU work, so threads in one process share one GIL and one core,
while worker processes use every core. Measured on 2 cores with 8 connections
against `/api/search` (see the report in the README's benchmark section):
gunicorn gthread 2×4 answered more requests per second than waitress with 8
threads. Threads within a worker still cover slow clients and I/O.

Each worker builds its own app (no preload): an index generation is opened
per process after the fork, and every process picks up a rebuilt index by
itself on its next request, without a restart.

Gunicorn does not run on Windows: there, `serve` falls back to waitress (one
process) with a warning, rather than not serving at all.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path

from search.core.model import IndexMissing

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 4
PUBLIC_HOSTS = {"0.0.0.0", "::", "[::]", ""}

Echo = Callable[[str], None]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 2, 8))


def ensure_index(
    index_dir: Path, corpus: Path | None, echo: Echo = print, **backend: str | None
) -> None:
    """Build the index from `corpus` when there is none yet, so that a fresh
    checkout serves with one command. Raises IndexMissing when it cannot.

    `backend` holds `Searcher.open`'s backend options (`backend`,
    `opensearch_url`, `opensearch_index`); the default is the Whoosh folder."""
    from search.searcher import Searcher

    searcher = Searcher.open(index_dir, **backend)
    try:
        searcher.stats()
        return
    except IndexMissing as exc:
        if corpus is None or not Path(corpus).is_dir():
            raise IndexMissing(f"{exc} (et pas de corpus à indexer dans {corpus})") from exc
    from search.indexer import index_corpus

    echo(f"Pas d'index dans {index_dir} : construction depuis {corpus} …")
    report = index_corpus(Path(corpus), Path(index_dir), ner=True, backend=searcher.backend)
    echo(f"{report.indexed} articles indexés en {report.elapsed:.1f} s.")


def url_of(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in PUBLIC_HOSTS else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def serve(
    index_dir: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    threads: int = DEFAULT_THREADS,
    corpus: Path | None = None,
    echo: Echo = print,
    backend: str = "whoosh",
    opensearch_url: str | None = None,
    opensearch_index: str | None = None,
) -> None:
    """Serve Loupe until interrupted (Ctrl-C or SIGTERM)."""
    index_dir = Path(index_dir).resolve()
    options = {
        "backend": backend,
        "opensearch_url": opensearch_url,
        "opensearch_index": opensearch_index,
    }
    ensure_index(index_dir, corpus, echo, **options)
    workers = workers or default_workers()
    if host in PUBLIC_HOSTS:
        echo(
            f"Attention : lié à {host or 'toutes les interfaces'}, Loupe est joignable depuis "
            "le réseau. Mettez un proxy HTTPS devant, ou utilisez --host 127.0.0.1."
        )
    served = opensearch_url if backend == "opensearch" else index_dir
    echo(f"Loupe sert {served or backend} sur {url_of(host, port)} (Ctrl-C pour arrêter)")
    sys.stdout.flush()
    config = {"LOUPE_INDEX": str(index_dir), "LOUPE_BACKEND": backend}
    if opensearch_url:
        config["LOUPE_OPENSEARCH_URL"] = opensearch_url
    if opensearch_index:
        config["LOUPE_OPENSEARCH_INDEX"] = opensearch_index
    config["LOUPE_WARM_THREADS"] = threads  # each worker opens its searchers before serving
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        echo("gunicorn absent : repli sur waitress (un seul processus).")
        config["LOUPE_WARM_THREADS"] = threads * workers
        _serve_waitress(config, host, port, threads * workers)
        return
    _serve_gunicorn(config, host, port, workers, threads)


def _bind(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def protocol_error_response(status: int) -> bytes:
    """A whole HTTP response for a request gunicorn refuses before the app sees it:
    the same JSON error and security headers as the app's own answers."""
    from web.errors import CODES, MESSAGES
    from web.security import SECURITY_HEADERS

    body = json.dumps(
        {"error": {"code": CODES[status], "message": MESSAGES[status]}}, ensure_ascii=False
    ).encode("utf-8")
    reason = HTTPStatus(status).phrase
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "close",
        **SECURITY_HEADERS,
    }
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "\r\n").encode("latin-1") + body


def _loupe_worker_class():
    """gunicorn's threaded worker, answering malformed or oversized requests in JSON.

    A request line over `limit_request_line` (8190 bytes), too many or too large
    headers, or an unparsable request never reach Flask: gunicorn writes its own
    text/html page for them (a 400 even for a too-long URL). This worker writes
    the app's JSON error instead — 414, 431 or 400 — so every refusal looks alike.
    """
    from gunicorn.http import errors
    from gunicorn.workers.gthread import ThreadWorker

    statuses = (
        (errors.LimitRequestLine, 414),
        (errors.LimitRequestHeaders, 431),
        (
            (
                errors.InvalidRequestLine,
                errors.InvalidRequestMethod,
                errors.InvalidHTTPVersion,
                errors.InvalidHeader,
                errors.InvalidHeaderName,
                errors.ObsoleteFolding,
            ),
            400,
        ),
    )

    class LoupeWorker(ThreadWorker):
        def handle_error(self, req, client, addr, exc):
            status = next((code for kinds, code in statuses if isinstance(exc, kinds)), None)
            if status is None:
                return super().handle_error(req, client, addr, exc)
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
            try:
                client.sendall(protocol_error_response(status))
            except OSError:
                self.log.debug("Failed to send error message.")

    return LoupeWorker


def _serve_gunicorn(config: dict, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class LoupeApplication(BaseApplication):
        def load_config(self) -> None:
            settings = {
                "bind": _bind(host, port),
                "workers": workers,
                "worker_class": _loupe_worker_class(),  # gthread, JSON for refused requests
                "threads": threads,
                "timeout": 30,  # a search is bounded at 2 s by the engine
                "graceful_timeout": 10,
                "keepalive": 5,
                "limit_request_line": 8190,  # the app answers 414 beyond 4 KB, the worker beyond
                "preload_app": False,  # one index reader per process, opened after fork
                "accesslog": None,
                "errorlog": "-",
                "proc_name": "loupe",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            from web import create_app

            return create_app(config)

    LoupeApplication().run()


def _serve_waitress(config: dict, host: str, port: int, threads: int) -> None:
    import waitress

    from web import create_app

    waitress.serve(create_app(config), host=host, port=port, threads=threads, ident="loupe")
