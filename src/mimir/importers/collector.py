"""Collects imported sources into a report: unique names, one source per feed/page."""

from __future__ import annotations

from mimir.errors import InputError
from mimir.model import ImportReport, SourceSpec
from mimir.process.urls import url_key
from mimir.storage.sources import numbered_name, renamed_note


class Collector:
    """Adds sources to an ``ImportReport``, renaming duplicate names and skipping repeats."""

    def __init__(self) -> None:
        self.report = ImportReport()
        self._names: set[str] = set()
        self._urls: dict[tuple[str, str], str] = {}

    def add(self, spec: SourceSpec, label: str | None = None) -> bool:
        """Add ``spec`` (renamed if its name is taken); False when it repeats a source's URL."""
        key = self._url_identity(spec)
        if key is not None and key in self._urls:
            self.skip(label or spec.name, f"same URL as source {self._urls[key]!r}")
            return False
        original = spec.name
        spec.name = self._unique_name(original)
        if spec.name != original:
            self.warn(renamed_note(original, spec.name))
        self._names.add(spec.name.casefold())
        self.report.sources.append(spec)
        self._remember_url(spec)
        return True

    def skip(self, label: str, reason: str) -> None:
        self.report.skipped.append((label, reason))

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)

    def _unique_name(self, name: str) -> str:
        return numbered_name(name, lambda candidate: candidate.casefold() in self._names)

    def _remember_url(self, spec: SourceSpec) -> None:
        key = self._url_identity(spec)
        if key is not None:
            self._urls.setdefault(key, spec.name)

    @staticmethod
    def _url_identity(spec: SourceSpec) -> tuple[str, str] | None:
        try:
            return (str(spec.kind), url_key(spec.url))
        except InputError:
            return None
