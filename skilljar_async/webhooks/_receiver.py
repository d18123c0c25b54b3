"""An aiohttp handler for Skilljar webhook deliveries (with the transport, the only aiohttp user).

Skilljar signs nothing. A receiver can only check what the subscription tells Skilljar
to send with every delivery: HTTP Basic credentials (``basic_auth_username`` and
``basic_auth_password``) or a static header from ``additional_headers``. So
`webhook_handler` insists on at least one of them and compares in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from ._events import WebhookEvent, parse_event

__all__ = ["EventCallback", "webhook_handler"]

#: What the handler hands every authenticated, parsed event to.
EventCallback = Callable[[WebhookEvent], Awaitable[object]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_REALM = 'Basic realm="skilljar-webhooks", charset="UTF-8"'


def _same(given: bytes, expected: bytes) -> bool:
    """Compare a secret in constant time (for a given length)."""
    return hmac.compare_digest(given, expected)


def _basic_credentials(headers: Mapping[str, str]) -> bytes:
    """The decoded ``user:password`` of a Basic Authorization header (b"" if absent or bad)."""
    scheme, _, value = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return b""
    try:
        return base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return b""


class _Check:
    """The configured credentials; `accepts` tells whether a request carries them."""

    __slots__ = ("basic", "header_name", "header_value")

    def __init__(self, basic_auth: tuple[str, str] | None, header: tuple[str, str] | None) -> None:
        if basic_auth is None and header is None:
            raise ValueError(
                "pass basic_auth=(user, password) and/or header=(name, value): Skilljar signs "
                "nothing, so an unchecked receiver would accept anyone's requests"
            )
        self.basic = None if basic_auth is None else _basic_secret(basic_auth)
        self.header_name: str | None = None
        self.header_value = b""
        if header is not None:
            self.header_name, self.header_value = _header(header)

    def accepts(self, headers: Mapping[str, str]) -> bool:
        """Whether the request carries every configured credential (both are always checked)."""
        basic_ok = self.basic is None or _same(_basic_credentials(headers), self.basic)
        header_ok = self.header_name is None or _same(
            _raw(headers.get(self.header_name, "")), self.header_value
        )
        return basic_ok & header_ok


def _raw(value: str) -> bytes:
    """A header value as the bytes that came in, whatever they are.

    aiohttp decodes header bytes that are not UTF-8 with ``surrogateescape``; a
    plain ``encode()`` of those raises, which an unauthenticated sender must not
    be able to turn into a 500. Bytes are compared, so such a value is just wrong.
    """
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeError:  # a lone surrogate no decoder produced: not the secret either
        return b""


def _basic_secret(basic_auth: tuple[str, str]) -> bytes:
    """Check the configured Basic credentials and return ``user:password`` as bytes."""
    user, password = basic_auth
    if not user or not password or ":" in user:
        raise ValueError("basic_auth needs a non-empty user (without ':') and password")
    return f"{user}:{password}".encode()


def _header(header: tuple[str, str]) -> tuple[str, bytes]:
    """Check the configured shared header and return (name, value as bytes)."""
    name, value = header
    if not name or not value:
        raise ValueError("header needs a non-empty name and value")
    return name, value.encode()


def _unauthorized(basic: bool) -> web.Response:
    """401, with a Basic challenge when Basic credentials are expected."""
    headers = {"WWW-Authenticate": _REALM} if basic else None
    return web.json_response({"detail": "Unauthorized."}, status=401, headers=headers)


def webhook_handler(
    callback: EventCallback,
    *,
    basic_auth: tuple[str, str] | None = None,
    header: tuple[str, str] | None = None,
) -> Handler:
    """Build an aiohttp handler that authenticates, parses and forwards Skilljar events.

    ``app.router.add_post("/skilljar", webhook_handler(on_event, header=("X-Secret", s)))``.
    Requests without the configured credentials get 401 before their body is read; a
    body that is not a JSON event gets 400; otherwise ``await callback(event)`` runs and
    the answer is an empty 200. An exception from `callback` becomes aiohttp's 500.
    Beware that Skilljar deactivates a subscription whose receiver answers 4xx.
    """
    check = _Check(basic_auth, header)

    async def handle(request: web.Request) -> web.StreamResponse:
        if not check.accepts(request.headers):
            return _unauthorized(check.basic is not None)
        try:
            event = parse_event(await request.read())
        except RecursionError:  # nesting deep enough to exhaust a parser or a hook
            return web.json_response({"detail": "the body is nested too deeply"}, status=400)
        except ValueError as exc:
            return web.json_response({"detail": str(exc)}, status=400)
        await callback(event)
        return web.Response(status=200)

    return handle
