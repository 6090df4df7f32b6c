from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from carenav.api import api
from carenav.web.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("patients/", include("carenav.patients.urls")),
    path("terminology/", include("carenav.terminology.urls")),
    path("assessments/", include("carenav.assessments.urls")),
    path("population/", include("carenav.population.urls")),
    path("programs/", include("carenav.programs.urls")),
    path("careplans/", include("carenav.careplans.urls")),
    path("fhir/", include("carenav.fhirapi.urls")),
    path("", include("carenav.web.urls")),
]
