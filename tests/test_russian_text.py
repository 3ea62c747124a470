"""Every page of every role and every document kind speaks Russian to an official: no developer
code (`low_results_share`), no path outside the repository (`seeds/…`, `DOMAIN`), no Python's
`True`/`False`/`None` in what a user reads.

The pages are found as a user finds them: from the start page of each role, every link of the
site is followed (at most a few addresses per page and set of query names, so that 300 school
cards are one school card), documents included — a link to a DOCX, XLSX, PDF or CSV is read as
that document. The world is the demo region, built once for the module. Reports are ordered
through the reports page and read when their job is done.

One document is exempt: the run's CSV (`identify --output list.csv`, «CSV» on a run's page) is the
documented machine-readable output contract (README «Console»), its column names and status codes
are for programs."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from shnor.accounts.models import User
from shnor.core.jobs import run_pending
from shnor.core.models import Job
from shnor.demo.generator import YEARS
from shnor.registry.models import Municipality, School

IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")
FORBIDDEN = [
    IDENTIFIER,
    re.compile(r"seeds/"),
    re.compile(r"DOMAIN"),
    re.compile(r"\b(?:True|False|None)\b"),
    # a decimal point (Russian writes a comma); not a day and month «01.04», nor a code of the
    # content elements («КЭС 2.1», «КТ 5.4»), a task's number («№ 2.1») or a clause («п. 3.1»)
    re.compile(
        r"(?<![\d.,])(?<!КЭС\s)(?<!КТ\s)(?<!№\s)(?<!п\.\s)(?<!\d–)(?!\d\d\.\d\d(?!\d))\d+\.\d+(?![\d.])"
    ),
]
ROLES = ["region", "mun", "curator", "curator2", "school", "observer"]
PER_SHAPE = 2  # addresses read per page and set of query names
# documents the region's coordinator reaches by links (reports: test_every_report_speaks_russian)
DOCUMENTS = {
    "identification:export",
    "identification:consolidated_export",
    "risks:clusters",
    "staff:order",
    "support:document",
    "support:curators_document",
    "support:partners_document",
    "import_template",
    "reports:template",
    "reports:download",
    "job",
    "identification:compare",
}
EXEMPT_ROUTES = {
    "admin",  # Django's admin
    "logout",
    # the public page as a ZIP for a municipality's site: its index.html is the public page
    # itself, crawled as a page
    "public:region_site",
    "public:municipality_site",
}


def offences(text: str) -> dict[str, str]:
    """Each forbidden token with a little context around its first occurrence."""
    found = {}
    for pattern in FORBIDDEN:
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 40), match.end() + 40
            found.setdefault(match.group(), " ".join(text[start:end].split()))
    return found


class Visible(HTMLParser):
    """The text a reader sees: everything but tags, attributes, scripts and styles; and the
    links of the page, with each search form sent as it stands (its fields' shown values, a
    list's selected or else first option)."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0
        self.form: tuple[str, dict[str, str]] | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "style", "template"):
            self.hidden += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        elif tag == "form" and (a.get("method") or "get").lower() == "get":
            self.form = (a.get("action") or self.path, {})
        elif self.form and tag == "input" and a.get("name"):
            kind = a.get("type") or "text"
            if kind not in ("checkbox", "radio", "file", "submit") or "checked" in a:
                self.form[1].setdefault(a["name"] or "", a.get("value") or "")
        elif self.form and tag == "select" and a.get("name"):
            self.select = a["name"]
        elif self.form and self.select and tag == "option":
            fields = self.form[1]
            if self.select not in fields or "selected" in a:
                fields[self.select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.hidden -= 1
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.form:
            action, fields = self.form
            self.links.append(f"{action}?{urlencode(fields)}")
            self.form = None
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(content: bytes, path: str = "/") -> tuple[str, list[str]]:
    parser = Visible(path)
    parser.feed(content.decode())
    return "".join(parser.parts), parser.links


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    parts = list(workbook.sheetnames)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            # a number cell is shown in the reader's locale: as Excel shows it in Russian
            parts += [
                f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)
                for value in row
                if value is not None
            ]
    return "\n".join(parts)


def pdf_text(content: bytes) -> str:
    # a wrapped line reads back with its break and spaces doubled: «п.  \n8.2»
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(" ".join(page.extract_text().split()) for page in pages)


def csv_text(content: bytes) -> str:
    text = content.decode("utf-8-sig")
    return "\n".join(" ".join(row) for row in csv.reader(io.StringIO(text), delimiter=";"))


def json_text(content: bytes) -> str:
    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    return "\n".join(strings(json.loads(content)))


READERS = {
    "wordprocessingml": docx_text,
    "spreadsheetml": xlsx_text,
    "pdf": pdf_text,
    "csv": csv_text,
    "json": json_text,
}


def document_text(content_type: str, content: bytes) -> str:
    for marker, reader in READERS.items():
        if marker in content_type:
            return reader(content)
    raise AssertionError(f"unexpected content type {content_type}")


def body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def exempt(route: str, query: dict[str, str]) -> bool:
    return route in EXEMPT_ROUTES or (route == "identification:export" and "csv" in query)


def crawl(
    client: Client, starts: list[str], read: Callable[[str, str], None] | None = None
) -> tuple[dict[str, dict[str, str]], set[str]]:
    """Offences by route, over every page and document reachable by links from `starts`, and
    the routes read; `read` is given the address and the text of each."""
    seen: dict[tuple[str, frozenset[str]], int] = defaultdict(int)
    queue, queued = list(starts), set(starts)
    found: dict[str, dict[str, str]] = defaultdict(dict)
    routes: set[str] = set()
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        try:
            match = resolve(parts.path)
        except Resolver404:
            continue
        query = dict(parse_qsl(parts.query))
        route = match.view_name
        fmt = match.kwargs.get("fmt", "") or query.get("format", "")
        shape = (route + fmt, frozenset(query))
        if route.startswith("admin:") or exempt(route, {fmt: ""}) or seen[shape] >= PER_SHAPE:
            continue
        seen[shape] += 1
        response = client.get(url)
        links: list[str] = []
        if response.status_code == 200:
            routes.add(route)
            content_type = response.get("Content-Type", "")
            if "html" in content_type:
                text, links = html_text(body(response), parts.path)
            else:
                text = document_text(content_type, body(response))
            if read is not None:
                read(url, text)
            for token, context in offences(text).items():
                found[f"{route} {fmt}".strip()].setdefault(token, f"{url}: {context}")
        elif response.status_code == 302:
            links = [response.url]
        else:
            assert response.status_code == 404, (url, response.status_code)
        for link in links:
            target = urlsplit(link)
            if target.netloc or not target.path.startswith("/") or target.path == "/logout/":
                continue
            address = target.path + (f"?{target.query}" if target.query else "")
            if address not in queued:
                queued.add(address)
                queue.append(address)
    return found, routes


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The demo region as `shnor demo` loads it, with a done report job of every user; rolled
    back at the end of the module."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("demo", seed=3, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def order_reports(client: Client, fmt: str) -> list[Job]:
    """Every report kind in `fmt`, ordered through the reports page and run."""
    place = Municipality.objects.get(name="Таёжный район")
    school = School.objects.get(code="600001")
    for kind in ("identification", "dynamics", "effectiveness", "passport"):
        response = client.post(
            reverse("reports:index"),
            {
                "kind": kind,
                "format": fmt,
                "year": YEARS[-1],
                "municipality": place.pk,
                "school": school.pk,
            },
        )
        assert response.status_code == 302
    run_pending()
    return list(Job.objects.filter(kind="report", params__format=fmt))


def order_jobs(client: Client) -> list[str]:
    """The pages of a report and of an import with a bad row, where the role may order them."""
    client.post(reverse("reports:index"), {"kind": "identification", "format": "xlsx"})
    template = client.get(reverse("import_template", args=["results"]))
    if template.status_code == 200:
        workbook = load_workbook(io.BytesIO(body(template)))
        workbook.worksheets[0].append(["999999", YEARS[-1], "ВПР", "Математика", 5, 10, 20])
        upload = io.BytesIO()
        workbook.save(upload)
        upload.name = "results.xlsx"
        client.post(reverse("import"), {"kind": "results", "file": upload})
    run_pending()
    user = User.objects.get(pk=client.session["_auth_user_id"])
    return [reverse("job", args=[job.pk]) for job in Job.objects.filter(user=user)]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_every_report_speaks_russian(demo: None, fmt: str) -> None:
    client = login("region")
    jobs = order_reports(client, fmt)
    assert len(jobs) == 4
    found = {}
    for job in jobs:
        assert job.status == "done", job.error
        response = client.get(job.result["url"])
        text = document_text(response["Content-Type"], body(response))
        assert len(text) > 200
        if problems := offences(text):
            found[job.title] = problems
        page = client.get(reverse("job", args=[job.pk]))
        if problems := offences(html_text(page.content)[0]):
            found[f"job {job.title}"] = problems
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_page_and_document_speaks_russian(demo: None, username: str) -> None:
    client = login(username)
    found, routes = crawl(client, ["/", *order_jobs(client)])
    assert len(routes) > (3 if username == "curator2" else 10), routes
    if username == "region":
        assert routes >= DOCUMENTS, DOCUMENTS - routes
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)


@pytest.mark.django_db
def test_the_login_page_speaks_russian(demo: None) -> None:
    text, _ = html_text(Client().get(reverse("login")).content)
    assert "Войти" in text and not offences(text)


def test_the_check_finds_developer_codes() -> None:
    assert offences("Показатель low_results_share: 1,0 / 1,0")
    assert offences("Источник: DOMAIN.md §4.1, seeds/003")
    assert offences("Интернет: True")
    assert offences("Паспорт: 30.3") and not offences("срок 01.04, версия 2")
    assert offences("Доля ШНОР — 30,3 %; интернет: да") == {}
    assert html_text(b"<p title='low_share'>x<script>a_b</script></p>")[0].strip() == "x"
