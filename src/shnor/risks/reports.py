"""«Аналитическая справка об итогах кластеризации» as DOCX."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt

from shnor.risks.clusters import FEATURE_LABELS, FEATURES, Clustering


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def clustering_docx(result: Clustering, territory: str, year: int) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    document.add_heading("Аналитическая справка об итогах кластеризации школ", level=1)
    document.add_paragraph(
        f"Территория: {territory}. Год данных: {year}. Школ в анализе: {result.schools.height}."
    )
    document.add_paragraph(
        "Метод: кластеризация k-средних (scikit-learn) по стандартизованным показателям "
        "контекста и результатов: " + ", ".join(FEATURE_LABELS[f] for f in FEATURES) + ". "
        f"Число кластеров ({result.k}) выбрано по наибольшему среднему коэффициенту силуэта "
        "среди вариантов: "
        + "; ".join(f"k = {k}: {s:.3f}".replace(".", ",") for k, s in result.silhouettes.items())
        + "."
    )
    document.add_heading("Профили кластеров", level=2)
    shown = [f for f in FEATURES if f != "log_students"]
    table = document.add_table(rows=1, cols=3 + len(shown))
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ["Кластер", "Школ", "Обучающихся (ср.)", *(FEATURE_LABELS[f] for f in shown)],
        strict=True,
    ):
        cell.text = text
    for profile in result.profiles.iter_rows(named=True):
        cells = table.add_row().cells
        values = [
            str(profile["cluster"]),
            str(profile["size"]),
            number(profile["students"]),
            *(number(profile[f]) for f in shown),
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    document.add_heading("Состав кластеров", level=2)
    for profile in result.profiles.iter_rows(named=True):
        members = result.schools.filter(result.schools["cluster"] == profile["cluster"])
        document.add_paragraph(
            f"Кластер {profile['cluster']} ({profile['size']}): "
            + ", ".join(sorted(members["name"].to_list()))
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
