"""API representations of meetings, decisions, ratifications, proposals and interests.

Decisions, ratifications and declarations are evidence: what they record is set by their
workflows (record, ratify, rescind, advance), so their serializers leave little writable.
"""

from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bodies.models import Body, Organisation, Partnership, Person, TermsOfReference
from core.api.fastpath import values_from
from core.api.serializers import (
    PERIOD_FIELDS,
    READ_ONLY,
    SOURCE_FIELDS,
    BriefRelatedField,
    RegistrySerializer,
    related,
)
from decisions import models
from delegation.models import ApprovalStage, Matter, Power


def brief(view_name: str, *, allow_null: bool = False) -> BriefRelatedField:
    """A related record the client reads but does not set (`allow_null` where it may be empty)."""
    return BriefRelatedField(view_name=view_name, read_only=True, allow_null=allow_null)


class MeetingSerializer(RegistrySerializer):
    detail_view_name = "api:meeting-detail"
    brief_fields = ("id", "url", "display", "starts_at", "status")
    body = related("api:body-detail", Body)
    minutes_approved_at = related("api:meeting-detail", models.Meeting, required=False, allow_null=True)
    create_only_fields = ("body",)

    class Meta:
        model = models.Meeting
        fields = (
            *READ_ONLY, "body", "title", "starts_at", "ends_at", "place", "status", "notice_given_on",
            "minutes_approved_at", *SOURCE_FIELDS,
        )  # fmt: skip
        select_related = ("minutes_approved_at__body",)


class MeetingCyclePlanSerializer(serializers.Serializer):
    body = related("api:body-detail", Body)
    first_starts_at = serializers.DateTimeField()
    until = serializers.DateField()
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    frequency = serializers.ChoiceField(choices=TermsOfReference.Frequency.choices, required=False)


class AttendanceSerializer(RegistrySerializer):
    detail_view_name = "api:attendance-detail"
    brief_fields = ("id", "url", "display", "status", "voting")
    meeting = related("api:meeting-detail", models.Meeting)
    person = related("api:person-detail", Person)
    deputy = related("api:person-detail", Person, required=False, allow_null=True)
    appointment = brief("api:appointment-detail", allow_null=True)
    create_only_fields = ("meeting", "person")

    class Meta:
        model = models.Attendance
        fields = (*READ_ONLY, "meeting", "person", "status", "deputy", "appointment", "voting", "note")
        extra_kwargs = {"voting": {"required": False}}
        select_related = ("meeting__body", "appointment__person", "appointment__body")


class AgendaItemSerializer(RegistrySerializer):
    detail_view_name = "api:agendaitem-detail"
    brief_fields = ("id", "url", "display", "position", "restricted")
    meeting = related("api:meeting-detail", models.Meeting)
    create_only_fields = ("meeting",)

    class Meta:
        model = models.AgendaItem
        fields = (
            *READ_ONLY, "meeting", "position", "reference", "title", "description", "restricted",
            "restriction_reason", *SOURCE_FIELDS,
        )  # fmt: skip
        select_related = ("meeting__body",)


class InterestSerializer(RegistrySerializer):
    detail_view_name = "api:interest-detail"
    brief_fields = ("id", "url", "display", "kind", "withheld")
    partnership = related("api:partnership-detail", Partnership)
    person = related("api:person-detail", Person)
    organisation = related("api:organisation-detail", Organisation, required=False, allow_null=True)
    create_only_fields = ("partnership", "person")

    class Meta:
        model = models.Interest
        fields = (
            *READ_ONLY, "partnership", "person", "kind", "description", "organisation", "organisation_name",
            "declared_on", "withheld", "withheld_reason", *PERIOD_FIELDS, *SOURCE_FIELDS,
        )  # fmt: skip


class DeclarationSerializer(RegistrySerializer):
    detail_view_name = "api:declaration-detail"
    brief_fields = ("id", "url", "display", "management")
    meeting = related("api:meeting-detail", models.Meeting)
    agenda_item = related("api:agendaitem-detail", models.AgendaItem, required=False, allow_null=True)
    person = related("api:person-detail", Person)
    interest = related("api:interest-detail", models.Interest, required=False, allow_null=True)
    managed_by = related("api:person-detail", Person, required=False, allow_null=True)
    # What was declared, and how it was managed, is evidence: set when recorded, then only rescinded.
    create_only_fields = (
        "meeting",
        "agenda_item",
        "person",
        "interest",
        "nature",
        "management",
        "managed_by",
    )

    class Meta:
        model = models.Declaration
        fields = (
            *READ_ONLY, "meeting", "agenda_item", "person", "interest", "nature", "management", "managed_by",
            "minute_reference", "rescinded_on", "rescission_reason", *SOURCE_FIELDS,
        )  # fmt: skip
        read_only_fields = ("rescinded_on", "rescission_reason")
        extra_kwargs = {"nature": {"required": False}}
        select_related = ("meeting__body", "interest__person")

    def validate(self, attrs):
        if self.instance is None and not attrs.get("nature") and attrs.get("interest") is not None:
            attrs["nature"] = attrs["interest"].description  # as registered, unless declared otherwise
        return super().validate(attrs)


class RescindSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    rescinded_on = serializers.DateField(required=False)


class DecisionRescindSerializer(RescindSerializer):
    corrected_by = related("api:decision-detail", models.Decision, required=False, allow_null=True)


class RatificationInlineSerializer(serializers.ModelSerializer):
    organisation = brief("api:organisation-detail")
    ratifying_board = brief("api:body-detail", allow_null=True)

    class Meta:
        model = models.Ratification
        fields = ("id", "organisation", "ratifying_board", "outcome", "decided_on", "minute_reference")
        read_only_fields = fields


class DeclarationInlineSerializer(serializers.ModelSerializer):
    person = brief("api:person-detail")
    managed_by = brief("api:person-detail", allow_null=True)

    class Meta:
        model = models.Declaration
        fields = ("id", "person", "nature", "management", "managed_by", "minute_reference")
        read_only_fields = fields


# What get_declarations reads of a meeting's declarations (the fast list path fetches just these).
DECLARATION_COLUMNS = (
    "id", "person_id", "person__name", "nature", "management", "managed_by_id", "managed_by__name",
    "minute_reference", "rescinded_on", "agenda_item_id",
)  # fmt: skip


class DecisionSerializer(RegistrySerializer):
    detail_view_name = "api:decision-detail"
    brief_fields = ("id", "url", "display", "decided_on", "outcome", "status")
    body = brief("api:body-detail")
    meeting = brief("api:meeting-detail", allow_null=True)
    agenda_item = brief("api:agendaitem-detail", allow_null=True)
    taken_by = brief("api:person-detail", allow_null=True)
    reported_at = brief("api:meeting-detail", allow_null=True)
    proposal = brief("api:proposal-detail", allow_null=True)
    approval_stage = brief("api:approvalstage-detail", allow_null=True)
    matter = brief("api:matter-detail", allow_null=True)
    delegation = brief("api:delegation-detail", allow_null=True)
    recommended_to = brief("api:body-detail", allow_null=True)
    corrected_by = brief("api:decision-detail", allow_null=True)
    ratifications = RatificationInlineSerializer(many=True, read_only=True)
    declarations = serializers.SerializerMethodField()

    class Meta:
        model = models.Decision
        fields = (
            *READ_ONLY, "body", "meeting", "agenda_item", "decided_on", "urgent", "urgency_reason", "consulted",
            "taken_by", "reported_at", "proposal", "approval_stage", "matter", "power", "amount_gbp", "resolution",
            "outcome", "votes_for", "votes_against", "votes_abstaining", "minute_reference", "delegation",
            "authority_explanation", "recorded_as", "recommended_to", "status", "effective_on", "ratifications",
            "declarations", "restricted", "restriction_reason", "rescinded_on", "rescission_reason", "corrected_by",
            *SOURCE_FIELDS,
        )  # fmt: skip
        # Only the minute reference, the restriction and the source are corrected in place; the rest
        # is set by recording the decision (POST), rescinding it or reporting it.
        read_only_fields = (
            "decided_on", "urgent", "urgency_reason", "consulted", "power", "amount_gbp", "resolution", "outcome",
            "votes_for", "votes_against", "votes_abstaining", "authority_explanation", "recorded_as", "status",
            "effective_on", "rescinded_on", "rescission_reason",
        )  # fmt: skip
        select_related = (
            "meeting__body", "reported_at__body", "delegation__delegate", "delegation__matter",
        )  # fmt: skip

    @extend_schema_field(DeclarationInlineSerializer(many=True))
    @values_from(
        "meeting_id",
        "agenda_item_id",
        prefetch={"meeting__declarations": DECLARATION_COLUMNS},
    )
    def get_declarations(self, obj):
        """Interests declared for this decision's item (or the whole meeting), as minuted with it."""
        if obj.meeting_id is None:
            return []
        declarations = [
            d
            for d in obj.meeting.declarations.all()
            if d.rescinded_on is None and d.agenda_item_id in (None, obj.agenda_item_id)
        ]
        if not declarations:
            return []
        return [self._declaration_serializer.to_representation(d) for d in declarations]

    @cached_property
    def _declaration_serializer(self) -> DeclarationInlineSerializer:
        # One inline serializer per list (its fields are built once), not one per decision.
        return DeclarationInlineSerializer(context=self.context)


class DecisionRecordSerializer(serializers.Serializer):
    """What a body decided; its authority is found when it is recorded (never given by the client)."""

    body = related("api:body-detail", Body)
    meeting = related("api:meeting-detail", models.Meeting, required=False, allow_null=True)
    agenda_item = related("api:agendaitem-detail", models.AgendaItem, required=False, allow_null=True)
    matter = related("api:matter-detail", Matter)
    power = serializers.ChoiceField(choices=Power.choices)
    amount_gbp = serializers.DecimalField(
        max_digits=15, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    resolution = serializers.CharField(max_length=20000)
    outcome = serializers.ChoiceField(choices=models.Decision.Outcome.choices)
    votes_for = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    votes_against = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    votes_abstaining = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    minute_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    decided_on = serializers.DateField(
        required=False, allow_null=True, help_text="Only for an urgent decision."
    )
    urgent = serializers.BooleanField(required=False, default=False)
    urgency_reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    consulted = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=200
    )
    taken_by = related("api:person-detail", Person, required=False, allow_null=True)
    recorded_as = serializers.ChoiceField(
        choices=models.Decision.RecordedAs.choices,
        required=False,
        default=models.Decision.RecordedAs.DECISION,
    )
    restricted = serializers.BooleanField(required=False, default=False)
    restriction_reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    source_document = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source_reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")


class UrgentDecisionDueSerializer(serializers.Serializer):
    decision = serializers.SerializerMethodField()
    body = serializers.CharField(source="body.name")
    decided_on = serializers.DateField()
    due_at = serializers.IntegerField(source="due_at_id", allow_null=True)
    due_on = serializers.DateTimeField(source="due_at_starts_at", allow_null=True)
    overdue = serializers.BooleanField()

    def get_decision(self, obj) -> dict:
        return {"id": obj.pk, "display": str(obj)}


class UrgentReportSerializer(serializers.Serializer):
    meeting = related("api:meeting-detail", models.Meeting)


class RatificationSerializer(RegistrySerializer):
    detail_view_name = "api:ratification-detail"
    brief_fields = ("id", "url", "display", "outcome", "decided_on")
    decision = brief("api:decision-detail")
    organisation = brief("api:organisation-detail")
    ratifying_board = brief("api:body-detail", allow_null=True)

    class Meta:
        model = models.Ratification
        fields = (
            *READ_ONLY, "decision", "organisation", "ratifying_board", "outcome", "decided_on", "minute_reference",
            "correction_reason", *SOURCE_FIELDS,
        )  # fmt: skip
        # The answer is recorded with POST /ratifications/{id}/record/, which keeps the decision's status.
        read_only_fields = ("outcome", "decided_on", "minute_reference", "correction_reason")


class RatificationRecordSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=models.Ratification.ANSWERS)
    decided_on = serializers.DateField()
    minute_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    ratifying_board = related("api:body-detail", Body, required=False, allow_null=True)
    correction_reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class OutstandingRatificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="ratification.pk")
    decision = serializers.SerializerMethodField()
    body = serializers.CharField(source="ratification.decision.body.name")
    organisation = serializers.SerializerMethodField()
    ratifying_board = serializers.CharField(source="ratification.ratifying_board.name", default=None)
    outcome = serializers.CharField(source="ratification.outcome")
    decided_on = serializers.DateField(source="ratification.decision.decided_on")
    age_days = serializers.IntegerField()

    def get_decision(self, row) -> dict:
        decision = row.ratification.decision
        return {"id": decision.pk, "display": str(decision)}

    def get_organisation(self, row) -> dict:
        organisation = row.ratification.organisation
        return {"id": organisation.pk, "display": organisation.name}


class OrganisationOutstandingSerializer(serializers.Serializer):
    organisation = serializers.DictField()
    outstanding = serializers.IntegerField()
    oldest_days = serializers.IntegerField()


class RatificationTrackerSerializer(serializers.Serializer):
    on = serializers.DateField()
    outstanding = serializers.IntegerField()
    oldest_days = serializers.IntegerField(allow_null=True)
    by_organisation = OrganisationOutstandingSerializer(many=True)
    results = OutstandingRatificationSerializer(many=True)


class ProposalSerializer(RegistrySerializer):
    detail_view_name = "api:proposal-detail"
    brief_fields = ("id", "url", "display", "category", "stage_reached", "status")
    partnership = related("api:partnership-detail", Partnership)
    route = brief("api:approvalroute-detail")
    sponsor_organisation = related("api:organisation-detail", Organisation, required=False, allow_null=True)
    sro = related("api:person-detail", Person, required=False, allow_null=True)
    next_stage = serializers.SerializerMethodField()
    create_only_fields = ("partnership", "category")

    class Meta:
        model = models.Proposal
        fields = (
            *READ_ONLY, "partnership", "title", "description", "category", "route", "amount_gbp",
            "sponsor_organisation", "sro", "stage_reached", "status", "next_stage", "signed_off_on", "signed_off_by",
            "sign_off_reference", *SOURCE_FIELDS,
        )  # fmt: skip
        # Where the proposal stands changes only through POST /proposals/{id}/advance/.
        read_only_fields = ("stage_reached", "status", "signed_off_on", "signed_off_by", "sign_off_reference")

    def validate(self, attrs):
        if self.instance is None:
            return attrs  # created by services.proposal_create, which finds the route and validates
        return super().validate(attrs)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "position": {"type": "integer"},
                "name": {"type": "string"},
                "power": {"type": "string"},
            },
        }
    )
    @values_from(
        "status", "stage_reached", "route_id", prefetch={"route__stages": ("position", "name", "power")}
    )
    def get_next_stage(self, obj):
        """The stage the proposal is waiting for; null when it is closed or every stage is passed."""
        if obj.status != models.Proposal.Status.IN_PROGRESS:
            return None
        stages = sorted(obj.route.stages.all(), key=lambda stage: stage.position)
        stage = next((s for s in stages if s.position > obj.stage_reached), None)
        if stage is None:
            return None
        return {"position": stage.position, "name": stage.name, "power": stage.power}


class ProposalAdvanceSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=models.Decision.Outcome.choices)
    stage = related("api:approvalstage-detail", ApprovalStage, required=False, allow_null=True)
    body = related("api:body-detail", Body, required=False, allow_null=True)
    meeting = related("api:meeting-detail", models.Meeting, required=False, allow_null=True)
    agenda_item = related("api:agendaitem-detail", models.AgendaItem, required=False, allow_null=True)
    resolution = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    minute_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    votes_for = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    votes_against = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    votes_abstaining = serializers.IntegerField(min_value=0, max_value=32767, required=False, allow_null=True)
    restricted = serializers.BooleanField(required=False, default=False)
    restriction_reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    signed_off_on = serializers.DateField(required=False, allow_null=True)
    signed_off_by = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    sign_off_reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class StagePositionSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="stage.position")
    name = serializers.CharField(source="stage.name")
    phase = serializers.CharField(source="stage.phase")
    power = serializers.CharField(source="stage.power")
    jointly = serializers.BooleanField(source="stage.jointly")
    acting = serializers.ListField(child=serializers.CharField())
    passed = serializers.BooleanField()
    is_next = serializers.BooleanField()
    decisions = serializers.SerializerMethodField()

    def get_decisions(self, row) -> list[dict]:
        return [
            {"id": d.pk, "body": d.body.name, "outcome": d.outcome, "decided_on": d.decided_on.isoformat()}
            for d in row.decisions
        ]


class ProposalPositionSerializer(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal.pk")
    status = serializers.CharField(source="proposal.status")
    stage_reached = serializers.IntegerField(source="proposal.stage_reached")
    next_stage = serializers.IntegerField(source="next_stage.position", default=None, allow_null=True)
    stages = StagePositionSerializer(many=True)
    explanation = serializers.ListField(child=serializers.CharField())


class QuorumSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting.pk")
    agenda_item = serializers.IntegerField(source="agenda_item.pk", default=None, allow_null=True)
    terms_of_reference = serializers.IntegerField(
        source="terms_of_reference.pk", default=None, allow_null=True
    )
    quorum_rule = serializers.CharField()
    quorum_count = serializers.IntegerField(allow_null=True)
    defined = serializers.BooleanField()
    met = serializers.BooleanField(allow_null=True)
    eligible_voters = serializers.IntegerField()
    counted = serializers.ListField(child=serializers.CharField())
    excluded = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()
