from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from coordinator.services.api_clients import NAME_LIMIT


class NewApiClientForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[InputRequired(message="Enter a name for this client."), Length(max=NAME_LIMIT)],
        description="Who will use the key, e.g. “Website inquiry form” or a referral partner's name.",
    )
