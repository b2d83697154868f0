"""Terms-of-reference versioning: approving a new version supersedes the old one, atomically."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from bodies import services
from bodies.models import TermsOfReference
from bodies.queries import terms_of_reference_as_at
from tests.factories import BodyFactory, TermsOfReferenceFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_approving_a_new_version_supersedes_the_one_in_force():
    v1 = TermsOfReferenceFactory(approved=True, version=1, effective_from=D(2017, 6, 22))
    approver = BodyFactory(partnership=v1.body.partnership)
    v2 = TermsOfReferenceFactory(body=v1.body, version=2, review_interval_months=12)

    services.terms_of_reference_approve(
        terms_of_reference=v2, approved_on=D(2018, 3, 1), effective_from=D(2018, 4, 1), approved_by=approver
    )

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.effective_to) == (TermsOfReference.Status.SUPERSEDED, D(2018, 3, 31))
    assert (v2.status, v2.approved_on, v2.effective_from, v2.approved_by) == (
        TermsOfReference.Status.APPROVED,
        D(2018, 3, 1),
        D(2018, 4, 1),
        approver,
    )
    assert v2.next_review_due == D(2019, 4, 1)
    assert terms_of_reference_as_at(v1.body, D(2018, 3, 31)) == v1
    assert terms_of_reference_as_at(v1.body, D(2018, 4, 1)) == v2
    assert terms_of_reference_as_at(v1.body, D(2017, 1, 1)) is None


def test_only_a_draft_can_be_approved():
    v1 = TermsOfReferenceFactory(approved=True, version=1)

    with pytest.raises(ValidationError, match="Only a draft"):
        services.terms_of_reference_approve(terms_of_reference=v1, approved_on=D(2019, 1, 1))


def test_a_new_version_cannot_take_effect_before_the_one_it_replaces():
    v1 = TermsOfReferenceFactory(
        approved=True, version=1, effective_from=D(2018, 6, 1), approved_on=D(2018, 6, 1)
    )
    v2 = TermsOfReferenceFactory(body=v1.body, version=2)

    with pytest.raises(ValidationError) as error:
        services.terms_of_reference_approve(terms_of_reference=v2, approved_on=D(2018, 1, 1))

    assert "effective_from" in error.value.message_dict
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v1.effective_to, v2.status) == (TermsOfReference.Status.APPROVED, None, "draft")


def test_a_version_cannot_take_effect_before_its_approval():
    draft = TermsOfReferenceFactory()

    with pytest.raises(ValidationError, match="before it is approved"):
        services.terms_of_reference_approve(
            terms_of_reference=draft, approved_on=D(2018, 5, 1), effective_from=D(2018, 4, 1)
        )


def test_a_new_draft_copies_the_version_it_revises():
    v1 = TermsOfReferenceFactory(approved=True, version=1, quorum_count=5, frequency_note="Monthly; 3 hours.")
    v1.objectives.create(position=1, text="To deliver a sustainable care system.")
    v1.objectives.create(position=2, heading="Engagement", text="To engage the people of Derbyshire.")
    v1.roles.create(position=1, title="STP Board Chair", category="member", is_chair=True)

    draft = services.terms_of_reference_new_version(body=v1.body, based_on=v1)

    assert (draft.version, draft.status, draft.quorum_count, draft.frequency_note) == (
        2,
        TermsOfReference.Status.DRAFT,
        5,
        "Monthly; 3 hours.",
    )
    assert list(draft.objectives.values_list("position", "heading", "text")) == [
        (1, "", "To deliver a sustainable care system."),
        (2, "Engagement", "To engage the people of Derbyshire."),
    ]
    assert list(draft.roles.values_list("title", "is_chair")) == [("STP Board Chair", True)]
    assert v1.objectives.count() == 2  # the approved version is untouched


def test_a_new_version_cannot_be_based_on_another_bodys_terms():
    other = TermsOfReferenceFactory()

    with pytest.raises(ValidationError):
        services.terms_of_reference_new_version(body=BodyFactory(), based_on=other)
