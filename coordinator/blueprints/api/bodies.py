"""What the API answers, as pydantic models: the views build them, the OpenAPI document is
generated from them (as it is from the input contracts), so the two cannot drift."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from coordinator.rules.inquiry_lifecycle import InquiryStatus

Timestamp = Annotated[
    datetime,
    PlainSerializer(
        lambda value: value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"), return_type=str
    ),
]
# A merged inquiry reports this status: the record it joined is not the client's to follow.
MERGED = "merged"
MERGED_LABEL = "Merged into another inquiry"


class InquiryStatusBody(BaseModel):
    """Where an inquiry created with this key stands now."""

    model_config = ConfigDict(extra="forbid", title="InquiryStatus")

    public_id: str = Field(description="Opaque id of the inquiry.")
    status: str = Field(json_schema_extra={"enum": [*(s.value for s in InquiryStatus), MERGED]})
    status_label: str = Field(json_schema_extra={"enum": [*(s.label for s in InquiryStatus), MERGED_LABEL]})
    arrived_at: Timestamp
    status_changed_at: Timestamp
    updated_at: Timestamp
