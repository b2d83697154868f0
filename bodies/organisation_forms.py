"""Forms of the organisation pages (issue 17)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from bodies.models import Organisation
from core.editing import EditForm

ORGANISATION_FIELDS = [
    "name", "kind", "is_statutory", "ods_code", "other_names", "contact_email", "established_on", "dissolved_on",
    "source_document", "source_reference", "source_url",
]  # fmt: skip


class OtherNamesField(forms.CharField):
    """Other names, one a line."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class OrganisationForm(EditForm):
    other_names = OtherNamesField(
        required=False, label="Other names", help_text="Former or short names, one a line (say “DCHS”)."
    )

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        labels = {"is_statutory": "A statutory organisation", "established_on": "Established on",
                  "dissolved_on": "Dissolved on", "contact_email": "Contact email"}  # fmt: skip

    def clean_ods_code(self):
        code = self.cleaned_data.get("ods_code")
        return code.strip().upper() or None if code else None

    def _post_clean(self):
        if self.instance.pk is None and not self.instance.slug:
            base = slugify(self.cleaned_data.get("name") or "")[:100]
            slug, number = base, 2
            while base and Organisation.objects.filter(slug=slug).exists():
                slug, number = f"{base}-{number}", number + 1
            self.instance.slug = slug
        super()._post_clean()


class OrganisationProposalForm(OrganisationForm):
    """The same details, for an organisation the user may not change: stored as a proposal."""

    reason = forms.CharField(
        label="Why the change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The registry administrator reads this, with a link to a published source if there is one.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("expected_revision", None)

    def changes(self) -> dict:
        changed = {name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields}
        for name in ("source_document", "source_reference", "source_url"):
            changed.pop(name, None)
        if not changed:
            raise ValidationError("Change at least one detail to propose a change.")
        return changed
