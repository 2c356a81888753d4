"""Deltagare as pseudonymous codes: their enrolments, what each one is due for, and how
their course goes, as personal follow it."""
