"""Extension singletons, created unbound; `create_app()` binds them to an app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from coordinator.models.base import Base

# Views commit once and then render: keeping loaded rows after the commit avoids one
# refresh query per row on every list page.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Limits are declared per view (login, public forms); nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
