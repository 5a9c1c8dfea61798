"""Who am I, log in, log out: the views the login tests drive over HTTP."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def whoami(request: HttpRequest) -> HttpResponse:
    """Count this session's visits and say who is logged in."""
    visits = request.session.get("visits", 0) + 1
    request.session["visits"] = visits
    user = request.user.get_username() if request.user.is_authenticated else "anonymous"
    return HttpResponse(f"user={user} visits={visits}", content_type="text/plain")


@csrf_exempt  # type: ignore[untyped-decorator]  # Django ships no type hints
def login_view(request: HttpRequest) -> HttpResponse:
    """Log in with the posted username and password (login() cycles the session key)."""
    user = authenticate(
        request, username=request.POST.get("username"), password=request.POST.get("password")
    )
    if user is None:
        return HttpResponse("wrong username or password", status=403)
    login(request, user)
    return HttpResponse(f"logged in as {user.get_username()}", content_type="text/plain")


@csrf_exempt  # type: ignore[untyped-decorator]  # Django ships no type hints
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out (logout() flushes the session)."""
    logout(request)
    return HttpResponse("logged out", content_type="text/plain")


urlpatterns = [
    path("whoami", whoami),
    path("login", login_view),
    path("logout", logout_view),
]
