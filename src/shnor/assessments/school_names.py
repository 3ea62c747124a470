"""Schools named by their legal names, as regional forms write them, matched to the registry.

A name matches by itself when it is a confirmed alias of the region, or equal to a school's
name, or equal once normalised (quotes, case, spaces, «№»/«No», the long legal forms and their
abbreviations). Failing that, the most similar names of the region are proposed (rapidfuzz) for
a coordinator to confirm; a confirmed pair becomes an alias, so next year's file matches by
itself. Nothing is imported for a school that matched in neither way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from shnor.accounts.choices import Action
from shnor.assessments.models import SchoolAlias
from shnor.core.importing import Row
from shnor.registry.models import Region, School

# Long legal forms and their abbreviations, longest first so that a longer phrase wins.
LEGAL_FORMS = (
    ("муниципальное бюджетное общеобразовательное учреждение", "мбоу"),
    ("муниципальное автономное общеобразовательное учреждение", "маоу"),
    ("муниципальное казенное общеобразовательное учреждение", "мкоу"),
    ("муниципальное общеобразовательное учреждение", "моу"),
    ("государственное бюджетное общеобразовательное учреждение", "гбоу"),
    ("государственное казенное общеобразовательное учреждение", "гкоу"),
    ("государственное общеобразовательное учреждение", "гоу"),
    ("федеральное казенное общеобразовательное учреждение", "фкоу"),
    ("частное общеобразовательное учреждение", "чоу"),
    ("средняя общеобразовательная школа", "сош"),
    ("основная общеобразовательная школа", "оош"),
    ("начальная общеобразовательная школа", "нош"),
)
QUOTES = re.compile(r"[\"'«»“”„`<>]+")
# a dash between words (not the hyphen of «Хара-Шибирская»)
DASH = re.compile(r"[–—]|(?:^|\s)-(?:\s|$)")
NUMBER_SIGN = re.compile(r"(?:№|\bno\b\.?|\bn\b)\s*(?=\d)")
PUNCTUATION = re.compile(r"[.,;:()]+")

# A proposal below this similarity (0–100) is no proposal: the names merely share words.
PROPOSAL_FLOOR = 60
PROPOSALS = 3


def normalise(name: Any) -> str:
    """A school's name as people mean it: case, «ё», quotes, punctuation, spaces, the number
    sign and the legal form spelled out or abbreviated do not matter."""
    text = str(name or "").lower().replace("ё", "е").replace("\u00a0", " ")
    text = DASH.sub(" ", QUOTES.sub(" ", text))
    text = PUNCTUATION.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for long, short in LEGAL_FORMS:
        text = text.replace(long, short)
    text = NUMBER_SIGN.sub("№ ", text)
    return re.sub(r"\s+", " ", text).strip()


class How:
    """How a name was matched; the labels are what the confirmation page shows."""

    ALIAS = "alias"
    EXACT = "exact"
    NORMALISED = "normalised"
    PROPOSED = "proposed"
    NONE = "none"

    LABELS = {
        ALIAS: "подтверждено ранее",
        EXACT: "точное совпадение",
        NORMALISED: "совпадение после нормализации",
        PROPOSED: "предложено по сходству",
        NONE: "похожих нет",
    }


@dataclass
class Candidate:
    school_id: int
    name: str
    municipality: str
    similarity: int


@dataclass
class NameMatch:
    """One school name of a file: its key, how it matched and the school (or candidates)."""

    written: str
    key: str
    municipality: str
    how: str
    school_id: int | None = None
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.school_id is not None

    @property
    def how_label(self) -> str:
        return How.LABELS[self.how]


class SchoolNames:
    """The schools of the user's scope and the region's aliases, to match names against."""

    def __init__(self, user: Any, region: Region | None, action: str = Action.IMPORT) -> None:
        self.region = region
        rows = list(
            School.objects.restrict(user, action).values_list("pk", "name", "municipality__name")
        )
        self.names = {pk: name for pk, name, _m in rows}
        self.municipality = {pk: m for pk, _n, m in rows}
        self.exact: dict[str, int | None] = {}
        self.normalised: dict[str, int | None] = {}
        for pk, name, _m in rows:
            # a name two schools share matches neither by itself: the coordinator chooses
            self.exact[name] = None if name in self.exact else pk
            key = normalise(name)
            self.normalised[key] = None if key in self.normalised else pk
        self.aliases: dict[str, int] = {}
        if region is not None:
            self.aliases = dict(
                SchoolAlias.objects.filter(region=region, school_id__in=self.names).values_list(
                    "name", "school_id"
                )
            )
        self.choices = {pk: normalise(name) for pk, name in self.names.items()}

    def match(self, written: str, municipality: str = "") -> NameMatch:
        key = normalise(written)
        found = NameMatch(written=written, key=key, municipality=municipality, how=How.NONE)
        if key in self.aliases:
            found.how, found.school_id = How.ALIAS, self.aliases[key]
        elif self.exact.get(written.strip()):
            found.how, found.school_id = How.EXACT, self.exact[written.strip()]
        elif self.normalised.get(key):
            found.how, found.school_id = How.NORMALISED, self.normalised[key]
        else:
            found.candidates = self.propose(key)
            if found.candidates:
                found.how = How.PROPOSED
        return found

    def propose(self, key: str) -> list[Candidate]:
        best = process.extract(
            key,
            self.choices,
            scorer=fuzz.token_sort_ratio,
            limit=PROPOSALS,
            score_cutoff=PROPOSAL_FLOOR,
        )
        return [
            Candidate(pk, self.names[pk], self.municipality[pk] or "", round(score))
            for _choice, score, pk in best
        ]


def match_names(
    user: Any, region: Region | None, names: Iterable[tuple[str, str]]
) -> list[NameMatch]:
    """Every distinct (name, municipality) of a file, matched; in the file's order."""
    schools = SchoolNames(user, region)
    seen: dict[str, NameMatch] = {}
    for written, municipality in names:
        key = normalise(written)
        if key and key not in seen:
            seen[key] = schools.match(written, municipality)
    return list(seen.values())


def resolve_school_names(
    rows: list[Row], user: Any, region: Region | None, problem: Callable[[Row, str, str], None]
) -> None:
    """«school_name» → the school's key where the name matches by itself (an alias, equal or
    equal once normalised); every other name is an error naming the closest schools, so that
    nothing is written for a school nobody confirmed."""
    schools = SchoolNames(user, region)
    found: dict[str, NameMatch] = {}
    for row in rows:
        written = row.values["school_name"]
        match = found.get(written) or found.setdefault(
            written, schools.match(written, row.values.get("municipality_name", ""))
        )
        row.values["school_id"] = match.school_id
        if match.resolved:
            continue
        similar = "; ".join(f"«{c.name}» ({c.similarity}%)" for c in match.candidates)
        problem(
            row,
            "school_name",
            "школа не сопоставлена со списком школ"
            + (f"; похожие: {similar}" if similar else "")
            + ". Подтвердите сопоставление на странице «Формы результатов»",
        )
