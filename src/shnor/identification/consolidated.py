"""The consolidated list of a year: every school that some list names — the official lists
received (ФИОКО, Рособрнадзор, ЦОКО) and the latest runs of the region's and the
municipalities' primary methodologies — with the lists that name it, their statuses and reasons.
Municipalities combine the lists they receive with their own criteria (seeds 000, 001, 003); the
приказ is signed on the combination."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from shnor.identification.choices import ListSource, Status
from shnor.identification.history import with_items
from shnor.identification.models import PrimaryMethodology, Run, SchoolStatus
from shnor.identification.services import primary_codes
from shnor.registry.models import Municipality, Region, School

LISTED_STATUSES = (Status.LOW_RESULTS, Status.RISK_ZONE)
REGION_COLUMN = "region"
MUNICIPALITY_COLUMN = "municipality"
# The columns in their order, as the filter offers them.
COLUMNS = {
    **{s.value: s.label for s in ListSource if s != ListSource.METHODOLOGY},
    REGION_COLUMN: "Методика региона",
    MUNICIPALITY_COLUMN: "Методика муниципалитета",
}


@dataclass
class Entry:
    """One list naming a school: the list, the status it gives, its reasons in words."""

    run: Run
    status: str
    reasons: str


@dataclass
class Row:
    school: School
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """ШНОР if any list names the school so, else the risk zone."""
        statuses = {e.status for e in self.entries.values()}
        return Status.LOW_RESULTS if Status.LOW_RESULTS in statuses else Status.RISK_ZONE

    def sources(self, columns: dict[str, str]) -> str:
        """The lists naming the school with their statuses and reasons, in the columns' order."""
        parts = []
        for key, label in columns.items():
            entry = self.entries.get(key)
            if entry is None:
                continue
            named = label if entry.run.is_official else f"{label} «{entry.run.title}»"
            parts.append(f"{named}: {Status(entry.status).label} — {entry.reasons}")
        return "; ".join(parts)


@dataclass
class Consolidated:
    year: int
    region: Region
    columns: dict[str, str]  # key → label, only the lists present this year
    rows: list[Row]

    def cells(self, row: Row) -> list[Entry | None]:
        return [row.entries.get(key) for key in self.columns]


def newest(runs: Iterable[Run]) -> Run | None:
    return max(runs, key=lambda r: r.created, default=None)


def reasons(status: SchoolStatus) -> str:
    triggered = [e for e in status.items if e["triggered"]]
    if status.run.is_official:
        return "; ".join(e["detail"] for e in triggered)
    return "; ".join(f"{e['label']} — {e['detail']}" for e in triggered)


def consolidated_list(
    user: Any,
    region: Region,
    year: int,
    *,
    municipality: Municipality | None = None,
    source: str = "",
) -> Consolidated:
    """The consolidated list of the region (or of one municipality) the user sees. For each
    kind of list and each municipality the newest list covering it decides: a municipality's
    own list over the region's when it is newer."""
    runs = list(
        Run.objects.restrict(user)
        .filter(region=region, year=year)
        .select_related("methodology", "region", "municipality")
    )
    places = Municipality.objects.restrict(user).filter(region=region)
    if municipality is not None:
        places = places.filter(pk=municipality.pk)
    place_ids = list(places.values_list("pk", flat=True))
    region_code, _ = primary_codes(region.pk)
    own_codes = dict(
        PrimaryMethodology.objects.filter(region=region, municipality__isnull=False).values_list(
            "municipality_id", "code"
        )
    )

    def covering(place: int, runs: Iterable[Run]) -> Run | None:
        return newest(r for r in runs if r.municipality_id in (None, place))

    def of_code(code: str | None) -> list[Run]:
        return [r for r in runs if r.methodology and r.methodology.code == code]

    region_runs = [r for r in of_code(region_code) if r.municipality_id is None]
    pickers: dict[str, Callable[[int], Run | None]] = {
        REGION_COLUMN: lambda place: newest(region_runs),
        MUNICIPALITY_COLUMN: lambda place: covering(place, of_code(own_codes.get(place))),
    }
    for kind in ListSource:
        if kind != ListSource.METHODOLOGY:
            chosen = [r for r in runs if r.source == kind]
            pickers[kind.value] = partial(covering, runs=chosen)

    rows: dict[int, Row] = {}
    present: set[str] = set()
    for key, pick in pickers.items():
        decides: dict[Run, list[int]] = defaultdict(list)
        for place in place_ids:
            run = pick(place)
            if run is not None:
                decides[run].append(place)
        for run, run_places in decides.items():
            present.add(key)
            statuses = with_items(
                SchoolStatus.objects.restrict(user)
                .filter(
                    run=run,
                    status__in=LISTED_STATUSES,
                    school__municipality_id__in=run_places,
                )
                .select_related("school__municipality", "run__methodology")
            )
            for status in statuses:
                row = rows.setdefault(status.school_id, Row(status.school))
                row.entries[key] = Entry(run, status.status, reasons(status))
    chosen_rows = [r for r in rows.values() if not source or source in r.entries]
    chosen_rows.sort(key=lambda r: (r.school.municipality.name, r.school.name))
    return Consolidated(
        year=year,
        region=region,
        columns={k: label for k, label in COLUMNS.items() if k in present},
        rows=chosen_rows,
    )
