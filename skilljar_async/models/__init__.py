"""Typed, immutable models of Skilljar v1 API objects.

Every model is an ``attrs`` frozen, keyword-only class. Conventions:

* Fields the API may omit default to ``None`` (or ``()`` for lists, which are tuples).
  Only identifying fields (``id``, a domain's ``name``, a row's ``user``) are required.
* ``extra`` (always the last field) holds any key the model does not declare, so new
  API fields are never lost; `skilljar_async._convert.unstructure` writes them back.
* A declared field whose value does not parse stays at its default and its value is kept,
  as it came, in ``extra`` under the field's name (a `ResponseParseWarning` says which), so
  a field's type never lies. A required (identifying) field that is missing or does not
  parse raises `ResponseValidationError` instead.
* Enum-valued fields are typed ``SomeEnum | str``: a value this version does not know
  stays a plain string. Enums are `enum.StrEnum`, so comparing with strings works.
* Secrets returned by the API (webhook credentials, SSO login tokens, presigned
  download URLs, invite tokens) are redacted in ``repr`` but available on the attribute.

The hand-written modules here hold the models the client's own methods and the webhook
events build on. The ``_generated`` package is written by ``python -m tools.codegen``
from the catalogue's schemas: one class per schema, where create/list/update variants of
one object share a class (``models._generated._schemas.SCHEMA_MODELS`` maps every schema
to its class); generated models may use the hand-written ones, never the reverse.
Names are imported on first use, so ``import skilljar_async`` loads no model module.
Request bodies have no classes: they are the resources' keyword arguments.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..webhooks import WebHook as WebHook
    from ..webhooks import WebHookDeactivateReason as WebHookDeactivateReason
    from ..webhooks import WebHookEventType as WebHookEventType
    from ..webhooks import WebHookPingResult as WebHookPingResult
    from ._common import CourseSummary as CourseSummary
    from ._common import Offer as Offer
    from ._common import Price as Price
    from ._common import User as User
    from ._courses import Course as Course
    from ._courses import CourseTimeFormat as CourseTimeFormat
    from ._domains import AccessCode as AccessCode
    from ._domains import AccessCodePool as AccessCodePool
    from ._domains import BulkUser as BulkUser
    from ._domains import BulkUserCreateResult as BulkUserCreateResult
    from ._domains import Domain as Domain
    from ._domains import DomainAccess as DomainAccess
    from ._domains import DomainUser as DomainUser
    from ._domains import SignupFieldSummary as SignupFieldSummary
    from ._domains import UserSignupFieldValue as UserSignupFieldValue
    from ._enrollments import Enrollment as Enrollment
    from ._enrollments import EnrollmentPurchase as EnrollmentPurchase
    from ._enrollments import PaymentProcessor as PaymentProcessor
    from ._enrollments import PurchaseState as PurchaseState
    from ._generated import AccessCodePoolChannel as AccessCodePoolChannel
    from ._generated import AddRemoveIdLists as AddRemoveIdLists
    from ._generated import Alignment as Alignment
    from ._generated import Answer as Answer
    from ._generated import AspectRatio as AspectRatio
    from ._generated import Asset as Asset
    from ._generated import AssetType as AssetType
    from ._generated import BulkUserSignupFieldValue as BulkUserSignupFieldValue
    from ._generated import BulkUserSignupInfo as BulkUserSignupInfo
    from ._generated import CatalogPage as CatalogPage
    from ._generated import CatalogPageGroupVisibility as CatalogPageGroupVisibility
    from ._generated import CatalogPageTag as CatalogPageTag
    from ._generated import ClassicCatalogPageItem as ClassicCatalogPageItem
    from ._generated import ClassicPageItemType as ClassicPageItemType
    from ._generated import ComponentContentBlock as ComponentContentBlock
    from ._generated import ContentBlockComponent as ContentBlockComponent
    from ._generated import ContentBlockType as ContentBlockType
    from ._generated import CourseSeries as CourseSeries
    from ._generated import CurrencyCode as CurrencyCode
    from ._generated import CycleDurationUnit as CycleDurationUnit
    from ._generated import DiscountType as DiscountType
    from ._generated import DomainAccessCode as DomainAccessCode
    from ._generated import DomainAccessCodePool as DomainAccessCodePool
    from ._generated import DomainUserInvite as DomainUserInvite
    from ._generated import DurationUnit as DurationUnit
    from ._generated import EmailDomainRules as EmailDomainRules
    from ._generated import FulfillmentState as FulfillmentState
    from ._generated import Group as Group
    from ._generated import GroupAccessCodePool as GroupAccessCodePool
    from ._generated import GroupCategory as GroupCategory
    from ._generated import GroupMembership as GroupMembership
    from ._generated import GroupUser as GroupUser
    from ._generated import HtmlContentBlock as HtmlContentBlock
    from ._generated import IltInstructor as IltInstructor
    from ._generated import IltMultiSessionEvent as IltMultiSessionEvent
    from ._generated import IltProvider as IltProvider
    from ._generated import IltSession as IltSession
    from ._generated import InvalidIds as InvalidIds
    from ._generated import ItemLayout as ItemLayout
    from ._generated import Label as Label
    from ._generated import Lesson as Lesson
    from ._generated import LessonContentItem as LessonContentItem
    from ._generated import LessonContentItemType as LessonContentItemType
    from ._generated import LessonProgress as LessonProgress
    from ._generated import LessonSummary as LessonSummary
    from ._generated import LessonType as LessonType
    from ._generated import LicensePackage as LicensePackage
    from ._generated import LicensePackageSeat as LicensePackageSeat
    from ._generated import ManagerAccess as ManagerAccess
    from ._generated import ManagerAccessDetails as ManagerAccessDetails
    from ._generated import NestedLabelAssociation as NestedLabelAssociation
    from ._generated import OfferItem as OfferItem
    from ._generated import OfferType as OfferType
    from ._generated import PageContentBlockItem as PageContentBlockItem
    from ._generated import PathItem as PathItem
    from ._generated import PathItemPublishedCourseSummary as PathItemPublishedCourseSummary
    from ._generated import PathProgress as PathProgress
    from ._generated import Plan as Plan
    from ._generated import PlanSummary as PlanSummary
    from ._generated import ProgressToken as ProgressToken
    from ._generated import PromoCode as PromoCode
    from ._generated import PromoCodePool as PromoCodePool
    from ._generated import PromoCodePoolOffer as PromoCodePoolOffer
    from ._generated import PublishedCourseGroupVisibility as PublishedCourseGroupVisibility
    from ._generated import PublishedCoursePrerequisite as PublishedCoursePrerequisite
    from ._generated import PublishedCourseReenrollmentRule as PublishedCourseReenrollmentRule
    from ._generated import (
        PublishedCourseStudentGroupPrerequisite as PublishedCourseStudentGroupPrerequisite,
    )
    from ._generated import PublishedCourseTag as PublishedCourseTag
    from ._generated import PublishedPathGroupVisibility as PublishedPathGroupVisibility
    from ._generated import PublishedPathItem as PublishedPathItem
    from ._generated import PublishedPathSummary as PublishedPathSummary
    from ._generated import PublishedPathTag as PublishedPathTag
    from ._generated import Purchase as Purchase
    from ._generated import PurchaseFulfillment as PurchaseFulfillment
    from ._generated import Question as Question
    from ._generated import QuestionBank as QuestionBank
    from ._generated import QuestionBankAssignment as QuestionBankAssignment
    from ._generated import QuestionSummary as QuestionSummary
    from ._generated import QuestionType as QuestionType
    from ._generated import Quiz as Quiz
    from ._generated import RatingContentBlock as RatingContentBlock
    from ._generated import SearchBehavior as SearchBehavior
    from ._generated import SearchLocation as SearchLocation
    from ._generated import SignupField as SignupField
    from ._generated import SignupFieldOption as SignupFieldOption
    from ._generated import SignUpFieldRule as SignUpFieldRule
    from ._generated import SignupFieldType as SignupFieldType
    from ._generated import StudentGroupSummary as StudentGroupSummary
    from ._generated import StudentLessonProgressCourseItem as StudentLessonProgressCourseItem
    from ._generated import Tag as Tag
    from ._generated import TileContainerContentBlock as TileContainerContentBlock
    from ._generated import TileContainerItem as TileContainerItem
    from ._generated import TileItemType as TileItemType
    from ._generated import TileSortMethod as TileSortMethod
    from ._generated import TrainingCreditCode as TrainingCreditCode
    from ._generated import UserLessonProgress as UserLessonProgress
    from ._generated import UserPlanEnrollment as UserPlanEnrollment
    from ._generated import UserPublishedPathEnrollment as UserPublishedPathEnrollment
    from ._generated import ValidationStatus as ValidationStatus
    from ._generated import ViltLocation as ViltLocation
    from ._generated import ViltSession as ViltSession
    from ._generated import ViltSessionEvent as ViltSessionEvent
    from ._generated import ViltSessionRegistration as ViltSessionRegistration
    from ._generated import WebPackage as WebPackage
    from ._published import Path as Path
    from ._published import PublishedCourse as PublishedCourse
    from ._published import PublishedPath as PublishedPath
    from ._users import Certificate as Certificate
    from ._users import CourseProgress as CourseProgress
    from ._users import SuccessStatus as SuccessStatus
    from ._users import UserEnrollment as UserEnrollment
    from ._users import UserOverview as UserOverview
    from ._users import UserPublishedCourseProgress as UserPublishedCourseProgress

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

#: hand-written name -> the module defining it (relative); every other name is generated.
_HAND: dict[str, str] = {
    "AccessCode": "._domains",
    "AccessCodePool": "._domains",
    "BulkUser": "._domains",
    "BulkUserCreateResult": "._domains",
    "Certificate": "._users",
    "Course": "._courses",
    "CourseProgress": "._users",
    "CourseSummary": "._common",
    "CourseTimeFormat": "._courses",
    "Domain": "._domains",
    "DomainAccess": "._domains",
    "DomainUser": "._domains",
    "Enrollment": "._enrollments",
    "EnrollmentPurchase": "._enrollments",
    "Offer": "._common",
    "Path": "._published",
    "PaymentProcessor": "._enrollments",
    "Price": "._common",
    "PublishedCourse": "._published",
    "PublishedPath": "._published",
    "PurchaseState": "._enrollments",
    "SignupFieldSummary": "._domains",
    "SuccessStatus": "._users",
    "User": "._common",
    "UserEnrollment": "._users",
    "UserOverview": "._users",
    "UserPublishedCourseProgress": "._users",
    "UserSignupFieldValue": "._domains",
    "WebHook": "..webhooks",
    "WebHookDeactivateReason": "..webhooks",
    "WebHookEventType": "..webhooks",
    "WebHookPingResult": "..webhooks",
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
