"""The password policy, in one place: creating a user (the command line and the förbund's
user page) and choosing a new password by the reset link all ask `password_problem`.

A password must have at least `MIN_LENGTH` characters, must not be the e-mail address,
and must not be easy to guess. "Easy to guess" is zxcvbn's estimate (Dropbox's
estimator, maintained on PyPI): it knows the common passwords of leaked lists, words and
names, keyboard rows, repeats ("aaaaaaaaaa", "0000000000"), sequences, dates and
predictable substitutions, and the user's own e-mail and name. A password it scores
below `MIN_SCORE` (fewer than 10^8 guesses) is refused with its warning in Swedish.
"""

from __future__ import annotations

import re
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from enkat.models import User

_hasher = PasswordHasher()


MIN_LENGTH = 10
#: zxcvbn's score 3: "safely unguessable", at least 10^8 guesses.
MIN_SCORE = 3
#: zxcvbn refuses longer input (its time grows with the length); a password whose first
#: 72 characters are hard to guess is no easier as a whole.
ANALYSED_LENGTH = 72

#: zxcvbn's warnings (version 4.5), in Swedish. One it adds later is left out of the
#: message, which is still said in Swedish.
WARNINGS = {
    "Straight rows of keys are easy to guess.": "tangenter i en rad är lätta att gissa",
    "Short keyboard patterns are easy to guess.": "korta mönster på tangentbordet är lätta "
                                                  "att gissa",
    'Repeats like "aaa" are easy to guess.': "upprepade tecken som ”aaa” är lätta att gissa",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "upprepningar som ”abcabcabc” är knappt svårare att gissa än ”abc”",
    'Sequences like "abc" or "6543" are easy to guess.': "följder som ”abc” eller ”6543” är "
                                                         "lätta att gissa",
    "Recent years are easy to guess.": "årtal från senare år är lätta att gissa",
    "Dates are often easy to guess.": "datum är ofta lätta att gissa",
    "This is a top-10 common password.": "det är ett av de tio vanligaste lösenorden",
    "This is a top-100 common password.": "det är ett av de hundra vanligaste lösenorden",
    "This is a very common password.": "det är ett mycket vanligt lösenord",
    "This is similar to a commonly used password.": "det liknar ett vanligt lösenord",
    "A word by itself is easy to guess.": "ett ensamt ord är lätt att gissa",
    "Names and surnames by themselves are easy to guess.": "namn är lätta att gissa",
    "Common names and surnames are easy to guess.": "vanliga namn är lätta att gissa",
}

#: zxcvbn keeps the user's words in a module-level dictionary while it estimates.
_estimating = threading.Lock()


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """What is wrong with this password for the user with this e-mail and name, in
    Swedish, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Lösenordet ska ha minst {MIN_LENGTH} tecken."
    if email and password.strip().lower() == email.strip().lower():
        return "Lösenordet får inte vara e-postadressen."
    own_words = [email, name, "enkat", *re.split(r"[\W_]+", f"{email} {name}")]
    with _estimating:
        estimate = zxcvbn(password[:ANALYSED_LENGTH],
                          user_inputs=[word for word in own_words if word])
    if estimate["score"] >= MIN_SCORE:
        return None
    why = WARNINGS.get(estimate["feedback"]["warning"])
    return ("Lösenordet är för lätt att gissa" + (f": {why}" if why else "") + ". Välj ett "
            "längre, till exempel några ord som inte hör ihop.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    return hash_matches(user.password_hash, password)


def hash_matches(stored_hash: str, secret: str) -> bool:
    """Whether `secret` is the one `hash_password` turned into `stored_hash`."""
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
