"""Did the support work: the matched difference in differences (support/effectiveness.py) on
synthetic schools with a planted effect and planted regression to the mean; the exit criteria
(identification/exit_criteria.py) on golden histories and at every run; the comparison in the
справка, on the dashboard page and in the monitoring round."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from django.test import Client
from django.urls import reverse

from shnor.core.documents.render import to_docx, to_pdf, to_xlsx
from shnor.identification.actions import do_run_identification
from shnor.identification.choices import ExitState
from shnor.identification.engine.definition import EXIT_DEFAULT, DefinitionError, validate
from shnor.identification.exit_criteria import judge, trend_forecast
from shnor.identification.methodologies import builtin_definitions
from shnor.identification.models import Methodology
from shnor.indicators.actions import do_create_round
from shnor.registry.models import School
from shnor.reports.builders import effectiveness_report
from shnor.support.actions import (
    do_add_partnership,
    do_assign_curator,
    do_create_programme,
    do_record_execution,
)
from shnor.support.choices import MeasureStatus, ProgrammeKind
from shnor.support.effectiveness import (
    MIN_PAIRS,
    Comparison,
    compare,
    comparison,
    pairs_phrase,
    supported_in,
)
from shnor.support.library import library
from shnor.support.programmes import measure_from_library
from tests.conftest import add_results

YEAR = 2024


def synthetic(effect: float, seed: int, schools: int = 1500) -> dict[str, Any]:
    """Schools with a lasting level (ability) and yearly noise; those with a bad year Y−1 are
    listed (their next year is better on average whatever is done: regression to the mean) and
    half of them, at random, are supported, which lowers their share of «2» by `effect` in the
    years after."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, schools + 1)
    ability = rng.normal(0, 1, schools)
    shares = {
        year: 20 + 8 * ability + rng.normal(0, 6, schools) for year in range(YEAR - 2, YEAR + 2)
    }
    listed = shares[YEAR - 1] > 30
    supported = listed & (rng.random(schools) < 0.5)
    for year in (YEAR, YEAR + 1):
        shares[year] = shares[year] - effect * supported
    outcomes = pl.DataFrame(
        [
            (int(i), year, float(share[k]), float(3.9 - 0.03 * share[k]))
            for year, share in shares.items()
            for k, i in enumerate(ids)
        ],
        schema={
            "school_id": pl.Int64,
            "year": pl.Int32,
            "share_low": pl.Float64,
            "mean_mark": pl.Float64,
        },
        orient="row",
    )
    context = pl.DataFrame(
        {
            "school_id": ids,
            "social_index": 0.5 * ability + rng.normal(0, 1, schools),
            "students": rng.integers(40, 900, schools),
            "rural": rng.integers(0, 2, schools).astype(np.int8),
            "kind": rng.choice(["СОШ", "ООШ"], schools),
        }
    )
    return {
        "outcomes": outcomes,
        "schools": context,
        "supported": {int(i) for i in ids[supported]},
    }


def run(effect: float, seed: int) -> Comparison:
    data = synthetic(effect, seed)
    return compare(data["outcomes"], data["schools"], data["supported"], set(), YEAR)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matched_difference_recovers_the_planted_effect_where_the_naive_change_does_not(
    seed: int,
) -> None:
    comparison = run(effect=5.0, seed=seed)
    share = comparison.effects[0]
    assert share.outcome == "share_low" and share.pairs >= 50
    assert share.naive is not None and share.did is not None
    # the supported schools' own change: the effect and the regression to the mean together
    assert share.naive.value < -9
    assert share.did.low is not None and share.did.high is not None
    assert share.did.low <= -5.0 <= share.did.high
    assert share.did.high < 0  # the effect is told apart from none
    assert abs(share.did.value + 5.0) < abs(share.naive.value + 5.0) - 3
    assert "лучше сопоставимых" in share.conclusion
    mark = comparison.effects[1]  # the planted effect on the mean mark: 0,03 × 5 = 0,15
    assert mark.did is not None and mark.did.low is not None and mark.did.high is not None
    assert mark.did.low <= 0.15 <= mark.did.high and mark.naive is not None
    assert mark.naive.value > mark.did.high


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_without_an_effect_the_interval_covers_zero_though_the_naive_change_is_large(
    seed: int,
) -> None:
    comparison = run(effect=0.0, seed=seed)
    share = comparison.effects[0]
    assert share.naive is not None and share.naive.value < -4
    assert share.did is not None and share.did.low is not None and share.did.high is not None
    assert share.did.low <= 0 <= share.did.high
    assert "не отличается от нуля" in share.conclusion
    assert "возврат к среднему" in share.conclusion


def test_too_few_pairs_are_said_in_words() -> None:
    data = synthetic(effect=5.0, seed=7, schools=400)
    few = set(sorted(data["supported"])[: MIN_PAIRS - 3])
    comparison = compare(data["outcomes"], data["schools"], few, set(), YEAR)
    share = comparison.effects[0]
    assert 2 <= share.pairs < MIN_PAIRS
    assert f"по {share.pairs} парам школ нельзя сделать вывод" in share.conclusion
    assert pairs_phrase(1) == "по 1 паре школ" and pairs_phrase(21) == "по 21 паре школ"
    assert pairs_phrase(11) == "по 11 парам школ"


def test_excluded_schools_are_never_controls_and_the_caliper_drops_unlike_pairs() -> None:
    data = synthetic(effect=0.0, seed=8, schools=300)
    supported = data["supported"]
    others = {int(i) for i in data["schools"]["school_id"]} - supported
    excluded = set(sorted(others)[: len(others) // 2])
    comparison = compare(data["outcomes"], data["schools"], supported, excluded, YEAR)
    assert comparison.pairs
    assert not {p.control for p in comparison.pairs} & (excluded | supported)
    assert all(p.distance <= 0.5 for p in comparison.pairs)
    # a supported school unlike any other is left unmatched, not compared
    odd = data["schools"].with_columns(
        students=pl.when(pl.col("school_id") == min(supported))
        .then(10**9)
        .otherwise(pl.col("students"))
    )
    alone = compare(data["outcomes"], odd, {min(supported)}, set(), YEAR)
    assert alone.with_data == 1 and alone.pairs == [] and alone.unmatched == 1


RULE = dict(EXIT_DEFAULT)
L, N, R, U = "low_results", "none", "risk_zone", "insufficient_data"


@pytest.mark.parametrize(
    ("history", "outcomes", "state", "outside"),
    [
        # two years outside and 12 points better than the last listed year
        ({2022: L, 2023: N, 2024: R}, {2022: 40, 2023: 30, 2024: 28}, ExitState.SUSTAINED, 2),
        # outside one year only
        ({2023: L, 2024: N}, {2023: 40, 2024: 33}, ExitState.ON_THE_WAY, 1),
        # two years outside, better but by less than the margin
        ({2022: L, 2023: N, 2024: N}, {2022: 40, 2024: 38}, ExitState.ON_THE_WAY, 2),
        # outside but worse than when listed: chance, not progress
        ({2023: L, 2024: N}, {2023: 30, 2024: 35}, ExitState.NO_CHANGE, 1),
        # a year without a definite status breaks the run of years outside
        ({2022: L, 2023: N, 2024: U}, {2022: 40, 2024: 20}, ExitState.NO_CHANGE, 0),
        # still listed, but 7 points better than when it entered the list
        ({2022: L, 2023: L, 2024: L}, {2022: 40, 2023: 38, 2024: 33}, ExitState.ON_THE_WAY, 0),
        # listed this year
        ({2024: L}, {2024: 40}, ExitState.NO_CHANGE, 0),
    ],
)
def test_exit_states_on_golden_histories(
    history: dict[int, str], outcomes: dict[int, float], state: str, outside: int
) -> None:
    judged = judge(history, outcomes, 2024, RULE)
    assert judged is not None
    assert (judged["state"], judged["years_outside"]) == (state, outside)


def test_exit_rule_is_data_of_the_methodology() -> None:
    assert judge({2023: N, 2024: N}, {2024: 10}, 2024, RULE) is None  # never listed
    one_year = {**RULE, "years_outside": 1}
    judged = judge({2023: L, 2024: N}, {2023: 40, 2024: 33}, 2024, one_year)
    assert judged is not None and judged["state"] == ExitState.SUSTAINED
    strict = {**RULE, "margin": 10}
    judged = judge({2022: L, 2023: N, 2024: R}, {2022: 40, 2024: 32}, 2024, strict)
    assert judged is not None and judged["state"] == ExitState.ON_THE_WAY
    lists = ("federal", "strezhevoy", "sayansky", "comparative")
    for definition in (d for d in builtin_definitions() if d["code"] in lists):
        assert definition["exit"]["years_outside"] == 2 and definition["exit"]["margin"] == 5
        with pytest.raises(DefinitionError, match="критерии выхода"):
            validate({**definition, "exit": {"years_outside": 0, "margin": 5}})


def test_forecast_from_the_trend_with_its_interval() -> None:
    assert trend_forecast({2023: 40, 2024: 35}, 2025) is None  # two points: no interval
    exact = trend_forecast({2022: 40, 2023: 35, 2024: 30}, 2025)
    assert exact is not None and exact.value == pytest.approx(25)
    noisy = trend_forecast({2020: 41, 2021: 34, 2022: 31, 2023: 26, 2024: 19}, 2025)
    assert noisy is not None and noisy.years == 5
    assert noisy.low < noisy.value < noisy.high and 13 < noisy.value < 17
    # the same interval as statsmodels' OLS prediction
    years = np.array([2020, 2021, 2022, 2023, 2024], dtype=float)
    fit = sm.OLS(np.array([41, 34, 31, 26, 19.0]), sm.add_constant(years)).fit()
    frame = fit.get_prediction(np.array([[1.0, 2025.0]])).summary_frame(alpha=0.2)
    assert noisy.value == pytest.approx(frame["mean"].iloc[0])
    assert noisy.low == pytest.approx(frame["obs_ci_lower"].iloc[0])
    assert noisy.high == pytest.approx(frame["obs_ci_upper"].iloc[0])
    falling = trend_forecast({2022: 12, 2023: 6, 2024: 1}, 2025)
    assert falling is not None and falling.low == 0.0  # a share is never below zero


# --- with the database: runs, the supported set, the справка and the pages ----------------

LOW = [("ВПР", "Математика", 5, 20, 8), ("ОГЭ", "Математика", 9, 20, 7)]
FINE = [("ВПР", "Математика", 5, 20, 1, 4.1), ("ОГЭ", "Математика", 9, 20, 0, 4.0)]


def test_exit_is_evaluated_at_every_run(world: dict[str, Any]) -> None:
    """School a: listed in 2022, then two good years — it has left for good by 2024; school c:
    listed in 2023 and 2024 — in the list, no change."""
    a, c = world["schools"]["a"], world["schools"]["c"]
    add_results(a, [(2022, *row) for row in LOW])
    add_results(a, [(year, *row) for year in (2023, 2024) for row in FINE])
    add_results(c, [(2022, *row) for row in FINE])
    add_results(c, [(year, *row) for year in (2023, 2024) for row in LOW])
    federal = Methodology.objects.get(code="federal")
    user = world["users"]["region"]
    runs = {
        year: do_run_identification(federal, year, acting_user=user) for year in (2022, 2023, 2024)
    }
    states = {
        year: dict(run.exits.values_list("school__code", "state")) for year, run in runs.items()
    }
    assert states[2022] == {"100": ExitState.NO_CHANGE}
    assert states[2023] == {"100": ExitState.ON_THE_WAY, "300": ExitState.NO_CHANGE}
    assert states[2024] == {"100": ExitState.SUSTAINED, "300": ExitState.NO_CHANGE}
    left = runs[2024].exits.get(school=a)
    assert (left.listed_year, left.years_outside) == (2022, 2)
    assert left.change == pytest.approx(37.5 - 2.5)  # 15 of 40 with «2», then 1 of 40
    assert left.forecast is not None and left.forecast_low <= left.forecast <= left.forecast_high
    page = Client()
    page.force_login(user)
    html = page.get(reverse("identification:run", args=[runs[2024].pk])).content.decode()
    assert "вышла из списка устойчиво" in html and "Выход устойчивый, если школы нет" in html
    html = page.get(reverse("identification:methodology", args=[federal.pk])).content.decode()
    assert (
        "Критерии выхода из списка" in html
        and "Выход устойчивый, если школы нет в списке 2 года" in html
    )


@pytest.fixture
def supported(world: dict[str, Any]) -> dict[str, Any]:
    """Twelve schools of the south as candidates, three of the north whose support began in
    2025 (a programme with a library measure done, a curator, a partner) and school b, curated
    since 2000: supported before 2025, so neither in the cohort nor a control."""
    north, south = world["north"], world["south"]
    rng = np.random.default_rng(3)
    extra = [
        School.objects.create(code=f"5{n:02d}", name=f"МБОУ СОШ № {50 + n}", municipality=south)
        for n in range(12)
    ]
    cohort = [world["schools"]["a"]] + [
        School.objects.create(code=f"6{n}", name=f"МБОУ СОШ № {70 + n}", municipality=north)
        for n in range(2)
    ]
    for school in [*extra, *cohort, world["schools"]["b"]]:
        add_results(
            school,
            [
                (year, "ВПР", "Математика", 5, 20, int(rng.integers(0, 9)), 3.5)
                for year in (2023, 2024, 2025)
            ],
        )
    users = world["users"]
    mun = users["municipality"]
    typical = next(iter(library().values()))
    programme = do_create_programme(
        kind=ProgrammeKind.SCHOOL,
        title="Программа школы № 1",
        municipality=north,
        school=cohort[0],
        year_from=2025,
        year_to=2026,
        measures=[measure_from_library(typical, date(2025, 1, 15))],
        source="тест",
        acting_user=mun,
    )
    do_record_execution(
        programme.measures.get(),
        status=MeasureStatus.DONE,
        acting_user=mun,
        may_confirm=True,
        on=date(2025, 3, 1),
    )
    do_assign_curator(
        cohort[1], users["curator"], starts=date(2025, 2, 1), order="№ 1", acting_user=mun
    )
    do_add_partnership(
        cohort[2],
        partner=extra[0],
        mentor="",
        grades="5",
        subjects="Математика",
        help="методическая помощь",
        agreement_number="1",
        agreement_date=date(2025, 2, 1),
        starts=date(2025, 2, 1),
        acting_user=mun,
    )
    return {**world, "cohort": cohort, "extra": extra, "typical": typical}


def test_the_supported_cohort_and_its_controls_come_from_the_support_data(
    supported: dict[str, Any],
) -> None:
    region, north = supported["region"], supported["north"]
    result = comparison(region.pk, 2025, north.pk)
    cohort = {s.pk for s in supported["cohort"]}
    assert result.supported == 3 and result.kinds == {"programme": 1, "curator": 1, "partner": 1}
    assert {p.supported for p in result.pairs} <= cohort
    controls = {p.control for p in result.pairs}
    assert controls and controls <= {s.pk for s in supported["extra"]}  # never b, never a
    share = result.effects[0]
    assert share.pairs == len(result.pairs) < MIN_PAIRS
    assert f"{pairs_phrase(share.pairs)} нельзя сделать вывод" in share.conclusion
    assert [m.code for m in result.measures] == [supported["typical"].code]
    assert supported_in(region.pk, 2024) == {supported["schools"]["b"].pk: {"curator"}}


def test_the_справка_the_dashboard_and_the_round_say_what_can_be_concluded(
    supported: dict[str, Any],
) -> None:
    region, user = supported["region"], supported["users"]["region"]
    report = effectiveness_report(user, region, None, 2025)
    headings = [s.heading for s in report.sections]
    for heading in (
        "Сравнение с сопоставимыми школами",
        "Что можно и чего нельзя заключить",
        "Пары школ: доля «2» / ниже минимального порога, %",
        "Меры и изменения результатов (описательно)",
        "Выход из списка",
    ):
        assert heading in headings
    words = " ".join(p for s in report.sections for p in s.paragraphs)
    assert "нельзя сделать вывод" in words and "не доказательство" in words
    assert "возврат к среднему" in words
    assert to_docx(report, region.name)[:2] == b"PK" and to_xlsx(report)[:2] == b"PK"
    assert to_pdf(report, region.name)[:4] == b"%PDF"
    page = Client()
    page.force_login(supported["users"]["municipality"])
    html = page.get(reverse("indicators:effectiveness"), {"year": 2025}).content.decode()
    assert "Эффективность поддержки: Северный район" in html
    assert "Что можно и чего нельзя заключить" in html
    assert page.get(reverse("indicators:effectiveness"), {"year": "x"}).status_code == 400
    # a school's administration sees its own school by name, the others by municipality
    page.force_login(supported["users"]["school"])
    html = page.get(reverse("indicators:effectiveness"), {"year": 2025}).content.decode()
    assert "СОШ № 1" in html and "СОШ № 70" not in html and "школа, Северный район" in html
    chosen = do_create_round(region, 2025, 9, acting_user=user)
    page.force_login(user)
    html = page.get(reverse("indicators:round", args=[chosen.pk])).content.decode()
    assert "Эффективность поддержки: 2025 год" in html and "Сравнение с сопоставимыми" in html
