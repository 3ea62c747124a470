"""The bank of students with learning difficulties: what the criteria (criteria.yaml) suggest
from the results, and what is left for the school to decide. Set-based over the task-level
frames (taskresults/frames.py); the school's decisions are stored (models.Difficulty)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from shnor.assessments.models import MinimumThreshold, Subject
from shnor.students.choices import DifficultyReason
from shnor.students.models import Difficulty, Student
from shnor.taskresults.frames import papers_frame

RULES = ("mark_at_most", "journal_mark_at_most", "below_minimum", "flag")
SOURCES = ("paper", "student")
SUGGESTION_SCHEMA: dict[str, Any] = {
    "school_id": pl.Int64,
    "student": pl.String,
    "grade": pl.Int16,
    "subject_id": pl.Int64,
    "reason": pl.String,
    "kind": pl.String,
    "source_year": pl.Int32,
    "total": pl.Float64,
    "mark": pl.Int16,
    "journal_mark": pl.Int16,
}


@dataclass(frozen=True)
class Criterion:
    reason: str
    source: str
    kinds: tuple[str, ...] = ()
    mark_at_most: int | None = None
    journal_mark_at_most: int | None = None
    below_minimum: bool = False
    flag: str = ""


def validated(raw: dict[str, Any]) -> Criterion:
    """A criterion of the file, or an error naming what is wrong with it."""
    reason = raw.get("reason")
    if reason not in DifficultyReason.values or reason == DifficultyReason.REFERRAL:
        raise ValueError(f"criteria.yaml: unknown or manual reason {reason!r}")
    if raw.get("source") not in SOURCES:
        raise ValueError(f"criteria.yaml: {reason}: source must be one of {SOURCES}")
    rules = [name for name in RULES if raw.get(name) not in (None, False, "")]
    if len(rules) != 1:
        raise ValueError(f"criteria.yaml: {reason}: exactly one rule of {RULES}, found {rules}")
    if raw.get("flag") and raw["flag"] not in {f.name for f in Student._meta.fields}:
        raise ValueError(f"criteria.yaml: {reason}: no student field {raw['flag']!r}")
    return Criterion(
        reason=reason,
        source=raw["source"],
        kinds=tuple(raw.get("kinds") or ()),
        mark_at_most=raw.get("mark_at_most"),
        journal_mark_at_most=raw.get("journal_mark_at_most"),
        below_minimum=bool(raw.get("below_minimum")),
        flag=raw.get("flag") or "",
    )


@cache
def criteria() -> tuple[Criterion, ...]:
    text = (Path(__file__).parent / "criteria.yaml").read_text(encoding="utf-8")
    return tuple(validated(raw) for raw in yaml.safe_load(text)["criteria"])


def school_year(today: date) -> int:
    """The school year running on the day, by its first calendar year (September to August)."""
    return today.year if today.month >= 9 else today.year - 1


def school_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d} учебный год"


def paper_suggestions(
    papers: pl.DataFrame, minimums: pl.DataFrame, rules: tuple[Criterion, ...]
) -> pl.DataFrame:
    """A row per paper × criterion it meets. `papers`: the columns of papers_frame;
    `minimums`: year, kind, subject_id, min_score."""
    papers = papers.join(minimums, on=["year", "kind", "subject_id"], how="left")
    found = []
    for rule in rules:
        if rule.source != "paper":
            continue
        if rule.mark_at_most is not None:
            condition = pl.col("mark") <= rule.mark_at_most
        elif rule.journal_mark_at_most is not None:
            condition = pl.col("journal_mark") <= rule.journal_mark_at_most
        else:
            condition = pl.col("total") < pl.col("min_score")
        found.append(
            papers.filter(pl.col("kind").is_in(rule.kinds), condition.fill_null(False))
            .with_columns(reason=pl.lit(rule.reason), source_year=pl.col("year"))
            .select(list(SUGGESTION_SCHEMA))
        )
    if not found:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    return pl.concat([f.cast(SUGGESTION_SCHEMA) for f in found])  # type: ignore[arg-type]


def flag_suggestions(students: pl.DataFrame, rules: tuple[Criterion, ...]) -> pl.DataFrame:
    """A row per flagged student × criterion; `students`: school_id, student, grade and the
    flag fields."""
    found = [
        students.filter(pl.col(rule.flag))
        .with_columns(
            subject_id=pl.lit(None, pl.Int64),
            reason=pl.lit(rule.reason),
            kind=pl.lit(None, pl.String),
            source_year=pl.lit(None, pl.Int32),
            total=pl.lit(None, pl.Float64),
            mark=pl.lit(None, pl.Int16),
            journal_mark=pl.lit(None, pl.Int16),
        )
        .select(list(SUGGESTION_SCHEMA))
        .cast(SUGGESTION_SCHEMA)  # type: ignore[arg-type]
        for rule in rules
        if rule.source == "student"
    ]
    return pl.concat(found) if found else pl.DataFrame(schema=SUGGESTION_SCHEMA)


def minimum_frame() -> pl.DataFrame:
    return pl.DataFrame(
        list(MinimumThreshold.objects.values_list("year", "kind__code", "subject_id", "min_score")),
        schema={"year": pl.Int32, "kind": pl.String, "subject_id": pl.Int64, "min_score": pl.Int64},
        orient="row",
    )


def suggestions(year: int, school_ids: list[int]) -> pl.DataFrame:
    """Everything the criteria suggest for the bank of the school year `year` in these
    schools, one row per student × subject × reason (a student with «2» in two procedures of
    one subject is suggested once, by the first), sorted by grade and code."""
    rules = criteria()
    papers = papers_frame(years=[year], school_ids=school_ids)
    fields = sorted({rule.flag for rule in rules if rule.flag})
    students = pl.DataFrame(
        list(
            Student.objects.filter(school_id__in=school_ids).values_list(
                "school_id", "code", "grade", *fields
            )
        ),
        schema={
            "school_id": pl.Int64,
            "student": pl.String,
            "grade": pl.Int16,
            **dict.fromkeys(fields, pl.Boolean),
        },
        orient="row",
    )
    found = pl.concat(
        [paper_suggestions(papers, minimum_frame(), rules), flag_suggestions(students, rules)]
    )
    return found.unique(
        ["student", "subject_id", "reason"], keep="first", maintain_order=True
    ).sort("grade", "student", "reason", nulls_last=True)


def decided_frame(year: int, school_ids: list[int]) -> pl.DataFrame:
    """The school's stored decisions of the year: student code, subject, reason, status."""
    return pl.DataFrame(
        list(
            Difficulty.objects.filter(year=year, student__school_id__in=school_ids).values_list(
                "student__code", "subject_id", "reason", "status"
            )
        ),
        schema={
            "student": pl.String,
            "subject_id": pl.Int64,
            "reason": pl.String,
            "status": pl.String,
        },
        orient="row",
    )


def pending(year: int, school_ids: list[int]) -> pl.DataFrame:
    """Suggestions the school has not decided on yet."""
    return suggestions(year, school_ids).join(
        decided_frame(year, school_ids),
        on=["student", "subject_id", "reason"],
        how="anti",
        nulls_equal=True,
    )


def subject_names() -> dict[int, str]:
    return dict(Subject.objects.values_list("pk", "name"))


def describe(row: dict[str, Any], subjects: dict[int, str]) -> str:
    """The evidence of a suggestion in words: procedure, year, subject, grade and the figure."""
    if row["kind"] is None:
        return "отмечено при загрузке списка обучающихся"
    subject = subjects.get(row["subject_id"], "")
    place = f"{row['kind']} {row['source_year']}, {subject}, {row['grade']} класс"
    total = f"{row['total']:g}".replace(".", ",")
    if row["reason"] == DifficultyReason.TERM_MARKS:
        return f"{place}: отметка по журналу перед процедурой «{row['journal_mark']}»"
    if row["reason"] == DifficultyReason.BELOW_MINIMUM:
        return f"{place}: {total} балла ниже минимального"
    return f"{place}: отметка «{row['mark']}», первичный балл {total}"
