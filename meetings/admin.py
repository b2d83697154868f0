"""The meeting cycle in the admin: to look at, not to write.

Papers, packs, minutes, actions, the forward plan, gifts and declaration rounds are written on the staff
pages (meetings/views.py) through meetings/services.py, which keep the rules (a paper's versions, locked
approved minutes, the gift thresholds, the pack jobs). The admin shows them to registry administrators and
to each partnership's staff for their own partnership (the same `restrict` as every page), so a support
question can be answered without a shell; it adds, changes and deletes nothing.
"""

from django.contrib import admin

from core.admin_widgets import RestrictedAdminMixin, ViewOnlyAdminMixin
from meetings.models import (
    Action,
    ActionUpdate,
    AgendaPack,
    DeclarationReturn,
    DeclarationRound,
    ForwardPlanEntry,
    Gift,
    MinuteAmendment,
    MinuteEntry,
    Minutes,
    Paper,
    PaperVersion,
)


class ViewOnlyAdmin(ViewOnlyAdminMixin, RestrictedAdminMixin, admin.ModelAdmin):
    pass


class ViewOnlyInline(ViewOnlyAdminMixin, RestrictedAdminMixin, admin.TabularInline):
    extra = 0


class PaperVersionInline(ViewOnlyInline):
    model = PaperVersion
    fields = ["number", "original_name", "kind", "size", "pages", "sha256", "uploaded_at", "uploaded_by"]


@admin.register(Paper)
class PaperAdmin(ViewOnlyAdmin):
    list_display = ["title", "agenda_item", "current_version", "created_at"]
    list_select_related = ["agenda_item__meeting__body"]
    list_filter = ["agenda_item__restricted", "agenda_item__meeting__body__partnership"]
    search_fields = ["title", "agenda_item__title", "agenda_item__meeting__body__name"]
    exclude = ["search"]
    inlines = [PaperVersionInline]


@admin.register(AgendaPack)
class AgendaPackAdmin(ViewOnlyAdmin):
    list_display = ["meeting", "members_only", "status", "progress", "pages", "requested_at", "finished_at"]
    list_select_related = ["meeting__body"]
    list_filter = ["status", "members_only", "superseded", "meeting__body__partnership"]
    search_fields = ["meeting__body__name", "meeting__title"]


class MinuteEntryInline(ViewOnlyInline):
    model = MinuteEntry
    fields = ["agenda_item", "text"]


@admin.register(Minutes)
class MinutesAdmin(ViewOnlyAdmin):
    list_display = ["meeting", "status", "approved_on"]
    list_select_related = ["meeting__body"]
    list_filter = ["status", "meeting__body__partnership"]
    search_fields = ["meeting__body__name", "meeting__title"]
    inlines = [MinuteEntryInline]


@admin.register(MinuteAmendment)
class MinuteAmendmentAdmin(ViewOnlyAdmin):
    list_display = ["entry", "made_at", "made_by", "reason"]
    list_select_related = ["entry__agenda_item", "made_by"]
    search_fields = ["reason", "text", "entry__agenda_item__title"]


class ActionUpdateInline(ViewOnlyInline):
    model = ActionUpdate
    fields = ["on", "status", "text", "made_by"]


@admin.register(Action)
class ActionAdmin(ViewOnlyAdmin):
    list_display = ["description", "body", "owner", "due_on", "status", "closed_on"]
    list_select_related = ["body", "owner"]
    list_filter = ["status", "body__partnership"]
    search_fields = ["description", "owner__name", "body__name"]
    date_hierarchy = "due_on"
    inlines = [ActionUpdateInline]


@admin.register(ForwardPlanEntry)
class ForwardPlanEntryAdmin(ViewOnlyAdmin):
    list_display = ["title", "body", "month", "year", "purpose", "key_decision", "ended"]
    list_select_related = ["body"]
    list_filter = ["ended", "key_decision", "body__partnership"]
    search_fields = ["title", "body__name"]


@admin.register(Gift)
class GiftAdmin(ViewOnlyAdmin):
    list_display = ["person", "kind", "offered_by", "value_gbp", "offered_on", "accepted", "partnership"]
    list_select_related = ["person", "partnership"]
    list_filter = ["kind", "accepted", "partnership"]
    search_fields = ["person__name", "offered_by", "description"]
    date_hierarchy = "offered_on"


class DeclarationReturnInline(ViewOnlyInline):
    model = DeclarationReturn
    fields = ["person", "nil_return", "confirmed_at"]


@admin.register(DeclarationRound)
class DeclarationRoundAdmin(ViewOnlyAdmin):
    list_display = ["partnership", "year", "opens_on", "closes_on"]
    list_select_related = ["partnership"]
    list_filter = ["partnership"]
    inlines = [DeclarationReturnInline]
