"""Browser tests: the real ASGI server (uvicorn, in a subprocess) on the test database holding
the demo archipel, driven by Playwright in Debian's chromium."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from demo.seed import DEMO_PASSWORD
from tests.servers import uvicorn

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def demo_server(archipel, django_db_blocker, tmp_path_factory):
    """Load the demo (committed) into the test database and serve it."""
    from demo.seed import load_demo

    with django_db_blocker.unblock():
        load_demo()
        connection.set_schema_to_public()
    mail_dir = tmp_path_factory.mktemp("mail")
    log = tmp_path_factory.mktemp("log") / "server.log"
    with uvicorn(log, EMAIL_FILE_PATH=str(mail_dir)) as port:
        yield {"port": port, "mail_dir": Path(mail_dir)}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # between browser steps are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (from npm) in the page: WCAG 2.1 A/AA rules and best practices. Loaded by
    the driver rather than as a <script> of the page, which the Content-Security-Policy refuses."""
    page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                'best-practice']}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
            }));
        }"""
    )


def url(server, host: str, path: str = "/") -> str:
    return f"http://{host}:{server['port']}{path}"


def territory_url(server, slug: str, path: str = "/") -> str:
    return url(server, f"{slug}.localhost", path)


def sign_in(page, server, slug: str, email: str) -> None:
    page.goto(territory_url(server, slug, "/accounts/login/"))
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"


def screenshots(page, name: str, check=None) -> None:
    """Save the page at 1280 px and 390 px wide (var/screenshots/NAME-1280.png, -390.png), to
    be looked at before a change is called done; `check(page, width)` is called at each width
    (tests/e2e/steps.py::check_page); the viewport is restored afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        maps = page.locator(".leaflet-container").count()
        page.wait_for_timeout(400 if maps else 100)  # maps redraw their tiles on resize
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        if check:
            check(page, width)
    if before:
        page.set_viewport_size(before)
