from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.access import restrict
from delegation.forms import AuthorityQuestionForm
from delegation.models import UrgentDecisionRule
from delegation.queries import resolve_authority


@login_required
def who_can_approve(request):
    """The authority answer as a page: the same service the API calls."""
    form = AuthorityQuestionForm(request.GET or None, user=request.user)
    answer = None
    if form.is_bound and not form.is_complete():
        # Only the partnership (and perhaps a search) so far: show its matters, not errors.
        template = "pages/_who_can_approve_matters.html" if request.headers.get("HX-Request") else None
        return render(
            request, template or "pages/who_can_approve.html", {"form": form, "answer": None, "filling": True}
        )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        answer = resolve_authority(
            partnership=data["partnership"],
            matter=data.get("matter"),
            category=data.get("category") or None,
            amount_gbp=data.get("amount"),
            on=data.get("on"),
            stage_reached=data.get("stage_reached"),
        )
    urgent_rule = None
    if answer is not None:
        urgent_rule = (
            restrict(UrgentDecisionRule.objects.filter(partnership=answer.partnership), request.user)
            .select_related("discussed_by", "taken_by")
            .first()
        )
    return render(
        request, "pages/who_can_approve.html", {"form": form, "answer": answer, "urgent_rule": urgent_rule}
    )
