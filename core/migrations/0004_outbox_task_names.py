"""Tasks are named after the modules they now live in (docs/decisions/0008-layers.md): messages
waiting in the outbox at the upgrade are renamed, so none is lost."""

from django.db import migrations

RENAMED = {
    "core.tasks.dispatch_outbox": "core.tasks.dispatch_outbox",
    "core.tasks.send_daily_reminders": "core.tasks.send_daily_reminders",
    "core.tasks.send_notification_email": "core.tasks.send_notification_email",
    "core.tasks.deliver_webhook": "core.tasks.deliver_webhook",
    "composition.tasks.run_export": "composition.tasks.run_export",
    "composition.tasks.run_nightly_checks": "composition.tasks.run_nightly_checks",
    "composition.tasks.run_partnership_checks": "composition.tasks.run_partnership_checks",
}


def rename(apps, schema_editor, names=RENAMED):
    OutboxMessage = apps.get_model("stp_governance", "OutboxMessage")
    for old, new in names.items():
        OutboxMessage.objects.filter(task=old).update(task=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, names={new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [("stp_governance", "0003_job_leases")]

    operations = [migrations.RunPython(rename, rename_back)]
