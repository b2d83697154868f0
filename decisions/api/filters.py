"""Filters for every list: by id for each foreign key, by dates, by status and outcome."""

from core.api.filters import (
    BooleanFilter,
    EffectiveDatedFilterSet,
    IntegerFilter,
    RegistryFilterSet,
    date_lookups,
)
from decisions import models


class MeetingFilterSet(RegistryFilterSet):
    body_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="body__partnership")
    minutes_approved_at_id = IntegerFilter()

    class Meta:
        model = models.Meeting
        fields = {
            "id": ["exact", "in"],
            "status": ["exact", "in"],
            **date_lookups("starts_at", "notice_given_on"),
        }


class AttendanceFilterSet(RegistryFilterSet):
    meeting_id = IntegerFilter()
    person_id = IntegerFilter()
    deputy_id = IntegerFilter()
    body_id = IntegerFilter(field_name="meeting__body")
    partnership_id = IntegerFilter(field_name="meeting__body__partnership")

    class Meta:
        model = models.Attendance
        fields = {"id": ["exact", "in"], "status": ["exact", "in"], "voting": ["exact"]}


class AgendaItemFilterSet(RegistryFilterSet):
    meeting_id = IntegerFilter()
    body_id = IntegerFilter(field_name="meeting__body")
    partnership_id = IntegerFilter(field_name="meeting__body__partnership")

    class Meta:
        model = models.AgendaItem
        fields = {"id": ["exact", "in"], "restricted": ["exact"]}


class InterestFilterSet(EffectiveDatedFilterSet):
    partnership_id = IntegerFilter()
    person_id = IntegerFilter()
    organisation_id = IntegerFilter()

    class Meta:
        model = models.Interest
        fields = {
            "id": ["exact", "in"],
            "kind": ["exact", "in"],
            "withheld": ["exact"],
            **date_lookups("declared_on", "effective_from", "effective_to"),
        }


class DeclarationFilterSet(RegistryFilterSet):
    meeting_id = IntegerFilter()
    agenda_item_id = IntegerFilter()
    person_id = IntegerFilter()
    interest_id = IntegerFilter()
    body_id = IntegerFilter(field_name="meeting__body")
    partnership_id = IntegerFilter(field_name="meeting__body__partnership")
    rescinded = BooleanFilter(field_name="rescinded_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = models.Declaration
        fields = {"id": ["exact", "in"], "management": ["exact", "in"]}


class DecisionFilterSet(RegistryFilterSet):
    body_id = IntegerFilter()
    meeting_id = IntegerFilter()
    agenda_item_id = IntegerFilter()
    matter_id = IntegerFilter()
    delegation_id = IntegerFilter()
    proposal_id = IntegerFilter()
    recommended_to_id = IntegerFilter()
    reported_at_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="body__partnership")

    class Meta:
        model = models.Decision
        fields = {
            "id": ["exact", "in"],
            "status": ["exact", "in"],
            "outcome": ["exact", "in"],
            "recorded_as": ["exact"],
            "power": ["exact", "in"],
            "urgent": ["exact"],
            "restricted": ["exact"],
            **date_lookups("decided_on", "effective_on"),
        }


class UrgentDecisionDueFilterSet(RegistryFilterSet):
    body_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="body__partnership")
    overdue = BooleanFilter()

    class Meta:
        model = models.Decision
        fields = {"id": ["exact", "in"]}


class RatificationFilterSet(RegistryFilterSet):
    decision_id = IntegerFilter()
    organisation_id = IntegerFilter()
    ratifying_board_id = IntegerFilter()
    body_id = IntegerFilter(field_name="decision__body")
    partnership_id = IntegerFilter(field_name="decision__body__partnership")

    class Meta:
        model = models.Ratification
        fields = {"id": ["exact", "in"], "outcome": ["exact", "in"], **date_lookups("decided_on")}


class ProposalFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()
    route_id = IntegerFilter()
    sponsor_organisation_id = IntegerFilter()
    sro_id = IntegerFilter()

    class Meta:
        model = models.Proposal
        fields = {
            "id": ["exact", "in"],
            "category": ["exact", "in"],
            "status": ["exact", "in"],
            "stage_reached": ["exact", "gte", "lte"],
        }
