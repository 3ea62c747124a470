"""Real ЕГЭ results of Забайкальский край (../shared/realdata) through the real importers and
the federal and Стрежевой criteria, checked against an independent computation on the same
file. «Обучающихся» is the form's «Количество выпускников, участвовавших в ЕГЭ»: in 22 rows a
subject's participants exceed it (graduates of earlier years sit the exam too), which the import
names as warnings and loads."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from shnor.core.importing import importer_for
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from shnor.registry.models import Region

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CSV = REALDATA / "ege_school_results_zabaikalsky_eao_2022_2023.csv"
REGION = "Забайкальский край"


def code_of(municipality: str, school: str) -> str:
    """The published form has no school code: schools are told apart by name."""
    return "Z" + hashlib.sha1(f"{municipality}|{school}".encode()).hexdigest()[:10]


@pytest.fixture
def real_rows() -> pl.DataFrame:
    if not CSV.exists():
        pytest.skip("shared/realdata is not beside the checkout")
    rows = pl.read_csv(CSV).filter(pl.col("region") == REGION)
    return rows.with_columns(
        code=pl.struct("municipality", "school").map_elements(
            lambda r: code_of(r["municipality"], r["school"]), return_dtype=pl.Utf8
        )
    )


def test_real_ege_results_import_and_identify(
    db: Any, real_rows: pl.DataFrame, tmp_path: Path
) -> None:
    user = SystemUser(region=Region.objects.create(name=REGION))
    schools = real_rows.unique("code").select(
        pl.col("code").alias("Код ОО"),
        pl.col("school").alias("Наименование ОО"),
        pl.col("municipality").alias("Муниципалитет"),
        pl.when(pl.col("school").str.to_lowercase().str.contains("гимназ"))
        .then(pl.lit("гимназия"))
        .when(pl.col("school").str.to_lowercase().str.contains("лице"))
        .then(pl.lit("лицей"))
        .otherwise(pl.lit("СОШ"))
        .alias("Тип ОО"),
        pl.lit("город").alias("Местность"),
    )
    schools.write_csv(tmp_path / "schools.csv", separator=";")
    report = importer_for("schools", user).run(tmp_path / "schools.csv")
    assert report.ok, report.problems[:5]
    results = real_rows.select(
        pl.col("code").alias("Код ОО"),
        pl.col("year").alias("Год"),
        pl.lit("ЕГЭ").alias("Процедура"),
        pl.col("subject").alias("Предмет"),
        pl.lit(11).alias("Класс"),
        pl.col("total_graduates_in_ege").alias("Обучающихся"),
        pl.col("participants").alias("Участников"),
        pl.col("below_min").alias("Не преодолели минимальный порог"),
        pl.col("mean_score").alias("Средний балл"),
    )
    results.write_csv(tmp_path / "results.csv", separator=",")
    report = importer_for("results", user).run(tmp_path / "results.csv")
    assert report.ok, report.problems[:5]
    assert report.added == real_rows.height > 5000 * 0.7
    above = real_rows.filter(pl.col("participants") > pl.col("total_graduates_in_ege"))
    assert above.height == 22
    warned = [w for w in report.warnings if w.column == "Участников"]
    assert len(warned) == 22
    assert all("участников больше, чем обучающихся" in w.expected for w in warned)
    assert sorted(w.row for w in warned) == sorted(
        i + 2
        for i in real_rows.with_row_index().filter(
            pl.col("participants") > pl.col("total_graduates_in_ege")
        )["index"]
    )

    # the lists computed directly on the file, for ЕГЭ Russian and mathematics: a procedure
    # (subject) is low with at least 5 participants of whom 30% did not pass the minimum
    procedures = real_rows.filter(
        pl.col("subject").is_in(["Русский язык", "Математика профильная", "Математика базовая"])
        & (pl.col("participants") >= 5)
    ).with_columns(low=pl.col("below_min") >= 0.3 * pl.col("participants") - 1e-9)
    lows = procedures.group_by("code").agg(
        two=(pl.col("low") & (pl.col("year") == 2023)).sum() >= 2,
        low_2022=(pl.col("low") & (pl.col("year") == 2022)).any(),
        low_2023=(pl.col("low") & (pl.col("year") == 2023)).any(),
    )
    same = (
        procedures.filter(pl.col("low"))
        .group_by("code", "subject")
        .agg(pl.col("year").n_unique() == 2)
        .filter(pl.col("year"))["code"]
    )
    federal = set(lows.filter(pl.col("two"))["code"]) | set(same)
    strezhevoy = set(lows.filter(pl.col("two") | (pl.col("low_2022") & pl.col("low_2023")))["code"])
    assert federal <= strezhevoy  # «any procedure each year» takes in «the same procedure»

    for code, expected in (("federal", federal), ("strezhevoy", strezhevoy)):
        run = do_run_identification(Methodology.objects.get(code=code), 2023, acting_user=user)
        listed = run.statuses.filter(status="low_results").values_list("school__code", flat=True)
        assert set(listed) == expected, code
        assert 0 < len(expected) < 150
        assert run.statuses.count() == schools.height
