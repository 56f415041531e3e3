from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from imena.accounts import language

app_name = "accounts"
urlpatterns = [
    path("login/", language.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
