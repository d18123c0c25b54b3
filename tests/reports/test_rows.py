"""`ProgressRow` and its CSV / JSON lines forms."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import skilljar_async.reports as reports
from skilljar_async.models import (
    CourseProgress,
    CourseSummary,
    SuccessStatus,
    UserPublishedCourseProgress,
)
from skilljar_async.reports import (
    CertificateInfo,
    Learner,
    ProgressRow,
    csv_cells,
    csv_columns,
    json_record,
    neutralise_cell,
)
from skilljar_async.reports._rows import row_from_progress

WHEN = dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def a_row(**changes: object) -> ProgressRow:
    fields: dict[str, object] = {
        "learner": Learner(id="u1", email="ada@example.com", first_name="Ada", last_name="L"),
        "domain": "learn.example.com",
        "published_course_id": "pc1",
        "course_title": "Security",
        "completed_at": WHEN,
        "score": 9,
        "certificate": CertificateInfo(code="C1", validate_url="https://v.example.com/C1"),
    }
    fields.update(changes)
    return ProgressRow(**fields)  # type: ignore[arg-type]


def test_all_is_sorted_and_complete() -> None:
    """The reports package's `__all__` is sorted and every name exists."""
    assert list(reports.__all__) == sorted(reports.__all__)
    for name in reports.__all__:
        assert hasattr(reports, name), name


def test_csv_columns_are_the_rows_leaves_dotted() -> None:
    """The CSV header names every leaf field once, nested ones dotted, in field order."""
    columns = csv_columns()
    assert columns[:4] == ("learner.id", "learner.email", "learner.first_name", "learner.last_name")
    assert columns[-4:] == (
        "certificate.code",
        "certificate.issued_at",
        "certificate.expires_at",
        "certificate.validate_url",
    )
    assert len(columns) == len(set(columns)) == 4 + len(ProgressRow.__attrs_attrs__) - 2 + 4


def test_csv_cells_line_up_with_the_columns() -> None:
    """Cells follow the columns: ISO date-times, empty for None, a missing certificate empty."""
    cells = dict(zip(csv_columns(), csv_cells(a_row()), strict=True))
    assert cells["learner.email"] == "ada@example.com"
    assert cells["completed_at"] == "2025-03-04T05:06:07+00:00"
    assert cells["score"] == "9"
    assert cells["enrolled_at"] == ""
    assert cells["certificate.code"] == "C1"
    blank = dict(zip(csv_columns(), csv_cells(a_row(certificate=None)), strict=True))
    assert blank["certificate.code"] == blank["certificate.validate_url"] == ""


def test_formula_cells_are_neutralised() -> None:
    """Cells starting with = + - @ TAB or CR get a leading quote; others are unchanged."""
    for text in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(text) == "'" + text
    assert neutralise_cell("Ada") == "Ada"
    assert neutralise_cell("") == ""
    row = a_row(course_title="=cmd|' /C calc'!A0")
    cells = dict(zip(csv_columns(), csv_cells(row), strict=True))
    assert cells["course_title"] == "'=cmd|' /C calc'!A0"


def test_csv_round_trip() -> None:
    """A row written with the csv module reads back as the same cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_columns())
    writer.writerow(csv_cells(a_row(learner=Learner(id="u2", first_name='A "quoted", name'))))
    back = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert back[0]["learner.first_name"] == 'A "quoted", name'


def test_json_record_keeps_nesting() -> None:
    """JSON lines keep the learner and certificate as objects; date-times are ISO text."""
    record = json_record(a_row())
    assert record["learner"] == {
        "id": "u1",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "L",
    }
    assert record["certificate"]["code"] == "C1"
    assert record["completed_at"] == "2025-03-04T05:06:07+00:00"
    assert json.loads(json.dumps(record)) == record


def test_row_from_progress_drops_undeclared_fields() -> None:
    """Fields the row does not name (a presigned link, say) never reach it."""
    item = UserPublishedCourseProgress(
        published_course_id="pc1",
        course_progress=CourseProgress(
            completed_lesson_count=2, success_status=SuccessStatus.FAILED
        ),
        course=CourseSummary(id="c1", title="Security", lesson_count=5),
        extra={"download_url": "https://files.example.com/?sig=secret"},
    )
    row = row_from_progress(Learner(id="u1"), item)
    assert (row.published_course_id, row.course_id, row.lesson_count) == ("pc1", "c1", 5)
    assert (row.completed_lesson_count, row.success_status) == (2, "FAILED")
    assert row.certificate is None
    assert "secret" not in repr(row)
    assert "secret" not in json.dumps(json_record(row))
