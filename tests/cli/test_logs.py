"""mimir.logs: one JSON object per line, whatever the values of an event."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import structlog

from mimir.logs import configure_logging


def test_json_lines_carry_datetimes_as_iso_8601_and_other_values_as_text(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("info", "json")
    at = datetime(2026, 11, 28, 21, 57, 8, 123456, tzinfo=UTC)
    structlog.get_logger("mimir.test").info(
        "source_checked",
        next_check_at=at,
        day=date(2026, 11, 28),
        ratio=Decimal("0.5"),
        path=Path("/tmp/x"),
    )
    logging.getLogger("somelib").warning("plain %s", "stdlib")  # the libraries' lines too

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    event, lib = (json.loads(line) for line in lines)
    assert event["event"] == "source_checked"
    assert event["next_check_at"] == "2026-11-28T21:57:08.123456+00:00"
    assert datetime.fromisoformat(event["next_check_at"]) == at
    assert event["day"] == "2026-11-28"
    assert event["ratio"] == "0.5" and event["path"] == "/tmp/x"
    assert event["level"] == "info" and event["logger"] == "mimir.test"
    assert lib == {**lib, "event": "plain stdlib", "level": "warning", "logger": "somelib"}


def test_alembic_info_lines_are_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.autogenerate.schemas")
    assert capsys.readouterr().err == ""
