"""Filters for the risk lists: by id for each foreign key, by band, category, owner, status and dates,
and the secretariat's lists (overdue for review, above appetite, awaiting a response)."""

from core.api.filters import BooleanFilter, IntegerFilter, RegistryFilterSet, date_lookups
from risks import models
from risks.queries import either


def _band_and_choices(*names: str) -> dict[str, list[str]]:
    return {name: ["exact", "in"] for name in names}


class ScoringMatrixFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()

    class Meta:
        model = models.ScoringMatrix
        fields = {"id": ["exact", "in"]}


class RiskRegisterFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()
    body_id = IntegerFilter()
    organisation_id = IntegerFilter()

    class Meta:
        model = models.RiskRegister
        fields = {"id": ["exact", "in"]}


class RiskFilterSet(RegistryFilterSet):
    partnership_id = IntegerFilter()
    register_id = IntegerFilter()
    body_id = IntegerFilter(field_name="register__body")
    organisation_id = IntegerFilter(field_name="register__organisation")
    owner_id = IntegerFilter()
    lead_organisation_id = IntegerFilter()
    # Scores are computed columns: their filters are declared, not derived.
    current_score = IntegerFilter()
    current_score__gte = IntegerFilter(field_name="current_score", lookup_expr="gte")
    current_score__lte = IntegerFilter(field_name="current_score", lookup_expr="lte")
    target_score = IntegerFilter()
    inherent_score = IntegerFilter()
    overdue = BooleanFilter(method="filter_overdue", label="Open and past its next review date")
    above_appetite = BooleanFilter(method="filter_above_appetite", label="Current score above its appetite")
    awaiting_response = BooleanFilter(
        method="filter_awaiting_response", label="Escalated and awaiting the receiving body's response"
    )

    class Meta:
        model = models.Risk
        fields = {
            "id": ["exact", "in"],
            "reference": ["exact"],
            **_band_and_choices(
                "category", "status", "appetite", "inherent_band", "current_band", "target_band"
            ),
            **date_lookups("identified_on", "closed_on", "last_reviewed_on", "next_review_due"),
        }

    def filter_overdue(self, queryset, name, value):
        return either(queryset, queryset.model.objects.overdue(), value)

    def filter_above_appetite(self, queryset, name, value):
        return either(queryset, queryset.model.objects.above_appetite(), value)

    def filter_awaiting_response(self, queryset, name, value):
        return either(queryset, queryset.model.objects.awaiting_response(), value)


class RiskActionFilterSet(RegistryFilterSet):
    risk_id = IntegerFilter()
    owner_id = IntegerFilter()
    register_id = IntegerFilter(field_name="risk__register")
    partnership_id = IntegerFilter(field_name="risk__partnership")

    class Meta:
        model = models.RiskAction
        fields = {"id": ["exact", "in"], "status": ["exact", "in"], **date_lookups("due_on", "completed_on")}


class RiskReviewFilterSet(RegistryFilterSet):
    risk_id = IntegerFilter()
    reviewer_id = IntegerFilter()
    register_id = IntegerFilter(field_name="risk__register")
    body_id = IntegerFilter(field_name="risk__register__body")
    partnership_id = IntegerFilter(field_name="risk__partnership")

    class Meta:
        model = models.RiskReview
        fields = {
            "id": ["exact", "in"],
            **_band_and_choices("current_band", "target_band"),
            **date_lookups("reviewed_on"),
        }


class RiskEscalationFilterSet(RegistryFilterSet):
    risk_id = IntegerFilter()
    from_register_id = IntegerFilter()
    to_body_id = IntegerFilter()
    partnership_id = IntegerFilter(field_name="risk__partnership")

    class Meta:
        model = models.RiskEscalation
        fields = {
            "id": ["exact", "in"],
            "response": ["exact", "in"],
            **date_lookups("escalated_on", "responded_on", "de_escalated_on"),
        }
