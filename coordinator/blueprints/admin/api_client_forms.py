"""The form that issues an API client's key."""

from coordinator.blueprints.forms import ContractForm, text_input
from coordinator.contracts import admin
from coordinator.contracts.admin import ApiClientInput


class NewApiClientForm(ContractForm):
    contract = ApiClientInput

    name = text_input(
        "Name",
        admin.API_CLIENT_NAME_LIMIT,
        "Who will use the key, e.g. “Website inquiry form” or a referral partner's name.",
    )
