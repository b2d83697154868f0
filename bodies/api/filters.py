"""Filters for every list: by id for each foreign key, by dates, by status and kind."""

from bodies import models
from core.api.filters import EffectiveDatedFilterSet, IntegerFilter, RegistryFilterSet, date_lookups


class PersonFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter(field_name="appointments__body__partnership", distinct=True)
    body_id = IntegerFilter(field_name="appointments__body", distinct=True)

    class Meta:
        model = models.Person
        fields = {"id": ["exact", "in"], "name": ["exact", "icontains"]}


class PartnershipFilterSet(RegistryFilterSet):
    lead_id = IntegerFilter()

    class Meta:
        model = models.Partnership
        fields = {
            "id": ["exact", "in"],
            "slug": ["exact"],
            "footprint_number": ["exact"],
            "region": ["exact"],
        }


class PartnershipStageFilterSet(EffectiveDatedFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.PartnershipStage
        fields = {"id": ["exact", "in"], "stage": ["exact"], **date_lookups("effective_from", "effective_to")}


class OrganisationFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter(field_name="memberships__partnership", distinct=True)

    class Meta:
        model = models.Organisation
        fields = {
            "id": ["exact", "in"],
            "slug": ["exact"],
            "kind": ["exact", "in"],
            "is_statutory": ["exact"],
            "ods_code": ["exact"],
            **date_lookups("established_on", "dissolved_on"),
        }


class OrganisationSuccessionFilterSet(RegistryFilterSet):
    predecessor_id = IntegerFilter()
    successor_id = IntegerFilter()

    class Meta:
        model = models.OrganisationSuccession
        fields = {"id": ["exact", "in"], "kind": ["exact"], **date_lookups("effective_on")}


class OrganisationNameFilterSet(EffectiveDatedFilterSet):
    organisation_id = IntegerFilter()

    class Meta:
        model = models.OrganisationName
        fields = {"id": ["exact", "in"], **date_lookups("effective_from", "effective_to")}


class MembershipFilterSet(EffectiveDatedFilterSet):
    partnership_id = IntegerFilter()
    organisation_id = IntegerFilter()

    class Meta:
        model = models.Membership
        fields = {
            "id": ["exact", "in"],
            "standing": ["exact", "in"],
            "status": ["exact", "in"],
            **date_lookups("effective_from", "effective_to"),
        }


class AgreementFilterSet(EffectiveDatedFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.Agreement
        fields = {
            "id": ["exact", "in"],
            "kind": ["exact"],
            "status": ["exact", "in"],
            **date_lookups("agreed_on", "effective_from", "effective_to"),
        }


class SignatureFilterSet(RegistryFilterSet):
    agreement_id = IntegerFilter()
    organisation_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="agreement__partnership")

    class Meta:
        model = models.Signature
        fields = {"id": ["exact", "in"], **date_lookups("signed_on", "withdrawn_on")}


class BodyFilterSet(EffectiveDatedFilterSet):
    partnership_id = IntegerFilter()
    organisation_id = IntegerFilter()

    class Meta:
        model = models.Body
        fields = {
            "id": ["exact", "in"],
            "slug": ["exact"],
            "kind": ["exact", "in"],
            "status": ["exact", "in"],
            "holds_delegated_authority": ["exact"],
            "decisions_bind_partners": ["exact"],
            **date_lookups("effective_from", "effective_to"),
        }


class BodyRelationshipFilterSet(EffectiveDatedFilterSet):
    from_body_id = IntegerFilter()
    to_body_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="from_body__partnership")

    class Meta:
        model = models.BodyRelationship
        fields = {
            "id": ["exact", "in"],
            "kind": ["exact", "in"],
            **date_lookups("effective_from", "effective_to"),
        }


class TermsOfReferenceFilterSet(EffectiveDatedFilterSet):
    body_id = IntegerFilter()
    approved_by_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="body__partnership")

    class Meta:
        model = models.TermsOfReference
        fields = {
            "id": ["exact", "in"],
            "status": ["exact", "in"],
            "meeting_frequency": ["exact"],
            **date_lookups("approved_on", "effective_from", "effective_to", "next_review_due"),
        }


class TermsOfReferenceObjectiveFilterSet(RegistryFilterSet):
    terms_of_reference_id = IntegerFilter()

    class Meta:
        model = models.TermsOfReferenceObjective
        fields = {"id": ["exact", "in"]}


class TermsOfReferenceRoleFilterSet(RegistryFilterSet):
    terms_of_reference_id = IntegerFilter()
    organisation_id = IntegerFilter()

    class Meta:
        model = models.TermsOfReferenceRole
        fields = {"id": ["exact", "in"], "category": ["exact", "in"], "is_chair": ["exact"]}


class AppointmentFilterSet(EffectiveDatedFilterSet):
    body_id = IntegerFilter()
    person_id = IntegerFilter()
    representing_id = IntegerFilter()
    deputy_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="body__partnership")

    class Meta:
        model = models.Appointment
        fields = {
            "id": ["exact", "in"],
            "role": ["exact", "in"],
            "voting": ["exact"],
            **date_lookups("effective_from", "effective_to"),
        }
