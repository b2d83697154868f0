"""Staff pages added by issue 17 (organisations, ODS import, spreadsheet import, pickers, replacing a
holder), added to stp_governance/page_urls.py's list so the access matrix tests see each one."""

from django.urls import path

from bodies import ods_views, organisation_views, pickers, views, workbook_views

urlpatterns = [
    path("edit/appointments/<int:pk>/replace/", views.appointment_replace, name="edit-appointment-replace"),
    path("pick/organisations/", pickers.pick_organisations, name="pick-organisations"),
    path("pick/people/", pickers.pick_people, name="pick-people"),
    path(
        "edit/partnerships/<int:pk>/organisations/",
        organisation_views.organisations,
        name="edit-organisations",
    ),
    path(
        "edit/partnerships/<int:pk>/organisations/new/",
        organisation_views.organisation_create,
        name="edit-organisation-create",
    ),
    path("edit/organisations/<int:pk>/", organisation_views.organisation_edit, name="edit-organisation"),
    path(
        "edit/organisations/<int:pk>/propose/",
        organisation_views.organisation_propose,
        name="edit-organisation-propose",
    ),
    path("edit/partnerships/<int:pk>/ods-import/", ods_views.ods_import, name="edit-ods-import"),
    path("edit/partnerships/<int:pk>/import/", workbook_views.workbook_import, name="edit-workbook-import"),
    path(
        "edit/partnerships/<int:pk>/import/template.xlsx",
        workbook_views.workbook_template,
        name="edit-workbook-template",
    ),
]
