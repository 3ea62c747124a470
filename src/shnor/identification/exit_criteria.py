"""Exit from the list, judged at every run by the exit criteria of the run's definition
(`exit`: consecutive years outside the list and an improvement beyond a margin), and each
listed school's forecast from its own trend.

A school is judged when it is in the list of the run or was in one of the `LOOKBACK` years
before it (the latest run of each year of the same methodology and territory). Its states:
- «вышла из списка устойчиво»: outside the list in `years_outside` consecutive yearly lists up
  to the run's year, and its share of «2» / below the minimum (assessments/outcomes.py) lower
  than in its last listed year by at least `margin` percentage points;
- «на пути к выходу»: outside the list but not yet for long enough or not by enough, with the
  share lower than in the last listed year; or still in the list with the share already lower
  by the margin than when it entered;
- «без изменений»: the rest.
A year without a list of the methodology, or with «недостаточно данных», breaks the run of
years outside: it cannot be confirmed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from django.db.models import Q
from scipy.stats import t as student_t

from shnor.assessments.outcomes import school_outcomes
from shnor.identification.choices import LISTED, ExitState, Status
from shnor.identification.engine.definition import exit_rule
from shnor.identification.models import ExitEvaluation, Run, SchoolStatus

LOOKBACK = 3  # years before the run whose listed schools are followed
TREND_YEARS = 5  # years of a school's outcome its trend is fitted on
MIN_TREND_YEARS = 3  # two points make a line but no interval
FORECAST_LEVEL = 0.8  # the prediction interval, as the resilience model's (risks/resilience.py)
OUTSIDE = (Status.NONE, Status.RISK_ZONE)


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float
    high: float
    years: int


@cache
def t_quantile(freedom: int) -> float:
    return float(student_t.ppf((1 + FORECAST_LEVEL) / 2, freedom))


def trend_forecast(points: dict[int, float], target: int) -> Forecast | None:
    """The school's yearly outcome on the year by least squares, predicted for `target` with
    its 80% prediction interval, kept within 0–100 (a share); None with fewer than three years.
    The textbook formulas of a straight line (the same numbers as statsmodels' OLS
    `get_prediction`, tests/test_effectiveness.py): statsmodels took 3 ms a school, a run
    follows thousands of schools in a large region."""
    if len(points) < MIN_TREND_YEARS:
        return None
    years = np.array(sorted(points), dtype=float)
    values = np.array([points[int(y)] for y in years])
    n, centre = len(years), years.mean()
    spread = ((years - centre) ** 2).sum()
    slope = ((years - centre) * (values - values.mean())).sum() / spread
    predicted = values.mean() + slope * (target - centre)
    residual = values - values.mean() - slope * (years - centre)
    sigma = math.sqrt((residual**2).sum() / (n - 2))
    error = sigma * math.sqrt(1 + 1 / n + (target - centre) ** 2 / spread)
    half = t_quantile(n - 2) * error

    def clip(value: float) -> float:
        return float(min(100.0, max(0.0, value)))

    return Forecast(clip(predicted), clip(predicted - half), clip(predicted + half), n)


def judge(
    history: dict[int, str],
    outcomes: dict[int, float],
    year: int,
    rule: dict[str, Any],
) -> dict[str, Any] | None:
    """One school's exit state at `year`. history: status per year (the years with a list);
    outcomes: share of «2» per year. None if the school was in none of the lists."""
    listed_years = [y for y, status in history.items() if status == LISTED and y <= year]
    if not listed_years:
        return None
    now = outcomes.get(year)
    if history.get(year) == LISTED:
        entered = year
        while history.get(entered - 1) == LISTED:
            entered -= 1
        change = None if now is None or entered not in outcomes else outcomes[entered] - now
        on_way = change is not None and change >= rule["margin"] and entered < year
        return {
            "state": ExitState.ON_THE_WAY if on_way else ExitState.NO_CHANGE,
            "listed_year": year,
            "years_outside": 0,
            "change": change,
            "outcome": now,
        }
    last = max(listed_years)
    outside = 0
    while history.get(year - outside) in OUTSIDE:
        outside += 1
    change = None if now is None or last not in outcomes else outcomes[last] - now
    if outside >= rule["years_outside"] and change is not None and change >= rule["margin"]:
        state = ExitState.SUSTAINED
    elif outside >= 1 and change is not None and change > 0:
        state = ExitState.ON_THE_WAY
    else:
        state = ExitState.NO_CHANGE
    return {
        "state": state,
        "listed_year": last,
        "years_outside": outside,
        "change": change,
        "outcome": now,
    }


def yearly_lists(run: Run) -> dict[int, dict[int, str]]:
    """Status per school in the run and in the latest run of each of the years before it, of
    the same methodology and territory."""
    same = Run.objects.filter(
        Q(pk=run.pk)
        | Q(
            methodology__code=run.methodology.code,  # type: ignore[union-attr]
            region=run.region_id,
            municipality=run.municipality_id,
            year__gte=run.year - LOOKBACK,
            year__lt=run.year,
        )
    ).order_by("year", "created")
    chosen = {r.year: r.pk for r in same}  # the latest of each year wins
    chosen[run.year] = run.pk
    return {
        year: dict(SchoolStatus.objects.filter(run_id=run_id).values_list("school_id", "status"))
        for year, run_id in chosen.items()
    }


def evaluate_exits(run: Run) -> list[ExitEvaluation]:
    """The exit evaluations of a methodology run (unsaved)."""
    if run.methodology_id is None:
        return []
    rule = exit_rule(run.definition)
    lists = yearly_lists(run)
    followed = {
        s for statuses in lists.values() for s, status in statuses.items() if status == LISTED
    }
    if not followed:
        return []
    frame = school_outcomes(run.year - TREND_YEARS + 1, run.year, followed)
    outcomes: dict[int, dict[int, float]] = {}
    for row in frame.drop_nulls("share_low").iter_rows(named=True):
        outcomes.setdefault(row["school_id"], {})[row["year"]] = row["share_low"]
    evaluations = []
    for school_id in sorted(followed):
        history = {
            year: statuses[school_id] for year, statuses in lists.items() if school_id in statuses
        }
        own = outcomes.get(school_id, {})
        judged = judge(history, own, run.year, rule)
        if judged is None:
            continue
        forecast = trend_forecast(own, run.year + 1)
        evaluations.append(
            ExitEvaluation(
                run=run,
                school_id=school_id,
                **judged,
                forecast=forecast.value if forecast else None,
                forecast_low=forecast.low if forecast else None,
                forecast_high=forecast.high if forecast else None,
                trend_years=forecast.years if forecast else len(own),
            )
        )
    return evaluations


def store_exits(run: Run) -> None:
    """Inside the run's transaction (identification/actions.py)."""
    ExitEvaluation.objects.bulk_create(evaluate_exits(run), batch_size=2000)


def rule_text(definition: dict[str, Any]) -> str:
    """The exit criteria in words, for pages and documents."""
    rule = exit_rule(definition)
    margin = f"{float(rule['margin']):g}".replace(".", ",")
    return (
        f"Выход устойчивый, если школы нет в списке {rule['years_outside']} "
        f"{'год' if rule['years_outside'] == 1 else 'года' if rule['years_outside'] < 5 else 'лет'}"
        f" подряд и её доля «2» / не преодолевших минимальный порог ниже, чем в последний год в "
        f"списке, не меньше чем на {margin}\u00a0п.\u00a0п.; прогноз на следующий год — по "
        f"линейному тренду школы за {TREND_YEARS} лет с интервалом, в который результат попадёт "
        f"с вероятностью {int(FORECAST_LEVEL * 100)}%."
    )


def run_exits(run: Run, user: Any) -> list[ExitEvaluation]:
    """The run's exit evaluations the user may see: those on the way out first."""
    order = {state: n for n, state in enumerate(ExitState.values)}
    rows = (
        ExitEvaluation.objects.restrict(user)
        .filter(run=run)
        .select_related("school__municipality")
        .order_by("school__municipality__name", "school__name")
    )
    return sorted(rows, key=lambda e: order[e.state])


def state_counts(exits: list[ExitEvaluation]) -> list[tuple[str, int]]:
    """(label, number of schools) for every exit state, in the order of ExitState."""
    return [
        (label, sum(1 for e in exits if e.state == state)) for state, label in ExitState.choices
    ]
