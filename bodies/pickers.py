"""Type-ahead pickers (issue 17): organisations shown with their kind and ODS code, people with the
organisation they represent; the same choices for the form (without JavaScript) and for the JSON
endpoint the type-ahead reads, both through `restrict`."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from bodies.models import Appointment, Organisation, Person
from core.access import restrict

PICK_LIMIT = 20


def organisation_label(organisation: Organisation) -> str:
    parts = [organisation.get_kind_display()]
    if organisation.ods_code:
        parts.append(f"ODS {organisation.ods_code}")
    return f"{organisation.name} ({', '.join(parts)})"


def people_with_organisation(queryset: QuerySet) -> QuerySet:
    """People annotated with the organisation of their latest appointment (`organisation_name`)."""
    latest = (
        Appointment.objects.filter(person=OuterRef("pk"), representing__isnull=False)
        .order_by("-effective_to", "-effective_from", "-id")
        .values("representing__name")[:1]
    )
    return queryset.annotate(organisation_name=Subquery(latest))


def person_label(person: Person) -> str:
    organisation = getattr(person, "organisation_name", None)
    return f"{person.name} ({organisation})" if organisation else person.name


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return organisation_label(obj)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


def pick_organisations_for(user) -> QuerySet:
    return restrict(Organisation.objects.order_by("name"), user)


def pick_people_for(user) -> QuerySet:
    return people_with_organisation(restrict(Person.objects.order_by("name"), user))


def picker_attrs(kind: str) -> dict:
    """The attributes app.js reads to turn a select into a type-ahead."""
    return {"data-picker": reverse(f"pick-{kind}")}


def _query(request) -> str:
    return (request.GET.get("q") or "").strip()[:100]


@login_required
@require_GET
def pick_organisations(request):
    """JSON: organisations matching `q` by name or ODS code (at most 20)."""
    q = _query(request)
    rows = pick_organisations_for(request.user)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(ods_code__iexact=q))
    results = [
        {"id": org.pk, "name": org.name, "kind": org.get_kind_display(), "ods_code": org.ods_code or "",
         "label": organisation_label(org)}
        for org in rows[:PICK_LIMIT]
    ]  # fmt: skip
    return JsonResponse({"results": results})


@login_required
@require_GET
def pick_people(request):
    """JSON: people matching `q` by name, with the organisation they represent (at most 20)."""
    q = _query(request)
    rows = pick_people_for(request.user)
    if q:
        rows = rows.filter(name__icontains=q)
    results = [
        {"id": p.pk, "name": p.name, "organisation": p.organisation_name or "", "label": person_label(p)}
        for p in rows[:PICK_LIMIT]
    ]
    return JsonResponse({"results": results})
