"""Every error the client raises, under one root.

    SkilljarError
    ├── BudgetExhaustedError        no rate slot within the caller's `max_wait`
    ├── PaginationError             a list's next links loop or lead nowhere
    ├── ResponseValidationError     a response object whose identity cannot be read
    ├── APIConnectionError          no usable response (refused, dropped, reset)
    │   └── APITimeoutError         also a builtin TimeoutError
    └── APIStatusError              the server answered with an error status
        ├── ValidationError         400, field errors in `field_errors`
        ├── AuthenticationError     401, missing or wrong API key
        ├── PermissionDeniedError   403, e.g. a read-only key attempting a write
        ├── NotFoundError           404, unknown id, or an endpoint not served
        ├── ConflictError           409
        ├── RateLimitError          429 past the waiting cap, `retry_after`
        └── ServerError             5xx

    ResponseParseWarning            (a warning) a field kept raw because it did not parse

Every error carries `method`, `url` and `attempts`; status errors add `status`
and the parsed `body` (JSON, or text for HTML error pages), with secrets
redacted. A list scan that fails sets `resume_from` (the page URL to pass to
``paginate(..., resume_from=...)``) and `items_yielded`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .ratelimit import CallType

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BudgetExhaustedError",
    "ConflictError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseParseWarning",
    "ResponseValidationError",
    "ServerError",
    "SkilljarError",
    "ValidationError",
]


class SkilljarError(Exception):
    """The root of every error this library raises."""

    method: str | None
    url: str | None
    attempts: int
    resume_from: str | None = None  #: for a failed list scan: the page URL to resume from
    items_yielded: int | None = None  #: for a failed list scan: items delivered before it

    def __init__(
        self, message: str, *, method: str | None = None, url: str | None = None, attempts: int = 0
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.attempts = attempts

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        resume = f"; resume with resume_from={self.resume_from!r}" if self.resume_from else ""
        return f"{self.message}{where}{tries}{resume}"


class BudgetExhaustedError(SkilljarError):
    """No rate slot could be granted within the caller's `max_wait`; nothing was sent.

    `retry_after` is the least number of seconds (from when it was raised) until
    a slot of `call_type` could be granted; a fail-fast caller can pass it on,
    e.g. as a 503's ``Retry-After``.
    """

    def __init__(self, call_type: CallType, retry_after: float, max_wait: float) -> None:
        super().__init__(
            f"no {call_type.value} slot within {max_wait:g} s: "
            f"the earliest is in {retry_after:.3f} s"
        )
        self.call_type = call_type
        self.retry_after = retry_after
        self.max_wait = max_wait


class PaginationError(SkilljarError):
    """A list's ``next`` links repeat a page already read, or a page has no rows but a next link.

    Either would make the scan run forever; `url` is the offending ``next`` link.
    """


class ResponseValidationError(SkilljarError):
    """A response object whose identity (a field its model requires) cannot be read.

    `model` names the model, `path` the field (``user.id``, ``all_enrollments[].enrollment_id``),
    `body` the object as received with secrets redacted; `method` and `url` the request.
    """

    def __init__(
        self,
        message: str,
        *,
        model: str,
        path: str,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.model = model
        self.path = path
        self.body = body


class ResponseParseWarning(UserWarning):
    """A response field did not parse: the model holds its default and ``extra`` the raw value."""


class APIConnectionError(SkilljarError):
    """No usable response arrived: the connection failed, dropped or was reset."""


class APITimeoutError(APIConnectionError, TimeoutError):
    """The request timed out."""


class APIStatusError(SkilljarError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, method=method, url=url, attempts=attempts)
        self.status = status
        self.body = body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={self.message!r})"


class ValidationError(APIStatusError):
    """400: the request was rejected; `field_errors` maps each field to its messages."""

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Field (dotted when nested) → messages; object-level ones under `non_field_errors`."""
        out: dict[str, list[str]] = {}
        _flatten_errors(self.body, "", out)
        return out


class AuthenticationError(APIStatusError):
    """401: the API key is missing or not valid."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this (read-only keys cannot write)."""


class NotFoundError(APIStatusError):
    """404: no such object in this organization, or the endpoint is not served."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class RateLimitError(APIStatusError):
    """429: throttled for longer than the client was allowed to wait."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx: the server or a proxy in front of it failed."""


def _flatten_errors(body: Any, prefix: str, out: dict[str, list[str]]) -> None:
    if isinstance(body, dict):
        for key, value in body.items():
            _flatten_errors(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(body, list) and all(isinstance(item, str) for item in body):
        out.setdefault(prefix or "non_field_errors", []).extend(body)
    elif isinstance(body, list):
        for index, item in enumerate(body):
            _flatten_errors(item, f"{prefix}[{index}]", out)
    elif body is not None:
        out.setdefault(prefix or "non_field_errors", []).append(str(body))
