"""The key pages of the README, photographed from the demo data of the five partnerships.

Each page is also checked to show what the picture is meant to show, so a picture of an error
page or of an empty registry fails the test instead of landing in the README.
"""

import pytest
from django.core.management import call_command

from bodies.models import Body, Organisation, Partnership
from core.access import grant_role
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password 42"


def test_the_readme_pictures_show_the_demo_data(demo, page):
    user = UserFactory(is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    for partnership in Partnership.objects.all():
        grant_role(user=user, partnership=partnership, role="viewer")
    derbyshire = Partnership.objects.get(slug="derbyshire")
    cambridgeshire = Partnership.objects.get(slug="cambridgeshire-and-peterborough")
    board = Body.objects.get(partnership=derbyshire, slug="stp-board")
    chesterfield = Organisation.objects.get(slug="chesterfield-royal-hospital-nhs-foundation-trust")
    call_command("scheme_check", "--record")  # as `make run` does when it starts
    sign_in(page, demo.url, user.username, PASSWORD)

    tour = [
        (
            "home.png",
            "/",
            [p.name for p in Partnership.objects.all()] + ["ratifications outstanding", "(nightly check,"],
        ),
        (
            "partnership-cambridgeshire.png",
            f"/partnerships/{cambridgeshire.pk}/",
            ["Health and Care Executive"],
        ),
        ("partnership-derbyshire.png", f"/partnerships/{derbyshire.pk}/", ["Derbyshire STP Board"]),
        ("body-derbyshire-stp-board.png", f"/bodies/{board.pk}/", ["Terms of reference", "STPB/18/01"]),
        (
            "organisation-chesterfield.png",
            f"/organisations/{chesterfield.pk}/",
            ["South Yorkshire", "STPB/18/01"],
        ),
    ]
    for name, path, expected in tour:
        response = page.goto(f"{demo.url}{path}")
        assert response.status == 200, path
        text = page.locator("main").inner_text()
        for phrase in expected:
            assert phrase in text, (path, phrase)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
