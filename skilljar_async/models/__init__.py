"""Typed, immutable models of Skilljar v1 API objects.

Every model is an ``attrs`` frozen, keyword-only class. Conventions:

* Fields the API may omit default to ``None`` (or ``()`` for lists, which are tuples).
  Only identifying fields (``id``, a domain's ``name``, a row's ``user``) are required.
* ``extra`` (always the last field) holds any key the model does not declare, so new
  API fields are never lost; `skilljar_async._convert.unstructure` writes them back.
* Enum-valued fields are typed ``SomeEnum | str``: a value this version does not know
  stays a plain string. Enums are `enum.StrEnum`, so comparing with strings works.
* Secrets returned by the API (webhook credentials, SSO login tokens, presigned
  download URLs, invite tokens) are redacted in ``repr`` but available on the attribute.

The ``_gen_*`` modules are generated from the catalogue's schemas by
``scripts/gen_client.py``: one class per schema, where create/list/update variants of one
object share a class (``models._schemas.SCHEMA_MODELS`` maps every schema to its class).
Request bodies have no classes: they are the resources' keyword arguments.
"""

from ..webhooks._subscriptions import (
    WebHook,
    WebHookDeactivateReason,
    WebHookEventType,
    WebHookPingResult,
)
from ._common import CourseSummary, Offer, Price, User
from ._courses import Course, CourseTimeFormat
from ._domains import (
    AccessCode,
    AccessCodePool,
    BulkUser,
    BulkUserCreateResult,
    Domain,
    DomainAccess,
    DomainUser,
    SignupFieldSummary,
    UserSignupFieldValue,
)
from ._enrollments import Enrollment, EnrollmentPurchase, PaymentProcessor, PurchaseState
from ._gen_access_codes import DomainAccessCode, DomainAccessCodePool
from ._gen_assets import Asset, WebPackage
from ._gen_catalog_blocks import (
    ComponentContentBlock,
    HtmlContentBlock,
    PageContentBlockItem,
    TileContainerContentBlock,
    TileContainerItem,
)
from ._gen_catalog_pages import (
    CatalogPage,
    CatalogPageGroupVisibility,
    CatalogPageTag,
    ClassicCatalogPageItem,
)
from ._gen_commerce import Purchase, PurchaseFulfillment, TrainingCreditCode
from ._gen_domain_catalog import CourseSeries, Plan, SignupField
from ._gen_domain_users import (
    BulkUserSignupFieldValue,
    BulkUserSignupInfo,
    DomainUserInvite,
    InvalidIds,
    ManagerAccess,
    ManagerAccessDetails,
)
from ._gen_enums import (
    AccessCodePoolChannel,
    Alignment,
    AspectRatio,
    AssetType,
    ClassicPageItemType,
    ContentBlockComponent,
    ContentBlockType,
    CurrencyCode,
    CycleDurationUnit,
    DiscountType,
    DurationUnit,
    FulfillmentState,
    IltProvider,
    ItemLayout,
    LessonContentItemType,
    LessonType,
    OfferType,
    QuestionType,
    SearchBehavior,
    SearchLocation,
    SignupFieldType,
    TileItemType,
    TileSortMethod,
    ValidationStatus,
)
from ._gen_groups import (
    EmailDomainRules,
    Group,
    GroupAccessCodePool,
    GroupCategory,
    GroupUser,
    SignUpFieldRule,
)
from ._gen_ilt import (
    IltInstructor,
    IltMultiSessionEvent,
    IltSession,
    StudentLessonProgressCourseItem,
    ViltLocation,
    ViltSession,
    ViltSessionEvent,
    ViltSessionRegistration,
)
from ._gen_lessons import Lesson, LessonContentItem, RatingContentBlock
from ._gen_license_packages import LicensePackage, LicensePackageSeat
from ._gen_paths import PathItem
from ._gen_progress import ProgressToken
from ._gen_promo_codes import PromoCode, PromoCodePool, PromoCodePoolOffer
from ._gen_published_courses import (
    PublishedCourseGroupVisibility,
    PublishedCoursePrerequisite,
    PublishedCourseReenrollmentRule,
    PublishedCourseStudentGroupPrerequisite,
    PublishedCourseTag,
)
from ._gen_published_paths import (
    PathItemPublishedCourseSummary,
    PublishedPathGroupVisibility,
    PublishedPathItem,
    PublishedPathTag,
)
from ._gen_quizzes import (
    Answer,
    Question,
    QuestionBank,
    QuestionBankAssignment,
    QuestionSummary,
    Quiz,
)
from ._gen_shared import (
    AddRemoveIdLists,
    Label,
    LessonProgress,
    LessonSummary,
    NestedLabelAssociation,
    OfferItem,
    SignupFieldOption,
    StudentGroupSummary,
    Tag,
)
from ._gen_users import (
    GroupMembership,
    PathProgress,
    PlanSummary,
    PublishedPathSummary,
    UserLessonProgress,
    UserPlanEnrollment,
    UserPublishedPathEnrollment,
)
from ._published import Path, PublishedCourse, PublishedPath
from ._users import (
    Certificate,
    CourseProgress,
    SuccessStatus,
    UserEnrollment,
    UserOverview,
    UserPublishedCourseProgress,
)

__all__ = [
    "AccessCode",
    "AccessCodePool",
    "AccessCodePoolChannel",
    "AddRemoveIdLists",
    "Alignment",
    "Answer",
    "AspectRatio",
    "Asset",
    "AssetType",
    "BulkUser",
    "BulkUserCreateResult",
    "BulkUserSignupFieldValue",
    "BulkUserSignupInfo",
    "CatalogPage",
    "CatalogPageGroupVisibility",
    "CatalogPageTag",
    "Certificate",
    "ClassicCatalogPageItem",
    "ClassicPageItemType",
    "ComponentContentBlock",
    "ContentBlockComponent",
    "ContentBlockType",
    "Course",
    "CourseProgress",
    "CourseSeries",
    "CourseSummary",
    "CourseTimeFormat",
    "CurrencyCode",
    "CycleDurationUnit",
    "DiscountType",
    "Domain",
    "DomainAccess",
    "DomainAccessCode",
    "DomainAccessCodePool",
    "DomainUser",
    "DomainUserInvite",
    "DurationUnit",
    "EmailDomainRules",
    "Enrollment",
    "EnrollmentPurchase",
    "FulfillmentState",
    "Group",
    "GroupAccessCodePool",
    "GroupCategory",
    "GroupMembership",
    "GroupUser",
    "HtmlContentBlock",
    "IltInstructor",
    "IltMultiSessionEvent",
    "IltProvider",
    "IltSession",
    "InvalidIds",
    "ItemLayout",
    "Label",
    "Lesson",
    "LessonContentItem",
    "LessonContentItemType",
    "LessonProgress",
    "LessonSummary",
    "LessonType",
    "LicensePackage",
    "LicensePackageSeat",
    "ManagerAccess",
    "ManagerAccessDetails",
    "NestedLabelAssociation",
    "Offer",
    "OfferItem",
    "OfferType",
    "PageContentBlockItem",
    "Path",
    "PathItem",
    "PathItemPublishedCourseSummary",
    "PathProgress",
    "PaymentProcessor",
    "Plan",
    "PlanSummary",
    "Price",
    "ProgressToken",
    "PromoCode",
    "PromoCodePool",
    "PromoCodePoolOffer",
    "PublishedCourse",
    "PublishedCourseGroupVisibility",
    "PublishedCoursePrerequisite",
    "PublishedCourseReenrollmentRule",
    "PublishedCourseStudentGroupPrerequisite",
    "PublishedCourseTag",
    "PublishedPath",
    "PublishedPathGroupVisibility",
    "PublishedPathItem",
    "PublishedPathSummary",
    "PublishedPathTag",
    "Purchase",
    "PurchaseFulfillment",
    "PurchaseState",
    "Question",
    "QuestionBank",
    "QuestionBankAssignment",
    "QuestionSummary",
    "QuestionType",
    "Quiz",
    "RatingContentBlock",
    "SearchBehavior",
    "SearchLocation",
    "SignUpFieldRule",
    "SignupField",
    "SignupFieldOption",
    "SignupFieldSummary",
    "SignupFieldType",
    "StudentGroupSummary",
    "StudentLessonProgressCourseItem",
    "SuccessStatus",
    "Tag",
    "TileContainerContentBlock",
    "TileContainerItem",
    "TileItemType",
    "TileSortMethod",
    "TrainingCreditCode",
    "User",
    "UserEnrollment",
    "UserLessonProgress",
    "UserOverview",
    "UserPlanEnrollment",
    "UserPublishedCourseProgress",
    "UserPublishedPathEnrollment",
    "UserSignupFieldValue",
    "ValidationStatus",
    "ViltLocation",
    "ViltSession",
    "ViltSessionEvent",
    "ViltSessionRegistration",
    "WebHook",
    "WebHookDeactivateReason",
    "WebHookEventType",
    "WebHookPingResult",
    "WebPackage",
]
