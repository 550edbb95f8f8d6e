"""`mahalla generate` as a user runs it: the generator's scales, today as the default end."""

from __future__ import annotations

import json

from django.core.management import call_command
from django.utils import timezone


def test_generate_names_the_generator_s_scales_without_loading_it():
    from mahalla.demo.generator import SCALES
    from mahalla.demo.management.commands.generate import SCALES as COMMAND_SCALES

    assert COMMAND_SCALES == SCALES


def test_generate_ends_today_when_no_date_is_given(tmp_path):
    call_command("generate", "--scale", "tiny", "--seed", "7", "--out", str(tmp_path))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["as_of"] == timezone.localdate().isoformat()
