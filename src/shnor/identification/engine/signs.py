"""Signs of non-objective results: one block of the engine, `objectivity_sign`.

Each sign measures a school in groups — a procedure's year × kind × subject × grade, or for the
ОГЭ a cohort — and compares it with the region's figure for the same group, computed from every
school of the region (papers and task shares cover the whole region, also when a run evaluates
one municipality). A school shows a sign when any of its groups with at least
`min_participants` participants does; smaller groups are named as left out, and a school without
the data a sign needs is told which data it waits for.

Figures are shares (0..1) inside and percentages (points) in the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shnor.identification.engine.blocks import (
    EPSILON,
    EVIDENCE_COLUMNS,
    compare,
    excluded,
    joined,
    procedure_name,
    selection,
    shown,
)
from shnor.identification.engine.definition import SIGNS
from shnor.identification.engine.inputs import Inputs, frame

GROUP = ["year", "kind", "subject", "grade"]
# the level of a catalogue task counted as easy; the others (повышенный, высокий) as hard
EASY_LEVEL = "базовый"
# a total score is taken as a mark's boundary where at least half the region's papers with that
# total got the mark or higher (robust to a few papers marked off the scale)
BOUNDARY_MAJORITY = 0.5


def papers(inputs: Inputs) -> pl.LazyFrame:
    return (inputs.papers if inputs.papers is not None else frame("papers")).lazy()


def tasks(inputs: Inputs) -> pl.LazyFrame:
    return (inputs.tasks if inputs.tasks is not None else frame("tasks")).lazy()


def marked_papers(spec: dict[str, Any], inputs: Inputs, years: list[int]) -> pl.LazyFrame:
    return papers(inputs).filter(
        selection(spec.get("select", {}))
        & pl.col("year").is_in(years)
        & pl.col("mark").is_not_null()
    )


def pct(expr: pl.Expr) -> pl.Expr:
    return shown(expr, 100)


def significant(excess: pl.Expr, spread: pl.Expr, z: float) -> pl.Expr:
    """The excess is at least `z` standard errors (`spread`): with classes of 10–50 papers a
    share moves by 10–20 points by chance alone, and the demo's 300 schools showed 40 schools
    «with signs» on the thresholds alone, 5 with `z` = 3."""
    return excess >= z * spread - EPSILON


def binomial_spread(share: pl.Expr, n: pl.Expr) -> pl.Expr:
    """The standard error of a share of n papers when the region's share is `share`."""
    return (share * (1 - share) / n).sqrt()


def exceeds(spec: dict[str, Any], value: pl.Expr, reference: pl.Expr, threshold: float) -> pl.Expr:
    """The school's share above the region's by `threshold` and by `z` standard errors."""
    excess = value - reference
    return compare(excess, ">=", threshold) & significant(
        excess, binomial_spread(reference, pl.col("n")), float(spec.get("z", 0))
    )


# -- the signs: each returns groups (school_id, name, n, value, reference, triggered, note) ---


def top_marks(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """The share of «5» in the school's group above the region's by `threshold` or more."""
    per = (
        marked_papers(spec, inputs, [year])
        .group_by("school_id", *GROUP)
        .agg(n=pl.len(), hits=(pl.col("mark") == 5).sum())
    )
    region = per.group_by(GROUP).agg(reference=pl.col("hits").sum() / pl.col("n").sum())
    return (
        per.join(region, on=GROUP)
        .with_columns(value=pl.col("hits") / pl.col("n"))
        .with_columns(
            triggered=exceeds(spec, pl.col("value"), pl.col("reference"), spec["threshold"]),
            name=procedure_name(),
            note=pl.format(
                "{}: «5» у {}% ({} из {}) при {}% по региону",
                procedure_name(),
                pct(pl.col("value")),
                "hits",
                "n",
                pct(pl.col("reference")),
            ),
        )
    )


def boundaries(marked: pl.LazyFrame) -> pl.LazyFrame:
    """Per group and mark 3, 4, 5: the lowest total at which the region's papers mostly got that
    mark or higher — kept only where some lower total mostly did not, so a boundary is seen in
    the data rather than assumed."""
    by_total = marked.group_by(*GROUP, "total").agg(
        n=pl.len(), **{f"m{m}": (pl.col("mark") >= m).sum() for m in (3, 4, 5)}
    )
    per_mark = [
        by_total.with_columns(reached=pl.col(f"m{m}") >= BOUNDARY_MAJORITY * pl.col("n"))
        .group_by(GROUP)
        .agg(
            boundary=pl.col("total").filter(pl.col("reached")).min(),
            lowest_short=pl.col("total").filter(~pl.col("reached")).min(),
        )
        .filter(pl.col("lowest_short") < pl.col("boundary"))
        .select(*GROUP, "boundary", mark=pl.lit(m, pl.Int16))
        for m in (3, 4, 5)
    ]
    return pl.concat(per_mark)


def boundary_peaks(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """The share of papers whose total sits on a mark's boundary or less than `width` points
    above it, above the region's share by `threshold` or more: totals pulled over a boundary."""
    width = float(spec.get("width", 2))
    marked = marked_papers(spec, inputs, [year]).filter(pl.col("total").is_not_null())
    distance = pl.col("total") - pl.col("boundary")
    per_paper = (
        marked.with_row_index("paper")
        .join(boundaries(marked), on=GROUP, how="left")
        .group_by("paper", "school_id", *GROUP)
        .agg(
            near=((distance >= -EPSILON) & (distance < width - EPSILON)).any(),
            below=((distance < -EPSILON) & (distance >= -width - EPSILON)).any(),
        )
    )
    per = per_paper.group_by("school_id", *GROUP).agg(
        n=pl.len(), near=pl.col("near").sum(), below=pl.col("below").sum()
    )
    region = per.group_by(GROUP).agg(reference=pl.col("near").sum() / pl.col("n").sum())
    return (
        per.join(region, on=GROUP)
        .with_columns(value=pl.col("near") / pl.col("n"))
        .with_columns(
            triggered=exceeds(spec, pl.col("value"), pl.col("reference"), spec["threshold"]),
            name=procedure_name(),
            note=pl.format(
                "{}: на границе отметки или менее чем на {} б. выше — {}% работ ({} из {}) при "
                "{}% по региону; на 1–{} б. ниже границы — {}",
                procedure_name(),
                pl.lit(f"{width:g}".replace(".", ",")),
                pct(pl.col("value")),
                "near",
                "n",
                pct(pl.col("reference")),
                pl.lit(f"{width:g}".replace(".", ",")),
                "below",
            ),
        )
    )


def level_shares(rows: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Per keys: the share of the easy and of the hard tasks' points attained."""
    easy = pl.col("level") == EASY_LEVEL
    points = pl.col("done") * pl.col("max_score")
    return rows.group_by(keys).agg(
        n=pl.col("participants").max(),
        easy=points.filter(easy).sum() / pl.col("max_score").filter(easy).sum(),
        hard=points.filter(~easy).sum() / pl.col("max_score").filter(~easy).sum(),
    )


def easy_vs_hard(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """Basic tasks done worse than the harder ones by more than `threshold` (share of points) —
    the reverse of any honest paper, where the region does the basic tasks far better."""
    rows = tasks(inputs).filter(
        selection(spec.get("select", {}))
        & (pl.col("year") == year)
        & (pl.col("participants") > 0)
        & pl.col("done").is_not_null()
    )
    per = level_shares(rows, ["school_id", *GROUP])
    region = level_shares(
        rows.group_by(*GROUP, "task", "level", "max_score").agg(
            participants=pl.col("participants").sum(),
            done=(pl.col("done") * pl.col("participants")).sum() / pl.col("participants").sum(),
        ),
        GROUP,
    ).select(*GROUP, region_easy="easy", region_hard="hard")
    return (
        per.filter(pl.col("easy").is_not_null() & pl.col("hard").is_not_null())
        .join(region, on=GROUP)
        .with_columns(
            value=pl.col("hard") - pl.col("easy"),
            reference=pl.col("region_hard") - pl.col("region_easy"),
        )
        .with_columns(
            triggered=compare(pl.col("value"), ">", spec["threshold"]),
            name=procedure_name(),
            note=pl.format(
                "{}: базовые задания выполнены на {}%, повышенного и высокого уровня — на {}% "
                "(по региону {}% и {}%)",
                procedure_name(),
                pct(pl.col("easy")),
                pct(pl.col("hard")),
                pct(pl.col("region_easy")),
                pct(pl.col("region_hard")),
            ),
        )
    )


def history_jump(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """The share of «4» and «5» against the region's, this year against the same kind, subject
    and grade in the school's earlier years (up to `years` back): a rise of the gap by
    `threshold` or more. Comparing gaps cancels a year's easier or harder paper."""
    back = int(spec.get("years", 1))
    minimum = int(spec["min_participants"])
    per = (
        marked_papers(spec, inputs, list(range(year - back, year + 1)))
        .group_by("school_id", *GROUP)
        .agg(n=pl.len(), good=(pl.col("mark") >= 4).sum())
    )
    region = per.group_by(GROUP).agg(region=pl.col("good").sum() / pl.col("n").sum())
    per = per.join(region, on=GROUP).with_columns(
        quality=pl.col("good") / pl.col("n"),
        gap=pl.col("good") / pl.col("n") - pl.col("region"),
    )
    same = ["school_id", "kind", "subject", "grade"]
    before = (
        per.filter((pl.col("year") < year) & (pl.col("n") >= minimum))
        .group_by(same)
        .agg(
            gap_before=pl.col("gap").mean(),
            quality_before=pl.col("quality").mean(),
            n_before=pl.col("n").sum(),
            first=pl.col("year").min(),
            last=pl.col("year").max(),
        )
    )
    years_before = (
        pl.when(pl.col("first") == pl.col("last"))
        .then(pl.col("first").cast(pl.Utf8))
        .otherwise(pl.format("{}–{}", "first", "last"))
    )
    return (
        per.filter(pl.col("year") == year)
        .join(before, on=same)
        .with_columns(
            value=pl.col("gap") - pl.col("gap_before"), reference=pl.col("quality_before")
        )
        .with_columns(
            # the change of a share between this year's n papers and the earlier years'
            triggered=compare(pl.col("value"), ">=", spec["threshold"])
            & significant(
                pl.col("value"),
                (
                    pl.col("region")
                    * (1 - pl.col("region"))
                    * (1 / pl.col("n") + 1 / pl.col("n_before"))
                ).sqrt(),
                float(spec.get("z", 0)),
            ),
            name=procedure_name(),
            note=pl.format(
                "{}: «4» и «5» у {}% при {}% в {}; отрыв от региона вырос на {} п. п.",
                procedure_name(),
                pct(pl.col("quality")),
                pct(pl.col("quality_before")),
                years_before,
                pct(pl.col("value")),
            ),
        )
    )


def journal_marks(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """ВПР marks against the journal's for the previous term: the share who «повысили» above
    the region's by `threshold`, or who «понизили» above it by `lowered` (journal marks the
    paper does not bear out). Papers without a journal mark are not counted."""
    per = (
        marked_papers(spec, inputs, [year])
        .filter(pl.col("journal_mark").is_not_null())
        .group_by("school_id", *GROUP)
        .agg(
            n=pl.len(),
            raised=(pl.col("mark") > pl.col("journal_mark")).sum(),
            lowered=(pl.col("mark") < pl.col("journal_mark")).sum(),
        )
    )
    region = per.group_by(GROUP).agg(
        reference=pl.col("raised").sum() / pl.col("n").sum(),
        region_lowered=pl.col("lowered").sum() / pl.col("n").sum(),
    )
    return (
        per.join(region, on=GROUP)
        .with_columns(
            value=pl.col("raised") / pl.col("n"), share_lowered=pl.col("lowered") / pl.col("n")
        )
        .with_columns(
            triggered=exceeds(spec, pl.col("value"), pl.col("reference"), spec["threshold"])
            | exceeds(
                spec,
                pl.col("share_lowered"),
                pl.col("region_lowered"),
                float(spec.get("lowered", 1)),
            ),
            name=procedure_name(),
            note=pl.format(
                "{}: повысили {}% ({} из {}), понизили {}% ({}) при {}% и {}% по региону",
                procedure_name(),
                pct(pl.col("value")),
                "raised",
                "n",
                pct(pl.col("share_lowered")),
                "lowered",
                pct(pl.col("reference")),
                pct(pl.col("region_lowered")),
            ),
        )
    )


def oge_gap(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """The same cohort at the ОГЭ: its share below the minimum against the region's, minus its
    ВПР share of «2» against the region's `cohort.later` years earlier — a school whose ВПР
    looked far better than its ОГЭ by `threshold` or more."""
    cohort = spec["cohort"]
    earlier = year - int(cohort["later"])
    rows = inputs.results.lazy().filter(
        (pl.col("participants") > 0) & pl.col("below_min").is_not_null()
    )

    def stage(kind: str, grade: int, at: int, prefix: str) -> pl.LazyFrame:
        chosen = rows.filter(
            (pl.col("kind").cast(pl.Utf8) == kind)
            & (pl.col("grade") == grade)
            & (pl.col("year") == at)
        ).with_columns(subject=pl.col("subject").cast(pl.Utf8))
        region = chosen.group_by("subject").agg(
            region=pl.col("below_min").sum() / pl.col("participants").sum()
        )
        return chosen.join(region, on="subject").select(
            "school_id",
            "subject",
            pl.col("participants").alias(f"{prefix}_n"),
            (pl.col("below_min") / pl.col("participants")).alias(prefix),
            pl.col("region").alias(f"{prefix}_region"),
        )

    vpr = stage(cohort["from_kind"], int(cohort["from_grade"]), earlier, "vpr")
    oge = stage(cohort["to_kind"], int(cohort["to_grade"]), year, "oge")
    return (
        vpr.join(oge, on=["school_id", "subject"])
        .with_columns(
            n=pl.min_horizontal("vpr_n", "oge_n"),
            value=(pl.col("oge") - pl.col("oge_region")) - (pl.col("vpr") - pl.col("vpr_region")),
            reference=pl.col("oge_region"),
        )
        .with_columns(
            triggered=compare(pl.col("value"), ">=", spec["threshold"])
            & significant(
                pl.col("value"),
                (
                    binomial_spread(pl.col("oge_region"), pl.col("oge_n")) ** 2
                    + binomial_spread(pl.col("vpr_region"), pl.col("vpr_n")) ** 2
                ).sqrt(),
                float(spec.get("z", 0)),
            ),
            name=pl.format(
                "{} {} {} кл. ({}) → {} {} кл. ({})",
                pl.lit(cohort["from_kind"]),
                "subject",
                pl.lit(cohort["from_grade"]),
                pl.lit(earlier),
                pl.lit(cohort["to_kind"]),
                pl.lit(cohort["to_grade"]),
                pl.lit(year),
            ),
        )
        .with_columns(
            note=pl.format(
                "{}: «2» на ВПР {}% при {}% по региону, ниже порога на ОГЭ {}% при {}% по "
                "региону; расхождение {} п. п.",
                "name",
                pct(pl.col("vpr")),
                pct(pl.col("vpr_region")),
                pct(pl.col("oge")),
                pct(pl.col("oge_region")),
                pct(pl.col("value")),
            )
        )
    )


def waiting_for(spec: dict[str, Any], year: int) -> str:
    """What a school without any group of this sign lacks, in words."""
    sign = spec["sign"]
    kinds = ", ".join(spec.get("select", {}).get("kinds") or ["ВПР"])
    if sign == "easy_vs_hard":
        return f"нет данных: нужно выполнение заданий {kinds} {year} года с уровнями заданий"
    if sign == "history_jump":
        back = int(spec.get("years", 1))
        return f"нет данных: нужны работы {kinds} тех же классов за {year - back}–{year - 1}"
    if sign == "journal_marks":
        return f"нет данных: нужны работы {kinds} {year} года с отметками журнала"
    if sign == "oge_gap":
        cohort = spec["cohort"]
        earlier = year - int(cohort["later"])
        return (
            f"нет данных: нужны {cohort['from_kind']} {cohort['from_grade']} кл. за {earlier} "
            f"и {cohort['to_kind']} {cohort['to_grade']} кл. за {year} по тому же предмету"
        )
    return f"нет данных: нужны работы {kinds} {year} года (баллы и отметки)"


def window(spec: dict[str, Any], year: int) -> str:
    """The years a sign reads."""
    if spec["sign"] == "history_jump":
        return f"{year - int(spec.get('years', 1))}–{year}"
    if spec["sign"] == "oge_gap":
        return f"{year - int(spec['cohort']['later'])}–{year}"
    return str(year)


SIGN_FUNCTIONS: dict[str, Callable[[dict[str, Any], int, Inputs], pl.LazyFrame]] = {
    "top_marks": top_marks,
    "boundary_peaks": boundary_peaks,
    "easy_vs_hard": easy_vs_hard,
    "history_jump": history_jump,
    "journal_marks": journal_marks,
    "oge_gap": oge_gap,
}


def objectivity_sign(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """Evidence rows of one sign: applicable where a group reached the minimum, triggered where
    such a group shows the sign; value and reference are those of the school's most marked
    group, in percent."""
    minimum = max(1, int(spec["min_participants"]))
    enough = pl.col("n") >= minimum
    groups = SIGN_FUNCTIONS[spec["sign"]](spec, year, inputs)
    per_school = (
        groups.with_columns(enough=enough, shows=enough & pl.col("triggered"))
        .sort("school_id", "name")
        .group_by("school_id")
        .agg(
            applicable=pl.col("enough").any(),
            triggered=pl.col("shows").any(),
            checked=pl.col("enough").sum(),
            value=pl.col("value").filter(pl.col("enough")).max(),
            reference=pl.col("reference")
            .filter(pl.col("enough"))
            .sort_by(pl.col("value").filter(pl.col("enough")))
            .last(),
            found=pl.col("note").filter(pl.col("shows")),
            left_out=pl.format("{} — {}", "name", excluded(pl.col("n"), minimum)).filter(
                ~pl.col("enough")
            ),
        )
        .with_columns(found=joined("found", "; "), left_out=joined("left_out", "; "))
    )
    detail = pl.concat_str(
        pl.when(pl.col("found") != "")
        .then(pl.col("found"))
        .when(pl.col("applicable"))
        .then(pl.format("признака нет (проверено групп: {})", "checked")),
        pl.when(pl.col("left_out") != "").then(pl.col("left_out")),
        separator="; ",
        ignore_nulls=True,
    )
    return (
        inputs.schools.lazy()
        .select("school_id")
        .join(per_school, on="school_id", how="left")
        .with_columns(
            applicable=pl.col("applicable").fill_null(False),
            triggered=pl.col("triggered").fill_null(False),
            value=pl.col("value") * 100,
            reference=pl.col("reference") * 100,
            threshold=pl.lit(float(spec["threshold"]) * 100),
            compare=pl.lit(SIGNS[spec["sign"]]),
            window=pl.lit(window(spec, year)),
            detail=pl.when(pl.col("applicable").is_null())
            .then(pl.lit(waiting_for(spec, year)))
            .otherwise(detail),
        )
        .select(EVIDENCE_COLUMNS)
    )
