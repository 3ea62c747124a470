"""Measures: set-based counts per school and year that indicator formulas add up.

`measure_frame(region_id, years)` returns one row per school and year with a column per measure;
a measure the data does not give stays null, and an indicator over it has no value
(«нет данных»), never zero."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import Count, Q

from shnor.core.columnar import read_frame
from shnor.events.coverage import COLUMNS as REGISTER_COLUMNS
from shnor.events.coverage import SCHOOL_PURPOSES, doc_measure, register_measures
from shnor.identification.choices import Movement, Status
from shnor.identification.models import Run
from shnor.risks.deficits import deficit_table
from shnor.risks.facts import facts

GIA = ("ОГЭ", "ЕГЭ")
RUS_MATH = ("Русский язык", "Математика", "Математика профильная", "Математика базовая")

MEASURES: dict[str, str] = {
    "schools": "число школ",
    "listed": "школ в списке ШНОР",
    "listed_before": "школ в списке ШНОР годом ранее",
    "left_list": "школ, вышедших из списка",
    "improved": "школ, где доля «2» / ниже порога снизилась",
    "compared": "школ с результатами в оба года",
    "gia_participants": "участников ГИА (русский язык, математика)",
    "gia_below": "участников ГИА ниже минимального порога",
    "vpr_participants": "участников ВПР (русский язык, математика)",
    "vpr_mark2": "отметок «2» по ВПР",
    "vpr_compared": "участников ВПР со сравнением с журналом",
    "vpr_raised": "повысили отметку по сравнению с журналом",
    "vpr_lowered": "понизили отметку по сравнению с журналом",
    "ege_rus_score": "сумма баллов ЕГЭ по русскому языку",
    "ege_rus_participants": "участников ЕГЭ по русскому языку",
    "ege_math_score": "сумма баллов ЕГЭ по профильной математике",
    "ege_math_participants": "участников ЕГЭ по профильной математике",
    "with_context": "школ с данными о ресурсах",
    "deficit_any": "школ с ресурсными дефицитами",
    "deficit_had": "школ с дефицитами годом ранее",
    "deficit_all_eliminated": "школ, ликвидировавших все дефициты",
    "teachers_total": "педагогов",
    "teachers_with_iom": "педагогов с ИОМ на год",
    "teachers_iom_completed": "педагогов, выполнивших ИОМ",
    "teachers_trained": "педагогов, прошедших ПК за год",
    "teachers_network": "педагогов в региональных сетевых объединениях",
    "teachers_asset": "педагогов в региональном методическом активе",
    "with_partner": "школ со школой-лидером или наставником",
    "with_programme": "школ с программой повышения качества",
    # from the events and documents registers (events/coverage.py)
    "teachers_in_events": "педагогов — участников мероприятий за год",
    "teachers_diagnosed": "педагогов, прошедших диагностику профессиональных дефицитов",
    "teachers_diagnosed_subject": "педагогов, прошедших диагностику предметных дефицитов",
    "teachers_diagnosed_methodical": "педагогов, прошедших диагностику методических дефицитов",
    "teachers_diagnosed_psychological": (
        "педагогов, прошедших диагностику психолого-педагогических дефицитов"
    ),
    "teachers_internship": "педагогов, прошедших стажировку",
    "school_in_events": "школ — участниц мероприятий за год",
    "school_landing": "школ, где проведён методический десант или выездной день",
    "internship_site": "школ — стажировочных площадок",
    **{doc_measure(purpose): f"школ с документом: {purpose.label}" for purpose in SCHOOL_PURPOSES},
    # from the bank of students with difficulties and their routes (students/indicator_counts.py)
    "students_assessed": "обучающихся — участников оценочных процедур (по кодам работ)",
    "students_difficulty": "обучающихся в банке испытывающих затруднения в обучении",
    "students_routed": "обучающихся из банка с ИОМ",
    "students_outcome_known": "обучающихся из банка с результатом следующей процедуры",
    "students_overcome": "обучающихся, преодолевших затруднения по следующей процедуре",
    # the register's document, or what the school keeps in the system, shows the same fact
    "school_prevention": "школ с программой профилактики учебной неуспешности",
    "school_student_routes": "школ с ИОМ (ИУП) обучающихся",
    "school_tutoring": "школ с тьюторской поддержкой обучающихся",
}

# What a school keeps in the system that answers the same question as a register's document.
KEPT_OR_DOCUMENT = {
    "school_prevention": ("prevention_programme", "doc_failure_prevention"),
    "school_student_routes": ("routes_kept", "doc_individual_plans"),
    "school_tutoring": ("tutor_steps", "doc_tutoring"),
}


def result_sums(region_id: int, years: list[int]) -> pl.DataFrame:
    marks = ", ".join(["%s"] * len(years))
    kinds = ", ".join(["%s"] * (len(GIA) + 1))
    subjects = ", ".join(["%s"] * len(RUS_MATH))
    return read_frame(
        f"""SELECT r.school_id, r.year, k.code AS kind, sub.name AS subject,
                   SUM(r.participants) AS participants, SUM(r.below_min) AS below,
                   SUM(r.mark2) AS mark2,
                   SUM(CASE WHEN r.raised IS NOT NULL THEN r.participants END) AS compared,
                   SUM(r.raised) AS raised,
                   SUM(r.lowered) AS lowered,
                   SUM(CAST(r.mean_score AS DOUBLE PRECISION) * r.participants) AS score
            FROM assessments_result r
            JOIN registry_school s ON s.id = r.school_id
            JOIN registry_municipality m ON m.id = s.municipality_id
            JOIN assessments_procedurekind k ON k.id = r.kind_id
            JOIN assessments_subject sub ON sub.id = r.subject_id
            WHERE m.region_id = %s AND r.year IN ({marks}) AND k.code IN ({kinds})
              AND sub.name IN ({subjects}) AND r.participants > 0
            GROUP BY r.school_id, r.year, k.code, sub.name""",
        [region_id, *years, *GIA, "ВПР", *RUS_MATH],
        {
            "school_id": pl.Int64,
            "year": pl.Int32,
            "kind": pl.Utf8,
            "subject": pl.Utf8,
            "participants": pl.Float64,
            "below": pl.Float64,
            "mark2": pl.Float64,
            "compared": pl.Float64,
            "raised": pl.Float64,
            "lowered": pl.Float64,
            "score": pl.Float64,
        },
    )


def result_measures(region_id: int, years: list[int]) -> pl.DataFrame:
    sums = result_sums(region_id, years)
    gia = pl.col("kind").is_in(GIA)
    vpr = pl.col("kind") == "ВПР"
    ege_rus = (pl.col("kind") == "ЕГЭ") & (pl.col("subject") == "Русский язык")
    ege_math = (pl.col("kind") == "ЕГЭ") & (pl.col("subject") == "Математика профильная")
    measured = sums.group_by("school_id", "year").agg(
        gia_participants=pl.col("participants").filter(gia & pl.col("below").is_not_null()).sum(),
        gia_below=pl.col("below").filter(gia).sum(),
        vpr_participants=pl.col("participants").filter(vpr & pl.col("mark2").is_not_null()).sum(),
        vpr_mark2=pl.col("mark2").filter(vpr).sum(),
        vpr_compared=pl.col("compared").filter(vpr).sum(),
        vpr_raised=pl.col("raised").filter(vpr).sum(),
        vpr_lowered=pl.col("lowered").filter(vpr).sum(),
        ege_rus_score=pl.col("score").filter(ege_rus).sum(),
        ege_rus_participants=pl.col("participants")
        .filter(ege_rus & pl.col("score").is_not_null())
        .sum(),
        ege_math_score=pl.col("score").filter(ege_math).sum(),
        ege_math_participants=pl.col("participants")
        .filter(ege_math & pl.col("score").is_not_null())
        .sum(),
        fail=(
            pl.col("below").fill_null(pl.col("mark2")).sum()
            / pl.col("participants")
            .filter(pl.col("below").is_not_null() | pl.col("mark2").is_not_null())
            .sum()
        ),
    )
    previous = measured.select("school_id", pl.col("year") + 1, previous_fail=pl.col("fail"))
    return (
        measured.join(previous, on=["school_id", "year"], how="left")
        .with_columns(
            compared=(pl.col("fail").is_not_null() & pl.col("previous_fail").is_not_null()).cast(
                pl.Float64
            ),
            improved=(pl.col("fail") < pl.col("previous_fail")).fill_null(False).cast(pl.Float64),
        )
        .drop("fail", "previous_fail")
    )


def status_measures(region_id: int, years: list[int], code: str) -> pl.DataFrame:
    """From the latest run of the primary methodology for each year (region-wide or the
    municipality's own)."""
    frames = []
    for year in years:
        runs = Run.objects.filter(region_id=region_id, year=year, methodology__code=code)
        latest: dict[Any, int] = {}
        for run_id, municipality_id in runs.order_by("created").values_list(
            "pk", "municipality_id"
        ):
            latest[municipality_id] = run_id
        if not latest:
            continue
        rows = read_frame(
            f"""SELECT school_id, status, movement, run_id FROM identification_schoolstatus
                WHERE run_id IN ({", ".join(["%s"] * len(latest))})""",
            list(latest.values()),
            {"school_id": pl.Int64, "status": pl.Utf8, "movement": pl.Utf8, "run_id": pl.Int64},
        )
        frames.append(
            rows.sort("run_id")
            .group_by("school_id")
            .last()
            .with_columns(year=pl.lit(year, pl.Int32))
        )
    if not frames:  # no run yet: the status measures have no data («нет данных»)
        return pl.DataFrame(
            schema={
                "school_id": pl.Int64,
                "year": pl.Int32,
                "listed": pl.Float64,
                "risk": pl.Boolean,
                "listed_before": pl.Float64,
                "left_list": pl.Float64,
            }
        )
    return pl.concat(frames).select(
        "school_id",
        "year",
        listed=(pl.col("status") == Status.LOW_RESULTS).cast(pl.Float64),
        risk=pl.col("status").is_in([Status.LOW_RESULTS, Status.RISK_ZONE]),
        listed_before=pl.col("movement").is_in([Movement.STAYED, Movement.LEFT]).cast(pl.Float64),
        left_list=(pl.col("movement") == Movement.LEFT).cast(pl.Float64),
    )


def context_measures(region_id: int, years: list[int]) -> pl.DataFrame:
    frame = facts(region_id, sorted({*years, *(y - 1 for y in years)}))
    parts = []
    for year in years:
        table = deficit_table(frame, year)
        parts.append(
            table.select(
                "school_id",
                year=pl.lit(year, pl.Int32),
                deficit_had=(pl.col("had") > 0).cast(pl.Float64),
                deficit_any=(pl.col("has") > 0).cast(pl.Float64),
                deficit_all_eliminated=pl.col("all_eliminated").cast(pl.Float64),
            )
        )
    with_context = frame.filter(pl.col("students").is_not_null()).select(
        "school_id", "year", with_context=pl.lit(1.0)
    )
    return pl.concat(parts).join(with_context, on=["school_id", "year"], how="left")


def staff_measures(region_id: int, years: list[int]) -> pl.DataFrame:
    """Teachers counted per school (the current staff, for every year asked) and their routes
    and courses per school and year."""
    from shnor.staff.models import Activity, Route, Teacher

    teachers = Teacher.objects.filter(school__municipality__region_id=region_id)
    staff = (
        pl.DataFrame(
            list(teachers.values_list("school_id", "in_regional_network", "in_methodical_asset")),
            schema={"school_id": pl.Int64, "network": pl.Boolean, "asset": pl.Boolean},
            orient="row",
        )
        .group_by("school_id")
        .agg(
            teachers_total=pl.len().cast(pl.Float64),
            teachers_network=pl.col("network").sum().cast(pl.Float64),
            teachers_asset=pl.col("asset").sum().cast(pl.Float64),
        )
    )
    grid = staff.join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
    routes = (
        pl.DataFrame(
            list(
                Route.objects.filter(teacher__in=teachers, year__in=years)
                .annotate(
                    total=Count("items"),
                    done=Count("items", filter=Q(items__done_on__isnull=False)),
                )
                .values_list("teacher__school_id", "year", "teacher_id", "total", "done")
            ),
            schema={
                "school_id": pl.Int64,
                "year": pl.Int32,
                "teacher": pl.Int64,
                "total": pl.Int64,
                "done": pl.Int64,
            },
            orient="row",
        )
        .filter(pl.col("total") > 0)
        .group_by("school_id", "year")
        .agg(
            teachers_with_iom=pl.col("teacher").n_unique().cast(pl.Float64),
            teachers_iom_completed=pl.col("teacher")
            .filter(pl.col("done") == pl.col("total"))
            .n_unique()
            .cast(pl.Float64),
        )
    )
    trained = (
        pl.DataFrame(
            list(
                Activity.objects.filter(
                    teacher__in=teachers, kind="course", date__year__in=years
                ).values_list("teacher__school_id", "date__year", "teacher_id")
            ),
            schema={"school_id": pl.Int64, "year": pl.Int32, "teacher": pl.Int64},
            orient="row",
        )
        .group_by("school_id", "year")
        .agg(teachers_trained=pl.col("teacher").n_unique().cast(pl.Float64))
    )
    return (
        grid.join(routes, on=["school_id", "year"], how="left")
        .join(trained, on=["school_id", "year"], how="left")
        .with_columns(
            pl.col("teachers_with_iom", "teachers_iom_completed", "teachers_trained").fill_null(0.0)
        )
    )


def support_measures(region_id: int, years: list[int]) -> pl.DataFrame:
    """Support that follows a year's list: the list of year Y is drawn up in December–January
    and supported in Y+1, so a school counts for Y with a programme covering Y or Y+1 (in force:
    approved, or a first draft) and with a partnership active at some time in those years."""
    from shnor.support.choices import ProgrammeKind
    from shnor.support.models import Partnership, Programme

    # a programme of prevention of learning failure is not a programme of quality (ШППКО)
    programmes = list(
        Programme.objects.current()
        .filter(municipality__region_id=region_id, school__isnull=False)
        .exclude(kind=ProgrammeKind.PREVENTION)
        .values_list("school_id", "year_from", "year_to")
    )
    partnerships = list(
        Partnership.objects.filter(school__municipality__region_id=region_id).values_list(
            "school_id", "starts__year", "ends__year"
        )
    )
    rows = []
    for year in years:
        with_programme = {s for s, start, end in programmes if start <= year + 1 and end >= year}
        with_partner = {
            s for s, start, end in partnerships if start <= year + 1 and (end or year) >= year
        }
        rows += [
            (s, year, float(s in with_programme), float(s in with_partner))
            for s in (with_programme | with_partner)
        ]
    return pl.DataFrame(
        rows,
        schema={
            "school_id": pl.Int64,
            "year": pl.Int32,
            "with_programme": pl.Float64,
            "with_partner": pl.Float64,
        },
        orient="row",
    )


def student_measures(region_id: int, years: list[int]) -> pl.DataFrame:
    """The students' counts per school and year, and whether the school has a programme of
    prevention of learning failure in force in the year."""
    from shnor.students.indicator_counts import school_counts
    from shnor.support.choices import ProgrammeKind
    from shnor.support.models import Programme

    programmes = list(
        Programme.objects.current()
        .filter(
            municipality__region_id=region_id,
            school__isnull=False,
            kind=ProgrammeKind.PREVENTION,
        )
        .values_list("school_id", "year_from", "year_to")
    )
    prevention = pl.DataFrame(
        [(s, y, 1.0) for y in years for s, start, end in programmes if start <= y <= end],
        schema={"school_id": pl.Int64, "year": pl.Int32, "prevention_programme": pl.Float64},
        orient="row",
    ).unique()
    return school_counts(region_id, years).join(
        prevention, on=["school_id", "year"], how="full", coalesce=True
    )


def measure_frame(region_id: int, years: list[int], primary: str) -> pl.DataFrame:
    """One row per school of the region and year: identity and every sourced measure."""
    schools = facts(region_id, years).select("school_id", "year", "municipality_id")
    frame = schools.with_columns(schools=pl.lit(1.0))
    for part in (
        result_measures(region_id, years),
        status_measures(region_id, years, primary),
        context_measures(region_id, years),
        staff_measures(region_id, years),
        support_measures(region_id, years),
        register_measures(region_id, years),
        student_measures(region_id, years),
    ):
        frame = frame.join(part, on=["school_id", "year"], how="left")
    frame = frame.with_columns(
        [
            pl.max_horizontal(pl.col(kept).fill_null(0.0), pl.col(document).fill_null(0.0)).alias(
                measure
            )
            for measure, (kept, document) in KEPT_OR_DOCUMENT.items()
        ]
    )
    missing = [m for m in MEASURES if m not in frame.columns]
    if missing:
        raise RuntimeError(f"measures without a column: {missing}")
    return frame.with_columns(
        pl.col("risk").fill_null(False),
        pl.col("listed", "with_programme", "with_partner").fill_null(0.0),
        # the registers are kept by the municipality: what is not in them did not happen
        pl.col(*REGISTER_COLUMNS).fill_null(0.0),
    )


def identification_done(
    frame: pl.DataFrame, region_id: int, year: int, primary: str
) -> dict[int | None, float]:
    """1 for each municipality (and the region) with a run of the primary methodology."""
    runs = Run.objects.filter(region_id=region_id, year=year, methodology__code=primary)
    whole = runs.filter(municipality__isnull=True).exists()
    own = set(runs.values_list("municipality_id", flat=True))
    municipalities = set(frame["municipality_id"].unique().to_list())
    done = {m: 1.0 if whole or m in own else 0.0 for m in municipalities}
    done[None] = 1.0 if whole else 0.0
    return done


FUNCTIONS = {"identification_done": identification_done}
