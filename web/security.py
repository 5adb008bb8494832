"""Security headers on every answer of the app: the API, the
workbench, the public pages, ``/docs`` and the static files.

- ``X-Content-Type-Options: nosniff``: a browser takes the declared media type, never guesses;
- ``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'``: no page can be framed by
  another site (clickjacking). The one page framed on purpose, the draft sheet inside the
  三公开 page, answers ``SAMEORIGIN`` / ``frame-ancestors 'self'`` (``SAME_ORIGIN_FRAME``);
- ``Referrer-Policy: same-origin``: links to other sites carry no URL of ours (paths hold
  codes and periods);
- ``Content-Security-Policy`` (``PAGE_POLICY``): everything the pages load is the app's own
  (htmx and voucher.js under ``/static``, Swagger UI under ``/docs-assets``): scripts only from
  the app, no inline script, no ``eval``; no plugins; forms post only to the app; no
  ``<base>``. Styles allow ``'unsafe-inline'``: the public sheets, the distribution statement
  and the printed voucher carry their print layout in a ``<style>`` of their own, the same HTML
  the PDFs are made from (weasyprint), and a style cannot run code. Images may be ``data:``
  (Swagger UI's icons).
- Uploaded documents (原始凭证) served inline get ``ATTACHMENT_HEADERS``: CSP ``sandbox;
  default-src 'none'``, so a crafted PDF or image opened in the browser runs nothing with the
  app's origin (the API's ``/v1/attachments/{sha256}`` and the workbench's
  ``/vouchers/{draft}/attachments/{sha256}`` use the same headers).

A response that already carries one of these headers keeps its own (``/docs`` adds the hash of
Swagger UI's inline start-up script to its policy; attachments their sandbox).
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": PAGE_POLICY,
}

# an uploaded document shown in the browser: nothing in it runs as the app
ATTACHMENT_POLICY = "sandbox; default-src 'none'"
ATTACHMENT_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": ATTACHMENT_POLICY,
}

# a page of ours shown in an <iframe> of another page of ours (the 三公开 draft preview)
SAME_ORIGIN_FRAME: dict[str, str] = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": PAGE_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    ),
}


def policy_with_inline_scripts(html: str) -> str:
    """``PAGE_POLICY`` allowing exactly the inline ``<script>`` blocks of ``html`` by their
    SHA-256 (for pages whose HTML comes from a library: Swagger UI's start-up script)."""
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    ]
    return PAGE_POLICY.replace("script-src 'self'", " ".join(["script-src 'self'", *hashes]))


class SecurityHeaders:
    """Pure ASGI middleware: adds ``HEADERS`` to every HTTP answer that does not set them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.raw if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
