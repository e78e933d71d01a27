"""What the API answers, as pydantic models: the views build them, the OpenAPI document is
generated from them (as it is from the input contracts), so the two cannot drift."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from coordinator.domain.care import AdmissionStatus, LevelOfCare
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


class EpisodeLevelBody(BaseModel):
    """Where a patient's latest episode of care stands today (for the clinic's own systems)."""

    model_config = ConfigDict(extra="forbid", title="EpisodeLevel")

    mrn: str = Field(description="The patient's medical record number, e.g. MRN-000042-2.")
    episode_id: int = Field(description="The episode of care (admission) number.")
    status: str = Field(json_schema_extra={"enum": [s.value for s in AdmissionStatus]})
    admitted_on: date
    level_of_care: str | None = Field(
        description="The current level (once discharged, the last one).",
        json_schema_extra={"enum": [*(level.value for level in LevelOfCare), None]},
    )
    level_of_care_label: str | None = None
    program: str | None = Field(description="The program (or partner hospital) of the current level.")
    on_leave: bool = False
    level_since: date | None = Field(
        description="First day at the current level (transfers and leave at it continue it)."
    )
    days_in_level: int = Field(description="Days at the current level up to today, or up to the discharge.")
    next_review_on: date | None = Field(description="When the current level's review is due; null once discharged.")
    planned_discharge_on: date | None = None
    discharged_on: date | None = None
    aftercare_ends_on: date | None = Field(description="Last day of the two-month aftercare period after discharge.")
