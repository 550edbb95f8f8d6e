"""argparse's own texts (usage, section titles, every usage error) in the language of the run.

argparse looks its texts up with the standard library's `gettext` under the default domain, for which no
uz or ru catalogue exists, so a Russian run would print "error: the following arguments are required". The
texts are listed here for `makemessages` and translated in the project's catalogues; `argparse_translate`
points argparse's module-level `_` and `ngettext` at Django's translation, which answers every text it does
not know with the text itself. argparse reads those two names at call time, so the switch also covers
Django's own commands and the parsers it builds before a command runs.
"""

from __future__ import annotations

import argparse

from django.utils.translation import npgettext, pgettext, pgettext_lazy

# Not called: listed so that makemessages extracts the texts argparse (Python 3.11) formats for a user.
_EXTRACTED = (
    pgettext_lazy("argparse", "usage: "),
    pgettext_lazy("argparse", "positional arguments"),
    pgettext_lazy("argparse", "options"),
    pgettext_lazy("argparse", "subcommands"),
    pgettext_lazy("argparse", "show this help message and exit"),
    pgettext_lazy("argparse", "%(prog)s: error: %(message)s\n"),
    pgettext_lazy("argparse", "argument %(argument_name)s: %(message)s"),
    pgettext_lazy("argparse", "the following arguments are required: %s"),
    pgettext_lazy("argparse", "one of the arguments %s is required"),
    pgettext_lazy("argparse", "unrecognized arguments: %s"),
    pgettext_lazy("argparse", "not allowed with argument %s"),
    pgettext_lazy("argparse", "ignored explicit argument %r"),
    pgettext_lazy("argparse", "expected one argument"),
    pgettext_lazy("argparse", "expected at most one argument"),
    pgettext_lazy("argparse", "expected at least one argument"),
    pgettext_lazy("argparse", "ambiguous option: %(option)s could match %(matches)s"),
    pgettext_lazy("argparse", "invalid %(type)s value: %(value)r"),
    pgettext_lazy("argparse", "invalid choice: %(value)r (choose from %(choices)s)"),
    pgettext_lazy("argparse", "unknown parser %(parser_name)r (choices: %(choices)s)"),
    pgettext_lazy("argparse", "can't open '%(filename)s': %(error)s"),
    pgettext_lazy("argparse", "unexpected option string: %s"),
)


def _argparse_gettext(message: str) -> str:
    return pgettext("argparse", message)


def _argparse_ngettext(singular: str, plural: str, number: int) -> str:
    return npgettext("argparse", singular, plural, number)


def argparse_translate() -> None:
    """Make argparse speak the active language (idempotent)."""
    argparse._ = _argparse_gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]


def _plural_extracted(number: int) -> str:
    # Not called: the one plural text, for makemessages.
    return npgettext("argparse", "expected %s argument", "expected %s arguments", number)
