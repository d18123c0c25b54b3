"""Reports over many learners, incremental and inside the read budget.

    async with SkilljarClient() as client:
        async for row in reports.progress(client, domain="learn.example.com",
                                          state="progress.state.json"):
            ...

`progress()` streams one `ProgressRow` per learner and published course;
with a state file the next run reads only learners active since the last
one, and a stopped run resumes. `plan_progress()` counts the reads first.
`csv_columns()`, `csv_cells()` and `json_record()` give rows' file forms.
"""

from ._plan import ProgressPlan as ProgressPlan
from ._plan import plan_progress as plan_progress
from ._progress import ProgressReport as ProgressReport
from ._progress import ProgressStats as ProgressStats
from ._progress import journal_path as journal_path
from ._progress import progress as progress
from ._progress import resumes as resumes
from ._rows import CertificateInfo as CertificateInfo
from ._rows import Learner as Learner
from ._rows import ProgressRow as ProgressRow
from ._rows import csv_cells as csv_cells
from ._rows import csv_columns as csv_columns
from ._rows import json_record as json_record
from ._rows import neutralise_cell as neutralise_cell
from ._select import DEFAULT_OVERLAP as DEFAULT_OVERLAP
from ._state import ReportState as ReportState
from ._state import StateFileError as StateFileError
from ._state import StateMismatchError as StateMismatchError
from ._state import read_state as read_state

__all__ = [
    "CertificateInfo",
    "DEFAULT_OVERLAP",
    "Learner",
    "ProgressPlan",
    "ProgressReport",
    "ProgressRow",
    "ProgressStats",
    "ReportState",
    "StateFileError",
    "StateMismatchError",
    "csv_cells",
    "csv_columns",
    "journal_path",
    "json_record",
    "neutralise_cell",
    "plan_progress",
    "progress",
    "read_state",
    "resumes",
]
