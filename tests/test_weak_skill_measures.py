"""Weak skills through the stored data: the measures they propose for a school's programme, the
subject deficits for its teachers, the municipal РМО topics, the course order, and the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shnor.assessments.models import Subject
from shnor.core.models import AuditEvent
from shnor.registry.models import School
from shnor.staff.models import Deficit, Teacher
from shnor.staff.picture import course_order, weak_skill_needs
from shnor.support.actions import do_add_skill_measure, do_record_skill_deficits
from shnor.support.choices import ProgrammeStatus
from shnor.support.models import Programme
from shnor.support.skill_measures import rmo_topics, school_groups
from shnor.taskresults.weak_skills import WeakSkillRule
from tests.taskresults_data import make_catalogue, make_papers

YEAR = 2026
RULE = WeakSkillRule()
MATHS = "Математика"


@pytest.fixture
def weak(world: dict[str, Any]) -> dict[str, Any]:
    """Schools a and b (north) fail task 1 («Действия с дробями»); school c (south) solves all:
    the region's task 1 is 50 %, a and b are 50 points below it."""
    make_catalogue(
        YEAR,
        "ВПР",
        MATHS,
        5,
        [
            ("1", 1, "1.1", "Действия с дробями"),
            ("2", 1, "2.3", "Решение текстовых задач"),
            ("3", 1, "3.1", "Площадь прямоугольника"),
        ],
    )
    schools = world["schools"]
    for key, scores, n in (("a", [0, 1, 1], 10), ("b", [0, 1, 0.5], 10), ("c", [1, 1, 1], 20)):
        make_papers(schools[key], YEAR, "ВПР", MATHS, 5, [(f"{key}{i}", scores) for i in range(n)])
    return world


def maths() -> int:
    return Subject.objects.get(name=MATHS).pk


def test_it_groups_a_schools_weak_skills_by_paper(weak: dict[str, Any]) -> None:
    (group,) = school_groups(weak["schools"]["a"], RULE)
    assert (group.kind, group.subject, group.grade, group.year) == ("ВПР", MATHS, 5, YEAR)
    assert [t["task"] for t in group.tasks] == ["1"]
    assert group.skills == "«Действия с дробями»"
    (task,) = group.tasks
    assert (task["done"], task["region_done"], task["gap"]) == (0.0, 0.5, 50.0)
    assert school_groups(weak["schools"]["c"], RULE) == []


def test_the_proposed_measure_goes_into_the_schools_draft_naming_the_skills(
    weak: dict[str, Any],
) -> None:
    school, user = weak["schools"]["a"], weak["users"]["municipality"]
    measure = do_add_skill_measure(
        school,
        kind="ВПР",
        subject_id=maths(),
        grade=5,
        code="skills_work_programme",
        rule=RULE,
        acting_user=user,
        today=date(YEAR, 12, 1),
    )
    programme = measure.programme
    assert programme.school == school and programme.status == ProgrammeStatus.DRAFT
    assert "«Действия с дробями»" in measure.text and "«Математика», 5 класс" in measure.text
    assert f"ВПР {YEAR}" in measure.text
    assert measure.deadline == date(YEAR + 1, 2, 1)
    event = AuditEvent.objects.get(action="support.skill_measure_added")
    assert event.actor == user and "Действия с дробями" in event.summary
    # a second measure goes into the same draft
    do_add_skill_measure(
        school,
        kind="ВПР",
        subject_id=maths(),
        grade=5,
        code="skills_shmo",
        rule=RULE,
        acting_user=user,
    )
    assert Programme.objects.filter(school=school).count() == 1
    assert programme.measures.count() == 2


def test_it_refuses_a_measure_without_weak_skills_or_from_outside_the_library(
    weak: dict[str, Any],
) -> None:
    user = weak["users"]["region"]
    with pytest.raises(ValidationError, match="нет западающих умений"):
        do_add_skill_measure(
            weak["schools"]["c"],
            kind="ВПР",
            subject_id=maths(),
            grade=5,
            code="skills_work_programme",
            rule=RULE,
            acting_user=user,
        )
    with pytest.raises(ValidationError, match="в библиотеке нет"):
        do_add_skill_measure(
            weak["schools"]["a"],
            kind="ВПР",
            subject_id=maths(),
            grade=5,
            code="skills_rmo_seminar",
            rule=RULE,
            acting_user=user,
        )
    assert not Programme.objects.exists()


def test_subject_deficits_go_to_the_teachers_of_the_subject_and_into_the_course_order(
    weak: dict[str, Any],
) -> None:
    school = weak["schools"]["a"]
    maths_teacher = Teacher.objects.create(
        school=school, full_name="Иванова А. А.", subjects="математика, физика"
    )
    Teacher.objects.create(school=school, full_name="Петров Б. Б.", subjects="Русский язык")
    recorded = do_record_skill_deficits(
        school,
        kind="ВПР",
        subject_id=maths(),
        grade=5,
        rule=RULE,
        acting_user=weak["users"]["school"],
    )
    assert [d.teacher for d in recorded] == [maths_teacher]
    (deficit,) = recorded
    assert deficit.subject == MATHS and "«Действия с дробями»" in deficit.topic
    assert deficit.source == f"анализ результатов ВПР {YEAR} по заданиям"
    # recorded once
    assert (
        do_record_skill_deficits(
            school,
            kind="ВПР",
            subject_id=maths(),
            grade=5,
            rule=RULE,
            acting_user=weak["users"]["school"],
        )
        == []
    )
    (need,) = course_order(Deficit.objects.all())
    assert (need["subject"], need["teachers"], need["schools"]) == (MATHS, 1, 1)
    assert "Действия с дробями" in need["topic"]


def test_the_municipal_topics_rank_skills_shared_by_schools(weak: dict[str, Any]) -> None:
    (topic,) = rmo_topics(weak["north"], RULE)
    assert topic.skill == "Действия с дробями" and topic.schools == 2
    assert topic.judged_schools == 2 and topic.share == 1.0
    assert sorted(topic.school_names) == sorted(
        s.short_name for s in (weak["schools"]["a"], weak["schools"]["b"])
    )
    assert "РМО учителей предмета «Математика»" in topic.seminar
    assert (
        "«Действия с дробями»" in topic.seminar and "школ с западающим умением: 2" in topic.seminar
    )
    assert rmo_topics(weak["south"], RULE) == []


def test_the_course_order_counts_skills_weak_in_several_schools(weak: dict[str, Any]) -> None:
    schools = weak["schools"]
    Teacher.objects.create(school=schools["a"], full_name="Иванова А. А.", subjects="Математика")
    Teacher.objects.create(school=schools["b"], full_name="Сидорова В. В.", subjects="математика")
    Teacher.objects.create(school=schools["b"], full_name="Петров Б. Б.", subjects="Русский язык")
    (need,) = weak_skill_needs(School.objects.filter(municipality=weak["north"]))
    assert need["topic"] == f"«Действия с дробями» (ВПР {YEAR}, 5 класс)"
    assert (need["subject"], need["teachers"], need["schools"]) == (MATHS, 2, 2)
    # a school sees its own share of the municipal topic
    (own,) = weak_skill_needs(School.objects.filter(pk=schools["a"].pk))
    assert (own["teachers"], own["schools"]) == (1, 1)
    assert weak_skill_needs(School.objects.filter(municipality=weak["south"])) == []
    client = Client()
    client.force_login(weak["users"]["municipality"])
    page = client.get(reverse("staff:index")).content.decode()
    assert "«Действия с дробями»" in page and "западающие умения" in page


def test_the_card_shows_the_weak_skills_and_the_measure_goes_into_the_draft(
    weak: dict[str, Any],
) -> None:
    school = weak["schools"]["a"]
    client = Client()
    client.force_login(weak["users"]["municipality"])
    card = client.get(reverse("school", args=[school.pk])).content.decode()
    assert 'id="weak-skills"' in card and "Действия с дробями" in card
    assert "Добавить в проект программы" in card and "50,0" in card
    response = client.post(
        reverse("support:skill_measure", args=[school.pk]),
        {
            "kind": "ВПР",
            "subject": maths(),
            "grade": 5,
            "code": "skills_work_programme",
            "margin": "15.0",
            "level": "50.0",
            "min_participants": "5",
            "min_schools": "2",
        },
    )
    (programme,) = Programme.objects.filter(school=school)
    assert response.status_code == 302
    assert response["Location"] == reverse("support:programme", args=[programme.pk])
    assert "«Действия с дробями»" in programme.measures.get().text
    # a stricter rule (margin 60) finds nothing to add
    client.post(
        reverse("support:skill_measure", args=[school.pk]),
        {"kind": "ВПР", "subject": maths(), "grade": 5, "code": "skills_shmo", "margin": "60"},
    )
    assert programme.measures.count() == 1
    topics = client.get(reverse("support:weak_skills", args=[weak["north"].pk])).content.decode()
    assert "Западающие умения в школах муниципалитета" in topics
    assert "Семинар-практикум РМО учителей предмета «Математика»" in topics


def test_the_weak_skill_actions_keep_to_the_scope_and_refuse_bad_input(
    weak: dict[str, Any],
) -> None:
    a, b = weak["schools"]["a"], weak["schools"]["b"]
    form = {"kind": "ВПР", "subject": maths(), "grade": 5, "code": "skills_work_programme"}
    school_user, region_user = Client(), Client()
    school_user.force_login(weak["users"]["school"])
    region_user.force_login(weak["users"]["region"])
    url = reverse("support:skill_measure", args=[b.pk])
    assert school_user.post(url, form).status_code == 404  # another school
    assert region_user.post(url, form).status_code == 404  # the region reads support
    assert (
        "Добавить в проект программы"
        not in region_user.get(reverse("school", args=[b.pk])).content.decode()
    )
    own = reverse("support:skill_measure", args=[a.pk])
    assert school_user.post(own, {**form, "grade": "пятый"}).status_code == 400
    assert school_user.post(own, {**form, "margin": "nan"}).status_code == 400
    assert school_user.post(own, {**form, "code": "computers"}).status_code == 400
    assert school_user.get(own).status_code == 405
    assert not Programme.objects.exists()
    assert (
        school_user.get(reverse("support:weak_skills", args=[weak["north"].pk])).status_code == 200
    )
    assert (
        school_user.get(reverse("support:weak_skills", args=[weak["south"].pk])).status_code == 404
    )
    outsider = Client()
    outsider.force_login(weak["users"]["outsider"])
    assert outsider.get(reverse("support:weak_skills", args=[weak["north"].pk])).status_code == 404


def test_the_municipal_page_reads_the_rule_with_a_decimal_comma(weak: dict[str, Any]) -> None:
    client = Client()
    client.force_login(weak["users"]["municipality"])
    url = reverse("support:weak_skills", args=[weak["north"].pk])
    page = client.get(url, {"margin": "12,5", "min_schools": "3"}).content.decode()
    assert 'value="12,5"' in page and "Умений, западающих в нескольких школах" in page
    assert "Действия с дробями" in client.get(url, {"margin": "12,5"}).content.decode()
    assert client.get(url, {"margin": "сто"}).status_code == 400
