"""Resource classes behind the client's attribute tree.

Naming rule: operation ``<segments>_<verb>`` of path ``/v1/<seg-1>/{p1}/<seg-2>/...``
is ``client.<seg_1>.<seg_2>....<verb>(p1, ..., **fields)``: literal path segments with
``-`` turned into ``_``, path parameters positional in path order, everything else
keyword-only. List methods are plain functions returning an `AsyncPaginator`; all
others are coroutines. Optional body fields default to `NOT_GIVEN` (not sent); None
sends JSON null. The one exception to the rule: ``bulk_create_domain_users`` is
``client.domains.users.bulk_create(domain_name, users=[...])``.

The ``_generated`` package is written by ``python -m tools.codegen`` from the operations
catalogue; the other modules are written by hand and wire (or subclass) generated
resources as their sub-resources, never the reverse. Sub-resources are built, and their
modules imported, on first access, so building a client is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._types import NOT_GIVEN as NOT_GIVEN
    from .._types import NotGiven as NotGiven
    from ._base import Resource as Resource
    from ._courses import Courses as Courses
    from ._domain_users import DomainUsers as DomainUsers
    from ._domains import DomainPlans as DomainPlans
    from ._domains import Domains as Domains
    from ._enrollments import PlanEnrollments as PlanEnrollments
    from ._enrollments import PublishedCourseEnrollments as PublishedCourseEnrollments
    from ._enrollments import PublishedPathEnrollments as PublishedPathEnrollments
    from ._generated import Assets as Assets
    from ._generated import CatalogPageClassicPageItems as CatalogPageClassicPageItems
    from ._generated import CatalogPageComponentContentBlocks as CatalogPageComponentContentBlocks
    from ._generated import CatalogPageContentBlocks as CatalogPageContentBlocks
    from ._generated import CatalogPageHtmlContentBlocks as CatalogPageHtmlContentBlocks
    from ._generated import CatalogPageTags as CatalogPageTags
    from ._generated import (
        CatalogPageTileContainerContentBlocks as CatalogPageTileContainerContentBlocks,
    )
    from ._generated import CatalogPageVisibilityOverrides as CatalogPageVisibilityOverrides
    from ._generated import CourseLabels as CourseLabels
    from ._generated import CourseSeriesPublishedCourses as CourseSeriesPublishedCourses
    from ._generated import DomainAccessCodePools as DomainAccessCodePools
    from ._generated import DomainAccessCodes as DomainAccessCodes
    from ._generated import DomainCatalogPages as DomainCatalogPages
    from ._generated import DomainCourseSeries as DomainCourseSeries
    from ._generated import DomainSignupFields as DomainSignupFields
    from ._generated import DomainUserInvites as DomainUserInvites
    from ._generated import DomainUserManagerAccess as DomainUserManagerAccess
    from ._generated import DomainUserSignupFields as DomainUserSignupFields
    from ._generated import DomainUserSignupFieldsBulk as DomainUserSignupFieldsBulk
    from ._generated import GroupAccessCodePools as GroupAccessCodePools
    from ._generated import GroupCategories as GroupCategories
    from ._generated import GroupEmailDomainRules as GroupEmailDomainRules
    from ._generated import Groups as Groups
    from ._generated import GroupUsers as GroupUsers
    from ._generated import IltInstructors as IltInstructors
    from ._generated import IltMultiSessionEvents as IltMultiSessionEvents
    from ._generated import IltSessions as IltSessions
    from ._generated import Labels as Labels
    from ._generated import LessonContentItems as LessonContentItems
    from ._generated import LessonProgressRecords as LessonProgressRecords
    from ._generated import LessonRatingContentBlocks as LessonRatingContentBlocks
    from ._generated import Lessons as Lessons
    from ._generated import LicensePackages as LicensePackages
    from ._generated import LicensePackageStudents as LicensePackageStudents
    from ._generated import Offers as Offers
    from ._generated import PathItems as PathItems
    from ._generated import Paths as Paths
    from ._generated import ProgressTokens as ProgressTokens
    from ._generated import PromoCodePoolOffers as PromoCodePoolOffers
    from ._generated import PromoCodePools as PromoCodePools
    from ._generated import PromoCodes as PromoCodes
    from ._generated import PublishedCoursePrerequisites as PublishedCoursePrerequisites
    from ._generated import (
        PublishedCourseStudentGroupPrerequisites as PublishedCourseStudentGroupPrerequisites,
    )
    from ._generated import PublishedCourseTags as PublishedCourseTags
    from ._generated import PublishedCourseVisibilityOverrides as PublishedCourseVisibilityOverrides
    from ._generated import PublishedPathItems as PublishedPathItems
    from ._generated import PublishedPathLabels as PublishedPathLabels
    from ._generated import PublishedPathTags as PublishedPathTags
    from ._generated import PublishedPathVisibilityOverrides as PublishedPathVisibilityOverrides
    from ._generated import PurchaseFulfill as PurchaseFulfill
    from ._generated import Purchases as Purchases
    from ._generated import QuestionBankQuestions as QuestionBankQuestions
    from ._generated import QuestionBanks as QuestionBanks
    from ._generated import QuizQuestionBanks as QuizQuestionBanks
    from ._generated import QuizQuestions as QuizQuestions
    from ._generated import QuizQuestionSummaries as QuizQuestionSummaries
    from ._generated import Quizzes as Quizzes
    from ._generated import ReenrollmentRules as ReenrollmentRules
    from ._generated import Tags as Tags
    from ._generated import TileContainerItems as TileContainerItems
    from ._generated import TrainingCreditCodes as TrainingCreditCodes
    from ._generated import UserGroups as UserGroups
    from ._generated import UserPlanEnrollments as UserPlanEnrollments
    from ._generated import UserPublishedCourseLessons as UserPublishedCourseLessons
    from ._generated import UserPublishedPathEnrollments as UserPublishedPathEnrollments
    from ._generated import ViltSessionEvents as ViltSessionEvents
    from ._generated import ViltSessionRegistrations as ViltSessionRegistrations
    from ._generated import WebHookSampleCourseCompletion as WebHookSampleCourseCompletion
    from ._generated import WebHookSampleCourseEnrollment as WebHookSampleCourseEnrollment
    from ._generated import WebHookSampleDashboardTaskCreated as WebHookSampleDashboardTaskCreated
    from ._generated import WebHookSampleDomainEnrollment as WebHookSampleDomainEnrollment
    from ._generated import WebHookSampleLessonCompletion as WebHookSampleLessonCompletion
    from ._generated import WebHookSamplePathCompletion as WebHookSamplePathCompletion
    from ._generated import WebHookSamplePathEnrollment as WebHookSamplePathEnrollment
    from ._generated import WebHookSamplePurchaseFulfillment as WebHookSamplePurchaseFulfillment
    from ._generated import WebHookSampleQuizCompletion as WebHookSampleQuizCompletion
    from ._generated import WebHookSampleViltRegistration as WebHookSampleViltRegistration
    from ._generated import WebPackageLessons as WebPackageLessons
    from ._generated import WebPackages as WebPackages
    from ._ping import Ping as Ping
    from ._published_courses import DomainPublishedCourses as DomainPublishedCourses
    from ._published_paths import DomainPublishedPaths as DomainPublishedPaths
    from ._users import UserAnonymize as UserAnonymize
    from ._users import UserPublishedCourses as UserPublishedCourses
    from ._users import Users as Users
    from ._webhooks import WebHookPing as WebHookPing
    from ._webhooks import WebHooks as WebHooks

__all__ = [
    "Assets",
    "CatalogPageClassicPageItems",
    "CatalogPageComponentContentBlocks",
    "CatalogPageContentBlocks",
    "CatalogPageHtmlContentBlocks",
    "CatalogPageTags",
    "CatalogPageTileContainerContentBlocks",
    "CatalogPageVisibilityOverrides",
    "CourseLabels",
    "CourseSeriesPublishedCourses",
    "Courses",
    "DomainAccessCodePools",
    "DomainAccessCodes",
    "DomainCatalogPages",
    "DomainCourseSeries",
    "DomainPlans",
    "DomainPublishedCourses",
    "DomainPublishedPaths",
    "DomainSignupFields",
    "DomainUserInvites",
    "DomainUserManagerAccess",
    "DomainUserSignupFields",
    "DomainUserSignupFieldsBulk",
    "DomainUsers",
    "Domains",
    "GroupAccessCodePools",
    "GroupCategories",
    "GroupEmailDomainRules",
    "GroupUsers",
    "Groups",
    "IltInstructors",
    "IltMultiSessionEvents",
    "IltSessions",
    "Labels",
    "LessonContentItems",
    "LessonProgressRecords",
    "LessonRatingContentBlocks",
    "Lessons",
    "LicensePackageStudents",
    "LicensePackages",
    "NOT_GIVEN",
    "NotGiven",
    "Offers",
    "PathItems",
    "Paths",
    "Ping",
    "PlanEnrollments",
    "ProgressTokens",
    "PromoCodePoolOffers",
    "PromoCodePools",
    "PromoCodes",
    "PublishedCourseEnrollments",
    "PublishedCoursePrerequisites",
    "PublishedCourseStudentGroupPrerequisites",
    "PublishedCourseTags",
    "PublishedCourseVisibilityOverrides",
    "PublishedPathEnrollments",
    "PublishedPathItems",
    "PublishedPathLabels",
    "PublishedPathTags",
    "PublishedPathVisibilityOverrides",
    "PurchaseFulfill",
    "Purchases",
    "QuestionBankQuestions",
    "QuestionBanks",
    "QuizQuestionBanks",
    "QuizQuestionSummaries",
    "QuizQuestions",
    "Quizzes",
    "ReenrollmentRules",
    "Resource",
    "Tags",
    "TileContainerItems",
    "TrainingCreditCodes",
    "UserAnonymize",
    "UserGroups",
    "UserPlanEnrollments",
    "UserPublishedCourseLessons",
    "UserPublishedCourses",
    "UserPublishedPathEnrollments",
    "Users",
    "ViltSessionEvents",
    "ViltSessionRegistrations",
    "WebHookPing",
    "WebHookSampleCourseCompletion",
    "WebHookSampleCourseEnrollment",
    "WebHookSampleDashboardTaskCreated",
    "WebHookSampleDomainEnrollment",
    "WebHookSampleLessonCompletion",
    "WebHookSamplePathCompletion",
    "WebHookSamplePathEnrollment",
    "WebHookSamplePurchaseFulfillment",
    "WebHookSampleQuizCompletion",
    "WebHookSampleViltRegistration",
    "WebHooks",
    "WebPackageLessons",
    "WebPackages",
]

#: hand-written name -> the module defining it (relative); every other name is generated.
_HAND: dict[str, str] = {
    "Courses": "._courses",
    "DomainPlans": "._domains",
    "DomainPublishedCourses": "._published_courses",
    "DomainPublishedPaths": "._published_paths",
    "DomainUsers": "._domain_users",
    "Domains": "._domains",
    "NOT_GIVEN": ".._types",
    "NotGiven": ".._types",
    "Ping": "._ping",
    "PlanEnrollments": "._enrollments",
    "PublishedCourseEnrollments": "._enrollments",
    "PublishedPathEnrollments": "._enrollments",
    "Resource": "._base",
    "UserAnonymize": "._users",
    "UserPublishedCourses": "._users",
    "Users": "._users",
    "WebHookPing": "._webhooks",
    "WebHooks": "._webhooks",
}


def __getattr__(name: str) -> Any:
    """Import the module defining `name` on first use (PEP 562), so importing is cheap."""
    if name in _HAND:
        module = importlib.import_module(_HAND[name], __name__)
    elif name in __all__:
        module = importlib.import_module("._generated", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
