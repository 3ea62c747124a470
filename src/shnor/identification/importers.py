"""Official lists received from ФИОКО, Рособрнадзор or the regional ЦОКО (seeds 000, 001, 003
start from them), loaded as lists of their own kind: a run with the list's source instead of a
methodology, each listed school with its status and the reason the list gives."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from shnor.core.cells import choice, integer, normalize_name, text
from shnor.core.importing import Column, Importer, Row
from shnor.identification.choices import ListSource, Status
from shnor.identification.models import SchoolStatus
from shnor.registry.models import School

STATUS_WORDS = {
    "ШНОР": Status.LOW_RESULTS,
    "ШНРО": Status.LOW_RESULTS,
    "ШНОР (низкие результаты)": Status.LOW_RESULTS,
    "низкие результаты": Status.LOW_RESULTS,
    "школа с низкими результатами": Status.LOW_RESULTS,
    "школа с низкими образовательными результатами": Status.LOW_RESULTS,
    "зона риска": Status.RISK_ZONE,
    "в зоне риска": Status.RISK_ZONE,
    "школа в зоне риска": Status.RISK_ZONE,
    "зона риска снижения образовательных результатов": Status.RISK_ZONE,
}
NO_REASON = "основание в списке не указано"
# Characters a Word document cannot hold (python-docx refuses them); a reason is exported there.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reason_text(raw: Any) -> str:
    return text(2000)(CONTROL.sub(" ", raw) if isinstance(raw, str) else raw)


NOT_LISTED = "не указана в списке"


def official_definition(source: str) -> dict[str, Any]:
    """What a received list «evaluates»: one indicator, being on the list; its evidence carries
    the list's reason, so that the list's pages and exports read as a run's do."""
    label = ListSource(source).label
    return {
        "code": f"official-{source}",
        "name": f"Список: {label}",
        "source": label,
        "parameters": {},
        "indicators": [{"code": "official", "label": f"Включена в список ({label})"}],
    }


class OfficialListImporter(Importer):
    """The rows of a received list: a school by its code, or by its name (and municipality);
    the status when the list gives it (ШНОР otherwise) and the reason."""

    kind = "official_list"
    title = "Официальный список ШНОР"
    model = SchoolStatus
    columns = [
        Column(
            "Код ОО",
            "school_code",
            text(32),
            help="код образовательной организации, как в списке школ (или наименование)",
            aliases=("код", "код школы", "код организации", "код оо по фис око"),
        ),
        Column(
            "Наименование ОО",
            "school_name",
            text(500),
            help="наименование школы, если кода нет",
            aliases=(
                "наименование",
                "школа",
                "образовательная организация",
                "наименование образовательной организации",
                "полное наименование оо",
            ),
        ),
        Column(
            "Муниципалитет",
            "municipality_name",
            text(200),
            help="уточняет школу, найденную по наименованию",
            aliases=("муниципальное образование", "муниципальный район", "мо"),
        ),
        Column("Год", "year", integer(2000, 2100), help="год списка; если указан — тот же"),
        Column(
            "Статус",
            "status",
            choice(STATUS_WORDS, "статус"),
            help="ШНОР или зона риска; без столбца — ШНОР",
            aliases=("категория",),
        ),
        Column(
            "Основание",
            "reason",
            reason_text,
            help="почему школа в списке, как написано в списке",
            aliases=("основания", "причина", "основание включения", "критерий", "критерии"),
        ),
    ]
    key_fields = ("school_id",)
    value_fields = ("status", "reason")

    def __init__(self, user: Any, *, year: int, schools: Any) -> None:
        super().__init__(user)
        self.year = year
        self.schools = schools

    def is_header(self, found: list[Column]) -> bool:
        """The row naming the school's code or name: either identifies a school, so the base
        rule (a required column) does not apply."""
        return bool({c.field for c in found} & {"school_code", "school_name"})

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        in_scope = list(self.schools.values_list("pk", "code", "name", "municipality__name"))
        by_code = {code: pk for pk, code, _, _ in in_scope}
        by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, _, name, municipality in in_scope:
            short = School(name=name).short_name
            for key in {normalize_name(name), normalize_name(short)}:
                by_name[key].append((pk, normalize_name(municipality)))
        for row in rows:
            values = row.values
            values["status"] = values.get("status") or Status.LOW_RESULTS
            if values.get("year") not in (None, self.year):
                problem(row, "year", f"загружается список {self.year} года")
            code, name = values.get("school_code"), values.get("school_name")
            school_id = None
            if code:
                school_id = by_code.get(code)
                if school_id is None:
                    problem(
                        row,
                        "school_code",
                        "школа с таким кодом не найдена в вашей зоне доступа (территории "
                        "списка); сначала загрузите список школ",
                    )
            elif name:
                found = by_name.get(normalize_name(name), [])
                if values.get("municipality_name"):
                    place = normalize_name(values["municipality_name"])
                    found = [f for f in found if f[1] == place]
                if len(found) == 1:
                    school_id = found[0][0]
                else:
                    problem(
                        row,
                        "school_name",
                        "школа с таким наименованием не найдена в вашей зоне доступа; укажите "
                        "код ОО"
                        if not found
                        else f"наименование подходит {len(found)} школам; укажите код ОО или "
                        "муниципалитет",
                    )
            else:
                problem(row, "school_code", "укажите код ОО или наименование ОО")
            values["school_id"] = school_id
