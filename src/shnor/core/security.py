"""Content-Security-Policy: scripts only from the app's own static files and from inline blocks
that carry this response's nonce, so markup injected through data cannot run code."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# style-src keeps 'unsafe-inline': templates size charts with style attributes and htmx adds its
# indicator <style>; styles cannot run code. Everything else is the app's own origin.
POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Gives each request a nonce (`request.csp_nonce`, for `<script nonce=…>` in templates) and
    sends the policy with every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        # HttpRequest's stub declares no such attribute; templates read it from the request.
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY.format(nonce=nonce))
        return response
