"""The reports a förbund files (kvartals-, del-, slut- and helårsrapport): templates as
data, the report's figures frozen as a snapshot, and a document composed of people's
words and enkat's tables. Plain data only, like the rest of `enkat.reports`."""
