"""Whose eyes a student's name and code reach: over every page and document each role finds by
links (the crawl of test_russian_text), the name only on its own school's pages; codes only for
the roles that work with the school's students (the school, its curator, the municipal
coordinator); the region, observers and everything exported see aggregates alone."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shnor.core.jobs import run_pending
from shnor.core.models import Job
from shnor.students.actions import (
    do_add_route_step,
    do_build_student_route,
    do_confirm_student_difficulty,
)
from shnor.students.choices import DifficultyReason, Executor
from shnor.students.models import Student
from tests.taskresults_data import kind_of, make_catalogue, make_papers, subject_of
from tests.test_russian_text import body, crawl, document_text

YEAR = 2025
NAME = "Ёлкина Мария"
CODE = "QX-4071"  # a student of school a
OTHER = "QZ-5093"  # a student of school b, the curator's


@pytest.fixture
def bank(world: dict[str, Any]) -> dict[str, Any]:
    make_catalogue(YEAR, "ВПР", "Математика", 5, [("1", 1), ("2", 2)])
    for school, code in ((world["schools"]["a"], CODE), (world["schools"]["b"], OTHER)):
        make_papers(school, YEAR, "ВПР", "Математика", 5, [(code, [0, 0], 2, 2)])
        Student(school=school, code=code, year=YEAR, grade=5, name=NAME).save()
        difficulty = do_confirm_student_difficulty(
            school,
            code,
            year=YEAR,
            reason=DifficultyReason.VPR_FAIL,
            subject=subject_of("Математика"),
            kind=kind_of("ВПР"),
            source_year=YEAR,
            grade=5,
            acting_user=world["users"]["school"],
        )
        route = do_build_student_route(difficulty, acting_user=world["users"]["school"])
        do_add_route_step(
            route,
            title="Занятия с тьютором",
            executor=Executor.TUTOR,
            deadline=date(YEAR, 12, 1),
            task="2",
            skill="Умение 2",
            acting_user=world["users"]["school"],
        )
    return world


def texts(user: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    found: dict[str, str] = {}
    crawl(
        client,
        ["/", reverse("students:index"), f"{reverse('students:index')}?year={YEAR}"],
        lambda url, text: found.__setitem__(url, text),
    )
    return found


def holding(pages: dict[str, str], needle: str) -> list[str]:
    return sorted(url for url, text in pages.items() if needle in text)


@pytest.mark.django_db
def test_a_name_reaches_its_school_only(bank: dict[str, Any]) -> None:
    users = bank["users"]
    school = texts(users["school"])
    assert holding(school, NAME), "the school sees its student's name"
    assert holding(school, CODE) and not holding(school, OTHER)
    for role in ("municipality", "curator", "region", "observer", "outsider"):
        assert not holding(texts(users[role]), NAME), role


@pytest.mark.django_db
def test_codes_reach_the_roles_that_work_with_the_students(bank: dict[str, Any]) -> None:
    users = bank["users"]
    municipality = texts(users["municipality"])
    assert holding(municipality, CODE) and holding(municipality, OTHER)
    curator = texts(users["curator"])
    assert holding(curator, OTHER) and not holding(curator, CODE)
    for role in ("region", "observer", "outsider"):
        pages = texts(users[role])
        assert not holding(pages, CODE) and not holding(pages, OTHER), role
    # the region sees the bank in aggregates: two students, hidden as a small group
    region = texts(users["region"])
    assert any("менее 5" in text for url, text in region.items() if "/students/" in url)


@pytest.mark.django_db
def test_no_export_carries_a_code(bank: dict[str, Any]) -> None:
    for role in ("school", "municipality", "region"):
        client = Client()
        client.force_login(bank["users"][role])
        for url, text in texts(bank["users"][role]).items():
            if url.startswith(reverse("students:export")):
                assert CODE not in text and NAME not in text, (role, url)
        response = client.get(reverse("students:export"), {"year": YEAR})
        assert response.status_code == 200
        assert CODE.encode() not in response.content


@pytest.mark.django_db
def test_no_report_carries_a_code_or_a_name(bank: dict[str, Any]) -> None:
    """Every report kind in every format, ordered by each role that orders reports."""
    school = bank["schools"]["a"]
    for role in ("school", "municipality", "region"):
        user = bank["users"][role]
        client = Client()
        client.force_login(user)
        for kind in ("identification", "dynamics", "effectiveness", "passport"):
            for fmt in ("docx", "xlsx", "pdf"):
                client.post(
                    reverse("reports:index"),
                    {
                        "kind": kind,
                        "format": fmt,
                        "year": YEAR,
                        "municipality": bank["north"].pk,
                        "school": school.pk,
                    },
                )
        run_pending()
        ordered = Job.objects.filter(kind="report", user=user)
        assert not ordered.exclude(status="done").exists(), role
        jobs = list(ordered)
        assert len(jobs) >= 3, role  # at least one kind in every format
        for job in jobs:
            response = client.get(job.result["url"])
            text = document_text(response["Content-Type"], body(response))
            assert CODE not in text and OTHER not in text and NAME not in text, (role, job.title)
