"""Samhällsnytta's inputs for the förbund's administrators: the price list per year,
/forbund/prislista, and an insats' cost per period, /forbund/insatser/<slug>/kostnader.

A price list is edited whole: one row per försörjning source of the registration forms,
with kronor a month and the payer, or marked "Ej prissatt". A new year's list starts
empty or as a copy of an earlier year's. Analysts read an insats' costs; administrators
add and remove them (a removal is a POST with its CSRF token).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Optional

from enkat.models import Insats, Role
from enkat.scoring.samhallsnytta import PAYERS
from enkat.services import NotFound, Refused
from enkat.services.samhallsnytta import (
    PriceEntry,
    copy_price_list,
    entries_of,
    find_price_list,
    insats_costs,
    is_sensible_year,
    new_year_problems,
    price_years,
    remove_insats_cost,
    save_price_list,
    set_insats_cost,
    support_sources,
)
from enkat.web.common.access import READERS, refuse, roles_required
from enkat.web.common.form_base import DayField, KronorField, PageForm, WholeNumberField

from . import bp
from .forms_common import error_list, may_change, show_problems
from .insatser import insats_or_404

# --- forms ---------------------------------------------------------------------------


class AmountField(KronorField):
    """Whole kronor, its messages sentences of their own (no row or column before them).
    `amount` is the figure or None (the page's text fields read a missing one as "")."""

    @property
    def amount(self) -> int | None:
        return self.data if isinstance(self.data, int) else None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as wrong:
            said = str(wrong)
            raise ValueError(said[:1].upper() + said[1:]) from None


class PriceRowForm(Form):
    source = HiddenField()
    kronor = StringField("Kronor i månaden")
    payer = SelectField("Betalare", validate_choice=False, choices=[
        SelectChoice("", "Välj betalare")] + [
        SelectChoice(code, label) for code, label in PAYERS.items()])
    not_priced = BooleanField("Ej prissatt")

    def entry(self) -> PriceEntry:
        return PriceEntry(self.source.data or "", self.kronor.data or "",
                          self.payer.data or "", bool(self.not_priced.data))


class PriceListForm(PageForm):
    rows = FieldList(FormField(PriceRowForm))
    example = BooleanField("Exempelsiffror", description=(
        "Markera om siffrorna bara är exempel. Rapporterna säger det då vid samhällsnyttan."))


class NewPriceListForm(PageForm):
    year = WholeNumberField("År", refusal=(
        "”{text}” är inget år. Skriv året med fyra siffror, till exempel 2026."))
    copy_from = SelectField("Börja med", validate_choice=False)

    def __init__(self, years: list[int], **kwargs):
        super().__init__(**kwargs)
        self.copy_from.choices = [SelectChoice(str(year), f"En kopia av prislistan för {year}")
                                  for year in years] + [SelectChoice("", "En tom prislista")]


class CostForm(PageForm):
    # Blank dates reach the service, which says which day is missing.
    starts_on = DayField("Från och med", [Optional()],
                         description="Som år-månad-dag, till exempel 2026-01-01.")
    ends_on = DayField("Till och med", [Optional()],
                       description="Periodens sista dag, till exempel 2026-12-31.")
    granted_kronor = AmountField("Beviljat medel i kronor")
    spent_kronor = AmountField("Utfall i kronor", description=(
        "Det insatsen faktiskt kostade. Lämna tomt om det inte är känt; då räknas beviljat "
        "medel."))


class ActionForm(PageForm):
    pass


# --- the price lists -----------------------------------------------------------------


@bp.get("/prislista")
@roles_required(Role.ADMIN)
def price_lists():
    years = price_years(g.forbund)
    form = NewPriceListForm(years, formdata=None, data={
        "year": (years[0] + 1) if years else None,
        "copy_from": str(years[0]) if years else ""})
    return _lists_page(form, years)


@bp.post("/prislista")
@roles_required(Role.ADMIN)
def price_list_new():
    years = price_years(g.forbund)
    form = NewPriceListForm(years)
    if form.validate_on_submit():
        try:
            _begin(form.year.data, form.copy_from.data or "")
        except Refused as refused:
            show_problems(form, refused.problems)
        else:
            return redirect(url_for(".price_list", year=form.year.data), 303)
    return _lists_page(form, years)


def _begin(year: int | None, copy_from: str) -> None:
    """Copy an earlier year's list to `year`, or check that a new one may be begun."""
    if copy_from.isascii() and copy_from.isdigit():
        copy_price_list(g.forbund, int(copy_from), year, current_user)
        flash(f"Prislistan för {year} är sparad som en kopia av den för {copy_from}. Ändra "
              f"de priser som är annorlunda {year} och välj Spara prislistan.", "info")
        return
    problems = new_year_problems(g.forbund, year)
    if problems:
        raise Refused(problems)


def _lists_page(form: NewPriceListForm, years: list[int]):
    errors = error_list(form)
    lists = [find_price_list(g.forbund, year) for year in years]
    page = render_template("admin/price_lists.html", form=form, errors=errors, lists=lists)
    return page, 422 if errors else 200


@bp.route("/prislista/<int:year>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def price_list(year: int):
    if not is_sensible_year(year):
        abort(404)
    stored = find_price_list(g.forbund, year)
    if request.method == "GET":
        form = PriceListForm(formdata=None, data={
            "rows": [_row_data(entry) for entry in entries_of(stored)],
            "example": stored is not None and stored.example})
        return _list_page(year, form, stored)
    form = PriceListForm()
    if form.validate_on_submit():
        try:
            save_price_list(g.forbund, year, [entry.form.entry() for entry in form.rows],
                            current_user, example=bool(form.example.data))
        except Refused as refused:
            show_problems(form, refused.problems, list(form.rows))
        else:
            flash(f"Prislistan för {year} är sparad.", "info")
            return redirect(url_for(".price_list", year=year), 303)
    return _list_page(year, form, stored)


def _row_data(entry: PriceEntry) -> dict:
    return {"source": entry.source, "kronor": entry.kronor, "payer": entry.payer,
            "not_priced": entry.not_priced}


def _list_page(year: int, form: PriceListForm, stored):
    errors = error_list(form)
    names = {source.code: source.name for source in support_sources()}
    page = render_template("admin/price_list.html", form=form, errors=errors, year=year,
                           stored=stored, names=names)
    return page, 422 if errors else 200


# --- an insats' costs ------------------------------------------------------------------


@bp.get("/insatser/<slug>/kostnader")
@roles_required(*READERS)
def insats_costs_page(slug: str):
    insats = insats_or_404(slug)
    return _costs_page(insats, CostForm(formdata=None) if may_change() else None)


@bp.post("/insatser/<slug>/kostnader")
@roles_required(Role.ADMIN)
def insats_cost_add(slug: str):
    insats = insats_or_404(slug)
    form = CostForm()
    if form.validate_on_submit():
        try:
            set_insats_cost(insats, form.starts_on.data, form.ends_on.data,
                            form.granted_kronor.amount, form.spent_kronor.amount,
                            by=current_user)
        except Refused as refused:
            show_problems(form, refused.problems)
        else:
            flash(f"Kostnaden för {form.starts_on.data}–{form.ends_on.data} är sparad.", "info")
            return redirect(url_for(".insats_costs_page", slug=insats.slug), 303)
    return _costs_page(insats, form)


@bp.route("/insatser/<slug>/kostnader/<int:cost_id>/ta-bort", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def insats_cost_remove(slug: str, cost_id: int):
    """Removing a cost changes the samhällsnytta of every report over its period: the
    GET says so and asks, only its POST removes."""
    insats = insats_or_404(slug)
    cost = next((cost for cost in insats_costs(insats) if cost.id == cost_id), None)
    if cost is None:
        refuse(404)
    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/insats_cost_remove.html", insats=insats, cost=cost,
                               form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        remove_insats_cost(insats, cost_id, by=current_user)
    except NotFound:
        abort(404)
    flash("Kostnaden är borttagen.", "info")
    return redirect(url_for(".insats_costs_page", slug=insats.slug), 303)


def _costs_page(insats: Insats, form: CostForm | None):
    errors = error_list(form) if form is not None else []
    page = render_template("admin/insats_costs.html", form=form, errors=errors, insats=insats,
                           costs=insats_costs(insats))
    return page, 422 if errors else 200
