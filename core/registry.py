"""Stores that the domain apps fill from their `AppConfig.ready()`, so the core serves them without
importing any domain app (NetBox's registry, STYLE.md "Layers").

- `daily_reminders`: functions `find(on: date) -> Iterable[Reminder]`, one per register; the daily
  reminder round (`core.tasks.send_daily_reminders`) gathers them all so each person gets one email.
"""

from collections.abc import Callable, Iterable

daily_reminders: list[Callable] = []


def register_daily_reminders(*finders: Callable[..., Iterable]) -> None:
    """Add a register's reminder finders once (ready() may run more than once in tests)."""
    for find in finders:
        if find not in daily_reminders:
            daily_reminders.append(find)


# `account_linkers`: functions `link(user)` run when an account is made from an invitation or a
# first single sign-on, linking it to the registry's record of the person (bodies: by email).
account_linkers: list[Callable] = []


def register_account_linker(link: Callable) -> None:
    if link not in account_linkers:
        account_linkers.append(link)
