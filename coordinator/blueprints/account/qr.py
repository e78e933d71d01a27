"""The enrolment QR code, drawn on the server as inline SVG (segno: pure Python, no network, no
image requests; an inline <svg> with presentation attributes only passes the strict CSP)."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_svg(uri: str) -> Markup:
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer,
        kind="svg",
        scale=5,
        border=4,
        xmldecl=False,
        svgns=True,
        svgclass="mfa-qr",
        lineclass=None,
        title="QR code for your authenticator app",
    )
    return Markup(buffer.getvalue().decode())  # noqa: S704 - made here from a URI we built, no user text
