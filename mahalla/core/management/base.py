"""What every `mahalla` command shares: help texts in the run's language, usage errors instead of
tracebacks, progress bars on long steps.

Commands write their texts with `gettext_lazy` at class level; argparse cannot format a lazy text (its
whitespace regular expression wants a `str`: "expected string or bytes-like object, got '__proxy__'"), so the
parser is built with every text evaluated in the language of the run, once, when the command starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.core.management.base import BaseCommand, CommandError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from mahalla.core.errors import ApplicationError
from mahalla.core.management.argparse_texts import argparse_translate

T = TypeVar("T")


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Promise) else value


def parser_texts_resolve(parser: argparse.ArgumentParser) -> None:
    """Turn every lazy text of `parser` (and of its sub-parsers) into a `str` in the active language."""
    parser.description = _text(parser.description)
    parser.epilog = _text(parser.epilog)
    for action in parser._actions:
        action.help = _text(action.help)
        if isinstance(action.metavar, tuple):
            action.metavar = tuple(_text(m) for m in action.metavar)
        else:
            action.metavar = _text(action.metavar)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                choice.help = _text(choice.help)
            for subparser in action.choices.values():
                parser_texts_resolve(subparser)


def date_argument(value: str) -> dt.date:
    """An argparse `type` for YYYY-MM-DD: a bad date is a usage error naming the value, not a traceback."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a date in the form YYYY-MM-DD") % {"value": value}
        ) from None


def date_option(value: Any, option: str) -> dt.date | None:
    """A date option as `call_command` may pass it (a string that argparse did not convert); CommandError
    naming the option when it is not a date."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CommandError(
            _("%(option)s %(value)r is not a date in the form YYYY-MM-DD")
            % {"option": option, "value": value}
        ) from None


def _django_option_help() -> dict[str, str]:
    """Django's default options, with their help in the run's language (Django writes them in English only,
    without gettext)."""
    return {
        "version": _("Show the program's version number and exit."),
        "verbosity": _("Verbosity level: 0 minimal, 1 normal, 2 verbose, 3 very verbose output."),
        "settings": _(
            "The Python path of a settings module, e.g. config.settings.local; without it the "
            "DJANGO_SETTINGS_MODULE environment variable is used."
        ),
        "pythonpath": _("A directory to add to the Python path."),
        "traceback": _("Show the full traceback of an error."),
        "no_color": _("Do not colour the output."),
        "force_color": _("Colour the output even when it is not a terminal."),
        "skip_checks": _("Skip the system checks."),
    }


def parser_localise(parser: argparse.ArgumentParser) -> None:
    """Django's default options under their own heading after the command's, with their help in the run's
    language (argparse's own texts are translated by `argparse_translate`)."""
    django_help = _django_option_help()
    common = parser.add_argument_group(_("common options (Django)"))
    for action in list(parser._optionals._group_actions):
        if action.dest in django_help:
            action.help = django_help[action.dest]
            parser._optionals._group_actions.remove(action)
            common._group_actions.append(action)


class MahallaCommand(BaseCommand):
    """The base of the platform's commands."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        argparse_translate()
        self.help = _text(self.help)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser_texts_resolve(parser)
        parser_localise(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        # An error the user caused (ApplicationError names what and where) is a message, not a traceback.
        try:
            return super().execute(*args, **options)
        except ApplicationError as error:
            raise CommandError(error.message) from error

    def progress(self, iterable: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterator[T]:
        """`iterable` with a progress bar on a terminal (standard error), silent otherwise."""
        if not sys.stderr.isatty():
            yield from iterable
            return
        from tqdm import tqdm

        yield from tqdm(iterable, total=total, desc=desc, unit="", leave=False, dynamic_ncols=True)
