"""Pure request building and response interpretation: no I/O, no event loop.

Everything here is a plain function of its arguments, so it is tested with
tables: URL resolution, headers, query encoding, Retry-After, body parsing,
status → exception, secret redaction and the retry decision.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import ipaddress
import json
import math
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from ._errors import (
    APIStatusError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from ._version import __version__

__all__ = [
    "MAX_PAGE_SIZE",
    "REDACTED",
    "SECRET_KEYS",
    "USER_AGENT",
    "auth_headers",
    "check_base_url",
    "check_page_size",
    "encode_params",
    "error_for",
    "parse_body",
    "parse_retry_after",
    "redact",
    "refuse_naive",
    "resolve_url",
    "same_origin",
]

USER_AGENT = f"skilljar-async/{__version__}"

#: Keys whose values never appear in reprs, logs or exceptions: webhook credentials,
#: SSO login and invite tokens, presigned download URLs, payment processor data. The one
#: list: error bodies (`redact`), model reprs and the generator all read it.
SECRET_KEYS: Final = frozenset(
    {
        "additional_headers",
        "basic_auth_password",
        "download_url",
        "invite_url",
        "login_token",
        "payment_processor_response_data",
        "target_url",
        "token",
    }
)
#: What a secret looks like in an error body or a model repr.
REDACTED: Final = "<redacted>"

#: Largest `page_size` the API accepts (since December 2025).
MAX_PAGE_SIZE: Final = 1000


def auth_headers(api_key: str) -> dict[str, str]:
    """The headers every request carries: Basic auth with the key as user, JSON, our name."""
    token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
    return {
        "Authorization": f"Basic {token}",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def same_origin(a: str, b: str) -> bool:
    """True when both URLs share scheme, host and port."""
    return _origin(a) == _origin(b)


def resolve_url(base_url: str, path: str) -> str:
    """Join a path to the base URL; an absolute URL must be on the same origin.

    Raises `ValueError` for a URL on another origin: the API key is never sent elsewhere.
    """
    if "://" in path:
        if not same_origin(base_url, path):
            raise ValueError(f"refusing to send the API key to another origin: {_origin(path)[1]}")
        return path
    if not path.startswith("/"):
        path = "/" + path
    return base_url.rstrip("/") + path


def check_base_url(base_url: str) -> None:
    """Refuse a base URL that would send the API key in cleartext.

    HTTPS is required, except on loopback hosts (127.0.0.0/8, ::1, ``localhost``),
    where plain HTTP never leaves the machine (the emulator). Raises `ValueError`.
    """
    parts = urlsplit(base_url)
    scheme = parts.scheme.lower()
    if scheme == "https":
        return
    if scheme == "http" and _is_loopback(parts.hostname or ""):
        return
    raise ValueError(
        f"base_url must be https:// (got {scheme or 'no'} scheme, host "
        f"{parts.hostname or '?'!r}): the API key would travel in cleartext; plain http:// "
        "is allowed only for loopback hosts (127.0.0.1, ::1, localhost)"
    )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_page_size(value: int | None) -> int | None:
    """Check a page size against the API's 1..1000 range (None: the API's default)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"page_size must be an integer, got {value!r}")
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {value}")
    return value


def refuse_naive(name: str, value: object) -> None:
    """Refuse a naive date-time: the server would read it in its own zone, shifting it."""
    if isinstance(value, dt.datetime) and value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Query parameters as strings: `None` dropped, booleans as true/false.

    Date-times become ISO 8601 (a naive one is refused); anything else is ``str()``-ed.
    """
    if not params:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        refuse_naive(key, value)
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out or None


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.

    `now` is the current wall-clock time (epoch seconds) for the date form.
    Returns None when absent or unreadable; never negative.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - now
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


_raw_decode = json.JSONDecoder().raw_decode


def parse_body(raw: bytes, content_type: str | None = None) -> Any:
    """JSON when it parses, else the text (an HTML error page); None when empty.

    JSON nested too deeply for the parser counts as text too, so that no
    RecursionError escapes: a model built from it then fails as a typed error.
    """
    if not raw:
        return None
    try:
        # The common case first, cheaply: UTF-8 JSON with no whitespace around it.
        text = raw.decode()
        value, end = _raw_decode(text)
        if end == len(text):
            return value
    except (ValueError, RecursionError):  # not that: json.loads below sorts out the rest
        pass
    if raw.isspace():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        pass
    text = raw.decode("utf-8", errors="replace")
    return text if len(text) <= 2000 else text[:2000] + "…"


def redact(value: Any) -> Any:
    """A copy of a parsed body with every secret value replaced.

    A body nested past the interpreter's recursion limit becomes a placeholder:
    it cannot be checked for secrets, so none of it is shown.
    """
    try:
        return _redact(value)
    except RecursionError:
        return "<body nested too deeply to show>"


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in SECRET_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def _summary(status: int, body: Any) -> str:
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            return str(body["detail"])
        fields = ", ".join(f"{k}: {_first(v)}" for k, v in list(body.items())[:3])
        return fields or f"HTTP {status}"
    if isinstance(body, str) and body:
        return f"HTTP {status} (non-JSON body)"
    return f"HTTP {status}"


def _first(value: Any) -> str:
    while isinstance(value, list | dict) and value:
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
    return str(value)


def error_for(
    status: int,
    body: Any,
    *,
    method: str,
    url: str,
    attempts: int,
    retry_after: float | None,
    location: str | None = None,
) -> APIStatusError:
    """The typed exception for an error response (secrets in the body redacted).

    A 3xx is one too: the client follows no redirect, so that every request that
    leaves holds its own rate-limit slot and the key goes nowhere unexpected.
    """
    body = redact(body)
    cls = _STATUS_ERRORS.get(status, ServerError if status >= 500 else APIStatusError)
    message = f"{status} {_summary(status, body)}"
    if 300 <= status < 400:
        # The query of a Location may carry a token: show where, not what.
        where = f" to {location.partition('?')[0]}" if location else ""
        message = f"{status} redirect{where} refused: the client never follows redirects"
    elif cls is PermissionDeniedError:
        message += " (read-only API keys cannot create, change or delete)"
    elif cls is NotFoundError:
        message += " (no such object in this organization, or the endpoint is not served)"
    kwargs: dict[str, Any] = {
        "status": status,
        "body": body,
        "method": method,
        "url": url,
        "attempts": attempts,
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)
