"""The public page: an anonymous visitor gets it with its charts, and no page or file that is not
marked public — every URL pattern of the project, tried anonymously with the ids of real rows,
answers the login page or 404."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shnor.core.system import SystemUser
from shnor.events.actions import do_add_participants, do_record_document, do_record_event
from shnor.events.choices import DocumentKind, DocumentLevel, DocumentPurpose, EventKind
from shnor.events.models import Document, Event
from shnor.identification.choices import Movement, Status
from shnor.identification.models import Methodology, Run, SchoolStatus
from shnor.overview.public import SMALL_GROUP, unit_context
from shnor.registry.models import SchoolContext
from shnor.staff.models import Teacher

YEAR = 2025  # the year of the data created here
# Answered to anyone by design: the login pages, the health check, logout (POST only).
OPEN = {
    "login": {200},
    "admin:login": {200},
    "health": {200},
    "logout": {405},
}
SAMPLE_TEXT = ("xlsx", "docx", "pdf", "csv", "results")


def pdf(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("doc.pdf", f"%PDF-1.4\n% {text}\n".encode())


@pytest.fixture
def published(world: dict[str, Any], settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    system = SystemUser(region=world["region"])
    north, a = world["north"], world["schools"]["a"]
    for school in world["schools"].values():
        SchoolContext.objects.create(school=school, year=YEAR, students=100, teachers=4)
    teachers = [Teacher.objects.create(school=a, full_name=f"Иванова {n}") for n in range(4)]
    event = do_record_event(
        Event(
            region=world["region"],
            municipality=north,
            kind=EventKind.SEMINAR,
            date=date(YEAR, 3, 1),
            organiser="Управление образования",
            topic="Семинар для учителей",
        ),
        acting_user=system,
    )
    do_add_participants(event, teachers, acting_user=system)

    def document(title: str, public: bool, **place: Any) -> Document:
        return do_record_document(
            Document(
                region=world["region"],
                kind=DocumentKind.ORDER,
                date=date(YEAR, 1, 15),
                title=title,
                public=public,
                **place,
            ),
            file=pdf(title),
            acting_user=system,
        )

    municipal = {"municipality": north, "level": DocumentLevel.MUNICIPALITY}
    return {
        **world,
        "system": system,
        "event": event,
        "teachers": teachers,
        "open": document("Приказ открытый", True, **municipal),
        "closed": document("Приказ служебный", False, **municipal),
        "school_doc": document(
            "Приказ школы", False, municipality=north, school=a, level=DocumentLevel.SCHOOL
        ),
    }


def patterns(resolvers: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, Any]]:
    """(view name, pattern) of every URL of the project."""
    found = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, entry.pattern))
    return found


def sample_urls(name: str, pattern: Any, ids: list[int]) -> list[str]:
    converters = getattr(pattern, "converters", {})
    if not converters:
        try:
            return [reverse(name)]
        except Exception:  # a regex pattern with groups (the admin's): its own login guards it
            return []
    urls = []
    for value in ids:
        kwargs = {
            key: value if type(c).__name__ == "IntConverter" else SAMPLE_TEXT[value % 5]
            for key, c in converters.items()
        }
        urls.append(reverse(name, kwargs=kwargs))
    for text in SAMPLE_TEXT:
        kwargs = {
            key: ids[0] if type(c).__name__ == "IntConverter" else text
            for key, c in converters.items()
        }
        urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.mark.django_db
def test_every_url_is_closed_to_an_anonymous_visitor_but_the_public_ones(
    published: dict[str, Any],
) -> None:
    ids = sorted(
        {
            published["event"].pk,
            published["open"].pk,
            published["closed"].pk,
            published["school_doc"].pk,
            published["north"].pk,
            published["region"].pk,
            published["schools"]["a"].pk,
            published["teachers"][0].pk,
        }
    )
    client = Client()
    tried, public = 0, set()
    for name, pattern in patterns(get_resolver().url_patterns):
        for url in sample_urls(name, pattern, ids):
            response = client.get(url)
            tried += 1
            if name.startswith("public:"):
                public.add(name)
                assert response.status_code in (200, 404), (url, response.status_code)
                continue
            if name in OPEN:
                assert response.status_code in OPEN[name], (url, response.status_code)
                continue
            if response.status_code == 302:  # to a login page, maybe through another redirect
                final = client.get(url, follow=True)
                assert final.resolver_match.view_name in ("login", "admin:login"), url
            else:
                assert response.status_code == 404, (url, response.status_code)
    assert tried > 100
    assert {"public:index", "public:region", "public:municipality"} <= public


@pytest.mark.django_db
def test_the_public_page_shows_public_documents_and_charts_only(
    published: dict[str, Any],
) -> None:
    client = Client()
    page = client.get(reverse("public:municipality", args=[published["north"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Приказ открытый" in text
    assert "Приказ служебный" not in text and "Приказ школы" not in text
    assert '<canvas id="chart-0"' in text and "new Chart(" in text
    assert "Иванова" not in text  # no personal data
    assert "МБОУ СОШ № 1" not in text  # nothing of a single school
    open_file = client.get(reverse("public:document_file", args=[published["open"].pk]))
    assert open_file.status_code == 200
    for hidden in ("closed", "school_doc"):
        response = client.get(reverse("public:document_file", args=[published[hidden].pk]))
        assert response.status_code == 404
    region_page = client.get(reverse("public:region", args=[published["region"].pk]))
    assert "Приказ открытый" not in region_page.content.decode()  # a municipal document
    assert "Северный район" in region_page.content.decode()


@pytest.mark.django_db
def test_a_group_of_fewer_than_ten_people_is_withheld(published: dict[str, Any]) -> None:
    context = unit_context(published["region"], published["north"], exported=False)
    rows = {r["spec"]["code"]: r for r in context["rows"]}
    # four teachers in the north took part in an event: 100 % of a group of four
    assert rows["teachers_in_events_share"]["withheld"]
    assert rows["teachers_in_events_share"]["value"] is None
    # a share over schools is no group of people
    assert not rows["schools_in_events_share"]["withheld"]
    page = Client().get(reverse("public:municipality", args=[published["north"].pk]))
    assert f"менее {SMALL_GROUP} человек" in page.content.decode()


@pytest.mark.django_db
def test_the_list_of_schools_is_shown_only_once_the_region_publishes_it(
    published: dict[str, Any],
) -> None:
    run = Run.objects.create(
        methodology=Methodology.objects.get(code="federal"),
        year=YEAR,
        region=published["region"],
        definition={},
        fingerprint="test",
    )
    SchoolStatus.objects.create(
        run=run,
        school=published["schools"]["a"],
        status=Status.LOW_RESULTS,
        indicators_triggered=1,
        indicators_applicable=1,
        indicators_total=1,
        movement=Movement.ENTERED,
    )
    url = reverse("public:municipality", args=[published["north"].pk])
    with override_settings(PRIMARY_METHODOLOGY="federal"):
        assert "МБОУ СОШ № 1" not in Client().get(url).content.decode()
        do_record_document(
            Document(
                region=published["region"],
                level=DocumentLevel.REGION,
                kind=DocumentKind.ORDER,
                date=date(YEAR, 12, 20),
                title="Об утверждении перечня ШНОР",
                purpose=DocumentPurpose.SCHOOL_LIST,
                public=True,
            ),
            acting_user=published["system"],
        )
        assert "МБОУ СОШ № 1" in Client().get(url).content.decode()


@pytest.mark.django_db
def test_the_static_export_holds_the_page_its_assets_and_public_files_only(
    published: dict[str, Any],
) -> None:
    response = Client().get(reverse("public:municipality_site", args=[published["north"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"index.html", "assets/shnor.css", "assets/chart-4.6.1.umd.min.js"} <= names
    documents = {n for n in names if n.startswith("documents/")}
    assert documents == {f"documents/{published['open'].pk}.pdf"}
    html = archive.read("index.html").decode()
    assert 'src="assets/chart-4.6.1.umd.min.js"' in html and "new Chart(" in html
    assert f'href="documents/{published["open"].pk}.pdf"' in html
    assert "/events/" not in html and "/public/" not in html  # works offline, on any site
