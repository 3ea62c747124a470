"""The journal page «Журнал действий»: who did what to which object, within the viewer's
territory, filtered through a form and paged; and the short history shown on an object's page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from shnor.core.audit import action_label, action_labels, may_read_journal, visible_events
from shnor.core.models import AuditEvent
from shnor.core.params import query_without_page

PAGE_SIZE = 50


def object_types() -> list[tuple[str, str]]:
    """Every model as (label, Russian name), for choosing and for showing an event's object."""
    return sorted(
        ((m._meta.label, str(m._meta.verbose_name).capitalize()) for m in apps.get_models()),
        key=lambda pair: pair[1],
    )


class JournalFilter(forms.Form):
    actor = forms.ModelChoiceField(
        label="Кто", queryset=get_user_model().objects.none(), required=False
    )
    action = forms.ChoiceField(label="Действие", required=False)
    object_type = forms.ChoiceField(label="Объект", required=False)
    object_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    since = forms.DateField(
        label="С", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="По", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any, events: QuerySet[AuditEvent]) -> None:
        super().__init__(data)
        actors = events.exclude(actor=None).values("actor").distinct()
        users = get_user_model().objects.filter(pk__in=actors).order_by("last_name", "username")
        cast(forms.ModelChoiceField, self.fields["actor"]).queryset = users
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", "все"),
            *sorted(action_labels().items(), key=lambda p: p[1]),
        ]
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [("", "все"), *object_types()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "Дата окончания раньше даты начала.")
        return cleaned

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        values = self.cleaned_data
        if values["actor"]:
            events = events.filter(actor=values["actor"])
        if values["action"]:
            events = events.filter(action=values["action"])
        if values["object_type"]:
            events = events.filter(object_type=values["object_type"])
            if values["object_id"]:
                events = events.filter(object_id=values["object_id"])
        if values["since"]:
            events = events.filter(created__date__gte=values["since"])
        if values["until"]:
            events = events.filter(created__date__lte=values["until"])
        return events


def field_words(label: str) -> dict[str, tuple[str, dict[Any, str]]]:
    """A model's fields by name and column name: the Russian name and the words of its codes."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    words = {}
    for field in model._meta.get_fields():
        if not hasattr(field, "verbose_name"):
            continue  # a reverse relation
        described_field = (str(field.verbose_name), dict(getattr(field, "flatchoices", []) or []))
        words[field.name] = described_field
        words[getattr(field, "attname", field.name)] = described_field
    return words


def described(events: list[AuditEvent]) -> list[AuditEvent]:
    """Events with Russian words for their action, object type and changed fields."""
    names = dict(object_types())
    for event in events:
        data = event.data or {}
        fields = field_words(event.object_type) if data.get("changes") else {}
        event.action_label = action_label(event.action)
        event.object_label = names.get(event.object_type, event.object_type)
        event.console = data.get("console", "")
        event.changes = []
        for name, (before, after) in (data.get("changes") or {}).items():
            label, codes = fields.get(name, (name, {}))
            event.changes.append((label, shown(before, codes), shown(after, codes)))
    return events


def shown(value: Any, codes: dict[Any, Any]) -> Any:
    """A changed field's value in words; a structured one (a form's definition, a mapping) is
    summarised, since its keys are ours, not the reader's."""
    if isinstance(value, dict | list):
        return "составное значение" if value else "пусто"
    if isinstance(value, bool):  # a flag (a document's «публичный»)
        return "да" if value else "нет"
    return codes.get(value, value)


@login_required
def journal(request: HttpRequest) -> HttpResponse:
    if not may_read_journal(request.user):
        raise Http404
    events = visible_events(request.user)
    form = JournalFilter(request.GET or None, events)
    status = 200
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    elif form.is_bound:
        status = 400  # the page with the form's messages, nothing filtered
    page = Paginator(events.order_by("-created", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    described(list(page.object_list))
    return render(
        request,
        "core/journal.html",
        {"form": form, "page": page, "query": query_without_page(request)},
        status=status,
    )
