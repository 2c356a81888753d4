"""File formats over plain rows: reading and writing the answers' files (the tidy CSV,
the answers workbook, the SPSS .sav) and drawing a link's QR code.

Pure like `enkat.reports`: it takes plain rows, dataclasses and instruments, never the
ORM, never flask (an import-linter contract in pyproject.toml). Services query and
persist; the bytes of a file are made and read here. The report's own files (tables as
CSV, XLSX, SPSS, PDF, JSON) are written by `enkat.reports.exports`.
"""
