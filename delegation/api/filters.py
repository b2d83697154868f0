import django_filters

from delegation import models
from stp_governance.api.filters import EffectiveDatedFilterSet, RegistryFilterSet, date_lookups


class MatterFilterSet(RegistryFilterSet):
    partnership_id = django_filters.NumberFilter()

    class Meta:
        model = models.Matter
        fields = {"id": ["exact", "in"], "slug": ["exact"], "category": ["exact", "in"]}


class ReservationFilterSet(EffectiveDatedFilterSet):
    partnership_id = django_filters.NumberFilter()
    matter_id = django_filters.NumberFilter()
    reserved_to_body_id = django_filters.NumberFilter()

    class Meta:
        model = models.Reservation
        fields = {
            "id": ["exact", "in"],
            "reserved_to": ["exact", "in"],
            "power": ["exact"],
            **date_lookups("effective_from", "effective_to"),
        }


class DelegationFilterSet(EffectiveDatedFilterSet):
    partnership_id = django_filters.NumberFilter()
    delegator_id = django_filters.NumberFilter()
    delegate_id = django_filters.NumberFilter()
    matter_id = django_filters.NumberFilter()

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
    partnership_id = django_filters.NumberFilter()

    class Meta:
        model = models.ApprovalRoute
        fields = {"id": ["exact", "in"], "category": ["exact"]}


class ApprovalStageFilterSet(RegistryFilterSet):
    route_id = django_filters.NumberFilter()
    acting_body_id = django_filters.NumberFilter(field_name="acting_bodies", distinct=True)

    class Meta:
        model = models.ApprovalStage
        fields = {"id": ["exact", "in"], "phase": ["exact"], "power": ["exact"]}
