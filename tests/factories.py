"""factory_boy factories for the registry (one per model; related records made on demand)."""

import datetime

import factory
from django.utils.text import slugify

from bodies import models


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Sequence(lambda n: f"Test Person {n}")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Partnership

    name = factory.Sequence(lambda n: f"Test Partnership {n}")
    short_name = factory.LazyAttribute(lambda o: o.name.replace("Test Partnership", "TP"))
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Test Organisation {n} NHS Trust")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = models.Organisation.Kind.NHS_TRUST
    is_statutory = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    partnership = factory.SubFactory(PartnershipFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    standing = models.Membership.Standing.PARTY_TO
    status = models.Membership.Status.CONFIRMED
    effective_from = datetime.date(2017, 4, 1)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Agreement

    partnership = factory.SubFactory(PartnershipFactory)
    slug = factory.Sequence(lambda n: f"agreement-{n}")
    kind = models.Agreement.Kind.MOU
    title = factory.Sequence(lambda n: f"Memorandum of understanding {n}")
    status = models.Agreement.Status.IN_FORCE


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Signature

    agreement = factory.SubFactory(AgreementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    signatory_name = factory.Sequence(lambda n: f"Signatory {n}")
    signatory_title = "Accountable Officer"


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Body

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Test Board {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = models.Body.Kind.BOARD
    status = models.Body.Status.ACTIVE


class BodyRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BodyRelationship

    from_body = factory.SubFactory(BodyFactory)
    to_body = factory.SubFactory(BodyFactory, partnership=factory.SelfAttribute("..from_body.partnership"))
    kind = models.BodyRelationship.Kind.REPORTS_TO


class TermsOfReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TermsOfReference

    body = factory.SubFactory(BodyFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = models.TermsOfReference.Status.DRAFT
    purpose = "To hold partners to account for delivery of the system plan."
    meeting_frequency = models.TermsOfReference.Frequency.MONTHLY

    class Params:
        approved = factory.Trait(
            status=models.TermsOfReference.Status.APPROVED,
            approved_on=datetime.date(2017, 6, 22),
            effective_from=datetime.date(2017, 6, 22),
        )


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Appointment

    body = factory.SubFactory(BodyFactory)
    person = factory.SubFactory(PersonFactory)
    role = models.Appointment.Role.MEMBER
    effective_from = datetime.date(2017, 4, 1)


class PartnershipStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartnershipStage

    partnership = factory.SubFactory(PartnershipFactory)
    stage = models.PartnershipStage.Stage.STP
    effective_from = datetime.date(2016, 3, 1)


class TermsOfReferenceObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TermsOfReferenceObjective

    terms_of_reference = factory.SubFactory(TermsOfReferenceFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "To agree changes to the Sustainability and Transformation Plan."


class TermsOfReferenceRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TermsOfReferenceRole

    terms_of_reference = factory.SubFactory(TermsOfReferenceFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = "Chief Executive of each partner"
    category = models.TermsOfReferenceRole.Category.MEMBER
    voting = True


class OrganisationSuccessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OrganisationSuccession

    predecessor = factory.SubFactory(OrganisationFactory)
    successor = factory.SubFactory(OrganisationFactory)
    effective_on = datetime.date(2019, 4, 1)


class OrganisationNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OrganisationName

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Former name {n}")
    effective_from = datetime.date(2013, 4, 1)
    effective_to = datetime.date(2019, 3, 31)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Matter"

    partnership = factory.SubFactory(PartnershipFactory)
    slug = factory.Sequence(lambda n: f"matter-{n}")
    name = factory.Sequence(lambda n: f"To approve business case {n}")
    category = "finance_and_investment"


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Delegation"

    partnership = factory.SubFactory(PartnershipFactory)
    matter = factory.SubFactory(MatterFactory, partnership=factory.SelfAttribute("..partnership"))
    delegator = None
    delegate = factory.SubFactory(BodyFactory, partnership=factory.SelfAttribute("..partnership"))
    power = "approve"
    effective_from = datetime.date(2017, 4, 1)


class ReservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.Reservation"

    partnership = factory.SubFactory(PartnershipFactory)
    matter = factory.SubFactory(MatterFactory, partnership=factory.SelfAttribute("..partnership"))
    reserved_to = "nhs_statutory_board"
    power = "approve"


class UrgentDecisionRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.UrgentDecisionRule"

    partnership = factory.SubFactory(PartnershipFactory)
    need_determined_by = "The chair and the accountable officer"
    reported_to = "The next meeting of the board"


class SchemeNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.SchemeNote"

    partnership = factory.SubFactory(PartnershipFactory)
    text = "Conflicts of interest are managed under each partner's own policy."


class ApprovalRouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.ApprovalRoute"

    partnership = factory.SubFactory(PartnershipFactory)
    category = "system_investment_fund"
    name = "Proposals funded from the System Investment Fund"


class ApprovalStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "delegation.ApprovalStage"

    route = factory.SubFactory(ApprovalRouteFactory)
    position = factory.Sequence(lambda n: n + 1)
    phase = "outline_business_case"
    name = "Approve proposal"
    power = "approve"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Meeting"

    body = factory.SubFactory(BodyFactory)
    starts_at = factory.Sequence(
        lambda n: datetime.datetime(2018, 1, 15, 10, 0, tzinfo=datetime.UTC) + datetime.timedelta(days=n)
    )
    place = "Board room"
    status = "held"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Attendance"

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    status = "present"
    voting = True


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.AgendaItem"

    meeting = factory.SubFactory(MeetingFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda item {n}")


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Interest"

    partnership = factory.SubFactory(PartnershipFactory)
    person = factory.SubFactory(PersonFactory)
    kind = "financial"
    description = "Director of a company that supplies community services"


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Declaration"

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)
    nature = "Director of a company bidding for the contract"
    management = "no_action"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Decision"

    body = factory.SubFactory(BodyFactory)
    meeting = factory.SubFactory(MeetingFactory, body=factory.SelfAttribute("..body"))
    matter = factory.SubFactory(MatterFactory, partnership=factory.SelfAttribute("..body.partnership"))
    power = "approve"
    resolution = factory.Sequence(lambda n: f"Resolved: business case {n} is approved.")
    outcome = "carried"
    decided_on = factory.LazyAttribute(
        lambda o: o.meeting.meeting_date if o.meeting else datetime.date(2018, 1, 15)
    )
    status = "effective"


class RatificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Ratification"

    decision = factory.SubFactory(DecisionFactory, status="awaiting_ratification")
    organisation = factory.SubFactory(OrganisationFactory)
    outcome = "pending"


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "decisions.Proposal"

    partnership = factory.SubFactory(PartnershipFactory)
    route = factory.SubFactory(ApprovalRouteFactory, partnership=factory.SelfAttribute("..partnership"))
    category = factory.LazyAttribute(lambda o: o.route.category)
    title = factory.Sequence(lambda n: f"Proposal {n}")


class ScoringMatrixFactory(factory.django.DjangoModelFactory):
    """The NHS 5x5 matrix (the model's defaults) stored for a partnership."""

    class Meta:
        model = "risks.ScoringMatrix"

    partnership = factory.SubFactory(PartnershipFactory)


class RiskRegisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskRegister"

    partnership = factory.SubFactory(PartnershipFactory)
    body = factory.SubFactory(BodyFactory, partnership=factory.SelfAttribute("..partnership"))


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.Risk"

    register = factory.SubFactory(RiskRegisterFactory)
    reference = factory.Sequence(lambda n: f"R-{n:04d}")
    title = factory.Sequence(lambda n: f"Test risk {n}")
    category = "operational_performance"
    inherent_likelihood = 4
    inherent_consequence = 4
    current_likelihood = 3
    current_consequence = 3
    target_likelihood = 2
    target_consequence = 2
    appetite = "cautious"


class RiskActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskAction"

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Mitigating action {n}")
    due_on = datetime.date(2018, 6, 30)


class RiskReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risks.RiskReview"

    risk = factory.SubFactory(RiskFactory)
    reviewed_on = factory.Sequence(lambda n: datetime.date(2018, 1, 1) + datetime.timedelta(days=n))
    current_likelihood = factory.SelfAttribute("risk.current_likelihood")
    current_consequence = factory.SelfAttribute("risk.current_consequence")
    target_likelihood = factory.SelfAttribute("risk.target_likelihood")
    target_consequence = factory.SelfAttribute("risk.target_consequence")


class RiskEscalationFactory(factory.django.DjangoModelFactory):
    """An escalation record as stored (the reporting-line rule lives in risks.services.risk_escalate)."""

    class Meta:
        model = "risks.RiskEscalation"

    risk = factory.SubFactory(RiskFactory)
    from_register = factory.SelfAttribute("risk.register")
    to_body = factory.SubFactory(BodyFactory, partnership=factory.SelfAttribute("..risk.partnership"))
    escalated_on = datetime.date(2018, 3, 1)
    reason = "Cannot be resolved at this level."


# -- the meeting cycle (files are named, not stored: the API lists them, tests/meetings/ uploads real ones)
class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Paper"
        skip_postgeneration_save = True

    agenda_item = factory.SubFactory(AgendaItemFactory)
    title = factory.Sequence(lambda n: f"Paper {n}")
    current_version = 1

    @factory.post_generation
    def version(paper, create, extracted, **kwargs):
        if create and paper.current_version:
            PaperVersionFactory(paper=paper, number=paper.current_version)


class PaperVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.PaperVersion"

    paper = factory.SubFactory(PaperFactory, current_version=0)
    number = 1
    file = factory.Sequence(lambda n: f"papers/test/paper-{n}.pdf")
    kind = "pdf"
    original_name = "paper.pdf"
    size = 2048
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    pages = 1


class AgendaPackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.AgendaPack"

    meeting = factory.SubFactory(MeetingFactory)
    status = "done"
    progress = 100
    file = factory.Sequence(lambda n: f"packs/test/pack-{n}.pdf")
    pages = 3


class MinutesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Minutes"

    meeting = factory.SubFactory(MeetingFactory)


class MinuteEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.MinuteEntry"
        skip_postgeneration_save = True

    minutes = factory.SubFactory(MinutesFactory)
    agenda_item = factory.SubFactory(AgendaItemFactory, meeting=factory.SelfAttribute("..minutes.meeting"))
    text = "The board noted the report."

    @factory.post_generation
    def amendment(entry, create, extracted, **kwargs):
        if create:
            entry.amendments.create(previous_text="Noted.", text=entry.text, reason="A typing error.")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Action"
        skip_postgeneration_save = True

    body = factory.SubFactory(BodyFactory)
    agenda_item = factory.SubFactory(AgendaItemFactory, meeting__body=factory.SelfAttribute("...body"))
    description = factory.Sequence(lambda n: f"Action {n}: circulate the revised plan.")
    owner = factory.SubFactory(PersonFactory)
    due_on = datetime.date(2018, 3, 1)

    @factory.post_generation
    def update(action, create, extracted, **kwargs):
        if create:
            action.updates.create(on=datetime.date(2018, 2, 1), text="Drafted.")


class ForwardPlanEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.ForwardPlanEntry"

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Annual report {n}")
    month = 6


class GiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Gift"

    partnership = factory.SubFactory(PartnershipFactory)
    person = factory.SubFactory(PersonFactory)
    kind = "hospitality_meal"
    description = "Dinner at a conference"
    offered_by = "A supplier"
    value_gbp = 40
    offered_on = datetime.date(2018, 5, 1)
    accepted = True


class DeclarationRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.DeclarationRound"

    partnership = factory.SubFactory(PartnershipFactory)
    year = factory.Sequence(lambda n: 2018 + n)
    opens_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 4, 1))
    closes_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 5, 31))


class DeclarationReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.DeclarationReturn"

    round = factory.SubFactory(DeclarationRoundFactory)
    person = factory.SubFactory(PersonFactory)
    nil_return = True
