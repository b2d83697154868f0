"""Styled 403, 404 and 500 pages with the site's navigation (issue 17)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_403_page_is_styled_with_the_navigation(secretariat, ours):
    shared = MembershipFactory(partnership=ours).organisation
    MembershipFactory(organisation=shared)
    response = secretariat.get(reverse("edit-organisation", args=[shared.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "nhsuk-header" in page and "nhsuk-header__navigation" in page and "You cannot do this" in page
    assert "nhsuk-frontend.served.min.css" in page


def test_the_404_page_is_styled_with_the_navigation(secretariat):
    response = secretariat.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "nhsuk-header__navigation" in page


def test_the_500_page_is_styled_without_needing_the_request():
    page = render_to_string("500.html")
    assert "Sorry, there is a problem with the registry" in page and "nhsuk-header" in page
    assert "registry.css" in page


def test_the_comparison_defaults_to_in_force_against_the_draft_with_words(secretariat, board):
    from tests.factories import TermsOfReferenceFactory

    TermsOfReferenceFactory(body=board, version=1, approved=True, purpose="Old purpose.")
    TermsOfReferenceFactory(body=board, version=2, purpose="New purpose.")
    page = secretariat.get(reverse("body-detail", args=[board.pk])).content.decode()
    assert "Version 1 (approved) against version 2 (draft)" in page
    assert "− Was:</strong> Purpose: Old purpose." in page
    assert "+ Now:</strong> Purpose: New purpose." in page
