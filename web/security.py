"""Headers and request limits every response and request go through.

Loupe shows text written by others (article titles, bodies, URLs): even with
autoescaping everywhere, a Content-Security-Policy that forbids inline script
is the second lock on the door. The pages load only their own CSS and JS, so
the policy can be strict. Requests are bounded before any search runs: a
long query string is refused outright (414), and nothing accepts a body.
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

DEFAULT_MAX_QUERY_STRING = 4_096  # bytes, before percent-decoding
DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024  # nothing takes a body; keep the door narrow


def init_app(app: Flask) -> None:
    app.config.setdefault("LOUPE_MAX_QUERY_STRING", DEFAULT_MAX_QUERY_STRING)
    if not app.config.get("MAX_CONTENT_LENGTH"):
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    app.before_request(_bound_request)
    app.after_request(_add_headers)


def _bound_request() -> None:
    if len(request.query_string) > current_app.config["LOUPE_MAX_QUERY_STRING"]:
        abort(414)
    # No route reads a body, so Flask's MAX_CONTENT_LENGTH would never be checked:
    # refuse an oversized one here, declared or chunked. The few routes that take
    # a body (batch search) name their own limit in LOUPE_BODY_LIMITS and read it
    # themselves, bounded by that limit.
    own_limit = current_app.config.get("LOUPE_BODY_LIMITS", {}).get(request.endpoint)
    limit = own_limit or current_app.config["MAX_CONTENT_LENGTH"]
    if own_limit:
        request.max_content_length = own_limit
        request.max_form_memory_size = own_limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    if (
        not own_limit
        and request.content_length is None
        and "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    ):
        # Drain it: past the limit werkzeug's bounded stream raises a 413.
        while request.stream.read(8192):
            pass


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
