"""Restricted records: items and decisions not for publication.

A record marked restricted (with the reason) is seen only by users who may view the
partnership's restricted records (secretariat and member roles) and by registry
administrators; viewers and API tokens never see it. Models opt in by naming the flag with
`restricted_field` (a path, e.g. "decision__restricted" for a ratification). Every read in
this app — API, admin, exports, calendars — goes through `restrict` below.
"""

from django.db.models import Q, QuerySet

from stp_governance import access


def hide_restricted(queryset: QuerySet, user) -> QuerySet:
    """Drop the restricted rows `user` may not see (rows of partnerships outside their view_restricted scope)."""
    model = queryset.model
    field = getattr(model, "restricted_field", None)
    if field is None:
        return queryset
    scope = access.partnership_scope(user, "view_restricted")
    if scope is None:
        return queryset
    # `~Q(flag=True)` keeps rows whose flag is reached through an empty foreign key (not restricted).
    visible = ~Q(**{field: True})
    if scope:
        visible |= Q(**{f"{model.partnership_path}__in": scope})
    return queryset.filter(visible)


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """`stp_governance.access.restrict`, then restricted rows hidden from those who may not see them."""
    return hide_restricted(access.restrict(queryset, user, action), user)


def can(user, action: str, instance) -> bool:
    return restrict(type(instance)._default_manager.filter(pk=instance.pk), user, action).exists()
