"""Every main page, checked by axe-core at desktop and phone width: no serious or critical
violation, and no sideways scrolling of the page at 375 px."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.browser import ADMIN, LiveServer, main_pages, screenshot, sign_in

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def start_axe(page: Page) -> None:
    """Start axe-core without waiting for it, so the other width is checked alongside."""
    page.evaluate("() => { window.axeResults = axe.run(document, {resultTypes: ['violations']}); }")


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one readable line per element."""
    results = page.evaluate("() => window.axeResults")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            found.append(
                f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n"
                f"      at {' '.join(node['target'])}\n"
                f"      {node['failureSummary'].replace(chr(10), ' / ')}"
            )
    return found


WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = (el) => el && el.getBoundingClientRect().right > width + 1;
  const culprits = [...document.body.querySelectorAll('*')]
    .filter((el) => wide(el) && !wide(el.parentElement) && !el.closest('.table-wrap'))
    .slice(0, 3)
    .map((el) => el.outerHTML.slice(0, 80));
  return {overflow: document.documentElement.scrollWidth - width, culprits: culprits};
}"""


def sideways_overflow(page: Page) -> str | None:
    """What makes the page wider than the window (it should scroll only down), if anything."""
    found = page.evaluate(WIDE_ELEMENTS)
    if found["overflow"] <= 0:
        return None
    return f"the page scrolls sideways by {found['overflow']}px ({', '.join(found['culprits'])})"


def check(pages: dict[str, Page], name: str, address: str, problems: list[str]) -> None:
    """Open the page at every width, then collect what axe found and whether it fits."""
    for width, page in pages.items():
        page.goto(address)
        if name == "exports":
            page.get_by_text("Export", exact=True).click()
        screenshot(page, f"{name}-en-{width}")
        start_axe(page)
    for width, page in pages.items():
        if found := violations(page):
            problems.append(f"{name} at {width} width ({address}):\n" + "\n".join(found))
        if width == "phone" and (overflow := sideways_overflow(page)):
            problems.append(f"{name} at phone width ({address}): {overflow}")


def test_main_pages_pass_axe_and_fit_the_screen(
    live_server: LiveServer, new_context: Callable[..., BrowserContext]
) -> None:
    pages = {}
    for width in ("desktop", "phone"):
        context = new_context(phone=width == "phone")
        context.add_init_script(path=AXE)
        pages[width] = context.new_page()
    problems: list[str] = []

    check(pages, "login", "/login", problems)
    for page in pages.values():
        sign_in(page, ADMIN)
    for name, address in main_pages(live_server).items():
        check(pages, name, address, problems)

    assert not problems, "Accessibility problems:\n" + "\n".join(problems)


def test_the_first_tab_offers_a_visible_skip_link_to_the_content(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in(ADMIN)
    page.goto("/organizations/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
