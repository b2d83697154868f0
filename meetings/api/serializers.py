"""API representations of the meeting cycle, read-only: papers (their newest version's file as a
link to the access-checked download page, never the storage path), agenda packs, minutes and their
entries with amendments, actions with their updates, the forward plan, gifts and hospitality, and
declaration rounds with their returns. Every method field reads `.values()` rows as well as
instances (`@values_from`), so every list takes the fast path (core/api/fastpath.py)."""

from django.urls import reverse
from rest_framework import serializers

from bodies.models import Body, Organisation, Partnership, Person
from core.api.fastpath import values_from
from core.api.serializers import READ_ONLY, DateTimeField, RegistrySerializer, related
from decisions.models import AgendaItem, Decision, Meeting
from meetings import models
from meetings.files import CONTENT_TYPES

VERSION_COLUMNS = ("number", "kind", "size", "uploaded_at")
MEETING_OF_ITEM = (
    "agenda_item__meeting_id",
    "agenda_item__meeting__body__name",
    "agenda_item__meeting__starts_at",
    "agenda_item__meeting__title",
)


def _absolute(serializer, view_name: str, *args) -> str | None:
    request = serializer.context.get("request")
    if request is None:
        return None
    return request.build_absolute_uri(reverse(view_name, args=args))


def _meeting_of_item(serializer, obj) -> dict:
    """The meeting of the record's agenda item, as a brief record."""
    meeting = obj.agenda_item.meeting
    return {
        "id": meeting.pk,
        "url": _absolute(serializer, "api:meeting-detail", meeting.pk),
        "display": str(meeting),
    }


class MeetingBriefSerializer(serializers.Serializer):
    """The shape of a brief record (for the schema of method fields that return one)."""

    id = serializers.IntegerField()
    url = serializers.URLField(allow_null=True)
    display = serializers.CharField()


class PaperSerializer(RegistrySerializer):
    detail_view_name = "api:paper-detail"
    brief_fields = ("id", "url", "display", "current_version")
    agenda_item = related("api:agendaitem-detail", AgendaItem)
    meeting = serializers.SerializerMethodField()
    content_type = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField()
    uploaded_at = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    created_at = DateTimeField(read_only=True)

    class Meta:
        model = models.Paper
        fields = (
            *READ_ONLY, "agenda_item", "meeting", "title", "position", "current_version", "content_type", "size",
            "uploaded_at", "download_url", "created_at",
        )  # fmt: skip
        read_only_fields = fields
        select_related = ("agenda_item__meeting__body",)

    @staticmethod
    def _current(obj):
        return next((v for v in obj.versions.all() if v.number == obj.current_version), None)

    @values_from(*MEETING_OF_ITEM)
    def get_meeting(self, obj) -> MeetingBriefSerializer:
        return _meeting_of_item(self, obj)

    @values_from("current_version", prefetch={"versions": VERSION_COLUMNS})
    def get_content_type(self, obj) -> str | None:
        version = self._current(obj)
        return CONTENT_TYPES[version.kind] if version is not None else None

    @values_from("current_version", prefetch={"versions": VERSION_COLUMNS})
    def get_size(self, obj) -> int | None:
        """The newest version's size in bytes."""
        version = self._current(obj)
        return version.size if version is not None else None

    @values_from("current_version", prefetch={"versions": VERSION_COLUMNS})
    def get_uploaded_at(self, obj) -> str | None:
        version = self._current(obj)
        return DateTimeField().to_representation(version.uploaded_at) if version is not None else None

    @values_from("current_version")
    def get_download_url(self, obj) -> str | None:
        """The newest version's file, over the API (a token or a session), for whoever may read it."""
        if not obj.current_version:
            return None
        return _absolute(self, "api:paper-file", obj.pk)


class AgendaPackSerializer(RegistrySerializer):
    detail_view_name = "api:agendapack-detail"
    brief_fields = ("id", "url", "display", "kind", "status")
    revision = None  # a job's record: no revision
    meeting = related("api:meeting-detail", Meeting)
    kind = serializers.SerializerMethodField()
    requested_at = DateTimeField(read_only=True)
    finished_at = DateTimeField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = models.AgendaPack
        fields = (
            "id", "url", "display", "meeting", "kind", "status", "progress", "pages", "superseded", "requested_at",
            "finished_at", "download_url",
        )  # fmt: skip
        read_only_fields = fields

    @values_from("members_only")
    def get_kind(self, obj) -> str:
        """`members` (with the items not for publication) or `public`."""
        return "members" if obj.members_only else "public"

    @values_from("status")
    def get_download_url(self, obj) -> str | None:
        """Once made, the PDF over the API (a token or a session), for whoever may read it."""
        if obj.status != models.AgendaPack.Status.DONE:
            return None
        return _absolute(self, "api:agendapack-file", obj.pk)


class MinutesSerializer(RegistrySerializer):
    detail_view_name = "api:minutes-detail"
    brief_fields = ("id", "url", "display", "status")
    meeting = related("api:meeting-detail", Meeting)
    approval = related("api:decision-detail", Decision)
    minute_reference = serializers.SerializerMethodField()

    class Meta:
        model = models.Minutes
        fields = (*READ_ONLY, "meeting", "status", "approval", "approved_on", "minute_reference")
        read_only_fields = fields

    @values_from("approval__minute_reference")
    def get_minute_reference(self, obj) -> str | None:
        """The minute of the later meeting that approved them."""
        return obj.approval.minute_reference if obj.approval is not None else None


class MinuteAmendmentInlineSerializer(serializers.ModelSerializer):
    made_at = DateTimeField(read_only=True)

    class Meta:
        model = models.MinuteAmendment
        fields = ("id", "previous_text", "text", "reason", "made_at")
        read_only_fields = fields


class MinuteEntrySerializer(RegistrySerializer):
    """The minute of one agenda item, with the amendments made to it once the minutes were approved."""

    detail_view_name = "api:minuteentry-detail"
    minutes = related("api:minutes-detail", models.Minutes)
    agenda_item = related("api:agendaitem-detail", AgendaItem)
    amendments = MinuteAmendmentInlineSerializer(many=True, read_only=True)

    class Meta:
        model = models.MinuteEntry
        fields = (*READ_ONLY, "minutes", "agenda_item", "text", "amendments")
        read_only_fields = fields


class ActionUpdateInlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.ActionUpdate
        fields = ("id", "on", "text", "status")
        read_only_fields = fields


class ActionSerializer(RegistrySerializer):
    detail_view_name = "api:action-detail"
    brief_fields = ("id", "url", "display", "status", "due_on")
    body = related("api:body-detail", Body)
    agenda_item = related("api:agendaitem-detail", AgendaItem)
    meeting = serializers.SerializerMethodField()
    owner = related("api:person-detail", Person)
    created_at = DateTimeField(read_only=True)
    updates = ActionUpdateInlineSerializer(many=True, read_only=True)

    class Meta:
        model = models.Action
        fields = (
            *READ_ONLY, "body", "agenda_item", "meeting", "description", "owner", "due_on", "status", "closed_on",
            "created_at", "updates",
        )  # fmt: skip
        read_only_fields = fields
        select_related = ("agenda_item__meeting__body",)

    @values_from(*MEETING_OF_ITEM)
    def get_meeting(self, obj) -> MeetingBriefSerializer:
        return _meeting_of_item(self, obj)


class ForwardPlanEntrySerializer(RegistrySerializer):
    detail_view_name = "api:forwardplanentry-detail"
    brief_fields = ("id", "url", "display", "month", "year")
    body = related("api:body-detail", Body)
    presenter = related("api:person-detail", Person)

    class Meta:
        model = models.ForwardPlanEntry
        fields = (
            *READ_ONLY,
            "body",
            "title",
            "purpose",
            "month",
            "year",
            "key_decision",
            "presenter",
            "ended",
        )
        read_only_fields = fields


class GiftSerializer(RegistrySerializer):
    detail_view_name = "api:gift-detail"
    brief_fields = ("id", "url", "display", "offered_on", "accepted")
    partnership = related("api:partnership-detail", Partnership)
    person = related("api:person-detail", Person)
    organisation = related("api:organisation-detail", Organisation)

    class Meta:
        model = models.Gift
        fields = (
            *READ_ONLY, "partnership", "person", "kind", "description", "offered_by", "organisation", "value_gbp",
            "offered_on", "accepted", "reason", "declared_on",
        )  # fmt: skip
        read_only_fields = fields


class DeclarationRoundSerializer(RegistrySerializer):
    detail_view_name = "api:declarationround-detail"
    brief_fields = ("id", "url", "display", "year")
    partnership = related("api:partnership-detail", Partnership)
    returns_made = serializers.SerializerMethodField()
    nil_returns = serializers.SerializerMethodField()

    class Meta:
        model = models.DeclarationRound
        fields = (*READ_ONLY, "partnership", "year", "opens_on", "closes_on", "returns_made", "nil_returns")
        read_only_fields = fields

    @values_from("id", prefetch={"returns": ("nil_return",)})
    def get_returns_made(self, obj) -> int:
        """Returns made so far (nil returns included); the returns are at /declaration-returns/."""
        return len(obj.returns.all())

    @values_from("id", prefetch={"returns": ("nil_return",)})
    def get_nil_returns(self, obj) -> int:
        return sum(1 for made in obj.returns.all() if made.nil_return)


class DeclarationReturnSerializer(RegistrySerializer):
    detail_view_name = "api:declarationreturn-detail"
    revision = None
    round = related("api:declarationround-detail", models.DeclarationRound)
    person = related("api:person-detail", Person)
    confirmed_at = DateTimeField(read_only=True)

    class Meta:
        model = models.DeclarationReturn
        fields = ("id", "url", "display", "round", "person", "nil_return", "confirmed_at")
        read_only_fields = fields
