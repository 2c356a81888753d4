"""The forms of the insats page and the link page: making a link, handing it over."""

from __future__ import annotations

import re
import secrets

from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import ValidationError

from enkat.instruments import Instrument
from enkat.services.answering.invitations import MAX_EXPIRY_DAYS
from enkat.web.common.form_base import PageForm

from .entry import InstrumentAndTimepoint, anonymous_takes_no_code, code_problem

DEFAULT_EXPIRY_DAYS = 14
EXPIRY_RANGE = f"Länken kan gälla i 1 till {MAX_EXPIRY_DAYS} dagar."
#: Enough to catch a typo; whether the address exists only the mail server can tell.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class LinkForm(InstrumentAndTimepoint):
    """A link for one deltagare (or none: an anonymous survey), instrument and timepoint.
    The due list posts the same fields from hidden inputs."""

    instrument = SelectField("Enkät", validate_choice=False)
    code = StringField("Deltagarens kod", description="Lämna tomt för anonyma enkäter.")
    #: New with every form shown, so the same form posted again (a reload of the page
    #: that shows the link) is known and makes no second link (`links.create`).
    once = HiddenField(default=lambda: fresh_once())
    expires_in_days = StringField("Antal dagar länken gäller", default=str(DEFAULT_EXPIRY_DAYS),
                                  description=f"1 till {MAX_EXPIRY_DAYS} dagar.")

    def __init__(self, instruments: list[Instrument], **kwargs):
        super().__init__(instruments, **kwargs)
        self.instrument.choices = [SelectChoice("", "Välj enkät")] + [
            SelectChoice(instrument.id, instrument.title.get("sv"))
            for instrument in instruments if instrument.rated_by != "staff"]

    @property
    def days(self) -> int:
        return int(self.expires_in_days.data.strip())

    def validate_instrument(self, field):
        instrument = self.chosen
        if instrument is None:
            raise ValidationError("Välj en enkät i listan.")
        if instrument.rated_by == "staff":
            raise ValidationError(
                f"{instrument.title.get('sv')} fylls i av personal och besvaras inte via "
                "en länk. Registrera det under Registrera svar.")

    def validate_code(self, field):
        field.data = (field.data or "").strip()
        if field.data and self.chosen and self.chosen.anonymous:
            raise ValidationError(anonymous_takes_no_code(self.chosen))
        problem = code_problem(field.data) if field.data else None
        if problem:
            field.data = ""  # a personnummer is not shown back
            raise ValidationError(problem)

    def validate_expires_in_days(self, field):
        text = (field.data or "").strip()
        if not text.isdigit():
            raise ValidationError(f"Skriv hur många dagar länken ska gälla, som en siffra. "
                                  f"{EXPIRY_RANGE}")
        if not 1 <= int(text) <= MAX_EXPIRY_DAYS:
            raise ValidationError(EXPIRY_RANGE)


def fresh_once() -> str:
    """A mark for one shown link form; the due list's buttons carry one each."""
    return secrets.token_urlsafe(12)


class TokenForm(PageForm):
    """The link page hands its token back in the body of a POST, never in an address."""

    token = HiddenField()


class MailForm(TokenForm):
    address = EmailField("E-postadress", description=(
        "Adressen används bara för att skicka det här mejlet. Den sparas inte."))

    def validate_address(self, field):
        address = (field.data or "").strip()
        if not address:
            raise ValidationError("Skriv e-postadressen som länken ska skickas till.")
        if len(address) > 254 or not EMAIL_PATTERN.match(address):
            raise ValidationError("Skriv en hel e-postadress, till exempel namn@exempel.se.")
        field.data = address
