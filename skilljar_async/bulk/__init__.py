"""Bulk jobs over the shared rate budget: streamed, resumable, one result per item.

    summary = await bulk.enroll(client, bulk.read_rows("learners.csv"),
                                domain="learn.example.com", published_course_id="pc1",
                                journal="enroll.jsonl")

`BulkJob` is the engine (bounded concurrency, bounded intake, lower scheduler
priority than ordinary calls, progress with an exact ETA); `run()` applies any
client call to many items; `plan()` counts a job's calls and its minimum time.
"""

from ._csv import CsvError as CsvError
from ._csv import CsvRows as CsvRows
from ._csv import check_csv as check_csv
from ._csv import count_rows as count_rows
from ._csv import read_rows as read_rows
from ._journal import Journal as Journal
from ._journal import JournalMismatchError as JournalMismatchError
from ._ops import add_domain_users as add_domain_users
from ._ops import deactivate_enrollments as deactivate_enrollments
from ._ops import enroll as enroll
from ._ops import row_key as row_key
from ._ops import run as run
from ._ops import update_enrollments as update_enrollments
from ._plan import Plan as Plan
from ._plan import format_duration as format_duration
from ._plan import plan as plan
from ._runner import BulkJob as BulkJob
from ._runner import BulkSummary as BulkSummary
from ._runner import ItemResult as ItemResult
from ._runner import ItemStatus as ItemStatus
from ._runner import JobStoppedError as JobStoppedError
from ._runner import Outcome as Outcome
from ._runner import Progress as Progress
from ._runner import failure_kind as failure_kind

__all__ = [
    "BulkJob",
    "BulkSummary",
    "CsvError",
    "CsvRows",
    "ItemResult",
    "ItemStatus",
    "JobStoppedError",
    "Journal",
    "JournalMismatchError",
    "Outcome",
    "Plan",
    "Progress",
    "add_domain_users",
    "check_csv",
    "count_rows",
    "deactivate_enrollments",
    "enroll",
    "failure_kind",
    "format_duration",
    "plan",
    "read_rows",
    "row_key",
    "run",
    "update_enrollments",
]
