"""ODS codes: upper-case, unique whatever the case, format checked, by the database itself; successions
never go round in a circle (issue 17)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from bodies.models import Organisation, OrganisationSuccession
from bodies.successions import record_succession
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def raw_insert(name: str, ods_code: str) -> None:
    """An insert that bypasses Django entirely (as psql or another program would)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bodies_organisation (name, slug, kind, is_statutory, ods_code, other_names, contact_email, "
            "source_document, source_reference, source_url, revision) "
            "VALUES (%s, %s, 'ccg', true, %s, '{}', '', '', '', '', 1)",
            [name, name.lower().replace(" ", "-"), ods_code],
        )


def test_the_database_refuses_a_second_code_differing_only_in_case():
    raw_insert("First CCG", "15M")
    with pytest.raises(IntegrityError):
        raw_insert("Second CCG", "15M")
    with pytest.raises(IntegrityError):  # lower case is refused outright by the format check
        raw_insert("Third CCG", "15m")


def test_the_database_refuses_a_malformed_code():
    for bad in ("R T", "R-1", "AB", "ztg"):
        with pytest.raises(IntegrityError):
            raw_insert(f"Bad {bad}", bad)


def test_codes_are_stored_upper_case_whoever_saves_them():
    organisation = OrganisationFactory(ods_code=" ztg ")
    organisation.refresh_from_db()
    assert organisation.ods_code == "ZTG"
    assert Organisation.objects.filter(ods_code="ztg").get() == organisation


def test_model_validation_names_the_clash_in_words():
    OrganisationFactory(ods_code="15M")
    other = Organisation(name="Another", slug="another", kind="ccg", ods_code="15m")
    with pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert "Another organisation already has this ODS code." in str(refused.value)


def test_the_api_stores_lower_case_as_upper_and_refuses_the_second(api_admin):
    url = reverse("api:organisation-list")
    first = api_admin.post(url, {"name": "Lower CCG", "slug": "lower-ccg", "kind": "ccg", "ods_code": "15m"})
    assert first.status_code == 201, first.content
    assert first.json()["ods_code"] == "15M"
    second = api_admin.post(url, {"name": "Upper CCG", "slug": "upper-ccg", "kind": "ccg", "ods_code": "15M"})
    assert second.status_code == 400
    assert "already has this ODS code" in second.content.decode()


# -- successions --------------------------------------------------------------------------------
def test_a_circle_of_successions_is_refused():
    a, b, c = (OrganisationFactory() for _ in range(3))
    # Transfers of functions leave the predecessors standing, so only the circle can refuse them.
    keep = {"kind": "transfer", "dissolve_predecessor": False}
    record_succession(predecessor=a, successor=b, effective_on=D(2019, 4, 1), **keep)
    record_succession(predecessor=b, successor=c, effective_on=D(2020, 4, 1), **keep)
    with pytest.raises(ValidationError, match="cannot go round"):
        record_succession(predecessor=b, successor=a, effective_on=D(2021, 4, 1), **keep)
    with pytest.raises(ValidationError, match="cannot go round"):
        record_succession(predecessor=c, successor=a, effective_on=D(2021, 4, 1), **keep)
    assert OrganisationSuccession.objects.filter(successor=a).count() == 0


def test_a_successor_dissolved_before_the_succession_is_refused():
    a = OrganisationFactory()
    b = OrganisationFactory(dissolved_on=D(2018, 3, 31))
    with pytest.raises(ValidationError, match="dissolved"):
        record_succession(predecessor=a, successor=b, effective_on=D(2019, 4, 1), kind="merger")


def test_recording_the_same_succession_twice_changes_nothing():
    a, b = OrganisationFactory(), OrganisationFactory()
    first = record_succession(predecessor=a, successor=b, effective_on=D(2019, 4, 1), kind="merger")
    again = record_succession(predecessor=a, successor=b, effective_on=D(2019, 4, 1), kind="merger")
    assert first.pk == again.pk
    assert OrganisationSuccession.objects.filter(predecessor=a).count() == 1


def test_the_demo_organisations_carry_their_ods_codes_from_the_register():
    from bodies.seed import demo_ods_codes

    codes = demo_ods_codes()
    assert len(codes) >= 38
    assert Organisation.objects.get(slug="chesterfield-royal-hospital-nhs-foundation-trust").ods_code == "RFS"
    assert Organisation.objects.get(slug="nhs-erewash-ccg").ods_code == "03X"
    assert Organisation.objects.filter(ods_code__isnull=False, slug__in=codes).count() == len(codes)
