"""The columnar reader (ADBC) and Django's cursor give the engine the same frames."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.db import connection, transaction

from shnor.assessments.frames import RESULTS
from shnor.core import columnar
from shnor.identification.data import load_inputs
from shnor.identification.models import Methodology
from tests.conftest import add_results


@pytest.mark.django_db(transaction=True)
def test_both_readers_give_the_same_inputs(world: dict[str, Any], monkeypatch: Any) -> None:
    add_results(
        world["schools"]["a"],
        [(2025, "ВПР", "Математика", 5, 20, 7, 3.4), (2024, "ОГЭ", "Русский язык", 9, 11, 0, None)],
    )
    add_results(world["schools"]["c"], [(2025, "ЕГЭ", "Русский язык", 11, 4, 1, 61.5)])
    definition = Methodology.objects.get(code="sayansky").definition
    used = []
    original = columnar.adbc_connection

    def spy() -> Any:
        connection = original()
        used.append(connection is not None)
        return connection

    monkeypatch.setattr(columnar, "adbc_connection", spy)
    # Both reads go to the tables, not to snapshots that earlier reads left.
    shutil.rmtree(RESULTS.folder(), ignore_errors=True)
    fast = load_inputs(world["region"].pk, definition, 2025)
    shutil.rmtree(RESULTS.folder())
    with transaction.atomic():
        slow = load_inputs(world["region"].pk, definition, 2025)
    fast_reader = connection.vendor == "postgresql"  # never a second SQLite in the process
    assert used[:4] == [fast_reader] * 4 and used[4:] == [False] * 4
    for name in ("schools", "results", "context", "reference"):
        left = getattr(fast, name).sort(getattr(fast, name).columns)
        right = getattr(slow, name).sort(getattr(slow, name).columns)
        assert left.equals(right), name
    assert fast.results.height == 3 and fast.fingerprint() == slow.fingerprint()
