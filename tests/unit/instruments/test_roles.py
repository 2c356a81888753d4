"""What an instrument means for results is declared in its file and read by
`enkat.instruments.roles`; no layer that works with instruments spells an instrument or
item id of a bundled instrument.

The demo is left out: its ids are data.
"""

import dataclasses
import re
from pathlib import Path

import pytest

from enkat.instruments import bundled_directory, load_directory, roles
from enkat.instruments.model import EnrolmentRole, Results, SessionChart

ROOT = Path(__file__).resolve().parents[3]
GUARDED = ("enkat/reports", "enkat/scoring", "enkat/services", "enkat/web")
BUNDLED = load_directory(bundled_directory())


def test_the_registration_forms_are_found_by_their_declared_roles():
    forms = roles.RegistrationForms.among(BUNDLED.values())
    assert forms is not None
    assert [form.results.enrolment for form in forms.in_course_order] == list(roles.COURSE_ORDER)
    assert forms.kon is not None and forms.kon_unknown in forms.kon.codes
    assert forms.exit_reason is not None
    assert set(forms.to_work_or_studies) <= set(forms.exit_reason.codes)
    assert [entry.item for entry in forms.before_after] == [
        entry.item for entry in forms.ends.results.before_after]  # all asked at the start too


def test_each_line_of_the_samtalsunderlag_is_drawn_by_one_instrument():
    outcome = roles.with_session_chart(BUNDLED.values(), SessionChart.OUTCOME)
    alliance = roles.with_session_chart(BUNDLED.values(), SessionChart.ALLIANCE)
    assert outcome and alliance and outcome != alliance
    assert outcome.scores[0].cutoff is not None and alliance.scores[0].is_flagged


def test_two_instruments_claiming_one_role_are_refused_not_guessed():
    starts = roles.with_enrolment_role(BUNDLED.values(), EnrolmentRole.STARTS)
    twin = dataclasses.replace(starts, id="egen-inskrivning")
    with pytest.raises(roles.AmbiguousRole, match="egen-inskrivning"):
        roles.RegistrationForms.among([*BUNDLED.values(), twin])


def test_forms_without_a_start_or_an_end_are_no_registration():
    ends = roles.with_enrolment_role(BUNDLED.values(), EnrolmentRole.ENDS)
    assert roles.RegistrationForms.among([ends]) is None


def test_report_order_follows_the_declared_order_then_the_id():
    ordered = [i.id for i in roles.in_report_order(BUNDLED.values()) if i.results.order < 100]
    orders = [BUNDLED[i].results.order for i in ordered]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    plain = dataclasses.replace(BUNDLED["ors"], id="a-first", results=Results())
    assert roles.in_report_order([plain, BUNDLED["ors"]])[0] is BUNDLED["ors"]


def test_the_table_id_is_declared_or_the_instrument_id():
    assert roles.table_id(BUNDLED["nns-deltagare-pagaende"]) == "nns-pagaende"
    assert roles.table_id(BUNDLED["nns-personal"]) == "nns-personal"


def test_known_kon_codes_leave_the_unknown_one_out():
    survey = BUNDLED["nns-deltagare-pagaende"]
    assert survey.results.kon.unknown not in roles.known_kon_codes(survey)
    assert roles.known_kon_codes(BUNDLED["ors"]) == ()


def _quoted_ids() -> re.Pattern[str]:
    """Any bundled instrument's id, or any item id of one, in quotes."""
    items = {item.id for instrument in BUNDLED.values() for item in instrument.items}
    ids = "|".join(re.escape(i) for i in sorted(set(BUNDLED) | items, key=len, reverse=True))
    return re.compile(rf"""(?<!Column\()(["'])({ids})\1""")


def _guarded_files() -> list[Path]:
    return sorted(path for directory in GUARDED for path in (ROOT / directory).rglob("*.py")
                  if path.stem != "demo" and "demo" not in path.relative_to(ROOT).parts)


def test_no_layer_spells_a_bundled_instrument_or_item_id():
    quoted = _quoted_ids()
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in _guarded_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in quoted.finditer(line)
    ]
    assert not found, ("bundled instrument or item ids spelt out; declare the part in the "
                       "instrument's `results` and read it with enkat.instruments.roles:\n"
                       + "\n".join(found))


def test_the_guard_finds_an_id_spelt_out():
    """The pattern catches a quoted id in either quote and leaves longer words alone."""
    quoted = _quoted_ids()
    assert quoted.search('RATED = ("ors", "srs")') and quoted.search("x = 'finsam-avslut'")
    assert quoted.search('answers.get("avslutsanledning")') and quoted.search("item = 'q1'")
    assert not quoted.search('"orsak"')
    assert not quoted.search('Column("steg", "Andel med stegförflyttning")')  # a report's own key
