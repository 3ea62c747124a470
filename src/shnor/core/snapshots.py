"""Columnar snapshots of large tables, kept in step with the database.

Reading a few million rows through the Python database driver takes seconds; reading them from an
Arrow file takes milliseconds. A snapshot is such a file under DATA_DIR/snapshots, named after the
table's stamp (`DataStamp`): a random value that database triggers replace on every insert,
update, delete or truncate of the table, in the writing transaction. A reader takes the file of
the current stamp, or reads the table and writes the file. Because the stamp is random and
changes together with the data, no other state of the data — a rolled-back write, another
writer's uncommitted one, a restored backup, another database sharing the folder — can be served
from the file.

Triggers are (re)installed after every migrate, and the stamp renewed: SQLite drops a table's
triggers when a migration rebuilds the table.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.apps import apps
from django.conf import settings
from django.db import connections, models

from shnor.core.columnar import ColumnTypes, read_frame
from shnor.core.models import DataStamp

SNAPSHOTS: dict[str, Snapshot] = {}


def new_stamp() -> str:
    return secrets.token_hex(16)


def current_stamp(table: str) -> str:
    stamp = DataStamp.objects.filter(table_name=table).values_list("stamp", flat=True).first()
    if stamp is None:  # a flush emptied the stamps; a stamp made now precedes the next read
        row, _ = DataStamp.objects.get_or_create(table_name=table, defaults={"stamp": new_stamp()})
        stamp = row.stamp
    return stamp


@dataclass(frozen=True)
class Snapshot:
    """The columns of `model`'s table that readers need, with their Polars types."""

    model: type[models.Model]
    columns: ColumnTypes

    def __post_init__(self) -> None:
        SNAPSHOTS[self.table] = self

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def folder(self) -> Path:
        return Path(settings.DATA_DIR) / "snapshots"

    def path(self, stamp: str) -> Path:
        return self.folder() / f"{self.table}-{stamp}.arrow"

    def read(self) -> pl.DataFrame:
        """The whole table as of now (including the current transaction's own writes)."""
        stamp = current_stamp(self.table)
        try:
            return pl.read_ipc(self.path(stamp))
        except FileNotFoundError:
            pass
        data = read_frame(self.select_sql(), [], self.columns)
        # A write that committed while the table was read has changed the stamp: such a read
        # is still the answer to this call, but it is not the state of `stamp`.
        if current_stamp(self.table) == stamp:
            self.save(data, stamp)
        return data

    def select_sql(self) -> str:
        # Decimals come as floats: drivers hand them over as Decimal objects or Arrow decimals.
        columns = [
            f"CAST({c} AS DOUBLE PRECISION)" if t == pl.Float64 else c
            for c, t in self.columns.items()
        ]
        return f"SELECT {', '.join(columns)} FROM {self.table}"

    def save(self, data: pl.DataFrame, stamp: str) -> None:
        folder = self.folder()
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".arrow")
        os.close(handle)
        data.write_ipc(temporary)
        os.replace(temporary, self.path(stamp))
        for stale in folder.glob(f"{self.table}-*.arrow"):
            if stale != self.path(stamp):
                stale.unlink(missing_ok=True)


def trigger_sql(vendor: str, table: str) -> list[str]:
    stamps = DataStamp._meta.db_table
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION shnor_renew_stamp() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE {stamps} SET stamp = replace(gen_random_uuid()::text, '-', '')
                    WHERE table_name = TG_TABLE_NAME;
                    RETURN NULL;
                END $$""",
            f"""CREATE OR REPLACE TRIGGER {table}_stamp
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION shnor_renew_stamp()""",
        ]
    # SQLite has row triggers only: about a microsecond and a half per written row.
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_stamp_{operation.lower()}
            AFTER {operation} ON {table} BEGIN
                UPDATE {stamps} SET stamp = lower(hex(randomblob(16)))
                WHERE table_name = '{table}';
            END"""
        for operation in ("INSERT", "UPDATE", "DELETE")
    ]


def stamped_tables() -> list[str]:
    """Every table whose writes renew its stamp: the models that say `stamped = True`."""
    tables = {m._meta.db_table for m in apps.get_models() if getattr(m, "stamped", False)}
    unstamped = set(SNAPSHOTS) - tables
    assert not unstamped, f"snapshotted tables must be stamped: {sorted(unstamped)}"
    return sorted(tables)


def stamps_of(*stamped_models: type[models.Model]) -> str:
    """One value that changes whenever any of these tables is written: the key of whatever is
    derived from them."""
    tables = sorted(m._meta.db_table for m in stamped_models)
    found = dict(DataStamp.objects.filter(table_name__in=tables).values_list("table_name", "stamp"))
    joined = "|".join(found.get(t) or current_stamp(t) for t in tables)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def install_triggers(using: str = "default", **kwargs: Any) -> None:
    """post_migrate: triggers on every stamped table, and a new stamp for each."""
    database = connections[using]
    tables = stamped_tables()
    with database.cursor() as cursor:
        for table in tables:
            for sql in trigger_sql(database.vendor, table):
                cursor.execute(sql)
    for table in tables:
        DataStamp.objects.using(using).update_or_create(
            table_name=table, defaults={"stamp": new_stamp()}
        )
