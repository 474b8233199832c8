from django.urls import path

from . import views

app_name = "parties"

urlpatterns = [
    path("", views.party_list, name="list"),
    path("new/", views.party_create, name="create"),
    path("<int:pk>/", views.party_detail, name="detail"),
    path("<int:pk>/edit/", views.party_edit, name="edit"),
    path("<int:pk>/premises/new/", views.premises_add, name="premises_add"),
    path("premises/<int:pk>/edit/", views.premises_edit, name="premises_edit"),
    path("<int:pk>/licences/new/", views.licence_add, name="licence_add"),
    path("licences/<int:pk>/edit/", views.licence_edit, name="licence_edit"),
]
