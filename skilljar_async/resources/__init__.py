"""Resource classes behind the client's attribute tree.

Naming rule: operation ``<segments>_<verb>`` of path ``/v1/<seg-1>/{p1}/<seg-2>/...``
is ``client.<seg_1>.<seg_2>....<verb>(p1, ..., **fields)``: literal path segments with
``-`` turned into ``_``, path parameters positional in path order, everything else
keyword-only. List methods are plain functions returning an `AsyncPaginator`; all
others are coroutines. Optional body fields default to `NOT_GIVEN` (not sent); None
sends JSON null. The one exception to the rule: ``bulk_create_domain_users`` is
``client.domains.users.bulk_create(domain_name, users=[...])``.

The ``_gen_*`` modules are generated from the operations catalogue by
``scripts/gen_client.py``; the other modules are written by hand and carry the
generated sub-resources as attributes.
"""

from ._base import NOT_GIVEN, NotGiven, Resource
from ._courses import Courses
from ._domain_users import DomainUsers
from ._domains import Domains
from ._enrollments import PlanEnrollments, PublishedCourseEnrollments, PublishedPathEnrollments
from ._gen_access_codes import DomainAccessCodePools, DomainAccessCodes
from ._gen_assets import Assets, WebPackageLessons, WebPackages
from ._gen_catalog_blocks import (
    CatalogPageComponentContentBlocks,
    CatalogPageContentBlocks,
    CatalogPageHtmlContentBlocks,
    CatalogPageTileContainerContentBlocks,
    TileContainerItems,
)
from ._gen_catalog_pages import (
    CatalogPageClassicPageItems,
    CatalogPageTags,
    CatalogPageVisibilityOverrides,
    DomainCatalogPages,
)
from ._gen_commerce import Offers, PurchaseFulfill, Purchases, TrainingCreditCodes
from ._gen_courses import CourseLabels
from ._gen_domain_catalog import (
    CourseSeriesPublishedCourses,
    DomainCourseSeries,
    DomainPlans,
    DomainSignupFields,
)
from ._gen_domain_users import (
    DomainUserInvites,
    DomainUserManagerAccess,
    DomainUserSignupFields,
    DomainUserSignupFieldsBulk,
)
from ._gen_groups import (
    GroupAccessCodePools,
    GroupCategories,
    GroupEmailDomainRules,
    Groups,
    GroupUsers,
)
from ._gen_ilt import (
    IltInstructors,
    IltMultiSessionEvents,
    IltSessions,
    ViltSessionEvents,
    ViltSessionRegistrations,
)
from ._gen_labels import Labels, Tags
from ._gen_lessons import LessonContentItems, LessonRatingContentBlocks, Lessons
from ._gen_license_packages import LicensePackages, LicensePackageStudents
from ._gen_paths import PathItems, Paths
from ._gen_progress import LessonProgressRecords, ProgressTokens
from ._gen_promo_codes import PromoCodePoolOffers, PromoCodePools, PromoCodes
from ._gen_published_courses import (
    PublishedCoursePrerequisites,
    PublishedCourseStudentGroupPrerequisites,
    PublishedCourseTags,
    PublishedCourseVisibilityOverrides,
    ReenrollmentRules,
)
from ._gen_published_paths import (
    PublishedPathItems,
    PublishedPathLabels,
    PublishedPathTags,
    PublishedPathVisibilityOverrides,
)
from ._gen_quizzes import (
    QuestionBankQuestions,
    QuestionBanks,
    QuizQuestionBanks,
    QuizQuestions,
    QuizQuestionSummaries,
    Quizzes,
)
from ._gen_users import (
    UserGroups,
    UserPlanEnrollments,
    UserPublishedCourseLessons,
    UserPublishedPathEnrollments,
)
from ._gen_webhooks import (
    WebHookSampleCourseCompletion,
    WebHookSampleCourseEnrollment,
    WebHookSampleDashboardTaskCreated,
    WebHookSampleDomainEnrollment,
    WebHookSampleLessonCompletion,
    WebHookSamplePathCompletion,
    WebHookSamplePathEnrollment,
    WebHookSamplePurchaseFulfillment,
    WebHookSampleQuizCompletion,
    WebHookSampleViltRegistration,
)
from ._ping import Ping
from ._published_courses import DomainPublishedCourses
from ._published_paths import DomainPublishedPaths
from ._users import UserAnonymize, UserPublishedCourses, Users
from ._webhooks import WebHookPing, WebHooks

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
