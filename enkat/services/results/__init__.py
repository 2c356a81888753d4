"""The data reports are built from, the reports themselves, and the answers as files."""
