"""The "who can approve this?" question as a page asks it: the form read as `user` may (the public
site asks as anyone: core.publication.PUBLIC), the authority resolved, and the urgent-decision rule.
One function for the staff page and the public page, so they answer alike."""

from __future__ import annotations

from django.urls import reverse

from core.access import restrict
from delegation.forms import AuthorityQuestionForm
from delegation.models import UrgentDecisionRule
from delegation.queries import resolve_authority


def authority_question(params, *, user, initial=None, question_url: str = "") -> dict:
    """The page's context: `form`, `answer` (None until the question is complete and valid),
    `urgent_rule`, and `filling` (only the partnership or a matter search so far: no errors shown)."""
    form = AuthorityQuestionForm(params or None, user=user, initial=initial)
    question_url = question_url or reverse("who-can-approve")
    if form.is_bound and not form.is_complete():
        return {"form": form, "answer": None, "filling": True, "question_url": question_url}
    answer = urgent_rule = None
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
        urgent_rule = (
            restrict(UrgentDecisionRule.objects.filter(partnership=answer.partnership), user)
            .select_related("discussed_by", "taken_by")
            .first()
        )
    return {
        "form": form,
        "answer": answer,
        "urgent_rule": urgent_rule,
        "filling": False,
        "question_url": question_url,
    }
