from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from delegation.answers import authority_question


@login_required
def who_can_approve(request):
    """The authority answer as a page: the same service the API calls (delegation/answers.py)."""
    context = authority_question(request.GET, user=request.user)
    if context["filling"] and request.headers.get("HX-Request"):
        # Only the partnership (and perhaps a search) so far: its matters, for the form's matter box.
        return render(request, "pages/_who_can_approve_matters.html", context)
    return render(request, "pages/who_can_approve.html", context)
