"""Schools and their context as Polars frames, read from the tables' columnar snapshots
(core/snapshots.py): identification reads every school of a region per run."""

from __future__ import annotations

import polars as pl

from shnor.core.snapshots import Snapshot
from shnor.identification.engine.inputs import SCHEMAS
from shnor.registry.models import School, SchoolContext

SCHOOLS = Snapshot(
    School,
    {
        "id": pl.Int64,
        "code": pl.Utf8,
        "name": pl.Utf8,
        "municipality_id": pl.Int64,
        "kind": pl.Utf8,
    },
)

# The engine's context (identification/engine/inputs.py) as the table holds it: SQLite keeps
# booleans as integers, so stable_internet is read as one and cast by the reader.
CONTEXTS = Snapshot(SchoolContext, {**SCHEMAS["context"], "stable_internet": pl.Int8})
