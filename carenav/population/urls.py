from django.urls import path

from carenav.population import views

app_name = "population"
urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("patients/<int:patient_id>/risk/", views.patient_history, name="patient_history"),
]
