"""Backups: the database (pg_dump, custom format) and MEDIA_ROOT's files in one tar archive.

The dump and the row counts in its manifest read one snapshot (exported by a repeatable-read
transaction and handed to pg_dump), so they agree with each other whatever is being written. The
history (django-pghistory's event tables) is ordinary tables, and its triggers are in the dump:
pg_restore creates triggers after loading the data, so a restore writes no events of its own and
the restored database records new changes as before. Media files are read after the dump, so every
file the dumped rows name is in the archive.
"""

import datetime
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ, make_dsn

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "registry.dump"
MEDIA = "media"

TABLES_SQL = """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
    ORDER BY 1, 2
"""
RELATIONS_SQL = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
"""


# Keys of a DATABASES entry's OPTIONS that Django reads itself (the others are libpq's).
DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool", "cursor_factory"}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database: str
    server_version: str
    pg_dump_version: str
    tables: dict[str, int]
    media_files: int

    def as_json(self) -> bytes:
        return json.dumps({"format": ARCHIVE_FORMAT, **self.__dict__}, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        values = json.loads(data)
        if values.pop("format", None) != ARCHIVE_FORMAT:
            raise BackupError("Not a registry backup of a format this version reads.")
        return cls(**values)


def connection_dsn(database: dict) -> str:
    """A libpq connection string for a Django DATABASES entry, without the password (passed as PGPASSWORD)."""
    options = {
        key: value
        for key, value in (database.get("OPTIONS") or {}).items()
        if key not in DJANGO_ONLY_OPTIONS and isinstance(value, str | int)
    }
    params = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "host": database.get("HOST") or None,
        "port": str(database["PORT"]) if database.get("PORT") else None,
        **options,
    }
    return make_dsn(**{key: value for key, value in params.items() if value is not None})


def _connect(database: dict):
    return psycopg2.connect(connection_dsn(database), password=database.get("PASSWORD") or None)


def _tool_env(database: dict) -> dict:
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


def _major(version_text: str) -> int:
    match = re.search(r"\(PostgreSQL\) (\d+)", version_text)
    if match is None:
        raise BackupError(f"Cannot read a PostgreSQL version from {version_text!r}.")
    return int(match.group(1))


def pg_tool(name: str, *, server_major: int) -> tuple[str, str]:
    """pg_dump or pg_restore for a server of this major version: the same major version first (as
    scripts/env.sh looks: PATH, pg_config's bindir, /usr/lib/postgresql/*/bin), else a newer one.
    Returns the path and its `--version` line."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"))
    if shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    if shutil.which("pg_config"):
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        candidates.append(Path(bindir) / name)
    candidates += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    found = []
    for path in dict.fromkeys(candidates):
        if path.is_file() and os.access(path, os.X_OK):
            version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip()
            found.append((_major(version), str(path), version))
    for major, path, version in found:
        if major == server_major:
            return path, version
    newer = sorted(item for item in found if item[0] > server_major)
    if newer:
        return newer[0][1], newer[0][2]
    raise BackupError(
        f"No {name} for PostgreSQL {server_major} (found: {[v for _, _, v in found] or 'none'}). Install "
        f"postgresql-client-{server_major} or set PG_BIN to the directory that holds it."
    )


def _run(command: list[str], *, env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")


def _count_tables(cursor) -> dict[str, int]:
    cursor.execute(TABLES_SQL)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def backup_write(*, database: dict, media_root: Path, output: Path) -> Manifest:
    """Write the archive at `output` (a .tar): manifest.json, registry.dump and media/."""
    output.parent.mkdir(parents=True, exist_ok=True)
    snapshot_holder = _connect(database)
    try:
        snapshot_holder.set_isolation_level(ISOLATION_LEVEL_REPEATABLE_READ)
        with snapshot_holder.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            server_major = snapshot_holder.server_version // 10000
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            pg_dump, pg_dump_version = pg_tool("pg_dump", server_major=server_major)
            with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
                dump = Path(work) / DUMP
                _run(
                    [
                        pg_dump,
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={dump}",
                        f"--dbname={connection_dsn(database)}",
                    ],
                    env=_tool_env(database),
                )
                tables = _count_tables(cursor)
                snapshot_holder.rollback()
                files = _media_files(media_root)
                manifest = Manifest(
                    created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    database=database["NAME"],
                    server_version=server_version,
                    pg_dump_version=pg_dump_version,
                    tables=tables,
                    media_files=len(files),
                )
                partial = Path(work) / "archive.tar"
                with tarfile.open(partial, "w") as archive:
                    info = tarfile.TarInfo(MANIFEST)
                    data = manifest.as_json()
                    info.size, info.mtime = len(data), int(datetime.datetime.now().timestamp())
                    archive.addfile(info, io.BytesIO(data))
                    archive.add(dump, arcname=DUMP)
                    for path in files:
                        archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
                partial.replace(output)  # never a half-written archive under the final name
    finally:
        snapshot_holder.close()
    return manifest


def read_manifest(archive_path: Path) -> Manifest:
    with tarfile.open(archive_path) as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive_path} has no {MANIFEST}: not a registry backup.")
        return Manifest.from_json(member.read())


def backup_restore(*, archive_path: Path, database: dict, media_root: Path) -> Manifest:
    """Restore an archive into an empty database and an empty (or missing) MEDIA_ROOT, then check
    that every table holds the rows the manifest counted."""
    try:
        manifest = read_manifest(archive_path)
    except (tarfile.TarError, KeyError, OSError) as error:
        raise BackupError(f"Cannot read {archive_path}: {error}") from None
    target = _connect(database)
    try:
        with target.cursor() as cursor:
            cursor.execute(RELATIONS_SQL)
            if cursor.fetchone()[0]:
                raise BackupError(
                    f"Database {database['NAME']} is not empty: restore into an empty database "
                    f"(createdb, or DB_NAME=<new name> with make restore)."
                )
        server_major = target.server_version // 10000
    finally:
        target.close()
    if _media_files(media_root):
        raise BackupError(f"{media_root} already holds files: restore into an empty MEDIA_ROOT.")
    # pg_restore reads archives of its own version and older ones.
    pg_restore, _ = pg_tool("pg_restore", server_major=max(server_major, _major(manifest.pg_dump_version)))
    with tempfile.TemporaryDirectory(prefix="restore-") as work, tarfile.open(archive_path) as archive:
        archive.extract(DUMP, path=work, filter="data")
        # The archive's roles and grants are the source server's: the restoring role owns everything.
        _run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={connection_dsn(database)}",
                str(Path(work) / DUMP),
            ],
            env=_tool_env(database),
        )
        media_root.mkdir(parents=True, exist_ok=True)
        prefix = f"{MEDIA}/"
        members = []
        for member in archive.getmembers():
            if member.name.startswith(prefix) and member.isfile():
                member.name = member.name[len(prefix) :]
                members.append(member)
        archive.extractall(path=media_root, members=members, filter="data")
    target = _connect(database)
    try:
        with target.cursor() as cursor:
            restored = _count_tables(cursor)
    finally:
        target.close()
    differences = {
        table: (count, restored.get(table))
        for table, count in manifest.tables.items()
        if restored.get(table) != count
    }
    if differences:
        raise BackupError(
            f"The restored database differs from the backup (table: backup, restored): {differences}"
        )
    return manifest
