"""Forms of the regional results forms' pages: the upload, the mapping of a form's columns and
blocks, the layout file, the confirmation of school names."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from shnor.assessments.layouts import BLOCK_MEASURES, Role, Structure, YearFrom
from shnor.assessments.models import ProcedureKind, Subject
from shnor.assessments.school_names import NameMatch
from shnor.core.uploads import IMPORT, UploadField

MEASURE_LABELS = {
    "participants": "участников",
    "below_min": "не преодолели минимальный порог",
    "mark2": "отметка «2»",
    "mark3": "отметка «3»",
    "mark4": "отметка «4»",
    "mark5": "отметка «5»",
    "mean_score": "средний балл",
    "enrolled": "обучающихся",
    "lowered": "понизили",
    "confirmed": "подтвердили",
    "raised": "повысили",
}
SKIP = "skip"
IGNORE = ("", "не загружать")


class WorkbookUpload(forms.Form):
    file = UploadField(IMPORT, label="Файл формы", error_messages={"required": "Выберите файл."})


class LayoutFileUpload(forms.Form):
    file = forms.FileField(
        label="Файл формы (JSON)", error_messages={"required": "Выберите файл формы."}
    )


class MappingForm(forms.Form):
    """One field per single column, per block (its subject) and per lower header (its
    measure), initialised with the guesses read from the headers."""

    name = forms.CharField(
        label="Название формы",
        max_length=200,
        error_messages={"required": "Назовите форму, например «Форма ЕГЭ Забайкальского края»."},
    )
    kind = forms.ChoiceField(label="Процедура")
    grade = forms.IntegerField(
        label="Класс (если не по умолчанию)", required=False, min_value=1, max_value=11
    )
    year_from = forms.ChoiceField(
        label="Год",
        choices=[(YearFrom.SHEET, "из названия листа"), (YearFrom.COLUMN, "из столбца «год»")],
    )

    def __init__(self, *args: Any, found: Structure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.found = found
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k.code, f"{k.code} — {k.name}") for k in ProcedureKind.objects.all()
        ]
        self.fields["kind"].initial = found.kind
        roles = [(code, label) for code, label in Role.LABELS.items()]
        for single in found.singles:
            self.fields[f"col_{single.column}"] = forms.ChoiceField(
                label=f"{single.column}: {single.label}",
                choices=roles,
                required=False,
                initial=single.role,
            )
        subjects = [IGNORE, *((s, s) for s in Subject.objects.values_list("name", flat=True))]
        for index, block in enumerate(found.blocks):
            first, last = block.columns[0][0], block.columns[-1][0]
            self.fields[f"subject_{index}"] = forms.ChoiceField(
                label=f"{first}–{last}: {block.label}",
                choices=subjects,
                required=False,
                initial=block.subject,
            )
        measures = [IGNORE, *((m, MEASURE_LABELS[m]) for m in BLOCK_MEASURES)]
        for index, (lower, guessed) in enumerate(found.measures.items()):
            self.fields[f"measure_{index}"] = forms.ChoiceField(
                label=lower, choices=measures, required=False, initial=guessed
            )

    def single_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{s.column}"] for s in self.found.singles]

    def block_fields(self) -> list[forms.BoundField]:
        return [self[f"subject_{i}"] for i in range(len(self.found.blocks))]

    def measure_fields(self) -> list[forms.BoundField]:
        return [self[f"measure_{i}"] for i in range(len(self.found.measures))]

    def choices(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "grade": data["grade"],
            "year_from": data["year_from"],
            "roles": {s.column: data[f"col_{s.column}"] for s in self.found.singles},
            "subjects": {i: data[f"subject_{i}"] for i in range(len(self.found.blocks))},
            "measures": {
                lower: data[f"measure_{i}"] for i, lower in enumerate(self.found.measures)
            },
        }


class NamesForm(forms.Form):
    """For every name that did not match by itself: a proposed school, another school of the
    scope by its code, or «не загружать»."""

    def __init__(
        self, *args: Any, matches: list[NameMatch], codes: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.matches = matches
        self.codes = codes
        for index, match in enumerate(matches):
            choices = [
                (str(c.school_id), f"{c.name} ({c.municipality}), сходство {c.similarity}%")
                for c in match.candidates
            ]
            self.fields[f"school_{index}"] = forms.ChoiceField(
                label=match.written,
                choices=[*choices, ("", "другая школа — укажите код"), (SKIP, "не загружать")],
                initial=choices[0][0] if choices else SKIP,
                required=False,
            )
            self.fields[f"code_{index}"] = forms.CharField(
                label="Код школы", max_length=32, required=False
            )

    def rows(self) -> list[tuple[NameMatch, forms.BoundField, forms.BoundField]]:
        return [(m, self[f"school_{i}"], self[f"code_{i}"]) for i, m in enumerate(self.matches)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index, match in enumerate(self.matches):
            chosen, code = data.get(f"school_{index}"), (data.get(f"code_{index}") or "").strip()
            allowed = {str(c.school_id) for c in match.candidates}
            if chosen == SKIP:
                continue
            if chosen and chosen in allowed:
                continue
            if code not in self.codes:
                self.add_error(
                    f"code_{index}",
                    f"«{match.written}»: укажите код школы из вашего списка или «не загружать»",
                )
        return data

    def decisions(self) -> tuple[dict[str, tuple[str, int]], list[str]]:
        """(confirmed: normalised name → (name as written, school), skipped names)."""
        confirmed: dict[str, tuple[str, int]] = {}
        skipped: list[str] = []
        for index, match in enumerate(self.matches):
            chosen = self.cleaned_data.get(f"school_{index}")
            if chosen == SKIP:
                skipped.append(match.key)
            elif chosen:
                confirmed[match.key] = (match.written, int(chosen))
            else:
                code = self.cleaned_data[f"code_{index}"].strip()
                confirmed[match.key] = (match.written, self.codes[code])
        return confirmed, skipped
