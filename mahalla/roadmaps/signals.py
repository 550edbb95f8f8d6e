"""Signals about a mahalla that come from apps above roadmaps in the layers (the drug-network workbench's
dead-drop clusters): such an app registers a provider in its AppConfig.ready, and the explanation rules
(factor ``signal`` in reference/explanation_rules.csv) read what the providers report, without roadmaps
importing them.

A provider gets the actor and the mahalla and returns counts by signal name, already filtered to what the
actor may see: a role outside the providing app's readers gets nothing (fail-closed), so no rule fires on
what it may not know.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SignalProvider = Callable[[Any, Any], dict[str, int]]

_PROVIDERS: dict[str, SignalProvider] = {}


def register_signal_provider(name: str, provider: SignalProvider) -> None:
    """Register (or replace) the provider called ``name``."""
    _PROVIDERS[name] = provider


def mahalla_signals(*, actor: Any, mahalla: Any) -> dict[str, int]:
    """Counts by signal name for this mahalla, as the actor may see them."""
    signals: dict[str, int] = {}
    for provider in _PROVIDERS.values():
        for name, count in provider(actor, mahalla).items():
            signals[name] = signals.get(name, 0) + int(count)
    return signals
