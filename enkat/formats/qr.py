"""A link's QR code (by segno): inline SVG for the page, an SVG file and a PNG to print."""

from __future__ import annotations

import segno

#: Error correction M: a printed code still reads with a smudge or a fold (15 %).
QR_ERROR = "m"


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error=QR_ERROR, micro=False)


def qr_svg(url: str, *, label: str = "QR-kod med länken") -> str:
    """The QR code as inline SVG: sized by CSS (a viewBox, no width), named for screen
    readers."""
    svg = qr_code(url).svg_inline(scale=1, border=4, omitsize=True, title=label)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def qr_svg_data_uri(url: str) -> str:
    """A standalone SVG file as a data: address, to download from the page itself."""
    return qr_code(url).svg_data_uri(scale=10, border=4)


def qr_png_data_uri(url: str) -> str:
    """A PNG large enough to print (10 px a module), as a data: address."""
    return qr_code(url).png_data_uri(scale=10, border=4)
