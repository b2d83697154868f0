from core.api.filters import EffectiveDatedFilterSet, IntegerFilter, RegistryFilterSet, date_lookups
from delegation import models


class MatterFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.Matter
        fields = {"id": ["exact", "in"], "slug": ["exact"], "category": ["exact", "in"]}


class ReservationFilterSet(EffectiveDatedFilterSet):
    partnership_id = IntegerFilter()
    matter_id = IntegerFilter()
    reserved_to_body_id = IntegerFilter()

    class Meta:
        model = models.Reservation
        fields = {
            "id": ["exact", "in"],
            "reserved_to": ["exact", "in"],
            "power": ["exact"],
            **date_lookups("effective_from", "effective_to"),
        }


class DelegationFilterSet(EffectiveDatedFilterSet):
    partnership_id = IntegerFilter()
    delegator_id = IntegerFilter()
    delegate_id = IntegerFilter()
    matter_id = IntegerFilter()

    class Meta:
        model = models.Delegation
        fields = {
            "id": ["exact", "in"],
            "power": ["exact", "in"],
            "delegate_office": ["exact"],
            "further_delegation_permitted": ["exact"],
            "financial_limit_gbp": ["isnull", "gte", "lte"],
            **date_lookups("effective_from", "effective_to"),
        }


class ApprovalRouteFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.ApprovalRoute
        fields = {"id": ["exact", "in"], "category": ["exact"]}


class ApprovalStageFilterSet(RegistryFilterSet):
    route_id = IntegerFilter()
    acting_body_id = IntegerFilter(field_name="acting_bodies", distinct=True)

    class Meta:
        model = models.ApprovalStage
        fields = {"id": ["exact", "in"], "phase": ["exact"], "power": ["exact"]}


class UrgentDecisionRuleFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.UrgentDecisionRule
        fields = {"id": ["exact", "in"]}


class SchemeNoteFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.SchemeNote
        fields = {"id": ["exact", "in"]}
