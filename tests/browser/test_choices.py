"""Every choice a person makes is told apart on screen. With the demo's data, each group
of choices on the staff, admin and kiosk pages (the options of a drop-down, radio buttons
of one name, the submit buttons of one form and name) has distinct visible labels, and no
drop-down is too narrow to show its longest choice whole (a cut "Vad tycker du om …" and
"Vad tyckte du om …" look the same) or, grown to show it, lies over another field."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from tests.browser.test_staff_journeys import DESKTOP, click_and_wait, sign_in

PIN = "2468"

#: The groups of choices on the page as a person sees them: (what, labels).
GROUPS_SCRIPT = """() => {
  const seen = el => el.innerText.replace(/\\s+/g, " ").trim();
  const groups = [];
  document.querySelectorAll("select").forEach(s => groups.push(
    [`select ${s.name}`, [...s.options].map(o => o.text.replace(/\\s+/g, " ").trim())]));
  document.querySelectorAll("form").forEach((form, number) => {
    const byName = {};
    form.querySelectorAll("input[type=radio]").forEach(r => {
      const label = r.closest("label") || form.querySelector(`label[for="${r.id}"]`);
      (byName[`form ${number} radio ${r.name}`] ||= []).push(label ? seen(label) : r.value);
    });
    form.querySelectorAll("button:not([aria-hidden=true])").forEach(b => {
      if (b.offsetParent !== null) (byName[`form ${number} button ${b.name}`] ||= []).push(seen(b));
    });
    Object.entries(byName).forEach(entry => groups.push(entry));
  });
  return groups;
}"""

#: Drop-downs narrower than their longest choice: (name, longest choice).
CUT_SCRIPT = """() => {
  const context = document.createElement("canvas").getContext("2d");
  const shown = [...document.querySelectorAll("select")].filter(s => s.offsetParent !== null);
  return shown.flatMap(s => {
    const style = getComputedStyle(s);
    context.font = style.font;
    const longest = [...s.options].reduce((a, o) => o.text.length > a.length ? o.text : a, "");
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const room = s.clientWidth - padding - 16;  // 16: the drop-down's arrow
    return context.measureText(longest).width > room ? [[s.name, longest]] : [];
  });
}"""


#: Drop-downs that, grown to their longest choice, lie over another control: (name, other).
OVERLAP_SCRIPT = """() => {
  const shown = [...document.querySelectorAll("select, input, button, textarea")]
    .filter(e => e.offsetParent !== null && e.type !== "hidden");
  const box = e => e.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
    && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  return shown.filter(e => e.tagName === "SELECT").flatMap(s => shown
    .filter(o => o !== s && meet(box(s), box(o))).map(o => [s.name, o.name || o.id]));
}"""


def check_choices(page, where: str) -> list[str]:
    """What is wrong with the choices on the page now, said with `where`."""
    problems = []
    for what, labels in page.evaluate(GROUPS_SCRIPT):
        twice = [label for label, count in Counter(labels).items() if count > 1]
        if twice:
            problems.append(f"{where}: {what} shows {twice} more than once")
    problems += [f"{where}: select {name} cuts ”{longest}”"
                 for name, longest in page.evaluate(CUT_SCRIPT)]
    problems += [f"{where}: select {name} lies over {other}"
                 for name, other in page.evaluate(OVERLAP_SCRIPT)]
    return problems


def visit(page, url: str, path: str) -> list[str]:
    response = page.goto(f"{url}{path}")
    assert response.status == 200, f"{path}: {response.status}"
    return check_choices(page, path)


def test_every_choice_on_the_staff_admin_and_kiosk_pages_is_told_apart(browser, live_server):
    from enkat.extensions import db
    from enkat.models import Enrolment, Forbund, Insats, Role, User
    from enkat.services.organisation.overview import visible_insatser

    summary = live_server.demo()
    admin = next(login for login in summary.logins if login.role is Role.ADMIN)
    staff = next(login for login in summary.logins if login.role is Role.STAFF)
    with live_server.app.app_context():
        forbund = db.session.scalar(select(Forbund).where(Forbund.slug == summary.forbund_slug))
        slugs = [insats.slug for insats in db.session.scalars(
            select(Insats).where(Insats.forbund_id == forbund.id))]
        user = db.session.scalar(select(User).where(User.email == staff.email))
        staff_insats = visible_insatser(user)[0]
        staff_slug, staff_insats_id = staff_insats.slug, staff_insats.id
        codes = [enrolment.participant.code for enrolment in db.session.scalars(
            select(Enrolment).where(Enrolment.insats_id == staff_insats_id,
                                    Enrolment.ended_on.is_(None)))]
    problems: list[str] = []
    admin_context, context = browser.new_context(**DESKTOP), browser.new_context(**DESKTOP)
    for each in (admin_context, context):
        each.set_default_timeout(15_000)
    try:
        page = admin_context.new_page()
        sign_in(page, live_server.url, admin.email, admin.password)
        admin_pages = ["/forbund/resultat", "/forbund/utskick/nytt", "/forbund/logg",
                       "/forbund/prislista", f"/forbund/prislista/{summary.today.year}"]
        for slug in slugs:
            admin_pages += [f"/forbund/insatser/{slug}/schema", f"/forbund/insatser/{slug}/mal",
                            f"/forbund/insatser/{slug}/kostnader"]
        for path in admin_pages:
            problems += visit(page, live_server.url, path)

        page = context.new_page()  # the staff member's own browser
        sign_in(page, live_server.url, staff.email, staff.password)
        for path in ("/", f"/insatser/{staff_slug}", f"/insatser/{staff_slug}/registrera",
                     "/kiosk/starta"):
            problems += visit(page, live_server.url, path)
        page.locator("#pin").fill(PIN)
        page.locator("#pin_again").fill(PIN)
        click_and_wait(page, page.get_by_role("button", name="Starta kioskläge"))
        problems += check_choices(page, "/kiosk/")
        for code in codes:
            page.locator("#code").fill(code)
            click_and_wait(page, page.locator("form.kiosk-code button"))
            problems += check_choices(page, f"/kiosk/att-svara for {code}")
            page.goto(f"{live_server.url}/kiosk/")
    finally:
        admin_context.close()
        context.close()
    assert not problems, "\n".join(problems)
