from __future__ import annotations

import json
from typing import Any

from mahalla.core.management.base import MahallaCommand


class Command(MahallaCommand):
    help = (
        "Train a new version of the cyber method classifier on the shipped ScamGuard and UCI messages, "
        "the demo generator's texts and every officer's correction; print the held-out macro-F1 per "
        "language; make the "
        "new version active and (with --reclassify) classify the uncorrected reports again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--generator-seed", type=int, default=11, help="seed of the generated training texts"
        )
        parser.add_argument(
            "--generator-scale", default="tiny", choices=["tiny", "region"], help="how many generated texts"
        )
        parser.add_argument(
            "--no-generator", action="store_true", help="train on the shipped data and corrections only"
        )
        parser.add_argument(
            "--reclassify", action="store_true", help="classify every uncorrected report again"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # scikit-learn and pandas load here, not when `mahalla --help` lists the commands.
        from mahalla.cyber.classification import classifier_train, reports_reclassify
        from mahalla.cyber.management.commands import cyber_train_rows

        extra = (
            []
            if options["no_generator"]
            else cyber_train_rows(seed=options["generator_seed"], scale=options["generator_scale"])
        )
        version = classifier_train(extra_rows=extra)
        self.stdout.write(
            f"version {version.version}: {version.training_rows} rows, {version.corrections_used} corrections"
        )
        self.stdout.write(json.dumps(version.metrics, indent=1, sort_keys=True))
        if options["reclassify"]:
            self.stdout.write(f"{reports_reclassify()} reports classified again")
