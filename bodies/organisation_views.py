"""Organisation pages for secretariats (issue 17): the partnership's organisations, adding one (also
from the membership form, returning to it with the new organisation chosen), changing one where every
partnership it belongs to is the user's, and otherwise proposing the change to an administrator."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from bodies.models import Organisation, OrganisationChangeProposal, Partnership
from bodies.organisation_forms import OrganisationForm, OrganisationProposalForm
from bodies.organisations import propose_organisation_change
from core import editing
from core.access import partnership_scope, restrict
from core.history import changes_of


def _next_url(request) -> str | None:
    """Where to return after adding an organisation (the membership form), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@login_required
def organisations(request, pk: int):
    """The organisations that are or were members of the partnership, to change or add (paginated)."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk)
    editable = restrict(Organisation.objects.filter(pk=OuterRef("pk")), request.user, "change")
    rows = (
        restrict(Organisation.objects.filter(memberships__partnership=partnership), request.user)
        .distinct()
        .annotate(editable=Exists(editable), partnerships=Count("memberships__partnership", distinct=True))
        .order_by("name", "id")
    )
    return editing.list_page(
        request,
        "edit/organisations.html",
        rows,
        crumbs=editing.crumbs(partnership),
        partnership=partnership,
        proposals=OrganisationChangeProposal.objects.filter(
            organisation__memberships__partnership=partnership,
            status=OrganisationChangeProposal.Status.PROPOSED,
        )
        .select_related("organisation")
        .distinct()[:20],
    )


@login_required
def organisation_create(request, pk: int):
    """Add an organisation (any secretariat may: organisations are shared reference data). With
    `next` (the membership form), the user goes back there with the new organisation chosen."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    back = _next_url(request)

    def success_url(saved):
        if back:
            joiner = "&" if "?" in back else "?"
            return f"{back}{joiner}organisation={saved.pk}"
        return reverse("edit-organisation", args=[saved.pk])

    return editing.edit_page(
        request,
        form_class=OrganisationForm,
        instance=Organisation(),
        template="edit/organisation_form.html",
        context={
            "title": "Add a new organisation",
            "caption": partnership.name,
            "intro": "Organisations are shared by every partnership: search for it first (by name or ODS code) "
            "in the organisation box of the form you came from.",
            "crumbs": [
                *editing.crumbs(partnership),
                ("Organisations", reverse("edit-organisations", args=[partnership.pk])),
            ],
            "back_url": back or reverse("edit-organisations", args=[partnership.pk]),
            "next": back,
            "submit_label": "Add the organisation",
        },
        success_url=success_url,
        success_message="The organisation was added."
        + (" It is chosen below: finish the membership." if back else ""),
    )


@login_required
def organisation_edit(request, pk: int):
    """Change an organisation: only when every partnership it belongs to is the user's to edit (403
    otherwise, with the way to propose the change)."""
    organisation = editing.get_for(request, Organisation.objects.all(), pk)
    return editing.edit_page(
        request,
        form_class=OrganisationForm,
        instance=organisation,
        template="edit/organisation_form.html",
        context={
            "title": organisation.name,
            "caption": "Organisation",
            "intro": "Shared by every partnership the organisation is a member of: a change shows in all of them.",
            "crumbs": [("Partnerships", reverse("home"))],
            "back_url": reverse("organisation-detail", args=[organisation.pk]),
            "back_label": "Back to the organisation",
            "history": changes_of(organisation),
        },
        success_url=lambda saved: reverse("edit-organisation", args=[saved.pk]),
        success_message="Your changes to the organisation were saved.",
    )


def _proposable(request, pk: int) -> Organisation:
    """An organisation the user may read, a member of a partnership they keep, that they may not change
    themselves: 404 when it is in none of their partnerships, 403 when they keep no partnership."""
    organisation = restrict(Organisation.objects.all(), request.user).filter(pk=pk).first()
    if organisation is None:
        raise Http404("Not found.")
    scope = partnership_scope(request.user, "change")
    if scope is not None and not scope:
        raise PermissionDenied("Only a partnership's secretariat may propose a change.")
    if scope is not None and not organisation.memberships.filter(partnership_id__in=scope).exists():
        raise Http404("Not found.")
    return organisation


@login_required
def organisation_propose(request, pk: int):
    """Propose a change to an organisation shared with partnerships that are not the user's: a registry
    administrator applies it (admin, "Organisation change proposals"); nothing changes until then."""
    organisation = _proposable(request, pk)
    if restrict(Organisation.objects.filter(pk=pk), request.user, "change").exists():
        return redirect("edit-organisation", pk=pk)
    instance = Organisation.objects.get(pk=pk)
    form = (
        OrganisationProposalForm(request.POST, instance=instance)
        if request.method == "POST"
        else OrganisationProposalForm(instance=instance)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                propose_organisation_change(
                    organisation=organisation,
                    changes=form.changes(),
                    user=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                form.apply_errors(error)
            else:
                messages.success(
                    request, "Your proposed change was sent to the registry administrators, who apply it."
                )
                return redirect("organisation-detail", pk=pk)
        status = 400
    return render(
        request,
        "edit/organisation_form.html",
        {
            "form": form,
            "title": f"Propose a change to {organisation.name}",
            "caption": "Organisation",
            "intro": "This organisation is also a member of partnerships you do not keep, so a registry "
            "administrator applies changes to it. Change the details below: they are sent as a proposal.",
            "crumbs": [("Partnerships", reverse("home"))],
            "back_url": reverse("organisation-detail", args=[pk]),
            "submit_label": "Send the proposal",
            "pending": organisation.change_proposals.filter(
                status=OrganisationChangeProposal.Status.PROPOSED
            ),
        },
        status=status,
    )
