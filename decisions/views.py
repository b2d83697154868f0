"""Editing (secretariat): meetings with attendance, decisions and ratifications.

Every page finds its record through `decisions.access.restrict` (restricted records hidden from
those who may not see them; another partnership's records 404; read-only users 403) and writes
through `decisions.services`, the functions the API and the admin call.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse

from bodies.models import Body
from bodies.views import _crumbs, page_of
from decisions import access, services
from decisions.forms import AttendanceFormSet, DecisionForm, MeetingForm, RatificationForm, attendance_choices
from decisions.models import Decision, Meeting, Ratification
from stp_governance import editing
from stp_governance.history import changes_of


def _meeting_crumbs(meeting: Meeting):
    return [*_crumbs(body=meeting.body), ("Meetings", reverse("edit-meetings", args=[meeting.body_id]))]


@login_required
def meetings(request, pk: int):
    """The body's meetings, newest first, to record or correct (paginated)."""
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk)
    rows = access.restrict(Meeting.objects.filter(body=body), request.user, "change").order_by(
        "-starts_at", "-id"
    )
    return render(
        request,
        "edit/meetings.html",
        {"body": body, "page": page_of(request, rows), "title": "Meetings", "crumbs": _crumbs(body=body)},
    )


@login_required
def meeting_create(request, pk: int):
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk, action="add")
    return _meeting_page(request, Meeting(body=body), body)


@login_required
def meeting_edit(request, pk: int):
    meeting = editing.get_for(
        request, Meeting.objects.select_related("body__partnership"), pk, restrict=access.restrict
    )
    return _meeting_page(request, meeting, meeting.body)


def _attendance_initial(meeting: Meeting) -> list[dict]:
    if meeting.pk is None:
        return []
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
        "Record a meeting" if creating else f"Meeting of {meeting.body.name}, {meeting.meeting_date:%d %B %Y}"
    )
    context = {
        "title": title,
        "caption": body.name,
        "meeting": meeting,
        "crumbs": [*_crumbs(body=body), ("Meetings", reverse("edit-meetings", args=[body.pk]))],
        "back_url": reverse("edit-meetings", args=[body.pk]),
        "history": None if creating else changes_of(meeting),
    }
    if request.method != "POST":
        form = MeetingForm(instance=meeting)
        formset = AttendanceFormSet(
            initial=_attendance_initial(meeting), prefix="attendance", form_kwargs=row_kwargs
        )
        return render(request, "edit/meeting.html", {**context, "form": form, "formset": formset})

    form = MeetingForm(request.POST, instance=meeting)
    formset = AttendanceFormSet(request.POST, prefix="attendance", form_kwargs=row_kwargs)
    stale = None
    if form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                if not creating:
                    editing.lock_at_revision(meeting, form.cleaned_data.get("expected_revision"))
                saved = form.save()
                if _record_attendance(saved, formset):
                    transaction.set_rollback(True)
                elif not editing.may(request.user, "change", saved, access.restrict):
                    raise PermissionDenied(
                        "This change would put the record outside the partnerships you may edit."
                    )
                else:
                    messages.success(request, "The meeting and its attendance were saved.")
                    return redirect("edit-meeting", pk=saved.pk)
        except editing.StaleRecord as error:
            stale = error
        except ValidationError as error:
            form.apply_errors(error)
        if creating and stale is None:
            meeting.pk = None  # rolled back: the form shows again as a new meeting
            meeting._state.adding = True
    elif not creating and form.is_stale():
        stale = editing.StaleRecord(Meeting.objects.get(pk=meeting.pk))
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
        {**context, "form": form, "formset": formset, "formset_errors": _formset_errors(formset)},
        status=400,
    )


def _record_attendance(meeting: Meeting, formset) -> bool:
    """Record each changed seat; a refusal goes on its row. Returns whether any row was refused."""
    existing = {a.person_id: a for a in meeting.attendances.select_for_update().order_by()}
    refused = False
    for row in formset.forms:
        data = row.cleaned_data
        person = data.get("person")
        if person is None:
            continue
        current = existing.get(person.pk)
        opened_at = data.get("attendance_revision")
        if current is not None and opened_at is not None and current.revision != opened_at:
            raise editing.StaleRecord(
                Meeting.objects.get(pk=meeting.pk),
                note=f"{person.name}'s attendance was changed by someone else after you opened the page.",
            )
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


def _formset_errors(formset) -> list[tuple[str, str]]:
    items = [("", error) for error in formset.non_form_errors()]
    for number, row in enumerate(formset.forms, start=1):
        for anchor, message in row.error_list():
            items.append((anchor, f"Attendance row {number}: {message}"))
    return items


@login_required
def decision_create(request, pk: int):
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk, action="add")
    if body.partnership_id is None:
        raise PermissionDenied("Decisions are recorded for the partnership's bodies.")

    def act(data):
        return services.decision_record(body=body, **DecisionForm.service_arguments(data))

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
            "crumbs": _crumbs(body=body),
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
        restrict=access.restrict,
    )
    return render(
        request,
        "edit/decision.html",
        {
            "decision": decision,
            "title": str(decision),
            "crumbs": _crumbs(body=decision.body),
            "history": changes_of(decision),
        },
    )


@login_required
def ratification_record(request, pk: int):
    ratification = editing.get_for(
        request,
        Ratification.objects.select_related("decision__body__partnership", "organisation"),
        pk,
        restrict=access.restrict,
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
                *_crumbs(body=decision.body),
                ("Decision", reverse("edit-decision", args=[decision.pk])),
            ],
            "back_url": reverse("edit-decision", args=[decision.pk]),
            "submit_label": "Record the answer",
            "history": changes_of(ratification),
        },
        success_url=lambda saved: reverse("edit-decision", args=[saved.decision_id]),
        success_message=f"The answer of {ratification.organisation.name} was recorded.",
    )
