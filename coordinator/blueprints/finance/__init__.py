"""Insurance and private pay for one inquiry (/finance/...): coverages, verifications of
benefits, the 270/271 exchange, authorizations, estimates, and the private-pay account
(quotes, ledger, payment plans, statement), plus billing's worklist."""

from flask import Blueprint

bp = Blueprint("finance", __name__)

from coordinator.blueprints.finance import billing, insurance, overview, papers, search  # noqa: E402,F401
