"""The agenda pack made by a real Celery worker: queued from the meeting page, progress reported
on the pack's page, downloadable when done."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.models import AgendaPack
from tests import factories
from tests.jobs.conftest import wait_for
from tests.meetings.conftest import pdf_upload, user_for

pytestmark = pytest.mark.slow


def test_the_pack_requested_on_the_meeting_page_is_made_by_the_worker(celery_worker, client):
    meeting = factories.MeetingFactory(body__name="Worker Board")
    for n in range(3):
        item = services.agenda_item_add(meeting=meeting, title=f"Item {n}")
        services.paper_upload(agenda_item=item, upload=pdf_upload(f"Worker paper {n}", 5))
    client.force_login(user_for(meeting.body.partnership, "secretariat"))

    assert client.post(reverse("meeting-pack-make", args=[meeting.pk])).status_code == 302
    pack = AgendaPack.objects.get(meeting=meeting)
    seen = []

    def done():
        pack.refresh_from_db()
        seen.append(pack.progress)
        return pack.status == "done" and client.get(reverse("meeting-pack", args=[pack.pk])).content.decode()

    page = wait_for(done, timeout=60)
    assert "Download the public pack (PDF)" in page and seen == sorted(seen) and seen[-1] == 100
    download = client.get(reverse("meeting-pack-download", args=[pack.pk]))
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(pdf.pages) == 2 + 15
    assert "Worker paper 2" in pdf.pages[-1].extract_text()
