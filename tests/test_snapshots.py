"""The columnar snapshot of results is always the table as the reader's transaction sees it."""

from __future__ import annotations

import threading
from typing import Any

import polars as pl
import pytest
from django.db import connection, transaction

from shnor.assessments.frames import RESULTS
from shnor.assessments.models import Result
from shnor.core import snapshots
from shnor.core.models import DataStamp
from tests.conftest import add_results, stored_results


def table() -> pl.DataFrame:
    """The results as the database has them, read without the snapshot."""
    return pl.DataFrame(
        [(*r[:7], None if r[7] is None else float(r[7])) for r in stored_results()],
        schema=RESULTS.columns,
        orient="row",
    )


def snapshot() -> pl.DataFrame:
    return RESULTS.read().sort("school_id", "year", "kind_id", "subject_id", "grade")


@pytest.fixture
def reads(monkeypatch: Any) -> list[str]:
    """Every read of the table itself (not of the file)."""
    made: list[str] = []
    original = snapshots.read_frame

    def spy(sql: str, params: list[Any], schema: Any) -> pl.DataFrame:
        made.append(sql)
        return original(sql, params, schema)

    monkeypatch.setattr(snapshots, "read_frame", spy)
    return made


def test_the_file_serves_until_the_table_changes(world: dict[str, Any], reads: list[str]) -> None:
    school = world["schools"]["a"]
    add_results(school, [(2025, "ВПР", "Математика", 5, 20, 7, 3.4)])
    assert snapshot().equals(table()) and len(reads) == 1
    assert snapshot().equals(table()) and len(reads) == 1
    add_results(school, [(2024, "ВПР", "Математика", 5, 18, 2)])
    assert snapshot().height == 2 and len(reads) == 2
    Result.objects.filter(year=2024).update(below_min=9)
    assert snapshot()["below_min"].sort().to_list() == [7, 9] and len(reads) == 3
    with connection.cursor() as cursor:  # a write that bypasses the ORM is seen as well
        cursor.execute("UPDATE assessments_result SET participants = 30 WHERE year = 2025")
    assert snapshot().equals(table()) and len(reads) == 4
    Result.objects.filter(year=2025).delete()
    assert snapshot().equals(table()) and snapshot().height == 1
    assert len(list(RESULTS.folder().glob("assessments_result-*.arrow"))) == 1


def test_a_rolled_back_write_is_never_served(world: dict[str, Any]) -> None:
    school = world["schools"]["a"]
    add_results(school, [(2025, "ВПР", "Математика", 5, 20, 7)])
    before = snapshot()
    with pytest.raises(RuntimeError), transaction.atomic():
        add_results(school, [(2024, "ОГЭ", "Математика", 9, 12, 1)])
        assert snapshot().height == 2  # the transaction sees its own write
        raise RuntimeError
    assert snapshot().equals(before) and snapshot().equals(table())


@pytest.mark.django_db(transaction=True)
def test_another_connections_write_changes_the_stamp(world: dict[str, Any]) -> None:
    school = world["schools"]["a"]
    add_results(school, [(2025, "ВПР", "Математика", 5, 20, 7)])
    assert snapshot().height == 1

    def elsewhere() -> None:  # a thread has its own database connection
        add_results(school, [(2024, "ВПР", "Математика", 5, 20, 3)])
        connection.close()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert snapshot().equals(table()) and snapshot().height == 2


def test_lost_stamps_and_migrations_renew_the_stamp(world: dict[str, Any]) -> None:
    add_results(world["schools"]["a"], [(2025, "ВПР", "Математика", 5, 20, 7)])
    first = snapshots.current_stamp(RESULTS.table)
    snapshots.install_triggers()
    second = snapshots.current_stamp(RESULTS.table)
    assert second != first
    DataStamp.objects.all().delete()  # as a flush of the database does
    assert snapshot().equals(table())
    third = snapshots.current_stamp(RESULTS.table)
    assert third not in (first, second)
    add_results(world["schools"]["b"], [(2025, "ВПР", "Математика", 5, 20, 7)])
    assert snapshots.current_stamp(RESULTS.table) != third and snapshot().height == 2
