"""Hand-made inputs for the identification engine, without a database."""

from __future__ import annotations

from typing import Any

from shnor.identification.engine.evaluate import Evaluation, evaluate
from shnor.identification.engine.inputs import Inputs, frame
from shnor.identification.methodologies import FOLDER, read_definition

YEAR = 2025


def definition(code: str) -> dict[str, Any]:
    return read_definition(FOLDER / f"{code}.yaml")


def school(school_id: int, kind: str = "СОШ", municipality_id: int = 1) -> tuple[Any, ...]:
    return (
        school_id,
        str(school_id),
        f"Школа {school_id}",
        municipality_id,
        f"Район {municipality_id}",
        1,
        kind,
    )


def result(
    school_id: int,
    year: int,
    kind: str,
    subject: str,
    grade: int,
    participants: int,
    below: int | None,
    mean: float | None = None,
) -> tuple[Any, ...]:
    return (school_id, year, kind, subject, grade, participants, below, mean)


def context(
    school_id: int,
    year: int = YEAR,
    *,
    internet: bool = True,
    students: int = 200,
    computers: int = 40,
    vacancies: int = 0,
) -> tuple[Any, ...]:
    return (school_id, year, students, 5, 20, vacancies, 4, internet, computers, 10.0, 10.0, 1.0)


def reference(
    level: str,
    year: int,
    kind: str,
    subject: str,
    grade: int,
    participants: int,
    below: int,
    mean: float | None = None,
    municipality_id: int | None = None,
) -> tuple[Any, ...]:
    return (level, municipality_id, 1, year, kind, subject, grade, participants, below, mean)


def inputs(
    schools: list[tuple[Any, ...]],
    results: list[tuple[Any, ...]],
    contexts: list[tuple[Any, ...]] | None = None,
    references: list[tuple[Any, ...]] | None = None,
) -> Inputs:
    return Inputs(
        schools=frame("schools", schools),
        results=frame("results", results),
        context=frame("context", contexts or []),
        reference=frame("reference", references or []),
    )


def run(code: str, data: Inputs, year: int = YEAR, **params: Any) -> Evaluation:
    spec = definition(code)
    for name, value in params.items():
        spec["parameters"][name]["value"] = value
    return evaluate(spec, year, data)


def status_of(evaluation: Evaluation) -> dict[int, str]:
    return dict(evaluation.statuses.select("school_id", "status").iter_rows())


def flags(evaluation: Evaluation, school_id: int) -> dict[str, bool | None]:
    """indicator → True/False when applicable, None when not."""
    rows = evaluation.evidence.filter(evaluation.evidence["school_id"] == school_id)
    return {
        r["indicator"]: (r["triggered"] if r["applicable"] else None)
        for r in rows.iter_rows(named=True)
    }
