"""A body sent in chunks, without Content-Length, is held to the same limits (issue 11, item 11c).

Werkzeug's test client always sends a Content-Length, so these tests talk to a real HTTP server
on loopback (werkzeug's, as the browser tests use, and gunicorn with the production settings) and
write the chunks on a raw socket. Too large is 413, never a 500 and never a parse of a truncated
body; a small chunked body is read whole.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from werkzeug.serving import make_server

from coordinator import PROJECT_ROOT
from coordinator.roles import Role
from tests.fixtures.app import redis_url_for_tests
from tests.intake.test_api import api_payload, inquiry_count, make_api_client


@pytest.fixture
def key(app, create_user) -> str:
    return make_api_client(app, create_user(Role.ADMIN).id)[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def werkzeug_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ("127.0.0.1", server.server_port)
    server.shutdown()
    thread.join(timeout=5)


def gunicorn_server(database_url: str):
    """gunicorn with the production settings file (one worker), serving the test database."""
    port = free_port()
    env = {
        **os.environ,
        "COORDINATOR_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url_for_tests(),
        "SECRET_KEY": "gunicorn-test-secret-key-that-is-long-enough-0123456789",
        "PASSWORD_HASH_PROFILE": "fast-insecure-for-tests",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield ("127.0.0.1", port)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module", params=["werkzeug", "gunicorn"])
def server(request, _session_app, database_url):
    if request.param == "werkzeug":
        yield from werkzeug_server(_session_app)
    else:
        yield from gunicorn_server(database_url)


def chunked_request(address, path: str, headers: dict, body: bytes, chunk: int = 8192) -> tuple[int, bytes]:
    """POST `body` with Transfer-Encoding: chunked; the status and the body of the answer. The
    chunks are written by a thread while this one reads, so a server that answers early (and
    stops reading) is seen answering."""
    lines = [f"POST {path} HTTP/1.1", f"Host: {address[0]}:{address[1]}", "Transfer-Encoding: chunked"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += ["Connection: close", "", ""]
    sock = socket.create_connection(address, timeout=20)

    def send() -> None:
        try:
            sock.sendall("\r\n".join(lines).encode())
            for start in range(0, len(body), chunk):
                piece = body[start : start + chunk]
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server answered and closed before reading it all
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        return answer.status, answer.read()
    finally:
        sock.close()
        sender.join(timeout=5)


def oversized_payload(size: int) -> bytes:
    return json.dumps(api_payload(presenting_concerns="x" * size)).encode()


def test_an_oversized_chunked_api_body_gets_413(app, server, key):
    limit = app.config["API_MAX_BODY_BYTES"]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    status, payload = chunked_request(server, "/api/v1/inquiries", headers, oversized_payload(limit + 10))
    assert status == 413, payload[:300]
    assert json.loads(payload)["error"]["code"] == "payload_too_large"
    assert inquiry_count(app) == 0


def test_a_chunked_api_body_far_past_the_app_limit_gets_413(app, server, key):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    size = app.config["MAX_CONTENT_LENGTH"] + 100_000
    status, payload = chunked_request(server, "/api/v1/inquiries", headers, oversized_payload(size))
    assert status == 413, payload[:300]
    assert inquiry_count(app) == 0


def test_a_small_chunked_api_body_is_read_whole(app, server, key):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    status, payload = chunked_request(server, "/api/v1/inquiries", headers, json.dumps(api_payload()).encode(), 100)
    assert status == 201, payload[:300]
    assert inquiry_count(app) == 1


def test_an_oversized_chunked_form_gets_413(app, server):
    body = b"caller_name=" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    status, payload = chunked_request(server, "/inquire", headers, body, chunk=65536)
    assert status == 413, payload[:300]
