"""Utskick: survey links mailed to personal, chefer, styrelse and remittenter."""
