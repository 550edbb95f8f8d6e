"""What the access layer and the read audit cost on one page of offences.

Builds a throwaway database (SQLite by default; PostgreSQL when DATABASE_URL is set) with 400 mahallas in
4 reference districts and 200,000 offences, then times, for a district chief:

- counting the offences visible through the selector (territory_filter_for + role check) against the
  same count written by hand (Offence.objects.filter(district_id=...)): the price of the access layer;
- reading one API-sized page of 50 records with and without its 50 audit rows: the price of the audit.

Machine: 2 cores, 24 GiB, shared. Run once: `.venv/bin/python bench/bench_access.py`.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

OFFENCES = 200_000
MAHALLAS_PER_DISTRICT = 100
REPEATS = 15


def best_of(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run() -> None:
    from mahalla.accounts.models import User
    from mahalla.audit.models import AuditEvent
    from mahalla.incidents.models import Offence, OffenceCategory
    from mahalla.incidents.selectors import offence_list, offence_reads_record
    from mahalla.territory.models import District, Mahalla

    districts = list(District.objects.filter(region__code="1703").order_by("code")[:4])
    mahallas = Mahalla.objects.bulk_create(
        Mahalla(code=f"B{d.pk}{i:04d}", name_uz=f"M {i}", district=d, region_id=d.region_id, population=3000)
        for d in districts
        for i in range(MAHALLAS_PER_DISTRICT)
    )
    theft = OffenceCategory.objects.get(code="theft")
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    build = time.perf_counter()
    batch = []
    for n in range(OFFENCES):
        mahalla = mahallas[n % len(mahallas)]
        when = start + dt.timedelta(minutes=7 * n)
        batch.append(
            Offence(
                source_system="EJR",
                registration_number=str(n),
                code_kind="criminal",
                article="169",
                category=theft,
                occurred_at=when,
                registered_at=when,
                mahalla=mahalla,
                district_id=mahalla.district_id,
                region_id=mahalla.region_id,
            )
        )
        if len(batch) == 20_000:
            Offence.objects.bulk_create(batch)
            batch = []
    Offence.objects.bulk_create(batch)
    print(
        f"database: {connection.vendor}; {OFFENCES:,} offences in {len(mahallas)} mahallas "
        f"built in {time.perf_counter() - build:.1f} s"
    )

    chief = User.objects.create(
        username="chief", role="district_chief", scope_level="district", scope_district=districts[0]
    )
    expected = OFFENCES // 4

    def count_by_hand() -> None:
        assert Offence.objects.filter(district_id=districts[0].pk).count() == expected

    def count_by_selector() -> None:
        assert offence_list(actor=chief).count() == expected

    def page_by_hand() -> list:
        return list(
            Offence.objects.filter(district_id=districts[0].pk)
            .select_related("category", "mahalla", "district", "region")
            .order_by("-occurred_at", "-id")[:50]
        )

    def page_by_selector_with_audit() -> None:
        page = list(offence_list(actor=chief)[:50])
        offence_reads_record(actor=chief, offences=page, purpose="benchmark")

    hand_count, selector_count = best_of(count_by_hand), best_of(count_by_selector)
    hand_page, audited_page = best_of(page_by_hand), best_of(page_by_selector_with_audit)
    print("machine: 2 cores, 24 GiB (shared with other work)")
    print(
        f"count of a district's {expected:,} offences: by hand {hand_count * 1000:.1f} ms, "
        f"through the selector {selector_count * 1000:.1f} ms, ratio {selector_count / hand_count:.2f}"
    )
    print(
        f"one page of 50 records: by hand {hand_page * 1000:.1f} ms, through the selector with 50 audit rows "
        f"{audited_page * 1000:.1f} ms, ratio {audited_page / hand_page:.2f}"
    )
    print(f"audit rows written: {AuditEvent.objects.count():,}")


if __name__ == "__main__":
    main()
