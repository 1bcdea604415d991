"""Imports every model module so `Base.metadata` knows all tables (for migrations and tests)."""

from models.applications import Application, ApplicationStatusChange, Completion
from models.audit import AuditEntry
from models.broadcasts import Broadcast, BroadcastDelivery
from models.canned_answers import CannedAnswer
from models.catalog import ApprenticeshipOpening, Provider, TrainingProgram
from models.conversations import Conversation
from models.evaluations import EvaluationRecord
from models.events import ProcessedEvent
from models.files import StoredFile
from models.follow_ups import CheckIn, CheckInOptOut, FollowUpFire
from models.message_rates import MessageRate
from models.opt_ins import OptIn
from models.outbox import OutboxMessage
from models.posters import BroadcastPoster, OpeningPoster
from models.profiles import JobSeekerProfile
from models.receipts import PlatformMessage
from models.report_facts import ReportFact
from models.seeds import SeedRun
from models.surveys import SurveyVersion
from models.targets import TrainingTarget
from models.tickets import Ticket, TicketMessage
from models.users import User
from models.web_access import LoginLink, WebSession
from models.whatsapp_number import WhatsAppNumberEvent, WhatsAppNumberState
from models.whatsapp_templates import WhatsAppTemplate

__all__ = [
    "Application",
    "ApplicationStatusChange",
    "ApprenticeshipOpening",
    "AuditEntry",
    "Broadcast",
    "BroadcastDelivery",
    "BroadcastPoster",
    "CannedAnswer",
    "CheckIn",
    "CheckInOptOut",
    "Completion",
    "Conversation",
    "EvaluationRecord",
    "FollowUpFire",
    "JobSeekerProfile",
    "MessageRate",
    "OptIn",
    "OpeningPoster",
    "OutboxMessage",
    "PlatformMessage",
    "ProcessedEvent",
    "ReportFact",
    "Provider",
    "SeedRun",
    "StoredFile",
    "SurveyVersion",
    "Ticket",
    "TicketMessage",
    "TrainingProgram",
    "TrainingTarget",
    "User",
    "WebSession",
    "WhatsAppNumberEvent",
    "WhatsAppNumberState",
    "LoginLink",
    "WhatsAppTemplate",
]
