"""Thresholds follow the methodology they belong to: the low-result share that pages highlight
and partner suggestions use is the primary methodology's, not a literal of their own."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.test import Client
from django.urls import reverse

from shnor.identification.actions import do_save_methodology_version, do_set_primary_methodology
from shnor.identification.models import Methodology
from shnor.identification.services import low_share_of
from shnor.support.partners import needed_subjects
from tests.conftest import add_results


def test_the_low_share_is_the_primary_methodologys(world: dict[str, Any]) -> None:
    region, north = world["region"], world["north"]
    user = world["users"]["region"]
    assert low_share_of(region.pk, north.pk) == 0.3  # the federal criteria by default
    federal = Methodology.objects.filter(code="federal", is_builtin=True).latest("version")
    do_save_methodology_version(
        federal, {"low_share": 0.25}, acting_user=user, code="regional", name="Модель региона"
    )
    do_set_primary_methodology("regional", acting_user=user)
    assert low_share_of(region.pk, north.pk) == 0.25

    school = world["schools"]["a"]
    add_results(school, [(2025, "ОГЭ", "Математика", 9, 20, 5)])  # 25%: low under the new rule
    client = Client()
    client.force_login(user)
    page = client.get(reverse("school", args=[school.pk])).content.decode()
    assert "Красным — 25% и выше" in page
    shares = pl.DataFrame(
        {
            "school_id": [school.pk, school.pk],
            "subject": ["Русский язык", "Математика"],
            "below": [2, 5],
            "participants": [20, 20],
        }
    )
    # mathematics is the subject to strengthen under the region's 25%; under 30% nothing is
    # low and the suggestion falls back to both main subjects
    assert needed_subjects(shares, school.pk, low_share_of(region.pk, north.pk)) == ["Математика"]
    assert needed_subjects(shares, school.pk, 0.3) == ["Русский язык", "Математика"]
