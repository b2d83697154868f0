"""Editing (secretariat): risks, their reviews and escalations.

Pages find the risk through the access layer and write through the model (a risk is banded on its
partnership's matrix when saved) and `risks.services` (reviews, escalations), as the API does.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import reverse

from bodies.models import Partnership
from bodies.views import _crumbs, page_of
from risks import services
from risks.forms import RiskEscalationForm, RiskForm, RiskReviewForm
from risks.models import Risk, RiskEscalation, RiskReview
from stp_governance import editing
from stp_governance.access import restrict
from stp_governance.history import changes_of


def _risk_crumbs(risk: Risk):
    return [*_crumbs(risk.partnership), ("Risks", reverse("edit-risks", args=[risk.partnership_id]))]


@login_required
def risks(request, pk: int):
    """The partnership's risks, by reference, to change, review or escalate (paginated)."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk)
    rows = (
        restrict(Risk.objects.filter(partnership=partnership), request.user, "change")
        .select_related("register__body", "register__organisation")
        .order_by("reference", "id")
    )
    return render(
        request,
        "edit/risks.html",
        {
            "partnership": partnership,
            "page": page_of(request, rows),
            "title": "Risks",
            "crumbs": _crumbs(partnership),
        },
    )


@login_required
def risk_create(request, pk: int):
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    return editing.edit_page(
        request,
        form_class=RiskForm,
        form_kwargs={"user": request.user, "partnership": partnership},
        instance=Risk(partnership=partnership),
        template="edit/form.html",
        context={
            "title": "Add a risk",
            "caption": partnership.name,
            "crumbs": [*_crumbs(partnership), ("Risks", reverse("edit-risks", args=[partnership.pk]))],
            "back_url": reverse("edit-risks", args=[partnership.pk]),
            "submit_label": "Add the risk",
        },
        success_url=lambda saved: reverse("edit-risk", args=[saved.pk]),
        success_message="The risk was added.",
    )


@login_required
def risk_edit(request, pk: int):
    risk = editing.get_for(
        request,
        Risk.objects.select_related(
            "partnership", "register__body", "register__organisation"
        ).prefetch_related(
            Prefetch(
                "reviews", queryset=RiskReview.objects.select_related("reviewer").order_by("-reviewed_on")
            ),
            Prefetch(
                "escalations",
                queryset=RiskEscalation.objects.select_related("to_body").order_by("-escalated_on"),
            ),
        ),
        pk,
    )
    return editing.edit_page(
        request,
        form_class=RiskForm,
        form_kwargs={"user": request.user, "partnership": risk.partnership},
        instance=risk,
        template="edit/risk.html",
        context={
            "title": f"{risk.reference}: {risk.title}",
            "caption": str(risk.register.holder),
            "risk": risk,
            "crumbs": _risk_crumbs(risk),
            "back_url": reverse("edit-risks", args=[risk.partnership_id]),
            "back_label": "Back to the risks",
            "history": changes_of(risk),
        },
        success_url=lambda saved: reverse("edit-risk", args=[saved.pk]) + "#history",
        success_message="Your changes to the risk were saved.",
    )


@login_required
def risk_review(request, pk: int):
    risk = editing.get_for(request, Risk.objects.select_related("partnership", "register"), pk)
    return editing.action_page(
        request,
        form_class=RiskReviewForm,
        form_kwargs={"risk": risk, "user": request.user},
        act=lambda data: services.risk_review_record(risk=risk, **data),
        template="edit/form.html",
        context={
            "title": f"Review {risk.reference}",
            "caption": risk.title,
            "intro": "Record the scores as they stand on the day of the review. The latest review sets the risk's "
            "current and target scores and when it is next due.",
            "crumbs": _risk_crumbs(risk),
            "back_url": reverse("edit-risk", args=[risk.pk]),
            "submit_label": "Record the review",
        },
        success_url=lambda review: reverse("edit-risk", args=[review.risk_id]),
        success_message="The review was recorded.",
    )


@login_required
def risk_escalate(request, pk: int):
    risk = editing.get_for(request, Risk.objects.select_related("partnership", "register__body"), pk)
    return editing.action_page(
        request,
        form_class=RiskEscalationForm,
        form_kwargs={"risk": risk, "user": request.user},
        act=lambda data: services.risk_escalate(risk=risk, **data),
        template="edit/form.html",
        context={
            "title": f"Escalate {risk.reference}",
            "caption": risk.title,
            "intro": "A body escalates risks to the bodies it “escalates risks to”, or, with no such line, those it "
            "“reports to”. Anywhere else is refused with the reason.",
            "crumbs": _risk_crumbs(risk),
            "back_url": reverse("edit-risk", args=[risk.pk]),
            "submit_label": "Escalate the risk",
        },
        success_url=lambda escalation: reverse("edit-risk", args=[escalation.risk_id]),
        success_message="The risk was escalated.",
    )
