"""The public page: no login, per region and municipality — documents marked public, the
programme's aggregate indicators with their targets and charts of their dynamics; and the same
page as a ZIP of static HTML with its assets and documents that a municipality can put on its own
site.

What is never shown: personal data, an indicator over fewer than `SMALL_GROUP` people (its value
is replaced by a note), anything of a single school — except the list of ШНОР, and only when the
region has published its order approving the list (a regional document «перечень ШНОР» marked
public, in force in the year)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse

from shnor.events.choices import DocumentLevel, DocumentPurpose
from shnor.events.coverage import in_force
from shnor.events.models import Document
from shnor.identification.choices import ListSource, Status
from shnor.identification.models import Run, SchoolStatus
from shnor.identification.services import primary_codes
from shnor.indicators.catalogue import indicators
from shnor.indicators.engine import current_values, hidden_word
from shnor.indicators.views import latest_result_year
from shnor.registry.models import Municipality, Region
from shnor.risks.services import latest_context_year

# Fewer people than this behind a value, and the value is not published.
SMALL_GROUP = 10
# The measures that count people: a ratio over one of them is a group of people.
PEOPLE = frozenset(
    {
        "gia_participants",
        "vpr_participants",
        "vpr_compared",
        "ege_rus_participants",
        "ege_math_participants",
        "teachers_total",
        "teachers_with_iom",
    }
)
CHART = "vendor/chart-4.6.1.umd.min.js"
ASSETS = ("shnor/shnor.css", CHART, "vendor/chart.js.LICENSE.md")


def small_group(spec: dict[str, Any], denominator: float | None) -> bool:
    counts_people = spec["formula"].get("denominator") in PEOPLE
    return counts_people and denominator is not None and denominator < SMALL_GROUP


def public_years() -> list[int]:
    known = [y for y in (latest_context_year(), latest_result_year()) if y is not None]
    if not known:
        return []
    last = max(known)
    return list(range(last - 4, last + 1))


Shown = dict[tuple[str, int], float | None]


def public_values(
    region: Region, municipality: Municipality | None, years: list[int]
) -> tuple[Shown, set[tuple[str, int]]]:
    """The unit's values by (indicator, year) — no school's — and which of them are withheld
    as small groups (shown as missing)."""
    values = current_values(region.pk, years).filter(pl.col("school_id").is_null())
    unit = (
        values.filter(pl.col("municipality_id") == municipality.pk)
        if municipality is not None
        else values.filter(pl.col("municipality_id").is_null())
    )
    specs = {s["code"]: s for s in indicators()}
    shown: Shown = {}
    withheld: set[tuple[str, int]] = set()
    for row in unit.iter_rows(named=True):
        spec = specs.get(row["indicator"])
        if spec is None:
            continue
        key = (row["indicator"], row["year"])
        if small_group(spec, row["denominator"]) or hidden_word(spec, row):
            withheld.add(key)
            shown[key] = None
        else:
            shown[key] = row["value"]
    return shown, withheld


def indicator_rows(
    shown: Shown, withheld: set[tuple[str, int]], years: list[int]
) -> list[dict[str, Any]]:
    year = years[-1]
    return [
        {
            "spec": spec,
            "value": shown.get((spec["code"], year)),
            "previous": shown.get((spec["code"], year - 1)),
            "withheld": (spec["code"], year) in withheld,
            "target": spec.get("targets", {}).get(year),
        }
        for spec in indicators()
        if "municipal" in spec["levels"]
    ]


def charts(shown: Shown, years: list[int]) -> list[dict[str, Any]]:
    """The dynamics of the main indicators over the years, with their targets."""
    return [
        {
            "id": f"chart-{number}",
            "title": spec["name"],
            "years": years,
            "values": [shown.get((spec["code"], y)) for y in years],
            "targets": [spec.get("targets", {}).get(y) for y in years],
        }
        for number, spec in enumerate(s for s in indicators() if s.get("main"))
    ]


def public_documents(region: Region, municipality: Municipality | None) -> list[Document]:
    documents = Document.objects.filter(region=region, public=True).select_related("school")
    if municipality is None:
        return list(documents.filter(level=DocumentLevel.REGION))
    return list(documents.filter(municipality=municipality))


def published_list(region: Region, municipality: Municipality | None, year: int) -> list[str]:
    """Names of the year's ШНОР, when the region has published its list; else nothing."""
    published = Document.objects.filter(
        region=region,
        level=DocumentLevel.REGION,
        purpose=DocumentPurpose.SCHOOL_LIST,
        public=True,
    ).values_list("kind", "date")
    if not any(in_force(kind, on.year, year) for kind, on in published):
        return []
    primary, _ = primary_codes(region.pk)
    run = (
        Run.objects.filter(
            region=region,
            year=year,
            methodology__code=primary,
            municipality__isnull=True,
            source=ListSource.METHODOLOGY,
        )
        .order_by("-created")
        .first()
    )
    if run is None:
        return []
    statuses = SchoolStatus.objects.filter(run=run, status=Status.LOW_RESULTS)
    if municipality is not None:
        statuses = statuses.filter(school__municipality=municipality)
    return list(statuses.order_by("school__name").values_list("school__name", flat=True))


def unit_context(
    region: Region, municipality: Municipality | None, *, exported: bool
) -> dict[str, Any]:
    years = public_years()
    shown, withheld = public_values(region, municipality, years) if years else ({}, set())
    documents = public_documents(region, municipality)
    return {
        "region": region,
        "municipality": municipality,
        "title": municipality.name if municipality else region.name,
        "year": years[-1] if years else None,
        "rows": indicator_rows(shown, withheld, years) if years else [],
        "charts": charts(shown, years) if years else [],
        "documents": [
            {
                "document": d,
                "url": (
                    f"documents/{export_name(d)}"
                    if exported
                    else reverse("public:document_file", args=[d.pk])
                )
                if d.file
                else None,
            }
            for d in documents
        ],
        "school_list": published_list(region, municipality, years[-1]) if years else [],
        "municipalities": (
            region.municipalities.order_by("name") if municipality is None and not exported else []
        ),
        "small_group": SMALL_GROUP,
        "exported": exported,
    }


def export_name(document: Document) -> str:
    return f"{document.pk}{Path(document.file.name).suffix.lower()}"


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/index.html", {"regions": Region.objects.order_by("name")})


def region_page(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region, pk=pk)
    return render(request, "public/unit.html", unit_context(region, None, exported=False))


def municipality_page(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Municipality.objects.select_related("region"), pk=pk)
    return render(request, "public/unit.html", unit_context(place.region, place, exported=False))


def document_file(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(Document, pk=pk, public=True)
    if not document.file:
        raise Http404
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=Path(document.file.name).name
    )


def site_archive(region: Region, municipality: Municipality | None) -> bytes:
    """The public page as static HTML with its styles, chart script and public documents."""
    context = unit_context(region, municipality, exported=True)
    html = render_to_string("public/unit.html", context)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", html)
        for asset in ASSETS:
            found = finders.find(asset)
            assert isinstance(found, str), asset  # vendored with the app
            archive.write(found, f"assets/{Path(asset).name}")
        for entry in context["documents"]:
            if entry["url"]:
                with entry["document"].file.open("rb") as source:
                    archive.writestr(entry["url"], source.read())
    return buffer.getvalue()


def region_site(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_object_or_404(Region, pk=pk)
    return zip_response(site_archive(region, None), "region")


def municipality_site(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Municipality.objects.select_related("region"), pk=pk)
    return zip_response(site_archive(place.region, place), f"municipality-{place.pk}")


def zip_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="public-{name}.zip"'
    return response
