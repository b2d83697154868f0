"""Staff pages of the decisions register.

Editing (secretariat): meetings with attendance, decisions and ratifications. Every page finds its
record through `core.access.restrict` (restricted records hidden from those who may not see
them; another partnership's records 404; read-only users 403) and writes through
`decisions.services`, the functions the API and the admin call.

Reading: the ratification tracker (with the two-click ratify, which calls
`decisions.services.ratification_record` like the API), decisions lists and the decision page.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from bodies.models import Body, Partnership
from bodies.queries import appointments_as_at
from core import access as platform_access
from core import editing
from core.access import can, restrict
from core.effective_dating import today
from core.history import changes_of
from core.paging import paged
from core.writes import StaleRecord, guarded_write, rows_changed_since
from decisions import queries, services
from decisions.forms import (
    AttendanceFormSet,
    DecisionForm,
    DecisionRescindForm,
    MeetingForm,
    RatificationForm,
    attendance_choices,
)
from decisions.models import Attendance, Decision, Declaration, Meeting, Ratification
from delegation.queries import resolve_authority


@login_required
def meetings(request, pk: int):
    """The body's meetings, newest first, to record or correct (paginated)."""
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk)
    rows = restrict(Meeting.objects.filter(body=body), request.user, "change").order_by("-starts_at", "-id")
    return editing.list_page(request, "edit/meetings.html", rows, crumbs=editing.crumbs(body=body), body=body)


@login_required
def meeting_create(request, pk: int):
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk, action="add")
    return _meeting_page(request, Meeting(body=body), body)


@login_required
def meeting_edit(request, pk: int):
    meeting = editing.get_for(request, Meeting.objects.select_related("body__partnership"), pk)
    return _meeting_page(request, meeting, meeting.body)


def _attendance_initial(meeting: Meeting, body: Body | None = None) -> list[dict]:
    """The rows a meeting's form opens with: its attendance, or for a new meeting everyone appointed to
    the body today, present unless the secretariat says otherwise (issue 17)."""
    if meeting.pk is None:
        if body is None:
            return []
        seats = appointments_as_at(body, today()).order_by("person__name", "id")
        initial, seen = [], set()
        for appointment in seats:
            if appointment.person_id not in seen:
                seen.add(appointment.person_id)
                initial.append({"person": appointment.person_id, "status": Attendance.Status.PRESENT})
        return initial
    return [
        {
            "person": a.person_id,
            "status": a.status,
            "deputy": a.deputy_id,
            "note": a.note,
            "attendance_revision": a.revision,
        }
        for a in meeting.attendances.select_related("person").order_by("person__name", "id")
    ]


def _meeting_page(request, meeting: Meeting, body: Body):
    """The meeting and its attendance on one form: each seat is recorded by `attendance_record`,
    which takes whether it votes from the appointment in force and refuses changes once decisions
    rest on the attendance."""
    people, deputies = attendance_choices(body, meeting, request.user)
    row_kwargs = {"people": people, "deputies": deputies}
    creating = meeting.pk is None
    title = (
        "Record a meeting"
        if creating
        else f"Meeting of {meeting.body.name}, {meeting.meeting_date:%-d %B %Y}"
    )
    context = {
        "title": title,
        "caption": body.name,
        "meeting": meeting,
        "crumbs": [*editing.crumbs(body=body), ("Meetings", reverse("edit-meetings", args=[body.pk]))],
        "back_url": reverse("edit-meetings", args=[body.pk]),
        "history": None if creating else changes_of(meeting),
    }
    if request.method != "POST":
        form = MeetingForm(instance=meeting)
        formset = AttendanceFormSet(
            initial=_attendance_initial(meeting, body), prefix="attendance", form_kwargs=row_kwargs
        )
        return render(request, "edit/meeting.html", {**context, "form": form, "formset": formset})

    if editing.row_wanted(request, ("attendance",)):
        # "Add another attendance row": nothing is saved; the page again, as typed, with one more row
        # (with htmx, only that row).
        data = editing.with_row_added(request.POST, "attendance", AttendanceFormSet.max_num)
        form = MeetingForm(data, instance=meeting)
        formset = AttendanceFormSet(data, prefix="attendance", form_kwargs=row_kwargs)
        if request.htmx:
            return editing.added_row_response(
                request, formset=formset, template="edit/_attendance_row.html", context=context
            )
        editing.shown_as_typed(form, formset, grown=formset)
        return render(request, "edit/meeting.html", {**context, "form": form, "formset": formset})

    form = MeetingForm(request.POST, instance=meeting)
    formset = AttendanceFormSet(request.POST, prefix="attendance", form_kwargs=row_kwargs)
    stale = None
    if form.is_valid() and formset.is_valid():
        try:

            def write():
                saved = form.save()
                if _record_attendance(saved, formset):
                    raise AttendanceRefused
                return saved

            saved = guarded_write(
                user=request.user,
                record=None if creating else meeting,
                expected_revision=form.cleaned_data.get("expected_revision"),
                write=write,
            )
        except StaleRecord as error:
            stale = error
        except ValidationError as error:
            form.apply_errors(error)
        except AttendanceRefused:
            pass  # rolled back; each refusal is on its row
        else:
            messages.success(request, "The meeting and its attendance were saved.")
            return redirect("edit-meeting", pk=saved.pk)
        if creating and stale is None:
            meeting.pk = None  # rolled back: the form shows again as a new meeting
            meeting._state.adding = True
    elif not creating and form.is_stale():
        stale = StaleRecord(Meeting.objects.get(pk=meeting.pk))
    if stale is not None:
        return editing.conflict_response(
            request,
            typed_form=form,
            current=stale.current,
            retry_form=None,
            title=title,
            back_url=request.path,
            note=stale.note,
        )
    return render(
        request,
        "edit/meeting.html",
        {
            **context,
            "form": form,
            "formset": formset,
            "formset_errors": editing.formset_errors(formset, "Attendance row"),
        },
        status=400,
    )


class AttendanceRefused(Exception):
    """A seat of the attendance was refused by the service: the whole save is rolled back."""


def _record_attendance(meeting: Meeting, formset) -> bool:
    """Record each changed seat; a refusal goes on its row. Returns whether any row was refused."""
    existing = {a.person_id: a for a in meeting.attendances.order_by()}
    opened = {
        row.cleaned_data["person"].pk: row.cleaned_data.get("attendance_revision")
        for row in formset.forms
        if row.cleaned_data.get("person") is not None
    }
    changed = rows_changed_since(
        Attendance,
        {existing[person].pk: revision for person, revision in opened.items() if person in existing},
    )
    if changed:
        person = next(a.person for a in existing.values() if a.pk == changed[0])
        raise StaleRecord(
            Meeting.objects.get(pk=meeting.pk),
            note=f"{person.name}'s attendance was changed by someone else after you opened the page.",
        )
    refused = False
    for row in formset.forms:
        data = row.cleaned_data
        person = data.get("person")
        if person is None:
            continue
        current = existing.get(person.pk)
        wanted = (data["status"], data.get("deputy"), data.get("note") or "")
        if current is not None and (current.status, current.deputy, current.note) == wanted:
            continue
        try:
            services.attendance_record(
                meeting=meeting, person=person, status=wanted[0], deputy=wanted[1], note=wanted[2]
            )
        except ValidationError as error:
            row.apply_errors(error)
            refused = True
    return refused


@login_required
def decision_create(request, pk: int):
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk, action="add")
    if body.partnership_id is None:
        raise PermissionDenied("Decisions are recorded for the partnership's bodies.")

    def act(data):
        return services.decision_record(**{**DecisionForm.service_arguments(data), "body": body})

    return editing.action_page(
        request,
        form_class=DecisionForm,
        form_kwargs={"body": body, "user": request.user},
        act=act,
        template="edit/form.html",
        context={
            "title": "Record a decision",
            "caption": body.name,
            "intro": "The registry finds the authority for the decision from the scheme of delegation, checks the "
            "meeting was quorate, and lists the partners' boards that must ratify it. If the body holds no "
            "authority, the decision is refused with the reason.",
            "crumbs": editing.crumbs(body=body),
            "back_url": reverse("body-detail", args=[body.pk]),
            "submit_label": "Record the decision",
        },
        success_url=lambda decision: reverse("edit-decision", args=[decision.pk]),
        success_message="The decision was recorded.",
    )


@login_required
def decision_detail(request, pk: int):
    """A recorded decision: its authority, its standing, the ratifications it needs, its history."""
    decision = editing.get_for(
        request,
        Decision.objects.select_related(
            "body__partnership", "meeting", "matter", "delegation", "recommended_to"
        ).prefetch_related(
            Prefetch(
                "ratifications",
                queryset=Ratification.objects.select_related("organisation", "ratifying_board").order_by(
                    "organisation__name"
                ),
            )
        ),
        pk,
    )
    return render(
        request,
        "edit/decision.html",
        {
            "decision": decision,
            "title": str(decision),
            "crumbs": editing.crumbs(body=decision.body),
            "history": changes_of(decision),
        },
    )


@login_required
def ratification_record(request, pk: int):
    ratification = editing.get_for(
        request,
        Ratification.objects.select_related("decision__body__partnership", "organisation"),
        pk,
    )
    decision = ratification.decision
    return editing.action_page(
        request,
        form_class=RatificationForm,
        record=ratification,
        act=lambda data: services.ratification_record(
            ratification=ratification,
            outcome=data["outcome"],
            decided_on=data["decided_on"],
            minute_reference=data.get("minute_reference") or "",
            correction_reason=data.get("correction_reason") or "",
        ),
        template="edit/form.html",
        context={
            "title": f"Ratification by {ratification.organisation.name}",
            "caption": str(decision),
            "intro": f"Record the answer of {ratification.organisation.name}'s own board. The decision takes effect "
            "when every party has ratified it; one that declines stops it taking effect.",
            "crumbs": [
                *editing.crumbs(body=decision.body),
                ("Decision", reverse("edit-decision", args=[decision.pk])),
            ],
            "back_url": reverse("edit-decision", args=[decision.pk]),
            "submit_label": "Record the answer",
            "history": changes_of(ratification),
        },
        success_url=lambda saved: reverse("edit-decision", args=[saved.decision_id]),
        success_message=f"The answer of {ratification.organisation.name} was recorded.",
    )


# -- reading ----------------------------------------------------------------------------------
TRACKER_PAGE_SIZE = 25
DECISIONS_PAGE_SIZE = 25


def visible_partnership(request, pk: int) -> Partnership:
    return get_object_or_404(restrict(Partnership.objects.all(), request.user), pk=pk)


# -- forms ----------------------------------------------------------------------------------
class DecisionFilterForm(editing.NHSForm):
    """The filters of a partnership's decisions list (a GET form: bad input is a field message)."""

    status = forms.ChoiceField(choices=[("", "Any status"), *Decision.Status.choices], required=False)
    body = forms.ModelChoiceField(queryset=Body.objects.none(), required=False, empty_label="Any body")
    decided_from = forms.DateField(
        required=False,
        label="Decided on or after",
        help_text="For example 2018-04-01.",
        widget=editing.DateInput(attrs={"class": "nhsuk-input--width-10"}),
    )
    decided_to = forms.DateField(
        required=False,
        label="Decided on or before",
        help_text="For example 2019-03-31.",
        widget=editing.DateInput(attrs={"class": "nhsuk-input--width-10"}),
    )

    def __init__(self, *args, partnership: Partnership, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = restrict(Body.objects.filter(partnership=partnership), user).order_by(
            "name"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("decided_from"), cleaned.get("decided_to")
        if start and end and start > end:
            self.add_error("decided_to", "The end of the range is before its start.")
        return cleaned

    def filter(self, decisions):
        if not self.is_bound or not self.is_valid():
            return decisions
        data = self.cleaned_data
        if data.get("status"):
            decisions = decisions.filter(status=data["status"])
        if data.get("body"):
            decisions = decisions.filter(body=data["body"])
        if data.get("decided_from"):
            decisions = decisions.filter(decided_on__gte=data["decided_from"])
        if data.get("decided_to"):
            decisions = decisions.filter(decided_on__lte=data["decided_to"])
        return decisions


class RatifyForm(editing.RevisionForm):
    """The second click: the day the partner's board ratified, its board and minute reference."""

    decided_on = forms.DateField(
        label="Date the board ratified it",
        help_text="For example 2018-04-01.",
        widget=editing.DateInput(attrs={"class": "nhsuk-input--width-10"}),
    )
    ratifying_board = forms.ModelChoiceField(
        queryset=Body.objects.none(), required=False, label="Ratifying board", empty_label="Not recorded"
    )
    minute_reference = forms.CharField(
        max_length=100,
        required=False,
        label="Minute reference",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20"}),
    )

    def __init__(self, *args, ratification: Ratification, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "decided_on": max(today(), ratification.decision.decided_on),
                "ratifying_board": ratification.ratifying_board_id,
                "minute_reference": ratification.minute_reference,
            },
        )
        super().__init__(*args, record=ratification, **kwargs)
        self.fields["ratifying_board"].queryset = restrict(
            Body.objects.filter(kind=Body.Kind.STATUTORY_BOARD, organisation=ratification.organisation_id),
            user,
        ).order_by("name")


# -- the ratification tracker ---------------------------------------------------------------
@login_required
def ratification_tracker(request, pk: int):
    """What each partner organisation still has to ratify, and for how long: oldest first."""
    partnership = visible_partnership(request, pk)
    on = today()
    visible = restrict(Ratification.objects.filter(decision__body__partnership=partnership), request.user)
    summary = queries.outstanding_by_organisation(visible, on)
    organisation = _chosen_organisation(request, summary)
    rows = queries.outstanding(visible)
    if organisation is not None:
        rows = rows.filter(organisation_id=organisation["organisation_id"])
    page = paged(request, rows, TRACKER_PAGE_SIZE)
    for ratification in page:
        ratification.age_days = (on - ratification.decision.decided_on).days
    return render(
        request,
        "pages/ratification_tracker.html",
        {
            "partnership": partnership,
            "on": on,
            "summary": summary,
            "outstanding": sum(row["outstanding"] for row in summary),
            "organisation": organisation,
            "page": page,
            "can_ratify": platform_access.may_change_partnership(request.user, partnership.pk),
            "recorded": _recorded(request),
        },
    )


def _chosen_organisation(request, summary: list[dict]) -> dict | None:
    raw = request.GET.get("organisation", "")
    return next((row for row in summary if str(row["organisation_id"]) == raw), None) if raw else None


def _recorded(request) -> Ratification | None:
    """The ratification just recorded (after the redirect), to confirm it and the decision's status."""
    raw = request.GET.get("recorded", "")
    if not raw.isdigit():
        return None
    return (
        restrict(Ratification.objects.select_related("decision", "organisation"), request.user)
        .filter(pk=int(raw))
        .first()
    )


@login_required
def ratify(request, pk: int):
    """Record that the partner's board ratified the decision: a short form, then the service.

    Idempotent like the service (the same answer again changes nothing) and revision-checked:
    if someone else recorded an answer after the form was opened, nothing is saved and the page says so.
    """
    ratification = get_object_or_404(
        restrict(
            Ratification.objects.select_related(
                "decision__body__partnership", "organisation", "ratifying_board"
            ),
            request.user,
        ),
        pk=pk,
    )
    if not can(request.user, "change", ratification):
        raise PermissionDenied("You may read this partnership's records but not change them.")
    back = _next_url(request, ratification)
    form = RatifyForm(request.POST or None, ratification=ratification, user=request.user)
    if request.method == "POST" and form.is_valid() and _record(request, form, ratification):
        separator = "&" if "?" in back else "?"
        return HttpResponseRedirect(f"{back}{separator}recorded={ratification.pk}")
    return render(
        request,
        "pages/ratify.html",
        {"ratification": ratification, "decision": ratification.decision, "form": form, "next": back},
        status=409 if form.errors.get("__all__") and _stale(form) else 200,
    )


def _stale(form) -> bool:
    return any(error.code == "stale" for error in form.errors.as_data().get("__all__", []))


def _record(request, form: RatifyForm, ratification: Ratification) -> bool:
    """Through the one guarded write, as every editing page: under the row lock at the revision the user opened."""
    data = form.cleaned_data
    try:
        guarded_write(
            user=request.user,
            record=ratification,
            expected_revision=data["expected_revision"],
            write=lambda: services.ratification_record(
                ratification=Ratification.objects.get(pk=ratification.pk),
                outcome=Ratification.Outcome.RATIFIED,
                decided_on=data["decided_on"],
                minute_reference=data.get("minute_reference", "").strip(),
                ratifying_board=data.get("ratifying_board"),
            ),
        )
    except StaleRecord as stale:
        current = stale.current
        if current.outcome == Ratification.Outcome.RATIFIED and current.decided_on == data["decided_on"]:
            return True  # the same answer, recorded meanwhile (a second click): nothing to change
        form.add_error(
            None,
            ValidationError(
                f"Someone else recorded {ratification.organisation.name}'s "
                f"answer after you opened this page: it is now {current.get_outcome_display().lower()}"
                f"{f' on {current.decided_on:%-d %B %Y}' if current.decided_on else ''}. Nothing was saved.",
                code="stale",
            ),
        )
        return False
    except ValidationError as error:
        form.apply_errors(error)
        return False
    return True


def _next_url(request, ratification: Ratification) -> str:
    default = reverse("ratification-tracker", args=[ratification.decision.body.partnership_id])
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if not wanted or not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return default
    # Back to the page the user came from, without the confirmation of an earlier ratification.
    parts = urlsplit(wanted)
    query = urlencode([(key, value) for key, value in parse_qsl(parts.query) if key != "recorded"])
    return urlunsplit(("", "", parts.path, query, "")) or default


# -- decisions --------------------------------------------------------------------------------
@login_required
def decision_list(request, pk: int):
    """A partnership's decisions, newest first, filtered by status, body and date range."""
    partnership = visible_partnership(request, pk)
    form = DecisionFilterForm(request.GET or None, partnership=partnership, user=request.user)
    decisions = form.filter(
        restrict(Decision.objects.filter(body__partnership=partnership), request.user)
        .select_related("body", "meeting", "matter")
        .annotate(
            ratifications_total=Count("ratifications"),
            ratifications_outstanding=Count(
                "ratifications", filter=Q(ratifications__outcome__in=Ratification.OUTSTANDING)
            ),
        )
        .order_by("-decided_on", "-id")
    )
    return render(
        request,
        "pages/decision_list.html",
        {"partnership": partnership, "form": form, "page": paged(request, decisions, DECISIONS_PAGE_SIZE)},
    )


@login_required
def decision_page(request, pk: int):
    """A decision: its resolution, the authority found for it (with the chain and sources), votes,
    declarations and how they were managed, and each partner's ratification."""
    decision = get_object_or_404(
        restrict(
            Decision.objects.select_related(
                "body__partnership",
                "meeting",
                "agenda_item",
                "matter",
                "delegation__delegator",
                "delegation__matter",
                "recommended_to",
                "taken_by",
                "reported_at",
                "corrected_by",
            ),
            request.user,
        ),
        pk=pk,
    )
    ratifications = list(
        restrict(
            decision.ratifications.select_related("organisation", "ratifying_board"), request.user
        ).order_by("organisation__name", "id")
    )
    return render(
        request,
        "pages/decision_detail.html",
        {
            "decision": decision,
            "partnership": decision.body.partnership,
            "authority_path": _authority_path(decision),
            "explanation": [line for line in decision.authority_explanation.splitlines() if line.strip()],
            "declarations": _declarations(request, decision),
            "quorum": queries.meeting_quorum(decision.meeting, decision.agenda_item)
            if decision.meeting
            else None,
            "ratifications": ratifications,
            "can_ratify": platform_access.may_change_partnership(request.user, decision.body.partnership_id),
            "recorded": _recorded(request),
            "on": today(),
        },
    )


def _authority_path(decision: Decision):
    """The chain of delegation that authorised the decision, as authority resolution finds it on the
    day it was taken (None for a decision resting on a route stage or without a delegation)."""
    if decision.delegation_id is None or decision.matter_id is None:
        return None
    answer = resolve_authority(
        partnership=decision.body.partnership,
        matter=decision.matter,
        amount_gbp=decision.amount_gbp,
        on=decision.decided_on,
    )
    return next(
        (
            path
            for path in [*answer.paths, *answer.excluded]
            if path.chain[-1].delegation_id == decision.delegation_id
        ),
        None,
    )


def _declarations(request, decision: Decision) -> list[Declaration]:
    """Interests declared at the decision's meeting, for its item or the whole meeting."""
    if decision.meeting_id is None:
        return []
    items = Q(agenda_item__isnull=True)
    if decision.agenda_item_id:
        items |= Q(agenda_item=decision.agenda_item_id)
    return list(
        restrict(
            Declaration.objects.filter(items, meeting=decision.meeting_id).select_related(
                "person", "managed_by", "agenda_item", "interest"
            ),
            request.user,
        ).order_by("person__name", "id")
    )


@login_required
def decision_rescind(request, pk: int):
    """Rescind a decision, with the reason: it stays on record, marked rescinded (evidence is never deleted)."""
    decision = editing.get_for(request, Decision.objects.select_related("body__partnership"), pk)
    return editing.action_page(
        request,
        form_class=DecisionRescindForm,
        record=decision,
        act=lambda data: services.decision_rescind(
            decision=decision, reason=data["reason"], rescinded_on=data.get("rescinded_on")
        ),
        template="edit/form.html",
        context={
            "title": f"Rescind the decision of {decision.decided_on:%-d %B %Y}",
            "caption": decision.body.name,
            "intro": "The decision stays on record, marked rescinded with the day and your reason; it no longer "
            "takes effect.",
            "crumbs": [
                *editing.crumbs(body=decision.body),
                ("Decision", reverse("edit-decision", args=[decision.pk])),
            ],
            "back_url": reverse("edit-decision", args=[decision.pk]),
            "submit_label": "Rescind the decision",
        },
        success_url=lambda saved: reverse("edit-decision", args=[saved.pk]),
        success_message="The decision was rescinded.",
    )
