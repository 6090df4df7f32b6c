from django.urls import path

from carenav.terminology import views

app_name = "terminology"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:valueset_id>/", views.valueset_detail, name="valueset"),
]
