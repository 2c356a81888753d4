"""What a list shows, read from its address: a search, filters, a sort and a page.

Every long list of the workspace keeps its whole state in the URL, so a link to a
filtered list works, the back button works, and nothing needs JavaScript. The names are
Swedish, as a user sees them in the address bar: `sok`, `sortera`, `ordning`
(`stigande` or `fallande`), `sida`, and each filter by its own name. A sort or a filter
value the list does not know is left out, as if it had not been asked for: an old or
hand-edited address still shows the list, never an error.

The templates' side is `templates/_listing.html` (sort headers, the pager, the search
and filter form).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from flask import request, url_for

ASCENDING, DESCENDING = "stigande", "fallande"
SEARCH, SORT, ORDER, PAGE = "sok", "sortera", "ordning", "sida"
#: The longest search a list reads; a code is far shorter.
MAX_SEARCH = 64


@dataclass(frozen=True)
class ListState:
    search: str
    sort: str
    descending: bool
    page: int
    filters: Mapping[str, str]
    #: what the address says, as it would be written again (only what differs from the
    #: list's defaults), and where the list lives
    args: Mapping[str, str] = field(repr=False)
    endpoint: str = field(repr=False)
    view_args: Mapping[str, object] = field(repr=False)
    #: each sort key and whether it sorts descending by default; the first is the default
    sorts: Mapping[str, bool] = field(repr=False, default_factory=dict)

    @property
    def narrowed(self) -> bool:
        """Whether a search or a filter leaves rows out."""
        return bool(self.search or any(self.filters.values()))

    def url(self, **changes: str | int | None) -> str:
        """The address of this list with `changes` (None removes an argument). Any change
        but of the page goes back to the first page: the rows are others now."""
        args = {**self.args}
        if set(changes) - {PAGE}:
            args.pop(PAGE, None)
        for name, value in changes.items():
            if value is None or value == "" or (name == PAGE and value == 1):
                args.pop(name, None)
            else:
                args[name] = str(value)
        return url_for(self.endpoint, **self.view_args, **args)

    def sort_url(self, key: str) -> str:
        """Sorting by `key`: its own default order first, the other order when it is
        already the sort."""
        descending = not self.descending if key == self.sort else self.sorts[key]
        return self.url(**_sort_args(self.sorts, key, descending, keep_none=True))

    def without_narrowing(self) -> str:
        return self.url(**{SEARCH: None}, **{name: None for name in self.filters})


def list_state(sorts: Mapping[str, bool], *,
               filters: Mapping[str, Collection[str] | None] | None = None) -> ListState:
    """The state of the list this request asks for.

    `sorts` maps each sort key to whether it sorts descending by default (a date: newest
    first); the first is the list's sort when none is asked. `filters` maps each filter
    to the values it takes, or None for any text.
    """
    asked = request.args
    default_sort = next(iter(sorts))
    sort = asked.get(SORT, default_sort)
    if sort not in sorts:
        sort = default_sort
    order = asked.get(ORDER)
    descending = sorts[sort] if order not in (ASCENDING, DESCENDING) else order == DESCENDING
    chosen = {name: _filter_value(asked.get(name, ""), allowed)
              for name, allowed in (filters or {}).items()}
    search = asked.get(SEARCH, "").strip()[:MAX_SEARCH]
    page = max(asked.get(PAGE, 1, type=int) or 1, 1)
    args = {
        **({SEARCH: search} if search else {}),
        **{name: value for name, value in chosen.items() if value},
        **_sort_args(sorts, sort, descending),
        **({PAGE: str(page)} if page > 1 else {}),
    }
    return ListState(search=search, sort=sort, descending=descending, page=page,
                     filters=chosen, args=args, endpoint=request.endpoint or "",
                     view_args=request.view_args or {}, sorts=sorts)


def _sort_args(sorts: Mapping[str, bool], sort: str, descending: bool, *,
               keep_none: bool = False) -> dict[str, str | None]:
    """The address's words for a sort: only what differs from the list's defaults
    (with `keep_none`, None for the others, which `ListState.url` removes)."""
    words = {SORT: sort if sort != next(iter(sorts)) else None,
             ORDER: (DESCENDING if descending else ASCENDING)
             if descending != sorts[sort] else None}
    return words if keep_none else {name: word for name, word in words.items() if word}


def _filter_value(text: str, allowed: Collection[str] | None) -> str:
    text = text.strip()[:MAX_SEARCH]
    return text if allowed is None or text in allowed else ""
