from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(message="Enter your email."), Length(max=254)])
    # Generous maximum: long passphrases are welcome, megabyte ones are an attack on the hasher.
    password = PasswordField("Password", validators=[DataRequired(message="Enter your password."), Length(max=1024)])
