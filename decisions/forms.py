"""Forms of the secretariat's editing pages: meetings with attendance, decisions, ratifications.

Recording a decision and a ratification are workflows: the forms only read the input, and
`decisions.services` decides (authority, quorum, votes, who must ratify) and says why not.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from bodies.models import Body, Person
from bodies.pickers import people_with_organisation, person_label
from core.access import restrict
from core.editing import DateInput, EditForm, NHSForm, RevisionForm, long_text
from decisions import services
from decisions.models import Attendance, Decision, Meeting, Ratification
from delegation.models import Matter, Power


class MeetingForm(EditForm):
    validate_also = ("body",)

    class Meta:
        model = Meeting
        fields = [
            "title", "starts_at", "ends_at", "place", "status", "notice_given_on", "minutes_approved_at",
            "source_document", "source_reference", "source_url",
        ]  # fmt: skip
        labels = {
            "starts_at": "Date and time it starts",
            "ends_at": "Date and time it ends",
            "minutes_approved_at": "Minutes approved at",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        later = Meeting.objects.filter(body_id=self.instance.body_id).order_by("-starts_at")
        if self.instance.pk is not None:
            later = later.exclude(pk=self.instance.pk)
        self.fields["minutes_approved_at"].queryset = later
        self.fields["minutes_approved_at"].label_from_instance = lambda m: (
            f"{m.meeting_date:%-d %B %Y}" + (f" ({m.title})" if m.title else "")
        )


class AttendanceRowForm(NHSForm):
    """One seat at the meeting. An empty row is ignored; a row is never deleted (record “absent”)."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Choose a person"
    )
    status = forms.ChoiceField(choices=Attendance.Status.choices, initial=Attendance.Status.PRESENT)
    deputy = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="No deputy", label="Deputy attending"
    )
    note = forms.CharField(required=False, max_length=2000)
    attendance_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, people, deputies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["deputy"].queryset = deputies
        # Each person with the organisation they represent (issue 17).
        self.fields["person"].label_from_instance = person_label
        self.fields["deputy"].label_from_instance = person_label

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("person") and (cleaned.get("deputy") or cleaned.get("note")):
            raise ValidationError("Choose the person whose attendance this is.")
        return cleaned


class BaseAttendanceFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            person = form.cleaned_data.get("person")
            if person is None:
                continue
            if person.pk in seen:
                raise ValidationError(f"{person.name} is listed twice.")
            seen.add(person.pk)


AttendanceFormSet = forms.formset_factory(
    AttendanceRowForm, formset=BaseAttendanceFormSet, extra=3, max_num=200, validate_max=True
)


def attendance_choices(body: Body, meeting: Meeting | None, user):
    """People offered for a seat: those ever appointed to the body, and anyone already recorded."""
    people = Q(appointments__body=body)
    if meeting is not None and meeting.pk:
        people |= Q(attendances__meeting=meeting)
    seats = people_with_organisation(
        restrict(Person.objects.filter(people).distinct(), user).order_by("name")
    )
    return seats, people_with_organisation(restrict(Person.objects.order_by("name"), user))


class DecisionForm(NHSForm):
    """What the body decided. Authority, quorum and ratification are the service's to find."""

    urgent = forms.BooleanField(
        required=False,
        label="Urgent decision, taken by the chair outside a meeting",
        help_text="Leave the meeting empty, and give the day, the reason and who was consulted.",
    )
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(), required=False, empty_label="None (urgent)"
    )
    decided_on = forms.DateField(
        widget=DateInput, required=False, label="Decided on", help_text="For an urgent decision."
    )
    urgency_reason = long_text("Why it could not wait for a meeting", required=False)
    consulted = long_text("Who was consulted", required=False, help_text="One per line.")
    matter = forms.ModelChoiceField(queryset=Matter.objects.none(), empty_label="Choose a matter")
    power = forms.ChoiceField(choices=Power.choices, initial=Power.APPROVE, label="Power exercised")
    amount_gbp = forms.DecimalField(
        required=False, min_value=0, max_digits=15, decimal_places=2, label="Amount (£)"
    )
    resolution = long_text("Resolution")
    outcome = forms.ChoiceField(choices=Decision.Outcome.choices)
    votes_for = forms.IntegerField(required=False, min_value=0, max_value=1000, label="Votes for")
    votes_against = forms.IntegerField(required=False, min_value=0, max_value=1000, label="Votes against")
    votes_abstaining = forms.IntegerField(required=False, min_value=0, max_value=1000, label="Abstentions")
    minute_reference = forms.CharField(required=False, max_length=100, label="Minute reference")
    as_recommendation = forms.BooleanField(
        required=False,
        label="If the body holds no authority for this, record it as a recommendation to the body that does",
    )
    restricted = forms.BooleanField(required=False, label="Not for publication")
    restriction_reason = long_text("Why it is not for publication", required=False)

    def __init__(self, *args, body: Body, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = restrict(
            Meeting.objects.filter(body=body, status=Meeting.Status.HELD), user
        ).order_by("-starts_at")
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m.meeting_date:%-d %B %Y}" + (f" ({m.title})" if m.title else "")
        )
        self.fields["matter"].queryset = restrict(
            Matter.objects.filter(partnership_id=body.partnership_id), user
        ).order_by("name")

    @staticmethod
    def service_arguments(cleaned_data: dict) -> dict:
        """The form's input as every front-end hands it to `decisions.services.decision_record`
        (`services.decision_input`): consulted one per line, the recommendation box as `recorded_as`."""
        data = dict(cleaned_data)
        data["consulted"] = [line for line in (data.get("consulted") or "").splitlines() if line.strip()]
        data["recorded_as"] = (
            Decision.RecordedAs.RECOMMENDATION
            if data.pop("as_recommendation")
            else Decision.RecordedAs.DECISION
        )
        return services.decision_input(data)


class RatificationForm(RevisionForm):
    outcome = forms.ChoiceField(
        choices=Ratification.ANSWERS, label="The board's answer", widget=forms.RadioSelect
    )
    decided_on = forms.DateField(widget=DateInput, label="Considered on")
    minute_reference = forms.CharField(required=False, max_length=100, label="Minute reference")
    correction_reason = long_text(
        "Why the recorded answer is corrected",
        required=False,
        help_text="Only when changing an answer already recorded.",
    )


class DecisionRescindForm(RevisionForm):
    reason = long_text("Why the decision is rescinded")
    rescinded_on = forms.DateField(
        widget=DateInput, required=False, label="Rescinded on", help_text="Empty: today."
    )
