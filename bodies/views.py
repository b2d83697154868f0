"""Staff pages of the registry: partnerships and organisations. Reads go through `restrict`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from bodies import replacing, services
from bodies.charts import structure_chart
from bodies.forms import (
    DRAFT_PARTS_MAX,
    AppointmentForm,
    BodyForm,
    EndForm,
    MembershipEndForm,
    MembershipForm,
    ObjectiveFormSet,
    PersonForm,
    PublicSiteForm,
    ReplaceForm,
    RoleFormSet,
    TermsOfReferenceApproveForm,
    TermsOfReferenceDraftForm,
)
from bodies.models import (
    Agreement,
    Appointment,
    Body,
    Membership,
    Partnership,
    Person,
    Signature,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)
from bodies.queries import bodies_as_at, memberships_as_at, people_of, relationships_as_at
from bodies.successions import stand_ins
from core import editing
from core.access import restrict
from core.history import changes_of, changes_of_parts
from core.paging import as_at_from
from core.writes import StaleRecord, guarded_write, rows_changed_since


@login_required
def partnership_detail(request, pk: int):
    partnership = get_object_or_404(restrict(Partnership.objects.select_related("lead"), request.user), pk=pk)
    on, date_error = as_at_from(request)
    memberships = list(
        memberships_as_at(partnership, on).prefetch_related(
            Prefetch(
                "organisation__memberships",
                queryset=Membership.objects.in_force(on)
                .exclude(partnership=partnership)
                .select_related("partnership")
                .order_by("partnership__name"),
                to_attr="other_memberships",
            )
        )
    )
    agreements = list(
        Agreement.objects.filter(partnership=partnership)
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("organisation")))
        .order_by("title")
    )
    signatures = [s for agreement in agreements for s in agreement.signatures.all()]
    # A dissolved member or signatory is shown with who stands in its place on the day.
    in_place = stand_ins({m.organisation for m in memberships} | {s.organisation for s in signatures}, on)
    for record in [*memberships, *signatures]:
        record.in_place = in_place.get(record.organisation_id, [])
    by_standing: dict[str, list[Membership]] = {}
    for membership in memberships:
        by_standing.setdefault(membership.get_standing_display(), []).append(membership)
    bodies = list(bodies_as_at(partnership, on))
    relationships = list(relationships_as_at(partnership, on))
    statutory = {
        rel.to_body
        for rel in relationships
        if rel.to_body.partnership_id is None and rel.to_body not in bodies
    }
    return render(
        request,
        "pages/partnership_detail.html",
        {
            "partnership": partnership,
            "on": on,
            "date_error": date_error,
            "by_standing": by_standing,
            "bodies": bodies,
            "relationships": relationships,
            "chart": structure_chart([*bodies, *statutory], relationships, on),
            "agreements": agreements,
            "stages": partnership.stages.all(),
        },
    )


# -- Editing (secretariat) ---------------------------------------------------------------------
# Every page: the record through the access layer (404 outside the user's partnerships, 403 where
# they may only read), the model's and the services' rules, the revision the user opened.


@login_required
def body_create(request, pk: int):
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    return editing.edit_page(
        request,
        form_class=BodyForm,
        instance=Body(partnership=partnership),
        template="edit/form.html",
        context={
            "title": "Add a body",
            "caption": partnership.name,
            "crumbs": editing.crumbs(partnership),
            "back_url": reverse("partnership-detail", args=[partnership.pk]),
            "submit_label": "Add the body",
        },
        success_url=lambda body: reverse("body-detail", args=[body.pk]),
        success_message="The body was added.",
    )


@login_required
def public_site(request, pk: int):
    """Switch the partnership's public site on or off: its administrator's decision (a guarded write,
    recorded in its history)."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="publish")
    return editing.edit_page(
        request,
        form_class=PublicSiteForm,
        instance=partnership,
        template="edit/form.html",
        context={
            "title": "Public site",
            "caption": partnership.name,
            "crumbs": editing.crumbs(partnership=partnership),
            "back_url": reverse("partnership-detail", args=[partnership.pk]),
            "history": changes_of(partnership),
        },
        success_url=lambda saved: reverse("partnership-detail", args=[saved.pk]),
        success_message="The public site setting was saved.",
    )


@login_required
def body_edit(request, pk: int):
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk)
    return editing.edit_page(
        request,
        form_class=BodyForm,
        instance=body,
        template="edit/form.html",
        context={
            "title": f"Change {body.name}",
            "caption": body.partnership.name if body.partnership else "",
            "crumbs": editing.crumbs(body=body),
            "back_url": reverse("body-detail", args=[body.pk]),
            "history": changes_of(body),
        },
        success_url=lambda saved: reverse("body-detail", args=[saved.pk]),
        success_message="Your changes to the body were saved.",
    )


@login_required
def terms_of_reference_new_version(request, pk: int):
    """POST: start a draft, a copy of the latest version (the form is a button on the body page)."""
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk, action="add")
    drafts = body.terms_of_reference.filter(status=TermsOfReference.Status.DRAFT).order_by("-version")
    errors = []
    if request.method == "POST":
        latest = body.terms_of_reference.order_by("-version").first()
        try:
            draft = services.terms_of_reference_new_version(body=body, based_on=latest)
        except ValidationError as error:  # a draft exists already: one revision at a time
            errors = error.messages
        else:
            messages.success(
                request, f"Version {draft.version} was started as a draft, a copy of the latest version."
            )
            return redirect("edit-terms-of-reference", pk=draft.pk)
    return render(
        request,
        "edit/terms_of_reference_new_version.html",
        {
            "body": body,
            "drafts": drafts,
            "title": "Start a new version",
            "crumbs": editing.crumbs(body=body),
            "formset_errors": [("", message) for message in errors],
        },
        status=400 if errors else 200,
    )


def _terms_crumbs(terms):
    return editing.crumbs(body=terms.body)


@login_required
def terms_of_reference_edit(request, pk: int):
    """A draft: its text, its objectives and the roles it provides for, on one form."""
    terms = editing.get_for(request, TermsOfReference.objects.select_related("body__partnership"), pk)
    if terms.status != TermsOfReference.Status.DRAFT:
        return render(
            request,
            "edit/terms_of_reference_not_draft.html",
            {"terms": terms, "title": f"Version {terms.version}", "crumbs": _terms_crumbs(terms)},
            status=409,
        )
    title = f"Draft terms of reference, version {terms.version}"
    context = {
        "title": title,
        "caption": terms.body.name,
        "terms": terms,
        "crumbs": _terms_crumbs(terms),
        "back_url": reverse("body-detail", args=[terms.body_id]),
        "back_label": "Back to the body",
        "history": changes_of(terms),
        "parts_history": changes_of_parts(
            terms, {TermsOfReferenceObjective: "Objective", TermsOfReferenceRole: "Role"}
        ),
    }

    def build(data=None):
        parts = {"instance": terms}
        return (
            TermsOfReferenceDraftForm(data, instance=terms),
            ObjectiveFormSet(
                data, prefix="objectives", queryset=terms.objectives.order_by("position"), **parts
            ),
            RoleFormSet(
                data,
                prefix="roles",
                queryset=terms.roles.select_related("organisation").order_by("position"),
                form_kwargs={"user": request.user},
                **parts,
            ),
        )

    def page(form, objectives, roles, status=200):
        return render(
            request,
            "edit/terms_of_reference_draft.html",
            {
                **context,
                "form": form,
                "objectives": objectives,
                "roles": roles,
                "formset_errors": editing.formset_errors(objectives, "Objective")
                + editing.formset_errors(roles, "Role"),
            },
            status=status,
        )

    if request.method != "POST":
        return page(*build())
    adding = editing.row_wanted(request, ("objectives", "roles"))
    if adding:
        form, objectives, roles = build(editing.with_row_added(request.POST, adding, DRAFT_PARTS_MAX))
        if request.htmx:
            formset = objectives if adding == "objectives" else roles
            return editing.added_row_response(
                request,
                formset=formset,
                template="edit/_part_row.html",
                context={**context, "noun": adding[:-1]},
            )
        editing.shown_as_typed(form, objectives, roles, grown=objectives if adding == "objectives" else roles)
        return page(form, objectives, roles)

    form, objectives, roles = build(request.POST)
    stale = None
    if form.is_valid() and objectives.is_valid() and roles.is_valid():
        try:

            def write():
                _check_part_revisions(terms, objectives, roles)
                changes = {
                    name: form.cleaned_data[name]
                    for name in services.DRAFT_FIELDS
                    if name in form.cleaned_data
                }
                services.terms_of_reference_draft_update(terms_of_reference=terms, **changes)
                services.terms_of_reference_draft_parts_update(
                    terms_of_reference=terms,
                    objectives=_part_changes(objectives),
                    roles=_part_changes(roles),
                )
                return terms

            guarded_write(
                user=request.user,
                record=terms,
                expected_revision=form.cleaned_data.get("expected_revision"),
                write=write,
            )
        except StaleRecord as error:
            stale = error
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, "The draft was saved.")
            return redirect(reverse("edit-terms-of-reference", args=[terms.pk]))
    elif form.is_stale() or _part_gone(objectives) or _part_gone(roles):
        stale = StaleRecord(TermsOfReference.objects.get(pk=terms.pk))
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
    return page(form, objectives, roles, status=400)


def _check_part_revisions(terms, *formsets) -> None:
    """Each objective or role the user changed or removed is as they opened it (rows locked)."""
    for formset in formsets:
        touched = {
            row.instance.pk: row
            for row in formset.initial_forms
            if row.has_changed() or formset._should_delete_form(row)
        }
        changed = rows_changed_since(
            formset.model, {pk: row.cleaned_data.get("row_revision") for pk, row in touched.items()}
        )
        if changed:
            what = formset.model._meta.verbose_name
            raise StaleRecord(
                TermsOfReference.objects.get(pk=terms.pk),
                note=f"A {what} you changed (number {touched[changed[0]].instance.position}) was changed or "
                "removed by someone else after you opened the page.",
            )


def _part_gone(formset) -> bool:
    """A row the user submitted no longer exists (someone else removed it)."""
    return any("id" in row.errors for row in formset.forms)


def _part_changes(formset) -> services.DraftPartChanges:
    return services.DraftPartChanges(
        save=formset.save(commit=False),
        remove=list(formset.deleted_objects),
    )


@login_required
def terms_of_reference_approve(request, pk: int):
    terms = editing.get_for(request, TermsOfReference.objects.select_related("body__partnership"), pk)
    return editing.action_page(
        request,
        form_class=TermsOfReferenceApproveForm,
        form_kwargs={"user": request.user},
        record=terms,
        act=lambda data: services.terms_of_reference_approve(
            terms_of_reference=terms,
            approved_on=data["approved_on"],
            effective_from=data.get("effective_from"),
            approved_by=data.get("approved_by"),
        ),
        template="edit/form.html",
        context={
            "title": f"Approve version {terms.version}",
            "caption": terms.body.name,
            "intro": "Approving this draft puts it in force from the day you give; the version in force "
            "before it is superseded the day before.",
            "crumbs": _terms_crumbs(terms),
            "back_url": reverse("edit-terms-of-reference", args=[terms.pk]),
            "submit_label": "Approve this version",
        },
        success_url=lambda saved: reverse("body-detail", args=[saved.body_id]),
        success_message=f"Version {terms.version} was approved.",
    )


@login_required
def memberships(request, pk: int):
    """Every membership of the partnership, past and present, to change or end (paginated)."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk)
    rows = (
        restrict(Membership.objects.filter(partnership=partnership), request.user, "change")
        .select_related("organisation")
        .order_by("organisation__name", "effective_from", "id")
    )
    return editing.list_page(
        request, "edit/memberships.html", rows, crumbs=editing.crumbs(partnership), partnership=partnership
    )


@login_required
def membership_create(request, pk: int):
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    chosen = request.GET.get("organisation", "")  # back from "add a new organisation"
    return editing.edit_page(
        request,
        form_class=MembershipForm,
        form_kwargs={"user": request.user, "initial": {"organisation": chosen} if chosen.isdigit() else {}},
        instance=Membership(partnership=partnership),
        template="edit/form.html",
        context={
            "title": "Add a member organisation",
            "caption": partnership.name,
            "crumbs": editing.crumbs(partnership),
            "back_url": reverse("edit-memberships", args=[partnership.pk]),
            "submit_label": "Add the membership",
        },
        success_url=lambda saved: reverse("edit-membership", args=[saved.pk]),
        success_message="The membership was added.",
    )


@login_required
def membership_edit(request, pk: int):
    membership = editing.get_for(
        request, Membership.objects.select_related("partnership", "organisation"), pk
    )
    return editing.edit_page(
        request,
        form_class=MembershipForm,
        form_kwargs={"user": request.user},
        instance=membership,
        template="edit/membership.html",
        context={
            "title": f"Membership of {membership.organisation.name}",
            "caption": membership.partnership.name,
            "membership": membership,
            "crumbs": [
                *editing.crumbs(membership.partnership),
                ("Memberships", reverse("edit-memberships", args=[membership.partnership_id])),
            ],
            "back_url": reverse("edit-memberships", args=[membership.partnership_id]),
            "back_label": "Back to the memberships",
            "history": changes_of(membership),
        },
        success_url=lambda saved: reverse("edit-membership", args=[saved.pk]),
        success_message="Your changes to the membership were saved.",
    )


@login_required
def membership_end(request, pk: int):
    membership = editing.get_for(
        request, Membership.objects.select_related("partnership", "organisation"), pk
    )
    return editing.action_page(
        request,
        form_class=MembershipEndForm,
        record=membership,
        act=lambda data: services.membership_end(
            membership=membership, ended_on=data["effective_to"], withdrawn=data.get("withdrawn", False)
        ),
        template="edit/form.html",
        context={
            "title": f"End the membership of {membership.organisation.name}",
            "caption": membership.partnership.name,
            "intro": "The membership stays on record, ending on the day you give: the partnership as it stood "
            "before then is unchanged.",
            "crumbs": editing.crumbs(membership.partnership),
            "back_url": reverse("edit-membership", args=[membership.pk]),
            "submit_label": "End the membership",
        },
        success_url=lambda saved: reverse("edit-membership", args=[saved.pk]),
        success_message="The membership was ended.",
    )


@login_required
def appointments(request, pk: int):
    """Every appointment to the body, past and present, to change or end (paginated)."""
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk)
    rows = (
        restrict(Appointment.objects.filter(body=body), request.user, "change")
        .select_related("person", "deputy", "representing")
        .order_by(F("effective_to").desc(nulls_first=True), "role", "person__name", "id")
    )
    return editing.list_page(
        request, "edit/appointments.html", rows, crumbs=editing.crumbs(body=body), body=body
    )


@login_required
def appointment_create(request, pk: int):
    body = editing.get_for(request, Body.objects.select_related("partnership"), pk, action="add")
    return editing.edit_page(
        request,
        form_class=AppointmentForm,
        form_kwargs={"user": request.user, "body": body},
        instance=Appointment(body=body),
        template="edit/form.html",
        context={
            "title": "Appoint someone",
            "caption": body.name,
            "crumbs": editing.crumbs(body=body),
            "back_url": reverse("edit-appointments", args=[body.pk]),
            "submit_label": "Add the appointment",
        },
        success_url=lambda saved: reverse("edit-appointment", args=[saved.pk]),
        success_message="The appointment was added.",
    )


@login_required
def appointment_edit(request, pk: int):
    appointment = editing.get_for(
        request, Appointment.objects.select_related("body__partnership", "person"), pk
    )
    body = appointment.body
    return editing.edit_page(
        request,
        form_class=AppointmentForm,
        form_kwargs={"user": request.user, "body": body},
        instance=appointment,
        template="edit/appointment.html",
        context={
            "title": f"{appointment.person.name}, {appointment.get_role_display().lower()}",
            "caption": body.name,
            "appointment": appointment,
            "crumbs": [
                *editing.crumbs(body=body),
                ("Appointments", reverse("edit-appointments", args=[body.pk])),
            ],
            "back_url": reverse("edit-appointments", args=[body.pk]),
            "back_label": "Back to the appointments",
            "history": changes_of(appointment),
        },
        success_url=lambda saved: reverse("edit-appointment", args=[saved.pk]),
        success_message="Your changes to the appointment were saved.",
    )


@login_required
def appointment_end(request, pk: int):
    appointment = editing.get_for(
        request, Appointment.objects.select_related("body__partnership", "person"), pk
    )
    return editing.action_page(
        request,
        form_class=EndForm,
        record=appointment,
        act=lambda data: services.appointment_end(appointment=appointment, ended_on=data["effective_to"]),
        template="edit/form.html",
        context={
            "title": f"End the appointment of {appointment.person.name}",
            "caption": appointment.body.name,
            "intro": "The appointment stays on record, ending on the day you give.",
            "crumbs": editing.crumbs(body=appointment.body),
            "back_url": reverse("edit-appointment", args=[appointment.pk]),
            "submit_label": "End the appointment",
        },
        success_url=lambda saved: reverse("edit-appointment", args=[saved.pk]),
        success_message="The appointment was ended.",
    )


# -- people (shared reference data: docs/decisions/0002) ----------------------------------------
@login_required
def people(request, pk: int):
    """The people linked to the partnership (its bodies' appointments, its lead), to change or add (paginated)."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk)
    editable = restrict(Person.objects.filter(pk=OuterRef("pk")), request.user, "change")
    rows = (
        restrict(people_of(partnership), request.user)
        .annotate(editable=Exists(editable))
        .order_by("name", "id")
    )
    return editing.list_page(
        request, "edit/people.html", rows, crumbs=editing.crumbs(partnership), partnership=partnership
    )


@login_required
def person_create(request, pk: int):
    """Add someone (before appointing them): any secretariat may, people being shared reference data."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    return editing.edit_page(
        request,
        form_class=PersonForm,
        instance=Person(),
        template="edit/form.html",
        context={
            "title": "Add a person",
            "caption": partnership.name,
            "intro": "People are shared by every partnership: check they are not already in the registry (search "
            "by name) before adding them.",
            "crumbs": [
                *editing.crumbs(partnership),
                ("People", reverse("edit-people", args=[partnership.pk])),
            ],
            "back_url": reverse("edit-people", args=[partnership.pk]),
            "submit_label": "Add the person",
        },
        success_url=lambda saved: reverse("edit-person", args=[saved.pk]),
        success_message="The person was added.",
    )


@login_required
def person_edit(request, pk: int):
    """Change someone's details: only when every partnership they are linked to is the user's to edit
    (403 otherwise: they stay readable, as shared reference data)."""
    person = editing.get_for(request, Person.objects.all(), pk)
    return editing.edit_page(
        request,
        form_class=PersonForm,
        instance=person,
        template="edit/form.html",
        context={
            "title": person.name,
            "caption": "Person",
            "intro": "Shared by every partnership the person sits in: a change shows in all of them.",
            "crumbs": [("Partnerships", reverse("home"))],
            "back_url": reverse("home"),
            "back_label": "Back to the partnerships",
            "history": changes_of(person),
        },
        success_url=lambda saved: reverse("edit-person", args=[saved.pk]),
        success_message="Your changes to the person were saved.",
    )


@login_required
def appointment_replace(request, pk: int):
    """Replace the holder of a seat (the chair, say) in one step: the current appointment ends the day
    before the new one starts (issue 17)."""
    appointment = editing.get_for(
        request, Appointment.objects.select_related("body__partnership", "person"), pk
    )
    holder = appointment.person.name
    role = appointment.get_role_display().lower()
    return editing.action_page(
        request,
        form_class=ReplaceForm,
        form_kwargs={"user": request.user},
        record=appointment,
        act=lambda data: replacing.appointment_replace(
            appointment=appointment,
            person=data["person"],
            starts_on=data["starts_on"],
            title=data.get("title", ""),
            representing=data.get("representing"),
        ),
        template="edit/form.html",
        context={
            "title": f"Replace {holder} as {role}",
            "caption": appointment.body.name,
            "intro": f"{holder}'s appointment as {role} ends the day before the new holder's first day; "
            "both stay on record.",
            "crumbs": [
                *editing.crumbs(body=appointment.body),
                ("Appointments", reverse("edit-appointments", args=[appointment.body_id])),
            ],
            "back_url": reverse("edit-appointment", args=[appointment.pk]),
            "submit_label": f"Replace {holder}",
        },
        success_url=lambda saved: reverse("edit-appointments", args=[saved.body_id]),
        success_message=f"{holder} was replaced as {role}.",
    )
