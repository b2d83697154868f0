"""Template tags for the editing pages: show an edit link only to those who may edit."""

from django import template

from core.access import can

register = template.Library()


@register.simple_tag(takes_context=True)
def may_change(context, instance) -> bool:
    """{% may_change record as editable %}: whether the signed-in user may change it (one query)."""
    request = context.get("request")
    if instance is None or request is None or not request.user.is_authenticated:
        return False
    return can(request.user, "change", instance)


@register.simple_tag(takes_context=True)
def may(context, action: str, instance) -> bool:
    """{% may "publish" partnership as publishable %}: whether the signed-in user may do `action` to it."""
    request = context.get("request")
    if instance is None or request is None or not request.user.is_authenticated:
        return False
    return can(request.user, action, instance)
