"""Parts of pages rendered once per state of the data (`rendered_once`): a write shows on the
next view, and one scope never sees a part rendered for another."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse

from shnor.assessments.models import Result
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from tests.conftest import add_results


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_school_card_shows_a_changed_result_at_once(world: dict[str, Any]) -> None:
    school = world["schools"]["a"]
    add_results(school, [(2025, "ВПР", "Математика", 5, 20, 2)])
    region = client_of(world["users"]["region"])
    url = reverse("school", args=[school.pk])
    before = region.get(url).content.decode()
    assert "10,0%" in before and "40,0%" not in before
    assert "10,0%" in region.get(url).content.decode()  # the same data: the part kept
    Result.objects.filter(school=school).update(below_min=8)  # a bulk write, as imports do
    after = region.get(url).content.decode()
    assert "40,0%" in after and "10,0%" not in after


def test_a_scope_never_sees_the_part_rendered_for_another(world: dict[str, Any]) -> None:
    for school in ("a", "b", "c"):
        add_results(world["schools"][school], [(2025, "ВПР", "Математика", 5, 20, 2)])
    run = do_run_identification(
        Methodology.objects.get(code="federal"),
        2025,
        acting_user=SystemUser(),
        region=world["region"],
    )
    region = client_of(world["users"]["region"])
    municipal = client_of(world["users"]["municipality"])
    other = world["schools"][
        "c"
    ].short_name  # in the south, outside the municipal coordinator's scope
    for url in (
        reverse("identification:run", args=[run.pk]) + "?status=all",
        reverse("schools"),
        reverse("support:index"),
    ):
        assert region.get(url).status_code == 200
        page = municipal.get(url).content.decode()
        assert other not in page, url
    assert other in region.get(reverse("schools")).content.decode()


def test_a_municipality_page_is_its_own(world: dict[str, Any]) -> None:
    region = client_of(world["users"]["region"])
    north = region.get(reverse("municipality", args=[world["north"].pk])).content.decode()
    south = region.get(reverse("municipality", args=[world["south"].pk])).content.decode()
    assert (
        world["schools"]["a"].short_name in north and world["schools"]["a"].short_name not in south
    )
    assert (
        world["schools"]["c"].short_name in south and world["schools"]["c"].short_name not in north
    )


def test_a_part_without_its_key_is_refused() -> None:
    part = Template(
        '{% load shnor %}{% rendered_once "test/part" key %}данные{% endrendered_once %}'
    )
    with pytest.raises(TemplateSyntaxError):
        part.render(Context({}))
