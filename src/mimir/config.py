"""Settings: every option has a default, a validator and its documentation.

Values come, in order of precedence, from keyword arguments, ``MIMIR_*`` environment variables,
``MIMIR_*_FILE`` variables naming a file that holds the value (for secrets), and an optional TOML
file named by ``MIMIR_CONFIG_FILE``. Every option is documented in ``docs/configuration.md``
(a test checks that each field appears there).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from mimir import __version__
from mimir.errors import ConfigError

DEFAULT_USER_AGENT = f"Mimir/{__version__} (+https://github.com/mimir-news/mimir; news monitor)"


def default_database_url() -> str:
    data = Path(os.environ.get("MIMIR_DATA_DIR", "~/.local/share/mimir")).expanduser()
    return f"sqlite:///{data / 'mimir.db'}"


class _FileSecrets(PydanticBaseSettingsSource):
    """``MIMIR_<NAME>_FILE=/run/secrets/x`` supplies ``<name>`` from that file."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        path = os.environ.get(f"MIMIR_{field_name.upper()}_FILE")
        if not path:
            return None, field_name, False
        try:
            return Path(path).read_text(encoding="utf-8").strip(), field_name, False
        except OSError as exc:
            raise ConfigError(
                f"MIMIR_{field_name.upper()}_FILE: cannot read {path}: {exc}"
            ) from exc

    def __call__(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, fld in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(fld, name)
            if value is not None:
                out[key] = value
        return out


class _TomlFile(PydanticBaseSettingsSource):
    """The optional settings file named by ``MIMIR_CONFIG_FILE`` (TOML, keys without prefix)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("MIMIR_CONFIG_FILE")
        if not path:
            return {}
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"MIMIR_CONFIG_FILE {path}: {exc}") from exc
        section = data.get("mimir", data)
        unknown = set(section) - set(self.settings_cls.model_fields)
        if unknown:
            raise ConfigError(f"MIMIR_CONFIG_FILE {path}: unknown settings {sorted(unknown)}")
        return dict(section)


class Settings(BaseSettings):
    """All of Mimir's settings (see docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="MIMIR_", extra="ignore", frozen=True)

    # storage
    database_url: str = Field(default_factory=default_database_url)
    database_pool_size: int = Field(default=5, ge=1, le=100)

    # workers and scheduling
    worker_concurrency: int = Field(default=32, ge=1, le=1000)
    worker_batch_size: int = Field(default=25, ge=1, le=1000)
    extract_processes: int = Field(default=0, ge=-1, le=64)  # 0: one per CPU, -1: inline
    extract_timeout_seconds: float = Field(default=60.0, ge=0)  # 0: no deadline
    lease_seconds: int = Field(default=300, ge=10)
    idle_sleep_seconds: float = Field(default=1.0, gt=0, le=60)
    min_interval_seconds: int = Field(default=300, ge=1)
    max_interval_seconds: int = Field(default=6 * 3600, ge=1)
    default_interval_seconds: int = Field(default=1800, ge=1)
    error_backoff_cap_seconds: int = Field(default=24 * 3600, ge=60)
    jitter_ratio: float = Field(default=0.1, ge=0, le=0.5)
    full_fetch_seconds: int = Field(default=12 * 3600, ge=60)
    article_retry_limit: int = Field(default=5, ge=1, le=50)

    # fetching
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    read_timeout_seconds: float = Field(default=20.0, gt=0)
    total_timeout_seconds: float = Field(default=60.0, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    per_host_interval_seconds: float = Field(default=1.0, ge=0)
    per_host_concurrency: int = Field(default=2, ge=1, le=100)
    respect_robots_txt: bool = True
    robots_cache_seconds: int = Field(default=3600, ge=0)
    fetch_allowed_networks: str = ""  # comma-separated CIDRs allowed despite the SSRF guard

    # alerts and notifications
    notify_allowed_networks: str = ""  # CIDRs webhooks / mail relays may be on although private
    channel_secrets: str = ""  # env var names a channel URL may use as ${NAME}
    notify_timeout_seconds: float = Field(default=30.0, gt=0)
    notify_max_attempts: int = Field(default=16, ge=1, le=100)
    notify_batch_size: int = Field(default=20, ge=1, le=1000)
    notify_lease_seconds: int = Field(default=120, ge=5)
    digest_daily_hour: int = Field(default=7, ge=0, le=23)  # daily digests, owner's local time
    story_window_hours: int = Field(default=72, ge=1, le=24 * 30)
    # an article published (or last changed) longer ago than this when Mimir finds it (a new
    # source's archive) alerts no watch; 0: no limit
    alert_max_age_hours: int = Field(default=168, ge=0)

    # serving and logs
    http_host: str = "127.0.0.1"  # `mimir serve` listens here (0.0.0.0: every interface)
    http_port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port
    public_url: str = ""  # e.g. https://mimir.example.org: base of absolute feed links
    log_level: str = "info"
    log_format: str = "auto"  # auto | json | console

    # access (docs/api.md)
    session_hours: int = Field(default=14 * 24, ge=1, le=24 * 365)  # a session's longest life
    session_idle_hours: int = Field(default=72, ge=1, le=24 * 365)  # unused this long: ended
    cookie_secure: str = "auto"  # auto (Secure over TLS or an https public URL) | true | false
    login_max_failures: int = Field(default=5, ge=1, le=1000)  # per account, per window
    login_max_failures_per_address: int = Field(default=20, ge=1, le=100000)
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    api_key_cache_seconds: float = Field(default=5.0, ge=0, le=300)  # revocation takes this long
    cors_origins: str = ""  # comma-separated origins allowed to call the API from browsers
    trust_proxy_headers: bool = False  # take the client address from X-Forwarded-For

    # operations (docs/operations.md, docs/metrics.md)
    metrics_port: int = Field(default=9464, ge=0, le=65535)  # `mimir worker`'s /metrics; 0: off
    redis_url: str = ""  # redis://host:6379/0 (or redis+sentinel://...): checked by /readyz
    otel_endpoint: str = ""  # OTLP/HTTP endpoint, e.g. http://jaeger:4318: traces when set
    otel_service_name: str = "mimir"  # service.name of the traces
    shutdown_grace_seconds: float = Field(default=25.0, gt=0, le=600)  # SIGTERM: finish or release

    @field_validator("cookie_secure")
    @classmethod
    def _check_cookie_secure(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ("auto", "true", "false"):
            raise ValueError("must be auto, true or false")
        return v

    @field_validator("database_url")
    @classmethod
    def _check_db(cls, v: str) -> str:
        if not v.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        if v.startswith("postgresql://") or v.startswith("postgres://"):
            v = "postgresql+psycopg://" + v.split("://", 1)[1]
        return v

    @field_validator("fetch_allowed_networks", "notify_allowed_networks")
    @classmethod
    def _check_networks(cls, v: str) -> str:
        for part in _split(v):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as exc:
                raise ValueError(f"{part!r} is not a CIDR network: {exc}") from exc
        return v

    @field_validator("http_host")
    @classmethod
    def _check_host(cls, v: str) -> str:
        v = v.strip()
        if not v or any(c in v for c in "/ "):
            raise ValueError("must be a host name or an IP address (0.0.0.0: every interface)")
        return v

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, v: str) -> str:
        v = v.strip().rstrip("/")
        if v and not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", v):
            raise ValueError("must be empty or an http(s) URL such as https://mimir.example.org")
        return v

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, v: str) -> str:
        if v not in ("auto", "json", "console"):
            raise ValueError("must be auto, json or console")
        return v

    @cached_property
    def allowed_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(p, strict=False) for p in _split(self.fetch_allowed_networks)
        )

    @cached_property
    def notify_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(
            ipaddress.ip_network(p, strict=False) for p in _split(self.notify_allowed_networks)
        )

    def channel_placeholders(self) -> dict[str, str]:
        """The ``${NAME}`` values channel URLs may use: only the variables named in
        MIMIR_CHANNEL_SECRETS, so whoever can write a channel URL cannot have any other
        variable (the database URL, say) mailed to them."""
        return {n: os.environ[n] for n in _split(self.channel_secrets) if n in os.environ}

    @property
    def cors_origin_list(self) -> list[str]:
        return _split(self.cors_origins)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSecrets(settings_cls), _TomlFile(settings_cls))


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Build the settings once; raise ConfigError with the variable named on bad values."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        msgs = []
        for err in exc.errors():
            name = "MIMIR_" + "_".join(str(p) for p in err["loc"]).upper()
            msgs.append(f"{name}: {err['msg']}")
        raise ConfigError("; ".join(msgs)) from exc
