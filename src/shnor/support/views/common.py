"""What the support pages share: reading form input into measure fields, scoped lookups with
the action they need, and file responses for documents."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Manager, Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from shnor.core.documents.render import CONTENT_TYPES, RENDERERS
from shnor.core.params import parse_id
from shnor.core.scope import restrict
from shnor.support.schedule import parse_deadline

MEASURE_FIELDS = ("direction", "text", "period", "expected_result", "executors", "document")

M = TypeVar("M", bound=Model)


def scoped(rows: QuerySet[M] | Manager[M], user: Any, action: str, pk: Any, name: str = "id") -> M:
    """The row with this id (a URL part or the parameter `name`) if the user may act on it."""
    return get_object_or_404(restrict(rows.all(), user, action), pk=parse_id(pk, name))


def allowed(rows: QuerySet[M] | Manager[M], user: Any, action: str, pk: Any) -> bool:
    return restrict(rows.all(), user, action).filter(pk=parse_id(pk, "id")).exists()


def optional_date(raw: str | None, what: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(f"{what}: ожидается дата, получено «{raw}»") from exc


def measure_row(data: Any, prefix: str = "") -> dict[str, Any]:
    """Measure fields from a form; the deadline is the date given, else read from the period."""
    row = {f: data.get(prefix + f, "").strip() for f in MEASURE_FIELDS}
    deadline = optional_date(data.get(prefix + "deadline"), "Срок исполнения")
    row["deadline"] = deadline or parse_deadline(row["period"])
    return row


def document_response(report: Any, fmt: str, organisation: str, name: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    response = HttpResponse(RENDERERS[fmt](report, organisation), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
