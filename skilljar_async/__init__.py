"""An asyncio client for the Skilljar REST API with an exact sliding-window rate scheduler."""

from ._client import DEFAULT_BASE_URL as DEFAULT_BASE_URL
from ._client import SkilljarClient as SkilljarClient
from ._client import request_max_queue_wait as request_max_queue_wait
from ._errors import APIConnectionError as APIConnectionError
from ._errors import APIStatusError as APIStatusError
from ._errors import APITimeoutError as APITimeoutError
from ._errors import AuthenticationError as AuthenticationError
from ._errors import BudgetExhaustedError as BudgetExhaustedError
from ._errors import ConflictError as ConflictError
from ._errors import NotFoundError as NotFoundError
from ._errors import PaginationError as PaginationError
from ._errors import PermissionDeniedError as PermissionDeniedError
from ._errors import RateLimitError as RateLimitError
from ._errors import ResponseParseWarning as ResponseParseWarning
from ._errors import ResponseValidationError as ResponseValidationError
from ._errors import ServerError as ServerError
from ._errors import SkilljarError as SkilljarError
from ._errors import ValidationError as ValidationError
from ._observe import RequestEvent as RequestEvent
from ._pagination import AsyncPaginator as AsyncPaginator
from ._pagination import Page as Page
from ._types import NOT_GIVEN as NOT_GIVEN
from ._types import NotGiven as NotGiven
from ._version import __version__ as __version__
from .ratelimit import CallType as CallType
from .ratelimit import RateLimits as RateLimits
from .ratelimit import SlidingWindowScheduler as SlidingWindowScheduler
from .ratelimit import Window as Window

__all__ = [
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
