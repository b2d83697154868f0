"""{% organisation_action organisation as action %}: "change", "propose" or "" for the signed-in user (issue 17)."""

from django import template

from core.access import can, partnership_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_action(context, organisation) -> str:
    request = context.get("request")
    if organisation is None or request is None or not request.user.is_authenticated:
        return ""
    if can(request.user, "change", organisation):
        return "change"
    scope = partnership_scope(request.user, "change")
    if scope and organisation.memberships.filter(partnership_id__in=scope).exists():
        return "propose"
    return ""
