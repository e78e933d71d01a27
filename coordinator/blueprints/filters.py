"""The filters of list pages (users, audit log, notifications...): a GET form read through its
contract. A list never refuses to open: filters that do not parse are dropped together, so an old
bookmark or a hand-edited address still shows the list, with a warning when the page gives one."""

from __future__ import annotations

from typing import Any

from flask import flash, request

from coordinator.blueprints.forms import ContractForm
from coordinator.errors import ValidationFailed


def read_filters(form_class: type[ContractForm], warning: str | None = None) -> tuple[ContractForm, Any]:
    """The filter form bound to the query string, and its contract (all filters off if any is bad)."""
    form = form_class(request.args)
    try:
        return form, form.parse()
    except ValidationFailed:
        if warning:
            flash(warning, "warning")
        form = form_class(formdata=None)
        return form, form.parse()
