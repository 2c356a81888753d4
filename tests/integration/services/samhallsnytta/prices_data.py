"""A whole price list of the bundled registration forms' sources, as entries and as CSV."""

from __future__ import annotations

from enkat.services.samhallsnytta import PriceEntry

#: source -> (kronor, payer), None for "ej prissatt": the demo's example figures.
PRICES = {
    "a-kassa": ("14000", "a-kassan"),
    "aktivitetsersattning": ("12000", "forsakringskassan"),
    "aktivitetsstod": ("9000", "arbetsformedlingen"),
    "forsorjningsstod": ("10000", "kommunen"),
    "ingen-offentlig-forsorjning": ("0", "ingen"),
    "sjukersattning": ("13000", "forsakringskassan"),
    "sjukpenning-rehabpenning": ("18000", "forsakringskassan"),
    "studiestod": ("11000", "csn"),
    "lon": ("0", "ingen"),
    "annan": None,
}


def entries(**changed) -> list[PriceEntry]:
    """The whole list, with `changed` sources (underscores for dashes) replaced."""
    prices = {**PRICES, **{key.replace("_", "-"): value for key, value in changed.items()}}
    return [PriceEntry(source, not_priced=True) if price is None
            else PriceEntry(source, *price) for source, price in prices.items()]


def csv_text(rows: dict | None = None) -> str:
    lines = ["source,kronor,payer"]
    for source, price in (PRICES if rows is None else rows).items():
        lines.append(f"{source},," if price is None else f"{source},{price[0]},{price[1]}")
    return "\n".join(lines) + "\n"


def price_form(**changed) -> dict[str, str]:
    """The whole list as the price list page posts it, with `changed` sources
    (underscores for dashes) as (kronor, payer), or None for "Ej prissatt"."""
    prices = {**PRICES, **{key.replace("_", "-"): value for key, value in changed.items()}}
    form = {}
    for row, (source, price) in enumerate(prices.items()):
        form[f"rows-{row}-source"] = source
        if price is None:
            form[f"rows-{row}-not_priced"] = "y"
        else:
            form[f"rows-{row}-kronor"], form[f"rows-{row}-payer"] = price
    return form
