"""One change signal for every derived value: a value changed by re-import reaches every
indicator, dashboard and report that depends on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shnor.core.documents.content import Report
from shnor.core.importing import importer_for
from shnor.indicators.engine import current_values
from shnor.reports.builders import dynamics_report, effectiveness_report
from tests.tables import RESULT_HEADERS, result_row, write_table
from tests.test_indicators import value_of


def report_cells(report: Report) -> list[str]:
    return [str(c) for s in report.sections if s.table for row in s.table.rows for c in row]


def results_file(tmp_path: Path, name: str, twos: int) -> Path:
    """ОГЭ mathematics of two schools; school 100 has `twos` marks «2» of 20."""
    rows = [
        result_row("100", kind="ОГЭ", grade=9, marks=(twos, 14 - twos, 4, 2)),
        result_row("200", kind="ОГЭ", grade=9, marks=(1, 13, 4, 2)),
    ]
    return write_table(tmp_path / name, [RESULT_HEADERS, *rows])


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_reimported_value_reaches_indicators_dashboards_and_reports(
    world: dict[str, Any], tmp_path: Path, suffix: str
) -> None:
    user = world["users"]["region"]
    region, north = world["region"], world["north"]
    school = world["schools"]["a"]
    importer = importer_for("results", user)
    assert importer.run(results_file(tmp_path, "first" + suffix, twos=2)).ok

    client = Client()
    client.force_login(user)

    def observed() -> dict[str, Any]:
        values = current_values(region.pk, [2025])
        return {
            "region": value_of(values, "gia_below_min_share", 2025),
            "municipality": value_of(values, "gia_below_min_share", 2025, north.pk),
            "school": value_of(values, "gia_below_min_share", 2025, school=school.pk),
            "card": client.get(reverse("school", args=[school.pk])).content.decode(),
            "dashboard": client.get(
                reverse("indicators:municipality", args=[north.pk])
            ).content.decode(),
            "dynamics": report_cells(dynamics_report(user, region, north, 2025)),
            "school dynamics": report_cells(dynamics_report(user, region, north, 2025, school)),
            "effectiveness": report_cells(effectiveness_report(user, region, north, 2025)),
        }

    before = observed()
    assert before["school"] == pytest.approx(10.0)  # 2 of 20
    assert before["region"] == pytest.approx(7.5)  # 3 of 40
    report = importer.run(results_file(tmp_path, "second" + suffix, twos=8))
    assert (report.added, report.changed) == (0, 1)  # one value changed: 2 → 8
    after = observed()
    assert after["school"] == pytest.approx(40.0)
    assert after["municipality"] == pytest.approx(22.5)
    assert after["region"] == pytest.approx(22.5)
    assert "22,5" in after["dashboard"] and "22,5" not in before["dashboard"]
    assert "40,0" in after["card"] and "40,0" not in before["card"]
    assert "22,5" in after["dynamics"] and "22,5" not in before["dynamics"]
    assert "40,0" in after["school dynamics"] and "40,0" not in before["school dynamics"]
    assert "22,5" in after["effectiveness"] and "22,5" not in before["effectiveness"]
