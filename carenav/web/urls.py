from django.urls import path

from carenav.web import views

app_name = "web"
urlpatterns = [
    path("account/tokens/", views.tokens, name="tokens"),
]
