"""Deny by default: every route declares a policy, and every role gets exactly what the matrix says."""
import pytest
from flask import Flask

from coordinator import create_app, security
from coordinator.roles import Role
from tests.access_matrix import MATRIX, PUBLIC
from tests.fixtures.app import make_test_config
from tests.fixtures.users import login_as

IGNORED_METHODS = {"HEAD", "OPTIONS"}
PERSONAS = ["anonymous"] + [role.value for role in Role]


def routes(app: Flask) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - IGNORED_METHODS}


def endpoints_without_policy(app: Flask) -> list[str]:
    return sorted({endpoint for endpoint, _ in routes(app) if security.policy_for(app, endpoint) is None})


def test_every_endpoint_declares_an_access_policy(app):
    assert endpoints_without_policy(app) == []


def test_a_view_without_a_policy_is_caught_and_refused(database_url):
    app = create_app(make_test_config(database_url))

    @app.route("/forgotten")
    def forgotten():
        return "leak"

    assert endpoints_without_policy(app) == ["forgotten"]
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert "leak" not in response.get_data(as_text=True)


def test_a_view_cannot_declare_two_policies():
    def view():
        return ""

    security.public(view)
    with pytest.raises(RuntimeError):
        security.roles(Role.ADMIN)(view)


def test_the_matrix_lists_every_route_and_nothing_else(app):
    assert routes(app) == set(MATRIX), (
        f"missing from the matrix: {sorted(routes(app) - set(MATRIX))}; "
        f"stale in the matrix: {sorted(set(MATRIX) - routes(app))}"
    )


@pytest.fixture
def matrix_records(create_user):
    """The records the matrix's {placeholders} refer to."""
    other = create_user(Role.CASE_MANAGER, email="other.user@example.org")
    return {"other_user": other.id}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint, method", sorted(MATRIX), ids=lambda v: v)
def test_authorization_matrix(client, create_user, matrix_records, endpoint, method, persona):
    access = MATRIX[(endpoint, method)]
    if persona != "anonymous":
        login_as(client, create_user(Role(persona)))
    path = access.path.format(**matrix_records)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post_form(path, access.data or {})
    status, location = response.status_code, response.headers.get("Location", "")

    allowed = access.allowed == PUBLIC or (persona != "anonymous" and Role(persona) in access.allowed)
    if allowed:
        assert status not in (401, 403), f"{persona} was refused {method} {path}"
        assert not location.startswith("/auth/login?next="), f"{persona} was sent to sign in"
        if access.expect is not None:
            assert status == access.expect
    elif persona == "anonymous":
        assert status == 302 and location.startswith("/auth/login?next="), (status, location)
    else:
        assert status == 403, f"{persona} got {status} for {method} {path}"
