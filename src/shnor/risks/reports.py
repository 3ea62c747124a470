"""«Аналитическая справка об итогах кластеризации» as DOCX."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt

from shnor.risks.clusters import FEATURE_LABELS, FEATURES, Clustering

METHOD_TEXT = (
    "Школы разделены на группы (число групп — {k}) так, чтобы школы внутри группы были как можно "
    "больше похожи "
    "друг на друга по социальному составу обучающихся, оснащённости, численности и результатам, "
    "а на школы других групп — как можно меньше. Число групп выбрано автоматически как лучшее "
    "из вариантов от двух до шести (качество разбиения {quality} по шкале от −1 до 1: чем "
    "больше, тем отчётливее группы отличаются друг от друга). Название группы — то, чем она "
    "сильнее всего отличается от остальных школ территории."
)


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}".replace(".", ",")


def clustering_docx(result: Clustering, territory: str, year: int) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    page = document.sections[0]  # the profile table has nine columns: landscape
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = page.page_height, page.page_width
    document.add_heading("Аналитическая справка об итогах кластеризации школ", level=1)
    document.add_paragraph(
        f"Территория: {territory}. Год данных: {year}. Школ в анализе: {result.schools.height}."
    )
    document.add_paragraph(METHOD_TEXT.format(k=result.k, quality=number(result.quality, 2)))
    document.add_heading("Профили кластеров", level=2)
    shown = [f for f in FEATURES if f != "log_students"]
    table = document.add_table(rows=1, cols=3 + len(shown))
    table.style = "Table Grid"
    table.autofit = True
    for cell, text in zip(
        table.rows[0].cells,
        ["Группа", "Школ", "Обучающихся (ср.)", *(FEATURE_LABELS[f] for f in shown)],
        strict=True,
    ):
        cell.text = text
    for profile in result.profiles.iter_rows(named=True):
        cells = table.add_row().cells
        values = [
            f"{profile['cluster']}. {profile['name']}",
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
            f"Группа {profile['cluster']} «{profile['name']}» ({profile['size']}): "
            + ", ".join(sorted(members["name"].to_list()))
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
