"""Filters for the meeting cycle's lists: by partnership, body, meeting, agenda item, person, status and dates."""

from core.api.filters import IntegerFilter, RegistryFilterSet, date_lookups
from meetings import models


class PaperFilterSet(RegistryFilterSet):
    agenda_item_id = IntegerFilter()
    meeting_id = IntegerFilter(field_name="agenda_item__meeting")
    body_id = IntegerFilter(field_name="agenda_item__meeting__body")
    partnership_id = IntegerFilter(field_name="agenda_item__meeting__body__partnership")

    class Meta:
        model = models.Paper
        fields = {"id": ["exact", "in"], **date_lookups("created_at")}


class AgendaPackFilterSet(RegistryFilterSet):
    meeting_id = IntegerFilter()
    body_id = IntegerFilter(field_name="meeting__body")
    partnership_id = IntegerFilter(field_name="meeting__body__partnership")

    class Meta:
        model = models.AgendaPack
        fields = {
            "id": ["exact", "in"],
            "status": ["exact", "in"],
            "members_only": ["exact"],
            "superseded": ["exact"],
        }


class MinutesFilterSet(RegistryFilterSet):
    meeting_id = IntegerFilter()
    body_id = IntegerFilter(field_name="meeting__body")
    partnership_id = IntegerFilter(field_name="meeting__body__partnership")

    class Meta:
        model = models.Minutes
        fields = {"id": ["exact", "in"], "status": ["exact", "in"], **date_lookups("approved_on")}


class MinuteEntryFilterSet(RegistryFilterSet):
    minutes_id = IntegerFilter()
    agenda_item_id = IntegerFilter()
    meeting_id = IntegerFilter(field_name="minutes__meeting")
    body_id = IntegerFilter(field_name="minutes__meeting__body")
    partnership_id = IntegerFilter(field_name="minutes__meeting__body__partnership")

    class Meta:
        model = models.MinuteEntry
        fields = {"id": ["exact", "in"]}


class ActionFilterSet(RegistryFilterSet):
    body_id = IntegerFilter()
    agenda_item_id = IntegerFilter()
    owner_id = IntegerFilter()
    meeting_id = IntegerFilter(field_name="agenda_item__meeting")
    partnership_id = IntegerFilter(field_name="body__partnership")

    class Meta:
        model = models.Action
        fields = {"id": ["exact", "in"], "status": ["exact", "in"], **date_lookups("due_on", "closed_on")}


class ForwardPlanEntryFilterSet(RegistryFilterSet):
    body_id = IntegerFilter()
    presenter_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="body__partnership")

    class Meta:
        model = models.ForwardPlanEntry
        fields = {
            "id": ["exact", "in"],
            "month": ["exact", "in"],
            "year": ["exact"],
            "key_decision": ["exact"],
            "ended": ["exact"],
        }


class GiftFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()
    person_id = IntegerFilter()
    organisation_id = IntegerFilter()

    class Meta:
        model = models.Gift
        fields = {
            "id": ["exact", "in"],
            "kind": ["exact", "in"],
            "accepted": ["exact"],
            **date_lookups("offered_on", "declared_on"),
        }


class DeclarationRoundFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.DeclarationRound
        fields = {"id": ["exact", "in"], "year": ["exact"], **date_lookups("opens_on", "closes_on")}


class DeclarationReturnFilterSet(RegistryFilterSet):
    round_id = IntegerFilter()
    person_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="round__partnership")

    class Meta:
        model = models.DeclarationReturn
        fields = {"id": ["exact", "in"], "nil_return": ["exact"]}
