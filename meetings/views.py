"""The meeting cycle's pages: the meeting page (reading, and building it for the secretariat),
papers and packs, minutes, actions, the forward plan, a member's interests, gifts and return, and
calendar subscriptions. Every record is found through `core.access.restrict`; every write goes
through `core.writes.guarded_write` to a service in meetings.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bodies.models import Body, Organisation, Partnership, Person
from bodies.queries import person_id_of
from core import access, editing
from core.paging import paged
from core.writes import OutsideScope, StaleRecord, guarded_write
from decisions import services as decision_services
from decisions.models import AgendaItem, Attendance, Interest, Meeting
from delegation.models import Matter
from meetings import calendars, notices, queries, services
from meetings.files import pack_file_response, paper_file_response
from meetings.forms import (
    ActionForm,
    ActionUpdateForm,
    AgendaItemForm,
    AmendForm,
    ApproveMinutesForm,
    DeclareForm,
    ForwardPlanForm,
    GiftForm,
    InterestForm,
    ItemDecisionForm,
    PaperForm,
    ReplacePaperForm,
    ReturnForm,
    RoundForm,
)
from meetings.minutes_pdf import minutes_document
from meetings.models import (
    Action,
    AgendaPack,
    CalendarSubscription,
    DeclarationReturn,
    DeclarationRound,
    ForwardPlanEntry,
    Gift,
    MinuteEntry,
    Minutes,
    Paper,
    gift_rule,
)
from meetings.reminders import round_members


# -- finding records ---------------------------------------------------------------------------
def _find(request, queryset, pk, action: str = "view"):
    """A record the user may read (404 otherwise), and for `action` other than "view" may also do
    it (403 when they may only read it)."""
    if action == "view":
        found = access.restrict(queryset, request.user, "view").filter(pk=pk).first()
        if found is None:
            raise Http404("Not found.")
        return found
    return editing.get_for(request, queryset, pk, action=action)


def _may_edit(user, meeting: Meeting) -> bool:
    return access.may_change_partnership(user, meeting.body.partnership_id)


def _write(request, form, write, *, action: str = "change") -> bool:
    """Run a service through the guarded write; a refusal goes on the form."""
    try:
        guarded_write(user=request.user, write=write, action=action)
    except ValidationError as error:
        form.apply_errors(error)
        return False
    except OutsideScope as error:
        raise PermissionDenied("Not yours to change.") from error
    return True


def _people(body: Body):
    """Who may present an item or own an action: anyone appointed to one of the partnership's bodies."""
    return (
        Person.objects.filter(appointments__body__partnership=body.partnership_id).distinct().order_by("name")
    )


MEETINGS = Meeting.objects.select_related("body__partnership")


# -- the body's agendas ----------------------------------------------------------------------------
@login_required
def meeting_list(request, pk: int):
    """The body's meetings, newest first, with how many items and papers each carries for the
    reader and its pack (constant queries per page)."""
    body = _find(request, Body.objects.select_related("partnership"), pk)
    meetings = access.restrict(Meeting.objects.filter(body=body), request.user, "view").order_by(
        "-starts_at", "-pk"
    )
    page = paged(request, meetings, per_page=editing.LIST_PAGE_SIZE)
    ids = [m.pk for m in page.object_list]
    items = dict(
        access.restrict(AgendaItem.objects.filter(meeting__in=ids), request.user, "view")
        .values("meeting").annotate(n=Count("pk")).values_list("meeting", "n")
    )  # fmt: skip
    papers = dict(
        access.restrict(Paper.objects.filter(agenda_item__meeting__in=ids), request.user, "view")
        .values("agenda_item__meeting").annotate(n=Count("pk")).values_list("agenda_item__meeting", "n")
    )  # fmt: skip
    ready = set(
        access.restrict(AgendaPack.objects.filter(meeting__in=ids, status="done", superseded=False), request.user, "view")
        .values_list("meeting", flat=True)
    )  # fmt: skip
    for meeting in page.object_list:
        meeting.item_count, meeting.paper_count = items.get(meeting.pk, 0), papers.get(meeting.pk, 0)
        meeting.pack_ready = meeting.pk in ready
    return render(
        request,
        "meetings/meeting_list.html",
        {"body": body, "page": page, "crumbs": editing.crumbs(body=body)},
    )


# -- the meeting page --------------------------------------------------------------------------
@login_required
def meeting_detail(request, pk: int):
    meeting = _find(request, MEETINGS, pk)
    return _meeting_page(request, meeting)


def _meeting_page(request, meeting: Meeting, *, item_form=None, status: int = 200):
    user = request.user
    editable = _may_edit(user, meeting)
    items = queries.meeting_items(meeting, user)
    previous, following = queries.previous_and_next(meeting, user)
    context = {
        "meeting": meeting,
        "body": meeting.body,
        "items": items,
        "attendance": queries.attendance(meeting),
        "expected": queries.expected_attendance(meeting),
        "matters_arising": queries.matters_arising(meeting, user),
        "previous": previous,
        "following": following,
        "packs": queries.latest_packs(meeting, user),
        "minutes": queries.minutes_of(meeting, user),
        "approved_here": list(
            Minutes.objects.filter(approval__meeting=meeting).select_related("meeting", "approval")
        ),
        "editable": editable,
        "crumbs": editing.crumbs(body=meeting.body),
        "statuses": Attendance.Status.choices,
        "managements": DeclareForm.base_fields["management"].choices,
    }
    if editable:
        context |= {
            "planned": queries.planned_entries(meeting),
            "terms_review_due": queries.terms_review_due(meeting),
            "terms_review_title": queries.TERMS_REVIEW_TITLE,
            "item_form": item_form or _item_form(meeting),
            "paper_form": PaperForm(),
            "unapproved": _unapproved_minutes(meeting),
            "matters": list(Matter.objects.filter(partnership=meeting.body.partnership_id).order_by("name")),
        }
    return render(request, "meetings/meeting.html", context, status=status)


def _item_form(meeting: Meeting, data=None, initial=None) -> AgendaItemForm:
    partnership = meeting.body.partnership_id
    return AgendaItemForm(
        data,
        initial=initial,
        revisioned=initial is not None,
        people=_people(meeting.body),
        organisations=Organisation.objects.filter(memberships__partnership=partnership)
        .distinct()
        .order_by("name"),
    )


def _unapproved_minutes(meeting: Meeting):
    """Earlier meetings of the body with draft minutes: approvable at this meeting."""
    return list(
        Minutes.objects.filter(
            meeting__body=meeting.body_id,
            meeting__starts_at__lt=meeting.starts_at,
            status=Minutes.Status.DRAFT,
        )
        .select_related("meeting__body")
        .order_by("meeting__starts_at")
    )


@login_required
@require_POST
def item_add(request, pk: int):
    meeting = _find(request, MEETINGS, pk, "change")
    form = _item_form(meeting, request.POST)
    if form.is_valid() and _write(
        request, form, lambda: services.agenda_item_add(meeting=meeting, **form.cleaned_data)
    ):
        messages.success(request, "The item was added to the agenda.")
        return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#agenda")
    return _meeting_page(request, meeting, item_form=form, status=400)


ITEMS = AgendaItem.objects.select_related("meeting__body__partnership")


@login_required
def item_edit(request, pk: int):
    """Correct an item (at the revision the user opened it), or move it up or down the agenda."""
    item = _find(request, ITEMS, pk, "change")
    meeting = item.meeting
    if request.method == "POST" and request.POST.get("move") in ("up", "down"):
        guarded_write(
            user=request.user,
            write=lambda: services.agenda_item_move(item=item, up=request.POST["move"] == "up"),
        )
        return redirect(reverse("meeting-detail", args=[meeting.pk]) + f"#item-{item.pk}")
    initial = {
        "title": item.title, "purpose": item.purpose, "presenter": item.presenter_id, "planned_time": item.planned_time,
        "restricted": item.restricted, "restriction_reason": item.restriction_reason,
        "organisations": list(item.organisations.values_list("pk", flat=True)), "expected_revision": item.revision,
    }  # fmt: skip
    form = _item_form(meeting, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "expected_revision"}
        try:
            guarded_write(
                user=request.user,
                record=item,
                expected_revision=form.cleaned_data["expected_revision"],
                write=lambda: services.agenda_item_change(item=item, **data),
            )
        except StaleRecord:
            form.add_error(
                None,
                "Someone else changed the item after you opened it: reload it and make your change again.",
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, "The item was saved.")
            return redirect(reverse("meeting-detail", args=[meeting.pk]) + f"#item-{item.pk}")
    context = {
        "item": item, "meeting": meeting, "form": form,
        "crumbs": [*editing.crumbs(body=meeting.body), (str(meeting), reverse("meeting-detail", args=[meeting.pk]))],
    }  # fmt: skip
    return render(request, "meetings/item.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def item_from_plan(request, pk: int):
    meeting = _find(request, MEETINGS, pk, "change")
    entry = ForwardPlanEntry.objects.filter(body=meeting.body_id, pk=request.POST.get("entry") or 0).first()
    if entry is None:
        return HttpResponse("Choose an entry of the body's forward plan.", status=400)
    try:
        guarded_write(
            user=request.user, write=lambda: services.agenda_item_from_plan(meeting=meeting, entry=entry)
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    messages.success(request, f"“{entry.title}” was added to the agenda from the forward plan.")
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#agenda")


@login_required
@require_POST
def item_from_action(request, pk: int):
    meeting = _find(request, MEETINGS, pk, "change")
    action = (
        access.restrict(Action.objects.filter(body=meeting.body_id), request.user, "view")
        .filter(pk=request.POST.get("action") or 0)
        .first()
    )
    if action is None:
        return HttpResponse("Choose an open action of the body.", status=400)
    try:
        guarded_write(
            user=request.user, write=lambda: services.agenda_item_from_action(meeting=meeting, action=action)
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    messages.success(request, "The matter arising was added to the agenda.")
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#agenda")


@login_required
@require_POST
def attendance(request, pk: int):
    """Pre-fill the seats from the appointments in force, or record each seat's status."""
    meeting = _find(request, MEETINGS, pk, "change")
    try:
        if "prefill" in request.POST:
            guarded_write(
                user=request.user, write=lambda: services.attendance_prefill(meeting=meeting) and None
            )
        else:
            guarded_write(user=request.user, write=lambda: _record_statuses(meeting, request.POST))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#attendance")
    messages.success(request, "The attendance was saved.")
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#attendance")


def _record_statuses(meeting: Meeting, data) -> None:
    for seat in meeting.attendances.select_related("person", "deputy"):
        status = data.get(f"status-{seat.person_id}")
        if status and status != seat.status and status in Attendance.Status.values:
            if status == Attendance.Status.REPRESENTED_BY_DEPUTY and seat.deputy is None:
                raise ValidationError(f"Name {seat.person.name}'s deputy on the meeting's editing page.")
            decision_services.attendance_record(
                meeting=meeting,
                person=seat.person,
                status=status,
                deputy=seat.deputy if status == Attendance.Status.REPRESENTED_BY_DEPUTY else None,
                note=seat.note,
            )


@login_required
@require_POST
def declare(request, pk: int):
    """One click from a flag: the member's registered interest declared at the item."""
    item = _find(request, AgendaItem.objects.select_related("meeting__body"), pk, "change")
    interests = Interest.objects.filter(partnership=item.meeting.body.partnership_id)
    form = DeclareForm(request.POST, interests=interests)
    if not form.is_valid():
        return HttpResponse("Choose the interest declared.", status=400)
    try:
        guarded_write(
            user=request.user,
            write=lambda: services.declaration_from_flag(agenda_item=item, **form.cleaned_data),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{form.cleaned_data['interest'].person.name}'s declaration was recorded at item {item.reference or item.position}.",
        )
    return redirect(reverse("meeting-detail", args=[item.meeting_id]) + f"#item-{item.pk}")


# -- papers ----------------------------------------------------------------------------------------
@login_required
@require_POST
def paper_upload(request, pk: int):
    item = _find(request, AgendaItem.objects.select_related("meeting__body__partnership"), pk, "change")
    form = PaperForm(request.POST, request.FILES)
    if form.is_valid() and _write(
        request,
        form,
        lambda: (
            services.paper_upload(
                agenda_item=item,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                user=request.user,
            ).paper
        ),
    ):
        messages.success(request, "The paper was uploaded.")
        return redirect(reverse("meeting-detail", args=[item.meeting_id]) + f"#item-{item.pk}")
    return render(
        request,
        "meetings/paper_error.html",
        {"form": form, "item": item, "meeting": item.meeting},
        status=400,
    )


PAPERS = Paper.objects.select_related("agenda_item__meeting__body__partnership")


@login_required
def paper_detail(request, pk: int):
    paper = _find(request, PAPERS, pk)
    meeting = paper.agenda_item.meeting
    form = ReplacePaperForm()
    status = 200
    if request.method == "POST":
        paper = _find(request, PAPERS, pk, "change")
        form = ReplacePaperForm(request.POST, request.FILES)
        if form.is_valid() and _write(
            request,
            form,
            lambda: (
                services.paper_upload(
                    agenda_item=paper.agenda_item,
                    upload=form.cleaned_data["file"],
                    paper=paper,
                    user=request.user,
                ).paper
            ),
        ):
            messages.success(request, "The new version was uploaded; the earlier ones are kept.")
            return redirect("meeting-paper", pk=paper.pk)
        status = 400
    context = {
        "paper": paper,
        "meeting": meeting,
        "versions": list(paper.versions.order_by("-number")),
        "form": form,
        "editable": _may_edit(request.user, meeting),
        "crumbs": [
            *editing.crumbs(body=meeting.body),
            (str(meeting), reverse("meeting-detail", args=[meeting.pk])),
        ],
    }
    return render(request, "meetings/paper.html", context, status=status)


@login_required
def paper_download(request, pk: int, number: int | None = None):
    """The paper's newest version (or version `number`), for those who may read it."""
    return paper_file_response(_find(request, PAPERS, pk), number)


# -- packs -------------------------------------------------------------------------------------
@login_required
@require_POST
def pack_make(request, pk: int):
    meeting = _find(request, MEETINGS, pk, "change")
    guarded_write(user=request.user, write=lambda: services.pack_request(meeting=meeting) and None)
    messages.success(request, "The agenda pack is being made.")
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#pack")


PACKS = AgendaPack.objects.select_related("meeting__body__partnership")


@login_required
def pack_detail(request, pk: int):
    pack = _find(request, PACKS, pk)
    template = "meetings/_pack_status.html" if request.htmx else "meetings/pack.html"
    meeting = pack.meeting
    return render(
        request,
        template,
        {
            "pack": pack,
            "meeting": meeting,
            "crumbs": [
                *editing.crumbs(body=meeting.body),
                (str(meeting), reverse("meeting-detail", args=[meeting.pk])),
            ],
        },
    )


@login_required
def pack_download(request, pk: int):
    return pack_file_response(_find(request, PACKS, pk))


@login_required
@require_POST
def notice_send(request, pk: int):
    """Email the body's members the notice of the meeting with links to its pages."""
    meeting = _find(request, MEETINGS, pk, "change")
    notice = guarded_write(
        user=request.user, write=lambda: notices.notice_send(meeting=meeting, user=request.user)
    )
    messages.success(
        request, f"The notice was sent to {notice.sent_to} member{'s' if notice.sent_to != 1 else ''}."
    )
    return redirect(reverse("meeting-detail", args=[meeting.pk]) + "#pack")


# -- minutes -----------------------------------------------------------------------------------
@login_required
def minutes(request, pk: int):
    meeting = _find(request, MEETINGS, pk)
    editable = _may_edit(request.user, meeting)
    found = queries.minutes_of(meeting, request.user)
    errors = []
    if request.method == "POST":
        meeting = _find(request, MEETINGS, pk, "change")
        texts = {
            item.pk: request.POST.get(f"minute-{item.pk}", "")
            for item in queries.visible_items(meeting, request.user)
        }
        try:
            guarded_write(
                user=request.user, write=lambda: services.minutes_draft(meeting=meeting, texts=texts)
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, "The draft minutes were saved.")
            return redirect("meeting-minutes", pk=meeting.pk)
    items = queries.minuted_items(meeting, request.user)
    context = {
        "meeting": meeting,
        "minutes": found,
        "items": items,
        "attendance": queries.attendance(meeting),
        "editable": editable,
        "errors": errors,
        "people": _people(meeting.body),
        "matters": list(
            access.restrict(
                Matter.objects.filter(partnership=meeting.body.partnership_id), request.user
            ).order_by("name")
        ),
        "powers": ItemDecisionForm.base_fields["power"].choices,
        "outcomes": ItemDecisionForm.base_fields["outcome"].choices,
        "crumbs": [
            *editing.crumbs(body=meeting.body),
            (str(meeting), reverse("meeting-detail", args=[meeting.pk])),
        ],
    }
    return render(request, "meetings/minutes.html", context, status=400 if errors else 200)


@login_required
@require_POST
def minutes_approve(request, pk: int):
    """At meeting `pk` (the later meeting), approve the earlier meeting's draft minutes."""
    at = _find(request, MEETINGS, pk, "change")
    found = Minutes.objects.filter(pk=request.POST.get("minutes") or 0, meeting__body=at.body_id).first()
    if found is None:
        return HttpResponse("Choose the minutes to approve.", status=400)
    form = ApproveMinutesForm(
        request.POST,
        matters=Matter.objects.filter(partnership=at.body.partnership_id),
        items=AgendaItem.objects.filter(meeting=at),
    )
    if form.is_valid() and _write(
        request, form, lambda: services.minutes_approve(minutes=found, at=at, **form.cleaned_data)
    ):
        messages.success(request, f"The minutes of {found.meeting} were approved and are now locked.")
        return redirect(reverse("meeting-detail", args=[at.pk]) + "#minutes")
    messages.error(request, " ".join(message for _, message in form.error_list()))
    return redirect(reverse("meeting-detail", args=[at.pk]) + "#minutes")


@login_required
def minute_amend(request, pk: int):
    entry = _find(
        request,
        MinuteEntry.objects.select_related("minutes__meeting__body__partnership", "agenda_item"),
        pk,
        "change",
    )
    form = AmendForm(request.POST or None, initial={"text": entry.text})
    if (
        request.method == "POST"
        and form.is_valid()
        and _write(
            request, form, lambda: services.minute_amend(entry=entry, user=request.user, **form.cleaned_data)
        )
    ):
        messages.success(request, "The amendment was recorded.")
        return redirect("meeting-minutes", pk=entry.minutes.meeting_id)
    meeting = entry.minutes.meeting
    return render(
        request,
        "meetings/amend.html",
        {
            "entry": entry,
            "form": form,
            "meeting": meeting,
            "crumbs": [
                *editing.crumbs(body=meeting.body),
                (str(meeting), reverse("meeting-detail", args=[meeting.pk])),
            ],
        },
        status=400 if form.errors else 200,
    )


@login_required
def minutes_pdf(request, pk: int):
    meeting = _find(request, MEETINGS, pk)
    found = queries.minutes_of(meeting, request.user)
    if found is None:
        raise Http404("No minutes yet.")
    items = queries.minuted_items(meeting, request.user)
    data = minutes_document(
        meeting=meeting, minutes=found, items=items, attendance=queries.attendance(meeting)
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.meeting_date.isoformat()}.pdf"'
    return response


@login_required
@require_POST
def decision_add(request, pk: int):
    """Record a decision at the item (decisions.services.decision_record, with the item)."""
    item = _find(request, AgendaItem.objects.select_related("meeting__body__partnership"), pk, "change")
    body = item.meeting.body
    form = ItemDecisionForm(
        request.POST,
        matters=access.restrict(Matter.objects.filter(partnership=body.partnership_id), request.user),
    )
    if form.is_valid() and _write(
        request,
        form,
        lambda: decision_services.decision_record(
            body=body, meeting=item.meeting, agenda_item=item, **form.cleaned_data
        ),
    ):
        messages.success(request, f"The decision at item {item.reference or item.position} was recorded.")
    else:
        messages.error(request, " ".join(message for _, message in form.error_list()))
    return redirect(reverse("meeting-minutes", args=[item.meeting_id]) + f"#item-{item.pk}")


# -- actions -----------------------------------------------------------------------------------
@login_required
@require_POST
def action_add(request, pk: int):
    item = _find(request, AgendaItem.objects.select_related("meeting__body__partnership"), pk, "change")
    form = ActionForm(request.POST, people=_people(item.meeting.body))
    if form.is_valid() and _write(
        request, form, lambda: services.action_add(agenda_item=item, **form.cleaned_data)
    ):
        messages.success(request, "The action was recorded.")
    else:
        messages.error(request, " ".join(message for _, message in form.error_list()))
    return redirect(reverse("meeting-minutes", args=[item.meeting_id]) + f"#item-{item.pk}")


@login_required
def action_detail(request, pk: int):
    found = _find(
        request, Action.objects.select_related("body__partnership", "owner", "agenda_item__meeting"), pk
    )
    own = person_id_of(request.user) == found.owner_id
    editable = access.may_change_partnership(request.user, found.body.partnership_id)
    form = ActionUpdateForm(request.POST or None)
    if request.method == "POST":
        if not (editable or own):
            raise PermissionDenied("Only the owner or the secretariat updates an action.")
        if form.is_valid() and _write(
            request,
            form,
            lambda: services.action_update(action=found, user=request.user, **form.cleaned_data),
            action="view",
        ):
            messages.success(request, "The update was recorded.")
            return redirect("meeting-action", pk=found.pk)
    meeting = found.agenda_item.meeting
    return render(
        request,
        "meetings/action.html",
        {
            "action": found,
            "updates": list(found.updates.order_by("on", "pk")),
            "form": form,
            "may_update": editable or own,
            "meeting": meeting,
            "crumbs": [
                *editing.crumbs(body=found.body),
                (str(meeting), reverse("meeting-detail", args=[meeting.pk])),
            ],
        },
        status=400 if form.errors else 200,
    )


# -- forward plan --------------------------------------------------------------------------------
@login_required
def forward_plan(request, pk: int):
    body = _find(request, Body.objects.select_related("partnership"), pk)
    editable = access.may_change_partnership(request.user, body.partnership_id)
    form = ForwardPlanForm(request.POST or None)
    if request.method == "POST":
        body = _find(request, Body.objects.select_related("partnership"), pk, "change")
        if form.is_valid() and _write(
            request, form, lambda: services.forward_plan_add(body=body, **form.cleaned_data)
        ):
            messages.success(request, "The entry was added to the forward plan.")
            return redirect("forward-plan", pk=body.pk)
    context = {
        "body": body,
        "entries": list(
            ForwardPlanEntry.objects.filter(body=body, ended=False)
            .annotate(used=Count("uses"))
            .order_by("month", "title")
        ),
        "key_decisions": queries.key_decisions_published(body.pk),
        "form": form,
        "editable": editable,
        "crumbs": editing.crumbs(body=body),
    }
    return render(request, "meetings/forward_plan.html", context, status=400 if form.errors else 200)


# -- a member's interests, gifts and annual return -------------------------------------------------
def _declaring(request) -> tuple[Person | None, object]:
    """The signed-in member's person and the partnerships where they may declare."""
    person_id = person_id_of(request.user)
    scope = access.partnership_scope(request.user, "declare")
    partnerships = (
        Partnership.objects.all() if scope is None else Partnership.objects.filter(pk__in=scope or [])
    )
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    return person, partnerships.order_by("name")


@login_required
def my_interests(request):
    person, partnerships = _declaring(request)
    if person is None:
        return render(request, "meetings/no_person.html", status=403)
    interest_form = InterestForm(prefix="interest", partnerships=partnerships)
    gift_form = GiftForm(
        prefix="gift", partnerships=partnerships, initial={"offered_on": timezone.localdate()}
    )
    return_form = ReturnForm(prefix="return")
    status = 200
    if request.method == "POST":
        done, forms = _my_interests_post(request, person, partnerships, interest_form, gift_form, return_form)
        if done:
            return redirect("my-interests")
        interest_form, gift_form, return_form = forms
        status = 400
    return render(
        request,
        "meetings/my_interests.html",
        _my_interests_context(request, person, partnerships, interest_form, gift_form, return_form),
        status=status,
    )


def _my_interests_post(request, person, partnerships, interest_form, gift_form, return_form):
    which = request.POST.get("form")
    if which == "interest":
        interest_form = InterestForm(request.POST, prefix="interest", partnerships=partnerships)
        if interest_form.is_valid() and _write(
            request,
            interest_form,
            lambda: services.interest_declare(person=person, **interest_form.cleaned_data),
            action="declare",
        ):
            messages.success(request, "Your interest was entered in the register.")
            return True, ()
    elif which == "gift":
        gift_form = GiftForm(request.POST, prefix="gift", partnerships=partnerships)
        if gift_form.is_valid() and _write(
            request,
            gift_form,
            lambda: services.gift_declare(person=person, **gift_form.cleaned_data),
            action="declare",
        ):
            messages.success(request, "The gift or hospitality was entered in the register.")
            return True, ()
    elif which == "return":
        round_ = _open_round(partnerships, request.POST.get("round"))
        return_form = ReturnForm(request.POST, prefix="return")
        if round_ is None:
            return_form.add_error(None, "There is no open declaration round.")
        elif return_form.is_valid() and _write(
            request,
            return_form,
            lambda: _return_saved(round_, person, return_form.cleaned_data["nil_return"]),
            action="view",
        ):
            messages.success(request, f"Your return for {round_.year} was recorded. Thank you.")
            return True, ()
    elif which == "end":
        interest = Interest.objects.filter(person=person, pk=request.POST.get("interest") or 0).first()
        if interest is not None:
            try:
                guarded_write(
                    user=request.user,
                    write=lambda: services.interest_end(interest=interest),
                    action="declare",
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "The interest was ended today; the register keeps it.")
        return True, ()
    return False, (interest_form, gift_form, return_form)


def _return_saved(round_, person, nil_return):
    services.return_make(round=round_, person=person, nil_return=nil_return)
    return round_


def _open_round(partnerships, pk):
    today = timezone.localdate()
    return DeclarationRound.objects.filter(
        partnership__in=partnerships, opens_on__lte=today, closes_on__gte=today, pk=pk or 0
    ).first()


def _my_interests_context(request, person, partnerships, interest_form, gift_form, return_form):
    today = timezone.localdate()
    rounds = list(
        DeclarationRound.objects.filter(
            partnership__in=partnerships, opens_on__lte=today, closes_on__gte=today
        ).select_related("partnership")
    )
    returned = {r.round_id: r for r in DeclarationReturn.objects.filter(person=person, round__in=rounds)}
    for round_ in rounds:
        round_.my_return = returned.get(round_.pk)
    gifts = list(
        Gift.objects.filter(person=person).select_related("partnership").order_by("-offered_on", "-pk")
    )
    for gift in gifts:
        gift.rule = gift_rule(kind=gift.kind, value_gbp=gift.value_gbp, accepted=gift.accepted)
    return {
        "person": person,
        "interests": list(
            Interest.objects.filter(person=person)
            .select_related("partnership", "organisation")
            .order_by("-effective_from", "-pk")
        ),
        "gifts": gifts,
        "rounds": rounds,
        "interest_form": interest_form,
        "gift_form": gift_form,
        "return_form": return_form,
        "today": today,
    }


@login_required
def gifts_register(request, pk: int):
    partnership = _find(request, Partnership.objects.all(), pk)
    gifts = list(
        access.restrict(Gift.objects.filter(partnership=partnership), request.user, "view")
        .select_related("person")
        .order_by("-offered_on", "-pk")
    )
    for gift in gifts:
        gift.rule = gift_rule(kind=gift.kind, value_gbp=gift.value_gbp, accepted=gift.accepted)
    return render(
        request,
        "meetings/gifts.html",
        {"partnership": partnership, "gifts": gifts, "crumbs": editing.crumbs(partnership=partnership)},
    )


@login_required
def declaration_rounds(request, pk: int):
    """The secretariat's rounds: open one, and each round's completion report."""
    partnership = _find(request, Partnership.objects.all(), pk, "change")
    form = RoundForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _write(request, form, lambda: services.round_open(partnership=partnership, **form.cleaned_data))
    ):
        messages.success(
            request, "The declaration round was opened; members are reminded until they make their return."
        )
        return redirect("declaration-rounds", pk=partnership.pk)
    rounds = list(DeclarationRound.objects.filter(partnership=partnership).order_by("-year"))
    for round_ in rounds:
        round_.made = list(round_.returns.select_related("person").order_by("person__name"))
        round_.outstanding = list(round_members(round_, min(timezone.localdate(), round_.closes_on)))
        round_.total = len(round_.made) + len(round_.outstanding)
    return render(
        request,
        "meetings/rounds.html",
        {
            "partnership": partnership,
            "rounds": rounds,
            "form": form,
            "crumbs": editing.crumbs(partnership=partnership),
        },
        status=400 if form.errors else 200,
    )


# -- calendars ---------------------------------------------------------------------------------
@login_required
def my_calendar(request):
    person_id = person_id_of(request.user)
    if person_id is None:
        return render(request, "meetings/no_person.html", status=403)
    person = Person.objects.get(pk=person_id)
    new_address = None
    if request.method == "POST":
        new_address = _calendar_post(request, person)
        if new_address is None:
            return redirect("my-calendar")
    subscriptions = list(
        CalendarSubscription.objects.filter(person=person, revoked_at__isnull=True)
        .select_related("body")
        .order_by("-created_at")
    )
    bodies = access.restrict(
        Body.objects.filter(appointments__person=person).distinct(), request.user, "view"
    ).order_by("name")
    return render(
        request,
        "meetings/my_calendar.html",
        {"person": person, "subscriptions": subscriptions, "bodies": bodies, "new_address": new_address},
    )


def _calendar_post(request, person):
    if "revoke" in request.POST:
        found = CalendarSubscription.objects.filter(person=person, pk=request.POST.get("revoke") or 0).first()
        if found is None:
            raise Http404("No such subscription.")
        services.subscription_revoke(subscription=found)
        messages.success(request, "The calendar address was revoked; calendars using it stop updating.")
        return None
    body = None
    if request.POST.get("body"):
        body = (
            access.restrict(Body.objects.all(), request.user, "view").filter(pk=request.POST["body"]).first()
        )
        if body is None:
            raise Http404("No such body.")
    _, token = services.subscription_create(person=person, body=body)
    return request.build_absolute_uri(reverse("calendar-feed", args=[token]))


def calendar_feed(request, token: str):
    """The subscription's feed: no sign-in, no Authorization header; the token is the credential."""
    subscription = calendars.subscription_for(token)
    if subscription is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendars.feed(subscription), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# -- search --------------------------------------------------------------------------------------
@login_required
def paper_search(request):
    text = request.GET.get("q", "")[:200]
    found = queries.paper_search(request.user, text)
    return render(request, "meetings/paper_search.html", {"q": text, "papers": found})
