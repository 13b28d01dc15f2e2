"""One place that turns every failure into a clean answer.

Under `/api/` every error is JSON `{"error": {"code", "message"}}`; anywhere
else it is a French HTML page. The handlers are registered on the app, not on
the blueprints, because a blueprint never sees a 404 for a route it does not
have, nor a 405. Nothing here ever shows a stack trace: unexpected exceptions
are logged server-side and answered with a plain 500.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from search.core.model import IndexMissing
from search.query import QueryError
from web.params import BadParameter

CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    431: "request_header_fields_too_large",
    500: "internal_error",
    503: "index_unavailable",
}

MESSAGES = {
    400: "requête invalide",
    404: "page introuvable",
    405: "méthode non autorisée : Loupe ne répond qu'à GET et HEAD",
    413: "corps de requête trop volumineux",
    414: "adresse trop longue : raccourcissez la recherche",
    415: "type de contenu non accepté",
    431: "en-têtes de requête trop volumineux",
    500: "erreur interne : l'incident est enregistré",
    503: "l'index est indisponible pour le moment",
}

TITLES = {
    400: "Requête invalide",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Requête trop volumineuse",
    414: "Adresse trop longue",
    415: "Type de contenu non accepté",
    431: "En-têtes trop volumineux",
    500: "Erreur interne",
    503: "Service indisponible",
}


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(
    status: int, message: str, code: str | None = None, **extra: object
) -> tuple[Response, int] | tuple[str, int]:
    """The error as JSON under /api/, as a page elsewhere."""
    if wants_json():
        error = {"code": code or CODES.get(status, "error"), "message": message, **extra}
        return jsonify({"error": error}), status
    return render_template(
        "error.html", status=status, title=TITLES.get(status, "Erreur"), message=message
    ), status


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(IndexMissing, _index_missing)
    app.register_error_handler(Exception, _unexpected)


def _http_error(exc: HTTPException):
    status = exc.code or 500
    message = MESSAGES.get(status, exc.name)
    if status == 404 and wants_json():
        message = f"rien à l'adresse {request.path[:200]}"
    response, status = error_response(status, message)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        if not isinstance(response, Response):
            response = current_app.make_response(response)
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response, status


def _query_error(exc: QueryError):
    extra = {"position": exc.position} if exc.position is not None else {}
    return error_response(400, exc.message, "invalid_query", **extra)


def _bad_parameter(exc: BadParameter):
    return error_response(400, exc.message, "invalid_parameter", parameter=exc.parameter)


def _index_missing(exc: IndexMissing):
    current_app.logger.error("index unavailable: %s", exc)
    return error_response(503, MESSAGES[503])


def _unexpected(exc: Exception):
    current_app.logger.exception("unexpected error on %s", request.path)
    return error_response(500, MESSAGES[500])
