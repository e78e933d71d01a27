"""Who may call which endpoint: the one table the authorization tests check every route against.

Each (endpoint, method) maps to an Access: the roles allowed (PUBLIC means anyone, signed
in or not) and a path, whose {placeholders} are filled from records the test creates.
Later issues add their endpoints here; a route missing from this table fails the suite.
"""
from __future__ import annotations

from dataclasses import dataclass

from coordinator.roles import Role

ALL_STAFF = frozenset(Role)
PUBLIC = "public"


@dataclass(frozen=True)
class Access:
    allowed: frozenset | str
    path: str
    # What an allowed caller gets; None accepts any answer that is not a refusal.
    expect: int | None = None
    data: dict | None = None


def staff(*roles: Role) -> frozenset:
    return frozenset(roles)


ADMIN = staff(Role.ADMIN)

MATRIX: dict[tuple[str, str], Access] = {
    ("static", "GET"): Access(PUBLIC, "/static/app.css", expect=200),
    ("ops.healthz", "GET"): Access(PUBLIC, "/healthz", expect=200),
    ("auth.login", "GET"): Access(PUBLIC, "/auth/login"),
    ("auth.login", "POST"): Access(PUBLIC, "/auth/login"),
    ("auth.logout", "POST"): Access(ALL_STAFF, "/auth/logout", expect=302),
    ("main.home", "GET"): Access(ALL_STAFF, "/", expect=200),
    ("account.change_password", "GET"): Access(ALL_STAFF, "/account/password", expect=200),
    ("account.change_password", "POST"): Access(ALL_STAFF, "/account/password", expect=200),
    ("admin.users", "GET"): Access(ADMIN, "/admin/users", expect=200),
    ("admin.new_user", "GET"): Access(ADMIN, "/admin/users/new", expect=200),
    ("admin.new_user", "POST"): Access(ADMIN, "/admin/users/new", expect=200),
    ("admin.edit_user", "GET"): Access(ADMIN, "/admin/users/{other_user}", expect=200),
    ("admin.edit_user", "POST"): Access(ADMIN, "/admin/users/{other_user}", expect=200),
    ("admin.deactivate_user", "POST"): Access(ADMIN, "/admin/users/{other_user}/deactivate", expect=302),
    ("admin.reactivate_user", "POST"): Access(ADMIN, "/admin/users/{other_user}/reactivate", expect=302),
    ("admin.reset_password", "GET"): Access(ADMIN, "/admin/users/{other_user}/password", expect=200),
    ("admin.reset_password", "POST"): Access(ADMIN, "/admin/users/{other_user}/password", expect=200),
    ("admin.audit_log", "GET"): Access(ADMIN, "/admin/audit", expect=200),
}
