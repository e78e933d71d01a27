"""The form that issues an API client's key."""

from wtforms import BooleanField

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
    reads_episodes = BooleanField(
        "May read patients' current level of care",
        description="Only for the clinic's own systems (e.g. its EHR or bed board), never a website or a referral "
        "partner: the key can then read any unrestricted patient's episode by record number.",
    )
