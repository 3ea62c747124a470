"""Every URL pattern of the project, as every role and anonymously, with malformed parameters:
a bad value answers 400 or the page with a message, never a 500.

The parameter names come from the pages themselves: a first request to each page records which
names its view reads from the query string (or the form body), then each of them is sent with
every malformed value in turn, and with an unknown name beside. Path parts are filled with an
object of the small world, with one outside the user's scope and with ids that do not exist."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.datastructures import MultiValueDict

from shnor.core.models import Job
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from shnor.indicators.actions import do_create_round
from shnor.registry.models import SchoolContext
from shnor.staff.actions import do_build_route
from shnor.staff.choices import DeficitKind
from shnor.staff.models import Deficit, RouteItem, Teacher
from shnor.support.actions import (
    do_add_partnership,
    do_create_programme,
    do_record_execution,
    do_record_visit,
)
from shnor.support.choices import MeasureStatus, ProgrammeKind, VisitKind
from tests.conftest import add_results

ROLES = ["anonymous", "region", "municipality", "curator", "school", "observer", "outsider"]
MALFORMED = ["abc", "-1", "99999999999999999999", "", "\x00", "' OR 1=1", "x" * 10 * 1024]
UNKNOWN = {"zzz": "abc", "year[]": "1"}
MISSING = [2**62, "99999999999999999999"]  # no such row; beyond 64 bits
# actions the POST handlers branch on, so that each branch reads its own fields
ACTIONS = [
    "",
    "add",
    "approve",
    "revise",
    "edit",
    "remove",
    "status",
    "confirm",
    "note",
    "end",
    "deficit",
    "route",
    "done",
]


def patterns(resolvers: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            assert isinstance(entry, URLPattern)
            yield prefix + str(entry.pattern), entry


def fill(route: str, ids: dict[str, Any]) -> str:
    """A path for the route: each `<conv:name>` from ids (else a harmless word), regex groups
    with their first alternative."""

    def converter(match: re.Match[str]) -> str:
        kind, name = match.group(1) or "str", match.group(2)
        if name in ids:
            return str(ids[name])
        return "1" if kind == "int" else "x"

    def group(match: re.Match[str]) -> str:
        body = match.group(2)
        return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "x"

    path = re.sub(r"\(\?P<(\w+)>([^)]*)\)", group, route)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", converter, path)
    return "/" + path.strip("^$")


@contextmanager
def recording() -> Iterator[set[str]]:
    """Names read from a query string or a form body while inside (QueryDict, not the other
    MultiValueDicts Django keeps, such as the URL resolver's)."""
    names: set[str] = set()
    originals = {
        attr: getattr(MultiValueDict, attr)
        for attr in ("__getitem__", "get", "getlist", "__contains__")
    }

    def spy(attr: str) -> Any:
        def method(self: MultiValueDict, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(self, QueryDict) and isinstance(key, str):
                names.add(key)
            return originals[attr](self, key, *args, **kwargs)

        return method

    for attr in originals:
        setattr(MultiValueDict, attr, spy(attr))
    try:
        yield names
    finally:
        for attr, method in originals.items():
            setattr(MultiValueDict, attr, method)


@pytest.fixture
def rich(world: dict[str, Any]) -> dict[str, Any]:
    """The world with one of everything a page can show: results and context, a run, a round,
    a programme with a measure, a note with a file, a visit, a partnership, a teacher with a
    deficit and a route, a job of every user."""
    schools, users = world["schools"], world["users"]
    for key in ("a", "b", "c", "outside"):
        add_results(schools[key], [(y, "ВПР", "Математика", 5, 20, 7) for y in (2024, 2025)])
        for year in (2024, 2025):
            SchoolContext.objects.create(
                school=schools[key], year=year, students=300, teachers=20, computers=30
            )
    run = do_run_identification(
        Methodology.objects.get(code="federal"),
        2025,
        acting_user=SystemUser(region=world["region"]),
    )
    round_ = do_create_round(world["region"], 2025, 9, acting_user=users["region"])
    programme = do_create_programme(
        kind=ProgrammeKind.SCHOOL,
        title="Программа",
        municipality=world["north"],
        school=schools["a"],
        year_from=2026,
        year_to=2027,
        measures=[{"text": "Мероприятие", "deadline": date(2026, 6, 1)}],
        source="тест",
        acting_user=users["municipality"],
    )
    measure = programme.measures.get()
    do_record_execution(
        measure,
        status=MeasureStatus.IN_PROGRESS,
        acting_user=users["school"],
        may_confirm=False,
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="akt.pdf"),
    )
    do_record_visit(
        schools["b"],
        kind=VisitKind.choices[0][0],
        on=date(2026, 3, 1),
        topic="Планирование",
        held=False,
        acting_user=users["curator"],
    )
    do_add_partnership(
        schools["a"],
        partner=schools["c"],
        mentor="",
        grades="",
        subjects="",
        help="методическая помощь",
        agreement_number="",
        agreement_date=None,
        starts=date(2025, 9, 1),
        acting_user=users["municipality"],
    )
    teacher = Teacher.objects.create(school=schools["a"], full_name="Иванова Анна Петровна")
    Deficit.objects.create(
        teacher=teacher,
        kind=DeficitKind.choices[0][0],
        topic="Дроби",
        subject="Математика",
        source="самодиагностика школы",
        found_on=date(2025, 10, 1),
    )
    do_build_route(teacher, 2025, acting_user=users["school"])
    for user in users.values():
        Job.objects.create(kind="report", title="Отчёт", user=user, result={"file": "x.docx"})
    outside = schools["outside"]
    world["ids"] = {
        # url name -> (own object, an object outside the world's region)
        "municipality": (world["north"].pk, outside.municipality_id),
        "indicators:municipality": (world["north"].pk, outside.municipality_id),
        "school": (schools["a"].pk, outside.pk),
        "staff:school": (schools["a"].pk, outside.pk),
        "support:school": (schools["a"].pk, outside.pk),
        "support:partners_for": (schools["a"].pk, outside.pk),
        "support:visit": (schools["b"].pk, outside.pk),
        "identification:run": (run.pk, None),
        "identification:export": (run.pk, None),
        "identification:methodology": (run.methodology_id, None),
        "indicators:round": (round_.pk, None),
        "support:programme": (programme.pk, None),
        "support:document": (programme.pk, None),
        "support:measure": (measure.pk, None),
        "support:note_file": (measure.notes.get().pk, None),
        "staff:teacher": (teacher.pk, None),
        "job": (Job.objects.get(user=users["region"]).pk, None),
        "job_status": (Job.objects.get(user=users["region"]).pk, None),
    }
    assert RouteItem.objects.filter(route__teacher=teacher).exists()
    return world


STRINGS = {"fmt": "csv", "kind": "results", "name": "x.docx"}
FORMATS = {"identification:export": "xlsx", "support:document": "docx"}


def paths(world: dict[str, Any]) -> Iterator[str]:
    """Every pattern with its path parts filled: an own object, one outside the scope, missing."""
    for route, entry in patterns(get_resolver().url_patterns):
        name = entry.name or ""
        namespace = route.split("/")[0]
        full = f"{namespace}:{name}" if f"{namespace}:{name}" in world["ids"] else name
        strings = {**STRINGS, "fmt": FORMATS.get(full, "csv")}
        own, outside = world["ids"].get(full, (1, None))
        for pk in {own, outside, *MISSING} - {None}:
            yield fill(route, {**strings, "pk": pk, "object_id": pk})


def client_for(world: dict[str, Any], role: str) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is counted, not raised
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def sweep(
    client: Client, method: str, path: str, base: dict[str, str], names: set[str]
) -> list[str]:
    failures = []
    send = client.get if method == "GET" else client.post
    requests = [{**base, **UNKNOWN}]
    requests += [{**base, name: value} for name in sorted(names) for value in MALFORMED]
    for data in requests:
        status = send(path, data).status_code
        if status >= 500:
            shown = {k: v[:20] for k, v in data.items()}
            failures.append(f"{method} {path} {shown} -> {status}")
    return failures


@pytest.fixture(autouse=True)
def quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="django.request")  # thousands of 400s and 404s


@pytest.mark.parametrize("role", ROLES)
def test_no_page_answers_500_to_malformed_query_parameters(rich: dict[str, Any], role: str) -> None:
    client = client_for(rich, role)
    failures: list[str] = []
    checked = 0
    for path in paths(rich):
        with recording() as names:
            status = client.get(path).status_code
        assert status < 500, (role, path)
        failures += sweep(client, "GET", path, {}, names)
        checked += 1
    assert checked > 100
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_no_form_answers_500_to_malformed_bodies(rich: dict[str, Any], role: str) -> None:
    client = client_for(rich, role)
    failures: list[str] = []
    for path in paths(rich):
        if path.startswith("/admin/") or path == "/logout/":
            continue  # Django's own forms; logging out would end the sweep's session
        with recording() as names:
            status = client.post(path, {}).status_code
        assert status < 500, (role, path)
        if not names:
            continue
        for action in ACTIONS if "action" in names else [""]:
            base = {"action": action} if action else {}
            with recording() as read:
                client.post(path, base)
            failures += sweep(client, "POST", path, base, read - {"action"})
    assert not failures, "\n".join(failures)


def test_a_bad_year_is_a_russian_400_naming_the_parameter(rich: dict[str, Any]) -> None:
    client = client_for(rich, "region")
    for url in ("/risks/?year=abc", "/risks/deficits/?year=99999999999999999999"):
        response = client.get(url)
        assert response.status_code == 400
        assert "«year»" in response.content.decode()
    response = client.get("/schools/?municipality=abc")
    assert response.status_code == 400 and "Введите целое число" in response.content.decode()
    assert client.get("/identification/compare/?a=x").status_code == 400
