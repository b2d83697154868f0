"""The registry's integrity rules, enforced by PostgreSQL itself (not only by forms)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bodies.models import (
    Appointment,
    Body,
    BodyRelationship,
    Membership,
    Organisation,
    OrganisationSuccession,
    Partnership,
    Signature,
    TermsOfReference,
)
from tests.factories import (
    AgreementFactory,
    AppointmentFactory,
    BodyFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    SignatureFactory,
    TermsOfReferenceFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def refused_by_database(create):
    """Given a write that skips model validation, then PostgreSQL refuses it."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


class TestMembership:
    def test_overlapping_membership_of_the_same_organisation_is_refused_by_the_database(self):
        first = MembershipFactory(effective_from=D(2017, 4, 1), effective_to=D(2019, 3, 31))

        refused_by_database(
            lambda: Membership.objects.create(
                partnership=first.partnership,
                organisation=first.organisation,
                standing=Membership.Standing.ASSOCIATE,
                effective_from=D(2019, 3, 31),  # the last day of the first period: overlaps
            )
        )
        assert Membership.objects.filter(organisation=first.organisation).count() == 1

    def test_an_open_ended_membership_overlaps_every_later_one(self):
        first = MembershipFactory(effective_from=None, effective_to=None)

        refused_by_database(
            lambda: Membership.objects.create(
                partnership=first.partnership,
                organisation=first.organisation,
                standing=Membership.Standing.CORE,
                effective_from=D(2030, 1, 1),
            )
        )

    def test_consecutive_memberships_and_other_partnerships_are_allowed(self):
        first = MembershipFactory(effective_from=D(2017, 4, 1), effective_to=D(2019, 3, 31))
        MembershipFactory(
            partnership=first.partnership, organisation=first.organisation, effective_from=D(2019, 4, 1)
        )
        MembershipFactory(organisation=first.organisation, effective_from=D(2017, 4, 1))

        assert Membership.objects.filter(organisation=first.organisation).count() == 3

    def test_overlap_is_a_form_error_through_model_validation(self):
        first = MembershipFactory(effective_from=D(2017, 4, 1))
        second = Membership(
            partnership=first.partnership,
            organisation=first.organisation,
            standing=Membership.Standing.CORE,
            effective_from=D(2018, 1, 1),
        )

        with pytest.raises(ValidationError, match="overlaps"):
            second.full_clean()

    def test_an_end_before_the_start_is_refused(self):
        membership = MembershipFactory.build(
            partnership=PartnershipFactory(),
            organisation=OrganisationFactory(),
            effective_from=D(2018, 1, 1),
            effective_to=D(2017, 1, 1),
        )

        with pytest.raises(ValidationError) as error:
            membership.full_clean()
        assert "effective_to" in error.value.message_dict
        refused_by_database(membership.save)


class TestAppointment:
    def test_a_second_chair_at_the_same_time_is_refused_by_the_database(self):
        chair = AppointmentFactory(role=Appointment.Role.CHAIR, effective_from=D(2017, 4, 1))

        refused_by_database(
            lambda: Appointment.objects.create(
                body=chair.body,
                person=PersonFactory(),
                role=Appointment.Role.CHAIR,
                effective_from=D(2018, 1, 1),
            )
        )
        assert chair.body.appointments.filter(role=Appointment.Role.CHAIR).count() == 1

    def test_a_new_chair_after_the_last_one_stood_down_is_allowed(self):
        chair = AppointmentFactory(
            role=Appointment.Role.CHAIR, effective_from=D(2017, 4, 1), effective_to=D(2018, 3, 31)
        )
        AppointmentFactory(body=chair.body, role=Appointment.Role.CHAIR, effective_from=D(2018, 4, 1))
        AppointmentFactory(body=chair.body, role=Appointment.Role.VICE_CHAIR, effective_from=D(2017, 4, 1))

        assert chair.body.appointments.count() == 3

    def test_a_duplicate_overlapping_appointment_is_refused_by_the_database(self):
        member = AppointmentFactory(role=Appointment.Role.MEMBER, effective_from=D(2017, 4, 1))

        refused_by_database(
            lambda: Appointment.objects.create(
                body=member.body,
                person=member.person,
                role=Appointment.Role.MEMBER,
                effective_from=D(2017, 9, 1),
            )
        )

    def test_a_person_cannot_be_their_own_deputy(self):
        person = PersonFactory()

        refused_by_database(lambda: AppointmentFactory(person=person, deputy=person))


class TestBody:
    def test_a_body_cannot_belong_nowhere(self):
        refused_by_database(
            lambda: Body.objects.create(name="Orphan", slug="orphan", kind=Body.Kind.BOARD, partnership=None)
        )

    def test_a_statutory_board_names_its_organisation(self):
        refused_by_database(lambda: BodyFactory(kind=Body.Kind.STATUTORY_BOARD, organisation=None))
        board = BodyFactory(
            kind=Body.Kind.STATUTORY_BOARD,
            partnership=None,
            organisation=OrganisationFactory(),
            slug="trust-board",
        )
        assert board.partnership is None

    def test_slugs_are_unique_within_a_partnership_and_among_statutory_boards(self):
        body = BodyFactory(slug="stp-board")
        BodyFactory(slug="stp-board")  # another partnership: fine

        refused_by_database(lambda: BodyFactory(partnership=body.partnership, slug="stp-board"))
        BodyFactory(
            partnership=None, organisation=OrganisationFactory(), kind=Body.Kind.STATUTORY_BOARD, slug="x"
        )
        refused_by_database(
            lambda: BodyFactory(
                partnership=None, organisation=OrganisationFactory(), kind=Body.Kind.STATUTORY_BOARD, slug="x"
            )
        )

    def test_a_body_cannot_report_to_itself(self):
        body = BodyFactory()

        refused_by_database(
            lambda: BodyRelationship.objects.create(from_body=body, to_body=body, kind="reports_to")
        )

    def test_the_same_relationship_cannot_be_recorded_twice_for_one_period(self):
        board, group = BodyFactory(), BodyFactory()
        BodyRelationship.objects.create(from_body=group, to_body=board, kind="reports_to")

        refused_by_database(
            lambda: BodyRelationship.objects.create(from_body=group, to_body=board, kind="reports_to")
        )
        BodyRelationship.objects.create(from_body=group, to_body=board, kind="escalates_risks_to")

    def test_a_dissolved_body_needs_its_dissolution_date(self):
        body = BodyFactory.build(partnership=PartnershipFactory(), status=Body.Status.DISSOLVED)

        with pytest.raises(ValidationError) as error:
            body.full_clean()
        assert "effective_to" in error.value.message_dict


class TestTermsOfReference:
    def test_two_approved_versions_in_force_on_the_same_day_are_refused_by_the_database(self):
        v1 = TermsOfReferenceFactory(approved=True, version=1, effective_from=D(2017, 6, 22))

        refused_by_database(
            lambda: TermsOfReferenceFactory(
                body=v1.body,
                version=2,
                approved=True,
                approved_on=D(2018, 1, 1),
                effective_from=D(2018, 1, 1),
            )
        )

    def test_drafts_may_overlap_the_version_in_force(self):
        v1 = TermsOfReferenceFactory(approved=True, version=1)
        TermsOfReferenceFactory(body=v1.body, version=2, effective_from=D(2018, 1, 1))

        assert v1.body.terms_of_reference.count() == 2

    def test_an_approved_version_records_when_it_was_approved(self):
        refused_by_database(
            lambda: TermsOfReferenceFactory(status=TermsOfReference.Status.APPROVED, approved_on=None)
        )

    def test_version_numbers_are_unique_per_body(self):
        v1 = TermsOfReferenceFactory(version=1)

        refused_by_database(lambda: TermsOfReferenceFactory(body=v1.body, version=1))

    def test_a_body_cannot_approve_its_own_terms_of_reference(self):
        body = BodyFactory()

        refused_by_database(lambda: TermsOfReferenceFactory(body=body, approved=True, approved_by=body))

    def test_duration_range_in_order(self):
        refused_by_database(
            lambda: TermsOfReferenceFactory(duration_minutes_min=180, duration_minutes_max=120)
        )

    def test_duration_is_shown_as_published(self):
        assert TermsOfReferenceFactory.build(
            duration_minutes_min=180, duration_minutes_max=180
        ).duration_display == ("3 hours")
        assert TermsOfReferenceFactory.build(
            duration_minutes_min=120, duration_minutes_max=180
        ).duration_display == ("2–3 hours")
        assert TermsOfReferenceFactory.build(
            duration_minutes_min=90, duration_minutes_max=None
        ).duration_display == ("90 minutes")


class TestOrganisationsAndAgreements:
    def test_ods_codes_are_unique_but_optional(self):
        OrganisationFactory(ods_code="ZRF")
        OrganisationFactory(ods_code=None)
        OrganisationFactory(ods_code=None)

        refused_by_database(lambda: OrganisationFactory(ods_code="ZRF"))
        # An empty code is stored as no code (issue 17: the field normalises whoever saves it).
        assert OrganisationFactory(ods_code="").ods_code is None

    def test_ods_code_is_normalised_by_validation(self):
        organisation = OrganisationFactory.build(ods_code=" zrf ")
        organisation.full_clean()

        assert organisation.ods_code == "ZRF"

    def test_an_organisation_cannot_succeed_itself(self):
        organisation = OrganisationFactory()

        refused_by_database(
            lambda: OrganisationSuccession.objects.create(
                predecessor=organisation, successor=organisation, effective_on=D(2018, 4, 1)
            )
        )

    def test_one_signature_per_organisation_and_agreement(self):
        signature = SignatureFactory()

        refused_by_database(
            lambda: Signature.objects.create(
                agreement=signature.agreement, organisation=signature.organisation
            )
        )

    def test_signatures_are_evidence_and_protect_their_agreement(self):
        signature = SignatureFactory()

        with pytest.raises(Exception, match="protected"), transaction.atomic():
            signature.agreement.delete()
        assert Signature.objects.filter(pk=signature.pk).exists()

    def test_a_negative_budget_is_refused(self):
        refused_by_database(lambda: Partnership.objects.create(name="X", slug="x", budget_gbp=-1))

    def test_organisations_are_shared_not_copied(self):
        organisation = OrganisationFactory()
        MembershipFactory(organisation=organisation)
        MembershipFactory(organisation=organisation)

        assert Organisation.objects.filter(name=organisation.name).count() == 1
        assert organisation.memberships.values("partnership").distinct().count() == 2
        assert AgreementFactory().signatures.count() == 0


class TestRemainingConstraints:
    def test_partnership_stages_do_not_overlap(self):
        partnership = PartnershipFactory()
        partnership.stages.create(stage="stp", effective_from=D(2016, 3, 1), effective_to=D(2017, 3, 31))
        partnership.stages.create(stage="shadow_acs", effective_from=D(2017, 4, 1))

        refused_by_database(lambda: partnership.stages.create(stage="acs", effective_from=D(2018, 1, 1)))

    def test_an_organisation_is_not_dissolved_before_it_was_established(self):
        refused_by_database(
            lambda: OrganisationFactory(established_on=D(2013, 4, 1), dissolved_on=D(2012, 3, 31))
        )

    def test_a_withdrawal_does_not_precede_the_signature(self):
        refused_by_database(lambda: SignatureFactory(signed_on=D(2017, 7, 1), withdrawn_on=D(2017, 6, 1)))

    def test_a_succession_is_recorded_once(self):
        a, b = OrganisationFactory(), OrganisationFactory()
        OrganisationSuccession.objects.create(predecessor=a, successor=b, effective_on=D(2019, 4, 1))

        refused_by_database(
            lambda: OrganisationSuccession.objects.create(
                predecessor=a, successor=b, effective_on=D(2020, 4, 1)
            )
        )
