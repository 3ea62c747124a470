"""What an analytic report says, independent of its format: sections of paragraphs, a table,
a chart and the sources every number comes from."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    chart: bytes | None = None  # PNG


@dataclass
class Report:
    kind: str
    title: str
    subtitle: str
    sections: list[Section]
    sources: list[str]


def cell(value: Any, digits: int = 1) -> str:
    """A value as an official reads it: «нет данных», «да/нет», decimal commas."""
    if value is None:
        return "нет данных"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float | Decimal):
        return f"{float(value):.{digits}f}".replace(".", ",")
    return str(value)


def line_chart(
    title: str, years: list[int], lines: dict[str, list[float | None]], ylabel: str = "%"
) -> bytes:
    figure, axes = plt.subplots(figsize=(7, 3.4), dpi=110)
    for label, values in lines.items():
        points = [(y, v) for y, v in zip(years, values, strict=True) if v is not None]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    axes.set_title(textwrap.fill(title, 80), fontsize=9)
    axes.set_ylabel(ylabel)
    # Shares and counts start at zero: an axis from 4.5 makes 0.3 points look steep.
    axes.set_ylim(bottom=0)
    # Headroom above the highest point, so that its marker is not cut by the frame.
    axes.set_ylim(top=axes.get_ylim()[1] * 1.08)
    axes.set_xticks(years)
    axes.grid(alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=8)
    else:
        axes.text(0.5, 0.5, "Нет данных за эти годы", ha="center", transform=axes.transAxes)
    return png(figure)


def bar_chart(title: str, labels: list[str], values: list[float]) -> bytes:
    figure, axes = plt.subplots(figsize=(7, max(2.5, 0.28 * len(labels) + 1)), dpi=110)
    axes.barh(labels, values, color="#c0392b")
    axes.invert_yaxis()
    if all(float(v).is_integer() for v in values):  # counts: no «0,5 школы» ticks
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title, fontsize=10)
    axes.tick_params(labelsize=8)
    return png(figure)


def decimal_comma(value: float, position: int) -> str:
    return f"{value:g}".replace(".", ",")


def png(figure: Any) -> bytes:
    out = io.BytesIO()
    for axis in (a for axes in figure.axes for a in (axes.xaxis, axes.yaxis)):
        # Russian numbers, «2,5» not «2.5»; category labels (school names) stay as they are
        if isinstance(axis.get_major_formatter(), ScalarFormatter):
            axis.set_major_formatter(FuncFormatter(decimal_comma))
    figure.tight_layout()
    figure.savefig(out, format="png")
    plt.close(figure)
    return out.getvalue()
