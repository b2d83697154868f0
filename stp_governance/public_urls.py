"""/public/: the public site of each partnership that has switched it on (composition/public_site.py)."""

from django.urls import path

from composition import public_feeds, public_site

app_name = "public"

urlpatterns = [
    path("", public_site.index, name="index"),
    path("<slug:slug>/", public_site.partnership_page, name="partnership"),
    path("<slug:slug>/bodies/<int:pk>/", public_site.body_page, name="body"),
    path("<slug:slug>/terms-of-reference/<int:pk>/", public_site.terms_page, name="terms-of-reference"),
    path("<slug:slug>/meetings/<int:pk>/", public_site.meeting_page, name="meeting"),
    path("<slug:slug>/decisions/", public_site.decision_list, name="decisions"),
    path("<slug:slug>/decisions/<int:pk>/", public_site.decision_page, name="decision"),
    path("<slug:slug>/interests/", public_site.interests_page, name="interests"),
    path("<slug:slug>/gifts-and-hospitality/", public_site.gifts_page, name="gifts"),
    path("<slug:slug>/papers/<int:pk>/", public_site.paper_download, name="paper"),
    path("<slug:slug>/packs/<int:pk>/", public_site.pack_download, name="pack"),
    path("<slug:slug>/meetings/<int:pk>/minutes.pdf", public_site.minutes_pdf, name="minutes-pdf"),
    path("<slug:slug>/scheme-of-delegation/", public_site.scheme_page, name="scheme"),
    path("<slug:slug>/who-can-approve/", public_site.who_can_approve, name="who-can-approve"),
    path("<slug:slug>/decisions.atom", public_feeds.decisions_feed, name="decisions-feed"),
    path("<slug:slug>/meetings.atom", public_feeds.meetings_feed, name="meetings-feed"),
    path("<slug:slug>/meetings.ics", public_feeds.meetings_calendar_view, name="meetings-calendar"),
    path("<slug:slug>/open-data.zip", public_feeds.open_data, name="open-data"),
]
