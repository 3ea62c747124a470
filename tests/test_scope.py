"""Roles × pages: every page and export keeps to the user's scope, URL guessing included."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shnor.accounts.choices import Action
from shnor.assessments.models import Result
from shnor.core.scope import restrict
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology, SchoolStatus
from shnor.identification.services import NotAllowed
from shnor.registry.models import Municipality, School
from tests.conftest import add_results

# Which of the world's schools each role sees.
VISIBLE = {
    "region": {"a", "b", "c"},
    "municipality": {"a", "b"},
    "curator": {"b"},
    "school": {"a"},
    "observer": {"a", "b", "c"},
    "outsider": {"outside"},
}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def with_results(world: dict[str, Any]) -> dict[str, Any]:
    for key in ("a", "b", "c", "outside"):
        add_results(world["schools"][key], [(2025, "ВПР", "Математика", 5, 20, 7)])
    return world


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_it_restricts_schools_and_results_to_the_scope(
    with_results: dict[str, Any], role: str
) -> None:
    world = with_results
    user = world["users"][role]
    names = {
        k
        for k, s in world["schools"].items()
        if restrict(School.objects.all(), user).filter(pk=s.pk).exists()
    }
    assert names == VISIBLE[role]
    results = restrict(Result.objects.all(), user)
    assert set(results.values_list("school__code", flat=True)) == {
        world["schools"][k].code for k in VISIBLE[role]
    }


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_it_serves_school_cards_only_inside_the_scope(
    with_results: dict[str, Any], role: str
) -> None:
    world = with_results
    client = login(world["users"][role])
    for key, school in world["schools"].items():
        response = client.get(reverse("school", args=[school.pk]))
        expected = 200 if key in VISIBLE[role] else 404
        assert response.status_code == expected, (role, key)


def test_a_school_user_cannot_read_another_schools_card_or_results(
    with_results: dict[str, Any],
) -> None:
    world = with_results
    client = login(world["users"]["school"])
    own = client.get(reverse("school", args=[world["schools"]["a"].pk]))
    assert own.status_code == 200 and "ВПР · Математика · 5 кл." in own.content.decode()
    for key in ("b", "c", "outside"):
        pk = world["schools"][key].pk
        assert client.get(reverse("school", args=[pk])).status_code == 404
        assert client.get(f"/schools/{pk}/").status_code == 404
    listing = client.get(reverse("schools")).content.decode()
    assert "СОШ № 1" in listing and "СОШ № 2" not in listing and "Дальнее" not in listing
    assert client.get(reverse("municipality", args=[world["south"].pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(world: dict[str, Any]) -> None:
    client = Client()
    for url in (
        reverse("home"),
        reverse("schools"),
        reverse("identification:index"),
        reverse("school", args=[world["schools"]["a"].pk]),
        reverse("import"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("region", True),
        ("municipality", True),
        ("curator", False),
        ("school", False),
        ("observer", False),
    ],
)
def test_only_coordinators_import_and_run(world: dict[str, Any], role: str, allowed: bool) -> None:
    client = login(world["users"][role])
    page = client.get(reverse("import"))
    # a school loads its own teachers and deficits (tests/test_curator_scope.py), nothing else
    assert (page.status_code == 200) is (allowed or role == "school")
    methodology = Methodology.objects.get(code="federal")
    response = client.post(
        reverse("identification:index"), {"methodology": methodology.pk, "year": 2025}
    )
    assert (response.status_code == 302) is allowed


def test_runs_and_exports_show_only_the_users_schools(with_results: dict[str, Any]) -> None:
    world = with_results
    run = do_run_identification(
        Methodology.objects.get(code="federal"),
        2025,
        acting_user=SystemUser(region=world["region"]),
    )
    school_client = login(world["users"]["school"])
    page = school_client.get(reverse("identification:run", args=[run.pk])).content.decode()
    assert "СОШ № 1" in page and "СОШ № 2" not in page
    csv = school_client.get(reverse("identification:export", args=[run.pk, "csv"]))
    assert csv.content.decode().count("\n") == 2  # header and the own school only
    outsider = login(world["users"]["outsider"])
    assert outsider.get(reverse("identification:run", args=[run.pk])).status_code == 404
    assert outsider.get(reverse("identification:export", args=[run.pk, "xlsx"])).status_code == 404
    assert restrict(SchoolStatus.objects.filter(run=run), world["users"]["curator"]).count() == 1


def test_a_municipal_coordinator_runs_only_for_the_own_municipality(world: dict[str, Any]) -> None:
    user = world["users"]["municipality"]
    with pytest.raises(NotAllowed):
        do_run_identification(
            Methodology.objects.get(code="federal"),
            2025,
            acting_user=user,
            municipality=world["south"],
        )
    run = do_run_identification(Methodology.objects.get(code="federal"), 2025, acting_user=user)
    assert run.municipality == world["north"]
    assert set(run.statuses.values_list("school__code", flat=True)) == {"100", "200"}


def test_actions_follow_the_role(world: dict[str, Any]) -> None:
    users = world["users"]
    assert restrict(Municipality.objects.all(), users["curator"], Action.IMPORT).count() == 0
    assert restrict(Municipality.objects.all(), users["municipality"], Action.IMPORT).count() == 1
    assert restrict(School.objects.all(), users["observer"], Action.VIEW).count() == 3
    assert restrict(School.objects.all(), users["observer"], Action.VIEW_PERSONAL).count() == 0
