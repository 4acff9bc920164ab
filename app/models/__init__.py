"""ORM models; importing this package registers every table on `Base.metadata`."""

from app.models.accident import Accident, Interview
from app.models.audit import AuditLog, IdempotencyRecord, OutboxEvent
from app.models.base import Base
from app.models.bulletin import Bulletin
from app.models.change import Change
from app.models.disclosure import Disclosure
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.hazard import Hazard, HazardHistory, HazardPhoto, LedgerCounter
from app.models.hazard_counts import (
    HazardCloseSpan,
    HazardClosing,
    HazardDeadline,
    HazardDeadlineMonth,
    HazardFacet,
    HazardTally,
)
from app.models.inspection import Inspection, InspectionQuiz, InspectionResponse
from app.models.inspection_counts import PrincipalCheckMonth
from app.models.inspection_plan import (
    InspectionDraw,
    InspectionPlan,
    InspectionPlanItem,
    KeyListEntry,
)
from app.models.notification import ExportJob, Notification, ReminderSent
from app.models.permit import ConfinedSpace, Delegation, Permit, PermitCounter, PermitHistory
from app.models.permit_ops import PermitPhoto, PermitRuleSet
from app.models.permit_records import (
    EntryLog,
    GasTest,
    PermitInterruption,
    PermitMeasure,
    PermitPerson,
    PermitSignoff,
    PermitViolation,
    VentilationRecord,
    WindReading,
)
from app.models.principal_action import PrincipalAction
from app.models.priority_task import PriorityTask
from app.models.public_report import PublicReport, PublicReportPhoto, PublicUpload
from app.models.records import Certificate, Drill, Training
from app.models.standard import Standard, StandardItemRecord
from app.models.upload import Upload
from app.models.user import AuthSession, RefreshToken, Role, User, UserGrid
from app.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "PermitPhoto",
    "PermitRuleSet",
    "Accident",
    "AuditLog",
    "AuthSession",
    "Base",
    "Bulletin",
    "Certificate",
    "Change",
    "Disclosure",
    "ConfinedSpace",
    "Delegation",
    "Drill",
    "Enterprise",
    "EntryLog",
    "GasTest",
    "ExportJob",
    "Grid",
    "Hazard",
    "HazardClosing",
    "HazardCloseSpan",
    "HazardDeadline",
    "HazardDeadlineMonth",
    "HazardFacet",
    "HazardTally",
    "HazardHistory",
    "HazardPhoto",
    "IdempotencyRecord",
    "Inspection",
    "PrincipalCheckMonth",
    "InspectionDraw",
    "InspectionPlan",
    "InspectionPlanItem",
    "InspectionQuiz",
    "InspectionResponse",
    "Interview",
    "KeyListEntry",
    "LedgerCounter",
    "Notification",
    "OutboxEvent",
    "PrincipalAction",
    "PriorityTask",
    "Permit",
    "PermitCounter",
    "PermitHistory",
    "PermitInterruption",
    "PermitMeasure",
    "PermitPerson",
    "PermitSignoff",
    "PermitViolation",
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
    "VentilationRecord",
    "WindReading",
    "WebhookDelivery",
    "WebhookSubscription",
]
