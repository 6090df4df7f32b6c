from django.urls import path, re_path

from carenav.fhirapi import views

app_name = "fhirapi"
urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("Patient/<str:resource_id>/$everything", views.everything, name="everything"),
    re_path(r"^(?P<resource_type>[A-Za-z]+)/?$", views.search, name="search"),
    re_path(r"^(?P<resource_type>[A-Za-z]+)/(?P<resource_id>[^/]+)$", views.read, name="read"),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
