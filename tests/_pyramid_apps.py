"""A Pyramid app whose views each do one thing to ``request.session``, for the tests."""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.csrf import SessionCSRFStoragePolicy, get_csrf_token
from pyramid.request import Request
from pyramid.router import Router

from sessionware.pyramid import PyramidSession


def _session(request: Request) -> PyramidSession:
    session = request.session
    assert isinstance(session, PyramidSession)
    return session


def count(request: Request) -> dict[str, Any]:
    session = _session(request)
    session["visits"] = session.get("visits", 0) + 1
    return {"visits": session["visits"], "new": session.new, "created": session.created}


def read(request: Request) -> dict[str, Any]:
    session = _session(request)
    return {"data": dict(session), "new": session.new, "created": session.created}


def set_keys(request: Request) -> dict[str, Any]:
    session = _session(request)
    session.update(request.GET)
    return dict(session)


def flash(request: Request) -> list[Any]:
    session = _session(request)
    queue = request.GET.get("queue", "")
    session.flash(request.GET["msg"], queue, allow_duplicate=request.GET.get("dup") != "0")
    return session.peek_flash(queue)


def peek(request: Request) -> list[Any]:
    return _session(request).peek_flash(request.GET.get("queue", ""))


def pop(request: Request) -> list[Any]:
    return _session(request).pop_flash(request.GET.get("queue", ""))


def touch_cart(request: Request) -> dict[str, Any]:
    """Changes a nested value in place, then says so with changed()."""
    session = _session(request)
    cart = session.setdefault("cart", [])
    cart.append(len(cart))
    session.changed()
    return dict(session)


def mark_changed(request: Request) -> dict[str, Any]:
    session = _session(request)
    session.changed()
    return dict(session)


def invalidate(request: Request) -> dict[str, Any]:
    session = _session(request)
    session.invalidate()
    after = request.GET.get("after")
    if after is not None:
        session["after"] = after
    return {"data": dict(session), "new": session.new}


def regenerate(request: Request) -> dict[str, Any]:
    session = _session(request)
    session.regenerate()
    return dict(session)


def csrf_token(request: Request) -> str:
    return str(get_csrf_token(request))


def csrf_protected(request: Request) -> str:
    return "accepted"


def environ_session(request: Request) -> bool:
    """Whether request.session wraps the session SessionMiddleware put in the environ."""
    return _session(request).session is request.environ.get("session")


VIEWS = {
    "count": count,
    "read": read,
    "set": set_keys,
    "flash": flash,
    "peek": peek,
    "pop": pop,
    "cart": touch_cart,
    "changed": mark_changed,
    "invalidate": invalidate,
    "regenerate": regenerate,
    "csrf": csrf_token,
    "environ": environ_session,
}


def add_views(config: Configurator, *, csrf_policy: bool = True) -> None:
    """Every view at ``/<name>``; POST ``/protected`` checks the CSRF token."""
    if csrf_policy:
        config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    for name, view in VIEWS.items():
        config.add_route(name, f"/{name}")
        config.add_view(view, route_name=name, renderer="json")
    config.add_route("protected", "/protected")
    config.add_view(csrf_protected, route_name="protected", renderer="string", require_csrf=True)


def make_app(
    factory: Any = None, *, settings: dict[str, Any] | None = None, csrf_policy: bool = True
) -> Router:
    """The test app, with ``factory`` or (with ``settings``) ``sessionware.pyramid`` included."""
    with Configurator(settings=settings) as config:
        if factory is not None:
            config.set_session_factory(factory)
        else:
            config.include("sessionware.pyramid")
        add_views(config, csrf_policy=csrf_policy)
    return config.make_wsgi_app()
