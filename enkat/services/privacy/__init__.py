"""What enkat keeps and for how long (`purge`), and a deltagare's rights to see and erase
their data (`rights`); docs/privacy.md says why."""
