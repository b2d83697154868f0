"""`manage.py backup` and `restore`: a round trip into a fresh empty database gives the same rows in
every table, the same history, working history triggers, and the media files."""

import subprocess
import threading
import time

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from pghistory.models import Event
from psycopg2 import sql

from bodies.models import Partnership
from composition.seed import load_all
from core.backups import TABLES_SQL, connection_dsn, pg_tool, read_manifest
from tests import factories


def connect(name: str):
    database = {**settings.DATABASES["default"], "NAME": name}
    result = psycopg2.connect(connection_dsn(database), password=database["PASSWORD"] or None)
    result.autocommit = True
    return result


def table_counts(cursor) -> dict[str, int]:
    cursor.execute(TABLES_SQL)
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def history_tables() -> list[str]:
    tables = [model._meta.db_table for model in apps.get_models() if issubclass(model, Event)]
    return [*sorted(tables), "pghistory_context"]


def contents(cursor, table: str) -> str:
    """Every row of the table, as text, in a fixed order: equal contents give equal digests."""
    cursor.execute(
        sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t"
        ).format(sql.Identifier(table))
    )
    return cursor.fetchone()


@pytest.fixture
def empty_database():
    """A fresh empty database on the same server, dropped after the test."""
    name = f"{settings.DATABASES['default']['NAME']}_restore"
    admin = connect("postgres")
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def database_url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def test_pg_dump_matches_the_server(db):
    server_major = connection.pg_version // 10000
    path, version = pg_tool("pg_dump", server_major=server_major)

    assert f"(PostgreSQL) {server_major}." in version
    assert subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip() == version


def test_backup_and_restore_into_an_empty_database(transactional_db, empty_database, tmp_path, settings):
    # Given the seed, records made with factories, a change (an update event) and media files.
    load_all()
    partnership = factories.PartnershipFactory(name="Backed-up Partnership")
    factories.BodyFactory(partnership=partnership, name="Backed-up Board")
    Partnership.objects.filter(pk=partnership.pk).update(name="Backed-up Partnership (renamed)")
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "exports" / "2018").mkdir(parents=True)
    (tmp_path / "media" / "exports" / "2018" / "registers.zip").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "media" / "notes.txt").write_text("as at 1 April 2018\n")
    archive = tmp_path / "registry.tar"

    # When it is backed up, and restored into a fresh database and an empty media directory.
    call_command("backup", output=archive)
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(archive), database_url=database_url(empty_database))

    # Then every table holds the same rows, the history is the same, row for row.
    original, restored = connect(settings.DATABASES["default"]["NAME"]), connect(empty_database)
    with original.cursor() as before, restored.cursor() as after:
        counts = table_counts(before)
        assert table_counts(after) == counts
        assert read_manifest(archive).tables == counts
        assert counts["public.bodies_partnershipevent"] > 0
        for table in history_tables():
            assert contents(after, table) == contents(before, table), table

        # and the restored triggers record a change as a new history event, with the sequences restored.
        after.execute("SELECT count(*) FROM bodies_partnershipevent WHERE pgh_obj_id = %s", [partnership.pk])
        events = after.fetchone()[0]
        after.execute(
            "UPDATE bodies_partnership SET name = 'Restored Partnership' WHERE id = %s", [partnership.pk]
        )
        after.execute(
            "SELECT pgh_label, name FROM bodies_partnershipevent WHERE pgh_obj_id = %s ORDER BY pgh_id",
            [partnership.pk],
        )
        rows = after.fetchall()
        assert len(rows) == events + 1
        assert rows[-1] == ("update", "Restored Partnership")
        # The event tables are still append-only.
        with pytest.raises(psycopg2.Error):
            after.execute("DELETE FROM bodies_partnershipevent")
    original.close()
    restored.close()

    # and the media files are back, byte for byte.
    assert (tmp_path / "restored-media" / "exports" / "2018" / "registers.zip").read_bytes() == bytes(
        range(256)
    ) * 40
    assert (tmp_path / "restored-media" / "notes.txt").read_text() == "as at 1 April 2018\n"


def test_restore_refuses_a_database_that_is_not_empty(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "registry.tar"
    call_command("backup", output=archive)

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(archive), media_root=tmp_path / "restored")

    assert not (tmp_path / "restored").exists()


def test_a_backup_taken_during_writes_is_one_consistent_snapshot(
    transactional_db, empty_database, tmp_path, settings
):
    # Given a partnership renamed over and over by another connection while the backup runs
    partnership = factories.PartnershipFactory(name="Busy Partnership")
    settings.MEDIA_ROOT = tmp_path / "media"
    writer, under_way, done = (
        connect(settings.DATABASES["default"]["NAME"]),
        threading.Event(),
        threading.Event(),
    )

    def rename():
        with writer.cursor() as cursor:
            number = 0
            while not done.is_set():
                number += 1
                cursor.execute(
                    "UPDATE bodies_partnership SET name = %s WHERE id = %s",
                    [f"Busy {number}", partnership.pk],
                )
                if number == 5:
                    under_way.set()
                time.sleep(0.005)

    thread = threading.Thread(target=rename)
    thread.start()
    under_way.wait(timeout=30)
    try:
        call_command("backup", output=tmp_path / "registry.tar")
    finally:
        done.set()
        thread.join()
        writer.close()

    # When it is restored (which checks every table's rows against the manifest's counts)
    call_command(
        "restore",
        str(tmp_path / "registry.tar"),
        database_url=database_url(empty_database),
        media_root=tmp_path / "r",
    )

    # Then the dump, the counts and the history agree: the partnership's name is its last event's.
    manifest = read_manifest(tmp_path / "registry.tar")
    restored = connect(empty_database)
    with restored.cursor() as cursor:
        cursor.execute("SELECT name FROM bodies_partnership WHERE id = %s", [partnership.pk])
        name = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, count(*) OVER () FROM bodies_partnershipevent WHERE pgh_obj_id = %s ORDER BY pgh_id DESC LIMIT 1",
            [partnership.pk],
        )
        last_event_name, events = cursor.fetchone()
    restored.close()
    assert name == last_event_name
    assert name != "Busy Partnership"  # the writes were under way when the snapshot was taken
    assert Partnership.objects.get(pk=partnership.pk).name != name  # and went on after it
    assert manifest.tables["public.bodies_partnershipevent"] >= events
