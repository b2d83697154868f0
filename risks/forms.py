"""Forms of the secretariat's editing pages for risks: the risk itself, a review, an escalation.

A risk is a model form (the model bands it on the partnership's matrix); a review and an
escalation are workflows of `risks.services`, which say why they are refused.
"""

from django import forms

from bodies.models import Body, Organisation, Person
from bodies.pickers import people_with_organisation, person_label, picker_attrs
from core.access import restrict
from core.editing import DateInput, EditForm, NHSForm, RevisionForm, long_text
from decisions.models import Meeting
from risks.models import Risk, RiskEscalation, RiskRegister, ScoringMatrix

LEVELS = ("likelihood", "consequence")


def level_field(
    label: str, matrix: ScoringMatrix, dimension: str, required: bool = True
) -> forms.TypedChoiceField:
    top = getattr(matrix, f"{dimension}_scale")
    labeller = getattr(matrix, f"{dimension}_label")
    choices = [(n, f"{n} – {labeller(n)}" if labeller(n) != str(n) else str(n)) for n in range(1, top + 1)]
    if not required:
        choices = [("", "Unchanged"), *choices]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, required=required, empty_value=None
    )


def add_level_fields(form: forms.BaseForm, matrix: ScoringMatrix, kinds: tuple[str, ...]) -> list[str]:
    """A likelihood and a consequence field for each kind of score (inherent, current, target), on
    the partnership's matrix; their names."""
    names = []
    for kind in kinds:
        for dimension in LEVELS:
            name = f"{kind}_{dimension}"
            form.fields[name] = level_field(f"{kind.capitalize()} {dimension}", matrix, dimension)
            names.append(name)
    return names


class RiskForm(EditForm):
    validate_also = ("partnership",)

    class Meta:
        model = Risk
        fields = [
            "register", "reference", "title", "description", "cause", "effect", "category", "owner", "owner_title",
            "lead_organisation", "inherent_likelihood", "inherent_consequence", "current_likelihood",
            "current_consequence", "target_likelihood", "target_consequence", "appetite", "controls",
            "gaps_in_control", "assurances", "status", "identified_on", "closed_on", "next_review_due",
            "source_document", "source_reference", "source_url",
        ]  # fmt: skip

    def __init__(self, *args, user, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        for name in add_level_fields(
            self, ScoringMatrix.for_partnership(partnership.pk), ("inherent", "current", "target")
        ):
            self.fields[name].help_text = Risk._meta.get_field(name).help_text
        registers = RiskRegister.objects.filter(partnership=partnership).select_related(
            "body", "organisation"
        )
        self.fields["register"].queryset = restrict(registers, user, "change").order_by("id")
        self.fields["register"].label_from_instance = lambda register: str(register.holder)
        self.fields["owner"].queryset = people_with_organisation(
            restrict(Person.objects.order_by("name"), user)
        )
        self.fields["owner"].label_from_instance = person_label
        self.fields["owner"].widget.attrs.update(picker_attrs("people"))
        self.fields["lead_organisation"].queryset = restrict(
            Organisation.objects.filter(memberships__partnership=partnership).distinct().order_by("name"),
            user,
        )
        if self.instance.pk is not None:
            del self.fields["register"]  # moving a risk between registers is an escalation, not an edit


class RiskReviewForm(NHSForm):
    reviewed_on = forms.DateField(widget=DateInput, label="Reviewed on")
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(),
        required=False,
        label="At the meeting",
        empty_label="Not at a meeting",
        help_text="A meeting of the body that keeps the register, on the day of the review.",
    )
    reviewer = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Not recorded"
    )
    note = long_text("Note", required=False)
    next_review_due = forms.DateField(
        widget=DateInput,
        required=False,
        label="Next review due",
        help_text="Empty: one review interval of its register.",
    )

    def __init__(self, *args, risk: Risk, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in add_level_fields(
            self, ScoringMatrix.for_partnership(risk.partnership_id), ("current", "target")
        ):
            self.fields[name].initial = getattr(risk, name)
        self.fields["reviewer"].queryset = people_with_organisation(
            restrict(Person.objects.order_by("name"), user)
        )
        self.fields["reviewer"].label_from_instance = person_label
        self.fields["reviewer"].widget.attrs.update(picker_attrs("people"))
        if risk.register.body_id:
            meetings = Meeting.objects.filter(body_id=risk.register.body_id).exclude(
                status=Meeting.Status.CANCELLED
            )
            self.fields["meeting"].queryset = restrict(meetings.select_related("body"), user).order_by(
                "-starts_at"
            )
        else:
            del self.fields["meeting"]  # an organisation's register is not reviewed at a partnership meeting
        self.order_fields(
            [
                "reviewed_on",
                "current_likelihood",
                "current_consequence",
                "target_likelihood",
                "target_consequence",
            ]
        )


class RiskEscalationForm(NHSForm):
    to_body = forms.ModelChoiceField(
        queryset=Body.objects.none(), label="Escalate to", empty_label="Choose a body"
    )
    escalated_on = forms.DateField(widget=DateInput, label="Escalated on")
    reason = long_text("Reason")

    def __init__(self, *args, risk: Risk, user, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = Body.objects.filter(partnership_id=risk.partnership_id).order_by("name")
        self.fields["to_body"].queryset = restrict(bodies, user)


class RiskRegisterForm(EditForm):
    """A register kept by a body of the partnership, or a member organisation's risks shared with it."""

    validate_also = ("partnership",)

    class Meta:
        model = RiskRegister
        fields = ["body", "organisation", "review_interval_months", "note", "source_document", "source_reference",
                  "source_url"]  # fmt: skip
        labels = {"review_interval_months": "Review every (months)"}
        help_texts = {
            "body": "The body whose register it is. Leave empty for an organisation's register.",
            "organisation": "A member organisation sharing its risks with the partnership. Leave empty for a "
            "body's register.",
        }

    def __init__(self, *args, user, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["body"], self.fields["organisation"]  # whose register it is, is what it is
            return
        self.fields["body"].queryset = restrict(Body.objects.filter(partnership=partnership), user).order_by(
            "name"
        )
        self.fields["body"].empty_label = "None (an organisation's register)"
        self.fields["organisation"].queryset = restrict(
            Organisation.objects.filter(memberships__partnership=partnership).distinct().order_by("name"),
            user,
        )
        self.fields["organisation"].empty_label = "None (a body's register)"


class RiskEscalationResponseForm(RevisionForm):
    response = forms.ChoiceField(
        choices=RiskEscalation.ANSWERS, label="The receiving body's answer", widget=forms.RadioSelect
    )
    responded_on = forms.DateField(widget=DateInput, label="Answered on")
    response_note = long_text(
        "Advice",
        required=False,
        help_text="Required when the risk is returned: the advice it goes back with.",
    )


class RiskDeEscalationForm(RevisionForm):
    de_escalated_on = forms.DateField(widget=DateInput, label="Handed back on")
    de_escalation_note = long_text("Note", required=False)
