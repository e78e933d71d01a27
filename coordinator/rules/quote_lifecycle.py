"""Where a private-pay quote stands."""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class QuoteStatus(LabelledStrEnum):
    ISSUED = "issued", "Issued"
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"
