"""Shared fixtures: an organisation with one user per role, and an outsider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

# Models are imported inside the fixtures, so that the pure packages' tests
# also run with the Django plugin off (`pytest linkage -p no:django`).
if TYPE_CHECKING:
    from imena.accounts.models import Organisation, User


def pytest_configure(config: pytest.Config) -> None:
    # The live test server's listen backlog: Django's 10 connections waiting to
    # be accepted overflowed when 30 parallel requests met a loaded machine
    # (the kernel dropped the connections the server had not accepted yet:
    # "connection reset by peer" in ``post_at_once``'s tests).
    from django.core.servers.basehttp import WSGIServer

    WSGIServer.request_queue_size = 128


@pytest.fixture
def org(db: None) -> Organisation:
    from imena.accounts.models import Organisation

    return Organisation.objects.create(name="Test forensic team", code="test")


@pytest.fixture
def other_org(db: None) -> Organisation:
    from imena.accounts.models import Organisation

    return Organisation.objects.create(name="Other team", code="other")


def make_user(org: Organisation, role: str, username: str | None = None) -> User:
    from imena.accounts.models import User

    user = User(username=username or role, organisation=org, role=role)
    user.set_password("pw")
    user.save()
    return user


@pytest.fixture
def users(org: Organisation) -> dict[str, Any]:
    """One user per role in ``org``, keyed by role value."""
    from imena.accounts.models import Role

    return {role: make_user(org, role) for role in Role.values}


@pytest.fixture
def examiner(users: dict[str, User]) -> User:
    return users["forensic_examiner"]


@pytest.fixture
def outsider(other_org: Organisation) -> User:
    return make_user(other_org, "investigator", "outsider")


# --- Real-browser tests -----------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    import os

    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/setup.sh --tests (apt-get chromium)"
        )
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # calls made by the test itself are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-GB", accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    context.close()


def browser_login(page, username: str, password: str = "pw") -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")


@pytest.fixture(autouse=True)
def _english_by_default() -> Any:
    """Each test starts in English, whatever language an earlier request chose."""
    from django.conf import settings
    from django.utils import translation

    if not settings.configured:  # pure-package run with the Django plugin off
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache: values cached under the audit head
    (e.g. the site record counts) must not outlive the test's rolled-back data."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """A real-browser test gets one more try, only after a browser time-out.

    Chromium and the live server share two cores with the rest of the run; a
    page that a loaded machine serves late is not a failure of the code. Any
    other failure, and a second time-out, still fails the test.
    """
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["TimeoutError"]))
