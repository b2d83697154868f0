from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from delegation.forms import AuthorityQuestionForm
from delegation.queries import resolve_authority


@login_required
def who_can_approve(request):
    """The authority answer as a page: the same service the API calls."""
    form = AuthorityQuestionForm(request.GET or None, user=request.user)
    answer = None
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
    return render(request, "pages/who_can_approve.html", {"form": form, "answer": answer})
