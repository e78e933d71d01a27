"""All mapped models, imported here so Alembic and the app see one complete metadata."""
from coordinator.models.audit import AuditEvent
from coordinator.models.base import Base, UTCDateTime, utcnow
from coordinator.models.users import User, UserSession

__all__ = ["AuditEvent", "Base", "User", "UserSession", "UTCDateTime", "utcnow"]
