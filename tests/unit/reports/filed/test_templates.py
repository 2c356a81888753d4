"""The document templates: the four bundled ones load; a broken one says what is wrong
and where, in Swedish."""

from __future__ import annotations

import copy
import json

import pytest

from enkat.reports.filed.templates import (
    KINDS,
    TemplateError,
    bundled_template,
    load_data,
    load_text,
    template_data,
)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_bundled_templates_load_and_keep_their_data(kind):
    template = bundled_template(kind)
    assert template.kind == kind and template.scope == KINDS[kind].scope
    assert load_data(template_data(template), "copy") == template
    assert len(set(template.keys())) == len(template.sections)


def test_the_del_and_slutrapport_follow_the_common_skeleton():
    delrapport = bundled_template("delrapport")
    assert delrapport.prognos and not bundled_template("slutrapport").prognos
    kinds = {section.key: section.kind for section in delrapport.sections}
    assert (kinds["insatsen"], kinds["syfte"], kinds["mal"], kinds["ekonomi"]) == (
        "insats", "text", "goals", "figures")
    assert delrapport.section("syfte").guidance == "Vilken förändring ville man uppnå?"
    assert [row.label for row in delrapport.section("ekonomi").rows] == [
        "Aktiviteter", "Externa tjänster", "Lönekostnader", "Lokalkostnader", "Material",
        "Resekostnader", "Övriga kostnader"]
    analys = [s.heading for s in delrapport.sections if s.level == 3][-5:]
    assert analys[0] == "Effekter för parterna" and len(analys) == 5


def broken(change) -> TemplateError:
    data = template_data(bundled_template("kvartalsrapport"))
    change(data)
    with pytest.raises(TemplateError) as error:
        load_data(copy.deepcopy(data), "mallar/kvartal.json")
    return error.value


def test_a_schema_problem_names_the_file_and_the_place():
    error = broken(lambda data: data["sections"][2].update(kind="tabell", extra=1))
    assert str(error).splitlines() == [
        'mallar/kvartal.json /sections/2: okänd nyckel "extra"',
        'mallar/kvartal.json /sections/2/kind: måste vara en av: "heading", "text", "data", '
        '"insats", "goals", "figures"']


def test_rules_beyond_the_schema_are_said_in_swedish():
    def change(data):
        data["sections"][1]["key"] = data["sections"][0]["key"]
        data["sections"][2]["tables"] = ["deltagare"]
        data["scope"] = "forbund"
        data["sections"][3] = {"key": "tom", "heading": "Tom", "kind": "data"}

    lines = str(broken(change)).splitlines()
    assert lines == [
        "mallar/kvartal.json /scope: en kvartalsrapport gäller en insats",
        'mallar/kvartal.json /sections/1/key: nyckeln "allmant" står mer än en gång',
        'mallar/kvartal.json /sections/2/tables: "tables" hör bara till ett avsnitt av slaget data',
        'mallar/kvartal.json /sections/3: ett dataavsnitt anger "tables" eller "parts"',
        "mallar/kvartal.json /sections/6/kind: bara en rapport om en insats har en måltabell",
    ]


def test_a_file_that_is_not_json_says_where():
    with pytest.raises(TemplateError,
                       match=r"mall.json: ogiltig JSON på rad 1, kolumn 2: här förväntades en"):
        load_text("{,}", "mall.json")
    text = json.dumps({"kind": "delrapport"})
    with pytest.raises(TemplateError) as error:
        load_text(text, "mall.json")
    assert 'nyckeln "title", "scope", "sections" saknas' in str(error.value)


@pytest.mark.parametrize("kind", ["delrapport", "slutrapport", "helarsrapport"])
def test_the_reports_on_results_show_the_samhallsnytta_part(kind):
    section = bundled_template(kind).section("samhallsnytta")
    assert section.kind == "data" and section.parts == ("samhallsnytta",)
