from django.urls import path

from carenav.assessments import views

app_name = "assessments"
urlpatterns = [
    path("patients/<int:patient_id>/", views.patient_assessments, name="patient"),
    path("patients/<int:patient_id>/start/", views.assessment_start, name="start"),
    path("<int:response_id>/", views.assessment_detail, name="detail"),
    path("<int:response_id>/save/", views.assessment_save, name="save"),
    path("<int:response_id>/submit/", views.assessment_submit, name="submit"),
    path("<int:response_id>/language/", views.assessment_language, name="language"),
    path("<int:response_id>/discard/", views.assessment_discard, name="discard"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
