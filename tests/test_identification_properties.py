"""Invariants of the engine, checked on generated data."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from shnor.identification.engine.inputs import Inputs
from tests.identification_data import YEAR, inputs, result, run, school, status_of

PROCEDURES = [
    ("ВПР", "Математика", 5),
    ("ВПР", "Русский язык", 5),
    ("ВПР", "Математика", 6),
    ("ОГЭ", "Математика", 9),
    ("ОГЭ", "Русский язык", 9),
    ("ЕГЭ", "Русский язык", 11),
]
SEVERITY = {"insufficient_data": 0, "none": 1, "risk_zone": 2, "low_results": 3}

rows = st.lists(
    st.tuples(
        st.integers(1, 4),
        st.sampled_from([YEAR - 1, YEAR]),
        st.sampled_from(PROCEDURES),
        st.integers(0, 30),
        st.floats(0, 1),
    ),
    max_size=30,
    unique_by=lambda r: (r[0], r[1], r[2]),
)


def build(generated: list[tuple]) -> Inputs:
    return inputs(
        [school(i) for i in range(1, 5)],
        [result(s, y, *p, n, round(n * share)) for s, y, p, n, share in generated],
    )


@settings(max_examples=60, deadline=None)
@given(rows, st.integers(1, 4), st.sampled_from(PROCEDURES))
def test_one_more_low_procedure_never_improves_a_status(
    generated: list[tuple], target: int, procedure: tuple
) -> None:
    before = status_of(run("federal", build(generated)))
    kept = [r for r in generated if not (r[0] == target and r[1] == YEAR and r[2] == procedure)]
    after = status_of(run("federal", build([*kept, (target, YEAR, procedure, 20, 0.5)])))
    removed_was_low = any(
        r[0] == target
        and r[1] == YEAR
        and r[2] == procedure
        and r[3] >= 5
        and round(r[3] * r[4]) >= 0.3 * r[3] - 1e-9
        for r in generated
    )
    if not removed_was_low:
        assert SEVERITY[after[target]] >= SEVERITY[before[target]]
    for other in set(before) - {target}:
        assert after[other] == before[other]


@settings(max_examples=40, deadline=None)
@given(
    rows,
    st.randoms(use_true_random=False),
    st.sampled_from(["federal", "strezhevoy", "sayansky", "comparative"]),
)
def test_the_result_does_not_depend_on_row_order(
    generated: list[tuple], random: object, code: str
) -> None:
    data = build(generated)
    shuffled = list(data.results.iter_rows())
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    other = Inputs(
        schools=data.schools.reverse(),
        results=pl.DataFrame(shuffled, schema=data.results.schema, orient="row"),
        context=data.context,
        reference=data.reference,
    )
    first, second = run(code, data), run(code, other)
    assert first.statuses.equals(second.statuses)
    assert first.evidence.drop("detail").equals(second.evidence.drop("detail"))
    assert data.fingerprint() == other.fingerprint()


@settings(max_examples=40, deadline=None)
@given(rows, st.floats(0.05, 0.5), st.floats(0.05, 0.5))
def test_a_stricter_threshold_never_lists_more_schools(
    generated: list[tuple], a: float, b: float
) -> None:
    low, high = sorted((a, b))
    data = build(generated)
    lenient = {
        k for k, v in status_of(run("federal", data, low_share=low)).items() if v == "low_results"
    }
    strict = {
        k for k, v in status_of(run("federal", data, low_share=high)).items() if v == "low_results"
    }
    assert strict <= lenient


@settings(max_examples=30, deadline=None)
@given(rows)
def test_counts_agree_with_the_evidence(generated: list[tuple]) -> None:
    evaluation = run("federal", build(generated))
    triggered = evaluation.evidence.group_by("school_id").agg(pl.col("triggered").sum())
    joined = evaluation.statuses.join(triggered, on="school_id")
    assert (joined["indicators_triggered"] == joined["triggered"]).all()
    assert evaluation.statuses.height == 4
