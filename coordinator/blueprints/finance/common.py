"""What every finance view shares: who may read and who may change insurance and payments."""

from __future__ import annotations

from coordinator.services import finance_access

READ_ROLES = tuple(sorted(finance_access.READERS))
EDIT_ROLES = tuple(sorted(finance_access.EDITORS))
