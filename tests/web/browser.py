"""Browser helpers: a signed-in person driving Debian's chromium through the running app.

Browser tests are marked ``browser`` and skip (saying why) only when /usr/bin/chromium is absent.
The fixtures that serve the app and launch chromium live in ``conftest.py``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's chromium at /usr/bin/chromium")


class Person:
    """One signed-in browser context: a user walking through the UI, recording off-site requests."""

    def __init__(self, browser, base_url: str, username: str, password: str):
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.username = username
        self.offsite: list[str] = []
        self.page.on("request", lambda request: None if request.url.startswith(base_url) or request.url.startswith(
            "data:") else self.offsite.append(request.url))
        self.page.goto("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.submit("form button.btn-primary")
        assert "/inbox" in self.page.url, self.page.url

    def submit(self, selector: str) -> None:
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)

    def claim_and_open(self, task_name: str) -> None:
        """From the group queue, claim the step called ``task_name`` and open it."""
        self.page.goto("/inbox")
        row = self.page.locator("tr[data-task-id]", has_text=task_name).first
        with self.page.expect_navigation():
            row.locator("button", has_text="认领").click()
        self.page.goto("/inbox?view=mine")
        with self.page.expect_navigation():
            self.page.locator("tr[data-task-id]", has_text=task_name).first.locator("a.task-link").click()

    def complete(self, values: dict) -> None:
        """Fill the task form (text, select, checkbox by value type) and complete the step."""
        fill_form(self.page, values)
        self.submit("#task-form button[type=submit]")

    def diagram_ready(self) -> None:
        self.page.wait_for_selector("#diagram[data-ready=true]", timeout=15000)

    def marked(self, element_id: str, marker: str) -> bool:
        return self.page.locator(f'.djs-element.tf-{marker}[data-element-id="{element_id}"]').count() == 1


def fill_form(page, values: dict) -> None:
    """Fill fields by name: True/False tick checkboxes, ``("select", v)`` picks an option, text otherwise."""
    for name, value in values.items():
        selector = f"#f-{name}"
        if isinstance(value, bool):
            page.set_checked(selector, value)
        elif isinstance(value, tuple):
            page.select_option(selector, value[1])
        else:
            page.fill(selector, value)
