"""Typed, immutable models of Skilljar v1 API objects.

Every model is an ``attrs`` frozen, keyword-only class. Conventions:

* Fields the API may omit default to ``None`` (or ``()`` for lists, which are tuples).
  Only identifying fields (``id``, a domain's ``name``, a row's ``user``) are required.
* ``extra`` (always the last field) holds any key the model does not declare, so new
  API fields are never lost; `skilljar_async._convert.unstructure` writes them back.
* Enum-valued fields are typed ``SomeEnum | str``: a value this version does not know
  stays a plain string. Enums are `enum.StrEnum`, so comparing with strings works.
* Secrets returned by the API (webhook credentials, SSO login tokens) are redacted in
  ``repr`` but available on the attribute.
"""

from ._common import CourseSummary, Offer, Price, User
from ._courses import Course, CourseTimeFormat
from ._domains import (
    AccessCode,
    AccessCodePool,
    Domain,
    DomainAccess,
    DomainUser,
    SignupFieldSummary,
    UserSignupFieldValue,
)
from ._enrollments import Enrollment, EnrollmentPurchase, PaymentProcessor, PurchaseState
from ._published import Path, PublishedCourse, PublishedPath
from ._users import (
    Certificate,
    CourseProgress,
    SuccessStatus,
    UserEnrollment,
    UserOverview,
    UserPublishedCourseProgress,
)
from ._webhooks import WebHook, WebHookDeactivateReason, WebHookEventType, WebHookPingResult

__all__ = [
    "AccessCode",
    "AccessCodePool",
    "Certificate",
    "Course",
    "CourseProgress",
    "CourseSummary",
    "CourseTimeFormat",
    "Domain",
    "DomainAccess",
    "DomainUser",
    "Enrollment",
    "EnrollmentPurchase",
    "Offer",
    "Path",
    "PaymentProcessor",
    "Price",
    "PublishedCourse",
    "PublishedPath",
    "PurchaseState",
    "SignupFieldSummary",
    "SuccessStatus",
    "User",
    "UserEnrollment",
    "UserOverview",
    "UserPublishedCourseProgress",
    "UserSignupFieldValue",
    "WebHook",
    "WebHookDeactivateReason",
    "WebHookEventType",
    "WebHookPingResult",
]
