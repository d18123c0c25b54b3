"""Content families: ping, assets, web packages, courses, labels, tags, lessons, paths, quizzes."""

from __future__ import annotations

import pytest

from skilljar_async import NotFoundError, SkilljarClient
from skilljar_async.models import Answer, LessonType, QuestionType, SuccessStatus
from skilljar_async.testing import SkilljarEmulator
from skilljar_async.webhooks import (
    CourseCompletionEvent,
    PathEnrollmentEvent,
    ViltEventRegistrationEvent,
)

from ..testing.test_census import Census
from ._family import WHEN, first_id, scenario


@scenario("ping_retrieve")
async def ping(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    assert await client.ping() is None


@scenario("assets_create", "assets_retrieve", "assets_list", "assets_destroy")
async def assets(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    made = await client.assets.create(content_url="https://files.example.com/a.pdf", name="A")
    assert (await client.assets.retrieve(made.id)).id == made.id
    assert made.id in [a.id async for a in client.assets.list()]
    await client.assets.destroy(made.id)
    with pytest.raises(NotFoundError):
        await client.assets.retrieve(made.id)


@scenario(
    "web_packages_create",
    "web_packages_retrieve",
    "web_packages_list",
    "web_packages_lessons_update",
    "web_packages_destroy",
)
async def web_packages(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    old = await client.web_packages.create(content_url="https://x.example.com/a.zip", title="A")
    new = await client.web_packages.create(content_url="https://x.example.com/b.zip", title="B")
    assert (await client.web_packages.retrieve(old.id)).id == old.id
    assert {old.id, new.id} <= {p.id async for p in client.web_packages.list()}
    assert await client.web_packages.lessons.update(old.id, new_web_package_id=new.id) is None
    await client.web_packages.destroy(old.id)
    with pytest.raises(NotFoundError):
        await client.web_packages.retrieve(old.id)


@scenario(
    "courses_labels_create",
    "courses_labels_retrieve",
    "courses_labels_list",
    "courses_labels_destroy",
)
async def course_labels(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    course = await client.courses.create(
        title="Labelled", short_description="s", enforce_sequential_navigation=False
    )
    label = await client.labels.create(name="beta")
    link = await client.courses.labels.create(course.id, label_id=label.id)
    assert link.label is not None
    assert link.label.id == label.id
    fetched = await client.courses.labels.retrieve(course.id, label.id)
    assert fetched.label is not None
    assert fetched.label.name == "beta"
    assert [x.label.id async for x in client.courses.labels.list(course.id) if x.label] == [
        label.id
    ]
    await client.courses.labels.destroy(course.id, label.id)
    assert [x async for x in client.courses.labels.list(course.id)] == []


@scenario(
    "labels_create",
    "labels_retrieve",
    "labels_update",
    "labels_partial_update",
    "labels_list",
    "labels_destroy",
)
async def labels(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    label = await client.labels.create(name="draft")
    await client.labels.partial_update(label.id, name="drafts")
    assert (await client.labels.retrieve(label.id)).name == "drafts"
    await client.labels.update(label.id, name="final")
    assert "final" in [x.name async for x in client.labels.list()]
    await client.labels.destroy(label.id)
    with pytest.raises(NotFoundError):
        await client.labels.retrieve(label.id)


@scenario("tags_create", "tags_retrieve", "tags_update", "tags_list", "tags_destroy")
async def tags(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    tag = await client.tags.create(name="Security")
    await client.tags.update(tag.id, name="Security 2")
    assert (await client.tags.retrieve(tag.id)).name == "Security 2"
    assert tag.id in [t.id async for t in client.tags.list()]
    await client.tags.destroy(tag.id)
    assert tag.id not in [t.id async for t in client.tags.list()]


@scenario(
    "lessons_create",
    "lessons_list",
    "lessons_retrieve",
    "lessons_partial_update",
    "lessons_content_items_create",
    "lessons_content_items_list",
    "lessons_content_items_update",
    "lessons_rating_content_blocks_create",
    "lessons_rating_content_blocks_retrieve",
    "lessons_rating_content_blocks_destroy",
    "lessons_destroy",
)
async def lessons(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    course = await client.courses.create(
        title="Lessons", short_description="s", enforce_sequential_navigation=True
    )
    lesson = await client.lessons.create(
        course_id=course.id, title="One", order=1, type=LessonType.MODULAR
    )
    assert lesson.type is LessonType.MODULAR
    assert [x.id async for x in client.lessons.list(course_id=course.id)] == [lesson.id]
    await client.lessons.partial_update(lesson.id, title="Uno")
    assert (await client.lessons.retrieve(lesson.id)).title == "Uno"
    item = await client.lessons.content_items.create(
        lesson.id, header="Intro", order=0, type="HTML"
    )
    await client.lessons.content_items.update(lesson.id, item.id, header="Welcome")
    headers = [i.header async for i in client.lessons.content_items.list(lesson.id)]
    assert headers == ["Welcome"]
    blocks = client.lessons.rating_content_blocks
    block = await blocks.create(lesson.id, rating_question="Useful?", rating_scale=5)
    assert (await blocks.retrieve(lesson.id, block.id)).rating_scale == 5
    await blocks.destroy(lesson.id, block.id)
    await client.lessons.destroy(lesson.id)
    with pytest.raises(NotFoundError):
        await client.lessons.retrieve(lesson.id)


@scenario("lesson_progress_retrieve", "lesson_progress_update", "lesson_progress_partial_update")
async def lesson_progress(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    progress_id = Census(emu.store).keys["/v1/lesson-progress"]
    records = client.lesson_progress
    await records.update(progress_id, completed_at=WHEN, success_status=SuccessStatus.PASSED)
    await records.partial_update(progress_id, score=8, max_score=10)
    got = await records.retrieve(progress_id)
    assert (got.completed_at, got.success_status, got.score) == (WHEN, SuccessStatus.PASSED, 8)


@scenario(
    "progresstokens_list",
    "progresstokens_retrieve",
    "progresstokens_update",
    "progresstokens_partial_update",
)
async def progress_tokens(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    Census(emu.store)
    token_id = await first_id(client.progresstokens.list())
    await client.progresstokens.update(token_id, score=1, max_score=2)
    await client.progresstokens.partial_update(token_id, completed_at=None)
    token = await client.progresstokens.retrieve(token_id)
    assert (token.score, token.max_score, token.completed_at) == (1, 2, None)


@scenario(
    "paths_list",
    "paths_retrieve",
    "paths_update",
    "paths_partial_update",
    "paths_path_items_list",
    "paths_path_items_retrieve",
    "paths_destroy",
)
async def paths(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    census = Census(emu.store)
    path_id = census.keys["/v1/paths"]
    assert path_id in [p.id async for p in client.paths.list()]
    await client.paths.update(path_id, title="Track")
    await client.paths.partial_update(path_id, short_description="All of it")
    path = await client.paths.retrieve(path_id)
    assert (path.title, path.short_description) == ("Track", "All of it")
    item_id = census.keys["/v1/paths/{path_id}/path-items"]
    assert [i.id async for i in client.paths.path_items.list(path_id)] == [item_id]
    assert (await client.paths.path_items.retrieve(path_id, item_id)).id == item_id
    await client.paths.destroy(path_id)
    with pytest.raises(NotFoundError):
        await client.paths.retrieve(path_id)


@scenario(
    "quizzes_create",
    "quizzes_retrieve",
    "quizzes_update",
    "quizzes_list",
    "quizzes_questions_list",
    "quizzes_questions_retrieve",
    "quizzes_questions_destroy",
    "quizzes_question_banks_list",
    "quizzes_destroy",
    "quiz_questions_create",
    "quiz_questions_retrieve",
    "quiz_questions_partial_update",
    "quiz_questions_destroy",
)
async def quizzes(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    quiz = await client.quizzes.create(name="Check", passing_percentage_correct=80)
    await client.quizzes.update(quiz.id, max_attempts=3)
    got = await client.quizzes.retrieve(quiz.id)
    assert (got.passing_percentage_correct, got.max_attempts) == (80, 3)
    assert quiz.id in [q.id async for q in client.quizzes.list(name="Check")]
    answers = [Answer(answer_text="4", correct=True), Answer(answer_text="5")]
    question = await client.quiz_questions.create(
        html="2+2?", type=QuestionType.MULTIPLE_CHOICE, quiz=quiz.id, answers=answers
    )
    assert [a.answer_text for a in question.answers] == ["4", "5"]
    await client.quiz_questions.partial_update(question.id, html="2 + 2?")
    assert (await client.quiz_questions.retrieve(question.id)).html == "2 + 2?"
    census = Census(emu.store)  # a quiz with a question and a question bank
    quiz_id = census.keys["/v1/quizzes"]
    question_id = census.keys["/v1/quizzes/{quiz_id}/questions"]
    assert [q.id async for q in client.quizzes.questions.list(quiz_id)] == [question_id]
    summary = await client.quizzes.questions.retrieve(quiz_id, question_id)
    assert summary.id == question_id
    await client.quizzes.questions.destroy(quiz_id, question_id)
    assert [b async for b in client.quizzes.question_banks.list(quiz_id)] != []
    await client.quiz_questions.destroy(question.id)
    await client.quizzes.destroy(quiz.id)
    with pytest.raises(NotFoundError):
        await client.quizzes.retrieve(quiz.id)


@scenario(
    "question_banks_create",
    "question_banks_retrieve",
    "question_banks_partial_update",
    "question_banks_list",
    "question_banks_questions_list",
    "question_banks_questions_retrieve",
    "question_banks_questions_destroy",
    "question_banks_destroy",
    "quizzes_question_banks_retrieve",
)
async def question_banks(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    bank = await client.question_banks.create(name="Pool")
    await client.question_banks.partial_update(bank.id, name="Pool 2")
    assert (await client.question_banks.retrieve(bank.id)).name == "Pool 2"
    assert bank.id in [b.id async for b in client.question_banks.list()]
    census = Census(emu.store)
    seeded = census.keys["/v1/question-banks"]
    question_id = census.keys["/v1/question-banks/{question_bank_id}/questions"]
    listed = [q.id async for q in client.question_banks.questions.list(seeded)]
    assert listed == [question_id]
    question = await client.question_banks.questions.retrieve(seeded, question_id)
    assert question.id == question_id
    await client.question_banks.questions.destroy(seeded, question_id)
    quiz_id = census.keys["/v1/quizzes"]
    bank_id = census.keys["/v1/quizzes/{quiz_id}/question-banks"]
    assert (await client.quizzes.question_banks.retrieve(quiz_id, bank_id)).id == bank_id
    await client.question_banks.destroy(bank.id)
    with pytest.raises(NotFoundError):
        await client.question_banks.retrieve(bank.id)


@scenario(
    "webhooks_sample_course_completion_retrieve",
    "webhooks_sample_path_enrollment_retrieve",
    "webhooks_sample_vilt_registration_retrieve",
)
async def webhook_samples(client: SkilljarClient, emu: SkilljarEmulator) -> None:
    completion = await client.webhooks.sample_course_completion.retrieve()
    assert isinstance(completion, CourseCompletionEvent)
    assert completion.course is not None
    assert completion.course.published_course_id
    path = await client.webhooks.sample_path_enrollment.retrieve()
    assert isinstance(path, PathEnrollmentEvent)
    assert path.path is not None
    vilt_event = await client.webhooks.sample_vilt_registration.retrieve()
    assert isinstance(vilt_event, ViltEventRegistrationEvent)
    assert vilt_event.user is not None
