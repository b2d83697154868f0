"""Restricted records: items and decisions not for publication, interests withheld.

A restricted record (marked so, with the reason) is seen by:
- the secretariat of its partnership (and registry administrators);
- members of its partnership who sit on the body it belongs to: their registry account is
  linked to a person (`Person.user`) holding an appointment on that body in force today;
- for a withheld interest, the person whose interest it is.
Viewers, other members and API tokens never see it. Models opt in by naming the flag with
`restricted_field` (a path, e.g. "decision__restricted" for a ratification) and say whose it is
with `restricted_body_path` (the body whose members may read it) and/or
`restricted_person_path` (the person who may read their own). Every read in this app — API,
admin, exports, calendars, pages — goes through `restrict` below.
"""

from django.db.models import Q, QuerySet

from bodies.models import Appointment
from core import access


def person_id_of(user) -> int | None:
    """The person a signed-in account stands for (none for API tokens or unlinked accounts)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "api_token", None) is not None:
        return None
    if "_person_id" not in user.__dict__:
        from bodies.models import Person

        user.__dict__["_person_id"] = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    return user.__dict__["_person_id"]


def hide_restricted(queryset: QuerySet, user) -> QuerySet:
    """Drop the restricted rows `user` may not see."""
    model = queryset.model
    field = getattr(model, "restricted_field", None)
    if field is None:
        return queryset
    readable = access.partnership_scope(user, "view_restricted")
    if readable is None:
        return queryset
    path = model.partnership_path
    # `~Q(flag=True)` keeps rows whose flag is reached through an empty foreign key (not restricted).
    visible = ~Q(**{field: True})
    secretariat = (access.partnership_scope(user, "change") or set()) & readable
    if secretariat:
        visible |= Q(**{f"{path}__in": secretariat})
    members_of = readable - secretariat
    person_id = person_id_of(user) if members_of else None
    if person_id is not None:
        in_partnership = Q(**{f"{path}__in": members_of})
        body_path = getattr(model, "restricted_body_path", None)
        if body_path:
            seats = Appointment.objects.in_force().filter(person_id=person_id).values("body_id")
            visible |= in_partnership & Q(**{f"{body_path}__in": seats})
        person_path = getattr(model, "restricted_person_path", None)
        if person_path:
            visible |= in_partnership & Q(**{person_path: person_id})
    return queryset.filter(visible)


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """`core.access.restrict`, then restricted rows hidden from those who may not see them."""
    return hide_restricted(access.restrict(queryset, user, action), user)


def can(user, action: str, instance) -> bool:
    return access.can(user, action, instance, restrict)


def interests_writable(queryset: QuerySet, user) -> QuerySet:
    """Interests `user` may enter or correct in the register.

    The secretariat keeps its partnerships' registers; a member declares their own interests
    (Cambridgeshire 9.13: members declare, the secretariat records) — only their own, and only in
    partnerships where they hold the member role.
    """
    editable = access.partnership_scope(user, "change")
    if editable is None:
        return queryset
    allowed = Q(partnership__in=editable)
    declaring = access.partnership_scope(user, "declare") or set()
    person_id = person_id_of(user) if declaring else None
    if person_id is not None:
        allowed |= Q(partnership__in=declaring, person_id=person_id)
    return queryset.filter(allowed)


def may_declare_interests(user) -> bool:
    """Whether `user` may add anything to a register of interests (so a create is worth trying)."""
    editable = access.partnership_scope(user, "change")
    if editable is None or editable:
        return True
    return bool(access.partnership_scope(user, "declare")) and person_id_of(user) is not None
