from __future__ import annotations

from typing import Any

from mahalla.core.management.base import MahallaCommand
from mahalla.cyber.services import campaigns_rebuild


class Command(MahallaCommand):
    help = (
        "Re-link every cyber report into campaigns (rarity-weighted shared indicators, message similarity, "
        "Leiden split), keeping analysts' decisions and the codes of campaigns that stay together. "
        "This is the "
        "daily task, run by hand."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = campaigns_rebuild()
        self.stdout.write(
            f"{outcome.reports} reports, {outcome.campaigns} campaigns "
            f"({outcome.linked_reports} reports linked), "
            f"{len(outcome.hubs)} hub values left out, {outcome.seconds:.1f} s"
        )
