"""Daily job of the bodies register (beat: CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from bodies.reminders import terms_of_reference_reminders
from stp_governance.effective_dating import today
from stp_governance.notifications import reminders_send


@shared_task(name="bodies.tasks.send_terms_of_reference_reminders")
def send_terms_of_reference_reminders() -> int:
    """Terms of reference due for review within 30 days or overdue: their body's secretariat and chair."""
    on = today()
    return reminders_send(terms_of_reference_reminders(on), day=on)
