"""Reading query results straight into Polars frames.

On PostgreSQL, outside a transaction, the query runs through ADBC, which hands over Arrow
columns without a Python object per value (several times faster for the million-row reads of
identification). Inside a transaction (tests, actions that must see their own writes) it runs on
Django's connection.

Never on SQLite: the ADBC driver carries its own copy of SQLite, and two copies of SQLite in one
process break each other's POSIX locks on the same file («disk I/O error», and worse: a
corrupted database). SQLite is read through Django's connection only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import polars as pl
from django.db import connection

if TYPE_CHECKING:
    from django.db.backends.postgresql.operations import DatabaseOperations

# Column name → Polars type; Polars takes a type class (pl.Int64) as well as an instance
# (pl.Datetime("us")).
ColumnTypes = Mapping[str, pl.DataType | type[pl.DataType]]


FETCH_ROWS = 50_000


def adbc_connection() -> Any | None:
    if connection.in_atomic_block:
        return None
    if connection.vendor == "postgresql":
        import adbc_driver_postgresql.dbapi

        return adbc_driver_postgresql.dbapi.connect(postgres_uri())
    return None


def postgres_uri() -> str:
    config = connection.settings_dict
    user = quote(config.get("USER") or "")
    password = f":{quote(config['PASSWORD'])}" if config.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgresql://{auth}{config.get('HOST') or 'localhost'}{port}/{config['NAME']}"


def read_frame(sql: str, params: list[Any], schema: ColumnTypes) -> pl.DataFrame:
    """Run `sql` (with %s placeholders) and return its rows as a frame of `schema`, whose
    names replace the query's (which must be unique)."""
    adbc = adbc_connection()
    if adbc is None:
        # In slices: a million rows fetched at once as Python tuples take gigabytes.
        parts: list[pl.DataFrame] = []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(FETCH_ROWS):
                parts.append(pl.DataFrame(rows, schema=schema, orient="row", strict=False))
        return pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    with adbc:
        cursor = adbc.cursor()
        # Bound parameters keep the PostgreSQL driver off its COPY path (twice as slow): the
        # query goes with its values quoted in by psycopg instead.
        ops = cast("DatabaseOperations", connection.ops)  # ADBC runs on PostgreSQL only
        cursor.execute(ops.compose_sql(sql, params))
        data = pl.DataFrame(cursor.fetch_arrow())
        cursor.close()
    data.columns = list(schema)
    return data.select([pl.col(c).cast(t) for c, t in schema.items()])
