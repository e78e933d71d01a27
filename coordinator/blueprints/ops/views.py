from flask import current_app, jsonify

from coordinator import security
from coordinator.blueprints.ops import bp
from coordinator.services import health


@bp.route("/healthz")
@security.public
def healthz():
    report = health.check(current_app.config.get("REDIS_URL"))
    return jsonify(report.as_dict()), (200 if report.database_ok else 503)
