import hashlib

from flask import current_app, g, jsonify, request, url_for

from coordinator import security
from coordinator.blueprints.api import bp, openapi
from coordinator.blueprints.api.bodies import MERGED, MERGED_LABEL, EpisodeLevelBody, InquiryStatusBody
from coordinator.blueprints.api.errors import ApiError
from coordinator.blueprints.api.payload import parse_body
from coordinator.contracts.intake import NewInquiry
from coordinator.domain.intake import Channel
from coordinator.errors import NotFound, NotPermitted
from coordinator.extensions import limiter
from coordinator.models import Inquiry
from coordinator.services import api_clients, api_episodes, intake


def _key_bucket() -> str:
    # Limit per presented key (hashed: keys never reach Redis). Callers without a key share
    # their IP's bucket; their calls are refused anyway.
    header = request.headers.get("Authorization", "")
    if header:
        return "api-key:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-ip:" + (request.remote_addr or "unknown")


api_limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api-client", key_func=_key_bucket)


def _status_body(inquiry: Inquiry) -> dict:
    # Only what this inquiry itself holds: once merged into another (perhaps restricted) record,
    # the client learns that it was merged and when, never where the other record stands.
    merged = inquiry.merged_into_id is not None
    body = InquiryStatusBody(
        public_id=inquiry.public_id,
        status=MERGED if merged else inquiry.status.value,
        status_label=MERGED_LABEL if merged else inquiry.status.label,
        arrived_at=inquiry.arrived_at,
        status_changed_at=inquiry.status_changed_at,
        updated_at=inquiry.updated_at,
    )
    return body.model_dump(mode="json")


@bp.route("/inquiries", methods=["POST"])
@api_limit
@security.api_key
def create_inquiry():
    data = parse_body(NewInquiry)
    client = g.api_client
    inquiry = intake.create_inquiry(api_clients.actor_for(client), data, channel=Channel.API, api_client=client)
    response = jsonify(_status_body(inquiry))
    response.status_code = 201
    response.headers["Location"] = url_for("api.inquiry_status", public_id=inquiry.public_id)
    return response


@bp.route("/inquiries/<public_id>")
@api_limit
@security.api_key
def inquiry_status(public_id: str):
    try:
        inquiry = api_clients.read_inquiry_status(g.api_client, public_id)
    except NotFound:
        raise ApiError(404, "not_found", "No inquiry with this id was created with this key.") from None
    return jsonify(_status_body(inquiry))


@bp.route("/patients/<mrn>/episode")
@api_limit
@security.api_key
def patient_episode(mrn: str):
    try:
        found = api_episodes.read_current_episode(g.api_client, mrn)
    except NotPermitted:
        raise ApiError(403, "forbidden", "This key may not read episodes of care; ask an administrator.") from None
    except NotFound:
        raise ApiError(404, "not_found", "No patient with this record number.") from None
    segment = found.level
    body = EpisodeLevelBody(
        mrn=found.mrn,
        episode_id=found.episode_id,
        status=found.status.value,
        admitted_on=found.admitted_on,
        level_of_care=segment.level_of_care.value if segment else None,
        level_of_care_label=segment.level_of_care.label if segment else None,
        program=segment.program.name if segment else None,
        on_leave=bool(segment and segment.on_leave),
        level_since=found.level_since,
        days_in_level=found.days_in_level,
        next_review_on=found.next_review_on,
        planned_discharge_on=found.planned_discharge_on,
        discharged_on=found.discharged_on,
        aftercare_ends_on=found.aftercare_ends_on,
    )
    return jsonify(body.model_dump(mode="json"))


@bp.route("/openapi.json")
@security.public
def openapi_document():
    return jsonify(openapi.document())
