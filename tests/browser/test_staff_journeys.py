"""The staff and förbund pages in a real Chromium on a desktop, as people use them.

One journey, in the order of issue 5: an administrator signs in through the login page,
creates an insats, gives it the standard schedule and a personal user; the personal
user enrols a deltagare through the inskrivning form, finds them on the due list, makes
an ORS link that the deltagare answers on a tablet (a second browser context, not
signed in), and sees the line leave the due list and the next session come due; the
deltagare's page has the chart; the administrator downloads the report (XLSX) and the
answers (SPSS), which are read back here. axe-core runs on every page the journey
passes. Last, the demo's first minutes: what a new user finds without reading code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.conftest import STAFF_PASSWORD, TABLET
from tests.browser.pages import describe, run_axe, serious

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "sv-SE",
           "accept_downloads": True}
ORS_ITEMS = ["individuellt", "nara-relationer", "socialt", "allmant"]
ORS_TITLE = "ORS – Hur har du haft det den senaste veckan?"


@dataclass
class Journey:
    """What the journey saw, for the tests below to judge."""

    audits: dict[str, list[dict]] = field(default_factory=dict)
    insats_name: str = ""
    slug: str = ""
    staff_email: str = ""
    code: str = ""
    due_before: list[tuple[str, str, str]] = field(default_factory=list)
    due_after: list[tuple[str, str, str]] = field(default_factory=list)
    marked: dict[str, float] = field(default_factory=dict)
    chart_svg: str = ""
    chart_alt: str = ""
    tables: list[tuple[str, str]] = field(default_factory=list)  # (id, title) on the page
    report: Path | None = None
    ors_sav: Path | None = None
    inskrivning_sav: Path | None = None
    inskrivning_kon: str = ""


# --- steps -------------------------------------------------------------------------------


def sign_in(page, url: str, email: str, password: str = STAFF_PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(rf"^{re.escape(url)}/(forbund/)?$"))  # as their role lands


@contextlib.contextmanager
def demo_page(browser, live_server, role, listen: Callable | None = None) -> Iterator:
    """A desktop page signed in as the demo's first user with this role (`listen` is
    called with the page before anything loads); yields the page and the demo summary,
    and closes the browser context afterwards."""
    summary = live_server.demo()
    login = next(login for login in summary.logins if login.role is role)
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        if listen:
            listen(page)
        sign_in(page, live_server.url, login.email, login.password)
        yield page, summary
    finally:
        context.close()


def sign_out(page, url: str) -> None:
    page.locator("header form.signout button").click()
    page.wait_for_url(f"{url}/login")


def click_and_wait(page, locator) -> None:
    """Click something that loads another page, and wait until it has."""
    with page.expect_navigation():
        locator.click()


def due_lines(page) -> list[tuple[str, str, str]]:
    """The due list of the insats as (code, instrument, timepoint): a group (tbody) a
    deltagare, the code in its first row."""
    groups = page.locator("main table.due tbody")
    lines = []
    for group in (groups.nth(index) for index in range(groups.count())):
        code = group.locator("th").inner_text().strip()
        rows = group.locator("tr")
        for row in (rows.nth(index) for index in range(rows.count())):
            cells = row.locator("td")
            lines.append((code, cells.nth(0).inner_text().strip(),
                          cells.nth(1).inner_text().strip()))
    return lines


def answer_ors_on_a_tablet(tablet, link: str) -> dict[str, float]:
    """The deltagare answers the ORS link by tapping each line; the values shown."""
    tablet.goto(link)
    tablet.locator("main a[href*='/fraga/']").first.tap()
    marked = {}
    for share, key in zip((0.3, 0.5, 0.7, 0.9), ORS_ITEMS, strict=True):
        tablet.wait_for_url(re.compile(f"/fraga/{key}$"))
        track = tablet.locator("main [role=slider]")
        box = track.bounding_box()
        tablet.mouse.click(box["x"] + box["width"] * share, box["y"] + box["height"] / 2)
        marked[key] = float(track.get_attribute("aria-valuenow"))
        tablet.locator("main button[value=next]").tap()
    tablet.wait_for_url(re.compile(r"/granska$"))
    tablet.locator("main form button[type=submit]").tap()
    tablet.wait_for_url(f"{link}/tack")
    assert "Tack för dina svar!" in tablet.locator("main").inner_text()
    return marked


def fill_in_the_steps(page, audit, name: str) -> list[str]:
    """Goes through a staff entry's steps to the review, choosing the first option of
    every question with options; the chosen values. Each step is audited."""
    chosen = []
    while "/fraga/" in page.url:
        key = page.url.rsplit("/", 1)[-1]
        audit(f"{name}: step {key}")
        options = page.locator("main input[type=radio]")
        if options.count() and not page.locator("main input[type=radio]:checked").count():
            page.locator("main label.choice").first.click()
            chosen.append(options.first.get_attribute("value"))
        left = page.url
        page.locator("main button[value=next]").click()
        page.wait_for_url(lambda url, left=left: url != left)
    return chosen


#: How long a file the worker builds may take on a busy machine.
PREPARED_TIMEOUT_MS = 120_000


def save_download(page, locator, folder: Path) -> Path:
    with page.expect_download() as caught:
        locator.click()
    download = caught.value
    assert download.failure() is None, download.failure()
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


# --- the journey -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def journey(browser, live_server, axe_source, tmp_path_factory) -> Journey:
    """Walks the whole journey once, in one desktop context (and a tablet for the
    deltagare); what it saw, and axe-core's findings on every page on the way."""
    seen = Journey()
    url = live_server.url
    _, admin_email = live_server.admin_forbund()
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()

    def audit(name: str, on=None) -> None:
        seen.audits[name] = run_axe(on or page, axe_source)

    try:
        administrator_sets_up_an_insats(page, url, admin_email, audit, seen)
        sign_out(page, url)
        sign_in(page, url, seen.staff_email)
        personal_user_enrols_a_deltagare(page, audit, seen)
        link = personal_user_makes_a_link(page, url, audit, seen)
        tablet = browser.new_context(**TABLET, locale="sv-SE")
        try:
            seen.marked = answer_ors_on_a_tablet(tablet.new_page(), link)
        finally:
            tablet.close()
        personal_user_sees_the_due_list_change_and_the_chart(page, url, audit, seen)
        sign_out(page, url)
        password_reset_pages(page, live_server, seen.staff_email, audit)
        sign_in(page, url, admin_email)
        administrator_downloads_this_years_results(
            page, url, audit, seen, tmp_path_factory.mktemp("downloads"))
    finally:
        context.close()
    return seen


def personal_user_enrols_a_deltagare(page, audit, seen: Journey) -> None:
    """A new code from the insats page, then the inskrivning form, step by step."""
    audit("staff overview")
    click_and_wait(page, page.get_by_role("link", name=seen.insats_name, exact=True))
    audit("insats page, no deltagare")
    assert re.search(r"\b0\s+pågående", page.locator("main").inner_text())
    click_and_wait(page, page.get_by_role("button", name="Skriv in en ny deltagare"))
    facts = page.locator("main dl.facts")
    seen.code = facts.locator("div", has_text="Deltagare").locator("dd").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9-]{2,32}", seen.code), seen.code
    audit("entry start")
    click_and_wait(page, page.get_by_role("link", name="Börja"))
    seen.inskrivning_kon = fill_in_the_steps(page, audit, "inskrivning")[0]
    page.wait_for_url(re.compile(r"/granska$"))
    audit("entry review")
    click_and_wait(page, page.locator("main form button[type=submit]"))
    assert page.url.endswith(f"/deltagare/{seen.code}"), page.url  # with the new code
    assert f"med koden {seen.code}. Skriv upp koden" in page.inner_text("body")
    audit("deltagare page, enrolled")
    click_and_wait(page, page.get_by_role("link", name="Registrera formulär"))
    assert page.url.split("?")[0].endswith("/registrera"), page.url
    audit("registrera")
    click_and_wait(page, page.get_by_role("button", name="Börja registrera"))
    assert page.locator("main .error").count()
    audit("registrera, refused")


def personal_user_makes_a_link(page, url: str, audit, seen: Journey) -> str:
    """The ORS line of the new deltagare on the due list gives a link, and a letter."""
    page.goto(f"{url}/insatser/{seen.slug}/att-gora")
    seen.due_before = due_lines(page)
    audit("the due list")
    ors_row = (page.locator("main table.due tbody")
               .filter(has=page.locator("th", has_text=seen.code)).locator("tr")
               .filter(has=page.locator("td", has_text=ORS_TITLE))
               .filter(has=page.locator("td", has_text=re.compile(r"^Samtal 1$"))))
    click_and_wait(page, ors_row.get_by_role("button", name=re.compile("^Skapa länk")))
    assert page.locator("main h1").inner_text() == f"Länk till {ORS_TITLE}"
    link = page.locator("#link-url").input_value()
    audit("link page")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=re.compile("^Skriv ut brev")).click()
    letter = opened.value
    letter.wait_for_load_state()
    assert link in letter.locator("main").inner_text()
    audit("letter", on=letter)
    letter.close()
    return link


def personal_user_sees_the_due_list_change_and_the_chart(page, url: str, audit,
                                                         seen: Journey) -> None:
    page.goto(f"{url}/insatser/{seen.slug}/att-gora")
    seen.due_after = due_lines(page)
    page.goto(f"{url}/insatser/{seen.slug}/deltagare")
    click_and_wait(page, page.locator("main table").get_by_role("link", name=seen.code,
                                                                 exact=True))
    audit("deltagare page")
    chart = page.locator("main figure.chart img")
    seen.chart_alt = chart.get_attribute("alt")
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    seen.chart_svg = page.request.get(chart.evaluate("image => image.src")).text()


def administrator_downloads_this_years_results(page, url: str, audit, seen: Journey,
                                               folder: Path) -> None:
    """From the förbund overview to Resultat, this year chosen step by step, and the
    downloads."""
    page.goto(f"{url}/forbund/")
    click_and_wait(page, page.locator("main").get_by_role("link", name="Resultat", exact=True))
    audit("results, kind of period")
    click_and_wait(page, page.get_by_role("button", name="Nästa"))
    page.locator("#ar").fill(str(dt.date.today().year))
    click_and_wait(page, page.get_by_role("button", name="Nästa"))
    click_and_wait(page, page.get_by_role("button", name="Visa rapporten"))
    audit("results, this year")
    ids = page.locator("main .table-facts code").all_text_contents()
    titles = page.locator("main .report table > caption").all_text_contents()
    seen.tables = list(zip(ids, titles, strict=True))
    downloads = page.locator("main .downloads").filter(has_text="Ladda ner rapporten")
    seen.report = save_download(page, downloads.get_by_role("link", name="Excel (XLSX)"), folder)
    seen.ors_sav = download_sav(page, "ors", folder)
    seen.inskrivning_sav = download_sav(page, "finsam-inskrivning", folder)


def download_sav(page, instrument_id: str, folder: Path) -> Path:
    """The SPSS file is built by the worker: its waiting page reloads itself until the
    file is offered; then back to the results page."""
    results = page.url
    page.locator("#enkat").select_option(value=instrument_id)
    page.get_by_role("button", name="Ladda ner SPSS-fil (.sav)").click()
    page.wait_for_url(re.compile(r"/forbund/filer/\d+$"))
    page.locator("h1", has_text="Filen är klar").wait_for(timeout=PREPARED_TIMEOUT_MS)
    saved = save_download(page, page.get_by_role("link", name=re.compile("^Ladda ner ")),
                          folder)
    page.goto(results)
    return saved


def administrator_sets_up_an_insats(page, url: str, email: str, audit, seen: Journey) -> None:
    number = re.search(r"\d+", email).group()
    page.goto(f"{url}/login")
    audit("login")
    sign_in(page, url, email)
    page.goto(f"{url}/forbund/")
    audit("förbund overview, no insatser")

    # an insats through the form, refused once
    click_and_wait(page, page.locator("main").get_by_role("link", name="Insatser", exact=True))
    audit("insats list, empty")
    click_and_wait(page, page.get_by_role("link", name="Ny insats"))
    audit("new insats")
    click_and_wait(page, page.get_by_role("button", name="Skapa insatsen"))
    assert page.locator("main .error-summary").is_visible()
    audit("new insats, refused")
    seen.insats_name = f"Vägen framåt {number}"
    page.get_by_label("Namn", exact=True).fill(seen.insats_name)
    page.get_by_label("Huvudman").fill("Kommunen, arbetsmarknadsenheten")
    page.get_by_label("Startdatum").fill("2025-01-01")
    click_and_wait(page, page.get_by_role("button", name="Skapa insatsen"))
    seen.slug = re.search(r"/insatser/([^/]+)/schema$", page.url).group(1)

    # the standard schedule, then the goals page and the edit form
    audit("schedule, empty")
    click_and_wait(page, page.get_by_role("button", name="Använd standardschemat"))
    audit("schedule, standard filled in")
    click_and_wait(page, page.locator("main button[name=save]").last)
    assert f"Mätschemat för {seen.insats_name} är sparat." in page.inner_text("body")
    assert page.locator("main fieldset.admin-row").count() >= 8
    audit("schedule, saved")
    click_and_wait(page, page.get_by_role("link", name=f"Mål för {seen.insats_name}"))
    audit("goals")
    page.goto(f"{url}/forbund/insatser")
    audit("insats list")
    click_and_wait(page, page.get_by_role("link", name=f"Ändra {seen.insats_name}"))
    audit("edit insats")

    # a personal user working in the insats
    page.goto(f"{url}/forbund/")
    audit("förbund overview")
    click_and_wait(page, page.locator("main").get_by_role("link", name="Användare", exact=True))
    audit("users")
    click_and_wait(page, page.get_by_role("link", name="Ny användare"))
    audit("new user")
    seen.staff_email = f"personal-journey{number}@example.org"
    page.get_by_label("E-postadress").fill(seen.staff_email)
    page.get_by_label("Namn", exact=True).fill("Pia Personal")
    page.get_by_label("Första lösenord").fill(STAFF_PASSWORD)
    page.locator("main input[name=role][value=staff]").check()
    page.get_by_label(seen.insats_name).check()
    click_and_wait(page, page.get_by_role("button", name="Skapa användaren"))
    assert page.url.endswith("/forbund/anvandare"), page.url
    row = page.locator("main tbody tr").filter(has_text=seen.staff_email)
    assert seen.insats_name in row.inner_text()
    click_and_wait(page, row.get_by_role("link", name="Pia Personal"))
    audit("edit user")

    # the instruments, and an utskick (created, not sent)
    page.goto(f"{url}/forbund/instrument")
    audit("instruments")
    click_and_wait(page, page.locator("main a[href*='/forbund/instrument/ors/']").first)
    audit("instrument detail")
    click_and_wait(page, page.get_by_role("link", name="Förhandsvisa på svenska"))
    audit("instrument preview")
    page.goto(f"{url}/forbund/utskick")
    audit("utskick list, empty")
    click_and_wait(page, page.locator("main").get_by_role("link", name=re.compile("utskick",
                                                                                  re.I)).first)
    audit("new utskick")
    page.locator("#instrument").select_option(index=1)
    page.get_by_label("Rubrik").fill(f"Enkät till styrelsen {number}")
    page.get_by_label("Sista svarsdag").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Klistra in adresserna").fill("styrelse1@example.org\nstyrelse2@example.org")
    click_and_wait(page, page.get_by_role("button", name="Skapa utskicket"))
    assert re.search(r"/forbund/utskick/\d+$", page.url), page.url
    audit("utskick detail")
    page.goto(f"{url}/forbund/utskick")
    audit("utskick list")


def password_reset_pages(page, live_server, email: str, audit) -> None:
    url = live_server.url
    page.goto(f"{url}/login")
    click_and_wait(page, page.get_by_role("link", name=re.compile("Glömt lösenordet")))
    audit("forgot password")
    click_and_wait(page, page.get_by_role("button", name="Skicka länken"))
    audit("forgot password, refused")
    page.goto(live_server.reset_link(email))
    audit("new password")
    page.get_by_label("Nytt lösenord").fill("ett-nytt-lösenord-1")
    page.get_by_label("Upprepa det nya lösenordet").fill("ett-annat-lösenord-2")
    click_and_wait(page, page.get_by_role("button", name="Spara lösenordet"))
    assert "Lösenorden är inte likadana" in page.locator("main").inner_text()
    audit("new password, refused")
    page.goto(f"{url}/nytt-losenord/ingen-sadan-lank")
    audit("reset link not usable")


# --- what the journey must have seen ---------------------------------------------------


def test_the_deltagare_is_due_before_the_link_is_answered_and_not_after(journey):
    code = journey.code
    assert (code, ORS_TITLE, "Samtal 1") in journey.due_before, journey.due_before
    assert (code, ORS_TITLE, "Samtal 1") not in journey.due_after, journey.due_after
    assert (code, ORS_TITLE, "Samtal 2") in journey.due_after, journey.due_after
    # the standard schedule's other start lines stay due: only the answered one went
    others = [line for line in journey.due_before if line[1] != ORS_TITLE]
    assert others and all(line in journey.due_after for line in others)


def test_the_chart_of_the_deltagare_has_its_labels(journey):
    svg = journey.chart_svg
    assert svg.lstrip().startswith(("<?xml", "<svg")), svg[:80]
    for label in (f"Samtalsunderlag för {journey.code}", "ORS totalt", "Gränsvärde", "Datum"):
        assert label in svg, label
    assert "ORS" in journey.chart_alt


def test_the_report_opens_with_one_sheet_per_table(journey):
    openpyxl = pytest.importorskip("openpyxl")
    assert journey.tables, "the results page shows no tables"
    workbook = openpyxl.load_workbook(journey.report, read_only=True)
    names = workbook.sheetnames
    assert names[0] == "Om rapporten"
    assert names[1:] == [table_id[:31] for table_id, _ in journey.tables]
    for (_, title), name in zip(journey.tables, names[1:], strict=True):
        assert workbook[name]["A1"].value == title


def test_the_spss_files_read_back_with_their_labels_and_the_answers(journey):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame, meta = pyreadstat.read_sav(str(journey.ors_sav), user_missing=True)
    assert len(frame) == 1
    labels = meta.column_names_to_labels
    for key, value in journey.marked.items():
        name = key.replace("-", "_")  # SPSS names have no hyphens
        assert labels.get(name), f"no variable label for {key}: {labels}"
        assert frame[name].iloc[0] == pytest.approx(value, abs=0.05)
    assert any(meta.variable_value_labels.values()), "no value labels in the ORS file"

    frame, meta = pyreadstat.read_sav(str(journey.inskrivning_sav), user_missing=True)
    assert len(frame) == 1
    assert meta.column_names_to_labels.get("kon")
    kon_labels = meta.variable_value_labels.get("kon")
    assert kon_labels and journey.inskrivning_kon in kon_labels, kon_labels
    assert frame["kon"].iloc[0] == journey.inskrivning_kon
    assert frame.astype(str).apply(lambda column: column.str.contains(journey.code)).any().any()


STAFF_PAGES = [
    "login", "förbund overview, no insatser", "insats list, empty", "new insats",
    "new insats, refused", "schedule, empty", "schedule, standard filled in", "schedule, saved",
    "goals", "insats list", "edit insats", "förbund overview", "users", "new user", "edit user",
    "instruments", "instrument detail", "instrument preview", "utskick list, empty",
    "new utskick", "utskick detail", "utskick list", "staff overview",
    "insats page, no deltagare", "entry start", "entry review", "deltagare page, enrolled",
    "registrera",
    "registrera, refused",
    "the due list", "link page", "letter", "deltagare page",
    "forgot password", "forgot password, refused", "new password", "new password, refused",
    "reset link not usable", "results, kind of period", "results, this year",
]


def test_no_serious_or_critical_axe_violations_on_the_staff_pages(journey):
    missing = [name for name in STAFF_PAGES if name not in journey.audits]
    assert not missing, f"pages the journey did not audit: {missing}"
    assert any(name.startswith("inskrivning: step") for name in journey.audits)
    failing = {name: serious(violations) for name, violations in journey.audits.items()
               if serious(violations)}
    assert not failing, "\n".join(f"{name}:\n{describe(found)}"
                                  for name, found in failing.items())


# --- the demo's first minutes --------------------------------------------------------------


def test_the_demo_personal_user_finds_a_deltagare_who_is_due_and_makes_a_link(
        browser, live_server):
    from enkat.models import Role

    with demo_page(browser, live_server, Role.STAFF) as (page, _):
        insats = page.locator("main tbody th a").first
        assert insats.count(), "the demo personal user sees no insats"
        click_and_wait(page, insats)
        click_and_wait(page, page.locator("main nav.subnav").get_by_role("link",
                                                                          name="Att göra"))
        due = due_lines(page)
        assert due, "nobody is due in the demo insats"
        make_link = page.get_by_role("button", name=re.compile("^Skapa länk"))
        group = page.locator("main table.due tbody").filter(has=make_link).first
        code = group.locator("th").inner_text().strip()
        click_and_wait(page, group.get_by_role("button", name=re.compile("^Skapa länk")).first)
        assert page.locator("main h1").inner_text().startswith("Länk till ")
        assert page.locator("main dl.facts").filter(has_text=code).count()
        assert page.locator("#link-url").input_value().startswith(f"{live_server.url}/s/")


def test_the_demo_administrator_reaches_the_report_download_in_a_few_clicks(
        browser, live_server, tmp_path):
    from enkat.models import Role

    with demo_page(browser, live_server, Role.ADMIN) as (page, summary):
        click_and_wait(page, page.get_by_role("link", name="Förbundet", exact=True))
        assert page.locator("main h1").inner_text() == summary.forbund_name
        click_and_wait(page, page.locator("main").get_by_role("link", name="Resultat",
                                                               exact=True))
        click_and_wait(page, page.locator("main").get_by_role(
            "link", name=re.compile("^visa rapporten för hela förbundet")))
        assert page.get_by_role("heading", name="Ladda ner rapporten").is_visible()
        assert page.locator("main .report table").count() > 1, "the demo report is empty"
        report = save_download(page, page.get_by_role("link", name="Excel (XLSX)").first,
                               tmp_path)
        assert report.suffix == ".xlsx" and report.stat().st_size > 0
