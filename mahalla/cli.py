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


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mahalla", *(sys.argv[1:] if argv is None else argv)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
