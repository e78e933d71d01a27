"""The opioid regimen's rows on a form (the phone intake form, the inquiry's regimen editor and the
live MME preview), rendered by `templates/screening/_regimen_rows.html`."""

from __future__ import annotations

import re

from wtforms import FieldList, Form, StringField

_ROW_INDEX = re.compile(r"^[0-9]{1,2}$")


class RegimenRowForm(Form):
    """One medicine row (no CSRF token of its own: the page's form has it)."""

    drug = StringField()
    dose = StringField()
    unit = StringField()
    doses_per_day = StringField()
    purpose = StringField()


class RegimenRows(FieldList):
    """Regimen rows posted as regimen-N-field, N from 0 to 99. Rows missing below the last one
    posted come back blank, so every row keeps the number the person saw (and problems name it)."""

    def _extract_indices(self, prefix, formdata):
        posted = [key[len(prefix) + 1 :].split("-", 1)[0] for key in formdata if key.startswith(prefix + "-")]
        found = [int(index) for index in posted if _ROW_INDEX.match(index)]
        return range(max(found) + 1) if found else ()
