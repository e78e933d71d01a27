"""Request bodies are held to their size limit however they are sent.

Werkzeug caps a body that comes without Content-Length (Transfer-Encoding: chunked; the server
says it ends the stream with `wsgi.input_terminated`, as gunicorn and werkzeug's server do) at
`max_content_length` by reading that many bytes and then stopping, silently: a larger body is
read as its first `max_content_length` bytes, so a JSON body fails as "malformed" and a form is
parsed cut short (a token or a field lost) instead of answering 413. Here such a stream reads one
byte past the limit, and that byte is a 413 (`RequestEntityTooLarge`), whoever reads the stream:
the form parser, `get_data`, the API's payload reader.
"""

from __future__ import annotations

import typing as t

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_input_stream


class AtMostStream(LimitedStream):
    """A terminated input stream that may hold at most `limit` bytes: reading a byte more is 413."""

    def __init__(self, stream: t.IO[bytes], limit: int) -> None:
        super().__init__(stream, limit + 1, is_max=True)
        self.allowed = limit

    def readinto(self, b) -> int | None:  # type: ignore[override]
        read = super().readinto(b)
        if self._pos > self.allowed:
            raise RequestEntityTooLarge()
        return read


class BoundedRequest(Request):
    """Flask's request, whose body stream refuses a body past `max_content_length` even when it
    came without Content-Length. (`max_content_length` may be lowered per request before the body
    is read, as the API does.)"""

    @cached_property
    def stream(self) -> t.IO[bytes]:
        if self.shallow:
            raise RuntimeError("This request was created with 'shallow=True': reading its body is not allowed.")
        limit = self.max_content_length
        if limit is not None and self.content_length is None and "wsgi.input_terminated" in self.environ:
            return AtMostStream(self.environ["wsgi.input"], limit)
        return get_input_stream(self.environ, max_content_length=limit)
