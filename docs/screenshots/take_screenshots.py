"""Screenshots of the main pages in each language, for docs/screenshots/ (issue 10).

Run against a served demo (Debian's chromium through Playwright, nothing downloaded):

    MAHALLA_VAR_DIR=/tmp/demo .venv/bin/mahalla demo --scale region --no-serve > /tmp/demo/demo.log
    MAHALLA_VAR_DIR=/tmp/demo .venv/bin/mahalla serve --port 8765 &
    .venv/bin/python docs/screenshots/take_screenshots.py http://127.0.0.1:8765 /tmp/demo/demo.log

The logins are read from the demo's printed table (passwords change on every demo run). The images are
quantised to 256 colours to stay small."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"


def logins(log: Path) -> dict[str, str]:
    return dict(re.findall(r"^\s+(demo_\w+)\s+(\S+)\s", log.read_text(encoding="utf-8"), flags=re.M))


def shoot(page, name: str) -> None:
    path = HERE / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
        path, optimize=True
    )
    print(f"{path.name}: {path.stat().st_size // 1024} KiB")


def main(base: str, log: Path) -> None:
    passwords = logins(log)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for language in ("uz", "ru", "en"):
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            page = context.new_page()
            if language == "uz":
                page.goto("/accounts/login/")
                shoot(page, f"login-{language}")
            page.goto("/accounts/login/?next=/")
            page.fill("input[name=username]", "demo_district_chief")
            page.fill("input[name=password]", passwords["demo_district_chief"])
            page.click("form[action='/accounts/login/'] button[type=submit]")
            page.wait_for_selector("#home-title")
            shoot(page, f"home-district-chief-{language}")
            page.click("#home-situation")
            page.wait_for_selector("#map.map-ready", timeout=30_000)
            page.wait_for_timeout(500)
            shoot(page, f"district-{language}")
            if language == "en":
                page.locator("#mahalla-table tbody tr a").first.click()
                page.wait_for_selector("#mahalla-title")
                page.wait_for_timeout(500)
                shoot(page, f"mahalla-{language}")
                page.goto("/officials/")
                shoot(page, f"officials-{language}")
            if language == "ru":
                page.goto("/alerts/?status=all")
                shoot(page, f"alerts-{language}")
                page.goto("/no-such-page/")
                shoot(page, f"not-found-{language}")
            if language == "uz":
                page.goto("/roadmaps/")
                shoot(page, f"roadmaps-{language}")
            context.close()
        # The round-2 modules, each through the role that uses it, one language per page.
        for username, language, path, name in MODULE_PAGES:
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            page = context.new_page()
            sign_in(page, username, passwords[username])
            page.goto(path)
            page.wait_for_load_state("networkidle")
            shoot(page, f"{name}-{language}")
            context.close()
        browser.close()


# (account, language, page, image name): the worklist and casework, cyber, drug networks, coordination.
MODULE_PAGES = (
    ("demo_preventive_inspector", "uz", "/", "home-inspector"),
    ("demo_preventive_inspector", "en", "/cases/", "cases"),
    ("demo_preventive_inspector", "ru", "/cases/worklist/1726273002/", "worklist"),
    ("demo_cyber_officer", "en", "/cyber/", "cyber-dashboard"),
    ("demo_cyber_officer", "ru", "/cyber/campaigns/", "cyber-campaigns"),
    ("demo_narcotics_officer", "en", "/links/", "links"),
    ("demo_prosecutor", "ru", "/coordination/oversight/", "oversight"),
    ("demo_prosecutor", "uz", "/coordination/council/", "council"),
    ("demo_national_analyst", "en", "/coordination/training/", "training"),
)


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_selector("#home-title")


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
