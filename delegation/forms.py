import re
from decimal import Decimal, InvalidOperation

from django import forms

from bodies.models import Partnership
from core.access import restrict
from delegation.models import ApprovalRoute, Matter

AMOUNT = re.compile(
    r"^£?\s*(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>k|m|bn|thousand|million|billion)?$", re.I
)
UNITS = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "bn": 10**9, "billion": 10**9}


def parse_amount(text: str) -> Decimal:
    """An amount as people type it: `£2m`, `2,000,000`, `£250k`, `1.5 million`, `£12,500.50`."""
    cleaned = re.sub(r"\s+", " ", (text or "").strip().replace("GBP", "").replace("gbp", "")).strip()
    match = AMOUNT.match(cleaned)
    if not match or (match["unit"] is None and "," in match["number"] and not re.fullmatch(
        r"\d{1,3}(,\d{3})+(\.\d+)?", match["number"]
    )):  # fmt: skip
        raise forms.ValidationError(
            "Enter an amount in pounds, for example £2m, 2,000,000 or £250k.", code="invalid"
        )
    try:
        value = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:
        raise forms.ValidationError("Enter an amount in pounds, for example £2m.", code="invalid") from None
    value *= UNITS.get((match["unit"] or "").lower(), 1)
    if value >= Decimal(10) ** 13:
        raise forms.ValidationError("Enter an amount below £10 trillion.", code="max_value")
    return value.quantize(Decimal("0.01"))


class AmountField(forms.Field):
    """An amount in pounds as typed (parse_amount); empty is no amount."""

    widget = forms.TextInput

    def to_python(self, value):
        value = str(value or "").strip()[:40]
        return parse_amount(value) if value else None


class PartnershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name  # the full name, not the short one


class AuthorityQuestionForm(forms.Form):
    """Who can approve this? The same question the API's authority endpoint answers."""

    partnership = PartnershipChoiceField(
        queryset=Partnership.objects.none(), empty_label="Choose a partnership"
    )
    matter_search = forms.CharField(
        required=False,
        max_length=100,
        label="Find a matter",
        help_text="Words from the matter, for example business case.",
    )
    matter = forms.ModelChoiceField(
        queryset=Matter.objects.none(), required=False, empty_label="Choose a matter", label="Matter"
    )
    category = forms.ChoiceField(
        choices=[
            ("", "No proposal route (or choose the proposal's funding)"),
            *ApprovalRoute.Category.choices,
        ],
        required=False,
        label="Proposal category",
        help_text="For a proposal: its approval route is shown with the authority.",
    )
    amount = AmountField(
        required=False,
        label="Amount (£)",
        help_text="Optional. For example £2m, 2,000,000 or £250k.",
    )
    on = forms.DateField(required=False, label="On date", help_text="For example 01/04/2018. Empty: today.")
    stage_reached = forms.IntegerField(
        required=False, min_value=0, max_value=100, label="Stages already passed", help_text="For a proposal."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        partnerships = restrict(Partnership.objects.order_by("name"), user)
        self.fields["partnership"].queryset = partnerships
        chosen = self.data.get("partnership") if self.is_bound else self.initial.get("partnership")
        matters = Matter.objects.none()
        if chosen and str(chosen).isdigit() and len(str(chosen)) < 19:
            matters = restrict(Matter.objects.filter(partnership_id=int(chosen)), user).order_by("name")
        self.all_matters = matters
        words = str(self.data.get("matter_search") or "").split()[:8] if self.is_bound else []
        shown = matters
        for word in words:
            shown = shown.filter(name__icontains=word)
        # The search narrows the list shown; a matter already chosen stays valid.
        self.fields["matter"].queryset = matters
        self.matter_choices = list(shown.values_list("pk", "name")[:500])
        self.matters_found = len(self.matter_choices)

    def is_complete(self) -> bool:
        """A question to answer: the partnership and a matter or a proposal category (otherwise the form
        is being filled in, its matter list loaded for the partnership chosen)."""
        if self.data.get("find"):  # "Find matters" / "Show its matters" (without JavaScript)
            return False
        return bool(self.data.get("matter") or self.data.get("category"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("partnership") and not (cleaned.get("matter") or cleaned.get("category")):
            raise forms.ValidationError("Choose a matter, a category of proposal, or both.")
        return cleaned
