"""Backup and restore of a whole instance: the database and the files, in one archive.

The archive is a .tar.gz: the database (`database.sqlite3` or `database.pgdump`), the files under
`files/media/` (evidence, uploads) and `files/report_templates/` (a municipality's Word
templates), and last `manifest.json` with the format, the database vendor, the applied
migrations and the SHA-256 and size of every member. Not included: columnar snapshots
(`<data>/snapshots/`, rebuilt from the tables on first use and cleared on restore), the cache,
collected static files and the secret key (sessions end; sign in again).

Consistency while the app runs: SQLite is copied by the online backup API in one step, which
reads one committed state of the whole file; PostgreSQL by `pg_dump`, which reads one snapshot
of the database in a REPEATABLE READ transaction and keeps everything a table needs (the stamp
triggers of core/snapshots.py, sequences), and is restored by `pg_restore --clean` in one
transaction. The files are copied after the database: files are only ever added under new
names, so every file the copied rows name is in the archive (a file added meanwhile is an
unused extra).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from shnor.core.models import AuditEvent, Job

FORMAT, VERSION = "shnor-backup", 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20


class BackupError(Exception):
    """What went wrong, in words for the operator."""


def file_roots() -> dict[str, Path]:
    """The folders whose files the archive carries, by their name in it."""
    return {
        "media": Path(settings.MEDIA_ROOT),
        "report_templates": Path(settings.DATA_DIR) / "report_templates",
    }


def snapshot_folder() -> Path:
    return Path(settings.DATA_DIR) / "snapshots"


# -- PostgreSQL tools ------------------------------------------------------------------------


def postgres_tool(name: str) -> str:
    """pg_dump / pg_restore of the server's major version when installed (Debian keeps them in
    /usr/lib/postgresql/<version>/bin, off PATH), else the newest installed, else PATH."""
    major = connection.pg_version // 10000  # type: ignore[attr-defined]
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    candidates += sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"Не найдена программа {name} (клиент PostgreSQL): установите пакет "
            f"postgresql-client-{major} или добавьте её каталог в PATH."
        )
    return found


def postgres_arguments() -> tuple[list[str], dict[str, str]]:
    """Connection options for the command-line tools and the environment with the password."""
    config = connection.settings_dict
    arguments = [f"--dbname={config['NAME']}"]
    if config.get("HOST"):
        arguments.append(f"--host={config['HOST']}")
    if config.get("PORT"):
        arguments.append(f"--port={config['PORT']}")
    if config.get("USER"):
        arguments.append(f"--username={config['USER']}")
    environment = {**os.environ}
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    return arguments, environment


def run_tool(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} завершился с ошибкой:\n{done.stderr.strip()}")


# -- writing ---------------------------------------------------------------------------------


def dump_database(target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # one step (all pages at once): the copy is one committed state of the database
            connection.connection.backup(copy)
        finally:
            copy.close()
    elif connection.vendor == "postgresql":
        arguments, environment = postgres_arguments()
        run_tool(
            [postgres_tool("pg_dump"), "--format=custom", f"--file={target}", *arguments],
            environment,
        )
    else:
        raise BackupError(f"База данных {connection.vendor} не поддерживается.")


class Hashing(io.RawIOBase):
    """Reads a file for the archive and hashes what was read on the way."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.sha256 = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


@dataclass
class Summary:
    database: int = 0
    files: int = 0
    bytes: int = 0


def create_backup(path: Path) -> Summary:
    """Write the archive to `path` (through a temporary file: never a half archive)."""
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"База данных {vendor} не поддерживается.")
    summary = Summary()
    members: dict[str, dict[str, Any]] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as work:
        database = Path(work) / DATABASE_MEMBERS[vendor]
        dump_database(database)
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:

            def add(name: str, source: Path) -> None:
                info = archive.gettarinfo(str(source), arcname=name)
                with source.open("rb") as stream:
                    hashing = Hashing(stream)
                    archive.addfile(info, hashing)
                members[name] = {"sha256": hashing.sha256.hexdigest(), "size": info.size}
                summary.bytes += info.size

            add(database.name, database)
            summary.database = database.stat().st_size
            for root_name, root in file_roots().items():
                for source in sorted(p for p in root.rglob("*") if p.is_file()):
                    add(f"files/{root_name}/{source.relative_to(root).as_posix()}", source)
                    summary.files += 1
            manifest = json.dumps(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "created": timezone.now().isoformat(),
                    "vendor": vendor,
                    "database": database.name,
                    "migrations": applied_migrations(),
                    "members": members,
                },
                ensure_ascii=False,
                indent=1,
            ).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(manifest), int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(manifest))
        os.replace(partial, path)
    return summary


def applied_migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return latest


# -- reading ---------------------------------------------------------------------------------


def safe_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Архив повреждён или подменён: недопустимое имя «{name}».")
    return path


def unpack(path: Path, work: Path) -> dict[str, Any]:
    """Extract the archive into `work`, checking every member against the manifest; returns
    the manifest. Anything wrong stops here, before the database or a file is touched."""
    if not path.is_file():
        raise BackupError(f"Файл не найден: {path}")
    hashes: dict[str, tuple[str, int]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = safe_member_name(member.name)
                if not member.isfile():
                    raise BackupError(f"Архив подменён: «{member.name}» — не обычный файл.")
                stream = archive.extractfile(member)
                assert stream is not None  # a regular file always has a stream
                if member.name == MANIFEST:
                    manifest = json.loads(stream.read(CHUNK * 16))
                    continue
                target = work.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := stream.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                hashes[member.name] = (digest.hexdigest(), member.size)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(
            f"{path}: не архив резервной копии shnor или он повреждён ({error})."
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(f"{path}: опись архива (manifest.json) повреждена.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: это не резервная копия shnor (нет описи manifest.json).")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{path}: копия формата версии {manifest.get('version')}, ожидается {VERSION}."
        )
    listed = {name: (entry["sha256"], entry["size"]) for name, entry in manifest["members"].items()}
    if listed != hashes:
        damaged = sorted(set(listed) | set(hashes), key=str)
        damaged = [n for n in damaged if listed.get(n) != hashes.get(n)]
        raise BackupError(
            f"{path}: архив повреждён — не совпадают с описью: {', '.join(damaged[:10])}."
        )
    return manifest


def data_rows() -> int:
    """Rows that show the database is in use: accounts, journal entries, jobs. `migrate` fills
    the catalogues (procedures, subjects, built-in methodologies) but none of these, and every
    import, run or sign-up writes at least one."""
    existing = set(connection.introspection.table_names())
    return sum(
        model._base_manager.count()
        for model in (get_user_model(), AuditEvent, Job)
        if model._meta.db_table in existing
    )


def restore_database(source: Path) -> None:
    connections.close_all()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        backup = sqlite3.connect(source)
        try:
            # page by page into the open database, under its lock: no file is swapped under a
            # running process
            backup.backup(connection.connection)
        finally:
            backup.close()
    else:
        arguments, environment = postgres_arguments()
        run_tool(
            [
                postgres_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *arguments,
                str(source),
            ],
            environment,
        )
    connections.close_all()  # prepared statements and caches refer to the replaced tables


def replace_files(work: Path) -> int:
    count = 0
    for root_name, root in file_roots().items():
        if root.exists():
            shutil.rmtree(root)
        unpacked = work / "files" / root_name
        if unpacked.exists():
            shutil.move(str(unpacked), str(root))
            count += sum(1 for p in root.rglob("*") if p.is_file())
    if snapshot_folder().exists():  # snapshots of the replaced tables: rebuilt on first use
        shutil.rmtree(snapshot_folder())
    return count


def restore_backup(path: Path, *, force: bool) -> tuple[dict[str, Any], int]:
    """Check the whole archive, then replace the database and the files with its contents."""
    data = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(dir=data) as work:
        manifest = unpack(path, Path(work))
        if manifest["vendor"] != connection.vendor:
            raise BackupError(
                f"{path}: копия базы {manifest['vendor']}, а настроена база "
                f"{connection.vendor}; восстанавливайте в базу того же вида."
            )
        rows = data_rows()
        if rows and not force:
            raise BackupError(
                f"В базе уже есть данные (строк: {rows}); восстановление заменит их. "
                "Повторите с --force, если это и нужно."
            )
        restore_database(Path(work) / manifest["database"])
        files = replace_files(Path(work))
    return manifest, files
