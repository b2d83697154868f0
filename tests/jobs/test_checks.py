"""Nightly checks: stored per partnership and day, read back in one query, shown on the home page;
and the broker settings the reliability rules rest on."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from bodies.models import Partnership
from composition import jobs_summary
from composition.checkruns import check_run_record
from composition.tasks import run_nightly_checks
from core.access import grant_role
from core.models import CheckRun, OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_check_run_stores_scheme_defects_and_data_quality_issues_once_a_day():
    partnership = factories.PartnershipFactory(name="Checked Partnership")
    dissolved = factories.BodyFactory(
        partnership=partnership, name="Old Board", status="dissolved", effective_to=datetime.date(2017, 1, 1)
    )
    factories.DelegationFactory(partnership=partnership, delegate=dissolved)
    factories.BodyFactory(partnership=partnership, name="Chairless Board")
    factories.MembershipFactory(partnership=partnership, organisation__name="Uncontactable NHS Trust")
    on = datetime.date(2018, 4, 1)

    first = check_run_record(partnership_id=partnership.pk, on=on)
    again = check_run_record(partnership_id=partnership.pk, on=on)

    assert first.pk == again.pk and CheckRun.objects.filter(partnership=partnership).count() == 1
    assert "delegate_not_in_force" in {d["code"] for d in again.scheme_defects}
    codes = {issue["code"] for issue in again.data_quality}
    assert {
        "body_without_terms_of_reference",
        "body_without_chair",
        "ratifying_party_without_contact",
    } <= codes
    assert any("Uncontactable NHS Trust" in issue["message"] for issue in again.data_quality)


def test_the_nightly_job_queues_one_check_per_partnership():
    count = run_nightly_checks()

    assert count == Partnership.objects.count()
    queued = OutboxMessage.objects.filter(task="composition.tasks.run_partnership_checks")
    assert sorted(m.kwargs["partnership_id"] for m in queued) == sorted(
        Partnership.objects.values_list("pk", flat=True)
    )


def test_latest_check_runs_reads_every_partnership_in_one_query(django_assert_num_queries):
    partnerships = list(Partnership.objects.all())
    for n, partnership in enumerate(partnerships):
        CheckRun.objects.create(
            partnership=partnership, on=datetime.date(2018, 1, 1), scheme_defects=[{"code": "old"}]
        )
        CheckRun.objects.create(
            partnership=partnership, on=datetime.date(2018, 1, 2), scheme_defects=[{"code": "x"}] * n
        )

    with django_assert_num_queries(1):
        latest = jobs_summary.latest_check_runs(partnerships)

    assert {pk: len(run.scheme_defects) for pk, run in latest.items()} == {
        p.pk: n for n, p in enumerate(partnerships)
    }


def test_the_home_page_shows_the_stored_result_instead_of_checking_live(client, monkeypatch):
    checked = factories.PartnershipFactory(name="Checked Last Night")
    unchecked = factories.PartnershipFactory(name="Never Checked")
    user = factories.UserFactory()
    for partnership in (checked, unchecked):
        grant_role(user=user, partnership=partnership, role="viewer")
    CheckRun.objects.create(
        partnership=checked, on=datetime.date(2018, 1, 1), scheme_defects=[{"code": "x"}] * 3
    )
    live = []
    monkeypatch.setattr("delegation.checks.scheme_defects", lambda p, on: live.append(p.pk) or [])
    client.force_login(user)

    page = client.get(reverse("home")).content.decode()

    assert live == []  # nothing checked on the page, not even the partnership never checked
    assert "3 scheme-check defects" in page
    assert page.count("Scheme not checked yet") == 1


def test_the_visibility_timeout_is_longer_than_any_countdown():
    visibility = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert visibility > django_settings.TASK_RETRY_BACKOFF_MAX
    assert visibility > django_settings.WEBHOOK_RETRY_MAX_SECONDS
    assert (
        django_settings.CELERY_TASK_PUBLISH_RETRY is False
    )  # the outbox keeps what failed; requests never wait
