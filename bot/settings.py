"""Settings from the environment (prefix BOT_) and an optional .env file; see config/example.env."""

from __future__ import annotations

import ipaddress
import os
import re
from importlib import metadata
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_DIR = Path(__file__).resolve().parent.parent
TELEGRAM_API_URL = "https://api.telegram.org/bot"
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
DEFAULT_ZONE = ZoneInfo(DEFAULT_TIMEZONE)


def _comma_separated(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _endpoint(server: str) -> tuple[str, int]:
    host, _, port = server.rpartition(":")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(
            f"{server!r} is not host:port; write shards apart by ';', each its servers "
            "apart by ',', e.g. 10.0.0.1:7000,10.0.0.2:7000;10.0.0.3:7000"
        )
    return host, int(port)


def installed_version() -> str:
    try:
        return metadata.version("tin-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tin-bot"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "tin-bot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    corpus_dir: Path = Path("seeds")  # of the working folder
    index_dir: Path = Field(default_factory=default_cache_dir)
    data_dir: Path = Field(default_factory=default_data_dir)
    top_k: int = Field(default=3, ge=1, le=10)
    reload_seconds: float = Field(default=0.5, ge=0)
    flood_limit: int = Field(default=8, ge=1)
    flood_window_seconds: float = Field(default=30.0, gt=0)
    api_url: str = TELEGRAM_API_URL
    api_file_url: str | None = None  # unset: api_url with its trailing /bot as /file/bot
    log_level: str = "INFO"
    allowed_chats: Annotated[frozenset[int], NoDecode] = frozenset()
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    inbox_url: SecretStr | None = None  # postgresql://…: one inbox shared by replicas
    inbox_lease_seconds: float = Field(default=20.0, gt=0)  # a dead replica's updates wait this
    feeds: Annotated[tuple[str, ...], NoDecode] = ()  # RSS, Atom or sitemap URLs
    feed_seconds: float = Field(default=900.0, gt=0)  # a running bot's rounds, this far apart
    feed_delay_seconds: float = Field(default=1.0, ge=0)  # between two requests to one host
    feed_hosts: Annotated[frozenset[str], NoDecode] = frozenset()  # beside each feed's own
    feed_max_new: int = Field(default=200, ge=1)  # new pages fetched in one round
    timezone: str = DEFAULT_TIMEZONE
    keep_questions: bool = False  # keep each question's text, tier, top source and vote
    keep_days: int = Field(default=30, ge=1, le=3650)  # kept questions are deleted after this
    http_port: int | None = Field(default=None, ge=1, le=65535)  # /metrics, /healthz, the page
    http_listen: str = "127.0.0.1"
    http_token: SecretStr | None = None  # required when http_listen is not a loopback address
    # Xapian shards served by xapian-tcpsrv: "host:port,host:port;host:port" (shards apart by
    # ";" in their order, DIR/0 first; each its primary first, then its replicas); unset: the
    # index in this process
    xapian_shards: Annotated[tuple[tuple[tuple[str, int], ...], ...], NoDecode] = ()

    @field_validator("feeds", mode="before")
    @classmethod
    def _feed_urls(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        urls = tuple(_comma_separated(value))
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"{url!r} is not an http:// or https:// URL")
        return urls

    @field_validator("feed_hosts", mode="before")
    @classmethod
    def _host_names(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        hosts = [host.lower() for host in _comma_separated(value)]
        if any("/" in host or ":" in host or " " in host for host in hosts):
            raise ValueError("must be host names separated by commas, e.g. cdn.example.vn")
        return frozenset(hosts)

    @field_validator("xapian_shards", mode="before")
    @classmethod
    def _shard_servers(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        shards = [part for part in value.replace(" ", "").split(";") if part]
        return tuple(tuple(_endpoint(server) for server in shard.split(",")) for shard in shards)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone, e.g. Asia/Ho_Chi_Minh") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @field_validator("allowed_chats", "admin_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        except ValueError:
            raise ValueError("must be ids separated by commas, e.g. 123,-1001234") from None

    @field_validator(
        "webhook_url",
        "webhook_secret",
        "inbox_url",
        "api_file_url",
        "http_port",
        "http_token",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must start with https://")
        return value

    @field_validator("inbox_url")
    @classmethod
    def _postgresql_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("postgresql://", "postgres://")
        ):
            raise ValueError("must start with postgresql:// (unset: the SQLite inbox)")
        return value

    @model_validator(mode="after")
    def _token_off_loopback(self) -> Settings:
        if self.http_port is not None and self.http_token is None and not self.http_loopback:
            raise ValueError("BOT_HTTP_TOKEN is required when BOT_HTTP_LISTEN is not loopback")
        return self

    @property
    def http_loopback(self) -> bool:
        """Whether the operator listener binds a loopback address (only this host reaches it)."""
        if self.http_listen == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.http_listen).is_loopback
        except ValueError:  # a host name: reachable from elsewhere, as far as we know
            return False

    @property
    def file_url(self) -> str:
        """Where files are downloaded from (BOT_API_FILE_URL, or derived from BOT_API_URL)."""
        if self.api_file_url:
            return self.api_file_url
        base = self.api_url.rstrip("/")
        return base.removesuffix("/bot") + "/file/bot"

    def check_webhook(self) -> None:
        """What only the Telegram adapter needs, checked only when it starts: `ask` or `index`
        must not fail over a half-written webhook configuration."""
        if self.webhook_url is not None and self.webhook_secret is None:
            raise SettingsError("BOT_WEBHOOK_SECRET is required when BOT_WEBHOOK_URL is set")

    @field_validator("token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("api_url", "api_file_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    def secrets(self) -> list[str]:
        """What logs must never show: the token, its secret half alone, the webhook secret,
        the shared inbox's URL and its password, the operator listener's token."""
        found = []
        if self.token is not None:
            token = self.token.get_secret_value()
            found += [token, token.split(":", 1)[-1]]
        if self.webhook_secret is not None:
            found.append(self.webhook_secret.get_secret_value())
        if self.inbox_url is not None:
            url = urlsplit(self.inbox_url.get_secret_value())
            found += [self.inbox_url.get_secret_value(), url.password or ""]
        if self.http_token is not None:
            found.append(self.http_token.get_secret_value())
        return [secret for secret in found if secret]


class SettingsError(Exception):
    """A setting has a bad value; the message names it, never echoes a secret."""


def describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        location = "_".join(str(part) for part in item["loc"]).upper()
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"BOT_{location}: {message}" if location else message)
    return "; ".join(problems)


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe(error)) from None
