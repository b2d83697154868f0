"""Forms of the secretariat's editing pages for bodies, terms of reference, memberships and appointments.

Model forms validate with the model's own rules and database constraints; workflows (approve,
end) are forms whose cleaned data go to `bodies.services`.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import slugify

from bodies import services
from bodies.models import (
    Appointment,
    Body,
    Membership,
    Organisation,
    Partnership,
    Person,
    TermsOfReference,
    TermsOfReferenceObjective,
    TermsOfReferenceRole,
)
from bodies.pickers import (
    OrganisationChoiceField,
    PersonChoiceField,
    people_with_organisation,
    pick_organisations_for,
    picker_attrs,
)
from core.access import restrict
from core.editing import DateInput, EditForm, NHSFormMixin, RevisionForm, nhs_formfield, period_words

# Roles one person holds at a time on a body (the database refuses two chairs at once).
SINGLE_HOLDER_ROLES = {Appointment.Role.CHAIR}

SOURCE_FIELDS = ["source_document", "source_reference", "source_url"]


class PublicSiteForm(EditForm):
    """Whether the partnership publishes its public site (what appears there: core/publication.py)."""

    class Meta:
        model = Partnership
        fields = ["public_site"]
        labels = {"public_site": "Publish the partnership's public site, feeds and open data"}


class BodyForm(EditForm):
    validate_also = ("partnership",)

    class Meta:
        model = Body
        fields = [
            "name", "short_name", "slug", "kind", "status", "holds_delegated_authority", "decisions_bind_partners",
            "description", "effective_from", "effective_to", *SOURCE_FIELDS,
        ]  # fmt: skip
        help_texts = {"slug": "Used in addresses. Leave empty to make one from the name."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        # A member organisation's own statutory board is reference data, kept by administrators.
        self.fields["kind"].choices = [
            choice for choice in self.fields["kind"].choices if choice[0] != Body.Kind.STATUTORY_BOARD
        ]

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.data.get(self.add_prefix("name"), ""))[:120]
        if not slug:
            raise ValidationError("Give the body a name (its slug is made from it).")
        return slug


class TermsOfReferenceDraftForm(EditForm):
    """A draft's content; status, approval and period change only through approval."""

    class Meta:
        model = TermsOfReference
        fields = list(services.DRAFT_FIELDS)
        widgets = {"frequency_note": forms.TextInput}


class TermsOfReferenceApproveForm(RevisionForm):
    approved_on = forms.DateField(widget=DateInput, label="Approved on")
    effective_from = forms.DateField(
        widget=DateInput, required=False, label="In force from", help_text="Empty: the day it was approved."
    )
    approved_by = forms.ModelChoiceField(
        queryset=Body.objects.none(), required=False, label="Approved by", empty_label="Not recorded"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        terms = self.record
        bodies = Body.objects.filter(partnership_id=terms.body.partnership_id).exclude(pk=terms.body_id)
        self.fields["approved_by"].queryset = restrict(bodies, user).order_by("name")


class MembershipForm(EditForm):
    validate_also = ("partnership", "organisation")

    class Meta:
        model = Membership
        fields = [
            "organisation",
            "standing",
            "status",
            "effective_from",
            "effective_to",
            "note",
            *SOURCE_FIELDS,
        ]
        labels = {"effective_from": "Member from", "effective_to": "Member until"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Which organisation, in which partnership, is what the record is: end it and add another.
            del self.fields["organisation"]
        else:
            here = reverse("edit-membership-create", args=[self.instance.partnership_id])
            add = reverse("edit-organisation-create", args=[self.instance.partnership_id])
            self.fields["organisation"] = OrganisationChoiceField(
                queryset=pick_organisations_for(user),
                label="Organisation",
                widget=forms.Select(attrs=picker_attrs("organisations")),
                help_text=format_html(
                    'Type to search by name or ODS code. Not in the registry? <a href="{}?{}">Add a new '
                    "organisation</a> and come back here with it chosen.",
                    add,
                    urlencode({"next": here}),
                ),
            )

    def overlap_url(self, record):
        return reverse("edit-membership", args=[record.pk])


class ReplaceForm(RevisionForm):
    """Who takes the seat, and from when: the current holder's appointment ends the day before."""

    person = PersonChoiceField(queryset=Person.objects.none(), label="New holder")
    starts_on = forms.DateField(widget=DateInput, label="First day in the seat")
    title = forms.CharField(
        required=False, max_length=300, label="Post", help_text="Their post, as published."
    )
    representing = OrganisationChoiceField(
        queryset=Organisation.objects.none(), required=False, label="Representing", empty_label="No one"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_with_organisation(
            restrict(Person.objects.order_by("name"), user)
        ).exclude(pk=self.record.person_id)
        self.fields["person"].widget.attrs.update(picker_attrs("people"))
        partnership_id = self.record.body.partnership_id
        self.fields["representing"].queryset = restrict(
            Organisation.objects.filter(memberships__partnership_id=partnership_id).distinct(), user
        ).order_by("name")


class EndForm(RevisionForm):
    effective_to = forms.DateField(widget=DateInput, label="Last day")


class MembershipEndForm(EndForm):
    withdrawn = forms.BooleanField(
        required=False, label="The organisation withdrew", help_text="Otherwise the membership simply ended."
    )


class AppointmentForm(EditForm):
    validate_also = ("body", "person")

    class Meta:
        model = Appointment
        fields = [
            "person", "role", "title", "representing", "voting", "deputy", "effective_from", "effective_to",
            *SOURCE_FIELDS,
        ]  # fmt: skip
        labels = {"effective_from": "Appointed from", "effective_to": "Appointed until", "title": "Post"}

    def __init__(self, *args, user, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        people = people_with_organisation(restrict(Person.objects.order_by("name"), user))
        self.fields["deputy"] = PersonChoiceField(
            queryset=people,
            required=False,
            label="Deputy",
            widget=forms.Select(attrs=picker_attrs("people")),
            help_text=Appointment._meta.get_field("deputy").help_text,
        )
        if self.instance.pk is not None:
            del self.fields["person"]  # who holds the seat is what the record is: end it and appoint anew
        else:
            self.fields["person"] = PersonChoiceField(
                queryset=people,
                label="Person",
                widget=forms.Select(attrs=picker_attrs("people")),
                help_text="Type to search by name; each person shows the organisation they represent.",
            )
        self.body = body
        members = Organisation.objects.filter(
            Q(memberships__partnership_id=body.partnership_id) | Q(pk=self.instance.representing_id)
        ).distinct()
        self.fields["representing"] = OrganisationChoiceField(
            queryset=restrict(members, user).order_by("name"), required=False, label="Representing"
        )

    def overlap_url(self, record):
        return reverse("edit-appointment", args=[record.pk])

    def overlap_message(self, record):
        """A second chair (or any single-holder role): who holds it now, and the one-step replacement."""
        if record.role in SINGLE_HOLDER_ROLES and record.person_id != self.instance.person_id:
            return format_html(
                '<a href="{}">{}</a> is {} ({}). <a href="{}">Replace {} in one step</a>, or change the dates.',
                reverse("edit-appointment", args=[record.pk]), record.person.name,
                record.get_role_display().lower(), period_words(record),
                reverse("edit-appointment-replace", args=[record.pk]), record.person.name,
            )  # fmt: skip
        return super().overlap_message(record)


# -- a draft's objectives and roles --------------------------------------------------------------
class DraftPartForm(NHSFormMixin, forms.ModelForm):
    """One objective or role of a draft; carries the row's revision so a stale save is refused."""

    formfield_callback = nhs_formfield
    row_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["row_revision"].initial = self.instance.revision


class ObjectiveForm(DraftPartForm):
    class Meta:
        model = TermsOfReferenceObjective
        fields = ["heading", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {"text": "Objective"}


class RoleForm(DraftPartForm):
    class Meta:
        model = TermsOfReferenceRole
        fields = ["title", "category", "voting", "is_chair", "organisation"]
        labels = {"title": "Role", "is_chair": "Chair", "voting": "Votes"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # An untouched empty row must stay empty: its choices start at what an empty row shows.
        self.fields["category"].initial = TermsOfReferenceRole.Category.MEMBER
        self.fields["voting"].widget.choices = [("unknown", "Not said"), ("true", "Yes"), ("false", "No")]
        self.fields["organisation"] = OrganisationChoiceField(
            queryset=pick_organisations_for(user), required=False, empty_label="Any", label="Organisation"
        )


class BaseDraftPartFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove"


DRAFT_PARTS_MAX = 200
ObjectiveFormSet = forms.inlineformset_factory(
    TermsOfReference, TermsOfReferenceObjective, form=ObjectiveForm, formset=BaseDraftPartFormSet,
    extra=1, can_delete=True, max_num=DRAFT_PARTS_MAX, validate_max=True,
)  # fmt: skip
RoleFormSet = forms.inlineformset_factory(
    TermsOfReference, TermsOfReferenceRole, form=RoleForm, formset=BaseDraftPartFormSet,
    extra=1, can_delete=True, max_num=DRAFT_PARTS_MAX, validate_max=True,
)  # fmt: skip


class PersonForm(EditForm):
    """Someone who holds or held a seat: shared reference data (docs/decisions/0002). The account a
    person signs in with (`Person.user`) opens restricted records, so only administrators set it."""

    class Meta:
        model = Person
        fields = ["name", "email", "note", *SOURCE_FIELDS]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
