"""Pages of a list for the staff pages: several lists on one page each page independently.

Each list has its own query parameter (`page`, `decisions_page`...); the links to the previous and
next page keep every other parameter of the request (filters, "as at", the other lists' pages).
"""

import datetime

from django.core.paginator import Page, Paginator

from core.effective_dating import today


def paged(request, rows, per_page: int = 25, param: str = "page") -> Page:
    """The page of `rows` asked for with `?<param>=`; a missing or malformed number gives the first
    page, one past the end the last (never an error). Counting and fetching the page are two queries,
    whatever the number of rows."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    page.param = param
    page.previous_url = _with(request, param, page.previous_page_number()) if page.has_previous() else ""
    page.next_url = _with(request, param, page.next_page_number()) if page.has_next() else ""
    return page


def _with(request, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}"


def as_at_from(request) -> tuple[datetime.date, str]:
    """The `as_at` date asked for, or today; a malformed date is reported, not a crash."""
    raw = request.GET.get("as_at", "")
    if not raw:
        return today(), ""
    try:
        return datetime.date.fromisoformat(raw), ""
    except ValueError:
        return today(), "Enter the date as year-month-day, for example 2018-04-01."
