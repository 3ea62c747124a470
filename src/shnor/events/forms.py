"""Forms of the registers: every input goes through them, so a bad value is a message on the
page. The choices of places, schools, teachers and measures are narrowed to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms

from shnor.core.scope import restrict
from shnor.core.uploads import SIGNATURES, UploadField, UploadKind
from shnor.events.choices import DocumentLevel
from shnor.events.models import Document, Event
from shnor.events.registers import WRITE_ACTIONS, regions_of
from shnor.registry.models import Municipality, Region, School
from shnor.staff.models import Teacher
from shnor.support.models import Measure

# Documents and materials are served back to other users (and the public): the evidence rules.
DOCUMENT_FILE = UploadKind("файл документа", "MAX_EVIDENCE_MB", tuple(SIGNATURES), sniff=True)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def writable_schools(user: Any) -> Any:
    for action in WRITE_ACTIONS:
        schools = restrict(School.objects.all(), user, action)
        if schools.exists():
            return schools.order_by("municipality__name", "name")
    return School.objects.none()


def writable_municipalities(user: Any) -> Any:
    if user.is_superuser or user.region_id:
        return restrict(Municipality.objects.all(), user).order_by("name")
    return Municipality.objects.filter(pk=user.municipality_id)


class PlaceMixin(forms.Form):
    """The municipality an entry belongs to: a regional user picks one (or none: the region's
    own), a municipal user's is their own."""

    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(),
        required=False,
        label="Муниципалитет",
        empty_label="региональный уровень",
    )

    def setup_place(self, user: Any) -> None:
        self.user = user
        self.fields["municipality"].queryset = writable_municipalities(user)  # type: ignore[attr-defined]
        if user.municipality_id:
            self.fields["municipality"].required = True
            self.fields["municipality"].empty_label = None  # type: ignore[attr-defined]

    def region(self) -> Region:
        municipality = self.cleaned_data.get("municipality")
        if municipality is not None:
            return municipality.region
        regions = regions_of(self.user)
        if len(regions) != 1:
            raise forms.ValidationError("Не определён регион: выберите муниципалитет.")
        return Region.objects.get(pk=regions.pop())


class EventForm(PlaceMixin, forms.ModelForm):
    materials = UploadField(DOCUMENT_FILE, required=False, label="Материалы (файл)")

    class Meta:
        model = Event
        fields = [
            "municipality",
            "kind",
            "level",
            "date",
            "organiser",
            "topic",
            "subject",
            "deficit_kind",
            "weak_skill",
            "schools",
            "materials_note",
        ]
        widgets = {"date": DATE_INPUT}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place(user)
        self.fields["schools"].queryset = writable_schools(user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            self.instance.region = self.region()
            place = data.get("municipality")
            strangers = [
                s.short_name
                for s in data.get("schools", [])
                if place is not None and s.municipality_id != place.pk
            ]
            if strangers:
                self.add_error("schools", f"Школы другого муниципалитета: {', '.join(strangers)}.")
        return data


class ParticipantsForm(forms.Form):
    teachers = forms.ModelMultipleChoiceField(
        queryset=Teacher.objects.none(), label="Педагоги-участники"
    )

    def __init__(self, *args: Any, teachers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = teachers  # type: ignore[attr-defined]


class DocumentForm(PlaceMixin, forms.ModelForm):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, label="Школа (для школьного документа)"
    )
    file = UploadField(DOCUMENT_FILE, required=False, label="Файл")

    class Meta:
        model = Document
        fields = [
            "level",
            "municipality",
            "school",
            "kind",
            "number",
            "date",
            "title",
            "purpose",
            "public",
            "measures",
            "sites",
        ]
        widgets = {"date": DATE_INPUT}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_place(user)
        schools = writable_schools(user)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["sites"].queryset = schools  # type: ignore[attr-defined]
        self.fields["measures"].queryset = (  # type: ignore[attr-defined]
            Measure.objects.filter(programme__municipality__in=writable_municipalities(user))
            .select_related("programme")
            .order_by("programme__title", "number")
        )
        if user.school_id:  # a school writes its own documents only
            self.fields["level"].choices = [(DocumentLevel.SCHOOL, DocumentLevel.SCHOOL.label)]  # type: ignore[attr-defined]
            self.fields["municipality"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        level, school = data.get("level"), data.get("school")
        municipality = data.get("municipality")
        if level == DocumentLevel.SCHOOL:
            if school is None:
                self.add_error("school", "Для школьного документа выберите школу.")
                return data
            municipality = school.municipality
        elif school is not None:
            self.add_error("school", "Школа указывается только для школьного документа.")
        elif level == DocumentLevel.MUNICIPALITY and municipality is None:
            self.add_error("municipality", "Для муниципального документа выберите муниципалитет.")
        elif level == DocumentLevel.REGION:
            if self.user.municipality_id or municipality is not None:
                self.add_error(
                    "level", "Региональный документ записывает региональный координатор."
                )
            municipality = None
        data["municipality"] = municipality
        self.instance.municipality = municipality
        self.instance.school = school if level == DocumentLevel.SCHOOL else None
        self.instance.region = municipality.region if municipality else self.region()
        return data
