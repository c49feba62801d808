"""Browser tests: the real ASGI server (uvicorn, in a subprocess: tests/servers.py) on the test
database holding the demo archipel, driven by Playwright in Debian's chromium."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.servers import asgi_server, free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def demo_server(archipel, django_db_blocker, tmp_path_factory):
    """Load the demo (committed) into the test database and serve it."""
    from demo.seed import load_demo

    with django_db_blocker.unblock():
        load_demo()
        connection.set_schema_to_public()
    port = free_port()
    mail_dir = tmp_path_factory.mktemp("mail")
    with asgi_server(
        tmp_path_factory.mktemp("log") / "server.log",
        port,
        EMAIL_FILE_PATH=str(mail_dir),
        SITE_PORT=str(port),  # links in e-mails name the territory's domain and this port
    ):
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
    """Run axe-core (from npm) in the page: WCAG 2.1 A/AA rules and best practices."""
    page.add_script_tag(path=str(AXE))
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
