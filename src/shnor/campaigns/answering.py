"""A campaign's form as a Django form: one field per question and per table cell, with the
definition's checks, so that the page and the XLSX upload validate answers the same way.

Field names: «q<N>» for question N, «t<T>_<R>_<C>» for table T's row R and column C (all
from 1). Answers are stored under these names as JSON values: numbers, true/false, ISO dates,
text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from shnor.campaigns.choices import QuestionType

YES, NO = "да", "нет"
MAX_ANSWER = 2000


@dataclass(frozen=True)
class Slot:
    """One answer of the form: its field name, the item (question or column) it follows and,
    for a table cell, the table, row and column."""

    name: str
    item: dict[str, Any]
    label: str
    table: int = 0
    row: int = 0
    column: int = 0


def slots(definition: dict[str, Any]) -> Iterator[Slot]:
    for n, question in enumerate(definition["questions"], 1):
        yield Slot(f"q{n}", question, f"{n}. {question['text']}")
    for t, table in enumerate(definition["tables"], 1):
        for r, row in enumerate(table["rows"], 1):
            for c, column in enumerate(table["columns"], 1):
                yield Slot(f"t{t}_{r}_{c}", column, f"{row}: {column['text']}", t, r, c)


def field_for(item: dict[str, Any], label: str) -> forms.Field:
    kind, required = item["type"], item["required"]
    if kind == QuestionType.NUMBER:
        return forms.DecimalField(
            label=label,
            required=required,
            localize=True,
            max_digits=15,
            decimal_places=4,
            min_value=None if item.get("min") is None else Decimal(str(item["min"])),
            max_value=None if item.get("max") is None else Decimal(str(item["max"])),
        )
    if kind == QuestionType.YESNO:
        return forms.ChoiceField(
            label=label, required=required, choices=[("", "—"), (YES, YES), (NO, NO)]
        )
    if kind == QuestionType.DATE:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if kind == QuestionType.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—"), *((c, c) for c in item["choices"])],
        )
    return forms.CharField(
        label=label, required=required, max_length=MAX_ANSWER, widget=forms.Textarea({"rows": 2})
    )


class AnswersForm(forms.Form):
    """The campaign's questions and table cells. `strict` (submitting) asks every required
    answer; a draft may leave them empty but keeps every other check."""

    def __init__(self, definition: dict[str, Any], *args: Any, strict: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.slots = list(slots(definition))
        for slot in self.slots:
            field = field_for(slot.item, slot.label)
            if not strict:
                field.required = False
            self.fields[slot.name] = field

    def answers(self) -> dict[str, Any]:
        """The cleaned values as stored: empty answers are left out."""
        stored: dict[str, Any] = {}
        for slot in self.slots:
            value = self.cleaned_data.get(slot.name)
            if value is None or value == "":
                continue
            if slot.item["type"] == QuestionType.NUMBER:
                value = int(value) if value == value.to_integral_value() else float(value)
            elif slot.item["type"] == QuestionType.YESNO:
                value = value == YES
            elif slot.item["type"] == QuestionType.DATE:
                value = value.isoformat()
            stored[slot.name] = value
        return stored

    def questions(self) -> list[forms.BoundField]:
        return [self[s.name] for s in self.slots if not s.table]

    def tables(self) -> list[dict[str, Any]]:
        """Each table with its rows of bound fields, for the page's grid."""
        shown = []
        for t, table in enumerate(self.definition["tables"], 1):
            rows = [
                {
                    "title": row,
                    "cells": [self[f"t{t}_{r}_{c}"] for c in range(1, len(table["columns"]) + 1)],
                }
                for r, row in enumerate(table["rows"], 1)
            ]
            shown.append({"title": table["title"], "columns": table["columns"], "rows": rows})
        return shown


def initial_of(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers as the form's initial values."""
    initial: dict[str, Any] = {}
    for slot in slots(definition):
        value = answers.get(slot.name)
        if value is None:
            continue
        if slot.item["type"] == QuestionType.YESNO:
            value = YES if value else NO
        elif slot.item["type"] == QuestionType.DATE:
            value = date.fromisoformat(value)
        initial[slot.name] = value
    return initial


def shown_answer(item: dict[str, Any], value: Any) -> str:
    """An answer in Russian for the coordinator's tables: «да/нет», decimal commas."""
    if value is None:
        return "—"
    if item["type"] == QuestionType.YESNO:
        return YES if value else NO
    if item["type"] == QuestionType.DATE:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if item["type"] == QuestionType.NUMBER:
        return str(value).replace(".", ",")
    return str(value)
