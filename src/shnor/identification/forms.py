"""The inputs of the identification pages: a received list, the consolidated list's filters,
the primary methodology."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from shnor.accounts.choices import Action, Role
from shnor.core.params import year_field
from shnor.identification.choices import LISTED, ListSource
from shnor.identification.consolidated import COLUMNS
from shnor.identification.engine.definition import listed_status
from shnor.identification.services import latest_methodologies
from shnor.registry.models import Municipality

OFFICIAL_SOURCES = [(s.value, s.label) for s in ListSource if s != ListSource.METHODOLOGY]
LIST_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


class MunicipalityField(forms.ModelChoiceField):
    """The municipalities the user may act on (`restrict`); empty for the whole region."""

    def __init__(self, user: Any, action: str, **kwargs: Any) -> None:
        super().__init__(
            queryset=Municipality.objects.restrict(user, action).order_by("name"),
            required=False,
            label="Муниципалитет",
            empty_label="весь регион",
            error_messages={"invalid_choice": "Муниципалитет вне вашей зоны доступа"},
            **kwargs,
        )


class OfficialListForm(forms.Form):
    source = forms.ChoiceField(label="Источник списка", choices=OFFICIAL_SOURCES)
    year = year_field(required=True)
    file = forms.FileField(label="Файл списка (XLSX, XLS, ODS или CSV)")

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role != Role.MUNICIPALITY:
            self.fields["municipality"] = MunicipalityField(user, Action.IMPORT)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(LIST_SUFFIXES):
            raise forms.ValidationError("Ожидается файл XLSX, XLS, ODS или CSV")
        return upload


class ConsolidatedFilterForm(forms.Form):
    year = year_field()
    source = forms.ChoiceField(
        label="Источник", required=False, choices=[("", "все"), *COLUMNS.items()]
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = MunicipalityField(user, Action.VIEW)
        cast(forms.ModelChoiceField, self.fields["municipality"]).empty_label = "все"


class PrimaryMethodologyForm(forms.Form):
    code = forms.ChoiceField(label="Основная методика", required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = "как у региона" if user.role == Role.MUNICIPALITY else "по умолчанию"
        # a list of signs of non-objective results cannot be «the list» of ШНОР
        codes = {
            m.code: m.name
            for m in latest_methodologies(user)
            if listed_status(m.definition) == LISTED
        }
        cast(forms.ChoiceField, self.fields["code"]).choices = [("", default), *codes.items()]
