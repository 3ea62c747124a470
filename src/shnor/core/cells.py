"""Parsers of spreadsheet cells: each takes a non-empty raw cell and returns the database's
Python value, or raises CellError with what the column expects; and the normalisation of headers
and names as users write them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations


class CellError(ValueError):
    """A cell's value is not what the column expects; the message says what is expected."""


def normalize_header(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower().replace("ё", "е")


def normalize_name(text: Any) -> str:
    """Names compared as users mean them: case, spaces, «ё» and quotes do not matter."""
    return re.sub(r"[\s\"'«»]+", " ", str(text or "")).strip().lower().replace("ё", "е")


# Parsers: each takes a non-empty raw cell and returns a value, or raises CellError.


def _number(raw: Any, expected: str) -> Decimal:
    """A finite number from a cell: NaN, infinities and overlong digit strings are cell errors."""
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".").rstrip("%")
    if len(text) > 40:
        raise CellError(expected)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(expected) from None
    if not number.is_finite():
        raise CellError(expected)
    return number


# The largest integer every integer column holds on both databases (PostgreSQL's integer).
INTEGER_MAX = 2_147_483_647


def integer(minimum: int = 0, maximum: int = INTEGER_MAX) -> Callable[[Any], int]:
    expected = f"целое число не меньше {minimum} и не больше {maximum}"

    def parse(raw: Any) -> int:
        number = _number(raw, expected)
        if number != number.to_integral_value() or not minimum <= number <= maximum:
            raise CellError(expected)
        return int(number)

    return parse


def decimal(minimum: float = 0, maximum: float = 100, places: int = 2) -> Callable[[Any], Decimal]:
    expected = f"число от {minimum:g} до {maximum:g}"

    def parse(raw: Any) -> Decimal:
        number = _number(raw, expected)
        if not minimum <= number <= maximum:
            raise CellError(expected)
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


def choice(options: dict[str, Any], what: str) -> Callable[[Any], Any]:
    normalized = {normalize_name(k): v for k, v in options.items()}
    listed = ", ".join(dict.fromkeys(options))
    expected = f"{what}: одно из {listed}"

    def parse(raw: Any) -> Any:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        try:
            return normalized[normalize_name(raw)]
        except KeyError:
            raise CellError(expected) from None

    return parse


# Control characters other than line breaks and tabs (which become spaces), and the marks that
# reverse the direction of text: invisible in a name, they let one name pass for another.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text(max_length: int = 500) -> Callable[[Any], str]:
    def parse(raw: Any) -> str:
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        value = str(raw)
        if len(value) > 4 * max_length:  # not worth collapsing its spaces to say it is too long
            raise CellError(f"текст не длиннее {max_length} знаков")
        if CONTROL.search(value):
            raise CellError("текст без управляющих символов")
        value = re.sub(r"\s+", " ", value).strip()
        if len(value) > max_length:
            raise CellError(f"текст не длиннее {max_length} знаков")
        return value

    return parse


def date_value(raw: Any) -> date:
    """A date as Excel stores it, or written дд.мм.гггг or гггг-мм-дд."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(str(raw).strip(), pattern).date()
        except ValueError:
            continue
    raise CellError("дата в виде дд.мм.гггг")


YES_NO = choice({"да": True, "нет": False, "1": True, "0": False, "есть": True}, "да или нет")


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def value_limit(field: models.Field) -> Callable[[Any], str | None]:
    """What a database column holds, as a check of a parsed value: the message when it does not
    fit, else None. Integer ranges are the portable ones (PostgreSQL's), so that a file checked
    on SQLite loads the same on PostgreSQL."""
    low_high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())
    max_length = getattr(field, "max_length", None)

    def check(value: Any) -> str | None:
        if isinstance(value, str) and max_length and len(value) > max_length:
            return f"текст не длиннее {max_length} знаков"
        whole = isinstance(value, int) and not isinstance(value, bool)
        if whole and low_high and not low_high[0] <= value <= low_high[1]:
            return f"целое число от {low_high[0]} до {low_high[1]}"
        if isinstance(value, Decimal) and isinstance(field, models.DecimalField):
            bound = Decimal(10) ** (field.max_digits - field.decimal_places)
            if abs(value) >= bound:
                return f"число по модулю меньше {bound}"
        return None

    return check
