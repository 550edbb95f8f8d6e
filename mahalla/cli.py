"""The `mahalla` console script: the project's management commands under one name.

mahalla --help                      the platform's commands first, Django's under their own heading
mahalla [--lang uz|ru|en] COMMAND   one language for the whole run (default: the MAHALLA_LANGUAGE setting)
mahalla COMMAND --help              a command's options
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
OWNER_COMMANDS = frozenset({"migrate", "db-app-role", "backup", "restore"})
LANGUAGES = ("uz", "ru", "en")
HELP_WORDS = ("-h", "--help", "help")


def _language_take(argv: list[str]) -> tuple[str | None, list[str]]:
    """The value of `--lang X` / `--lang=X` wherever it stands, and the arguments without it."""
    rest: list[str] = []
    language = None
    index = 0
    while index < len(argv):
        argument = argv[index]
        if argument == "--lang":
            if index + 1 >= len(argv):
                raise SystemExit(f"mahalla: error: --lang needs one of {', '.join(LANGUAGES)}")
            language = argv[index + 1]
            index += 2
            continue
        if argument.startswith("--lang="):
            language = argument.split("=", 1)[1]
        else:
            rest.append(argument)
        index += 1
    if language is not None and language not in LANGUAGES:
        raise SystemExit(f"mahalla: error: --lang {language!r}: choose one of {', '.join(LANGUAGES)}")
    return language, rest


def _command_name(name: str, commands: dict[str, str]) -> str:
    """The platform's names use hyphens; the underscore spelling (user_create) keeps working, and Django's
    underscore names (run_huey) answer to hyphens too."""
    if name in commands:
        return name
    for candidate in (name.replace("_", "-"), name.replace("-", "_")):
        if candidate in commands:
            return candidate
    return name


def _first_line(text: object) -> str:
    line = str(text or "").strip().split("\n")[0]
    return line if len(line) <= 90 else line[:87] + "..."


def _main_help(commands: dict[str, str]) -> str:
    from django.core.management import load_command_class
    from django.utils.translation import gettext as _

    ours = sorted(name for name, app in commands.items() if app.startswith("mahalla."))
    theirs: dict[str, list[str]] = {}
    for name, app in commands.items():
        if not app.startswith("mahalla."):
            theirs.setdefault(app.rpartition(".")[2], []).append(name)
    width = max(len(name) for name in ours) + 2
    lines = [
        _("Usage: mahalla [--lang uz|ru|en] COMMAND [options]"),
        _("       mahalla COMMAND --help   (the options of one command)"),
        "",
        _("The platform's commands:"),
    ]
    for name in ours:
        lines.append(f"  {name.ljust(width)}{_first_line(load_command_class(commands[name], name).help)}")
    lines += ["", _("Django's commands (administration):")]
    for app in sorted(theirs):
        lines.append(f"  [{app}] " + ", ".join(sorted(theirs[app])))
    return "\n".join(lines) + "\n"


def _unknown_command(name: str, commands: dict[str, str]) -> str:
    """Django's own message is English only; this one is in the run's language and suggests the nearest
    names."""
    from difflib import get_close_matches

    from django.utils.translation import gettext as _

    message = _("Unknown command: %(name)r.") % {"name": name}
    nearest = get_close_matches(name, [n.replace("_", "-") for n in commands], n=3)
    if nearest:
        message += " " + _("Did you mean: %(names)s?") % {"names": ", ".join(nearest)}
    return message + "\n" + _("Type 'mahalla --help' for the list of commands.") + "\n"


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    language, arguments = _language_take(arguments)
    if language:
        # The setting (config.settings.base: LANGUAGE_CODE) is read once when Django starts: every message of
        # the run, Django's and ours, is then in this one language.
        os.environ["MAHALLA_LANGUAGE"] = language
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    owner_url = os.environ.get("MAHALLA_MIGRATE_DATABASE_URL", "")
    if owner_url and arguments and arguments[0].replace("_", "-") in OWNER_COMMANDS:
        os.environ["DATABASE_URL"] = owner_url
    import django
    from django.core.management import execute_from_command_line, get_commands

    django.setup()
    if language:
        from django.utils import translation

        translation.activate(language)  # also when Django was set up before (tests, an embedding program)
    from mahalla.core.management.argparse_texts import argparse_translate

    argparse_translate()  # usage lines and usage errors of every command, Django's included, in one language
    commands = get_commands()
    if not arguments or (arguments[0] in HELP_WORDS and len(arguments) == 1):
        sys.stdout.write(_main_help(commands))
        return 0
    if arguments[0] == "help" and len(arguments) > 1:
        arguments = [_command_name(arguments[1], commands), "--help"]
    else:
        arguments[0] = _command_name(arguments[0], commands)
    if arguments[0] not in commands and not arguments[0].startswith("-"):
        sys.stderr.write(_unknown_command(arguments[0], commands))
        return 1
    execute_from_command_line(["mahalla", *arguments])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
