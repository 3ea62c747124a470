"""Synthetic regions for benchmarks, generated column-wise with Polars (deterministic)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

PROCEDURES = (
    [("ВПР", "Русский язык", g) for g in range(4, 9)]
    + [("ВПР", "Математика", g) for g in range(4, 9)]
    + [
        ("ОГЭ", "Русский язык", 9),
        ("ОГЭ", "Математика", 9),
        ("ЕГЭ", "Русский язык", 11),
        ("ЕГЭ", "Математика профильная", 11),
    ]
)


def setup_django(data_dir: Path) -> None:
    """Django on DATABASE_URL (or a fresh SQLite file in data_dir), migrated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shnor.settings")
    os.environ["SHNOR_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def backend() -> str:
    from django.db import connection

    return connection.vendor


def uniform(n: int, seed: int) -> pl.Expr:
    """n pseudo-random numbers in [0, 1) from a hash of the row index."""
    return (pl.int_range(n, dtype=pl.UInt64).hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003


def schools_frame(count: int, municipalities: int) -> pl.DataFrame:
    return pl.select(index=pl.int_range(count)).with_columns(
        code=pl.format("S{}", pl.col("index") + 100000),
        name=pl.format("Школа № {}", pl.col("index") + 1),
        municipality=pl.format("Район {}", pl.col("index") % municipalities + 1),
        kind=pl.lit("СОШ"),
        locality=pl.lit("город"),
    )


def results_frame(schools: pl.DataFrame, years: list[int]) -> pl.DataFrame:
    """Per school × year × procedure: participants and a share of «2» driven by a school ability."""
    procedures = pl.DataFrame(PROCEDURES, schema=["kind", "subject", "grade"], orient="row")
    grid = (
        schools.select("code", "index")
        .join(pl.DataFrame({"year": years}), how="cross")
        .join(procedures, how="cross")
    )
    n = grid.height
    return (
        grid.with_columns(
            participants=(uniform(n, 1) * 25 + 3).cast(pl.Int64),
            ability=(pl.col("index").hash(7) % 1000).cast(pl.Float64) / 1000,
            noise=uniform(n, 2),
        )
        .with_columns(
            share=(0.45 * (1 - pl.col("ability")) ** 3 + 0.12 * pl.col("noise")).clip(0, 1),
        )
        .with_columns(
            below_min=(pl.col("participants") * pl.col("share")).round().cast(pl.Int64),
        )
        .select(
            pl.col("code").alias("Код ОО"),
            pl.col("year").alias("Год"),
            pl.col("kind").alias("Процедура"),
            pl.col("subject").alias("Предмет"),
            pl.col("grade").alias("Класс"),
            pl.col("participants").alias("Участников"),
            pl.col("below_min").alias("Не преодолели минимальный порог"),
        )
    )


@contextmanager
def timed(label: str, log: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log[label] = time.perf_counter() - started
    print(f"  {label}: {log[label]:.2f} s", file=sys.stderr)


def best_of(repeats: int, func: Callable[[], Any]) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - started)
    return best, value
