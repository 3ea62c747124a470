"""Golden cases for every built-in methodology on hand-made data."""

from __future__ import annotations

import pytest

from shnor.identification.engine.definition import DefinitionError, validate, with_parameters
from tests.identification_data import (
    YEAR,
    context,
    definition,
    flags,
    inputs,
    reference,
    result,
    run,
    school,
    status_of,
)

VPR_M5 = ("ВПР", "Математика", 5)
VPR_R6 = ("ВПР", "Русский язык", 6)
OGE_M = ("ОГЭ", "Математика", 9)
EGE_R = ("ЕГЭ", "Русский язык", 11)


def low(
    school_id: int,
    procedure: tuple[str, str, int],
    year: int = YEAR,
    participants: int = 20,
    share: float = 0.3,
) -> tuple:
    return result(school_id, year, *procedure, participants, round(participants * share))


def fine(school_id: int, procedure: tuple[str, str, int], year: int = YEAR) -> tuple:
    return result(school_id, year, *procedure, 20, 1)


class TestFederal:
    def test_exactly_30_percent_is_low(self) -> None:
        data = inputs(
            [school(1), school(2)],
            [
                low(1, VPR_M5, share=0.3),
                low(1, VPR_R6, share=0.3),
                result(2, YEAR, *VPR_M5, 20, 5),
                result(2, YEAR, *VPR_R6, 30, 8),
            ],
        )
        evaluation = run("federal", data)
        assert status_of(evaluation) == {1: "low_results", 2: "none"}  # 25% and 26.7%
        assert flags(evaluation, 1)["low_two_procedures"] is True

    def test_two_low_procedures_or_the_same_procedure_twice(self) -> None:
        data = inputs(
            [school(1), school(2), school(3), school(4)],
            [
                low(1, VPR_M5),
                low(1, OGE_M),  # two in Y
                low(2, VPR_M5, YEAR - 1),
                low(2, VPR_M5),
                fine(2, OGE_M),  # same twice
                low(3, VPR_R6, YEAR - 1),
                low(3, VPR_M5),
                fine(3, VPR_R6),  # different ones
                fine(4, VPR_M5),
                fine(4, VPR_M5, YEAR - 1),
            ],
        )
        evaluation = run("federal", data)
        assert status_of(evaluation) == {
            1: "low_results",
            2: "low_results",
            3: "risk_zone",
            4: "none",
        }
        assert flags(evaluation, 2) == {
            "low_two_procedures": False,
            "low_same_procedure": True,
            "low_one_procedure": True,
            "low_small_pooled": None,  # nothing small to pool
        }

    def test_cumulative_conditions_need_both(self) -> None:
        data = inputs(
            [school(1), school(2)],
            [
                low(1, VPR_M5, YEAR - 1),
                low(1, VPR_M5),
                low(1, OGE_M),
                low(2, VPR_M5),
                low(2, OGE_M),
            ],
        )
        assert status_of(run("federal", data, combine="all")) == {1: "low_results", 2: "risk_zone"}
        assert status_of(run("federal", data)) == {1: "low_results", 2: "low_results"}

    def test_zero_participants_and_tiny_classes_are_not_evidence(self) -> None:
        data = inputs(
            [school(1), school(2), school(3)],
            [
                result(1, YEAR, *VPR_M5, 0, 0),
                result(1, YEAR, *OGE_M, 0, 0),
                result(2, YEAR, *VPR_M5, 4, 3),
                result(2, YEAR, *OGE_M, 3, 3),
                result(3, YEAR, *VPR_M5, 5, 2),
                result(3, YEAR, *OGE_M, 5, 2),
            ],
        )
        evaluation = run("federal", data)
        assert status_of(evaluation) == {
            1: "insufficient_data",
            2: "insufficient_data",
            3: "low_results",
        }
        assert flags(evaluation, 2)["low_two_procedures"] is None
        assert status_of(run("federal", data, min_participants=3))[2] == "low_results"

    def test_a_missing_year_leaves_the_two_year_rule_not_applicable(self) -> None:
        data = inputs([school(1)], [low(1, VPR_M5), fine(1, OGE_M)])
        evaluation = run("federal", data)
        assert flags(evaluation, 1)["low_same_procedure"] is None
        assert status_of(evaluation) == {1: "risk_zone"}

    def test_basic_schools_without_grade_11_are_judged_on_what_they_have(self) -> None:
        data = inputs(
            [school(1, "ООШ"), school(2, "НОШ")],
            [low(1, OGE_M), low(1, VPR_M5), fine(2, ("ВПР", "Математика", 4))],
        )
        assert status_of(run("federal", data)) == {1: "low_results", 2: "none"}

    def test_excluded_school_kinds_are_not_listed(self) -> None:
        data = inputs(
            [school(1, "коррекционная"), school(2)],
            [low(1, VPR_M5), low(1, OGE_M), low(2, VPR_M5), low(2, OGE_M)],
        )
        assert status_of(run("federal", data)) == {2: "low_results"}
        assert status_of(run("federal", data, excluded_kinds=[])) == {
            1: "low_results",
            2: "low_results",
        }

    def test_only_russian_and_mathematics_count(self) -> None:
        data = inputs(
            [school(1)],
            [
                result(1, YEAR, "ОГЭ", "Физика", 9, 20, 10),
                result(1, YEAR, "ОГЭ", "Химия", 9, 20, 10),
                fine(1, OGE_M),
            ],
        )
        assert status_of(run("federal", data)) == {1: "none"}


class TestStrezhevoy:
    def test_any_procedure_in_each_of_two_years(self) -> None:
        data = inputs(
            [school(1), school(2)],
            [
                low(1, VPR_R6, YEAR - 1),
                low(1, VPR_M5),
                fine(1, VPR_R6),
                low(2, VPR_M5),
                fine(2, VPR_M5, YEAR - 1),
            ],
        )
        evaluation = run("strezhevoy", data)
        assert status_of(evaluation) == {1: "low_results", 2: "risk_zone"}
        federal = run("federal", data)
        assert status_of(federal)[1] == "risk_zone"  # the same-procedure rule does not fire

    def test_needs_data_in_both_years_for_the_two_year_rule(self) -> None:
        data = inputs([school(1)], [low(1, VPR_M5), fine(1, OGE_M)])
        assert flags(run("strezhevoy", data), 1)["low_each_year"] is None


class TestSayansky:
    def series(
        self, school_id: int, procedure: tuple, shares: list[float], participants: int = 20
    ) -> list[tuple]:
        return [
            result(school_id, YEAR - 2 + i, *procedure, participants, round(share * participants))
            for i, share in enumerate(shares)
        ]

    def test_low_and_no_positive_dynamics(self) -> None:
        data = inputs(
            [school(1), school(2), school(3)],
            self.series(1, OGE_M, [0.3, 0.3, 0.35])  # low, flat → triggered
            + self.series(2, OGE_M, [0.5, 0.4, 0.3])  # low but improving
            + self.series(3, OGE_M, [0.1, 0.15, 0.2]),  # worse but not low
            [context(1), context(2), context(3)],
        )
        evaluation = run("sayansky", data)
        assert [flags(evaluation, i)["oge_math"] for i in (1, 2, 3)] == [True, False, False]

    def test_dynamics_with_a_missing_year_uses_the_years_present(self) -> None:
        one_year = inputs([school(1)], [low(1, OGE_M, share=0.5)], [context(1)])
        assert flags(run("sayansky", one_year), 1)["oge_math"] is None
        gap = inputs(
            [school(1)],
            [low(1, OGE_M, YEAR - 2, share=0.3), low(1, OGE_M, share=0.4)],
            [context(1)],
        )
        assert flags(run("sayansky", gap), 1)["oge_math"] is True
        assert flags(run("sayansky", gap, min_points=3), 1)["oge_math"] is None

    def test_vpr_compares_with_the_regional_average(self) -> None:
        rows = (
            self.series(1, VPR_M5, [0.2, 0.2, 0.25])
            + self.series(2, VPR_M5, [0.05] * 3)
            + self.series(3, VPR_M5, [0.1, 0.1, 0.1])
        )
        published = [reference("region", YEAR, *VPR_M5, 1000, 300)]  # 30% in the region
        with_reference = run(
            "sayansky",
            inputs(
                [school(i) for i in (1, 2, 3)], rows, [context(i) for i in (1, 2, 3)], published
            ),
        )
        assert flags(with_reference, 1)["vpr_math"] is False  # 25% is below the region's 30%
        # regional average missing: computed from the schools of the same grade and years,
        # (13+3+6)/180 = 12.2% over three years; 13 of 60 is 2.2 standard errors above it
        computed = run(
            "sayansky",
            inputs([school(i) for i in (1, 2, 3)], rows, [context(i) for i in (1, 2, 3)]),
        )
        assert flags(computed, 1)["vpr_math"] is True
        detail = computed.evidence.filter(
            (computed.evidence["school_id"] == 1) & (computed.evidence["indicator"] == "vpr_math")
        )["detail"][0]
        assert "рассчитано по школам" in detail and "12,22" in detail and "2,2 ст. ошибки" in detail
        row = computed.evidence.filter(
            (computed.evidence["school_id"] == 1) & (computed.evidence["indicator"] == "vpr_math")
        ).row(0, named=True)
        assert (row["compare"], row["window"]) == (
            "> среднее по региону; нет положительной динамики (улучшение ≤ 2 в год)",
            "2023–2025",
        )

    def test_resource_deficits_and_status_bands(self) -> None:
        many = (
            self.series(1, OGE_M, [0.3, 0.3, 0.4])
            + self.series(1, ("ОГЭ", "Русский язык", 9), [0.3, 0.3, 0.3])
            + self.series(1, EGE_R, [0.3, 0.4, 0.4])
            + self.series(1, ("ЕГЭ", "Математика профильная", 11), [0.3, 0.3, 0.3])
        )
        data = inputs(
            [school(1), school(2), school(3)],
            [*many, fine(2, OGE_M), fine(3, OGE_M), fine(3, OGE_M, YEAR - 1)],
            [
                context(1, internet=False, students=300, computers=10, vacancies=3),
                context(2, internet=False),
                context(3),
            ],
        )
        evaluation = run("sayansky", data)
        assert flags(evaluation, 1)["no_internet"] and flags(evaluation, 1)["few_computers"]
        assert status_of(evaluation) == {1: "low_results", 2: "risk_zone", 3: "none"}
        row = evaluation.statuses.filter(evaluation.statuses["school_id"] == 1).row(0, named=True)
        assert row["indicators_triggered"] == 7 and row["indicators_total"] == 12

    def test_basic_school_without_gia_grade_11(self) -> None:
        data = inputs([school(1, "ООШ")], self.series(1, OGE_M, [0.1, 0.1, 0.1]), [context(1)])
        result_flags = flags(run("sayansky", data), 1)
        assert result_flags["ege_math"] is None and result_flags["oge_math"] is False

    def test_no_results_at_all_is_insufficient_unless_deficits_fire(self) -> None:
        data = inputs([school(1), school(2)], [], [context(1), context(2, internet=False)])
        assert status_of(run("sayansky", data)) == {1: "insufficient_data", 2: "risk_zone"}


class TestComparative:
    def test_mean_below_municipal_and_share_above_limit(self) -> None:
        oge_r = ("ОГЭ", "Русский язык", 9)
        rows = [
            result(1, YEAR, *oge_r, 20, 1, 3.2),
            result(2, YEAR, *oge_r, 20, 0, 4.4),
            result(1, YEAR, *OGE_M, 20, 1, 3.0),
            result(2, YEAR, *OGE_M, 20, 2, 3.9),
        ]
        evaluation = run("comparative", inputs([school(1), school(2)], rows))
        one, two = flags(evaluation, 1), flags(evaluation, 2)
        assert one["oge_russian_mean"] is True and two["oge_russian_mean"] is False
        assert one["oge_russian_below"] is True  # 5% > 1%
        assert one["oge_math_below"] is False  # 5% ≤ 7%
        assert two["oge_math_below"] is True  # 10% > 7%
        assert one["ege_russian_mean"] is None  # no ЕГЭ at all

    def test_published_municipal_average_wins_over_computed(self) -> None:
        rows = [result(1, YEAR, *OGE_M, 20, 0, 3.5), result(2, YEAR, *OGE_M, 20, 0, 4.5)]
        published = [reference("municipality", YEAR, *OGE_M, 500, 10, 3.2, municipality_id=1)]
        evaluation = run("comparative", inputs([school(1), school(2)], rows, [], published))
        assert flags(evaluation, 1)["oge_math_mean"] is False  # 3.5 ≥ 3.2 published


def test_parameters_are_checked_with_their_names() -> None:
    with pytest.raises(DefinitionError, match="не больше 1"):
        with_parameters(definition("federal"), {"low_share": 1.5})
    with pytest.raises(DefinitionError, match="одно из any, all"):
        with_parameters(definition("federal"), {"combine": "sometimes"})
    broken = definition("federal")
    broken["indicators"][0]["block"] = "magic"
    with pytest.raises(DefinitionError, match="block одно из"):
        validate(broken)
    changed = with_parameters(definition("federal"), {"low_share": "0,25"})
    assert changed["parameters"]["low_share"]["value"] == 0.25


@pytest.mark.parametrize("code", ["federal", "strezhevoy", "sayansky", "comparative"])
def test_every_builtin_cites_its_source_and_labels_its_parameters(code: str) -> None:
    spec = definition(code)
    # cited by the document's own title, never by a path of this repository
    assert "«" in spec["source"] and "seeds/" not in spec["source"]
    assert all(p.get("why", "x") for p in spec["parameters"].values())
    assert all(p["label"] for p in spec["parameters"].values())
    assert all(i["label"] for i in spec["indicators"])


# One fixture with every edge case, and the status each built-in methodology gives each school.
EDGE_SCHOOLS = {
    1: "exactly 30% in two procedures this year",
    2: "zero participants everywhere",
    3: "below the minimum number of participants",
    4: "low this year, no data the year before",
    5: "basic school (ООШ) low in ОГЭ and ВПР, no grade 11",
    6: "primary school (НОШ), only grade 4",
    7: "low in different procedures in two years",
    8: "all fine, three years",
}


def edge_inputs(with_regional_averages: bool) -> object:
    schools = [school(i, {5: "ООШ", 6: "НОШ"}.get(i, "СОШ")) for i in EDGE_SCHOOLS]
    rows = [
        result(1, YEAR, *VPR_M5, 20, 6, 3.2),
        result(1, YEAR, *OGE_M, 10, 3, 3.1),
        result(2, YEAR, *VPR_M5, 0, 0),
        result(2, YEAR, *OGE_M, 0, 0),
        result(3, YEAR, *VPR_M5, 4, 4),
        result(3, YEAR, *OGE_M, 3, 2),
        result(4, YEAR, *VPR_M5, 20, 8, 3.0),
        result(5, YEAR, *OGE_M, 12, 5, 2.9),
        result(5, YEAR, *VPR_R6, 12, 4, 3.1),
        result(6, YEAR, "ВПР", "Математика", 4, 9, 1, 3.9),
        result(6, YEAR - 1, "ВПР", "Математика", 4, 9, 1, 3.8),
        result(7, YEAR - 1, *VPR_R6, 20, 7, 3.2),
        result(7, YEAR, *VPR_M5, 20, 7, 3.1),
        result(7, YEAR, *VPR_R6, 20, 2, 3.8),
        *[
            result(8, y, *p, 20, 1, 4.2)
            for y in (YEAR - 2, YEAR - 1, YEAR)
            for p in (VPR_M5, VPR_R6, OGE_M, EGE_R)
        ],
    ]
    references = (
        [
            reference("region", YEAR, *VPR_M5, 1000, 100),
            reference("region", YEAR, *VPR_R6, 1000, 100),
        ]
        if with_regional_averages
        else []
    )
    return inputs(schools, rows, [context(i) for i in EDGE_SCHOOLS], references)


# Reviewed by hand: see the notes beside each row.
EXPECTED = {
    # school:        1        2        3        4        5        6        7        8
    "federal": ["low", "insuf", "insuf", "risk", "low", "none", "risk", "none"],
    # 7: low in one procedure in each of the two years is enough here (any-procedure rule)
    "strezhevoy": ["low", "insuf", "insuf", "risk", "low", "none", "low", "none"],
    # one year of data gives no dynamics: 1–5 have no applicable result indicator. 6 (grade 4
    # only) changed on purpose in version 2: its grade 4 is compared with the region's grade 4,
    # not with the published figure of grade 5 (10%) as when grades were pooled
    "sayansky": ["insuf", "insuf", "insuf", "insuf", "insuf", "none", "none", "none"],
    # changed on purpose in version 2: status from the limits only (seed 001's own lists);
    # 1 and 5 exceed the ОГЭ mathematics 7% but have one limit indicator each, below the floor
    # of two for ШНОР; 8 exceeds ЕГЭ Russian 1% (1 of 20 below the minimum)
    "comparative": ["risk", "insuf", "insuf", "insuf", "risk", "insuf", "insuf", "risk"],
}
SHORT = {"low_results": "low", "risk_zone": "risk", "none": "none", "insufficient_data": "insuf"}


@pytest.mark.parametrize("code", ["federal", "strezhevoy", "sayansky", "comparative"])
@pytest.mark.parametrize("with_regional_averages", [True, False])
def test_every_methodology_on_the_edge_cases(code: str, with_regional_averages: bool) -> None:
    statuses = status_of(run(code, edge_inputs(with_regional_averages)))
    got = [SHORT[statuses[i]] for i in EDGE_SCHOOLS]
    expected = EXPECTED.get(
        f"{code}/no averages" if not with_regional_averages else code, EXPECTED[code]
    )
    assert got == expected, dict(zip(EDGE_SCHOOLS.values(), got, strict=True))
