"""File-level parts of the earlier product's files: settings, relevance filters, config.json.

``keyword_rules`` layout (for the watches feature):
``relevance``: ``{must_have_one, exclude, boost}`` word lists (from ``filters.keywords``);
``announcement_types``: list; ``alerts``: ``{enabled, keywords, alert_on_match, match}`` (from
``keywords_monitoring``; ``match`` is ``"words"``: Mimir matches words and phrases where the old
product matched substrings).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mimir.importers.collector import Collector
from mimir.importers.values import as_bool, as_positive_int, as_str_list

SETTINGS_KEYS = frozenset(
    {"article_limit_per_run", "article_limit_per_source", "enable_smart_extraction",
     "respect_robots_txt", "user_agent"}
)  # fmt: skip
CONFIG_SCALARS = frozenset(
    {"user_agent", "default_request_delay_seconds", "max_retries", "retry_delay_seconds",
     "database_name"}
)  # fmt: skip
CONFIG_KEYS = CONFIG_SCALARS | {"keywords_monitoring", "notification_email"}
RELEVANCE_KEYS = ("must_have_one", "exclude", "boost")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")
_SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey")


def apply_file_settings(raw: Any, collector: Collector) -> int | None:
    """Record a sources file's ``settings``; return the per-source article limit, if any."""
    if not isinstance(raw, dict):
        collector.warn("settings: not an object, ignored")
        return None
    file_settings = collector.report.file_settings
    for key, value in raw.items():
        if key in SETTINGS_KEYS:
            file_settings[key] = value
        else:
            file_settings.setdefault("legacy", {})[key] = value
            collector.warn(f"settings.{key}: unknown, kept in file_settings['legacy']")
    if as_bool(raw.get("respect_robots_txt"), True) is False:
        collector.warn(
            "settings.respect_robots_txt is false: not applied, Mimir respects robots.txt "
            "unless it is turned off per source"
        )
    per_source = as_positive_int(raw.get("article_limit_per_source"))
    return per_source or as_positive_int(raw.get("article_limit_per_run"))


def apply_filters(raw: Any, collector: Collector) -> None:
    """A sources file's ``filters`` (the old relevance filter) as ``keyword_rules``."""
    if not isinstance(raw, dict):
        collector.warn("filters: not an object, ignored")
        return
    rules = collector.report.keyword_rules
    for key, value in raw.items():
        if key == "keywords" and isinstance(value, dict):
            relevance = rules.setdefault("relevance", {})
            for group, words in value.items():
                if group in RELEVANCE_KEYS:
                    relevance[group] = _words(words, f"filters.keywords.{group}", collector)
                else:
                    rules.setdefault("legacy", {}).setdefault("keywords", {})[group] = words
                    collector.warn(f"filters.keywords.{group}: unknown, kept in keyword_rules")
        elif key == "announcement_types":
            rules["announcement_types"] = _words(value, f"filters.{key}", collector)
        else:
            rules.setdefault("legacy", {})[key] = value
            collector.warn(f"filters.{key}: unknown, kept in keyword_rules['legacy']")


def apply_config(raw: dict[str, Any], collector: Collector, env: Mapping[str, str]) -> None:
    """The settings file (``config.json``) keys of ``raw``, with ``${ENV}`` resolved."""
    file_settings = collector.report.file_settings
    for key in sorted(CONFIG_SCALARS & raw.keys()):
        file_settings[key] = resolve(raw[key], key, collector, env)
    if "keywords_monitoring" in raw:
        _keywords_monitoring(raw["keywords_monitoring"], collector)
    if "notification_email" in raw:
        _notification_email(raw["notification_email"], collector, env)


def resolve(value: Any, where: str, collector: Collector, env: Mapping[str, str]) -> Any:
    """``${NAME}`` / ``${NAME:-default}`` in a string replaced from ``env`` (unset: kept)."""
    if not isinstance(value, str):
        return value

    def sub(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        collector.warn(f"{where}: environment variable {name} is not set, placeholder kept")
        return match.group(0)

    return _PLACEHOLDER.sub(sub, value)


def _keywords_monitoring(raw: Any, collector: Collector) -> None:
    if not isinstance(raw, dict):
        collector.warn("keywords_monitoring: not an object, ignored")
        return
    keywords = _words(raw.get("keywords", []), "keywords_monitoring.keywords", collector)
    collector.report.keyword_rules["alerts"] = {
        "enabled": bool(as_bool(raw.get("enabled"), False)),
        "keywords": keywords,
        "alert_on_match": bool(as_bool(raw.get("alert_on_match"), False)),
        "match": "words",
    }
    if keywords:
        collector.warn(
            'keywords_monitoring: the old product matched substrings ("AI" matched "said"); '
            "Mimir matches whole words and phrases"
        )


def _notification_email(raw: Any, collector: Collector, env: Mapping[str, str]) -> None:
    if not isinstance(raw, dict):
        collector.warn("notification_email: not an object, ignored")
        return
    out: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"notification_email.{key}"
        if any(word in key.lower() for word in _SECRET_WORDS):
            reference = _secret_reference(value)
            if reference is not None:
                out[key] = reference
                collector.warn(f"{where}: kept as the reference {reference}, set that secret")
            elif value not in (None, ""):
                collector.warn(f"{where}: a plain-text secret is not imported, set it as a secret")
            continue
        out[key] = resolve(value, where, collector, env)
    if "smtp_port" in out:
        out["smtp_port"] = as_positive_int(out["smtp_port"]) or out["smtp_port"]
    if "send_email" in out:
        out["send_email"] = bool(as_bool(out["send_email"], False))
    collector.report.file_settings["notification_email"] = out


def _secret_reference(value: Any) -> str | None:
    """``${NAME}`` for a value that is exactly one placeholder (any default dropped)."""
    if isinstance(value, str):
        match = _PLACEHOLDER.fullmatch(value.strip())
        if match:
            return "${" + match.group(1) + "}"
    return None


def _words(value: Any, where: str, collector: Collector) -> list[str]:
    words, bad = as_str_list(value)
    if bad:
        collector.warn(f"{where}: ignored items that are not text: {bad!r}")
    return words
