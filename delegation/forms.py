from django import forms

from bodies.models import Partnership
from core.access import restrict
from delegation.models import ApprovalRoute, Matter


class AuthorityQuestionForm(forms.Form):
    """Who can approve this? The same question the API's authority endpoint answers."""

    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), empty_label="Choose a partnership"
    )
    matter = forms.ModelChoiceField(
        queryset=Matter.objects.none(), required=False, empty_label="Choose a matter", label="Matter"
    )
    category = forms.ChoiceField(
        choices=[("", "Or choose a category of proposal"), *ApprovalRoute.Category.choices],
        required=False,
        label="Proposal category",
    )
    amount = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=15,
        decimal_places=2,
        label="Amount (£)",
        help_text="Optional.",
    )
    on = forms.DateField(required=False, label="On date", help_text="For example 2018-04-01. Empty: today.")
    stage_reached = forms.IntegerField(
        required=False, min_value=0, max_value=100, label="Stages already passed", help_text="For a proposal."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        partnerships = restrict(Partnership.objects.order_by("name"), user)
        self.fields["partnership"].queryset = partnerships
        chosen = self.data.get("partnership") if self.is_bound else None
        matters = Matter.objects.none()
        if chosen and str(chosen).isdigit():
            matters = restrict(Matter.objects.filter(partnership_id=int(chosen)), user).order_by("name")
        self.fields["matter"].queryset = matters

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("partnership") and bool(cleaned.get("matter")) == bool(cleaned.get("category")):
            raise forms.ValidationError("Choose a matter or a category of proposal (one of them).")
        return cleaned
