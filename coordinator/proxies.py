"""Notice when TRUSTED_PROXY_COUNT does not match what is in front of the app.

With TRUSTED_PROXY_COUNT=N the app takes the client's address (and https) from the N-th
X-Forwarded-For entry from the right (werkzeug ProxyFix). If fewer proxies are really in front,
a client can write that header itself and choose its address: per-IP login throttling and the
audit log's IP column then believe it. The signs are requests that arrive without the header,
or with fewer entries than N; the first of each is logged once per process, as a warning that
names neither the address nor the path. `/healthz` is left out: load balancers and monitors
call it directly.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("coordinator.proxy")
_UNWATCHED = ("/healthz",)


class ForwardedHeaderWatch:
    """WSGI middleware, outside ProxyFix: it sees the headers as they arrived."""

    def __init__(self, wsgi_app, hops: int):
        self.wsgi_app = wsgi_app
        self.hops = hops
        self._lock = threading.Lock()
        self._warned: set[str] = set()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") not in _UNWATCHED:
            forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
            if not forwarded.strip():
                self._warn_once(
                    "missing",
                    "TRUSTED_PROXY_COUNT is %d but a request arrived without X-Forwarded-For: either no proxy "
                    "is in front (set TRUSTED_PROXY_COUNT=0) or the proxy does not set the header "
                    "(docs/OPERATIONS.md); client addresses cannot be trusted until this is fixed",
                )
            elif len(forwarded.split(",")) < self.hops:
                self._warn_once(
                    "short",
                    "TRUSTED_PROXY_COUNT is %d but a request's X-Forwarded-For has fewer entries: set it to the "
                    "number of proxies really in front (docs/OPERATIONS.md), or clients can choose their address",
                )
        return self.wsgi_app(environ, start_response)

    def _warn_once(self, kind: str, message: str) -> None:
        with self._lock:
            if kind in self._warned:
                return
            self._warned.add(kind)
        log.warning(message, self.hops)
