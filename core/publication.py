"""What is public, decided in one place.

A record is public when all of these hold:
- its kind is published at all: its model declares `public_when` (a `Q`, or `PUBLIC_ALWAYS`);
  a model without it (risks, proposals, tokens…) is never public;
- it belongs to a partnership that has switched its public site on (the tenant model's
  `public_site_field`); shared reference data (organisations, people) is public through the
  published records that link it to such a partnership (`public_links`);
- it is not restricted, as its model declares (`restricted_field`: a restricted decision, a
  withheld interest, a restricted agenda item are never public);
- its model's own condition holds (`public_when`: approved terms of reference, not drafts).

`restrict(queryset, anonymous)` answers with `public_records(queryset)`, so the public site, its
feeds, the open data and the anonymous API all read through the one `restrict()`.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

PUBLIC_ALWAYS = Q()
# The reader of the public site: no account, so `restrict(queryset, PUBLIC)` is what anyone may read,
# whoever is signed in (a public page never shows more to a signed-in visitor, so caches may share it).
PUBLIC = AnonymousUser()


def is_public_kind(model) -> bool:
    return getattr(model, "public_when", None) is not None


def published_partnerships() -> QuerySet:
    from core.access import tenant_model

    Tenant = tenant_model()
    return Tenant._default_manager.filter(**{Tenant.public_site_field: True})


def public_records(queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` anyone may read, without signing in."""
    from core.access import published

    model = queryset.model
    condition = getattr(model, "public_when", None)
    if condition is None:
        return queryset.none()
    if getattr(model, "shared_reference_data", False):
        return published(queryset.filter(condition).filter(_publicly_linked(model))).distinct()
    path = model.partnership_path
    on_site = Q(**{f"{path}__in" if path else "pk__in": published_partnerships().values("pk")})
    return published(queryset.filter(on_site & condition))


def _publicly_linked(model) -> Q:
    """Shared reference data is public where a public record links it to a published partnership:
    an organisation through its membership, a person through a public appointment."""
    linked = Q(pk__in=[])
    for link in getattr(model, "public_links", ()):
        through, _, rest = link.partition("=")
        linked |= Q(pk__in=public_records(_related_model(model, through)._default_manager.all()).values(rest))
    return linked


def _related_model(model, name: str):
    return model._meta.get_field(name).related_model
