"""Flask's app.config keys read into a SessionConfig, as Flask itself reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sessionware.config.flask_app import FlaskConfigReader

SECRET = "flask-config-secret-that-is-long-enough!"


def test_a_bare_mapping_gets_flasks_defaults() -> None:
    config = FlaskConfigReader().config({"SECRET_KEY": SECRET})
    assert config.cookie_name == "session"
    assert config.cookie_path == "/"
    # Flask's default SESSION_COOKIE_SAMESITE is None: no attribute, as Flask sends.
    assert config.cookie_samesite is None
    assert config.permanent_lifetime == timedelta(days=31)
    assert config.max_cookie_size == 4093


@pytest.mark.parametrize(
    ("flask", "path"),
    [
        pytest.param({"APPLICATION_ROOT": "/app"}, "/app", id="application-root"),
        pytest.param(
            {"APPLICATION_ROOT": "/app", "SESSION_COOKIE_PATH": "/own"}, "/own", id="own-path"
        ),
        pytest.param({"SESSION_COOKIE_PATH": None, "APPLICATION_ROOT": "/"}, "/", id="none"),
    ],
)
def test_the_cookie_path_falls_back_to_the_application_root(
    flask: dict[str, str | None], path: str
) -> None:
    assert FlaskConfigReader().config({"SECRET_KEY": SECRET, **flask}).cookie_path == path


def test_false_domains_fallbacks_and_int_lifetimes_read_as_flask_reads_them() -> None:
    config = FlaskConfigReader().config(
        {
            "SECRET_KEY": SECRET,
            "SESSION_COOKIE_DOMAIN": False,
            "SECRET_KEY_FALLBACKS": None,
            "PERMANENT_SESSION_LIFETIME": 90,
        }
    )
    assert config.cookie_domain is None
    assert config.secret_key_fallbacks == ()
    assert config.lifetime_seconds == 90


def test_only_a_handful_of_configs_are_kept() -> None:
    reader = FlaskConfigReader()
    first = reader.config({"SECRET_KEY": SECRET})
    for n in range(10):
        reader.config({"SECRET_KEY": SECRET, "SESSION_COOKIE_NAME": f"s{n}"})
    # The first was evicted: an equal config is built again, not the same object.
    again = reader.config({"SECRET_KEY": SECRET})
    assert again == first
    assert again is not first
    assert reader.config({"SECRET_KEY": SECRET}) is again


def test_errors_name_the_flask_key_but_not_an_overrides() -> None:
    with pytest.raises(ValueError, match=r"app\.config\['MAX_COOKIE_SIZE'\]"):
        FlaskConfigReader().config({"SECRET_KEY": SECRET, "MAX_COOKIE_SIZE": 10})
    # The bad value came from an override, not app.config: the message stays the config's.
    with pytest.raises(ValueError, match="max_cookie_size") as caught:
        FlaskConfigReader({"max_cookie_size": 10}).config({"SECRET_KEY": SECRET})
    assert "app.config" not in str(caught.value)


def test_an_unknown_override_fails_when_built_and_secrets_stay_out_of_repr() -> None:
    with pytest.raises(TypeError, match="cookie_nmae"):
        FlaskConfigReader({"cookie_nmae": "x"})
    reader = FlaskConfigReader({"secret_key": SECRET})
    assert SECRET not in repr(reader)
    assert "secret_key" in repr(reader)
