"""Hardening — exposure: nothing writes, nothing outside the index is read, every
response is bounded and carries its security headers, and `loupe serve` listens
on loopback unless told otherwise (and then says so).

Everything goes to a live `loupe serve` (gunicorn) over raw sockets, so that
neither a client library nor the test client normalises a `..` or a `%2f` on
the way, and so that the limits gunicorn enforces before Flask are seen too.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time

import pytest
from live_server import ROOT, free_port, loupe, serving

from web.cli import main

ROUTES = [
    "/",
    "/search?q=mali",
    "/articles/000_ca1515ff46768185",
    "/static/loupe.css",
    "/api/search?q=mali",
    "/api/articles/000_ca1515ff46768185",
    "/api/entities",
    "/api/suggest?q=ma",
    "/api/health",
    "/api/openapi.json",
]
TRAVERSALS = [
    "/articles/..%2f..%2fetc%2fpasswd",
    "/articles/..%2F..%2F..%2Fpyproject.toml",
    "/api/articles/..%2f..%2fetc%2fpasswd",
    "/api/articles/../../pyproject.toml",
    "/static/../pyproject.toml",
    "/static/..%2fpyproject.toml",
    "/static/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/..%5cpyproject.toml",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/../../etc/passwd",
    "/templates/base.html",
    "/web/templates/base.html",
    "/index/CURRENT",
    "/pyproject.toml",
]


@pytest.fixture(scope="module")
def live(test_index, tmp_path_factory):
    log = tmp_path_factory.mktemp("exposure") / "serve.log"
    with serving(test_index, log, "--workers", "1") as url:
        yield url, log


def raw_request(url: str, data: bytes, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Send bytes as they are; (status, headers, body) of the answer.

    At most 20 KB are sent before reading: a server refusing a large body answers
    without reading it all, and writing on would only earn a connection reset."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data[:20_000])
        sock.shutdown(socket.SHUT_WR) if len(data) <= 20_000 else None
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return status, headers, body


def dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out


def request(url: str, method: str, target: str, headers: str = "", body: bytes = b""):
    data = f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}"
    if body and "Transfer-Encoding" not in headers:
        data += f"Content-Length: {len(body)}\r\n"
    return raw_request(url, data.encode("latin-1") + b"\r\n" + body)


def assert_json_error(status: int, headers: dict, body: bytes, code: str) -> None:
    assert headers["content-type"].startswith("application/json"), (status, body[:200])
    assert json.loads(body)["error"]["code"] == code


# -- nothing writes -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("route", ROUTES)
def test_no_route_accepts_a_writing_method(live, route, method):
    url, _ = live
    status, headers, body = request(url, method, route, body=b"x=1")
    assert status == 405, (route, method, status)
    assert set(headers["allow"].split(", ")) == {"GET", "HEAD"}
    if route.startswith("/api/"):
        assert_json_error(status, headers, body, "method_not_allowed")


# -- nothing outside the index is read -----------------------------------------------------


@pytest.mark.parametrize("target", TRAVERSALS)
def test_path_traversal_finds_nothing(live, target):
    url, _ = live
    status, headers, body = request(url, "GET", target)
    assert status == 404, (target, status, body[:200])
    text = body.decode("utf-8", "replace")
    assert "root:" not in text and "[project]" not in text and "{%" not in text


# -- bounded requests, JSON refusals, headers on everything --------------------------------


def test_query_string_over_4_kb_is_a_414_json_from_the_app(live):
    url, _ = live
    status, headers, body = request(url, "GET", "/api/search?q=" + "a" * 5000)
    assert status == 414
    assert_json_error(status, headers, body, "uri_too_long")


def test_request_line_over_gunicorns_limit_is_a_414_json_too(live):
    url, _ = live
    status, headers, body = request(url, "GET", "/api/search?q=" + "a" * 9000)
    assert status == 414
    assert_json_error(status, headers, body, "uri_too_long")
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_oversized_headers_are_a_431_json(live):
    url, _ = live
    status, headers, body = request(url, "GET", "/api/health", headers=f"X-Big: {'a' * 9000}\r\n")
    assert status == 431
    assert_json_error(status, headers, body, "request_header_fields_too_large")


def test_garbage_request_line_is_a_400_json(live):
    url, _ = live
    status, headers, body = raw_request(url, b"\x16\x03\x01 garbage\r\n\r\n")
    assert status == 400
    assert_json_error(status, headers, body, "bad_request")


def test_body_over_16_kb_is_a_413_even_on_get(live):
    url, _ = live
    # The declared length is enough to refuse: the body need not even be sent.
    head = "GET /api/search?q=mali HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"
    status, headers, body = raw_request(url, head.encode())
    assert status == 413
    assert_json_error(status, headers, body, "payload_too_large")


def test_chunked_body_over_16_kb_is_a_413(live):
    url, _ = live
    payload = b"x" * 100_000
    chunked = f"{len(payload):X}\r\n".encode() + payload + b"\r\n0\r\n\r\n"
    status, headers, body = request(
        url, "GET", "/api/search?q=mali", headers="Transfer-Encoding: chunked\r\n", body=chunked
    )
    assert status == 413
    assert_json_error(status, headers, body, "payload_too_large")


def test_small_body_on_get_is_ignored(live):
    url, _ = live
    status, _, body = request(url, "GET", "/api/search?q=mali", body=b"x" * 100)
    assert status == 200 and json.loads(body)["total"] > 0


@pytest.mark.parametrize(
    "target",
    [*ROUTES, "/nothing", "/api/nothing", "/search?q=(", "/api/search?page=0"]
    + ["/api/search?q=" + "a" * 5000],
)
def test_every_response_carries_the_security_headers(live, target):
    url, _ = live
    _, headers, _ = request(url, "GET", target)
    csp = headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


# -- where `loupe serve` listens -----------------------------------------------------------


def outside_address() -> str | None:
    """This machine's address on its default route, if it has one other than loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent for UDP connect
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_serve_listens_on_loopback_by_default(live):
    url, log = live
    port = int(url.rsplit(":", 1)[1])
    assert "Attention" not in log.read_text()
    assert f"Listening at: http://127.0.0.1:{port}" in log.read_text()
    address = outside_address()
    if address is None:
        pytest.skip("no address besides loopback to try from")
    with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
        pass


def test_serve_warns_when_bound_to_every_interface(test_index, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            loupe("serve", "--index", str(test_index), "--port", str(port), "--host", "0.0.0.0")
            + ["--workers", "1"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + 30
        while "Listening at" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.1)
        text = log.read_text()
        assert "Attention : lié à 0.0.0.0, Loupe est joignable depuis le réseau" in text
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_serve_defaults_to_loopback_in_its_options():
    option = next(p for p in main.commands["serve"].params if p.name == "host")
    assert option.default == "127.0.0.1"


def test_http_client_sees_the_same_json_refusal(live):
    """The same refusal through an ordinary client library, for good measure."""
    url, _ = live
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("DELETE", "/api/articles/000_ca1515ff46768185")
    response = conn.getresponse()
    assert response.status == 405
    assert json.loads(response.read())["error"]["code"] == "method_not_allowed"
