from django.urls import path

from .views import audit, people, policies, qualifications

app_name = "org"

urlpatterns = [
    # qualification: roster, alerts, one person's file, certificates and training
    path("roster/", qualifications.roster, name="roster"),
    path("alerts/", qualifications.alerts, name="alerts"),
    path("people/<int:pk>/", qualifications.person_detail, name="person"),
    path("people/<int:pk>/certificates/new/", qualifications.certificate_add, name="certificate_add"),
    path("certificates/<int:pk>/status/", qualifications.certificate_status, name="certificate_status"),
    path("certificates/<int:pk>/review/", qualifications.annual_review_add, name="annual_review_add"),
    path("people/<int:pk>/trainings/new/", qualifications.training_add, name="training_add"),
    # accounts, roles, units (system and security administrators)
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", people.person_roles, name="person_roles"),
    path("people/<int:pk>/password/", people.person_password, name="person_password"),
    path("people/<int:pk>/unlock/", people.person_unlock, name="person_unlock"),
    path("people/<int:pk>/reset-otp/", people.person_reset_otp, name="person_reset_otp"),
    path("units/", people.unit_list, name="units"),
    path("units/new/", people.unit_edit, name="unit_create"),
    path("units/<int:pk>/edit/", people.unit_edit, name="unit_edit"),
    # policy parameters and the audit log
    path("policies/", policies.policy_list, name="policies"),
    path("policies/<str:key>/", policies.policy_edit, name="policy_edit"),
    path("audit/", audit.event_list, name="audit"),
]
