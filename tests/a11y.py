"""axe-core in the browser tests (#17): the violations a page has, by impact.

axe-core 4.14.1 (MPL-2.0, `npm pack axe-core`) is vendored unmodified in
tests/vendor/axe-core/ with its licence; it is evaluated through the DevTools
protocol, so the page's Content-Security-Policy (no inline script) does not
have to be relaxed for the test.
"""

from __future__ import annotations

from typing import Any

from tests.paths import ROOT

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_results(page: Any) -> dict[str, Any]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        source = AXE.read_text("utf-8")
        page.evaluate("() => {" + source + "\n; window.axe = axe; }")
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[str]:
    """One line per violation of these impacts: rule, impact, help, first targets."""
    out = []
    for v in axe_results(page)["violations"]:
        if v["impact"] in impacts:
            targets = [" ".join(n["target"]) for n in v["nodes"][:3]]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return out


_FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return (s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none';
}"""


def tab_to(page: Any, selector: str, *, limit: int = 150) -> None:
    """Press Tab (only the keyboard) until the element matching selector has focus.

    Fails when it is never reached (not focusable, or outside the tab order),
    or when the focused element shows no focus indicator.
    """
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            assert page.evaluate(_FOCUS_SHOWN), f"{selector} shows no focus"
            return
    raise AssertionError(f"Tab never reached {selector}")


def choose_with_keys(page: Any, value: str, *, limit: int = 30) -> None:
    """Move the focused <select> to value with the arrow keys."""
    page.keyboard.press("Home")
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never chose {value}")
