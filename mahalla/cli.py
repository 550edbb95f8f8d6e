"""The `mahalla` console script: the project's management commands under one name.

mahalla migrate
mahalla import territories FILE
mahalla import offences FILE [--skip-invalid --rejects FILE]
mahalla serve
mahalla engine backtest --csv FILE ...
"""

from __future__ import annotations

import os
import sys

# Commands that run as the database owner when MAHALLA_MIGRATE_DATABASE_URL names it (docs/access.md).
OWNER_COMMANDS = frozenset({"migrate", "db_app_role", "backup", "restore"})


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    arguments = sys.argv[1:] if argv is None else argv
    owner_url = os.environ.get("MAHALLA_MIGRATE_DATABASE_URL", "")
    if owner_url and arguments and arguments[0] in OWNER_COMMANDS:
        os.environ["DATABASE_URL"] = owner_url
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mahalla", *arguments])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
