"""Deltagare answer: through a personal link (`links`, /s/<token>) or at the kiosk on a
shared tablet (`kiosk`, /kiosk). Both are public, and both show the same steps through
`web.common.answering`."""

from .kiosk import bp as kiosk_bp
from .links import bp as links_bp

__all__ = ["kiosk_bp", "links_bp"]
