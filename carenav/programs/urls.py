from django.urls import path

from carenav.programs import views

app_name = "programs"
urlpatterns = [
    path("candidates/", views.candidate_queue, name="candidates"),
    path("candidates/refresh/", views.candidate_refresh, name="candidate_refresh"),
    path("candidates/<int:candidate_id>/action/", views.candidate_action, name="candidate_action"),
    path("enroll/<int:patient_id>/<str:program_code>/", views.enroll_form, name="enroll"),
    path("enrollments/<int:enrollment_id>/disenroll/", views.disenroll, name="disenroll"),
    path("enrollments/<int:enrollment_id>/assign/", views.assign_care_manager, name="assign"),
    path("caseload/", views.my_caseload, name="caseload"),
    path("caseloads/", views.caseloads, name="caseloads"),
]
