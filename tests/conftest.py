"""A small world for tests: two municipalities, a handful of schools, a user per role."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest
from django.conf import settings

from shnor.accounts.choices import Role
from shnor.accounts.models import User
from shnor.assessments.models import ProcedureKind, Result, Subject
from shnor.registry.models import Municipality, Region, School
from shnor.support.models import CuratorAssignment

os.environ.setdefault("SHNOR_FAST_HASHER", "1")
# Tests create many users; the production hasher would spend seconds on each fixture.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    region = Region.objects.create(name="Тестовая область")
    north = Municipality.objects.create(region=region, name="Северный район")
    south = Municipality.objects.create(region=region, name="Южный район")
    schools = {
        "a": School.objects.create(code="100", name="МБОУ СОШ № 1", municipality=north),
        "b": School.objects.create(code="200", name="МБОУ СОШ № 2", municipality=north),
        "c": School.objects.create(
            code="300", name="МКОУ ООШ с. Дальнее", municipality=south, kind="ООШ", locality="село"
        ),
    }
    users = {
        "region": User.objects.create_user("region", password="x", role=Role.REGION, region=region),
        "municipality": User.objects.create_user(
            "mun", password="x", role=Role.MUNICIPALITY, municipality=north
        ),
        "curator": User.objects.create_user("curator", password="x", role=Role.CURATOR),
        "school": User.objects.create_user(
            "school", password="x", role=Role.SCHOOL, school=schools["a"]
        ),
        "observer": User.objects.create_user(
            "observer", password="x", role=Role.OBSERVER, region=region
        ),
    }
    # the curator's school b: an assignment in force since long ago, with no end
    CuratorAssignment.objects.create(
        curator=users["curator"], school=schools["b"], starts=date(2000, 1, 1)
    )
    other_region = Region.objects.create(name="Чужая область")
    outsider_place = Municipality.objects.create(region=other_region, name="Чужой район")
    schools["outside"] = School.objects.create(
        code="900", name="Чужая школа", municipality=outsider_place
    )
    users["outsider"] = User.objects.create_user(
        "outsider", password="x", role=Role.REGION, region=other_region
    )
    return {"region": region, "north": north, "south": south, "schools": schools, "users": users}


def add_results(school: School, rows: Iterable[tuple[Any, ...]]) -> None:
    """rows: (year, kind, subject, grade, participants, below_min[, mean_score])."""
    kinds = {k.code: k for k in ProcedureKind.objects.all()}
    subjects = {s.name: s for s in Subject.objects.all()}
    Result.objects.bulk_create(
        [
            Result(
                school=school,
                year=row[0],
                kind=kinds[row[1]],
                subject=subjects[row[2]],
                grade=row[3],
                participants=row[4],
                below_min=row[5],
                mean_score=row[6] if len(row) > 6 else None,
            )
            for row in rows
        ]
    )


def stored_results() -> list[tuple[Any, ...]]:
    """Every result row as the database holds it (keys, counts, mean score), in key order."""
    return sorted(
        Result.objects.values_list(
            "school_id",
            "year",
            "kind_id",
            "subject_id",
            "grade",
            "participants",
            "below_min",
            "mean_score",
        )
    )
