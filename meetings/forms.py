"""The meeting cycle's forms: they only adapt how people type what the services take."""

from __future__ import annotations

from django import forms

from bodies.models import Organisation, Person
from core.editing import DateInput, NHSForm
from decisions.models import AgendaItem, Attendance, Decision, Declaration, Interest
from delegation.models import Matter, Power
from meetings.models import Action, Gift


class AgendaItemForm(NHSForm):
    title = forms.CharField(max_length=300)
    purpose = forms.ChoiceField(choices=AgendaItem.Purpose.choices)
    presenter = forms.ModelChoiceField(queryset=Person.objects.none(), required=False)
    planned_time = forms.TimeField(
        required=False,
        label="Time",
        help_text="For example 14:30.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Organisations the item concerns",
        help_text="Members with a declared interest in one of them are flagged against the item.",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    restricted = forms.BooleanField(required=False, label="Not for publication")
    restriction_reason = forms.CharField(
        required=False, label="Why it is not for publication", widget=forms.Textarea(attrs={"rows": 2})
    )

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people, organisations, revisioned=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = people
        self.fields["organisations"].queryset = organisations
        if revisioned:
            self.fields["expected_revision"].required = True
        else:
            del self.fields["expected_revision"]


class PaperForm(NHSForm):
    title = forms.CharField(max_length=300, required=False, help_text="Empty: the file's name.")
    file = forms.FileField(help_text="PDF, Word (.docx), Excel (.xlsx) or PowerPoint (.pptx).")


class ReplacePaperForm(NHSForm):
    file = forms.FileField(label="The new version", help_text="The earlier versions are kept.")


class DeclareForm(NHSForm):
    interest = forms.ModelChoiceField(queryset=Interest.objects.none(), widget=forms.HiddenInput)
    management = forms.ChoiceField(
        choices=Declaration.Management.choices, initial=Declaration.Management.NO_ACTION
    )

    def __init__(self, *args, interests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interest"].queryset = interests


class ActionForm(NHSForm):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=Person.objects.none())
    due_on = forms.DateField(label="Due", widget=DateInput())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class ActionUpdateForm(NHSForm):
    text = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(choices=[("", "No change"), *Action.Status.choices], required=False)
    on = forms.DateField(label="Date", widget=DateInput(), required=False)


class ApproveMinutesForm(NHSForm):
    matter = forms.ModelChoiceField(
        queryset=Matter.objects.none(), help_text="The matter under which the body approves its minutes."
    )
    agenda_item = forms.ModelChoiceField(queryset=AgendaItem.objects.none(), required=False, label="At item")
    minute_reference = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, matters, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = matters
        self.fields["agenda_item"].queryset = items


class ItemDecisionForm(NHSForm):
    """A decision at an agenda item (the authority, quorum and ratifications are the service's)."""

    matter = forms.ModelChoiceField(queryset=Matter.objects.none())
    power = forms.ChoiceField(choices=Power.choices, initial=Power.APPROVE)
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(choices=Decision.Outcome.choices)
    minute_reference = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = matters


class AmendForm(NHSForm):
    text = forms.CharField(label="The minute as amended", widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label="Why it is amended", widget=forms.Textarea(attrs={"rows": 2}))


class ForwardPlanForm(NHSForm):
    title = forms.CharField(max_length=300)
    purpose = forms.ChoiceField(choices=AgendaItem.Purpose.choices)
    month = forms.TypedChoiceField(
        coerce=int, choices=[(n, name) for n, name in enumerate(
            ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"], 1)]
    )  # fmt: skip
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Empty: every year.")
    key_decision = forms.BooleanField(required=False, label="A key decision (published 28 days ahead)")


class InterestForm(NHSForm):
    partnership = forms.ModelChoiceField(queryset=None)
    kind = forms.ChoiceField(choices=Interest.Kind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"), required=False)
    organisation_name = forms.CharField(required=False, label="Organisation, if not in the list")

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        self.fields["partnership"].label_from_instance = lambda p: p.name


class GiftForm(NHSForm):
    partnership = forms.ModelChoiceField(queryset=None)
    kind = forms.ChoiceField(choices=Gift.Kind.choices, label="What was offered")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    offered_by = forms.CharField(max_length=300, label="From whom")
    value_gbp = forms.DecimalField(label="Value (£)", min_value=0, max_digits=10, decimal_places=2)
    offered_on = forms.DateField(label="Offered on", widget=DateInput())
    accepted = forms.TypedChoiceField(
        coerce=lambda v: v == "yes",
        choices=[("yes", "Accepted"), ("no", "Declined")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for accepting (where the guidance expects a refusal)",
    )

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        self.fields["partnership"].label_from_instance = lambda p: p.name


class ReturnForm(NHSForm):
    nil_return = forms.TypedChoiceField(
        coerce=lambda v: v == "nil",
        choices=[
            ("nil", "I have no interests to declare (a nil return)"),
            ("complete", "My entries in the register are complete"),
        ],
        widget=forms.RadioSelect,
        label="Your return",
    )


class RoundForm(NHSForm):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    opens_on = forms.DateField(widget=DateInput())
    closes_on = forms.DateField(widget=DateInput())


class AttendanceStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)
