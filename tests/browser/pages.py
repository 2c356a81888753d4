"""Helpers shared by the browser tests: axe-core, target sizes, walking a survey."""

from __future__ import annotations

import re

#: Impacts that fail a page.
FAILING_IMPACTS = ("serious", "critical")

#: WCAG 2.5.5 (AAA) / the design's rule for a finger on a tablet.
MIN_TARGET = 44


def run_axe(page, axe_source: str) -> list[dict]:
    """axe-core's violations on the page as it is now.

    The app's Content-Security-Policy forbids inline scripts, and add_script_tag(path=...)
    injects an inline <script>, which the page would refuse. page.evaluate runs through the
    DevTools protocol, which CSP does not govern, so axe is injected that way and the
    pages are tested with their real CSP in force (bypass_csp=True would test other pages
    than the ones people get)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source + "\n;0")
    return page.evaluate("""async () => {
        const result = await window.axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                                      summary: n.failureSummary}))}));
    }""")


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            for line in (node["summary"] or "").splitlines()[:4]:
                lines.append(f"        {line}")
    return "\n".join(lines)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


def begin(page) -> None:
    """From the start page to the first question."""
    page.locator("main a[href*='/fraga/']").first.tap()
    page.wait_for_url(re.compile(r"/fraga/"))
