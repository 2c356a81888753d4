"""The förbund's results page and its downloads: /forbund/resultat, its charts, the report
as XLSX, PDF, Word and JSON, and the answers as CSV, XLSX and SPSS for administrators."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
import tempfile
from pathlib import Path

import docx
import pyreadstat
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from enkat.cli import cli
from enkat.extensions import db
from enkat.models import AuditEvent, PreparedDownload, Role
from enkat.reports.period import Period, default_year
from enkat.reports.rendering import chart, has_chart
from enkat.services.answering.drafts import local_today
from enkat.services.organisation.insatser import create_insats
from enkat.services.results.reports import NOTHING_TO_REPORT, build_report_for

from .test_auth import sign_in

D = dt.date
YEAR = "ar=2025"
REPORT_DOWNLOADS = ("xlsx", "pdf", "docx", "json")
PREPARED = ("pdf", "docx")  # built on the worker (services.results.prepared_downloads)


@pytest.fixture
def year(forbund, insats, make_insats, make_participant, make_response):
    """2025 in two insatser: Steget vidare with six women and one man (a group too small
    to show) and six NNS answers; Hälsolotsen with two women."""
    other = make_insats("halsolotsen", name="Hälsolotsen", starts_on=D(2025, 1, 1))
    for number in range(7):
        make_response("finsam-inskrivning",
                      {"kon": "man" if number == 0 else "kvinna", "forsorjning": ["lon"]},
                      participant=make_participant(f"STEG{number}"), timepoint="start",
                      answered_on=D(2025, 2, 1 + number))
    for number in range(2):
        make_response("finsam-inskrivning", {"kon": "kvinna"},
                      participant=make_participant(f"HALS{number}"), timepoint="start",
                      answered_on=D(2025, 3, 1), of_insats=other)
    for value in "566514":
        make_response("nns-deltagare-pagaende", {"q1": value, "q6": "6"}, timepoint="pagaende",
                      answered_on=D(2025, 5, 5))
    return forbund


@pytest.fixture
def analyst(client, make_user):
    user = make_user(Role.ANALYST)
    sign_in(client, user.email)
    return user


def table_rows(page: str, table_id: str) -> dict[str, list[str]]:
    """The rows of one table of a page: label -> cell texts."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        label = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if label:
            rows[label.group(1)] = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                        row, re.S)]
    return rows


def chart_images(page: str) -> dict[int, bytes]:
    """The page's chart images by where they stand: SVG drawn into the page as data:
    addresses, from the report the page shows (nothing for the browser to fetch)."""
    return {found.start(): base64.b64decode(found.group(1)) for found in
            re.finditer(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)}


def downloads(of: str) -> list[AuditEvent]:
    """The audited downloads of files named `of`-…: "rapport" or "svar"."""
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "download", AuditEvent.subject.startswith(f"{of}-"))
        .order_by(AuditEvent.id)))


# --- the page -------------------------------------------------------------------------


def test_the_forbund_page_shows_every_table_and_chart_of_the_report(client, year, signed_in_admin):
    response = client.get(f"/forbund/resultat?{YEAR}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    report = build_report_for(year, period=Period(D(2025, 1, 1), D(2025, 12, 31)))
    assert not any(table.is_empty for table in report.tables)  # kön "annat": left out
    for table in report.tables:
        assert f'<table id="{table.id}">' in page
        assert f"<caption>{table.title}</caption>" in page
    assert "Tabell-id: <code>deltagare</code>" in page
    assert "2025-01-01 – 2025-12-31" in page and page.count("<h1>") == 1
    charts = chart_images(page)
    assert len(charts) == sum(1 for table in report.tables if has_chart(table)) > 0
    for svg in charts.values():
        assert svg.lstrip().startswith(b"<?xml")


def test_the_summary_comes_first_and_each_other_part_opens_on_demand(client, year, signed_in_admin):
    page = client.get(f"/forbund/resultat?{YEAR}").get_data(as_text=True)
    report = build_report_for(year, period=Period(D(2025, 1, 1), D(2025, 12, 31)))
    summary, *details = report.parts
    assert summary.id == "sammanfattning" and len(details) > 2
    downloads = page.index("<h3>Ladda ner rapporten</h3>")
    in_short = page.index('<h3 class="part-heading">I korthet</h3>')
    more = page.index('<h3 class="part-heading">Detaljer</h3>')
    assert downloads < in_short
    assert all(in_short < page.index(f'<table id="{table_id}">') < more
               for table_id in summary.table_ids)
    titles = re.findall(r'<details class="report-part">\s*<summary>([^<]*) <span', page)
    assert titles == [part.title for part in details]
    for part in details:
        opening = page.index(f"<summary>{part.title} <span")
        closing = page.index("</details>", opening)
        assert all(opening < page.index(f'<table id="{table_id}">') < closing
                   for table_id in part.table_ids)


def test_each_chart_stands_beside_its_table(client, year, signed_in_admin):
    page = client.get(f"/forbund/resultat?{YEAR}").get_data(as_text=True)
    table = page.index('<table id="nns-pagaende">')
    image = page.index("<img ", table)
    assert "<table" not in page[table + 1:image]
    report = build_report_for(year, period=Period(D(2025, 1, 1), D(2025, 12, 31)))
    assert chart_images(page)[image] == chart(report.table("nns-pagaende"), "svg")
    assert page.rfind('<div class="with-chart">', 0, image) > page.rfind("<summary", 0, table)
    assert 'alt="Diagram: ' in page[image:page.index(">", image)]


def test_the_charts_beside_the_tables_are_in_the_page_with_their_size(client, year,
                                                                      signed_in_admin):
    """In the page, so that a page view builds the report once; as images from data:
    addresses, which the Content-Security-Policy allows (inline SVG's styles it would not)."""
    response = client.get(f"/forbund/resultat?{YEAR}")
    page = response.get_data(as_text=True)
    images = re.findall(r"<img [^>]*>", page)
    assert images
    for image in images:
        assert image.startswith('<img src="data:image/svg+xml;base64,')
        assert 'decoding="async"' in image
        assert re.search(r'width="\d+"', image) and re.search(r'height="\d+"', image)
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]


# --- the steps of the choice ------------------------------------------------------------

FIELDS = ("ar", "halvar", "kvartal", "manad", "fran", "till", "visa", "horisont", "dodvikt")


def shown_fields(page: str) -> set[str]:
    """The names of the fields a person fills in (not the hidden ones carried along)."""
    return {name for name in FIELDS
            if re.search(rf'<(?:input|select)(?![^>]*type="hidden")[^>]*name="{name}"', page)}


def hidden(page: str) -> dict[str, str]:
    """The choices the step's form carries along."""
    form = re.search(r'<form [^>]*class="results-choice">(.*?)</form>', page, re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


def test_the_page_starts_by_asking_the_kind_of_period(client, year, signed_in_admin):
    response = client.get("/forbund/resultat")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Steg 1 av 3: Period" in page and "<table id=" not in page
    kinds = re.findall(r'<input[^>]*name="period"[^>]*value="([a-z]+)"', page)
    assert kinds == ["ar", "halvar", "kvartal", "manad", "datum"]
    assert re.search(r'<input checked[^>]*value="ar"', page)  # a year, unless chosen
    assert shown_fields(page) == set() and hidden(page) == {"valj": "falt"}


@pytest.mark.parametrize(("kind", "fields"), [
    ("ar", {"ar"}), ("halvar", {"ar", "halvar"}), ("kvartal", {"ar", "kvartal"}),
    ("manad", {"ar", "manad"}), ("datum", {"fran", "till"}),
])
def test_the_second_step_asks_only_the_fields_of_the_kind(client, year, signed_in_admin, kind,
                                                          fields):
    page = client.get(f"/forbund/resultat?period={kind}&valj=falt").get_data(as_text=True)
    assert "Steg 2 av 3: Vilken period?" in page
    assert shown_fields(page) == fields
    assert hidden(page) == {"period": kind, "valj": "urval"}
    assert f'href="/forbund/resultat?period={kind}&amp;valj=period">Ändra' in page
    if "ar" in fields:  # the year a download without a choice is of
        assert re.search(r'name="ar" type="text" value="\d{4}"', page)


def test_the_third_step_asks_whom_the_report_is_about_and_carries_the_period(
        client, year, signed_in_admin):
    page = client.get("/forbund/resultat?period=kvartal&ar=2025&kvartal=2&valj=urval"
                      ).get_data(as_text=True)
    assert "Steg 3 av 3: Vad rapporten gäller" in page
    assert shown_fields(page) == {"visa", "horisont", "dodvikt"}
    assert hidden(page) == {"period": "kvartal", "ar": "2025", "kvartal": "2"}  # then the report
    assert "2025-04-01 – 2025-06-30" in page and "Ett kvartal" in page
    assert '<button type="submit">Visa rapporten</button>' in page


def test_each_choice_made_can_be_changed_from_the_report_keeping_the_others(
        client, year, signed_in_admin):
    page = client.get("/forbund/resultat?period=manad&ar=2025&manad=2&visa=insats:steget"
                      ).get_data(as_text=True)
    assert "2025-02-01 – 2025-02-28" in page and "<table id=" in page
    changes = dict(re.findall(r'<dt>([^<]+)</dt><dd>[^<]*<a href="([^"]+)">Ändra', page))
    assert list(changes) == ["Sorts period", "Period", "Rapporten gäller"]
    back = client.get(changes["Sorts period"].replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="manad"', back)
    assert hidden(back) == {"ar": "2025", "manad": "2", "visa": "insats:steget", "valj": "falt"}
    whom = client.get(changes["Rapporten gäller"].replace("&amp;", "&")).get_data(as_text=True)
    assert '<option selected value="insats:steget">' in whom


@pytest.mark.parametrize(("query", "step", "field", "message"), [
    ("period=vecka&valj=falt", 1, "period", "Välj ett år, ett halvår, ett kvartal"),
    ("period=kvartal&ar=tjugo&kvartal=2&valj=urval", 2, "ar", "”tjugo” är inget år."),
    ("period=manad&ar=2025&manad=13&valj=urval", 2, "manad", "Välj en av årets tolv månader."),
    ("period=datum&fran=2025-03-01&till=2025-02-01", 2, "till", "Till-datumet 2025-02-01"),
    ("period=ar&ar=2025&dodvikt=200", 3, "dodvikt", "Dödvikten ”200” går inte att använda"),
])
def test_a_wrong_choice_is_said_at_its_field_on_its_step(client, year, signed_in_admin, query, step,
                                                       field, message):
    response = client.get(f"/forbund/resultat?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Steg {step} av 3" in page and "<table id=" not in page
    assert f'<a href="#{field}">{message}' in page
    assert re.search(rf'<(?:input|select)[^>]*aria-invalid="true"[^>]*(?:id|name)="{field}',
                     page)


def period_of(report) -> tuple[str, str]:
    found = json.loads(report.data)
    return found["from"], found["to"]


def test_a_quarter_and_a_month_are_reported_and_named_in_the_files(client, year, signed_in_admin):
    quarter = client.get("/forbund/resultat?period=kvartal&ar=2025&kvartal=1")
    assert "2025-01-01 – 2025-03-31" in quarter.get_data(as_text=True)
    month = download(client, "/forbund/resultat/rapport.json?period=manad&ar=2025&manad=2")
    assert 'filename="rapport-test-2025-02.json"' in month.headers["Content-Disposition"]
    assert period_of(month) == ("2025-02-01", "2025-02-28")


def test_addresses_from_before_the_steps_still_work(client, year, signed_in_admin):
    """Dates with no kind of period were the dates; a year alone was the year."""
    dates = client.get("/forbund/resultat?fran=2025-02-01&till=2025-02-28")
    assert dates.status_code == 200 and "2025-02-01 – 2025-02-28" in dates.get_data(
        as_text=True)
    assert '<table id="deltagare">' in client.get(f"/forbund/resultat?{YEAR}").get_data(
        as_text=True)
    report = download(client, "/forbund/resultat/rapport.json?fran=2025-02-01&till=2025-02-28")
    assert period_of(report) == ("2025-02-01", "2025-02-28")


def test_the_year_offered_first_is_the_year_most_of_the_last_twelve_months_fall_in(
        client, year, signed_in_admin):
    """It is also the year of a download that chooses nothing."""
    start = client.get("/forbund/resultat").get_data(as_text=True)
    offered = re.search(r'<a href="/forbund/resultat\?ar=(\d{4})">visa rapporten för hela '
                        r"förbundet \1</a> direkt", start).group(1)
    assert offered == str(default_year(local_today()))
    step = client.get("/forbund/resultat?period=ar&valj=falt").get_data(as_text=True)
    assert f'name="ar" type="text" value="{offered}"' in step
    report = download(client, "/forbund/resultat/rapport.json")
    assert period_of(report) == (f"{offered}-01-01", f"{offered}-12-31")


def test_small_groups_are_marked_on_the_page(client, year, signed_in_admin):
    page = client.get(f"/forbund/resultat?{YEAR}").get_data(as_text=True)
    rows = table_rows(page, "deltagare")
    assert rows["Man"][0] == "&lt;5" and rows["Kvinna"][0] == "X"
    assert "1" not in rows["Man"] and "8" not in rows["Kvinna"]


def test_one_insats_has_its_own_report(client, year, signed_in_admin):
    page = client.get(f"/forbund/resultat?{YEAR}&visa=insats:steget").get_data(as_text=True)
    assert "<h2 id=\"report-heading\">Steget vidare, Samordningsförbundet Test" in page
    assert '<table id="insatser">' not in page and '<table id="deltagare">' in page
    assert chart_images(page)


def test_insatser_side_by_side(client, year, signed_in_admin):
    page = client.get(f"/forbund/resultat?{YEAR}&visa=insatser").get_data(as_text=True)
    rows = table_rows(page, "insatser")
    assert list(rows) == ["Hälsolotsen", "Steget vidare", "Summa insatser"]
    assert rows["Hälsolotsen"][0] == "&lt;5"
    assert page.count("<table id=") == 1


def test_a_half_year_and_dates(client, year, signed_in_admin):
    half = client.get("/forbund/resultat?period=halvar&ar=2025&halvar=2").get_data(as_text=True)
    assert "2025-07-01 – 2025-12-31" in half
    dates = client.get("/forbund/resultat?period=datum&fran=2025-02-01&till=2025-02-28")
    assert "2025-02-01 – 2025-02-28" in dates.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("period=datum&fran=2025-06-01&till=2025-01-01",
     "Till-datumet 2025-01-01 är före från-datumet 2025-06-01"),
    ("period=datum&fran=1%20juni&till=2025-12-31", "”1 juni” är inget datum."),
    ("period=datum&fran=2025-02-30&till=2025-12-31", "”2025-02-30” är inget datum."),
    ("period=datum&till=2025-12-31", "Skriv från-datumet."),
    ("period=ar&ar=tjugofem", "”tjugofem” är inget år."),
    ("period=ar&ar=", "Skriv året, till exempel 2025."),
    ("period=halvar&ar=2025&halvar=3", "Välj första eller andra halvåret."),
    ("period=vecka", "Välj ett år, ett halvår, ett kvartal, en månad eller egna datum."),
    ("period=kvartal&ar=2025&kvartal=5", "Välj ett av årets fyra kvartal."),
    ("period=manad&ar=2025&manad=", "Välj en av årets tolv månader."),
    ("visa=allt", "Välj hela förbundet, insatserna sida vid sida eller en insats."),
    ("period=datum&fran=2025-01-01&till=9999-12-31",
     "Till-datumet 9999-12-31 ligger utanför de år som går att välja, 2000–2100."),
    ("period=datum&fran=0001-01-01&till=2025-12-31",
     "Från-datumet 0001-01-01 ligger utanför de år som går att välja, 2000–2100."),
    ("visa=forbund&insats=steget", "Adressen väljer både ”forbund” och insatsen ”steget”."),
    ("ar=2025&horisont=0", "Horisonten ”0” går inte att använda: skriv ett helt antal "
                           "månader från 1 till 600"),
    ("ar=2025&horisont=ett%20%C3%A5r", "Horisonten ”ett år” går inte att använda"),
    ("ar=2025&dodvikt=150", "Dödvikten ”150” går inte att använda: skriv en procentsats "
                            "från 0 till 100"),
])
def test_a_bad_choice_is_said_in_swedish_with_422(client, year, signed_in_admin, query, message):
    for address in ("/forbund/resultat", "/forbund/resultat/rapport.xlsx", "/forbund/svar.csv"):
        response = client.get(f"{address}?{query}")
        page = response.get_data(as_text=True)
        assert response.status_code == 422, address
        assert message in page and 'aria-invalid="true"' in page
        assert "<table id=" not in page
    assert downloads("rapport") == [] and downloads("svar") == []


def test_the_samhallsnytta_assumptions_are_carried_into_the_downloads(client, year,
                                                                      signed_in_admin):
    page = client.get(f"/forbund/resultat?{YEAR}&horisont=24&dodvikt=12,5").get_data(
        as_text=True)
    assert 'value="24"' in page and 'value="12,5"' in page
    links = re.findall(r'href="(/forbund/resultat/rapport\.[a-z]+\?[^"]+)"', page)
    assert links and all("horisont=24" in link and "dodvikt=12" in link for link in links)
    report = json.loads(download(client, f"/forbund/resultat/rapport.json?{YEAR}"
                                         "&horisont=24&dodvikt=12,5").data)
    assumptions = report["samhallsnytta"]["assumptions"]
    assert (assumptions["horizon"], assumptions["deadweight"]) == (24, 0.125)
    default = json.loads(download(client, f"/forbund/resultat/rapport.json?{YEAR}").data)
    assert default["samhallsnytta"]["assumptions"]["horizon"] == 12


def test_an_insats_of_another_forbund_is_not_found(client, year, signed_in_admin, make_forbund):
    elsewhere = create_insats(make_forbund(), "annan", "Annan insats")
    assert client.get(f"/forbund/resultat?visa=insats:{elsewhere.slug}").status_code == 404
    assert client.get("/forbund/resultat?visa=insats:finns-inte").status_code == 404


EVERY_ROUTE_OF_THE_RESULTS = ("/forbund/resultat", "/forbund/resultat/rapport.json",
                              "/forbund/resultat/rapport.xlsx", "/forbund/resultat/rapport.pdf",
                              "/forbund/resultat/rapport.docx", "/forbund/svar.csv",
                              "/forbund/svar.xlsx", "/forbund/svar.sav")


@pytest.mark.parametrize("address", EVERY_ROUTE_OF_THE_RESULTS)
def test_an_unknown_insats_is_not_found_however_it_is_named(client, year, signed_in_admin,
                                                            make_forbund, address):
    """`?insats=` is how a script names an insats; one the förbund does not have is 404,
    never the whole förbund's data."""
    elsewhere = create_insats(make_forbund(), "annan", "Annan insats")
    for named in ("insats=finns-inte", f"insats={elsewhere.slug}", "visa=insats:finns-inte"):
        assert client.get(f"{address}?{YEAR}&enkat=nns-deltagare-pagaende&{named}"
                          ).status_code == 404, named
    assert downloads("rapport") == [] and downloads("svar") == []
    assert prepared() == []


def test_insats_in_the_address_is_that_insats(client, year, signed_in_admin):
    named = download(client, f"/forbund/svar.csv?{YEAR}&insats=halsolotsen").get_data()
    chosen = download(client, f"/forbund/svar.csv?{YEAR}&visa=insats:halsolotsen").get_data()
    whole = download(client, f"/forbund/svar.csv?{YEAR}").get_data()
    assert named == chosen != whole


# --- the report downloads ---------------------------------------------------------------


def download(client, address: str, jobs=None):
    """The file at `address`. A file built on the worker (`jobs` given) is asked for,
    built by running the queue's job as the worker would, and fetched from its page."""
    response = client.get(address)
    if jobs is not None:
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        waiting = response.headers["Location"]
        assert waiting.startswith("/forbund/filer/")
        assert jobs.run_pending() == 1
        assert "Filen är klar" in client.get(waiting).get_data(as_text=True)
        response = client.get(f"{waiting}/hamta")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def prepared() -> list[PreparedDownload]:
    return list(db.session.scalars(select(PreparedDownload)))


def test_each_download_names_its_content_type_once(client, year, signed_in_admin):
    """A spreadsheet program reads the charset from the header; Werkzeug's `mimetype=`
    would send text/csv's twice."""
    sent = {address: download(client, f"{address}?{YEAR}").headers["Content-Type"]
            for address in ("/forbund/svar.csv", "/forbund/resultat/rapport.json")}
    assert sent == {"/forbund/svar.csv": "text/csv; charset=utf-8",
                    "/forbund/resultat/rapport.json": "application/json; charset=utf-8"}


def test_the_xlsx_has_one_sheet_per_table(client, year, signed_in_admin):
    response = download(client, f"/forbund/resultat/rapport.xlsx?{YEAR}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="rapport-test-2025.xlsx"')
    workbook = load_workbook(io.BytesIO(response.data))
    report = build_report_for(year, period=Period(D(2025, 1, 1), D(2025, 12, 31)))
    # a sheet per table, named by its id (within Excel's 31 characters), titled by its title
    assert workbook.sheetnames == ["Om rapporten", *(table.id[:31] for table in report.tables)]
    assert [sheet["A1"].value for sheet in workbook.worksheets[1:]] == [
        table.title for table in report.tables]
    man = next(row for row in workbook["deltagare"].iter_rows(values_only=True)
               if row[0] == "Man")
    assert man[1] == "<5" and 1 not in man


def test_the_pdf_reads_as_text_with_the_marks(client, year, signed_in_admin, jobs):
    response = download(client, f"/forbund/resultat/rapport.pdf?{YEAR}&visa=insats:steget",
                        jobs)
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].endswith(
        'filename="rapport-test-steget-2025.pdf"')
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Steget vidare" in text and "<5" in text


def test_a_period_with_nothing_to_report_offers_no_file_to_read_and_says_why(
        client, year, signed_in_admin, jobs):
    """2024, before anything happened: the report holds only the samhällsnytta's
    assumptions. The page offers no Excel, PDF or Word file of it and no file of answers,
    and says why; an address kept from before is refused with the same words, never built
    empty: the Excel file's by the page itself, the PDF's and the Word file's by the
    worker."""
    shown = client.get("/forbund/resultat?ar=2024").get_data(as_text=True)
    assert not any(f"/rapport.{fmt}" in shown for fmt in ("xlsx", "pdf", "docx"))
    assert "/svar." not in shown  # nor the answers, of which there are none
    assert "Det finns inga svar under perioden, så det finns inga svar att ladda ner." in shown
    assert (f"{NOTHING_TO_REPORT} Därför finns ingen Excel-, PDF- eller Word-fil att "
            "hämta, bara JSON-filen för program.") in shown
    kept = client.get("/forbund/resultat/rapport.xlsx?ar=2024")
    assert kept.status_code == 422 and kept.content_type.startswith("text/html")
    assert NOTHING_TO_REPORT in kept.get_data(as_text=True)
    for fmt in PREPARED:
        waiting = client.get(f"/forbund/resultat/rapport.{fmt}?ar=2024").headers["Location"]
        assert jobs.run_pending() == 1
        page = client.get(waiting).get_data(as_text=True)
        assert "<h1>Filen kunde inte göras</h1>" in page
        assert NOTHING_TO_REPORT in page
    assert downloads("rapport") == []


def test_the_json_of_a_period_with_nothing_to_report_is_offered_for_programs(
        client, year, signed_in_admin):
    """A script that fetches every year's JSON gets one for 2024 too: the förbund, the
    period and the assumptions the report was built under, nothing else."""
    assert "/rapport.json?ar=2024" in client.get("/forbund/resultat?ar=2024").get_data(
        as_text=True)
    report = download(client, "/forbund/resultat/rapport.json?ar=2024").get_json()
    assert (report["from"], report["to"]) == ("2024-01-01", "2024-12-31")
    assert [table["id"] for table in report["tables"]] == ["samhallsnytta-antaganden"]
    assert [event.subject for event in downloads("rapport")] == ["rapport-test-2024.json"]


def test_a_quarter_without_answers_but_with_deltagare_is_a_report_to_file(
        client, year, signed_in_admin, jobs):
    """No answer was given in 2026's first quarter, but nine deltagare were enrolled: a
    kvartalsrapport that counts them is worth filing, as Excel, PDF and Word."""
    quarter = "period=kvartal&ar=2026&kvartal=1"
    shown = client.get(f"/forbund/resultat?{quarter}").get_data(as_text=True)
    assert NOTHING_TO_REPORT not in shown
    assert all(f"/rapport.{fmt}" in shown for fmt in REPORT_DOWNLOADS)
    assert download(client, f"/forbund/resultat/rapport.xlsx?{quarter}").data
    response = download(client, f"/forbund/resultat/rapport.pdf?{quarter}", jobs)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Unika deltagare" in text
    assert download(client, f"/forbund/resultat/rapport.docx?{quarter}", jobs).data


def test_the_word_file_has_the_headings_and_tables_of_the_report(client, year, insats,
                                                                 signed_in_admin,
                                                                   jobs):
    response = download(client, f"/forbund/resultat/rapport.docx?{YEAR}&visa=insats:steget",
                        jobs)
    assert response.headers["Content-Disposition"].endswith(
        'filename="rapport-test-steget-2025.docx"')
    assert response.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    opened = docx.Document(io.BytesIO(response.data))
    report = build_report_for(year, insats, period=Period(D(2025, 1, 1), D(2025, 12, 31)))
    styles = [(paragraph.style.name, paragraph.text) for paragraph in opened.paragraphs]
    assert styles[0] == ("Title", "Steget vidare, " + year.name)
    assert [text for style, text in styles if style == "Heading 1"] == [
        part.title for part in report.parts]
    assert len(opened.tables) == len(report.tables)
    assert len(opened.inline_shapes) == sum(1 for table in report.tables if table.chart)


def test_the_json_has_the_tables_and_keeps_small_cells_hidden(client, year, signed_in_admin):
    response = download(client, f"/forbund/resultat/rapport.json?{YEAR}&visa=insatser")
    assert response.headers["Content-Disposition"].endswith(
        'filename="rapport-test-insatser-2025.json"')
    report = json.loads(response.data)
    assert [table["id"] for table in report["tables"]] == ["insatser"]
    rows = {row[0]: row[1:] for row in report["tables"][0]["rows"]}
    assert rows["Hälsolotsen"][:2] == ["<5", "<5"] and rows["Steget vidare"][0] == "X"
    assert 2 not in rows["Hälsolotsen"] and 7 not in rows["Steget vidare"]


def test_every_report_download_is_audited_with_the_user(client, year, analyst, jobs):
    for fmt in REPORT_DOWNLOADS:
        download(client, f"/forbund/resultat/rapport.{fmt}?{YEAR}&visa=insats:steget",
                 jobs if fmt in PREPARED else None)
    audited = downloads("rapport")
    assert [event.detail["format"] for event in audited] == list(REPORT_DOWNLOADS)
    assert {event.user_id for event in audited} == {analyst.id}
    assert {event.forbund_id for event in audited} == {year.id}
    assert audited[0].subject == "rapport-test-steget-2025.xlsx"
    assert audited[0].detail | {"format": None} == {
        "format": None, "subject": "insats", "insats": "steget",
        "from": "2025-01-01", "to": "2025-12-31"}


# --- the answer downloads ---------------------------------------------------------------


def test_the_csv_is_what_enkat_export_responses_writes(client, year, signed_in_admin, runner,
                                                       tmp_path):
    response = download(client, f"/forbund/svar.csv?{YEAR}&visa=insats:steget")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="svar-test-steget-2025.csv"')
    exported = tmp_path / "svar.csv"
    result = runner.invoke(cli, args=["export", "responses", "--forbund", "test", "--insats",
                                 "steget", "--from", "2025-01-01", "--to", "2025-12-31",
                                 "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert response.data == exported.read_bytes()
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["insats"] for row in rows} == {"steget"} and len(rows) == 7 * 2 + 6 * 2


def test_the_answers_xlsx_has_the_tidy_rows_and_the_variables(client, year, signed_in_admin):
    response = download(client, f"/forbund/svar.xlsx?{YEAR}")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Svar", "Variabler", "Om filen"]
    answers = list(workbook["Svar"].iter_rows(values_only=True))
    assert answers[0][:3] == ("response_id", "forbund", "insats") and len(answers) == 1 + 28
    variables = {(row[0], row[2]): row for row in workbook["Variabler"].iter_rows(
        min_row=2, values_only=True)}
    assert variables[("finsam-inskrivning", "kon")][4] == "Kön"
    assert "kvinna = Kvinna" in variables[("finsam-inskrivning", "kon")][5]


def test_the_sav_reads_back_with_its_labels(client, year, signed_in_admin, jobs):
    response = download(client, f"/forbund/svar.sav?{YEAR}&enkat=nns-deltagare-pagaende", jobs)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="svar-test-2025-nns-deltagare-pagaende.sav"')
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "svar.sav"
        path.write_bytes(response.data)
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert sorted(frame["q1"].tolist()) == [1.0, 4.0, 5.0, 5.0, 6.0, 6.0]
    assert meta.column_names_to_labels["q1"].startswith("Får du stöd")
    assert meta.variable_value_labels["q1"][6.0] == "Helt och hållet"


def test_the_sav_needs_an_instrument_the_forbund_has_answers_to(client, year, signed_in_admin):
    missing = client.get(f"/forbund/svar.sav?{YEAR}")
    assert missing.status_code == 422
    assert "Välj vilken enkät SPSS-filen ska innehålla." in missing.get_data(as_text=True)
    unknown = client.get(f"/forbund/svar.sav?{YEAR}&enkat=ors")
    assert unknown.status_code == 422
    assert "Förbundet har inga svar på ”ors”." in unknown.get_data(as_text=True)
    assert downloads("svar") == [] and prepared() == []
    for refused in (missing, unknown):  # the report stays shown under the refusal
        shown = refused.get_data(as_text=True)
        assert "<h2>Filen kan inte hämtas</h2>" in shown and "Rapporten kan inte" not in shown
        assert 'id="report-heading"' in shown


def test_an_sav_of_a_period_without_answers_is_refused_before_it_is_queued(client, year,
                                                                           signed_in_admin):
    refused = client.get("/forbund/svar.sav?ar=2024&enkat=finsam-inskrivning")
    assert refused.status_code == 422
    shown = refused.get_data(as_text=True)
    assert ("Det finns inga inskickade svar på ”Inskrivning i insats” för den period och det "
            "urval som rapporten gäller.") in shown
    assert "<h2>Filen kan inte hämtas</h2>" in shown and "finsam-inskrivning i urvalet" not in shown
    assert prepared() == [] and downloads("svar") == []


def test_every_answer_download_is_audited_with_its_filters(client, year, signed_in_admin, jobs):
    for ending in ("csv", "xlsx", "sav&enkat=finsam-inskrivning"):
        fmt = ending.split("&")[0]
        download(client, f"/forbund/svar.{fmt}?period=halvar&ar=2025&halvar=1&{ending[4:]}",
                 jobs if fmt == "sav" else None)
    audited = downloads("svar")
    assert [event.detail["format"] for event in audited] == ["csv", "xlsx", "sav"]
    assert {event.user_id for event in audited} == {signed_in_admin.id}
    assert audited[2].detail == {
        "format": "sav", "instrument": "finsam-inskrivning", "rows": 9, "subject": "forbund",
        "insats": None, "from": "2025-01-01", "to": "2025-06-30"}
    assert audited[0].detail["rows"] == 28


def test_the_page_offers_answers_to_administrators_only(client, year, make_user):
    analyst = make_user(Role.ANALYST)
    sign_in(client, analyst.email)
    page = client.get(f"/forbund/resultat?{YEAR}").get_data(as_text=True)
    assert "rapport.xlsx" in page and "svar.csv" not in page and "svar.sav" not in page


# --- access -----------------------------------------------------------------------------

ALL_ROUTES = (
    f"/forbund/resultat?{YEAR}",
    *(f"/forbund/resultat/rapport.{fmt}?{YEAR}" for fmt in REPORT_DOWNLOADS),
    f"/forbund/svar.csv?{YEAR}", f"/forbund/svar.xlsx?{YEAR}",
    f"/forbund/svar.sav?{YEAR}&enkat=finsam-inskrivning",
)


def test_personal_may_not_see_results(client, year, make_user):
    sign_in(client, make_user(Role.STAFF).email)
    for address in ALL_ROUTES:
        assert client.get(address).status_code == 403, address


def test_analysts_read_the_report_but_not_the_answers(client, year, analyst):
    for address in ALL_ROUTES:
        prepared_file = re.search(r"\.(pdf|docx)\?", address) is not None
        expected = 403 if address.startswith("/forbund/svar.") else 303 if prepared_file else 200
        assert client.get(address).status_code == expected, address
    assert downloads("svar") == []


def test_visitors_are_sent_to_sign_in(client, year):
    for address in ALL_ROUTES:
        response = client.get(address)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_format_is_not_found(client, year, signed_in_admin):
    assert client.get(f"/forbund/resultat/rapport.html?{YEAR}").status_code == 404
    assert client.get(f"/forbund/svar.json?{YEAR}").status_code == 404
