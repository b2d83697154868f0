"""Daily job of the risk registers (beat: CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from risks.reminders import escalation_reminders, risk_review_reminders
from stp_governance.effective_dating import today
from stp_governance.notifications import reminders_send


@shared_task(name="risks.tasks.send_risks_reminders")
def send_risks_reminders() -> int:
    """Risks overdue for review (their owner, the holding body) and escalations not yet answered."""
    on = today()
    return reminders_send([*risk_review_reminders(on), *escalation_reminders(on)], day=on)
