"""Daily job of the decisions register (beat: CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from decisions.reminders import meeting_notice_reminders, ratification_reminders, urgent_decision_reminders
from stp_governance.effective_dating import today
from stp_governance.notifications import reminders_send


@shared_task(name="decisions.tasks.send_decisions_reminders")
def send_decisions_reminders() -> int:
    """Ratifications past due, urgent decisions not yet reported, meeting notices not yet given."""
    on = today()
    reminders = [*ratification_reminders(on), *urgent_decision_reminders(on), *meeting_notice_reminders(on)]
    return reminders_send(reminders, day=on)
