"""Bundled instrument ids have one home, `enkat.instruments.roles`.

The catalog names bundled instruments and items that exist, and the layers that work with
them (reports, scoring, services, web) spell none of their ids: they import the
catalog's names. The demo is left out: its ids are data.
"""

import re
from pathlib import Path

import pytest

from enkat.instruments import bundled_directory, load_directory, roles

ROOT = Path(__file__).resolve().parents[3]
GUARDED = ("enkat/reports", "enkat/scoring", "enkat/services", "enkat/web")
BUNDLED = load_directory(bundled_directory())

INSTRUMENT_ROLES = (*roles.REGISTRATION_FORMS, *roles.NNS_DELTAGARE, *roles.RATED)
ITEM_ROLES = {
    roles.ENROLMENT_STARTS: (roles.KON_ITEM, roles.AGE_GROUP_ITEM, roles.EDUCATION_ITEM,
                             roles.TIME_ON_BENEFITS_ITEM, roles.SUPPORT_ITEM,
                             roles.OCCUPATION_ITEM),
    roles.ENROLMENT_ENDS: (roles.EXIT_REASON_ITEM, roles.SUPPORT_ITEM, roles.OCCUPATION_ITEM),
    roles.FOLLOW_UP: (roles.SITUATION_ITEM,),
    roles.NNS_DELTAGARE_PAGAENDE: (roles.KON_ITEM,),
    roles.NNS_DELTAGARE_AVSLUT: (roles.KON_ITEM,),
}


@pytest.mark.parametrize("instrument_id", INSTRUMENT_ROLES)
def test_every_role_is_played_by_a_bundled_instrument(instrument_id):
    assert instrument_id in BUNDLED


@pytest.mark.parametrize(("instrument_id", "item_id"), [
    (instrument_id, item_id) for instrument_id, items in ITEM_ROLES.items() for item_id in items
])
def test_every_item_role_is_an_item_of_its_form(instrument_id, item_id):
    BUNDLED[instrument_id].item(item_id)  # raises for an item the form does not have


def _quoted_ids() -> re.Pattern[str]:
    """Any bundled instrument's id, or an item id of a registration form, in quotes."""
    items = {item.id for form in roles.REGISTRATION_FORMS for item in BUNDLED[form].items}
    ids = "|".join(re.escape(i) for i in sorted(set(BUNDLED) | items, key=len, reverse=True))
    return re.compile(rf"""(["'])({ids})\1""")


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
    assert not found, ("bundled instrument or item ids spelt out; import them from "
                       "enkat.instruments.roles:\n" + "\n".join(found))


def test_the_guard_finds_an_id_spelt_out():
    """The pattern catches a quoted id in either quote and leaves longer words alone."""
    quoted = _quoted_ids()
    assert quoted.search('RATED = ("ors", "srs")') and quoted.search("x = 'finsam-avslut'")
    assert not quoted.search('"orsak"') and not quoted.search('"nns-pagaende"')
