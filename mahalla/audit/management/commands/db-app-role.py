"""`mahalla db-app-role ROLE`: grant the application's PostgreSQL role what it needs and no more.

Run as the owner of the tables (MAHALLA_MIGRATE_DATABASE_URL), once and after every migration that adds a
table. The role gets SELECT, INSERT, UPDATE, DELETE on every table of the schema except the audit log,
where it gets SELECT and INSERT only, and USAGE on the sequences. It owns nothing: it cannot drop or
disable the audit log's triggers, nor change or delete its rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import connection

from mahalla.core.management.base import MahallaCommand

AUDIT_TABLE = "audit_auditevent"


def app_role_grants(role: str) -> list[str]:
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
    statements = [
        f"GRANT CONNECT ON DATABASE {connection.ops.quote_name(database)} TO {quoted}",
        f"GRANT USAGE ON SCHEMA {connection.ops.quote_name(schema)} TO {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {connection.ops.quote_name(schema)} FROM {quoted}",
    ]
    for table in tables:
        privileges = "SELECT, INSERT" if table == AUDIT_TABLE else "SELECT, INSERT, UPDATE, DELETE"
        statements.append(f"GRANT {privileges} ON {connection.ops.quote_name(table)} TO {quoted}")
    statements.append(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {connection.ops.quote_name(schema)} TO {quoted}"
    )
    return statements


class Command(MahallaCommand):
    help = "Grant the application's PostgreSQL role its rights: insert and read only on the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the application's role (it must exist: CREATE ROLE ... LOGIN)")
        parser.add_argument("--dry-run", action="store_true", help="print the statements only")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Database roles are a PostgreSQL matter; SQLite has none (see docs/access.md)."
            )
        statements = app_role_grants(options["role"])
        with connection.cursor() as cursor:
            for statement in statements:
                self.stdout.write(statement + ";")
                if not options["dry_run"]:
                    cursor.execute(statement)
