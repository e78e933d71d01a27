"""Billing's search: a person by name, phone, member id or account number, insured or not."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import HiddenField

from coordinator import security
from coordinator.blueprints.clinic import me
from coordinator.blueprints.finance import bp
from coordinator.blueprints.finance.common import READ_ROLES
from coordinator.blueprints.forms import text_input
from coordinator.contracts.finance_search import SEARCH_LIMIT, FinanceSearch
from coordinator.errors import ValidationFailed
from coordinator.services import finance_search

PAGE_SIZE = 25


class FinanceSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = text_input("Name, phone, member id or account number", SEARCH_LIMIT, type="search")
    cursor = HiddenField()  # from the pager's links; never rendered in the form (a new search starts over)


@bp.route("/search")
@security.roles(*READ_ROLES)
def search():
    form = FinanceSearchForm(request.args)
    data = _parsed(form)
    page, rows = finance_search.search(me(), data, PAGE_SIZE)
    return render_template("finance/search.html", form=form, page=page, rows=rows), 400 if form.errors else 200


def _parsed(form: FinanceSearchForm) -> FinanceSearch:
    """The search; a damaged page link starts it over, and text it cannot read (a NUL byte, past
    the limit) is said beside the box and searches nothing."""
    for fields in ({"q": form.q.data, "cursor": form.cursor.data}, {"q": form.q.data}):
        try:
            return FinanceSearch.parse(fields, source="form")
        except ValidationFailed:
            continue
    form.q.errors = [f"Type a name, phone, member id or account number (at most {SEARCH_LIMIT} characters)."]
    return FinanceSearch.parse({})
