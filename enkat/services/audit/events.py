"""Writing the audit log: one row per event, named by its `Action`.

Every action the log may hold is listed here with the Swedish name the log page shows, so
a new kind of event is added in one place. An action's value is what the database
stores: never change one, or old events lose their name.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from enkat.database import start_writing
from enkat.extensions import db
from enkat.models import AuditEvent, User, utcnow


class Action(StrEnum):
    SIGNED_IN = "sign-in"
    SIGNED_OUT = "sign-out"
    SIGN_IN_FAILED = "sign-in-failed"
    SIGN_IN_LOCKED = "sign-in-locked"
    SIGN_IN_THROTTLED = "sign-in-throttled"
    RESET_REQUESTED = "password-reset-requested"
    RESET_DONE = "password-reset"
    RESET_MAIL_FAILED = "password-reset-mail-failed"
    RESET_NOT_SENT = "password-reset-not-sent"
    DOWNLOAD = "download"
    #: A signed-in user refused an address: another insats', deltagare's, response's, ...
    ACCESS_DENIED = "access-denied"
    PARTICIPANT_VIEWED = "participant-viewed"
    PARTICIPANT_EXPORTED = "participant-exported"
    PARTICIPANT_ERASED = "participant-erased"
    LINK_CREATED = "link-created"
    LINK_MAILED = "link-mailed"
    LINK_UNKNOWN = "link-unknown"
    LINK_REVOKED = "link-revoked"
    KIOSK_STARTED = "kiosk-started"
    KIOSK_ENDED = "kiosk-ended"
    KIOSK_CODE_WRONG = "kiosk-code-wrong"
    KIOSK_LOCKED = "kiosk-locked"
    KIOSK_UNLOCKED = "kiosk-unlocked"
    RESPONSE_ENTERED = "response-entered"
    #: An answer of a submitted response corrected, and a wrongly entered response
    #: removed: the values before (and after), who, when and why (services.answering.
    #: corrections); all that is left of a removed response.
    RESPONSE_CORRECTED = "response-corrected"
    RESPONSE_REMOVED = "response-removed"
    #: What the command line takes out of enkat or brings in.
    COMMAND_EXPORT = "command-export"
    COMMAND_IMPORT = "command-import"
    COMMAND_REPORT = "command-report"
    INSTRUMENT_UPLOADED = "instrument-uploaded"
    INSTRUMENT_PUBLISHED = "instrument-published"
    INSATS_CREATED = "insats-created"
    INSATS_CHANGED = "insats-changed"
    SCHEDULE_CHANGED = "schedule-changed"
    GOALS_CHANGED = "goals-changed"
    SUPPRESSION_THRESHOLD_CHANGED = "suppression-threshold-changed"
    USER_CREATED = "user-created"
    USER_CHANGED = "user-changed"
    USER_DEACTIVATED = "user-deactivated"
    CAMPAIGN_CREATED = "campaign-created"
    CAMPAIGN_SENT = "campaign-sent"
    CAMPAIGN_REMINDED = "campaign-reminded"
    CAMPAIGN_CLOSED = "campaign-closed"
    DOCUMENT_CREATED = "document-created"
    DOCUMENT_SENT = "document-sent"
    DOCUMENT_RETURNED = "document-returned"
    DOCUMENT_APPROVED = "document-approved"
    DOCUMENT_NEW_VERSION = "document-new-version"
    DOCUMENT_COMMENTED = "document-commented"
    #: The first save of a section's words by a user in a day (autosave saves often).
    DOCUMENT_TEXT_SAVED = "document-text-saved"
    DOCUMENT_FIGURES_SAVED = "document-figures-saved"
    DOCUMENT_TEMPLATE_ADAPTED = "document-template-adapted"
    PRICE_LIST_SAVED = "price-list-saved"
    PRICE_LIST_IMPORTED = "price-list-imported"
    INSATS_COST_SET = "insats-cost-set"
    INSATS_COST_REMOVED = "insats-cost-removed"
    PURGE = "purge"


#: Every action with the Swedish name the log page shows and filters by.
LABELS = {
    Action.SIGNED_IN: "Inloggning",
    Action.SIGNED_OUT: "Utloggning",
    Action.SIGN_IN_FAILED: "Misslyckad inloggning",
    Action.SIGN_IN_LOCKED: "Inloggning under spärr",
    Action.SIGN_IN_THROTTLED: "Inloggning stoppad, för många försök",
    Action.RESET_REQUESTED: "Begärt nytt lösenord",
    Action.RESET_DONE: "Valt nytt lösenord",
    Action.RESET_MAIL_FAILED: "Mejl om nytt lösenord kunde inte skickas",
    Action.RESET_NOT_SENT: "Mejl om nytt lösenord inte skickat",
    Action.DOWNLOAD: "Nedladdning",
    Action.PARTICIPANT_VIEWED: "Visade deltagarsida",
    Action.PARTICIPANT_EXPORTED: "Exporterad deltagare",
    Action.PARTICIPANT_ERASED: "Raderad deltagare",
    Action.LINK_CREATED: "Skapad enkätlänk",
    Action.LINK_MAILED: "Mejlad enkätlänk",
    Action.LINK_UNKNOWN: "Okänd enkätlänk",
    Action.LINK_REVOKED: "Återkallad enkätlänk",
    Action.KIOSK_STARTED: "Startad kiosk",
    Action.KIOSK_ENDED: "Avslutad kiosk",
    Action.KIOSK_CODE_WRONG: "Fel deltagarkod i kiosk",
    Action.KIOSK_LOCKED: "Kiosk låst efter fel koder",
    Action.KIOSK_UNLOCKED: "Kiosk upplåst med PIN-kod",
    Action.RESPONSE_ENTERED: "Inmatat formulär",
    Action.RESPONSE_CORRECTED: "Rättat svar",
    Action.RESPONSE_REMOVED: "Borttaget svar",
    Action.ACCESS_DENIED: "Nekad åtkomst",
    Action.COMMAND_EXPORT: "Export av svar från kommandoraden",
    Action.COMMAND_IMPORT: "Import av svar från kommandoraden",
    Action.COMMAND_REPORT: "Rapport från kommandoraden",
    Action.INSTRUMENT_UPLOADED: "Uppladdat instrument",
    Action.INSTRUMENT_PUBLISHED: "Publicerat instrument",
    Action.INSATS_CREATED: "Skapad insats",
    Action.INSATS_CHANGED: "Ändrad insats",
    Action.SCHEDULE_CHANGED: "Ändrat mätschema",
    Action.GOALS_CHANGED: "Ändrade mål",
    Action.SUPPRESSION_THRESHOLD_CHANGED: "Ändrad gräns för små antal",
    Action.USER_CREATED: "Ny användare",
    Action.USER_CHANGED: "Ändrad användare",
    Action.USER_DEACTIVATED: "Inaktiverad användare",
    Action.CAMPAIGN_CREATED: "Skapat utskick",
    Action.CAMPAIGN_SENT: "Skickat utskick",
    Action.CAMPAIGN_REMINDED: "Påminnelse i utskick",
    Action.CAMPAIGN_CLOSED: "Stängt utskick",
    Action.DOCUMENT_CREATED: "Rapport skapad",
    Action.DOCUMENT_SENT: "Rapport skickad",
    Action.DOCUMENT_RETURNED: "Rapport återsänd",
    Action.DOCUMENT_APPROVED: "Rapport godkänd",
    Action.DOCUMENT_NEW_VERSION: "Ny version av rapport",
    Action.DOCUMENT_COMMENTED: "Kommentar på rapport",
    Action.DOCUMENT_TEXT_SAVED: "Text i rapport sparad",
    Action.DOCUMENT_FIGURES_SAVED: "Belopp i rapport sparade",
    Action.DOCUMENT_TEMPLATE_ADAPTED: "Anpassad rapportmall",
    Action.PRICE_LIST_SAVED: "Sparad prislista för samhällsnytta",
    Action.PRICE_LIST_IMPORTED: "Importerad prislista för samhällsnytta",
    Action.INSATS_COST_SET: "Sparad kostnad för insats",
    Action.INSATS_COST_REMOVED: "Borttagen kostnad för insats",
    Action.PURGE: "Gallring",
}
#: What happens to an account rather than in a förbund (sign-ins, sign-outs, resets,
#: addresses refused to the user); recorded without a förbund and shown to the user's förbund.
ACCOUNT_ACTIONS = (Action.SIGNED_IN, Action.SIGNED_OUT, Action.SIGN_IN_FAILED,
                   Action.SIGN_IN_LOCKED, Action.SIGN_IN_THROTTLED, Action.RESET_REQUESTED,
                   Action.RESET_DONE, Action.RESET_MAIL_FAILED, Action.RESET_NOT_SENT,
                   Action.ACCESS_DENIED)
#: What the system does by itself or to nobody's förbund (the client address of an
#: unknown link): never in a förbund's log.
SYSTEM_ACTIONS = (Action.PURGE, Action.LINK_UNKNOWN)


def record_event(action: Action, *, user: User | None = None, forbund_id: int | None = None,
                 subject: str = "", detail: dict | None = None,
                 at: dt.datetime | None = None) -> AuditEvent:
    start_writing(db.session)
    event = AuditEvent(action=action, user_id=user.id if user else None,
                       forbund_id=forbund_id, subject=subject, detail=detail,
                       occurred_at=at or utcnow())
    db.session.add(event)
    db.session.flush()
    return event
