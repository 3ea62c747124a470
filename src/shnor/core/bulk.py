"""Bulk writes in plain SQL, for imports and for other large writes (runs, stored indicator
values): INSERT or COPY without building model instances, and fresh planner statistics."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone

from shnor.core.models import concrete_field


def insert_rows(
    model: type[models.Model], fields: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Plain INSERTs of parsed values: bulk_create builds a model instance and preps every value
    through its field, which dominates the time of a large import. Parsers already return the
    database's Python types (int, Decimal, str, bool, None), which both backends adapt."""
    if not rows:
        return
    meta = model._meta
    columns = [concrete_field(model, f).column for f in fields]
    stamp_fields = [
        f
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    stamps = [f.column for f in stamp_fields]
    now = [f.get_db_prep_save(timezone.now(), connection) for f in stamp_fields]
    quote = connection.ops.quote_name
    names = ", ".join(map(quote, columns + stamps))
    placeholders = ", ".join(["%s"] * (len(columns) + len(stamps)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY is several times faster than INSERTs there
            with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *now))
            return
        # Through a temporary table without triggers: a table with one (the change stamp,
        # core/snapshots.py) makes SQLite open a statement journal for every executed INSERT,
        # 41 µs a row instead of 25 (400,000 papers into 300,000); one INSERT … SELECT opens one.
        # Kept for the connection (and emptied) rather than dropped: SQLite refuses to drop a
        # table while a read of the same connection is open; named after its columns.
        digest = hashlib.sha256(names.encode()).hexdigest()[:12]
        staging = quote(f"shnor_bulk_{meta.db_table}_{digest}")
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} AS "
            f"SELECT {names} FROM {quote(meta.db_table)} WHERE 0"
        )
        for batch in chunks(rows, 5000):
            cursor.executemany(
                f"INSERT INTO temp.{staging} VALUES ({placeholders})",
                [(*row, *now) for row in batch],
            )
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT {names} FROM temp.{staging}"
        )
        cursor.execute(f"DELETE FROM temp.{staging}")


def analyze(*tables: type[models.Model]) -> None:
    """Refresh PostgreSQL's statistics of the given tables (all when none are given) after a bulk
    load. Until autovacuum gets to them the planner takes a freshly filled table for empty and
    joins it by nested loops: a count over the demo region's deficits took 40 s instead of
    milliseconds. SQLite's planner does not depend on statistics so much and is left alone."""
    if connection.vendor != "postgresql":
        return
    names = ", ".join(connection.ops.quote_name(t._meta.db_table) for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
