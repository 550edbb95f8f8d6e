"""Django's template engine with each app's template tag library imported when a template first loads it.

Django's engine imports the `templatetags` modules of every installed app when it starts, before the first
page is rendered. DRF's (for its browsable API) imports DRF's renderers and serializers and, through
`rest_framework.compat`, every optional companion it finds: requests, PyYAML, Pygments and, through
django.contrib.postgres, psycopg, also on a SQLite deployment. A server worker paid for them (about a
fifth of its start-up with no cached bytecode) to render its sign-in page, which loads none of them.

Here the libraries are found as Django finds them (the modules of each app's `templatetags` package, in the
order of INSTALLED_APPS, a later app's library of the same name winning; then OPTIONS["libraries"]), but
without importing them: a library is imported on its first `{% load %}`, and a module that has no
`register` is not a library, as in Django.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.checks import Warning
from django.forms import renderers as forms_renderers
from django.template.backends.django import DjangoTemplates
from django.template.library import Library


def library_candidates() -> dict[str, list[str]]:
    """Each library name and the modules that may define it, the one Django would choose last."""
    candidates: dict[str, list[str]] = {}
    packages = ["django.templatetags"] + [f"{config.name}.templatetags" for config in apps.get_app_configs()]
    for package_name in packages:
        try:
            package = import_module(package_name)
        except ImportError:
            continue  # an app without template tags
        if not hasattr(package, "__path__"):
            continue
        for module in pkgutil.walk_packages(package.__path__, package_name + "."):
            name = module.name.removeprefix(package_name).lstrip(".")
            candidates.setdefault(name, []).append(module.name)
    return candidates


class LibrariesOnFirstLoad(dict[str, Library]):
    """The engine's libraries by name: a name it knows is imported the first time a template asks for it."""

    def __init__(self, candidates: dict[str, list[str]]) -> None:
        super().__init__()
        self.candidates = candidates

    def __missing__(self, name: str) -> Library:
        # A name that is no library is a KeyError, which the template parser reports as Django does.
        for module_name in reversed(self.candidates[name]):
            library = getattr(import_module(module_name), "register", None)
            if library is not None:
                self[name] = library
                return library
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return name in self.candidates

    def __iter__(self) -> Any:
        # The parser lists the names when a {% load %} names none of them.
        return iter(self.candidates)


class LazyLibrariesDjangoTemplates(DjangoTemplates):
    def __init__(self, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.engine.template_libraries = LibrariesOnFirstLoad(self._library_candidates)

    def get_templatetag_libraries(self, custom_libraries: dict[str, str]) -> dict[str, str]:
        # Django's engine imports what this returns; the names are kept for LibrariesOnFirstLoad instead.
        self._library_candidates = library_candidates()
        for name, module_name in custom_libraries.items():
            self._library_candidates.setdefault(name, []).append(module_name)
        return {}

    def _check_for_template_tags_with_the_same_name(self) -> list[Warning]:
        # Django's check (templates.W003) imports every library to find their names; the same check on the
        # names found without importing them (a module of a `templatetags` package that is not a library
        # is counted too: a name clash with one is worth the warning as well).
        return [
            Warning(
                f"{name!r} is used for multiple template tag modules: "
                + ", ".join(repr(module) for module in sorted(set(modules))),
                obj=self,
                id="templates.W003",
            )
            for name, modules in self._library_candidates.items()
            if len(set(modules)) > 1
        ]


class FormRenderer(forms_renderers.DjangoTemplates):
    """Django's form renderer (its own engine for the widgets' templates) with the same engine: Django's
    would import every app's template tag library on the first form a page shows."""

    backend = LazyLibrariesDjangoTemplates
