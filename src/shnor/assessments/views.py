"""Pages of regional results forms: upload a workbook as it is, map its columns once into a
named layout, confirm the schools its names did not match, then the usual import job. A file
whose headers a saved layout recognises goes straight to the names (and, when every name
matches, straight to the import)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shnor.accounts.choices import Action
from shnor.assessments.actions import (
    do_confirm_school_aliases,
    do_delete_layout,
    do_save_layout,
)
from shnor.assessments.forms import LayoutFileUpload, MappingForm, NamesForm, WorkbookUpload
from shnor.assessments.importers import ResultsImporter
from shnor.assessments.layouts import (
    LAYOUT_FILE_LIMIT,
    LayoutError,
    Unpivot,
    build_mapping,
    fitting_layouts,
    layout_file,
    read_layout_file,
    region_layouts,
    signature_of,
    structure,
    subject_spellings,
    widest,
)
from shnor.assessments.models import Layout
from shnor.assessments.school_names import match_names, normalise
from shnor.core.importing import ImportReport
from shnor.core.jobs import enqueue
from shnor.core.params import Params, id_field
from shnor.core.scope import can
from shnor.core.tabular import Sheet, UnreadableFile, column_letters, read_sheets
from shnor.core.uploads import store_upload, uploads_folder
from shnor.registry.importers import user_region
from shnor.registry.models import Region, School

SESSION_KEY = "results_form_upload"
PREVIEW_ROWS = 12


class SheetParams(Params):
    sheet = id_field()


def allowed_region(request: HttpRequest) -> Region:
    """The region whose forms the user keeps: an importing user of one region."""
    region = user_region(request.user)
    if not can(request.user, Action.IMPORT) or region is None:
        raise PermissionDenied("Формы результатов ведёт координатор региона или муниципалитета.")
    return region


def pending(request: HttpRequest) -> tuple[Path, str] | None:
    """The uploaded workbook this user is mapping, if it is still there."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    path = Path(str(stored.get("path", "")))
    if path.parent != uploads_folder() or not path.exists():
        return None
    return path, str(stored.get("name", path.name))


def read_pending(request: HttpRequest) -> tuple[Path, str, list[Sheet]] | None:
    found = pending(request)
    if found is None:
        messages.error(request, "Файл формы не найден: загрузите его снова.")
        return None
    path, name = found
    try:
        sheets = read_sheets(path, name)
    except UnreadableFile as error:
        messages.error(request, str(error))
        return None
    return path, name, sheets


@login_required
def index(request: HttpRequest) -> HttpResponse:
    region = allowed_region(request)
    return render(
        request,
        "assessments/layouts.html",
        {
            "region": region,
            "layouts": region_layouts(request.user),
            "upload": WorkbookUpload(),
            "layout_upload": LayoutFileUpload(),
        },
    )


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    allowed_region(request)
    form = WorkbookUpload(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("assessments:layouts")
    file = form.cleaned_data["file"]
    stored = store_upload(file)
    try:
        sheets = read_sheets(stored, file.name)
    except UnreadableFile as error:
        stored.unlink(missing_ok=True)
        messages.error(request, str(error))
        return redirect("assessments:layouts")
    request.session[SESSION_KEY] = {"path": str(stored), "name": file.name}
    fitting = fitting_layouts(request.user, sheets)
    if len(fitting) == 1:
        messages.info(request, f"Форма распознана по заголовкам: «{fitting[0].name}».")
        return redirect("assessments:layout_names", pk=fitting[0].pk)
    return redirect("assessments:layout_map")


@login_required
def map_columns(request: HttpRequest) -> HttpResponse:
    region = allowed_region(request)
    loaded = read_pending(request)
    if loaded is None:
        return redirect("assessments:layouts")
    _path, name, sheets = loaded
    subjects = subject_spellings()
    chosen = SheetParams.parse(request.GET)["sheet"]
    index = chosen if chosen is not None and chosen < len(sheets) else widest(sheets, subjects)
    sheet = sheets[index]
    found = structure(sheet, subjects)
    form = None
    if found is not None:
        form = MappingForm(request.POST or None, found=found)
        if request.method == "POST" and form.is_valid():
            choices = form.choices()
            try:
                mapping = build_mapping(
                    found,
                    kind=choices["kind"],
                    grade=choices["grade"],
                    year_from=choices["year_from"],
                    roles=choices["roles"],
                    subjects=choices["subjects"],
                    measures=choices["measures"],
                )
                layout = do_save_layout(
                    region,
                    form.cleaned_data["name"].strip(),
                    signature_of(sheet, found.header.start, found.header.rows),
                    mapping,
                    acting_user=request.user,
                )
            except LayoutError as error:
                form.add_error(None, f"Форму нельзя сохранить: {error}.")
            else:
                messages.success(request, f"Форма «{layout.name}» сохранена.")
                return redirect("assessments:layout_names", pk=layout.pk)
    width = max((len(r) for r in sheet.rows[:PREVIEW_ROWS]), default=0)
    return render(
        request,
        "assessments/layout_map.html",
        {
            "file": name,
            "sheets": [(i, s.name) for i, s in enumerate(sheets)],
            "current": index,
            "sheet": sheet,
            "preview": preview(sheet, width),
            "letters": [column_letters(c + 1) for c in range(width)],
            "found": found,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def preview(sheet: Sheet, width: int) -> list[tuple[int, list[str]]]:
    """The first rows as they are: row number and each cell's text, numbers with a comma."""
    rows = []
    for number, cells in enumerate(sheet.rows[:PREVIEW_ROWS], start=1):
        shown = []
        for c in range(width):
            value = cells[c] if c < len(cells) else ""
            if isinstance(value, float):
                value = int(value) if value.is_integer() else str(round(value, 2)).replace(".", ",")
            shown.append(str(value if value is not None else "")[:120])
        rows.append((number, shown))
    return rows


@login_required
def confirm_names(request: HttpRequest, pk: int) -> HttpResponse:
    region = allowed_region(request)
    layout = get_object_or_404(region_layouts(request.user), pk=pk)
    loaded = read_pending(request)
    if loaded is None:
        return redirect("assessments:layouts")
    path, name, sheets = loaded
    importer = ResultsImporter(request.user)
    reader = Unpivot(
        layout.name, layout.signature, layout.mapping, importer.columns, normalise=normalise
    )
    rows = reader.read(sheets, ImportReport(kind="results", file=name))
    names = [
        (r.values["school_name"], r.values.get("municipality_name", ""))
        for r in rows
        if r.values.get("school_name")
    ]
    unmatched = [m for m in match_names(request.user, region, names) if not m.resolved]
    if not unmatched:
        return start_import(request, layout, path, name, [])
    codes = dict(School.objects.restrict(request.user, Action.IMPORT).values_list("code", "pk"))
    form = NamesForm(request.POST or None, matches=unmatched, codes=codes)
    if request.method == "POST" and form.is_valid():
        confirmed, skipped = form.decisions()
        if confirmed:
            do_confirm_school_aliases(region, confirmed, acting_user=request.user)
        return start_import(request, layout, path, name, skipped)
    return render(
        request,
        "assessments/layout_names.html",
        {"layout": layout, "file": name, "form": form, "total": len(set(names))},
        status=400 if request.method == "POST" else 200,
    )


def start_import(
    request: HttpRequest, layout: Layout, path: Path, name: str, skipped: list[str]
) -> HttpResponse:
    job = enqueue(
        "import",
        f"Загрузка «{name}» по форме «{layout.name}»",
        {
            "kind": ResultsImporter.kind,
            "path": str(path),
            "name": name,
            "options": {"layout": layout.name, "skip_schools": skipped},
        },
        request.user,
    )
    request.session.pop(SESSION_KEY, None)
    return redirect("job", pk=job.pk)


@login_required
def export_layout(request: HttpRequest, pk: int) -> HttpResponse:
    allowed_region(request)
    layout = get_object_or_404(region_layouts(request.user), pk=pk)
    response = HttpResponse(layout_file(layout), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=layout_{layout.pk}.json"
    return response


@login_required
@require_POST
def import_layout(request: HttpRequest) -> HttpResponse:
    region = allowed_region(request)
    form = LayoutFileUpload(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("assessments:layouts")
    file = form.cleaned_data["file"]
    try:
        name, signature, mapping = read_layout_file(file.read(LAYOUT_FILE_LIMIT + 1))
        do_save_layout(region, name, signature, mapping, acting_user=request.user)
    except LayoutError as error:
        messages.error(request, f"Файл «{file.name}»: {error}.")
    else:
        messages.success(request, f"Форма «{name}» загружена.")
    return redirect("assessments:layouts")


@login_required
@require_POST
def delete_layout(request: HttpRequest, pk: int) -> HttpResponse:
    allowed_region(request)
    layout = get_object_or_404(region_layouts(request.user), pk=pk)
    do_delete_layout(layout, acting_user=request.user)
    messages.success(request, f"Форма «{layout.name}» удалена.")
    return redirect("assessments:layouts")
