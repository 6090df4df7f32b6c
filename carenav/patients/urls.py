from django.urls import path

from carenav.patients import views

app_name = "patients"
urlpatterns = [
    path("", views.patient_list, name="list"),
    path("<int:patient_id>/", views.patient_chart, name="chart"),
    path("<int:patient_id>/access-log/", views.patient_access_log, name="access_log"),
]
