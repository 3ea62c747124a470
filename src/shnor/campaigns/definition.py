"""A campaign's form: questions and simple tables, written by the coordinator as YAML with
Russian keys and validated here; stored as a normalised dict with English keys.

The written form:

    вопросы:
      - текст: Число вакансий педагогов
        тип: число            # число, да/нет, текст, дата, выбор
        обязательный: да
        мин: 0
        макс: 50
        показатель: вакансии педагогов   # optional: the indicator the answers feed
      - текст: Форма обучения
        тип: выбор
        варианты: [очная, очно-заочная]
    таблицы:
      - название: Повышение квалификации
        строки: [Учителя математики, Учителя русского языка]
        столбцы:
          - {название: Всего педагогов, тип: число, мин: 0}

Pure: no database, so a definition is checked the same way from the page, the template and
the tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shnor.campaigns.choices import FEED_TYPES, Feed, QuestionType

MAX_QUESTIONS = 200
MAX_TABLES = 20
MAX_ROWS = 100
MAX_COLUMNS = 20
MAX_TEXT = 500

TYPES_BY_WORD = {label: code for code, label in QuestionType.choices}
FEEDS_BY_WORD = {label: code for code, label in Feed.choices}
YES_WORDS = {True: True, False: False, "да": True, "нет": False}


class DefinitionError(ValueError):
    """A definition that cannot be used; the message names the place and the expectation."""


def text_of(value: Any, where: str, what: str) -> str:
    if (
        not isinstance(value, str | int | float)
        or isinstance(value, bool)
        or not str(value).strip()
    ):
        raise DefinitionError(f"{where}: нужен текст в поле «{what}»")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise DefinitionError(f"{where}: поле «{what}» длиннее {MAX_TEXT} знаков")
    return text


def number_of(value: Any, where: str, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DefinitionError(f"{where}: в поле «{what}» нужно число")
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        raise DefinitionError(f"{where}: в поле «{what}» нужно число, а не «{value}»") from None


def typed_item(raw: Any, where: str, text_key: str) -> dict[str, Any]:
    """A question or a column: its text, type and checks."""
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}: ожидается набор полей «{text_key}», «тип» …")
    known = {text_key, "тип", "обязательный", "мин", "макс", "варианты", "показатель"}
    unknown = set(map(str, raw)) - known
    if unknown:
        raise DefinitionError(
            f"{where}: неизвестное поле «{sorted(unknown)[0]}»; допустимы: "
            + ", ".join(f"«{k}»" for k in sorted(known))
        )
    kind = TYPES_BY_WORD.get(str(raw.get("тип", "")).strip())
    if kind is None:
        raise DefinitionError(
            f"{where}: тип «{raw.get('тип', '')}» неизвестен; допустимы: "
            + ", ".join(TYPES_BY_WORD)
        )
    required = YES_WORDS.get(raw.get("обязательный", False))
    if required is None:
        raise DefinitionError(f"{where}: в поле «обязательный» нужно «да» или «нет»")
    item: dict[str, Any] = {
        "text": text_of(raw.get(text_key), where, text_key),
        "type": kind,
        "required": required,
    }
    low, high = number_of(raw.get("мин"), where, "мин"), number_of(raw.get("макс"), where, "макс")
    if (low is not None or high is not None) and kind != QuestionType.NUMBER:
        raise DefinitionError(f"{where}: «мин» и «макс» бывают только у типа «число»")
    if low is not None and high is not None and low > high:
        raise DefinitionError(f"{where}: «мин» больше «макс»")
    item["min"], item["max"] = low, high
    variants = raw.get("варианты")
    if kind == QuestionType.CHOICE:
        if not isinstance(variants, list) or len(variants) < 2:
            raise DefinitionError(f"{where}: у типа «выбор» нужен список из двух и более вариантов")
        item["choices"] = [text_of(v, where, "варианты") for v in variants]
        if len(set(item["choices"])) != len(item["choices"]):
            raise DefinitionError(f"{where}: варианты повторяются")
    elif variants is not None:
        raise DefinitionError(f"{where}: «варианты» бывают только у типа «выбор»")
    return item


def parse_question(raw: Any, number: int) -> dict[str, Any]:
    where = f"Вопрос {number}"
    item = typed_item(raw, where, "текст")
    feed_word = raw.get("показатель")
    if feed_word is not None:
        feed = FEEDS_BY_WORD.get(str(feed_word).strip())
        if feed is None:
            raise DefinitionError(
                f"{where}: показатель «{feed_word}» неизвестен; допустимы: "
                + ", ".join(f"«{w}»" for w in FEEDS_BY_WORD)
            )
        if item["type"] not in FEED_TYPES:
            raise DefinitionError(f"{where}: показатель питают только вопросы «число» и «да/нет»")
        item["feed"] = feed
    return item


def parse_table(raw: Any, number: int) -> dict[str, Any]:
    where = f"Таблица {number}"
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}: ожидаются поля «название», «строки», «столбцы»")
    rows, columns = raw.get("строки"), raw.get("столбцы")
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
        raise DefinitionError(f"{where}: нужен список «строки» (от 1 до {MAX_ROWS})")
    if not isinstance(columns, list) or not 1 <= len(columns) <= MAX_COLUMNS:
        raise DefinitionError(f"{where}: нужен список «столбцы» (от 1 до {MAX_COLUMNS})")
    parsed = []
    for i, column in enumerate(columns, 1):
        item = typed_item(column, f"{where}, столбец {i}", "название")
        if "показатель" in column:
            raise DefinitionError(f"{where}, столбец {i}: показатель питают только вопросы")
        parsed.append(item)
    return {
        "title": text_of(raw.get("название"), where, "название"),
        "rows": [text_of(r, where, "строки") for r in rows],
        "columns": parsed,
    }


def parse(text: str) -> dict[str, Any]:
    """The normalised definition of the written form, or DefinitionError."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f" (строка {mark.line + 1})" if mark else ""
        raise DefinitionError(f"Описание формы не читается как YAML{place}") from None
    if not isinstance(raw, dict) or not set(raw) <= {"вопросы", "таблицы"}:
        raise DefinitionError("Описание формы: ожидаются разделы «вопросы» и «таблицы»")
    questions, tables = raw.get("вопросы") or [], raw.get("таблицы") or []
    if not isinstance(questions, list) or not isinstance(tables, list):
        raise DefinitionError("Описание формы: «вопросы» и «таблицы» — списки")
    if not questions and not tables:
        raise DefinitionError("Описание формы: нет ни одного вопроса и ни одной таблицы")
    if len(questions) > MAX_QUESTIONS or len(tables) > MAX_TABLES:
        raise DefinitionError(
            f"Описание формы: не больше {MAX_QUESTIONS} вопросов и {MAX_TABLES} таблиц"
        )
    parsed = {
        "questions": [parse_question(q, i) for i, q in enumerate(questions, 1)],
        "tables": [parse_table(t, i) for i, t in enumerate(tables, 1)],
    }
    titles = [t["title"] for t in parsed["tables"]]
    if len(set(titles)) != len(titles):
        raise DefinitionError("Описание формы: названия таблиц повторяются")
    return parsed


def written_item(item: dict[str, Any], text_key: str) -> dict[str, Any]:
    out: dict[str, Any] = {text_key: item["text"], "тип": QuestionType(item["type"]).label}
    if item["required"]:
        out["обязательный"] = "да"
    for key, word in (("min", "мин"), ("max", "макс")):
        if item.get(key) is not None:
            value = item[key]
            out[word] = int(value) if float(value).is_integer() else value
    if item.get("choices"):
        out["варианты"] = item["choices"]
    if item.get("feed"):
        out["показатель"] = Feed(item["feed"]).label
    return out


def written(definition: dict[str, Any]) -> str:
    """The written form of a normalised definition (to edit it again)."""
    data: dict[str, Any] = {"вопросы": [written_item(q, "текст") for q in definition["questions"]]}
    if definition["tables"]:
        data["таблицы"] = [
            {
                "название": t["title"],
                "строки": t["rows"],
                "столбцы": [written_item(c, "название") for c in t["columns"]],
            }
            for t in definition["tables"]
        ]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


@cache
def template_text() -> str:
    """The shipped template of the seeds' twice-yearly monitoring questions."""
    return (Path(__file__).parent / "template.yaml").read_text(encoding="utf-8")
