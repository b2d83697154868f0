"""Staff pages of the risk registers.

Editing (secretariat): risks, their reviews and escalations. Pages find the risk through the access
layer and write through the model (a risk is banded on its partnership's matrix when saved) and
`risks.services` (reviews, escalations), as the API does.

Reading: the register with its heat map and filters, and a risk. Lists and the heat map come from
`risks.queries` and the queryset methods the API uses (`overdue`, `above_appetite`), so the page and
the API cannot disagree; another partnership's register or risk is 404.
"""

from __future__ import annotations

import dataclasses

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from bodies.models import Body, Partnership
from core import editing
from core.access import restrict
from core.effective_dating import today
from core.history import changes_of
from core.paging import paged
from risks import queries, services
from risks.forms import (
    RiskDeEscalationForm,
    RiskEscalationForm,
    RiskEscalationResponseForm,
    RiskForm,
    RiskRegisterForm,
    RiskReviewForm,
)
from risks.models import Band, Risk, RiskAction, RiskEscalation, RiskRegister, RiskReview, ScoringMatrix
from risks.panels import risk_rows
from risks.svg import heat_map_svg


def _risk_crumbs(risk: Risk):
    return [*editing.crumbs(risk.partnership), ("Risks", reverse("edit-risks", args=[risk.partnership_id]))]


@login_required
def risks(request, pk: int):
    """The partnership's risks, by reference, to change, review or escalate (paginated)."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk)
    rows = (
        restrict(Risk.objects.filter(partnership=partnership), request.user, "change")
        .select_related("register__body", "register__organisation")
        .order_by("reference", "id")
    )
    return editing.list_page(
        request, "edit/risks.html", rows, crumbs=editing.crumbs(partnership), partnership=partnership
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
            "crumbs": [*editing.crumbs(partnership), ("Risks", reverse("edit-risks", args=[partnership.pk]))],
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
        success_url=lambda saved: reverse("edit-risk", args=[saved.pk]),
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


# -- reading ----------------------------------------------------------------------------------
RISKS_PAGE_SIZE = 25
SIDE_LIST_PAGE_SIZE = 10
YES_NO = [("", "Either"), ("yes", "Yes"), ("no", "No")]


class RiskFilterForm(editing.NHSForm):
    """The register's filters, as a GET form (every field optional; bad input is a field message)."""

    body = forms.ModelChoiceField(queryset=Body.objects.none(), required=False, empty_label="Any body")
    band = forms.ChoiceField(choices=[("", "Any band"), *Band.choices], required=False, label="Current band")
    category = forms.ChoiceField(choices=[("", "Any category"), *Risk.Category.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Risk.Status.choices], required=False, initial=Risk.Status.OPEN
    )
    overdue = forms.ChoiceField(choices=YES_NO, required=False, label="Overdue for review")
    above_appetite = forms.ChoiceField(choices=YES_NO, required=False, label="Above appetite")
    scores = forms.ChoiceField(
        choices=[("current", "Current scores"), ("target", "Target scores")],
        required=False,
        label="Heat map of",
    )

    def __init__(self, *args, partnership: Partnership, user, with_body: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_body:
            self.fields["body"].queryset = restrict(
                Body.objects.filter(partnership=partnership, risk_registers__isnull=False).distinct(), user
            ).order_by("name")
        else:
            del self.fields["body"]

    def filter(self, risks: QuerySet[Risk]) -> QuerySet[Risk]:
        """The risks matching the filters; unfiltered (or with errors): the open risks."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {"status": Risk.Status.OPEN}
        either = {"yes": True, "no": False}
        return queries.risks_matching(
            risks,
            body=data.get("body"),
            band=data.get("band") or "",
            category=data.get("category") or "",
            status=data.get("status") or "",
            overdue=either.get(data.get("overdue")),
            above_appetite=either.get(data.get("above_appetite")),
        )

    @property
    def heat_map_scores(self) -> str:
        return (self.cleaned_data.get("scores") if self.is_bound and self.is_valid() else "") or "current"


def inline_heat_map(risks: QuerySet[Risk], partnership_id: int, title: str, scores: str) -> str:
    """The heat map of `risks` as SVG markup to place in the page (no script, no inline style: CSP-safe)."""
    heat_map = queries.heat_map(
        risks=risks, matrix=ScoringMatrix.for_partnership(partnership_id), title=title, scores=scores
    )
    svg = heat_map_svg(dataclasses.asdict(heat_map))
    return mark_safe(svg.split("\n", 1)[1])  # without the XML declaration; every text in it is escaped


def _register_page(request, *, partnership: Partnership, risks: QuerySet[Risk], register=None):
    """What the partnership's page and a register's page share: filters, table, heat map, side lists."""
    data = request.GET if any(key in request.GET for key in RiskFilterForm.base_fields) else None
    form = RiskFilterForm(data, partnership=partnership, user=request.user, with_body=register is None)
    shown = form.filter(risks)
    title = f"{register}" if register is not None else f"{partnership.name}: risks shown"
    scope = {"register": register} if register is not None else {"partnership": partnership}
    escalations = queries.escalated_awaiting_response(partnership=partnership, register=register)
    other = "target" if form.heat_map_scores == "current" else "current"
    toggle = request.GET.copy()
    toggle["scores"] = other
    return {
        "partnership": partnership,
        "register": register,
        "form": form,
        "page": paged(request, risk_rows(shown), RISKS_PAGE_SIZE),
        "heat_map": inline_heat_map(shown, partnership.pk, title, form.heat_map_scores),
        "scores": form.heat_map_scores,
        "other_scores": other,
        "toggle_url": f"?{toggle.urlencode()}",
        "overdue": paged(
            request,
            restrict(queries.overdue_for_review(**scope), request.user),
            SIDE_LIST_PAGE_SIZE,
            "overdue_page",
        ),
        "above_appetite": paged(
            request,
            restrict(queries.above_appetite(**scope), request.user),
            SIDE_LIST_PAGE_SIZE,
            "above_page",
        ),
        "escalations": paged(
            request,
            restrict(escalations.order_by("escalated_on", "id"), request.user),
            SIDE_LIST_PAGE_SIZE,
            "escalations_page",
        ),
        "on": today(),
    }


@login_required
def partnership_risks(request, pk: int):
    """Every risk the partnership's registers hold, with the heat map and what needs attention."""
    partnership = get_object_or_404(restrict(Partnership.objects.all(), request.user), pk=pk)
    risks = restrict(Risk.objects.filter(partnership=partnership), request.user)
    context = _register_page(request, partnership=partnership, risks=risks)
    return render(request, "pages/risks.html", context)


@login_required
def register_risks(request, pk: int):
    """One body's (or organisation's) risk register."""
    register = get_object_or_404(
        restrict(RiskRegister.objects.select_related("partnership", "body", "organisation"), request.user),
        pk=pk,
    )
    risks = restrict(Risk.objects.filter(register=register), request.user)
    context = _register_page(request, partnership=register.partnership, risks=risks, register=register)
    return render(request, "pages/risks.html", context)


@login_required
def risk_detail(request, pk: int):
    """A risk: its scores and appetite, controls, the history of its reviews, actions and escalations."""
    risk = get_object_or_404(
        restrict(
            Risk.objects.select_related(
                "partnership", "register__body", "register__organisation", "owner", "lead_organisation"
            ).prefetch_related(
                Prefetch("actions", queryset=RiskAction.objects.select_related("owner")),
                Prefetch(
                    "escalations",
                    queryset=RiskEscalation.objects.select_related(
                        "to_body", "from_register__body", "from_register__organisation"
                    ).order_by("-escalated_on", "-id"),
                ),
            ),
            request.user,
        ),
        pk=pk,
    )
    return render(
        request,
        "pages/risk_detail.html",
        {
            "risk": risk,
            "partnership": risk.partnership,
            "reviews": paged(
                request,
                queries.score_history(risk=risk).order_by("-reviewed_on", "-id"),
                RISKS_PAGE_SIZE,
                "reviews_page",
            ),
            "held_by": queries.holding_escalation(risk),
            "on": today(),
        },
    )


# -- risk registers; the answer to an escalation ------------------------------------------------
@login_required
def risk_registers(request, pk: int):
    """The partnership's risk registers, to add or change (paginated)."""
    partnership = editing.get_for(request, Partnership.objects.all(), pk)
    rows = (
        restrict(RiskRegister.objects.filter(partnership=partnership), request.user, "change")
        .select_related("body", "organisation")
        .annotate(risk_count=Count("risks"))
        .order_by("body__name", "organisation__name", "id")
    )
    return editing.list_page(
        request, "edit/risk_registers.html", rows, crumbs=editing.crumbs(partnership), partnership=partnership
    )


def _registers_crumbs(partnership):
    return [
        *editing.crumbs(partnership),
        ("Risk registers", reverse("edit-risk-registers", args=[partnership.pk])),
    ]


@login_required
def risk_register_create(request, pk: int):
    partnership = editing.get_for(request, Partnership.objects.all(), pk, action="add")
    return editing.edit_page(
        request,
        form_class=RiskRegisterForm,
        form_kwargs={"user": request.user, "partnership": partnership},
        instance=RiskRegister(partnership=partnership),
        template="edit/form.html",
        context={
            "title": "Add a risk register",
            "caption": partnership.name,
            "intro": "Give a body of the partnership, or a member organisation sharing its risks with the "
            "partnership: one of them.",
            "crumbs": _registers_crumbs(partnership),
            "back_url": reverse("edit-risk-registers", args=[partnership.pk]),
            "submit_label": "Add the register",
        },
        success_url=lambda saved: reverse("edit-risk-register", args=[saved.pk]),
        success_message="The risk register was added.",
    )


@login_required
def risk_register_edit(request, pk: int):
    register = editing.get_for(
        request, RiskRegister.objects.select_related("partnership", "body", "organisation"), pk
    )
    return editing.edit_page(
        request,
        form_class=RiskRegisterForm,
        form_kwargs={"user": request.user, "partnership": register.partnership},
        instance=register,
        template="edit/form.html",
        context={
            "title": f"Risk register of {register.holder}",
            "caption": register.partnership.name,
            "crumbs": _registers_crumbs(register.partnership),
            "back_url": reverse("edit-risk-registers", args=[register.partnership_id]),
            "back_label": "Back to the risk registers",
            "history": changes_of(register),
        },
        success_url=lambda saved: reverse("edit-risk-register", args=[saved.pk]),
        success_message="Your changes to the risk register were saved.",
    )


def _escalation_for(request, pk: int) -> RiskEscalation:
    return editing.get_for(
        request, RiskEscalation.objects.select_related("risk__partnership", "to_body", "from_register"), pk
    )


@login_required
def risk_escalation_respond(request, pk: int):
    """The receiving body's answer to an escalation: accept the risk, or return it with advice."""
    escalation = _escalation_for(request, pk)
    risk = escalation.risk
    return editing.action_page(
        request,
        form_class=RiskEscalationResponseForm,
        record=escalation,
        act=lambda data: services.risk_escalation_respond(
            escalation=escalation,
            response=data["response"],
            responded_on=data["responded_on"],
            response_note=data.get("response_note") or "",
        ),
        template="edit/form.html",
        context={
            "title": f"Answer the escalation of {risk.reference} to {escalation.to_body.name}",
            "caption": risk.title,
            "intro": f"Escalated on {escalation.escalated_on:%-d %B %Y}: {escalation.reason} Accepted, the risk is "
            f"held by {escalation.to_body.name} until it is handed back; returned, it stays where it was, with "
            "the advice.",
            "crumbs": _risk_crumbs(risk),
            "back_url": reverse("edit-risk", args=[risk.pk]),
            "submit_label": "Record the answer",
            "history": changes_of(escalation),
        },
        success_url=lambda saved: reverse("edit-risk", args=[saved.risk_id]) + "#escalations",
        success_message="The answer to the escalation was recorded.",
    )


@login_required
def risk_escalation_de_escalate(request, pk: int):
    """Hand an accepted risk back to the register it came from."""
    escalation = _escalation_for(request, pk)
    risk = escalation.risk
    return editing.action_page(
        request,
        form_class=RiskDeEscalationForm,
        record=escalation,
        act=lambda data: services.risk_escalation_de_escalate(
            escalation=escalation,
            de_escalated_on=data["de_escalated_on"],
            de_escalation_note=data.get("de_escalation_note") or "",
        ),
        template="edit/form.html",
        context={
            "title": f"Hand {risk.reference} back from {escalation.to_body.name}",
            "caption": risk.title,
            "intro": "The risk returns to the register it was escalated from. A body that escalated it further "
            "must have that escalation end first.",
            "crumbs": _risk_crumbs(risk),
            "back_url": reverse("edit-risk", args=[risk.pk]),
            "submit_label": "Hand the risk back",
            "history": changes_of(escalation),
        },
        success_url=lambda saved: reverse("edit-risk", args=[saved.risk_id]) + "#escalations",
        success_message="The risk was handed back.",
    )
