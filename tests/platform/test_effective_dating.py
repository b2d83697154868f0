""" "In force on a day" is written once (IN_FORCE_BOUNDS) and rendered for the ORM, raw SQL and Python."""

import datetime

import pytest
from django.db import connection

from bodies.models import Body
from core.effective_dating import in_force_q, in_force_sql
from tests import factories

pytestmark = pytest.mark.django_db

ON = datetime.date(2019, 6, 1)
PERIODS = {
    "open both ends": (None, None),
    "started before": (datetime.date(2018, 1, 1), None),
    "starts that day": (ON, None),
    "starts the day after": (ON + datetime.timedelta(days=1), None),
    "ends that day": (None, ON),
    "ended the day before": (None, ON - datetime.timedelta(days=1)),
    "one-day period on it": (ON, ON),
}


def test_the_sql_the_orm_and_python_agree_on_what_is_in_force():
    bodies = {
        name: factories.BodyFactory(name=name, effective_from=start, effective_to=end)
        for name, (start, end) in PERIODS.items()
    }
    ids = [body.pk for body in bodies.values()]
    by_orm = set(Body.objects.filter(in_force_q(ON), pk__in=ids).values_list("name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT b.name FROM bodies_body b WHERE b.id = ANY(%(ids)s) AND {in_force_sql('b')}",
            {"ids": ids, "on": ON},
        )
        by_sql = {name for (name,) in cursor.fetchall()}
    by_python = {name for name, body in bodies.items() if body.is_in_force(ON)}

    assert by_orm == by_sql == by_python == {
        "open both ends", "started before", "starts that day", "ends that day", "one-day period on it"
    }  # fmt: skip
