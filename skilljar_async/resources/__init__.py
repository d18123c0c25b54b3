"""Resource classes behind the client's attribute tree.

Naming rule: operation ``<segments>_<verb>`` of path ``/v1/<seg-1>/{p1}/<seg-2>/...``
is ``client.<seg_1>.<seg_2>....<verb>(p1, ..., **fields)``: literal path segments with
``-`` turned into ``_``, path parameters positional in path order, everything else
keyword-only. List methods are plain functions returning an `AsyncPaginator`; all
others are coroutines. Optional body fields default to `NOT_GIVEN` (not sent); None
sends JSON null.
"""

from ._base import NOT_GIVEN, NotGiven, Resource
from ._courses import Courses
from ._domain_users import DomainUsers
from ._domains import Domains
from ._enrollments import PublishedCourseEnrollments, PublishedPathEnrollments
from ._ping import Ping
from ._published_courses import DomainPublishedCourses
from ._published_paths import DomainPublishedPaths
from ._users import UserAnonymize, UserPublishedCourses, Users
from ._webhooks import WebHookPing, WebHooks

__all__ = [
    "Courses",
    "DomainPublishedCourses",
    "DomainPublishedPaths",
    "DomainUsers",
    "Domains",
    "NOT_GIVEN",
    "NotGiven",
    "Ping",
    "PublishedCourseEnrollments",
    "PublishedPathEnrollments",
    "Resource",
    "UserAnonymize",
    "UserPublishedCourses",
    "Users",
    "WebHookPing",
    "WebHooks",
]
