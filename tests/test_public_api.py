"""The public surface: what `skilljar_async` exports, pinned."""

import skilljar_async
import skilljar_async.bulk
import skilljar_async.models
import skilljar_async.ratelimit
import skilljar_async.resources
import skilljar_async.testing
import skilljar_async.transport
import skilljar_async.webhooks


def test_all_is_sorted_and_complete() -> None:
    """`__all__` is sorted and every name in it exists."""
    for module in (
        skilljar_async,
        skilljar_async.bulk,
        skilljar_async.models,
        skilljar_async.ratelimit,
        skilljar_async.resources,
        skilljar_async.testing,
        skilljar_async.transport,
        skilljar_async.webhooks,
    ):
        assert list(module.__all__) == sorted(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name), name


def test_all_is_pinned() -> None:
    """The top-level exports change only on purpose."""
    assert skilljar_async.__all__ == [
        "APIConnectionError",
        "APIStatusError",
        "APITimeoutError",
        "AsyncPaginator",
        "AuthenticationError",
        "BudgetExhaustedError",
        "CallType",
        "ConflictError",
        "DEFAULT_BASE_URL",
        "NOT_GIVEN",
        "NotFoundError",
        "NotGiven",
        "Page",
        "PaginationError",
        "PermissionDeniedError",
        "RateLimitError",
        "RateLimits",
        "RequestEvent",
        "ResponseParseWarning",
        "ResponseValidationError",
        "ServerError",
        "SkilljarClient",
        "SkilljarError",
        "SlidingWindowScheduler",
        "ValidationError",
        "Window",
        "__version__",
        "request_max_queue_wait",
    ]


def test_transport_seam_is_pinned() -> None:
    """The transport seam's names change only on purpose."""
    assert skilljar_async.transport.__all__ == [
        "AiohttpTransport",
        "AsyncTransport",
        "Request",
        "Response",
        "TransportError",
    ]
    assert "MockTransport" in skilljar_async.testing.__all__


def test_version_is_defined_once() -> None:
    """The version string comes from `_version.py`."""
    from skilljar_async._version import __version__

    assert skilljar_async.__version__ == __version__
