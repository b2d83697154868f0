"""The meeting cycle's pages (included by stp_governance/page_urls.py). tests/meetings/test_access.py
checks every one of them across partnerships, roles and restricted items."""

from django.urls import path

from meetings import views

urlpatterns = [
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/items/add/", views.item_add, name="meeting-item-add"),
    path("meetings/<int:pk>/items/from-plan/", views.item_from_plan, name="meeting-item-from-plan"),
    path("meetings/<int:pk>/items/from-action/", views.item_from_action, name="meeting-item-from-action"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/pack/", views.pack_make, name="meeting-pack-make"),
    path("meetings/<int:pk>/notice/", views.notice_send, name="meeting-notice"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="meeting-minutes-pdf"),
    path("meetings/<int:pk>/approve-minutes/", views.minutes_approve, name="meeting-minutes-approve"),
    path("agenda-items/<int:pk>/", views.item_edit, name="meeting-item"),
    path("agenda-items/<int:pk>/papers/", views.paper_upload, name="meeting-paper-upload"),
    path("agenda-items/<int:pk>/declare/", views.declare, name="meeting-declare"),
    path("agenda-items/<int:pk>/decisions/", views.decision_add, name="meeting-decision-add"),
    path("agenda-items/<int:pk>/actions/", views.action_add, name="meeting-action-add"),
    path("papers/<int:pk>/", views.paper_detail, name="meeting-paper"),
    path("papers/<int:pk>/download/", views.paper_download, name="meeting-paper-download"),
    path("papers/<int:pk>/versions/<int:number>/", views.paper_download, name="meeting-paper-version"),
    path("packs/<int:pk>/", views.pack_detail, name="meeting-pack"),
    path("packs/<int:pk>/download/", views.pack_download, name="meeting-pack-download"),
    path("minute-entries/<int:pk>/amend/", views.minute_amend, name="meeting-minute-amend"),
    path("actions/<int:pk>/", views.action_detail, name="meeting-action"),
    path("bodies/<int:pk>/agendas/", views.meeting_list, name="meeting-list"),
    path("bodies/<int:pk>/forward-plan/", views.forward_plan, name="forward-plan"),
    path("partnerships/<int:pk>/gifts/", views.gifts_register, name="gifts-register"),
    path("partnerships/<int:pk>/declaration-rounds/", views.declaration_rounds, name="declaration-rounds"),
    path("my/interests/", views.my_interests, name="my-interests"),
    path("my/calendar/", views.my_calendar, name="my-calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("papers/search/", views.paper_search, name="paper-search"),
]
