"""The interface language is kept on the user's profile (#21 item 11).

Choosing a language (on any page, the login page included) stores it on the
profile of the person logged in, or at login; each request of a logged-in
person is then in their language, on every browser they use.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from imena.accounts.services import user_set_language


def _chosen(request: HttpRequest) -> str:
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if translation.check_for_language(code) else ""


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language``, and the choice kept on the user's profile."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and translation.check_for_language(code)
    ):
        user_set_language(user=user, language=code)
    return response


class LoginView(auth_views.LoginView):
    """Login that keeps the language chosen on the login page on the profile."""

    template_name = "accounts/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        code = _chosen(self.request)
        if code:
            user_set_language(user=form.get_user(), language=code)
        return response


class UserLanguageMiddleware:
    """A logged-in person's requests in the language of their profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        code = getattr(user, "language", "") if user is not None else ""
        if not (user is not None and user.is_authenticated and code):
            return self.get_response(request)
        if code != _chosen(request) and translation.check_for_language(code):
            translation.activate(code)
            request.LANGUAGE_CODE = code
            response = self.get_response(request)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
            return response
        return self.get_response(request)
