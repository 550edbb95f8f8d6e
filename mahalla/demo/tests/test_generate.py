"""The generator's files: same seed same bytes, the manifest, officials, and the `generate` command."""

import hashlib
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from mahalla.demo.generator import generate


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path, tiny_nation_files):
    from mahalla.conftest import TINY_AS_OF, TINY_SEED

    again = generate("tiny", TINY_SEED, TINY_AS_OF, tmp_path / "again")
    other = generate("tiny", TINY_SEED + 1, TINY_AS_OF, tmp_path / "other")
    for name in ("territories.csv", "offences.csv", "officials.csv", "truth.json", "truth_offences.csv"):
        original = (tiny_nation_files / name).read_bytes()
        assert (tmp_path / "again" / name).read_bytes() == original, name
        assert again.files[name] == hashlib.sha256(original).hexdigest()
        assert other.files[name] != again.files[name], name
    assert (tmp_path / "again" / "manifest.json").read_bytes() == (
        tiny_nation_files / "manifest.json"
    ).read_bytes()


def test_the_manifest_lists_every_file_with_its_hash_and_no_clock_time(tiny_nation_files):
    manifest = json.loads((tiny_nation_files / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((tiny_nation_files / name).read_bytes()).hexdigest() == digest
    assert set(manifest) == {"format_version", "scale", "seed", "as_of", "files", "counts"}
    assert manifest["counts"]["mahallas"] == 30


def test_officials_cover_every_district_and_seven_members_in_every_mahalla(tiny):
    officials = tiny.officials
    assert officials["official_id"].is_unique
    district = officials[officials["level"] == "district"]
    for position in ("hokim", "internal_affairs_chief", "prosecutor", "deputy_hokim_family_women"):
        assert (district["position"] == position).sum() == len(tiny.districts), position
    region = officials[officials["level"] == "region"]
    for position in ("hokim", "national_guard_head", "first_deputy_prosecutor", "justice_department_head"):
        assert (region["position"] == position).sum() == 1, position
    seven = officials[officials["level"] == "mahalla"]
    per_mahalla = seven.groupby("territory_code")["position"].nunique()
    assert (per_mahalla == 7).all() and len(per_mahalla) == 30
    inspectors = seven[seven["position"] == "preventive_inspector"].set_index("territory_code")["name"]
    assert (inspectors == tiny.mahallas["inspector_name"].reindex(inspectors.index)).all()
    institutions = officials[officials["level"] == "country"]["organisation"]
    assert institutions.str.contains("Akademiyasi").any() and institutions.str.contains("instituti").any()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"scale": "planet", "seed": 1, "as_of": date(2026, 1, 1)}, "unknown scale 'planet'"),
        ({"scale": "tiny", "seed": -1, "as_of": date(2026, 1, 1)}, "seed must be a whole number >= 0"),
        ({"scale": "tiny", "seed": 1, "as_of": "2026-01-01"}, "as_of must be a date"),
    ],
)
def test_bad_arguments_are_refused_by_name(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        generate(out=tmp_path, **arguments)


def test_generate_command_writes_the_files_and_reports_the_counts(tmp_path, capsys):
    call_command(
        "generate", "--scale", "tiny", "--seed", "3", "--as-of", "2025-07-01", "--out", str(tmp_path)
    )
    output = capsys.readouterr().out
    assert "30 mahallas" in output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["scale"], manifest["seed"], manifest["as_of"]) == ("tiny", 3, "2025-07-01")


def test_generate_command_names_a_bad_date(tmp_path):
    with pytest.raises(CommandError, match="'2025-13-01' is not a date"):
        call_command("generate", "--as-of", "2025-13-01", "--out", str(tmp_path))


def test_the_bytes_do_not_depend_on_the_process_hash_seed(tmp_path, tiny_nation_files):
    # String hashing is randomised per process: output that followed the order of a set would differ.
    import os
    import subprocess
    import sys

    from mahalla.conftest import TINY_AS_OF, TINY_SEED

    script = (
        "import sys; from datetime import date; from mahalla.demo.generator import generate; "
        f"generate('tiny', {TINY_SEED}, date.fromisoformat('{TINY_AS_OF.isoformat()}'), sys.argv[1])"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, timeout=120)
    assert (tmp_path / "manifest.json").read_bytes() == (tiny_nation_files / "manifest.json").read_bytes()
