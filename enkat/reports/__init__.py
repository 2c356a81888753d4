"""Reports: tables as data (model), charts and exports. Takes plain data, never the ORM."""

#: The formats a report is written in (`rendering.render`); here, so that naming them
#: (the command line's choices) does not load matplotlib.
FORMATS = ("json", "xlsx", "html", "pdf", "docx")
#: The formats a laid-out document is written in (`rendering.render_document`).
DOCUMENT_FORMATS = ("html", "pdf", "docx")
#: The formats read by programs rather than people: written even of a report that says
#: nothing of its period (`build.has_findings`), so that a script asking for every
#: quarter gets the same kind of answer for each.
PROGRAM_FORMATS = ("json",)
