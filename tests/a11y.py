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
