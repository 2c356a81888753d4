"""The förbund's suppression threshold: the count below which its tables hide figures.

It is the one setting a förbund chooses for every report, download and results page
(`Forbund.suppression_threshold`, 5 unless changed). A threshold below 5 lets small
groups be recognised, so it takes a confirmation and a reason, and every change is in
the audit log with the old and new value and the reason.
"""

from __future__ import annotations

from enkat.extensions import db
from enkat.models import Forbund, User
from enkat.scoring.suppression import DEFAULT_K
from enkat.services import FieldProblem, refuse_if
from enkat.services.audit.events import Action, record_event
from enkat.services.audit.log import command_detail

#: The thresholds a förbund may choose. Below `SAFE_THRESHOLD` small groups may be
#: recognised, so a lower one takes a confirmation and a reason.
LOWEST_THRESHOLD, HIGHEST_THRESHOLD = 1, 50
SAFE_THRESHOLD = DEFAULT_K
MAX_REASON_LENGTH = 500


def set_suppression_threshold(forbund: Forbund, value: int | None, by: User | None,
                              reason: str = "", confirmed: bool = False) -> bool:
    """Set the threshold for every report and download from now on; whether it changed.

    Refused (`Refused`, on the fields "threshold", "reason" and "confirm") outside 1–50,
    and below 5 unless `confirmed` and with a reason. `by` None is the command line: the
    event then names the operating-system user who ran it.
    """
    reason = reason.strip()
    refuse_if(_problems(value, reason, confirmed))
    assert value is not None  # refused above
    old = forbund.suppression_threshold
    if value == old:
        return False
    forbund.suppression_threshold = value
    db.session.flush()
    record_event(Action.SUPPRESSION_THRESHOLD_CHANGED, user=by, forbund_id=forbund.id,
                 subject=forbund.slug,
                 detail={**({} if by else command_detail()),
                         "before": old, "after": value, "reason": reason})
    return True


def lower_threshold_said(value: int) -> str:
    """What a threshold below 5 means, in words, for the one who is to confirm it."""
    shown = ("Tabellerna visar då alla antal, också en enda person."
             if value <= 1 else f"Tabellerna visar då antal från {value} och uppåt.")
    mark = " Markeringen ”<2” betyder då exakt en person." if value == 2 else ""
    return (f"{shown}{mark} Grupper med färre än {SAFE_THRESHOLD} personer kan bli möjliga "
            "att känna igen, särskilt i små insatser och i uppdelningar efter kön. Det "
            "gäller resultatsidan och varje rapport och nedladdning från och med nu.")


def _problems(value: int | None, reason: str, confirmed: bool) -> list[FieldProblem]:
    allowed = f"ett heltal från {LOWEST_THRESHOLD} till {HIGHEST_THRESHOLD}"
    if value is None:
        return [FieldProblem("threshold", f"Skriv gränsen som {allowed}.")]
    if not LOWEST_THRESHOLD <= value <= HIGHEST_THRESHOLD:
        return [FieldProblem("threshold", f"Gränsen {value} går inte. Skriv {allowed}.")]
    problems = []
    if value < SAFE_THRESHOLD and not confirmed:
        problems.append(FieldProblem("confirm", (
            f"Bekräfta att gränsen ska vara {value}, lägre än {SAFE_THRESHOLD}. "
            f"{lower_threshold_said(value)}")))
    if value < SAFE_THRESHOLD and not reason:
        problems.append(FieldProblem("reason", (
            f"Skriv varför gränsen ska vara lägre än {SAFE_THRESHOLD}. Skälet sparas i "
            "loggen.")))
    if len(reason) > MAX_REASON_LENGTH:
        problems.append(FieldProblem("reason", f"Skälet får vara högst {MAX_REASON_LENGTH} "
                                               "tecken."))
    return problems
