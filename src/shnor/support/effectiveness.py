"""Did the support work? Schools supported in a year against comparable schools that were not.

A school listed after a bad year improves the next year on average whatever is done
(regression to the mean), so the supported schools' own change mixes the effect of support
with it. Here each school supported in year Y (a programme in force, a curator or a partner) is
matched to the most similar school of the region not supported in the years around Y, on what
led to listing and on its conditions, and the change of each outcome from the year before
(Y−1) to the years after (Y and Y+1, those already loaded) is compared: a difference in
differences over the matched pairs with its 95% confidence interval.

Matching (the choice): nearest neighbour with replacement (scikit-learn `NearestNeighbors`) on
standardised covariates — the share of «2» in Y−1 and Y−2 and the mean mark in Y−1 (the results
that led to listing), the social index, the size (log of students), rural or urban and the
school type — with a caliper: a pair whose root-mean-square difference over the covariates is
above half a standard deviation is dropped rather than compared with an unlike school. A
propensity model would fold the same covariates into one score; with a few dozen supported
schools the direct distance is easier to check and to explain. The interval: OLS of the pair
differences on a constant with standard errors clustered by the control school (statsmodels),
since one control may stand for several supported schools.

The measures that worked are described, not proven: for each typical measure of the library,
the pairs whose supported school carried it out, against their matched schools."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
import statsmodels.api as sm
from sklearn.neighbors import NearestNeighbors

from shnor.assessments.models import Result
from shnor.assessments.outcomes import LOWER_IS_BETTER, OUTCOMES, school_outcomes
from shnor.core.derived import derived_from
from shnor.registry.models import Municipality, School, SchoolContext
from shnor.risks.facts import facts
from shnor.risks.social import social_index
from shnor.support.choices import MeasureStatus
from shnor.support.library import library
from shnor.support.models import CuratorAssignment, Measure, Partnership, Programme

MIN_PAIRS = 10  # fewer matched pairs than this: no conclusion is drawn
CALIPER = 0.5  # largest root-mean-square standardised difference of a pair
CONFIDENCE = 0.95
POST_YEARS = 2  # Y and Y+1
AROUND = 2  # a school supported within this many years of Y is no control
SUPPORT_KINDS = {
    "programme": "программа поддержки",
    "curator": "куратор",
    "partner": "школа-партнёр или наставник",
}
CONTINUOUS = ["share_low_1", "share_low_2", "mean_mark_1", "social_index", "log_students"]
CAUTION = (
    "Это описание, а не доказательство причинной связи: школы сами выбирали меры, и те, кто "
    "выполнил меру, могли отличаться и в другом."
)
SKILLS_NOTE = (
    "Западающие умения (результаты по заданиям) в сравнение пока не входят: сравниваются доля "
    "«2» / не преодолевших минимальный порог и средняя отметка."
)


@dataclass(frozen=True)
class Pair:
    supported: int
    control: int
    distance: float  # root-mean-square standardised difference over the covariates


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float | None
    high: float | None
    n: int


@dataclass(frozen=True)
class OutcomeEffect:
    outcome: str
    label: str
    pairs: int
    supported_before: float | None
    supported_after: float | None
    control_before: float | None
    control_after: float | None
    naive: Estimate | None  # the supported schools' own change
    did: Estimate | None  # their change minus their matched schools'
    conclusion: str


@dataclass(frozen=True)
class MeasureEffect:
    code: str
    text: str
    schools: int  # supported schools that carried it out
    pairs: int
    did: Estimate | None


@dataclass
class Comparison:
    year: int
    supported: int  # schools supported in the year, in the territory
    kinds: dict[str, int]  # how many of them by kind of support
    with_data: int  # of them with results before and after
    candidates: int  # schools of the region not supported, with results before and after
    pairs: list[Pair]
    effects: list[OutcomeEffect]
    measures: list[MeasureEffect] = field(default_factory=list)
    # per school: outcome → (before, after), for the tables of pairs
    values: dict[int, dict[str, tuple[float | None, float | None]]] = field(default_factory=dict)

    @property
    def unmatched(self) -> int:
        return self.with_data - len(self.pairs)


def pairs_phrase(n: int) -> str:
    """«по 1 паре школ», «по 7 парам школ»: the dative the conclusions read with."""
    return f"по {n} {'паре' if n % 10 == 1 and n % 100 != 11 else 'парам'} школ"


def number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",").replace("-", "−")


def estimate(differences: np.ndarray, clusters: np.ndarray) -> Estimate | None:
    """Mean with its 95% interval: OLS on a constant, errors clustered (t with clusters − 1)."""
    n = len(differences)
    if n == 0:
        return None
    mean = float(differences.mean())
    if n < 2 or len(set(clusters.tolist())) < 2:
        return Estimate(mean, None, None, n)
    if np.allclose(differences, mean):
        return Estimate(mean, mean, mean, n)
    fit = sm.OLS(differences, np.ones(n)).fit(
        cov_type="cluster", cov_kwds={"groups": clusters}, use_t=True
    )
    low, high = fit.conf_int(alpha=1 - CONFIDENCE)[0]
    return Estimate(mean, float(low), float(high), n)


def conclusion(outcome: str, did: Estimate | None, naive: Estimate | None) -> str:
    label = OUTCOMES[outcome]
    n = did.n if did else 0
    if n < MIN_PAIRS:
        return f"{label}: {pairs_phrase(n)} нельзя сделать вывод — нужно не меньше {MIN_PAIRS} пар."
    assert did is not None and did.low is not None and did.high is not None
    interval = f"95% доверительный интервал от {number(did.low)} до {number(did.high)}"
    own = (
        f" Собственное изменение поддержанных школ ({number(naive.value)}) включает и возврат "
        "к среднему: в список попадают после неудачного года."
        if naive
        else ""
    )
    better = -1 if LOWER_IS_BETTER[outcome] else 1
    if did.low <= 0 <= did.high:
        return (
            f"{label}: разница с сопоставимыми школами {number(did.value)} ({interval}, "
            f"{n} пар) не отличается от нуля — нельзя утверждать, что поддержка изменила этот "
            f"результат.{own}"
        )
    side = "лучше" if did.value * better > 0 else "хуже"
    return (
        f"{label}: поддержанные школы изменились {side} сопоставимых на {number(abs(did.value))}"
        f" ({interval}, {n} пар).{own}"
    )


def wide_outcomes(outcomes: pl.DataFrame, year: int) -> pl.DataFrame:
    """Per school: each outcome in Y−1 (`<o>_1`, «before»), Y−2 (`<o>_2`) and its mean over the
    years after (`<o>_after`)."""
    columns = []
    for name in OUTCOMES:
        columns += [
            pl.col(name).filter(pl.col("year") == year - 1).first().alias(f"{name}_1"),
            pl.col(name).filter(pl.col("year") == year - 2).first().alias(f"{name}_2"),
            pl.col(name)
            .filter(pl.col("year").is_between(year, year + POST_YEARS - 1))
            .mean()
            .alias(f"{name}_after"),
        ]
    return outcomes.group_by("school_id").agg(columns)


def covariates(frame: pl.DataFrame) -> np.ndarray:
    """Standardised continuous covariates (a missing one at the mean) and 0/1 indicators of
    rural and of each school type."""
    parts = []
    for name in CONTINUOUS:
        column = frame[name].cast(pl.Float64)
        mean = column.mean()
        filled = column.fill_null(mean if mean is not None else 0.0).to_numpy()
        spread = filled.std()
        parts.append((filled - filled.mean()) / spread if spread > 0 else np.zeros(len(filled)))
    parts.append(frame["rural"].fill_null(0).cast(pl.Float64).to_numpy())
    kinds = frame["kind"].fill_null("").to_list()
    for kind in sorted(set(kinds)):
        parts.append(np.array([float(k == kind) for k in kinds]))
    return np.column_stack(parts)


def compare(
    outcomes: pl.DataFrame,
    schools: pl.DataFrame,
    supported: Collection[int],
    excluded: Collection[int],
    year: int,
    done: dict[int, set[str]] | None = None,
) -> Comparison:
    """outcomes: school_id, year, share_low, mean_mark (assessments/outcomes.py); schools:
    school_id, social_index, students, rural, kind; supported: the schools supported in the
    year (of the territory compared); excluded: schools supported around it, never controls;
    done: per supported school, the codes of the library's measures it carried out."""
    wide = wide_outcomes(outcomes, year).join(schools, on="school_id", how="inner")
    wide = wide.with_columns(
        log_students=pl.col("students").cast(pl.Float64).log1p(),
        share_low_2=pl.coalesce("share_low_2", "share_low_1"),
    ).filter(pl.col("share_low_1").is_not_null() & pl.col("share_low_after").is_not_null())
    is_supported = pl.col("school_id").is_in(list(supported))
    never = ~pl.col("school_id").is_in(list(set(excluded) | set(supported)))
    frame = wide.filter(is_supported | never).sort("school_id")
    treated_mask = frame["school_id"].is_in(list(supported)).to_numpy()
    values = {
        row["school_id"]: {name: (row[f"{name}_1"], row[f"{name}_after"]) for name in OUTCOMES}
        for row in frame.iter_rows(named=True)
    }
    comparison = Comparison(
        year=year,
        supported=len(set(supported)),
        kinds={},
        with_data=int(treated_mask.sum()),
        candidates=int((~treated_mask).sum()),
        pairs=[],
        effects=[],
        values=values,
    )
    if comparison.with_data and comparison.candidates:
        matrix = covariates(frame)
        ids = frame["school_id"].to_numpy()
        finder = NearestNeighbors(n_neighbors=1).fit(matrix[~treated_mask])
        distances, found = finder.kneighbors(matrix[treated_mask])
        controls = ids[~treated_mask]
        scale = math.sqrt(matrix.shape[1])
        comparison.pairs = [
            Pair(int(s), int(controls[f[0]]), float(d[0] / scale))
            for s, f, d in zip(ids[treated_mask], found, distances, strict=True)
            if d[0] / scale <= CALIPER
        ]
    comparison.effects = [outcome_effect(comparison, name) for name in OUTCOMES]
    comparison.measures = measure_effects(comparison, done or {})
    return comparison


def paired(comparison: Comparison, name: str, pairs: list[Pair]) -> list[tuple[Pair, float, float]]:
    """(pair, supported change, control change) for the pairs with the outcome on both sides."""
    rows = []
    for pair in pairs:
        (sb, sa), (cb, ca) = (
            comparison.values[pair.supported][name],
            comparison.values[pair.control][name],
        )
        if None not in (sb, sa, cb, ca):
            rows.append((pair, sa - sb, ca - cb))  # type: ignore[operator]
    return rows


def outcome_effect(comparison: Comparison, name: str) -> OutcomeEffect:
    rows = paired(comparison, name, comparison.pairs)
    own = np.array([s for _, s, _ in rows])
    differences = np.array([s - c for _, s, c in rows])
    supported_ids = np.array([p.supported for p, _, _ in rows])
    control_ids = np.array([p.control for p, _, _ in rows])
    naive = estimate(own, supported_ids)
    did = estimate(differences, control_ids)

    def mean_of(side: str, position: int) -> float | None:
        found = [comparison.values[getattr(p, side)][name][position] for p, _, _ in rows]
        return float(np.mean(found)) if found else None  # type: ignore[arg-type]

    return OutcomeEffect(
        outcome=name,
        label=OUTCOMES[name],
        pairs=len(rows),
        supported_before=mean_of("supported", 0),
        supported_after=mean_of("supported", 1),
        control_before=mean_of("control", 0),
        control_after=mean_of("control", 1),
        naive=naive,
        did=did,
        conclusion=conclusion(name, did, naive),
    )


def measure_effects(comparison: Comparison, done: dict[int, set[str]]) -> list[MeasureEffect]:
    """Per typical measure carried out by a matched supported school: the pairs' difference in
    the share of «2» (descriptive; see CAUTION)."""
    by_code: dict[str, list[Pair]] = defaultdict(list)
    for pair in comparison.pairs:
        for code in done.get(pair.supported, ()):
            by_code[code].append(pair)
    known = library()
    effects = []
    for code, pairs in by_code.items():
        rows = paired(comparison, "share_low", pairs)
        did = estimate(
            np.array([s - c for _, s, c in rows]), np.array([p.control for p, _, _ in rows])
        )
        effects.append(
            MeasureEffect(
                code=code,
                text=known[code].text if code in known else code,
                schools=len({p.supported for p in pairs}),
                pairs=len(rows),
                did=did,
            )
        )
    return sorted(effects, key=lambda m: (-m.pairs, m.text))


def support_spans(region_id: int) -> list[tuple[int, str, int, int]]:
    """(school, kind of support, first year, last year) of every programme in force, curator
    assignment and partnership of the region's schools."""
    far = date.max.year
    spans = [
        (school, "programme", first, last)
        for school, first, last in Programme.objects.current()
        .filter(school__municipality__region_id=region_id)
        .values_list("school_id", "year_from", "year_to")
    ]
    for model, kind in ((CuratorAssignment, "curator"), (Partnership, "partner")):
        spans += [
            (school, kind, starts.year, ends.year if ends else far)
            for school, starts, ends in model.objects.filter(
                school__municipality__region_id=region_id
            ).values_list("school_id", "starts", "ends")
        ]
    return spans


def supported_in(region_id: int, year: int) -> dict[int, set[str]]:
    """The schools supported in the year, with the kinds of their support."""
    found: dict[int, set[str]] = defaultdict(set)
    for school, kind, first, last in support_spans(region_id):
        if first <= year <= last:
            found[school].add(kind)
    return dict(found)


def carried_out(schools: Collection[int]) -> dict[int, set[str]]:
    """The library measures each school has done (a measure is known by the library's text,
    as the programme builder writes it; measures in a programme's own words are not kinds)."""
    codes = {m.text: m.code for m in library().values()}
    done: dict[int, set[str]] = defaultdict(set)
    rows = Measure.objects.filter(
        programme__in=Programme.objects.current(),
        programme__school__in=list(schools),
        status=MeasureStatus.DONE,
    ).values_list("programme__school_id", "text")
    for school, text in rows:
        if text in codes:
            done[school].add(codes[text])
    return dict(done)


@derived_from(
    Result, School, Municipality, SchoolContext, Programme, Measure, CuratorAssignment, Partnership
)
def comparison(region_id: int, year: int, municipality_id: int | None = None) -> Comparison:
    """The comparison for the schools of the territory whose support began in the year; their
    controls come from the whole region."""
    spans = support_spans(region_id)
    # the cohort whose support began in the year: for a school supported the year before
    # too, «before» would already be under support
    before = supported_in(region_id, year - 1)
    supported = {s: k for s, k in supported_in(region_id, year).items() if s not in before}
    context = social_index(facts(region_id, [year - 1])).select(
        "school_id", "municipality_id", "social_index", "students", "rural", "kind"
    )
    if municipality_id is not None:
        local = set(
            context.filter(pl.col("municipality_id") == municipality_id)["school_id"].to_list()
        )
        supported = {s: k for s, k in supported.items() if s in local}
    excluded = {
        s for s, _, first, last in spans if first <= year + AROUND and last >= year - AROUND
    }
    outcomes = school_outcomes(year - 2, year + POST_YEARS - 1)
    result = compare(
        outcomes,
        context.drop("municipality_id"),
        set(supported),
        excluded,
        year,
        carried_out(supported),
    )
    kinds: dict[str, int] = defaultdict(int)
    for found in supported.values():
        for kind in found:
            kinds[kind] += 1
    result.kinds = {kind: kinds[kind] for kind in SUPPORT_KINDS if kinds[kind]}
    return result
