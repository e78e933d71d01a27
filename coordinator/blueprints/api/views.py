import hashlib

from flask import current_app, g, jsonify, request, url_for

from coordinator import security
from coordinator.blueprints.api import bp, openapi
from coordinator.blueprints.api.bodies import MERGED, MERGED_LABEL, InquiryStatusBody
from coordinator.blueprints.api.errors import ApiError
from coordinator.blueprints.api.payload import parse_body
from coordinator.contracts.intake import NewInquiry
from coordinator.domain.intake import Channel
from coordinator.errors import NotFound
from coordinator.extensions import limiter
from coordinator.models import Inquiry
from coordinator.services import api_clients, intake


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


@bp.route("/openapi.json")
@security.public
def openapi_document():
    return jsonify(openapi.document())
