"""ORM models; importing this package registers every table on `Base.metadata`."""

from app.models.accident import Accident, Interview
from app.models.audit import AuditLog, IdempotencyRecord, OutboxEvent
from app.models.base import Base
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.hazard import Change, Hazard, HazardHistory, HazardPhoto, LedgerCounter
from app.models.hazard_counts import HazardCount
from app.models.inspection import Inspection, InspectionQuiz, InspectionResponse
from app.models.notification import ExportJob, Notification, ReminderSent
from app.models.public_report import PublicReport, PublicReportPhoto, PublicUpload
from app.models.records import Certificate, Drill, Training
from app.models.standard import Standard, StandardItemRecord
from app.models.upload import Upload
from app.models.user import AuthSession, RefreshToken, Role, User, UserGrid
from app.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "Accident",
    "AuditLog",
    "AuthSession",
    "Base",
    "Certificate",
    "Change",
    "Drill",
    "Enterprise",
    "ExportJob",
    "Grid",
    "Hazard",
    "HazardCount",
    "HazardHistory",
    "HazardPhoto",
    "IdempotencyRecord",
    "Inspection",
    "InspectionQuiz",
    "InspectionResponse",
    "Interview",
    "LedgerCounter",
    "Notification",
    "OutboxEvent",
    "PublicReport",
    "PublicReportPhoto",
    "PublicUpload",
    "RefreshToken",
    "ReminderSent",
    "Role",
    "Standard",
    "StandardItemRecord",
    "Training",
    "Upload",
    "User",
    "UserGrid",
    "WebhookDelivery",
    "WebhookSubscription",
]
