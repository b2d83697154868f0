"""The fast list path renders exactly what the serializer would, for every endpoint that uses it."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from core.api.fastpath import plan_for
from stp_governance.api.urls import router
from tests import factories
from tests.platform.conftest import client_for
from tests.platform.test_cross_tenant import BUILDERS, SHARED_BUILDERS

pytestmark = pytest.mark.django_db

FAST = [
    (prefix, viewset)
    for prefix, viewset, _ in router.registry
    if plan_for(viewset.serializer_class).supported
]


def test_the_hot_endpoints_use_the_fast_path():
    assert {prefix for prefix, _ in FAST} >= {"bodies", "organisations"}


@pytest.mark.parametrize(("prefix", "viewset"), FAST, ids=[p for p, _ in FAST])
def test_fast_rows_equal_serializer_rows(prefix, viewset):
    model = viewset.queryset.model
    build = {**BUILDERS, **SHARED_BUILDERS}[model]
    for _ in range(3):
        build(factories.PartnershipFactory())
    admin = factories.UserFactory(is_superuser=True)
    api = client_for(admin)
    basename = router.get_default_basename(viewset)

    fast = api.get(reverse(f"api:{basename}-list"), {"limit": 1000}).json()["results"]

    request = Request(RequestFactory().get("/"))
    request.user = admin
    serializer_class = viewset.serializer_class
    ordering = viewset.ordering
    instances = viewset.queryset.model._default_manager.order_by(*ordering)
    slow = [_jsonish(dict(serializer_class(obj, context={"request": request}).data)) for obj in instances]
    assert fast == slow
    # A record's own page renders through the same plan.
    for row in slow[:10]:
        assert api.get(reverse(f"api:{basename}-detail", args=[row["id"]])).json() == row


def _jsonish(row):
    import orjson

    from core.api.renderers import ORJSONRenderer

    return orjson.loads(ORJSONRenderer().render(row))


def test_a_page_past_the_end_still_counts_the_rows():
    api = client_for(factories.UserFactory(is_superuser=True))
    factories.BodyFactory()
    total = api.get(reverse("api:body-list"), {"limit": 1}).json()["count"]

    beyond = api.get(reverse("api:body-list"), {"limit": 5, "offset": total + 10}).json()

    assert (beyond["count"], beyond["results"]) == (total, [])


# -- computed displays, method fields and nested lists (delegations, risk registers, risks) -------------


@pytest.fixture
def two_registries(partnership_a, partnership_b):
    """Rows that exercise each fast-path feature: display rules with choice labels and offices,
    null related records, a register held by an organisation, escalations out of id order."""
    import datetime
    from decimal import Decimal

    board, committee = (
        factories.BodyFactory(partnership=partnership_a),
        factories.BodyFactory(partnership=partnership_a),
    )
    trust = factories.OrganisationFactory()
    matter = factories.MatterFactory(partnership=partnership_a)
    factories.DelegationFactory(partnership=partnership_a, matter=matter, delegate=board)  # statutory boards
    factories.DelegationFactory(
        partnership=partnership_a, matter=matter, delegator=board, delegate=board, delegate_office="chair",
        power="exercise", financial_limit_gbp=Decimal("250000.50"), conditions="=SUM(A1)",
        further_delegation_permitted=True, effective_to=datetime.date(2030, 3, 31),
    )  # fmt: skip
    factories.DelegationFactory(
        partnership=partnership_a, matter=matter, delegator=committee, delegate=board, power="sign_off"
    )
    held_by_body = factories.RiskRegisterFactory(partnership=partnership_a, body=committee)
    held_by_trust = factories.RiskRegisterFactory(partnership=partnership_a, body=None, organisation=trust)
    escalated = factories.RiskFactory(
        register=held_by_body, owner=factories.PersonFactory(), lead_organisation=trust, current_likelihood=5,
        current_consequence=5,
    )  # fmt: skip
    later = factories.RiskEscalationFactory(
        risk=escalated, to_body=board, escalated_on=datetime.date(2019, 6, 1)
    )
    factories.RiskEscalationFactory(
        risk=escalated, to_body=board, escalated_on=datetime.date(2018, 1, 1), response="accepted",
        responded_on=datetime.date(2018, 2, 1),
    )  # fmt: skip
    assert later.pk < escalated.escalations.order_by("escalated_on").last().pk + 1
    factories.RiskFactory(register=held_by_trust, owner=None, lead_organisation=None)
    factories.RiskFactory(register=held_by_body, status="closed", closed_on=datetime.date(2020, 1, 1))
    # Decisions: every related record filled on one (side lookups beyond the join budget), a
    # meeting's declarations for the whole meeting, for this item, for another item and rescinded.
    meeting = factories.MeetingFactory(body=board)
    item, other_item = (
        factories.AgendaItemFactory(meeting=meeting, position=1, reference="7.1"),
        factories.AgendaItemFactory(meeting=meeting, position=2),
    )
    chair = factories.PersonFactory(name="Zoe Chair")
    for agenda_item in (None, item, other_item):
        factories.DeclarationFactory(meeting=meeting, agenda_item=agenda_item, managed_by=chair)
    factories.DeclarationFactory(
        meeting=meeting, agenda_item=item, rescinded_on=datetime.date(2019, 1, 1), rescission_reason="wrong"
    )
    route = factories.ApprovalRouteFactory(partnership=partnership_a)
    stage = factories.ApprovalStageFactory(route=route, position=2, name="Board approves")
    factories.ApprovalStageFactory(route=route, position=1, name="Committee recommends")
    stage.acting_bodies.set([committee, board])
    factories.ApprovalRouteFactory(partnership=partnership_a, category="no_investment")  # no stages
    proposal = factories.ProposalFactory(
        partnership=partnership_a, route=route, stage_reached=1, title="Estates"
    )
    factories.ProposalFactory(partnership=partnership_a, route=route, stage_reached=2, title="Beds")
    later_meeting = factories.MeetingFactory(
        body=board, starts_at=meeting.starts_at + datetime.timedelta(days=30)
    )
    corrected = factories.DecisionFactory(body=board, meeting=later_meeting, matter=matter)
    decision = factories.DecisionFactory(
        body=board, meeting=meeting, agenda_item=item, matter=matter, proposal=proposal, approval_stage=stage,
        delegation=matter.delegations.first(), corrected_by=corrected, status="awaiting_ratification",
    )  # fmt: skip
    factories.DecisionFactory(
        body=board, meeting=None, matter=matter, urgent=True, urgency_reason="Deadline", taken_by=chair,
        reported_at=later_meeting, decided_on=datetime.date(2018, 2, 1),
    )  # fmt: skip
    factories.RatificationFactory(decision=decision, organisation=trust, ratifying_board=None)
    factories.RatificationFactory(
        decision=decision, organisation=factories.OrganisationFactory(name="Aardvark")
    )
    factories.DecisionFactory(
        body=committee, matter=matter, recorded_as="recommendation", recommended_to=board
    )
    factories.AttendanceFactory(
        meeting=meeting, person=chair, appointment=factories.AppointmentFactory(body=board, person=chair)
    )
    factories.AttendanceFactory(meeting=meeting, status="apologies", voting=False)
    # Partnership B's rows, which a viewer of A must not see on either path.
    factories.DelegationFactory(partnership=partnership_b)
    factories.RiskEscalationFactory(risk=factories.RiskFactory(register__partnership=partnership_b))


def _fast_and_serializer(api, url, params, serializer_class):
    """The same request through the fast path and through the serializer (the plan switched off)."""
    from unittest import mock

    plan = plan_for(serializer_class)
    with mock.patch.object(plan, "queryset", wraps=plan.queryset) as values:
        fast = api.get(url, params)
    with mock.patch.object(plan, "supported", False):
        slow = api.get(url, params)
    assert values.called == (params.get("brief") is None), "the fast path was (or was not) taken"
    assert fast.status_code == slow.status_code == 200, (fast.content, slow.content)
    return fast, slow


def _csv_of(json_response, names) -> bytes:
    import csv
    import io

    from core.api.viewsets import _flatten
    from core.spreadsheets import formula_safe as _csv_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    import orjson

    for row in orjson.loads(b"".join(json_response.streaming_content)):
        flat = _flatten(row)
        writer.writerow([_csv_safe(flat.get(name, flat.get(name.removesuffix("_id")))) for name in names])
    return buffer.getvalue().encode()


COMPUTED = [
    ("delegations", "delegation"),
    ("risk-registers", "riskregister"),
    ("risks", "risk"),
    ("decisions", "decision"),
    ("ratifications", "ratification"),
    ("declarations", "declaration"),
    ("attendances", "attendance"),
    ("approval-routes", "approvalroute"),
    ("approval-stages", "approvalstage"),
    ("proposals", "proposal"),
]
REQUESTS = [
    {},
    {"limit": 2, "offset": 1},
    {"cursor": ""},
    {"brief": "1"},
    {"search": "e"},
    {"format": "csv", "_export": True},
    {"format": "json", "_export": True},
]


@pytest.mark.parametrize(("prefix", "basename"), COMPUTED, ids=[p for p, _ in COMPUTED])
@pytest.mark.parametrize(
    "params", REQUESTS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "plain"
)
@pytest.mark.parametrize("who", ["viewer", "superuser"])
@pytest.mark.parametrize("ids_first", [False, True], ids=["one-query", "ids-first"])
def test_computed_fields_render_byte_for_byte_as_the_serializer(
    two_registries, partnership_a, prefix, basename, params, who, ids_first, monkeypatch
):
    if ids_first:  # as on a table above JOINED_WINDOW_ROWS: the page's ids first, then their rows
        monkeypatch.setattr("core.api.pagination.JOINED_WINDOW_ROWS", -(2**62))
    from tests.platform.conftest import user_with_role

    viewset = next(v for p, v, _ in router.registry if p == prefix)
    assert plan_for(viewset.serializer_class).supported
    user = (
        user_with_role(partnership_a, "viewer")
        if who == "viewer"
        else factories.UserFactory(is_superuser=True)
    )
    params = dict(params)
    action = "export" if params.pop("_export", False) else "list"
    if action == "export" and params.get("format") == "csv":
        params.pop("format")
        url = reverse(f"api:{basename}-export") + "?format=csv"
    else:
        url = reverse(f"api:{basename}-{action}")
    from unittest import mock

    from core.api.pagination import RegistryPagination

    with mock.patch.object(
        RegistryPagination, "_slice", autospec=True, side_effect=RegistryPagination._slice
    ) as sliced:
        fast, slow = _fast_and_serializer(client_for(user), url, params, viewset.serializer_class)
    paged_by_ids = any(
        call.args[2] is not None for call in sliced.call_args_list
    )  # (self, queryset, base, …)
    assert paged_by_ids == (
        ids_first and action == "list" and "brief" not in params and "cursor" not in params
    )

    body = b"".join(fast.streaming_content) if fast.streaming else fast.content
    expected = b"".join(slow.streaming_content) if slow.streaming else slow.content
    if url.endswith("format=csv"):
        # The serializer's CSV names its columns from the first row, so where a related record is
        # empty there (`delegator` rather than `delegator_id`) later rows lose that cell: compare
        # with the serializer's JSON export, written as CSV under the fast path's stable columns.
        expected = _csv_of(
            _fast_and_serializer(
                client_for(user), reverse(f"api:{basename}-export"), {}, viewset.serializer_class
            )[1],
            plan_for(viewset.serializer_class).flat_columns()[0],
        )
    assert body == expected
    if action == "list" and "brief" not in params:
        rows = fast.json()["results"]
        assert rows, "the comparison must cover rows"
        seen = {row["partnership"]["id"] for row in rows if "partnership" in row}
        if who == "viewer" and seen:
            assert seen == {partnership_a.pk}


def test_the_computed_values_are_the_ones_expected(two_registries, partnership_a):
    from tests.platform.conftest import user_with_role

    api = client_for(user_with_role(partnership_a, "viewer"))
    delegations = api.get(reverse("api:delegation-list"), {"limit": 100}).json()["results"]
    assert len(delegations) == 3
    displays = {row["display"] for row in delegations}
    board, matter = delegations[0]["delegate"]["display"], delegations[0]["matter"]["display"]
    assert displays == {
        f"{board}: approve — {matter}",
        f"Chair of {board}: exercise (as the matter describes) — {matter}",
        f"{board}: sign off — {matter}",
    }
    assert any(row["delegator"] is None for row in delegations)
    assert any(row["financial_limit_gbp"] == "250000.50" for row in delegations)

    risks = api.get(reverse("api:risk-list"), {"limit": 100}).json()["results"]
    assert len(risks) == 3
    escalated = next(row for row in risks if row["escalations"])
    assert [e["escalated_on"] for e in escalated["escalations"]] == ["2018-01-01", "2019-06-01"]
    assert escalated["above_appetite"] is True
    assert escalated["register"]["display"].endswith(" risk register")
    held_by_trust = next(row for row in risks if row["lead_organisation"] is None and row["owner"] is None)
    assert (
        held_by_trust["register"]["display"] == f"{escalated['lead_organisation']['display']} risk register"
    )
    closed = [row for row in risks if row["status"] == "closed"]
    assert closed and all(row["above_appetite"] is False for row in closed)


def test_a_nested_list_is_one_query_per_page_whatever_the_rows(two_registries, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client_for(factories.UserFactory(is_superuser=True))
    with CaptureQueriesContext(connection) as few:
        before = len(api.get(reverse("api:risk-list"), {"limit": 100}).json()["results"])
    for _ in range(5):
        factories.RiskEscalationFactory(risk=factories.RiskFactory())
    with django_assert_max_num_queries(len(few)):
        assert len(api.get(reverse("api:risk-list"), {"limit": 100}).json()["results"]) == before + 5


def test_a_record_as_at_a_day_still_reads_through_the_serializer(two_registries):
    import datetime

    api = client_for(factories.UserFactory(is_superuser=True))
    row = api.get(reverse("api:delegation-list"), {"limit": 1}).json()["results"][0]
    then = api.get(row["url"], {"as_at": datetime.date.today().isoformat()})
    assert then.status_code == 200
    assert {k: then.json()[k] for k in ("display", "delegate", "matter")} == {
        k: row[k] for k in ("display", "delegate", "matter")
    }


def test_every_list_query_joins_at_most_the_budget_and_looks_up_the_rest():
    from core.api.fastpath import JOIN_BUDGET

    plans = {prefix: plan_for(viewset.serializer_class) for prefix, viewset, _ in router.registry}
    assert all(plan.supported for plan in plans.values()), [
        p for p, plan in plans.items() if not plan.supported
    ]
    assert {
        prefix: sorted(plan.joined) for prefix, plan in plans.items() if len(plan.joined) > JOIN_BUDGET
    } == {}
    # A decision names eleven related records: four joined, the others read by id, one query per model.
    decisions = plans["decisions"]
    assert len(decisions.joined) == JOIN_BUDGET
    assert {model._meta.model_name for model in decisions.side} >= {"person", "delegation", "decision"}


@pytest.mark.parametrize(("prefix", "basename"), COMPUTED, ids=[p for p, _ in COMPUTED])
@pytest.mark.parametrize("who", ["viewer", "superuser"])
def test_a_record_reads_the_same_through_the_fast_path(two_registries, partnership_a, prefix, basename, who):
    """GET /{resource}/{id}/ renders the one row with the list's plan: byte for byte the
    serializer's answer, with the same ETag; another partnership's record is still a 404."""
    from unittest import mock

    from tests.platform.conftest import user_with_role

    viewset = next(v for p, v, _ in router.registry if p == prefix)
    plan = plan_for(viewset.serializer_class)
    user = (
        user_with_role(partnership_a, "viewer")
        if who == "viewer"
        else factories.UserFactory(is_superuser=True)
    )
    api = client_for(user)
    ids = [row["id"] for row in api.get(reverse(f"api:{basename}-list"), {"limit": 1000}).json()["results"]]
    assert ids
    for pk in ids:
        url = reverse(f"api:{basename}-detail", args=[pk])
        with mock.patch.object(plan, "queryset", wraps=plan.queryset) as values:
            fast = api.get(url)
        assert values.called, "the fast path was taken"
        with mock.patch.object(plan, "supported", False):
            slow = api.get(url)
        assert fast.status_code == slow.status_code == 200
        assert fast.content == slow.content
        assert fast["ETag"] == slow["ETag"]
    if who == "viewer":
        others = viewset.queryset.model._default_manager.exclude(pk__in=ids).values_list("pk", flat=True)
        for pk in others[:3]:
            assert api.get(reverse(f"api:{basename}-detail", args=[pk])).status_code == 404


def test_a_resource_that_cannot_take_the_fast_path_is_a_start_up_warning_naming_the_field():
    from django.core.checks import run_checks
    from rest_framework import serializers

    from bodies.models import Person
    from core.checks import plan_warning

    class Unmarked(serializers.ModelSerializer):
        shouting = serializers.SerializerMethodField()

        class Meta:
            model = Person
            fields = ["id", "shouting"]

        def get_shouting(self, obj):
            return obj.name.upper()

    warning = plan_warning("people-shouting", Unmarked)

    assert warning.id == "api.W001"
    assert "`shouting`" in warning.msg and "`get_shouting` is not marked `@values_from(...)`" in warning.msg
    assert [w for w in run_checks(tags=["api"]) if w.id == "api.W001"] == []  # every resource plans


def test_a_page_of_ids_is_one_parameter_whatever_their_number(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bodies.api.serializers import PersonSerializer
    from core.api.fastpath import plan_for

    people = [factories.PersonFactory(name=name) for name in ("Ann", "Bob", "Cy")]
    plan = plan_for(PersonSerializer)
    with CaptureQueriesContext(connection) as queries:
        rows = plan.rows_by_ids([people[2].pk, people[0].pk])
    assert sorted(row["id"] for row in rows) == sorted([people[2].pk, people[0].pk])
    assert "= ANY(" in queries[0]["sql"]
    assert plan.rows_by_ids([]) == []


def test_a_per_page_query_is_compiled_once_then_sent_again_with_other_ids(django_assert_num_queries):
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    from bodies.models import Person
    from core.api.fastpath import Replayed, any_of

    people = [factories.PersonFactory(name=name) for name in ("Ann", "Bob", "Cy")]
    ids = [people[2].pk, people[0].pk]

    def build(ids):
        return Person.objects.filter(any_of("pk", ids)).order_by("name").values("id", "name")

    replayed = Replayed(replayable=True)
    compiling = mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql)
    with compiling as compiled, django_assert_num_queries(3):
        none = replayed.rows(build, [], ["id", "name"])  # no rows: the columns' names say the keys
        first = replayed.rows(build, ids, ["id", "name"])
        again = replayed.rows(build, [people[1].pk], ["id", "name"])
    assert compiled.call_count == 1
    assert first == list(Person.objects.filter(pk__in=ids).order_by("name").values("id", "name"))
    assert again == [{"id": people[1].pk, "name": "Bob"}]
    assert none == []


def test_a_query_over_a_field_read_through_a_converter_is_never_replayed():
    import datetime

    from core.api.fastpath import Replayed, _converted, any_of
    from core.models import CheckRun

    run = CheckRun.objects.create(
        partnership=factories.PartnershipFactory(),
        on=datetime.date(2018, 1, 1),
        scheme_defects=[{"code": "x"}],
    )
    replayed = Replayed(not _converted(CheckRun, ["id", "scheme_defects"], {}))

    def build(ids):
        return CheckRun.objects.filter(any_of("pk", ids)).values("id", "scheme_defects")

    assert not replayed.replayable  # JSON is decoded by the field, as Django would
    for _ in range(2):
        assert replayed.rows(build, [run.pk], ["id", "scheme_defects"]) == [
            {"id": run.pk, "scheme_defects": [{"code": "x"}]}
        ]
    assert replayed.sql is None
