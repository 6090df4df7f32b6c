from django.urls import path

from carenav.careplans import views

app_name = "careplans"
urlpatterns = [
    path("reviews/", views.reviews, name="reviews"),
    path("library/", views.template_library, name="library"),
    path("new/<int:patient_id>/", views.plan_create, name="create"),
    path("<int:plan_id>/", views.plan_editor, name="editor"),
    path("<int:plan_id>/goal-form/", views.goal_form, name="goal_form"),
    path("<int:plan_id>/form/<slug:kind>/<uuid:key>/", views.item_form, name="item_form"),
    path("<int:plan_id>/do/<slug:action>/", views.plan_action, name="action"),
    path("<int:plan_id>/diff/", views.plan_diff, name="diff"),
    path("<int:plan_id>/copy/", views.copy_page, name="copy"),
    path("<int:plan_id>/copy.pdf", views.copy_pdf, name="copy_pdf"),
    path("<int:plan_id>/fhir.json", views.fhir_export, name="fhir"),
]
