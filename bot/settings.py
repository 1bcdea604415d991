"""Settings from the environment and `.env`, validated once at start-up.

A bad value stops the program with one line naming the setting and what is wrong; nothing is read from the
environment anywhere else. On first run the NIK encryption key is generated into `.env`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from documents.chat_links import NotALinkTarget, telegram_username, whatsapp_digits
from models.crypto import NikCipher
from models.regions import DEFAULT_REGION_FILE

ENV_FILE = Path(".env")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./data/sahabat_kerja.db"
    default_locale: Literal["id", "en"] = "id"
    timezone: str | None = None  # default: the region file's
    office_name: str | None = None
    office_address: str | None = None
    office_hours: str | None = None
    office_opening: str | None = None
    """The office's opening days and hours for the bot to reckon with, "mon-fri 08:00-16:00"."""
    office_phone: str | None = None
    foreign_phones_allowed: bool = False
    """Whether registration takes a non-Indonesian mobile number (the office can usually only call Indonesian
    ones)."""
    region_file: Path = DEFAULT_REGION_FILE
    nik_encryption_key: SecretStr = Field(min_length=1)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    log_format: Literal["text", "json"] = "text"
    """"json": one JSON object a line (time, level, logger, message and any extras), personal data masked."""
    metrics_token: SecretStr | None = None
    """With it, GET /metrics asks for `Authorization: Bearer <token>`; without, it is open on WEB_HOST."""

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_messages_per_second: float = Field(default=30.0, gt=0)  # Telegram's limit per bot
    telegram_messages_per_chat_per_second: float = Field(default=1.0, gt=0)
    webhook_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)  # larger webhook bodies get 413, unread
    web_host: str = "127.0.0.1"  # where the dashboard and webhooks listen; a container listens on 0.0.0.0
    web_port: int = Field(default=8080, ge=1, le=65535)
    web_public_url: str | None = None
    """The dashboard's address as staff open it (https://kerja.example.go.id); sign-in links start with it.
    Default: http://WEB_HOST:WEB_PORT (127.0.0.1 for 0.0.0.0)."""
    telegram_bot_username: str | None = None
    """The bot's public username (DisnakerTabalongBot) for t.me links and the poster's QR code."""
    whatsapp_public_number: str | None = None
    """The number people message the bot at (+62 811 5000 1234), for wa.me links and the poster's QR code."""
    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_base: str = "https://graph.facebook.com"
    whatsapp_messages_per_second: float = Field(
        default=80.0, gt=0, le=1000,
        validation_alias=AliasChoices("whatsapp_messages_per_second", "whatsapp_rate_per_second"))
    """The number's throughput: 80 by default, up to 1,000 once Meta has upgraded it (WHATSAPP_RATE_PER_SECOND,
    its old name, still works)."""
    whatsapp_daily_unique_recipients: int | None = Field(default=1000, gt=0)
    """The number's messaging tier (people it may start conversations with in 24 hours) while Meta has not said:
    the bot reads the real one from the Graph API at start and daily."""
    whatsapp_business_account_id: str | None = Field(default=None, pattern=r"^\d{1,32}$")
    """The WhatsApp Business Account (WABA) id, for `python -m bot whatsapp templates` and the dashboard's WhatsApp
    page: where the bot's message templates are submitted and their review states read."""
    whatsapp_templates: dict[str, dict[str, str]] = Field(default_factory=dict)
    """JSON such as {"notification": {"id": "kabar_disnaker", "en": "office_news"}}: approved templates with one
    body parameter, used outside the 24-hour window in place of the bot's own (models/data/whatsapp_templates.toml,
    submitted with `python -m bot whatsapp templates submit`). "ticket_reply" is for staff answers: its parameter
    is only the news that an answer waits ("... has answered your question #12. Please reply to this message to
    read the answer."), the answer follows the user's reply."""
    flood_messages: int = Field(default=20, gt=0)
    flood_window_seconds: float = Field(default=10.0, gt=0)
    """One person may send FLOOD_MESSAGES within FLOOD_WINDOW_SECONDS; past that they are asked once to slow
    down and their messages are dropped until they have been quiet for the window."""
    retention_delivered_days: int = Field(default=30, ge=1)
    """Delivered messages are deleted after this many days (README, Privacy)."""
    retention_files_days: int = Field(default=30, ge=1)
    """Stored pictures (the placement chart) are deleted after this many days, unless still waiting to go."""
    retention_event_days: int = Field(default=7, ge=2)
    """Platform event ids (against redelivery) are forgotten after this many days."""
    redis_url: str | None = None
    """redis://host:6379/0: every process of this bot shares the send-rate budgets there (several workers)."""

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            backend = make_url(value).get_backend_name()
        except ArgumentError as error:
            raise ValueError("is not a database URL") from error
        if value.split("://", 1)[0] not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError(f"use sqlite+aiosqlite:///path or postgresql+asyncpg://..., not {backend}")
        return value

    @field_validator("timezone")
    @classmethod
    def _real_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError("is not a time zone name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura") from error
        return value

    @field_validator("telegram_bot_username")
    @classmethod
    def _bot_username(cls, value: str | None) -> str | None:
        return _link_target(telegram_username, value)

    @field_validator("whatsapp_public_number")
    @classmethod
    def _public_number(cls, value: str | None) -> str | None:
        return _link_target(whatsapp_digits, value)

    @field_validator("nik_encryption_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr) -> SecretStr:
        NikCipher(value.get_secret_value())
        return value

    @property
    def dashboard_url(self) -> str:
        """Where staff open the dashboard: WEB_PUBLIC_URL, or this machine's own address."""
        if self.web_public_url:
            return self.web_public_url.rstrip("/")
        host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::", "") else self.web_host
        return f"http://{host}:{self.web_port}"


def _link_target(check: Callable[[str], str], value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return check(value)
    except NotALinkTarget as error:
        raise ValueError(str(error)) from error


class SettingsError(Exception):
    """Settings are invalid; the message is one line a person can act on."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]).upper() or "settings"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "missing":
            message = "is required"
        raise SettingsError(f"Configuration error: {name} {message}") from error


def ensure_nik_key(env_file: Path = ENV_FILE) -> bool:
    """Generate NIK_ENCRYPTION_KEY into `.env` when neither the environment nor `.env` has one."""
    if os.environ.get("NIK_ENCRYPTION_KEY"):
        return False
    existing = env_file.read_text(encoding="utf-8") if env_file.exists() else ""
    if any(line.strip().startswith("NIK_ENCRYPTION_KEY=") for line in existing.splitlines()):
        return False
    separator = "" if not existing or existing.endswith("\n") else "\n"
    try:
        # Created 0600, and narrowed before writing if it existed: the key is never readable by others,
        # not even between the write and a chmod.
        descriptor = os.open(env_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(f"{separator}# Encrypts stored NIKs. Back it up: without it they cannot be read.\n")
            handle.write(f"NIK_ENCRYPTION_KEY={NikCipher.generate_secret()}\n")
    except OSError:
        return False  # a read-only deployment: settings validation then says the key is required
    return True
